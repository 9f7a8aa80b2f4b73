"""The parser: every construct becomes the right nodes at the right place."""

from __future__ import annotations

import dataclasses

import pytest

from engine import nodes
from engine.errors import CRMScriptCheckError, CRMScriptError
from engine.parser import parse_program


def parse(source: str) -> list[nodes.Stmt]:
    return parse_program(source, "t.crm").body


def only(source: str) -> nodes.Stmt:
    (stmt,) = parse(source)
    return stmt


def expr(source: str) -> nodes.Expr:
    """The expression of a one-statement script `source;`."""
    stmt = only(source + ";")
    assert isinstance(stmt, nodes.ExprStmt)
    return stmt.expr


def sexp(node) -> object:
    """A compact, comparable shape of an expression tree."""
    if isinstance(node, (nodes.IntLit, nodes.FloatLit, nodes.StringLit, nodes.BoolLit)):
        return node.value
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.This):
        return "this"
    if isinstance(node, nodes.Binary):
        return (node.op, sexp(node.left), sexp(node.right))
    if isinstance(node, nodes.Unary):
        return (node.op, sexp(node.operand))
    if isinstance(node, nodes.IncDec):
        return (node.op + ("pre" if node.prefix else "post"), sexp(node.target))
    if isinstance(node, nodes.Assign):
        return (node.op, sexp(node.target), sexp(node.value))
    if isinstance(node, nodes.Call):
        return ("call", node.name, *map(sexp, node.args))
    if isinstance(node, nodes.MethodCall):
        return ("method", sexp(node.obj), node.method, *map(sexp, node.args))
    if isinstance(node, nodes.Member):
        return ("member", sexp(node.obj), node.name)
    if isinstance(node, nodes.Index):
        return ("index", sexp(node.obj), sexp(node.index))
    if isinstance(node, nodes.Construct):
        return ("new", node.type_ref.name, *map(sexp, node.args))
    raise AssertionError(f"no shape for {node!r}")


def at(node: nodes.Node) -> tuple[int, int]:
    return node.line, node.column


# ----------------------------------------------------------------- literals


@pytest.mark.parametrize(
    "source, value",
    [
        ("12", 12),
        ("0", 0),
        ("3.5", 3.5),
        ("1e3", 1000.0),
        ("true", True),
        ("false", False),
        ('"plain"', "plain"),
        ("'single'", "single"),
        (r'"a\nb\tc\\d\"e\'f"', "a\nb\tc\\d\"e'f"),
        (r"'it\'s'", "it's"),
        (r'"\x41\101\q"', "AAq"),
        (r'"\u00e9\ud800"', "\u00e9\ufffd"),
        ('""', ""),
    ],
)
def test_literals(source, value):
    node = expr(source)
    assert node.value == value
    assert type(node.value) is type(value)
    assert at(node) == (1, 1)


def test_a_string_may_span_lines_and_keeps_its_line_breaks():
    body = parse('x = "first\n  second\r\nthird";\ny = \'a\nb\';\nz = 1;')
    assert body[0].expr.value.value == "first\n  second\nthird"  # CRLF inside is one line break
    assert body[1].expr.value.value == "a\nb"
    assert at(body[1]) == (4, 1)  # lines inside the string are counted
    assert at(body[2]) == (6, 1)


# -------------------------------------------------------------- precedence


@pytest.mark.parametrize(
    "source, shape",
    [
        ("a + b * c", ("+", "a", ("*", "b", "c"))),
        ("a * b + c", ("+", ("*", "a", "b"), "c")),
        ("a - b - c", ("-", ("-", "a", "b"), "c")),
        ("a / b % c", ("%", ("/", "a", "b"), "c")),
        ("(a + b) * c", ("*", ("+", "a", "b"), "c")),
        ("a < b == c > d", ("==", ("<", "a", "b"), (">", "c", "d"))),
        ("a <= b != c >= d", ("!=", ("<=", "a", "b"), (">=", "c", "d"))),
        ("a || b && c", ("||", "a", ("&&", "b", "c"))),
        ("a or b and c", ("||", "a", ("&&", "b", "c"))),
        ("a && b == c", ("&&", "a", ("==", "b", "c"))),
        ("!a && -b", ("&&", ("!", "a"), ("-", "b"))),
        ("-a * +b", ("*", ("-", "a"), ("+", "b"))),
        ("!!a", ("!", ("!", "a"))),
        ("- -a", ("-", ("-", "a"))),
        ("a = b = c", ("=", "a", ("=", "b", "c"))),
        ("a += b * 2", ("+=", "a", ("*", "b", 2))),
        ("a -= 1", ("-=", "a", 1)),
        ("a *= 1", ("*=", "a", 1)),
        ("a /= 1", ("/=", "a", 1)),
        ("x = a || b", ("=", "x", ("||", "a", "b"))),
        ("a++ + ++b", ("+", ("++post", "a"), ("++pre", "b"))),
        ("a-- - --b", ("-", ("--post", "a"), ("--pre", "b"))),
        ("-a++", ("-", ("++post", "a"))),
        ("a.b.c", ("member", ("member", "a", "b"), "c")),
        ("a.f(1, 2).g()", ("method", ("method", "a", "f", 1, 2), "g")),
        ("a[1][2]", ("index", ("index", "a", 1), 2)),
        ("a[i].x[j]", ("index", ("member", ("index", "a", "i"), "x"), "j")),
        ("m[\"k\"] = 1", ("=", ("index", "m", "k"), 1)),
        ("f()", ("call", "f")),
        ("f(a, g(b))", ("call", "f", "a", ("call", "g", "b"))),
        ("Integer(5)", ("new", "Integer", 5)),
        ('Map("a=1").get("a")', ("method", ("new", "Map", "a=1"), "get", "a")),
        ('XMLNode("x")', ("new", "XMLNode", "x")),
        ("DateTime()", ("new", "DateTime")),
        ("this.x = 1", ("=", ("member", "this", "x"), 1)),
        ("this.f()", ("method", "this", "f")),
        ("s.toString().length() > 0 && ok", ("&&", (">", ("method", ("method", "s", "toString"), "length"), 0), "ok")),
    ],
)
def test_expression_shapes(source, shape):
    assert sexp(expr(source)) == shape


def test_expression_positions_are_where_each_node_starts():
    node = expr("x = a + b * c")
    assert at(node) == (1, 1)
    assert at(node.value) == (1, 5)
    assert at(node.value.right) == (1, 9)
    assert at(node.value.right.right) == (1, 13)
    call = expr("  obj.run(1)")
    assert at(call) == (1, 3) and at(call.args[0]) == (1, 11)
    prefix = expr("!\n  done")
    assert at(prefix) == (1, 1) and at(prefix.operand) == (2, 3)
    construct = expr("Integer(5)")
    assert at(construct.type_ref) == (1, 1)
    assert all(n.file == "t.crm" for n in (node, node.value, call, prefix))


# ------------------------------------------------------------ declarations


def test_declarations_and_types():
    body = parse("Integer a;\nString s = \"x\";\nString[] list;\nInteger[3] three;\nInteger[3][4] grid;\nFloat[][] f;")
    a, s, lst, three, grid, f = body
    assert (a.type_ref.name, a.type_ref.sizes, a.name, a.init) == ("Integer", [], "a", None)
    assert s.init.value == "x" and at(s) == (2, 1) and at(s.init) == (2, 12)
    assert lst.type_ref.sizes == [None] and lst.type_ref.type.dims == 1
    assert [size.value for size in three.type_ref.sizes] == [3]
    assert [size.value for size in grid.type_ref.sizes] == [3, 4]
    assert grid.type_ref.type.name == "Integer" and grid.type_ref.type.dims == 2
    assert f.type_ref.sizes == [None, None]


def test_size_expressions_and_declarations_of_unknown_types():
    decl = only("Integer[n + 1] a;")
    assert sexp(decl.type_ref.sizes[0]) == ("+", "n", 1)
    # A type the parser has never heard of: `Name name` is a declaration.
    decl = only("Widget w;")
    assert isinstance(decl, nodes.VarDecl) and decl.type_ref.name == "Widget"
    decl = only("Widget[] ws;")
    assert isinstance(decl, nodes.VarDecl) and decl.type_ref.sizes == [None]
    decl = only("Widget[3][n + 1] grid;")
    assert isinstance(decl, nodes.VarDecl) and [sexp(s) for s in decl.type_ref.sizes] == [3, ("+", "n", 1)]
    stmt = only("widget[i][j] = w;")
    assert sexp(stmt.expr) == ("=", ("index", ("index", "widget", "i"), "j"), "w")
    # ... while `name[...] = ...` stays an assignment.
    stmt = only("widget[2] = w;")
    assert sexp(stmt.expr) == ("=", ("index", "widget", 2), "w")


def test_documented_classes_and_netserver_types_are_type_names():
    for source in ("XMLNode x;", "SearchEngine se;", "NSContactAgent agent;", "JSONBuilder[2] jb;", "EventData ed;"):
        assert isinstance(only(source), nodes.VarDecl), source


def test_functions():
    fn = only("Integer add(Integer a, Float[] b) {\n  return a;\n}")
    assert isinstance(fn, nodes.FunctionDecl)
    assert (fn.return_type.name, fn.name, fn.struct) == ("Integer", "add", None)
    assert [(p.type_ref.name, len(p.type_ref.sizes), p.name) for p in fn.params] == [("Integer", 0, "a"), ("Float", 1, "b")]
    assert at(fn.params[1]) == (1, 24)
    assert isinstance(fn.body, nodes.Block) and at(fn.body) == (1, 35)
    (ret,) = fn.body.body
    assert isinstance(ret, nodes.Return) and ret.value.name == "a" and at(ret) == (2, 3)
    void = only("Void nothing() { return; }")
    assert void.params == [] and void.body.body[0].value is None
    array_fn = only("String[] names() { String[] n; return n; }")
    assert array_fn.return_type.sizes == [None]


@pytest.mark.parametrize("keyword", ["struct", "Struct"])
def test_structs_fields_methods_overloads_and_this(keyword):
    source = (
        f"{keyword} Point {{\n"
        "  Integer x;\n"
        "  Integer y = 2;\n"
        "  Integer sum() { return this.x + y; }\n"
        "  Integer sum(Integer extra) { return sum() + extra; }\n"
        "};\n"
        "Point p;\n"
        "Point[] many;\n"
        "p.x = 1;\n"
    )
    struct, p, many, assign = parse(source)
    assert isinstance(struct, nodes.StructDecl) and struct.name == "Point" and at(struct) == (1, 1)
    assert [f.name for f in struct.fields] == ["x", "y"] and struct.fields[1].init.value == 2
    assert [m.name for m in struct.methods] == ["sum", "sum"]
    assert all(m.struct is struct for m in struct.methods)
    assert [len(m.params) for m in struct.methods] == [0, 1]
    assert sexp(struct.methods[0].body.body[0].value) == ("+", ("member", "this", "x"), "y")
    assert isinstance(p, nodes.VarDecl) and p.type_ref.name == "Point"
    assert isinstance(many, nodes.VarDecl) and many.type_ref.sizes == [None]
    assert sexp(assign.expr) == ("=", ("member", "p", "x"), 1)


def test_a_function_may_be_named_like_a_struct_but_a_variable_may_not():
    struct, factory, listing, made = parse(
        "struct Box { Integer n; };\n"
        "Box Box(Integer n) { Box b; b.n = n; return b; }\n"
        "Box[] Box() { Box[] all; return all; }\n"
        "Box b = Box(3);")
    assert isinstance(factory, nodes.FunctionDecl) and (factory.return_type.name, factory.name) == ("Box", "Box")
    assert isinstance(listing, nodes.FunctionDecl) and listing.name == "Box" and listing.return_type.sizes == [None]
    assert sexp(made.init) == ("new", "Box", 3)  # the checker decides: function or struct
    with pytest.raises(CRMScriptError, match="'Box' is a type name and cannot be used as a name"):
        parse("struct Box { Integer n; };\nBox Box;")
    with pytest.raises(CRMScriptError, match="'Box' is a type name and cannot be used as a name"):
        parse("struct Box { Integer n; };\nBox Box = Box();")


def test_struct_without_trailing_semicolon_and_struct_name_known_afterwards():
    struct, decl = parse("struct Pair { String a; }\nPair[2] pairs;")
    assert isinstance(struct, nodes.StructDecl)
    assert isinstance(decl, nodes.VarDecl) and decl.type_ref.name == "Pair"


# -------------------------------------------------------------- statements


def test_if_else_chains():
    stmt = only("if (a) x = 1;\nelse if (b) { x = 2; }\nelse x = 3;")
    assert isinstance(stmt, nodes.If) and at(stmt) == (1, 1)
    assert isinstance(stmt.then, nodes.ExprStmt)
    inner = stmt.else_
    assert isinstance(inner, nodes.If) and at(inner) == (2, 6)
    assert isinstance(inner.then, nodes.Block)
    assert isinstance(inner.else_, nodes.ExprStmt)
    dangling = only("if (a) if (b) x(); else y();")
    assert dangling.else_ is None and dangling.then.else_ is not None  # else binds to the nearest if
    assert isinstance(only("If (a) x();"), nodes.If)  # spelling used by the public library


def test_loops():
    w = only("while (i < 3) i++;")
    assert isinstance(w, nodes.While) and sexp(w.cond) == ("<", "i", 3)
    f = only("for (Integer i = 0; i < 3; i++) { }")
    assert isinstance(f.init, nodes.VarDecl) and f.init.name == "i"
    assert sexp(f.cond) == ("<", "i", 3) and sexp(f.update) == ("++post", "i")
    assert isinstance(f.body, nodes.Block) and f.body.body == []
    f = only("for (i = 0; ; ) ;")
    assert isinstance(f.init, nodes.ExprStmt) and f.cond is None and f.update is None
    assert isinstance(f.body, nodes.EmptyStmt)
    f = only("for (;;) break;")
    assert f.init is None and isinstance(f.body, nodes.Break)
    fe = only("foreach (String s in names.split(\",\")) { continue; }")
    assert isinstance(fe, nodes.Foreach)
    assert (fe.var_type.name, fe.var_name) == ("String", "s")
    assert sexp(fe.collection) == ("method", "names", "split", ",")
    assert isinstance(fe.body.body[0], nodes.Continue)


def test_try_catch_throw_and_simple_statements():
    t, th, empty, block = parse('try { f(); } catch { printLine(error); }\nthrow "bad";\n;\n{ Integer a; }')
    assert isinstance(t, nodes.Try) and isinstance(t.body, nodes.Block) and isinstance(t.handler, nodes.Block)
    assert sexp(t.handler.body[0].expr) == ("call", "printLine", "error")
    assert isinstance(th, nodes.Throw) and th.value.value == "bad" and at(th) == (2, 1)
    assert isinstance(empty, nodes.EmptyStmt) and at(empty) == (3, 1)
    assert isinstance(block, nodes.Block) and isinstance(block.body[0], nodes.VarDecl)


def test_directives():
    level, include, decl = parse('#setLanguageLevel 3;\n#include "lib-x";\nInteger a;')
    assert isinstance(level, nodes.LanguageLevel) and level.level == 3
    assert isinstance(include, nodes.Include) and include.name == "lib-x" and include.program is None
    assert at(include) == (2, 1)
    assert isinstance(decl, nodes.VarDecl)


def test_comments_whitespace_and_bom():
    body = parse("\ufeff// line comment\n/* block\n comment */ Integer /* inline */ a; // end\n")
    (decl,) = body
    assert at(decl) == (3, 13)


def test_ejscript_wrapper_is_understood_and_keeps_positions():
    source = "%EJSCRIPT_START%\n<%\nInteger a = 1;\n%>\n%EJSCRIPT_END%\n"
    (decl,) = parse(source)
    assert at(decl) == (3, 1)


def test_every_node_class_is_produced():
    source = """
#setLanguageLevel 3;
#include "other";
struct S { Integer f; Void m() { this.f = 1; } };
Integer fn(Integer p) { return p; }
Integer[2] a;
a[0] = -1 + 2.5 * 3;
String s = "x";
Bool b = !true || false;
S v; v.m(); v.f++;
Map m = Map("a=1");
if (b) ; else { }
while (b) break;
for (;;) continue;
foreach (Integer i in a) fn(i);
try { throw "x"; } catch { }
"""
    seen = set()

    def walk(value):
        if isinstance(value, nodes.Node):
            if type(value) in seen and isinstance(value, nodes.StructDecl):
                return
            seen.add(type(value))
            annotations = {"struct", "symbol", "ctype"} | (
                set() if isinstance(value, (nodes.Assign, nodes.IncDec)) else {"target"}
            )
            for f in dataclasses.fields(value):
                if f.name not in annotations:
                    walk(getattr(value, f.name))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(parse_program(source))
    every = {
        cls
        for cls in vars(nodes).values()
        if isinstance(cls, type) and issubclass(cls, nodes.Node) and cls not in (nodes.Node, nodes.Expr, nodes.Stmt)
    }
    assert every - seen == set()


# ---------------------------------------------------------------- includes


def test_includes_are_parsed_and_their_structs_become_type_names():
    libraries = {
        "shapes": ('#include "base";\nstruct Circle { Float r; };', "lib/shapes.crm"),
        "base": ("struct Base { Integer id; };", "lib/base.crm"),
    }
    calls = []

    def resolve(name):
        calls.append(name)
        return libraries.get(name)

    source = '#include "shapes";\n#include "base";\nCircle c; Base b; Base[3] bs;'
    program = parse_program(source, "main.crm", includes=resolve)
    shapes, base, c, b, bs = program.body
    assert shapes.program is not None and shapes.program.file == "lib/shapes.crm"
    nested = shapes.program.body[0]
    assert isinstance(nested, nodes.Include) and nested.program.file == "lib/base.crm"
    assert base.program is nested.program  # parsed once per call
    assert calls.count("base") == 1
    assert [type(n) for n in (c, b, bs)] == [nodes.VarDecl] * 3


def test_include_errors_keep_the_included_files_name_and_line():
    def resolve(name):
        return ("Integer ok;\nInteger broken", "lib/broken.crm")

    with pytest.raises(CRMScriptError) as info:
        parse_program('#include "broken";', "main.crm", includes=resolve)
    assert (info.value.file, info.value.line) == ("lib/broken.crm", 2)


def test_include_cycles_and_missing_includes_are_reported():
    scripts = {"a": ('#include "b";', "a.crm"), "b": ('#include "a";', "b.crm")}
    with pytest.raises(CRMScriptCheckError) as info:
        parse_program('#include "a";', "main.crm", includes=scripts.get)
    assert "a -> b -> a" in info.value.message and info.value.file == "b.crm"
    with pytest.raises(CRMScriptCheckError) as info:
        parse_program('\n  #include "missing";', "main.crm", includes=scripts.get)
    assert (info.value.line, info.value.column) == (2, 3) and "missing" in info.value.message
    program = parse_program('#include "missing";', "main.crm", includes=scripts.get, require_includes=False)
    assert program.body[0].program is None


def test_include_path_resolver(tmp_path):
    from engine.includes import IncludePath, include_folders_for

    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "util.crm").write_text("struct Util { Integer n; };", encoding="utf-8")
    (lib / "other.crmscript").write_text("Integer other;", encoding="utf-8")
    handler_dir = tmp_path / "SalesBeforeSaveSale"
    handler_dir.mkdir()
    handler = handler_dir / "10-a.crm"
    handler.write_text('#include "util";\nUtil u;', encoding="utf-8")
    assert include_folders_for(handler) == [handler_dir.resolve(), lib.resolve()]
    resolver = IncludePath(include_folders_for(handler))
    assert resolver("other")[1].endswith("other.crmscript")
    assert resolver("nope") is None and resolver("../lib/util") is None
    program = parse_program(handler.read_text(), str(handler), includes=resolver)
    assert program.body[0].program.body[0].name == "Util"


def test_includes_given_as_a_mapping_or_a_folder_list(tmp_path):
    program = parse_program('#include "util";\nUtil u;', "m.crm", includes={"util": "struct Util { Integer n; };"})
    assert program.body[0].program.file == "util" and isinstance(program.body[1], nodes.VarDecl)
    (tmp_path / "util.crm").write_text("Integer fromDisk;", encoding="utf-8")
    program = parse_program('#include "util";', "m.crm", includes=[tmp_path])
    assert program.body[0].program.body[0].name == "fromDisk"


# ------------------------------------------- precedence, as a property

from hypothesis import (  # noqa: E402
    given,
    settings,
    strategies as st,  # noqa: E402
)

BINARY_LEVELS = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "/", "%"]]
LEVEL_OF = {op: level for level, ops in enumerate(BINARY_LEVELS) for op in ops}
PREFIX_LEVEL = len(BINARY_LEVELS)  # prefix operators bind tighter than any binary one

leaves = st.sampled_from(["a", "b", "c", 1, 2])
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from([op for ops in BINARY_LEVELS for op in ops]), inner, inner),
        st.tuples(st.sampled_from(["!", "-"]), inner),
    ),
    max_leaves=12,
)


def render(tree, parent_level: int = -1, right_side: bool = False) -> str:
    """Source text with only the parentheses precedence and left-to-right
    association need (what a person would write)."""
    if not isinstance(tree, tuple):
        return str(tree)
    if len(tree) == 2:
        op, operand = tree
        text = op + " " + render(operand, PREFIX_LEVEL)
        level = PREFIX_LEVEL
    else:
        op, left, right = tree
        level = LEVEL_OF[op]
        text = f"{render(left, level)} {op} {render(right, level, right_side=True)}"
    needs_parens = level < parent_level or (level == parent_level and right_side)
    return f"({text})" if needs_parens else text


@settings(max_examples=200, deadline=None)
@given(trees)
def test_minimal_parentheses_parse_back_to_the_same_tree(tree):
    assert sexp(expr("x = " + render(tree)).value) == tree


def test_extra_type_names_make_constructors():
    assert sexp(expr('Gadget("x")')) == ("call", "Gadget", "x")
    program = parse_program('Gadget g = Gadget("x");', "t.crm", type_names=["Gadget"])
    assert sexp(program.body[0].init) == ("new", "Gadget", "x")
