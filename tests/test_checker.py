"""The static checker on real scripts: every diagnostic with a script that
triggers it and a near-identical valid script that does not.

The scripts are parsed with engine.parser and checked against a small
signature table built here, so these tests do not depend on how far the
runtime families are.
"""

from __future__ import annotations

import pytest
from conftest import check_errors, run

import engine
from engine import nodes
from engine.checker import check_program
from engine.errors import CRMScriptCheckError, CRMScriptDiagnostics
from engine.runtime.table import Library, Signature, builtin
from engine.types import Type

parser = pytest.importorskip("engine.parser")


def make_library() -> Library:
    lib = Library()
    for decl in [
        "Void print(String text)",
        "Void printLine(String text)",
        "Integer max(Integer a, Integer b)",
        "Float max(Float a, Float b)",
        "String String(Integer value)",
        "Integer Integer(String text)",
        "Integer String.getLength()",
        "String String.subString(Integer start, Integer length)",
        "Integer String.toInteger()",
        "Integer String.find(String text)",
        "Integer String.find(String text, Integer start)",
        "String[] String.split(String separator)",
        "String Integer.toString()",
        "String Float.toString(Integer decimals)",
        "Integer Float.toInteger()",
        "Integer Array.length()",
        "Void Array.pushBack(T value)",
        "T Array.popBack()",
        "Map Map(String text)",
        "Void Map.insert(String key, String value)",
        "String Map.get(String key)",
        "Void DateTime.addDay(Integer days)",
        "DateTime getCurrentDateTime()",
        "Generic getGenericValue(String name)",
    ]:
        builtin(decl, library=lib)(lambda *args: None)
    lib.register_class("Map")
    return lib


LIBRARY = make_library()


def check(source: str) -> nodes.Program:
    program = parser.parse_program(source, "t.crm")
    check_program(program, LIBRARY)
    return program


def errors_of(source: str) -> list[CRMScriptCheckError]:
    with pytest.raises(CRMScriptDiagnostics) as info:
        check(source)
    return info.value.errors


def single_error(source: str) -> CRMScriptCheckError:
    errors = errors_of(source)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# (bad script, message, line, column, near-identical good script)
CASES = [
    # names and scopes
    ("Integer n = 1;\nn = m;", "unknown variable 'm'", 2, 5,
     "Integer n = 1;\nInteger m;\nn = m;"),
    ("Integer n = later;\nInteger later = 2;", "'later' is used before its declaration", 1, 13,
     "Integer later = 2;\nInteger n = later;"),
    ("Void f() {\n  n = 1;\n  Integer n;\n}", "'n' is used before its declaration", 2, 3,
     "Void f() {\n  Integer n;\n  n = 1;\n}"),
    ("Integer a;\nString a;", "'a' is already declared in this scope", 2, 1,
     "Integer a;\nString b;"),
    ("Void f(Integer a) {\n  Integer a = 2;\n}", "'a' is already declared in an enclosing block", 2, 3,
     "Void f(Integer a) {\n  Integer b = 2;\n}"),
    ("Integer i;\nwhile (true) {\n  Integer i = 1;\n  break;\n}",
     "'i' is already declared in an enclosing block", 3, 3,
     "Integer i;\nwhile (true) {\n  Integer j = 1;\n  break;\n}"),
    ("String s = \"abc\".subStirng(1, 1);", "String has no method 'subStirng' (did you mean 'subString'?)", 1, 12,
     "String s = \"abc\".subString(1, 1);"),
    ("Integer count;\nCount = 1;", "unknown variable 'Count' (did you mean 'count'?)", 2, 1,
     "Integer count;\ncount = 1;"),
    ("printline(\"x\");", "unknown function 'printline' (did you mean 'printLine'?)", 1, 1,
     "printLine(\"x\");"),
    ("struct P { Integer total; };\nP p;\np.totl = 1;", "the struct 'P' has no field 'totl' (did you mean 'total'?)", 3, 1,
     "struct P { Integer total; };\nP p;\np.total = 1;"),
    ("if (true) { Integer x = 1; }\nx = 2;", "unknown variable 'x'", 2, 1,
     "Integer x;\nif (true) { x = 1; }\nx = 2;"),
    ("nothere();", "unknown function 'nothere'", 1, 1,
     "Void nothere() {}\nnothere();"),
    ("f();\nVoid f() {}", "the function 'f' is used before its declaration", 1, 1,
     "Void f() {}\nf();"),
    ("Shape s;", "unknown type 'Shape'", 1, 1,
     "struct Shape { Integer sides; };\nShape s;"),
    ("Shape s;\nstruct Shape { Integer sides; };", "the struct 'Shape' is used before its declaration", 1, 1,
     "struct Shape { Integer sides; };\nShape s;"),
    # types and assignment
    ("Integer n = \"5\";", "a String cannot be assigned to the Integer variable 'n'", 1, 13,
     "Integer n = Integer(\"5\");"),
    ("Integer n;\nn = 2.5;", "a Float cannot be assigned to the Integer variable 'n' (use toInteger() to convert the Float)", 2, 5,
     "Float n;\nn = 2.5;"),
    ("String s = 4;", "an Integer cannot be assigned to the String variable 's' (use toString() to convert the Integer)", 1, 12,
     "String s = String(4);"),
    ("Integer[] a;\nString[] b = a;", "an Integer[] cannot be assigned to the String[] variable 'b'", 2, 14,
     "Integer[] a;\nInteger[] b = a;"),
    ("Integer[] a;\nInteger b = a;", "an Integer[] cannot be assigned to the Integer variable 'b'", 2, 13,
     "Integer[] a;\nInteger b = a[0];"),
    ("Integer n = 2147483648;", "the number 2147483648 does not fit in an Integer (-2147483648 to 2147483647)", 1, 13,
     "Integer n = 2147483647;"),
    ("Byte b = 256;", "the number 256 does not fit in a Byte (0 to 255)", 1, 10,
     "Byte b = 255;"),
    ("Byte b;\nb = -1;", "the number -1 does not fit in a Byte (0 to 255)", 2, 5,
     "Byte b;\nb = 0;"),
    ("Integer n = printLine(\"x\");", "a Void call (it gives no value) cannot be assigned to the Integer variable 'n'", 1, 13,
     "printLine(\"x\");"),
    ("String s = \"a\" + printLine(\"x\");", "a Void call (it gives no value) cannot be used with '+'", 1, 12,
     "String s = \"a\" + \"x\";"),
    ("Void v;", "'Void' is not a type for values; only a function can be Void", 1, 1,
     "Void v() {}"),
    # operators
    ("String s = \"n=\" + 5;", "cannot add an Integer to a String: use toString() to convert the Integer", 1, 12,
     "String s = \"n=\" + String(5);"),
    ("Bool b = 1 && true;", "'&&' needs Bool values, not an Integer", 1, 10,
     "Bool b = 1 == 1 && true;"),
    ("Bool b = !3;", "'!' needs a Bool, not an Integer", 1, 10,
     "Bool b = !false;"),
    ("Bool b = \"a\" == 1;", "cannot compare a String with an Integer using '=='", 1, 10,
     "Bool b = \"a\" == \"1\";"),
    ("Bool b = true < false;", "cannot compare a Bool with a Bool using '<'", 1, 10,
     "Bool b = 1 < 2.5;"),
    ("String s;\ns++;", "'++' needs a number variable, not a String", 2, 1,
     "Float s;\ns++;"),
    ("Bool b;\nb += 1;", "'+=' needs a number variable, not a Bool", 2, 1,
     "String b;\nb += \"1\";"),
    ("String s;\ns += 1;", "an Integer cannot be appended to a String (use toString() to convert the Integer)", 2, 6,
     "String s;\ns += \"1\";"),
    ("Integer n;\nn += 0.5;", "a Float cannot be used with '+=' on an Integer (use toInteger() to convert the Float)", 2, 6,
     "Float n;\nn += 0.5;"),
    ("Integer n = 2 - \"1\";", "'-' cannot be used on an Integer and a String", 1, 13,
     "Integer n = 2 - 1;"),
    ("Integer n = -\"1\";", "'-' needs a number, not a String", 1, 13,
     "Integer n = -1;"),
    ("Integer[\"3\"] a;", "an array size must be an Integer, not a String", 1, 9,
     "Integer[3] a;"),
    ("Float f = 5.0 % 2;", "'%' needs Integer values, not Float", 1, 11,
     "Integer f = 5 % 2;"),
    # conditions
    ("Integer n = 1;\nif (n) printLine(\"x\");", "the condition of 'if' must be a Bool, not Integer", 2, 5,
     "Integer n = 1;\nif (n > 0) printLine(\"x\");"),
    ("String s;\nwhile (s) { }", "the condition of 'while' must be a Bool, not String", 2, 8,
     "String s;\nwhile (s != \"\") { }"),
    ("for (Integer i = 0; i; i++) { }", "the condition of 'for' must be a Bool, not Integer", 1, 21,
     "for (Integer i = 0; i < 3; i++) { }"),
    # calls
    ("String s = \"abc\".subString(1);", "'subString' takes 2 arguments, 1 given", 1, 12,
     "String s = \"abc\".subString(1, 1);"),
    ("Integer countItems(Integer n) { return n; }\ncountItems(1, 2);", "'countItems' takes 1 argument, 2 given", 2, 1,
     "Integer countItems(Integer n) { return n; }\ncountItems(1);"),
    ("Integer n = \"abc\".find();", "'find' takes 1 or 2 arguments, 0 given", 1, 13,
     "Integer n = \"abc\".find(\"b\", 1);"),
    ("struct P { Integer x; Void grow() { this.x++; } Void twice() { grow(); } };",
     "call the method 'grow' through 'this': this.grow(...)", 1, 64,
     "struct P { Integer x; Void grow() { this.x++; } Void twice() { this.grow(); } };"),
    ("Integer n = \"abc\".lenght();", "String has no method 'lenght'", 1, 13,
     "Integer n = \"abc\".getLength();"),
    ("printLine(3);", "an Integer cannot be argument 1 of 'printLine', which needs a String (use toString() to convert the Integer)", 1, 11,
     "printLine(\"3\");"),
    ("Integer m = max(\"a\", 2);", "no variant of 'max' takes (String, Integer); it takes (Integer, Integer); (Float, Float)", 1, 13,
     "Integer m = max(1, 2);"),
    ("Integer[] a;\na.pushBack(\"x\");", "a String cannot be argument 1 of 'pushBack', which needs an Integer", 2, 12,
     "Integer[] a;\na.pushBack(7);"),
    ("Integer[] a;\na.sortMe();", "an array has no method 'sortMe'", 2, 1,
     "Integer[] a;\na.length();"),
    ("Map m = Map(1);", "an Integer cannot be argument 1 of the constructor 'Map', which needs a String (use toString() to convert the Integer)", 1, 13,
     "Map m = Map(\"a=1\");"),
    ("HtmlElement h = HtmlElement(1);", "HtmlElement cannot be constructed with HtmlElement(...); "
     "declare a variable instead", 1, 17, "HtmlElement h;"),
    ("Map m;\nString v = m[1];", "an Integer cannot be a Map key (use toString() to convert the Integer)", 2, 14,
     "Map m;\nString v = m[\"1\"];"),
    ("Map m;\nInteger v = m[\"a\"];", "a String cannot be assigned to the Integer variable 'v'", 2, 13,
     "Map m;\nm[\"a\"] = \"b\";\nString v = m[\"a\"];"),
    ("Integer n;\nInteger v = n[0];", "only arrays can be indexed with [], not an Integer", 2, 13,
     "Integer[] n;\nInteger v = n[0];"),
    ("Integer[] n;\nInteger v = n[\"0\"];", "an array index must be an Integer, not a String", 2, 15,
     "Integer[] n;\nInteger v = n[0];"),
    # structs
    ("struct P { Integer x; };\nP p;\np.y = 1;", "the struct 'P' has no field 'y'", 3, 1,
     "struct P { Integer x; };\nP p;\np.x = 1;"),
    ("struct P { Integer x; };\nP p;\np.x = \"1\";", "a String cannot be assigned to the Integer field 'x'", 3, 7,
     "struct P { Integer x; };\nP p;\np.x = 1;"),
    ("struct P { Integer x; };\nP p;\np.grow();", "P has no method 'grow'", 3, 1,
     "struct P { Integer x; Void grow() { this.x++; } };\nP p;\np.grow();"),
    ("Integer n = this.x;", "'this' can only be used inside a struct method", 1, 13,
     "struct P { Integer x; Integer get() { return this.x; } };"),
    ("struct Node { Integer v; Node next; };", "a struct cannot contain itself: the field 'next' of 'Node' is a Node", 1, 26,
     "struct Node { Integer v; Integer next; };"),
    ("struct P { Integer x; };\nP p = P(1);", "the struct 'P' is constructed without arguments: P()", 2, 7,
     "struct P { Integer x; };\nP p = P();"),
    ("String s;\ns.x = 1;", "a String has no field 'x'", 2, 1,
     "struct S { Integer x; };\nS s;\ns.x = 1;"),
    ("struct Inbox { Integer a; };", "'Inbox' is a reserved word and cannot be used as a struct name", 1, 1,
     "struct Box { Integer a; };"),
    ("struct P { Integer a; String a; };", "the field 'a' is already declared in 'P'", 1, 23,
     "struct P { Integer a; String b; };"),
    ("struct P { Integer a; };\nstruct P { Integer b; };", "the type 'P' is already declared", 2, 1,
     "struct P { Integer a; };\nstruct Q { Integer b; };"),
    ("struct P { Void m() {} Void m() {} };", "the method 'Void m()' is already declared in 'P' (line 1)", 1, 24,
     "struct P { Void m() {} Void m(Integer n) {} };"),
    # loops
    ("break;", "'break' can only be used inside a loop", 1, 1,
     "while (true) { break; }"),
    ("if (true) { continue; }", "'continue' can only be used inside a loop", 1, 13,
     "for (;;) { if (true) { break; } continue; }"),
    ("Integer[] a;\nforeach (String s in a) { }", "the foreach variable 's' must be an Integer to go through an Integer[]", 2, 10,
     "Integer[] a;\nforeach (Integer s in a) { }"),
    ("String a;\nforeach (String s in a) { }", "foreach needs an array to go through, not a String", 2, 22,
     "String[] a;\nforeach (String s in a) { }"),
    # returns
    ("Void f() { return 1; }", "'f' is Void and cannot return a value", 1, 19,
     "Void f() { return; }"),
    ("Integer f() { return; }", "'f' must return an Integer", 1, 15,
     "Integer f() { return 0; }"),
    ("String f() { return 1; }", "an Integer cannot be assigned to the String result of 'f' (use toString() to convert the Integer)", 1, 21,
     "String f() { return \"1\"; }"),
    ("return 1;", "the script itself cannot return a value; use 'return;'", 1, 1,
     "return;"),
    # try / throw
    ("try { } catch { }\nprintLine(error);", "unknown variable 'error'", 2, 11,
     "try { } catch { printLine(error + errorLocation); }"),
    ("throw 5;", "an Integer cannot be thrown; throw a String (use toString() to convert the Integer)", 1, 7,
     "throw \"5\";"),
    # overloads
    ("Void f(Integer a) {}\nVoid f(Integer b) {}", "the function 'Void f(Integer b)' is already declared (line 1)", 2, 1,
     "Void f(Integer a) {}\nVoid f(String b) {}"),
]


@pytest.mark.parametrize("bad, message, line, column, good", CASES,
                         ids=[case[1][:60] for case in CASES])
def test_diagnostic_and_its_valid_twin(bad, message, line, column, good):
    error = single_error(bad)
    assert (error.message, error.line, error.column) == (message, line, column)
    assert error.file == "t.crm"
    check(good)  # the near-identical script is fine


# A typed function that can fall off its end: a warning (the product runs it,
# and the public library has such functions), never an error.
FALLS_OFF_ITS_END = [
    ("Integer f(Integer n) { if (n > 0) return 1; }", "Integer f(Integer n)",
     "Integer f(Integer n) { if (n > 0) return 1; else return 0; }"),
    ("Integer f() { while (true) { break; } }", "Integer f()",
     "Integer f() { while (true) { return 1; } }"),
    ("Integer f() { for (;;) { break; } }", "Integer f()",
     "Integer f() { for (;;) { } }"),
    ("Integer f() { while (true) { if (f() > 1) break; } }", "Integer f()",
     "Integer f() { while (true) { for (;;) { break; } } }"),
    ("Integer f() { try { return 1; } catch { printLine(error); } }", "Integer f()",
     "Integer f() { try { return 1; } catch { throw error; } }"),
    ("Integer f(Bool b) { if (b) { return 1; } }", "Integer f(Bool b)",
     "Integer f(Bool b) { if (b) { return 1; } else { while (true) { } } }"),
]


@pytest.mark.parametrize("bad, signature, good", FALLS_OFF_ITS_END, ids=[case[0][:50] for case in FALLS_OFF_ITS_END])
def test_falling_off_the_end_is_a_warning_and_its_valid_twin(bad, signature, good):
    [warning] = check_program(parser.parse_program(bad, "t.crm"), LIBRARY)
    assert (warning.kind, warning.line, warning.column) == ("warning", 1, 1)
    assert warning.message == (f"missing return at the end of '{signature}': "
                               "falling off the end returns the default Integer value")
    assert check_program(parser.parse_program(good, "t.crm"), LIBRARY) == []


def test_warnings_reach_the_caller_also_when_there_are_errors():
    found: list = []
    program = parser.parse_program("String s() { }\nInteger x = \"1\";", "t.crm")
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(program, LIBRARY, warnings=found)
    assert [e.line for e in info.value.errors] == [2]
    assert [(w.line, w.kind) for w in found] == [(1, "warning")]


def test_every_error_is_reported_once_in_source_order():
    errors = errors_of(
        "Integer a = \"x\";\n"
        "Void f() {\n"
        "  printLine(missing);\n"
        "  printLine(missing);\n"
        "  break;\n"
        "}\n"
        "String s = 1 + \"x\";\n"
    )
    assert [(e.line, e.message) for e in errors] == [
        (1, "a String cannot be assigned to the Integer variable 'a'"),
        (3, "unknown variable 'missing'"),
        (5, "'break' can only be used inside a loop"),
        (7, "cannot add an Integer to a String: use toString() to convert the Integer"),
    ]


def test_valid_program_with_everything():
    check("""
#setLanguageLevel 3;
struct Car {
  String brand;
  Integer year = 2000;
  Car brand(String b) { this.brand = b; return this; }
  String describe() { return this.brand + " " + this.year.toString(); }
  Void older(Integer years) { this.year -= years; }
  Void older(Float years) { this.older(years.toInteger()); }
};
Integer total = 0;
Integer add(Integer a, Integer b) { return a + b; }
Float add(Float a, Float b) { return a + b; }
Integer sign(Integer n) {
  if (n > 0) return 1;
  else if (n < 0) return -1;
  else { throw "zero"; }
}
Integer forever() { while (true) { total++; } }
Car c;
c.brand("Volvo").older(2.5);
String[] parts = "a,b".split(",");
foreach (String p in parts) { if (p == "b") continue; printLine(p); }
for (Integer i = 0; i < parts.length(); i++) { total += i; }
for (Integer i = 0; i < 2; i++) { total = add(total, i); }
Float f = add(1.5, 2);
Integer[][] grid;
Integer[] row;
row.pushBack(3);
grid.pushBack(row);
Integer cell = grid[0][0] * 2 - 1;
Byte b = 7;
Integer fromByte = b + 1;
Float widened = fromByte;
Generic g = parts;
String back = getGenericValue("total");
DateTime now = getCurrentDateTime();
now.addDay(1);
Map m = Map("a=1");
m.insert("b", "2");
try { throw "x"; } catch { printLine(error); }
Integer smallest = -2147483648;
Bool ok = !(total >= 3) && (f != 2.0 || "a" < "b");
""")


def test_annotations_for_the_compiler():
    program = check("""
struct P { Integer x; Integer twice() { return this.x * 2; } };
Integer g = 1;
Integer inc(Integer n) { Integer r = n + g; return r; }
P p;
p.x = inc(2);
Integer[] a;
a.pushBack(p.twice());
Integer last = a.popBack();
foreach (Integer v in a) { g += v; }
try { } catch { printLine(error); }
Float f = g;
""")
    struct, global_g, inc, decl_p, assign_x, decl_a, push, last, loop, trial, decl_f = program.body
    # symbols: one per declaration, uses point at them
    assert global_g.symbol.kind == "global" and global_g.symbol.type == Type("Integer")
    param = inc.params[0]
    assert param.symbol.kind == "param" and param.symbol.function is inc
    local_r, ret = inc.body.body
    assert local_r.symbol.kind == "local"
    assert local_r.init.left.symbol is param.symbol
    assert local_r.init.right.symbol is global_g.symbol
    assert ret.value.symbol is local_r.symbol
    # targets
    call = assign_x.expr.value
    assert call.target is inc and call.ctype == Type("Integer")
    assert assign_x.expr.target.target is struct.fields[0]
    method_call = push.expr.args[0]
    assert method_call.target is struct.methods[0]
    assert isinstance(push.expr.target, Signature) and push.expr.target.owner == "Array"
    assert last.init.ctype == Type("Integer")  # T of popBack is the element type
    assert loop.symbol.type == Type("Integer") and loop.body.body[0].expr.value.symbol is loop.symbol
    assert trial.error_symbol.kind == "catch" and trial.error_symbol.type == Type("String")
    assert trial.handler.body[0].expr.args[0].symbol is trial.error_symbol
    assert decl_f.init.ctype == Type("Integer")  # widened on assignment, typed as written
    assert decl_p.symbol.type == Type("P")


def test_every_expression_gets_a_type():
    program = check("Integer a = 1 + 2 * 3;\nString s = \"x\" + a.toString();\nBool b = a > 2 && !false;")
    seen = []

    def walk(value):
        if isinstance(value, nodes.Expr):
            seen.append(value)
        if isinstance(value, nodes.Node):
            for name in value.__dataclass_fields__:
                if name not in ("symbol", "target", "ctype"):
                    walk(getattr(value, name))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(program)
    assert len(seen) >= 14
    assert all(isinstance(e.ctype, Type) for e in seen), [e for e in seen if e.ctype is None]


def test_constructing_without_arguments_gives_the_default_value():
    program = check("DateTime d = DateTime();\nMap m = Map();\nInteger n = Integer();\nn = Integer(\"4\");")
    assert [stmt.init.target for stmt in program.body[:3]] == [None, None, None]
    assert [stmt.init.ctype for stmt in program.body[:3]] == [Type("DateTime"), Type("Map"), Type("Integer")]
    assert program.body[3].expr.value.target.name == "Integer"  # the table's constructor


def test_void_function_may_return_a_void_call():
    check("Void log(String s) { printLine(s); }\nVoid shout(String s) { return log(s + \"!\"); }")


def test_script_may_return_a_void_call():
    check("Void done(String s) { printLine(s); }\nif (true) return done(\"early\");\nreturn done(\"late\");")


def test_struct_methods_overload_the_built_in_struct_members():
    lib = LIBRARY.copy()
    builtin("Void Struct.toJson(JSONBuilder builder)", library=lib)(lambda self, b: None)
    builtin("String JSONBuilder.getString()", library=lib)(lambda self: "")
    program = parser.parse_program(
        "struct R {\n  Integer id;\n"
        "  String toJson() { JSONBuilder jb; this.toJson(jb); return jb.getString(); }\n};\n"
        "R r;\nString text = r.toJson();", "t.crm")
    check_program(program, lib)
    struct = program.body[0]
    inner_call = struct.methods[0].body.body[1].expr
    assert isinstance(inner_call.target, Signature) and inner_call.target.owner == "Struct"
    assert program.body[2].init.target is struct.methods[0]


def test_overload_prefers_exact_match():
    program = check("Void f(Float x) {}\nVoid f(Integer x) {}\nf(1);\nf(1.5);")
    first, second = program.body[0], program.body[1]
    assert program.body[2].expr.target is second
    assert program.body[3].expr.target is first


def test_script_function_overloads_library_function():
    program = check("Void printLine(Integer n) {}\nprintLine(3);\nprintLine(\"3\");\n"
                    "Void print(String s) {}\nprint(\"x\");")
    assert program.body[1].expr.target is program.body[0]
    assert isinstance(program.body[2].expr.target, Signature)  # the library's printLine(String)
    assert program.body[4].expr.target is program.body[3]  # same parameters: the script's wins


def test_shadowing_a_global_inside_a_function_is_allowed():
    program = check("Integer n = 1;\nVoid f() { String n = \"x\"; printLine(n); }")
    inner = program.body[1].body.body[0]
    assert inner.symbol is not program.body[0].symbol
    assert program.body[1].body.body[1].expr.args[0].symbol is inner.symbol


def test_sibling_blocks_may_reuse_a_name():
    check("for (Integer i = 0; i < 2; i++) { }\nfor (Integer i = 0; i < 2; i++) { }")


def test_included_program_is_checked_in_place():
    included = parser.parse_program("Integer helper(Integer n) { return n + 1; }\nInteger shared = 2;",
                                    "lib-helper.crm")
    main = parser.parse_program('#include "lib-helper";\nInteger x = helper(shared);', "main.crm")
    include = main.body[0]
    assert isinstance(include, nodes.Include)
    include.program = included
    check_program(main, LIBRARY)
    assert main.body[1].init.target is included.body[0]


def test_errors_in_an_include_keep_their_file():
    included = parser.parse_program("Integer broken = \"x\";", "lib-bad.crm")
    main = parser.parse_program('#include "lib-bad";\nInteger y = \"z\";', "main.crm")
    main.body[0].program = included
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(main, LIBRARY)
    assert [(e.file, e.line) for e in info.value.errors] == [("lib-bad.crm", 1), ("main.crm", 2)]


def test_unresolved_include_is_reported():
    main = parser.parse_program('#include "nowhere";', "main.crm")
    main.body[0].program = None
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(main, LIBRARY)
    assert info.value.errors[0].message == "cannot find the include 'nowhere'"


def test_classes_added_to_the_library_are_known():
    lib = LIBRARY.copy()
    builtin("Integer Widget.getId()", library=lib)(lambda self: 1)
    program = parser.parse_program("Widget t;\nInteger id = t.getId();", "t.crm", type_names=["Widget"])
    check_program(program, lib)
    with pytest.raises(CRMScriptDiagnostics):
        check_program(parser.parse_program("Widget t;", "t.crm", type_names=["Widget"]), LIBRARY)


# The parser already rejects these; the checker still guards hand-built trees.


def test_assignment_to_a_non_variable_on_a_hand_built_tree():
    literal = nodes.IntLit(5, line=1, column=1)
    program = nodes.Program([nodes.ExprStmt(nodes.Assign("=", literal, nodes.IntLit(3), line=1, column=1))])
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(program, LIBRARY)
    assert info.value.errors[0].message == "'=' needs a variable, a field or an array element on its left"


def test_reserved_word_as_variable_on_a_hand_built_tree():
    decl = nodes.VarDecl(nodes.TypeRef("Integer"), "while", None, line=2, column=3)
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(nodes.Program([decl]), LIBRARY)
    error = info.value.errors[0]
    assert (error.message, error.line, error.column) == (
        "'while' is a reserved word and cannot be used as a variable name", 2, 3)


def test_a_file_included_twice_is_checked_once():
    scripts = {"a": ("Integer one() { return 1; }\nInteger counter = 0;", "a.crm"),
               "b": ('#include "a";\nInteger two() { return one() + 1; }', "b.crm")}
    program = parser.parse_program('#include "a";\n#include "b";\nInteger n = two() + one() + counter;',
                                   "main.crm", includes=scripts.get)
    check_program(program, LIBRARY)
    first_a = program.body[0].program
    repeated_a = program.body[1].program.body[0].program
    assert first_a.body and repeated_a.body == []
    assert program.body[2].init.right.symbol is first_a.body[1].symbol


def test_an_unknown_return_type_is_reported_once():
    errors = errors_of("Shape make() { return 1; }\nShape other() { return; }")
    assert [e.message for e in errors] == ["unknown type 'Shape'", "unknown type 'Shape'"]


def test_a_variable_of_another_function_is_unknown_not_later():
    errors = errors_of("Void f() { printLine(s); }\nVoid g() { String s; }")
    assert [e.message for e in errors] == ["unknown variable 's'"]


def test_generic_operands_are_checked_at_run_time():
    program = check("Generic g = getGenericValue(\"x\");\nGeneric sum = g + 1;\nBool b = g && true;\n"
                    "Integer n = g;\nn = -g;\ng++;\nif (g == 3) { }")
    assert program.body[1].init.ctype == Type("Generic")


def test_an_include_cycle_is_reported_once():
    cyclic = nodes.Program([], file="a.crm")
    include = nodes.Include("a", cyclic, file="a.crm", line=1, column=1)
    cyclic.body.append(include)
    main = nodes.Program([nodes.Include("a", cyclic, file="main.crm", line=1, column=1)], file="main.crm")
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(main, LIBRARY)
    assert [(e.file, e.message) for e in info.value.errors] == [("a.crm", "the include 'a' includes itself")]


def test_declarations_from_an_include_inside_a_block_are_rejected():
    # The grammar has no #include inside a block; a hand-built tree still must not slip through.
    included = parser.parse_program("Integer one() { return 1; }\nstruct S { Integer a; };", "lib.crm")
    include = nodes.Include("lib", included, file="main.crm", line=2, column=3)
    block = nodes.If(nodes.BoolLit(True), nodes.Block([include]), file="main.crm", line=1, column=1)
    with pytest.raises(CRMScriptDiagnostics) as info:
        check_program(nodes.Program([block], file="main.crm"), LIBRARY)
    assert [(e.file, e.line, e.message) for e in info.value.errors] == [
        ("lib.crm", 1, "the function 'one' must be declared at the top level of the script"),
        ("lib.crm", 2, "the struct 'S' must be declared at the top level of the script"),
    ]


def test_a_struct_named_call_is_the_factory_function_once_one_is_declared():
    program = check("struct Box { Integer n; };\n"
                    "Box before = Box();\n"
                    "Box Box(Integer n) { Box b; b.n = n; return b; }\n"
                    "Box after = Box(4);\n")
    struct, before, factory, after = program.body
    assert before.init.target is struct
    assert after.init.target is factory and after.init.ctype == Type("Box")
    message = single_error("struct Box { Integer n; };\nBox Box(Integer n) { Box b; return b; }\n"
                           "Box b = Box(\"x\");").message
    assert "'Box'" in message and "String" in message


# --------------------------------------------- regressions found by review (was: tests/test_language_qa.py)


def test_bare_field_name_in_a_method_says_to_use_this():
    # A C++/Java author writes `total` for a field inside a method; CRMScript needs `this.total`.
    source = "struct Till {\n  Integer total;\n  Void add(Integer n) { total += n; }\n};"
    assert check_errors(source) == [(3, 25, "reach the field 'total' through 'this': this.total")]


def test_function_named_without_parentheses_says_to_call_it():
    source = "Integer seven() { return 7; }\nInteger n = seven;"
    assert check_errors(source) == [(2, 13, "'seven' is a function, not a variable: call it with seven(...)")]
    assert check_errors("String s = getCurrentDateTime;")[0][2] == \
        "'getCurrentDateTime' is a function, not a variable: call it with getCurrentDateTime(...)"


@pytest.mark.parametrize("source, line_col", [
    ("Byte[] raw;\nraw.pushBack(300);", (2, 14)),
    ("Void put(Byte b) { }\nput(-1);", (2, 5)),
])
def test_byte_literal_out_of_range_as_argument_is_a_checker_error(source, line_col):
    # `Byte b = 300;` was refused but `raw.pushBack(300)` silently stored 44.
    number = "300" if "300" in source else "-1"
    assert check_errors(source) == [(*line_col, f"the number {number} does not fit in a Byte (0 to 255)")]
    assert run("Byte[] raw; raw.pushBack(255); raw.pushBack(0); print(raw[0].toString() + raw[1].toString());") \
        == "2550"


@pytest.mark.parametrize("source, message", [
    # was "(use toInteger() to convert the Float)": Float has no toInteger()
    ("Integer whole = 2.75;", "a Float cannot be assigned to the Integer variable 'whole' "
                              "(use floor() or round() to convert the Float)"),
    ("Integer whole = 3; whole += 0.5;", "a Float cannot be used with '+=' on an Integer "
                                         "(use floor() or round() to convert the Float)"),
    # was "use toString()": Float.toString takes the number of decimals
    ("Float price = 9.5; String label = price;", "a Float cannot be assigned to the String variable 'label' "
                                                 "(use toString(decimals) to convert the Float)"),
    ('Float price = 9.5; String label = "cost " + price;',
     "cannot add a Float to a String: use toString(decimals) to convert the Float"),
])
def test_conversion_hints_name_members_that_exist(source, message):
    assert [m for _, _, m in check_errors(source)] == [message]
    hinted = message.split("use ")[1].split(" to convert")[0]
    for member in hinted.split(" or "):  # the hinted member really converts
        call = member.replace("decimals", "2")
        assert run("Float f = 2.75; Integer i = 4; print(" + ("f" if "Float" in message else "i") + "." + call
                   + (".toString()" if call in ("floor()", "round()") else "") + ");") != ""


def test_struct_named_like_a_reserved_type_is_reported_once():
    # was two errors at the same place: "reserved word" and "the type 'Float' is already declared"
    assert check_errors("struct Float { Integer whole; };") == [
        (1, 1, "'Float' is a reserved word and cannot be used as a struct name")]
    assert check_errors("struct Map { Integer n; };") == [(1, 1, "the type 'Map' is already declared")]


@pytest.mark.parametrize("source, line, column, message", [
    # syntax: were "expected ';' after the declaration of 'n', found the type name 'Integer'",
    # "expected an expression, found '{'" / "'['", "expected ';' at the end of the statement, found '{'"
    ("Integer n = new Integer(3);", 1, 13,
     "CRMScript has no 'new': a declaration makes the value (Integer x; or Integer x = Integer(...);)"),
    ("Integer[] primes = {2, 3, 5};", 1, 20,
     "CRMScript has no array literals: declare the array (Integer[] a;) and add the elements with pushBack"),
    ("Integer[] primes;\nprimes = [2, 3];", 2, 10,
     "CRMScript has no array literals: declare the array (Integer[] a;) and add the elements with pushBack"),
    ("Integer n = 1;\nif (n > 0) { } elseif (n < 0) { }", 2, 16, "write 'else if' (two words)"),
    # checker: were "unknown variable 'null'", "unknown type 'int'" / "'var'" without a hint,
    # "has no method 'length'" without a hint
    ("String name = null;", 1, 15,
     "CRMScript has no 'null': a variable declared without a value is empty, and isNull() tells whether it has a value"),
    ("int n = 3;", 1, 1, "unknown type 'int' (in CRMScript: Integer)"),
    ("Boolean done = true;", 1, 1, "unknown type 'Boolean' (in CRMScript: Bool)"),
    ("var n = 3;", 1, 1, "unknown type 'var': CRMScript declares a variable with its type, e.g. Integer count = 5;"),
    ('String word = "abc";\nInteger n = word.length();', 2, 13, "String has no method 'length' (in CRMScript: getLength())"),
    ('String[] words;\nwords.push("a");', 2, 1, "an array has no method 'push' (in CRMScript: pushBack())"),
    ('Map prices;\nprices.put("a", "1");', 2, 1, "Map has no method 'put' (in CRMScript: insert())"),
])
def test_other_languages_words_get_the_crmscript_spelling(source, line, column, message):
    assert check_errors(source) == [(line, column, message)]


def test_a_redeclaration_inside_an_include_names_the_file_of_the_first():
    # was "(line 1)", read in the include's file where line 1 is the redeclaration itself
    source = "Integer twice(Integer n) { return n + n; }\n#include \"doubling\";"
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script(source, "main.crm", includes={"doubling": "Integer twice(Integer n) { return 2 * n; }"})
    errors = getattr(caught.value, "errors", [caught.value])
    assert [(e.line, e.message) for e in errors] == [
        (1, "the function 'Integer twice(Integer n)' is already declared (main.crm, line 1)")]
    assert errors[0].file != "main.crm"


def test_field_initial_value_using_another_field_says_so():
    # was "unknown variable 'width'"
    source = "struct Frame {\n  Integer width = 4;\n  Integer area = width * 2;\n};"
    assert check_errors(source) == [(3, 18, "a field's initial value cannot use the field 'width': "
                                            "give it a constant or a global, or set it in a method")]
