"""The compiler end to end: every statement and expression form goes through
parse + check + compile + run and prints what C or Java would."""

from __future__ import annotations

import pytest
from conftest import run

import engine
from engine.runtime.context import RunContext

# ------------------------------------------------------------ statements


def test_declarations_get_their_defaults():
    out = run('Integer i; Float f; Bool b; String s; printLine(i.toString() + "|" + f.toString(1) + "|"'
              ' + b.toString() + "|" + s + "|");')
    assert out == "0|0.0|false||\n"


def test_declaration_with_initial_value_and_constructor_style():
    out = run('Integer i = Integer("41"); i = i + 1; String s = String("x"); printLine(s + i.toString());')
    assert out == "x42\n"


def test_if_else_if_else_chain():
    source = """
    String grade(Integer score) {
      if (score >= 90) return "A";
      else if (score >= 50) { return "B"; }
      else return "C";
    }
    print(grade(95) + grade(60) + grade(3));
    """
    assert run(source) == "ABC"


def test_while_with_break_and_continue():
    source = """
    Integer i = 0; String s;
    while (true) {
      i++;
      if (i % 2 == 0) continue;
      if (i > 9) break;
      s += i.toString();
    }
    print(s);
    """
    assert run(source) == "13579"


def test_for_loop_continue_still_runs_the_update():
    source = """
    String s;
    Integer i;
    for (i = 0; i < 6; i += 1) { if (i == 3) continue; s += i.toString(); }
    print(s + " " + i.toString());
    """
    assert run(source) == "01245 6"


def test_for_loop_without_init_cond_or_update():
    source = """
    Integer n = 0;
    for (;;) { n++; if (n == 4) break; }
    for (Integer k = 10; k > 7;) { k--; n += k; }
    print(n.toString());
    """
    assert run(source) == str(4 + 9 + 8 + 7)


def test_counted_loop_matches_a_general_loop():
    # the first loop is compiled to range(); the second (bound changed in the body) is not
    source = """
    String a; String b; Integer limit = 5;
    for (Integer i = 0; i < limit; i++) { a += i.toString(); }
    for (Integer j = 0; j < limit; j++) { b += j.toString(); if (j == 1) limit = 3; }
    for (Integer k = 2; k <= 4; k++) { a += k.toString(); }
    print(a + " " + b);
    """
    assert run(source) == "01234234 012"


def test_counted_loop_body_assigning_the_counter():
    source = "String s; for (Integer i = 0; i < 10; i++) { s += i.toString(); i += 2; } print(s);"
    assert run(source) == "0369"


def test_foreach_over_array():
    source = """
    String[] names; names.pushBack("a"); names.pushBack("b");
    String all;
    foreach (String n in names) { all += n; }
    print(all);
    """
    assert run(source) == "ab"


def test_nested_loops_break_only_the_inner_one():
    source = """
    String s;
    for (Integer i = 0; i < 3; i++) {
      for (Integer j = 0; j < 3; j++) { if (j == 1) break; s += i.toString() + j.toString() + ","; }
    }
    print(s);
    """
    assert run(source) == "00,10,20,"


def test_block_scopes_allow_the_same_name_twice():
    source = """
    Integer x = 1;
    { Integer y = 2; x += y; }
    { String y = "z"; print(y); }
    print(x.toString());
    """
    assert run(source) == "z3"


def test_functions_recursion_and_void():
    source = """
    Integer fact(Integer n) { if (n <= 1) return 1; return n * fact(n - 1); }
    Void say(String s) { print(s); }
    say(fact(10).toString());
    """
    assert run(source) == "3628800"


def test_global_variables_are_shared_with_functions():
    source = """
    Integer counter = 0;
    Void bump() { counter += 1; }
    bump(); bump();
    print(counter.toString());
    """
    assert run(source) == "2"


def test_return_at_top_level_ends_the_script():
    assert run('print("a"); return; print("b");') == "a"


def test_struct_fields_methods_and_this():
    source = """
    struct Point {
      Integer x = 1;
      Integer y;
      Integer sum() { return this.x + this.y; }
      Void move(Integer d) { this.x += d; this.y = this.y + d; }
    };
    Point p;
    p.y = 5;
    p.move(2);
    print(p.sum().toString());
    """
    assert run(source) == "10"


def test_struct_with_struct_and_array_fields():
    source = """
    struct Inner { String name; };
    struct Outer { Inner inner; Integer[] values; };
    Outer o;
    o.inner.name = "n";
    o.values.pushBack(3);
    print(o.inner.name + o.values[0].toString());
    """
    assert run(source) == "n3"


def test_empty_statements_and_language_level():
    assert run('#setLanguageLevel 3;\n;;print("ok");;') == "ok"


# ----------------------------------------------------------- expressions


@pytest.mark.parametrize("expression, expected", [
    ("7 / 2", "3"), ("-7 / 2", "-3"), ("7 % 3", "1"), ("-7 % 3", "-1"), ("7 % -3", "1"),
    ("2 + 3 * 4", "14"), ("(2 + 3) * 4", "20"), ("10 - 4 - 3", "3"), ("-(3)", "-3"), ("+5", "5"),
    ("2147483646 + 1", "2147483647"),
])
def test_integer_arithmetic(expression, expected):
    assert run(f"Integer r = {expression}; print(r.toString());") == expected


@pytest.mark.parametrize("expression, expected", [
    ("7.0 / 2", "3.50"), ("1.5 * 2", "3.00"), ("0.1 + 0.2", "0.30"), ("-2.5", "-2.50"), ("5 + 0.5", "5.50"),
])
def test_float_arithmetic(expression, expected):
    assert run(f"Float r = {expression}; print(r.toString(2));") == expected


def test_integer_widens_to_float_on_assignment_argument_and_return():
    source = """
    Float half(Float f) { return f / 2; }
    Float whole() { return 3; }
    Float x = 7;
    print(x.toString(1) + " " + half(5).toString(1) + " " + whole().toString(1));
    """
    assert run(source) == "7.0 2.5 3.0"


@pytest.mark.parametrize("expression, expected", [
    ("1 < 2", "true"), ("2 <= 2", "true"), ("3 > 4", "false"), ("4 >= 5", "false"),
    ("1 == 1", "true"), ("1 != 1", "false"), ('"a" == "a"', "true"), ('"a" < "b"', "true"),
    ("true && false", "false"), ("true || false", "true"), ("!true", "false"),
    ("1 < 2 && 2 < 3 || false", "true"), ("1.5 > 1", "true"),
])
def test_comparisons_and_logic(expression, expected):
    assert run(f"Bool b = {expression}; print(b.toString());") == expected


def test_logic_short_circuits():
    source = """
    Integer calls = 0;
    Bool touch() { calls++; return true; }
    Bool a = false && touch();
    Bool b = true || touch();
    print(calls.toString());
    """
    assert run(source) == "0"


def test_increment_and_decrement_prefix_and_postfix():
    source = """
    Integer i = 5;
    Integer a = i++;
    Integer b = ++i;
    Integer c = i--;
    Integer d = --i;
    print(a.toString() + b.toString() + c.toString() + d.toString() + i.toString());
    """
    assert run(source) == "57755"


def test_increment_of_array_element_and_struct_field():
    source = """
    struct C { Integer n; };
    C c; Integer[2] a;
    c.n++; ++c.n; a[1]++;
    Integer old = a[1]++;
    print(c.n.toString() + a[1].toString() + old.toString());
    """
    assert run(source) == "221"


def test_compound_assignments():
    source = """
    Integer i = 10; i += 5; i -= 3; i *= 2; i /= 5;
    Float f = 1; f += 0.5; f *= 4; f /= 3; f -= 1;
    String s = "a"; s += "b";
    print(i.toString() + " " + f.toString(1) + " " + s);
    """
    assert run(source) == "4 1.0 ab"


def test_compound_assignment_on_array_element_and_field_evaluates_once():
    source = """
    Integer calls = 0;
    Integer at() { calls++; return 1; }
    Integer[3] a;
    a[at()] += 4;
    a[at()] *= 3;
    print(a[1].toString() + " " + calls.toString());
    """
    assert run(source) == "12 2"


def test_assignment_is_an_expression():
    source = "Integer a; Integer b; a = b = 3; Integer c = (a = 4) + b; print(a.toString() + b.toString() + c.toString());"
    assert run(source) == "437"


def test_string_concatenation_and_methods():
    source = 'String s = "Hello"; s = s + ", " + "world"; print(s + " " + s.getLength().toString());'
    assert run(source) == "Hello, world 12"


def test_array_declarations_with_sizes():
    source = """
    Integer[3] a; String[2][3] m;
    m[1][2] = "x";
    print(a.length().toString() + m.length().toString() + m[1].length().toString() + m[1][2] + a[2].toString());
    """
    assert run(source) == "323x0"


def test_map_index_reads_and_writes():
    source = 'Map m; m["a"] = "1"; m["a"] += "2"; print(m["a"] + m.get("a") + m["missing"]);'
    assert run(source) == "1212"


def test_method_call_on_call_result_and_chained_members():
    assert run('print("abc".getLength().toString());') == "3"


# ------------------------------------------------------------- the API


def test_script_is_reusable_and_runs_share_nothing():
    script = engine.compile_script("Integer n; n++; print(n.toString());", "t.crm")
    assert [script.run().output for _ in range(3)] == ["1", "1", "1"]


def test_compile_script_is_cached_by_source():
    a = engine.compile_script('print("same");', "same.crm")
    b = engine.compile_script('print("same");', "same.crm")
    c = engine.compile_script('print("other");', "same.crm")
    assert a is b and a is not c


def test_run_with_event_and_context():
    script = engine.compile_script(
        'EventData ed = getEventData(); ed.setOutputValue("out", ed.getInputValue("in") + "!");'
        ' printLine(ed.getInputValue("missing") + "done");', "h.crm")
    context = RunContext()
    result = script.run(engine.EventData(Type="X", InputValues={"in": "v"}), context=context)
    assert result.event.OutputValues == {"out": "v!"}
    assert result.output == "done\n"
    assert result.context is context and context.event is result.event


def test_compile_errors_are_crmscript_errors_with_a_position():
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script("Integer x = 1;\nx = y;", "bad.crm")
    assert (caught.value.line, caught.value.file) == (2, "bad.crm")
    assert caught.value.column > 0


def test_generated_code_carries_crmscript_lines():
    script = engine.compile_script('Integer a = 1;\n\n\nprint(a.toString());', "lines.crm")
    code = script._compiled.code_objects
    lines = {line for c in code for _, _, line in c.co_lines() if line}
    assert {1, 4} <= lines


# ------------------------------------------------------------ intrinsics


@pytest.mark.parametrize("impl_owner, check", [
    ("integer_to_string", lambda impl, emitted: [impl(v) == emitted(v) for v in (0, -5, 2147483647)]),
    ("string_get_length", lambda impl, emitted: [impl(v) == emitted(v) for v in ("", "abc", "\u00e6\u00f8")]),
    ("string_to_integer", lambda impl, emitted: [impl(v) == emitted(v) for v in ("12", " -3x", "x", "")]),
])
def test_intrinsics_do_what_the_library_does(impl_owner, check):
    import ast

    from engine.runtime.intrinsics import INTRINSICS
    from engine.runtime.namespace import fresh_namespace

    impl = next(fn for fn in INTRINSICS if fn.__name__ == impl_owner)
    template = INTRINSICS[impl]
    node = ast.Expression(template(ast.Name("value", ast.Load())))
    ast.fix_missing_locations(node)
    code = compile(node, "<intrinsic>", "eval")
    namespace = fresh_namespace({}, str)
    assert all(check(impl, lambda v: eval(code, {**namespace, "value": v})))


def test_map_intrinsics_match_the_library():
    source = """
    Map m;
    m.insert("b", "2");
    m.insert("a", "1");
    printLine(m.get("a") + m.get("b") + "[" + m.get("missing") + "]");
    printLine(m.exists("a").toString() + m.exists("zz").toString());
    m.insert("a", "one");
    m.first();
    printLine(m.getKey() + "=" + m.getVal() + " " + m.size().toString());
    """
    result = engine.compile_script(source, "m.crm").run()
    assert result.output == "12[]\ntruefalse\na=one 2\n"


def test_eventdata_and_print_intrinsics_match_the_library():
    source = """
    EventData ed = getEventData();
    ed.setOutputValue("k", ed.getInputValue("a") + ed.getInputValue("nope"));
    print("x"); printLine("y");
    """
    result = engine.compile_script(source, "i.crm").run(engine.EventData(InputValues={"a": "1"}))
    assert result.event.OutputValues == {"k": "1"}
    assert result.output == "xy\n"


def test_integer_stored_into_a_byte_keeps_the_low_8_bits():
    assert run("Byte b = 250; b = b + 10; Integer big = 257; Byte c = big; print(b.toString() + \" \" + c.toString());") == "4 1"


def test_empty_function_and_method_bodies():
    source = "Void nothing() { }\nstruct S { Void idle() { } };\nS s; s.idle(); nothing(); print(\"ok\");"
    assert run(source) == "ok"


def test_a_factory_function_named_like_its_struct():
    source = """
    struct Counter { Integer start; Integer step = 2; };
    Counter early = Counter();             // no function yet: the struct itself
    Counter Counter() { Counter c; c.start = 10; return c; }
    Counter Counter(Integer from) { Counter c = Counter(); c.start = from; return c; }
    Counter late = Counter();              // the script's function
    printLine(early.start.toString() + " " + late.start.toString() + " " + Counter(7).start.toString()
              + " " + Counter(7).step.toString());
    """
    assert run(source) == "0 10 7 2\n"


def test_a_factory_named_like_a_struct_is_checked_like_a_function():
    with pytest.raises(engine.CRMScriptError, match=r"'Box' takes 1 argument, 2 given|no variant"):
        engine.compile_script("struct Box { Integer n; };\nBox Box(Integer n) { Box b; return b; }\n"
                              "Box b = Box(1, 2);", "t.crm")


def test_overloaded_functions_and_methods_each_run_their_own_body():
    source = """
    String show() { return "none"; }
    String show(Integer n) { return "int " + n.toString(); }
    String show(String s) { return "text " + s; }
    struct Shape { String area() { return "?"; } String area(Integer side) { return (side * side).toString(); } };
    Shape q;
    printLine(show() + ", " + show(2) + ", " + show("x") + ", " + q.area() + ", " + q.area(3));
    """
    assert run(source) == "none, int 2, text x, ?, 9\n"
    python = engine.compile_script(source, "t.crm").python_source
    # each overload keeps the code name the tracer reads (f_show) and is called through its own binding
    assert python.count("def f_show(") == 3 and "f2_show = f_show" in python and "f2_show(2," in python


def test_string_append_on_a_variable_grows_in_place_like_plus_equals():
    source = """
    String s; String other = "o"; Byte letter = 66;
    for (Integer i = 0; i < 3; i++) { s.append(i.toString()); }
    s.append(other); s.append(letter); other.append(other);
    printLine(s + " " + other + " " + s.isNull().toString());
    """
    assert run(source) == "012oB oo false\n"
    python = engine.compile_script('String s; s.append("ab");', "t.crm").python_source
    assert "v_s += 'ab'" in python  # no call: CPython can grow the string in place


def test_string_append_in_place_keeps_the_string_length_limit():
    from engine.runtime.context import Limits
    source = 'String s;\nwhile (true) {\n  s.append("0123456789");\n}'
    with pytest.raises(engine.CRMScriptLimitError, match="string length") as caught:
        engine.compile_script(source, "t.crm").run(context=RunContext(limits=Limits(string_length=5_000)))
    assert caught.value.line == 3


def test_get_type_uses_the_shipped_catalog_without_an_engine():
    # CONTRACT chain rule 4 holds for the plain Python API too.
    script = engine.compile_script("printLine(getEventData().getType().toString());", "t.crm")
    assert script.run(engine.EventData(Type="SalesBeforeSaveSale")).output == "1008\n"
    assert script.run(engine.EventData(Type="NoSuchTrigger")).output == "0\n"


# ------------------------------------------------------- the namespace contract


NAMESPACE_WORKOUT = """
struct Point { Integer x = 1; Float f; Date d; Integer[] list; Integer sum() { return this.x + 1; } };
Integer fib(Integer n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }
Generic g = 5; Integer viaGeneric = g; Float half = g / 2; Bool isBig = g > 3;
Integer[] a; a.pushBack(3); Integer first = a[0]; a[0] = first + 1; a[0] += 2;
Map m; m["k"] = "v"; m["k"] += "w"; String got = m.get("k"); Bool has = m.exists("k");
Point p = Point(); p.x = 4; p.x += 1; p.f = 1 / 3.0;
String s = "a"; s += "b"; s.append("c"); Integer n = s.getLength() + s.toInteger(); Byte b = n + 300;
Integer[2][3] grid; Float f = 7 % 3 + 7 / 2 + 7.5 / 2 + 1.0 * 2;
for (Integer i = 0; i < 3; i++) { if (i == 1) { continue; } }
while (false) { } foreach (Integer e in a) { n += e; }
try { throw "x"; } catch { printLine("caught: " + error + " at " + errorLocation); }
EventData ed = getEventData(); ed.setOutputValue("k", ed.getInputValue("k")); ed.setMessage("m");
print(fib(5).toString() + p.sum().toString());
"""


def test_every_name_the_generated_code_reads_is_in_the_namespace_contract():
    """The compiler emits only names that runtime/namespace.py gives a value:
    the exported helpers, the per-run slots, the script's own names, or what
    the compiled module defines itself."""
    import dis

    from engine.runtime import namespace as ns

    script = engine.compile_script(NAMESPACE_WORKOUT, "workout.crm")
    compiled = script._compiled
    slots = {ns.CTX, ns.TICK, ns.LIMITS, ns.MAX_STRING, ns.MAX_COLLECTION, ns.MAX_DEPTH, ns.ERROR_LOCATION}
    module_names = {ins.argval for ins in dis.get_instructions(compiled.code) if ins.opname == "STORE_NAME"}
    provided = set(ns.EXPORTED) | slots | set(compiled.namespace) | module_names
    read = {ins.argval for code in compiled.code_objects for ins in dis.get_instructions(code)
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    assert read - provided == set()
    assert {"_g_arith", "_map_set", "_attr_set", "_index_fail", "_overflow"} <= read  # the workout reaches them
    assert script.run().output == "caught: GeneralException: x at workout.crm:12\n56"


# --------------------------------------------- regressions found by review (was: tests/test_language_qa.py)


def test_a_long_else_if_chain_compiles():
    # a generated mapping of 600 branches stopped with "the script nests too
    # deeply" (Python's default recursion limit in the checker and compiler)
    branches = "\n".join(f'else if (code == {n}) {{ label = "n{n}"; }}' for n in range(1, 600))
    source = f'Integer code = 599;\nString label;\nif (code == 0) {{ label = "zero"; }}\n{branches}\nprint(label);'
    assert run(source) == "n599"
