"""The AST's traversal (nodes.children / nodes.walk) and the flow analyses over it."""

from __future__ import annotations

from engine import flow, nodes as N
from engine.checker import check_program
from engine.parser import parse_program


def checked(source: str, includes=None) -> N.Program:
    program = parse_program(source, "t.crm", includes=includes)
    check_program(program)
    return program


def test_annotations_are_never_children():
    program = checked("Integer f(Integer n) { return n; }\nInteger x = 1;\nx = f(x);")
    call = next(n for n in N.walk(program) if isinstance(n, N.Call))
    assert isinstance(call.target, N.FunctionDecl) and call.ctype is not None
    assert list(N.children(call)) == call.args  # not the FunctionDecl it resolves to
    assign = next(n for n in N.walk(program) if isinstance(n, N.Assign))
    assert list(N.children(assign)) == [assign.target, assign.value]  # Assign.target is a child


def test_walk_goes_in_source_order_and_deep_chains_are_fine():
    program = parse_program("Integer a = 1;\nif (a > 0) { a = 2; } else { a = 3; }\nprint(a.toString());", "t.crm")
    lines = [n.line for n in N.walk(program) if isinstance(n, N.Stmt) and not isinstance(n, N.Block)]
    assert lines == sorted(lines)
    deep = "Integer a = 0;\n" + "if (a == 0) { a = 1; } else " * 3000 + "{ a = 2; }"
    assert sum(isinstance(n, N.If) for n in N.walk(parse_program(deep, "deep.crm"))) == 3000


def test_walk_enters_included_programs_only_when_asked():
    includes = {"lib": "Integer fromLib = 1;"}
    program = checked('#include "lib";\nInteger mine = fromLib;', includes)
    names = lambda **kw: {n.name for n in N.walk(program, **kw) if isinstance(n, N.VarDecl)}  # noqa: E731
    assert names() == {"mine"}
    assert names(includes=True) == {"mine", "fromLib"}


def test_enter_stops_below_a_node_but_yields_it():
    program = parse_program("while (true) { while (true) { break; } }", "t.crm")
    outer = program.body[0]
    assert not flow.has_own_break(outer.body)  # the inner loop's break is its own
    seen = list(N.walk(outer.body, enter=lambda n: not isinstance(n, N.While)))
    assert any(isinstance(n, N.While) for n in seen) and not any(isinstance(n, N.Break) for n in seen)


def test_recursive_functions_are_found_through_the_call_graph():
    program = checked("Integer a(Integer n) { return n; }\n"
                      "Integer b(Integer n) { if (n > 0) { return b(n - 1); } return a(n); }\n")
    _a, b = program.body
    assert flow.recursive_functions(program.body) == {id(b)}


def test_every_node_class_has_its_annotation_fields_marked():
    import dataclasses

    annotated = {(cls.__name__, f.name) for cls in vars(N).values()
                 if isinstance(cls, type) and dataclasses.is_dataclass(cls)
                 for f in dataclasses.fields(cls) if "annotation" in f.metadata}
    assert {("Call", "target"), ("MethodCall", "target"), ("Construct", "target"), ("Member", "target"),
            ("Name", "symbol"), ("FunctionDecl", "struct"), ("Include", "program")} <= annotated
    assert ("Assign", "target") not in annotated and ("IncDec", "target") not in annotated
