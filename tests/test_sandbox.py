"""Sandbox escapes and limits: every attempt ends as a clean CRMScript error
(syntax, check or limit) - or runs harmlessly - and never as a Python
exception or a reach into Python."""

from __future__ import annotations

import pytest

import engine
from engine.runtime.context import Limits, RunContext


def attempt(source: str, limits: Limits | None = None) -> tuple[str, engine.CRMScriptError | None]:
    """(output, error) of compiling and running `source`; only CRMScript errors are allowed."""
    context = RunContext(limits=limits or Limits())
    try:
        engine.compile_script(source, "escape.crm").run(context=context)
    except engine.CRMScriptError as error:
        assert error.message and error.file == "escape.crm"
        return context.printed(), error
    return context.printed(), None


STATIC_ESCAPES = [
    'String s = "x"; print(s.__class__);',
    'print("x".__class__.__name__);',
    '__import__("os");',
    'open("/etc/passwd");',
    'eval("1+1");',
    'exec("import os");',
    'getattr("x", "upper");',
    'print("abc".__len__().toString());',
    'EventData ed = getEventData(); print(ed.event.Type);',
    'Map m; print(m._values);',
    'print(_ctx.printed());',
    '_tick();',
    'print(__builtins__);',
    'Integer f() { return 1; } print(f.__globals__);',
    'String s = "a"; print(s.format("{0.__class__}"));',
    '#include "/etc/passwd";',
    '#include "../../../etc/passwd";',
    'print(1);',
    'Integer x = "text";',
    'lambda: 0;',
    'import os;',
    'String s = "x"[0:1];',
]


@pytest.mark.parametrize("source", STATIC_ESCAPES)
def test_static_escape_attempts_are_rejected_before_running(source):
    output, error = attempt(source)
    assert isinstance(error, (engine.CRMScriptSyntaxError, engine.CRMScriptCheckError, engine.CRMScriptDiagnostics))
    assert output == ""


def test_python_names_as_identifiers_are_only_script_variables():
    source = """
    Integer __class__ = 1; Integer __builtins__ = 2; Integer __import__ = 3;
    Integer _ctx = 4; Integer _tick = 5; Integer v_x = 6; Integer x = 7; Integer _t0 = 8;
    Integer lambda = 9; Integer None = 10; Integer def = 11; Integer class = 12;
    print((__class__ + __builtins__ + __import__ + _ctx + _tick + v_x + x + _t0 + lambda + None + def + class).toString());
    """
    output, error = attempt(source)
    if error is not None:  # the grammar may refuse some Python keywords: then it is a clean syntax error
        assert isinstance(error, (engine.CRMScriptSyntaxError, engine.CRMScriptCheckError, engine.CRMScriptDiagnostics))
    else:
        assert output == str(sum(range(1, 13)))


def test_dunder_struct_fields_and_methods_stay_inside_the_struct():
    source = """
    struct Evil { Integer __class__; Integer __dict__; Integer __init__() { return 7; } };
    Evil e;
    e.__class__ = 1; e.__dict__ = 2;
    print((e.__class__ + e.__dict__ + e.__init__()).toString());
    """
    output, error = attempt(source)
    if error is not None:
        assert isinstance(error, (engine.CRMScriptSyntaxError, engine.CRMScriptCheckError, engine.CRMScriptDiagnostics))
    else:
        assert output == "10"


def test_function_named_like_python_builtins_is_a_script_function():
    output, error = attempt('String open(String p) { return "nope:" + p; } print(open("/etc/passwd"));')
    assert error is None and output == "nope:/etc/passwd"


def test_generated_code_has_no_builtins():
    script = engine.compile_script('print("x");', "b.crm")
    assert script._namespace["__builtins__"] == {}


# ---------------------------------------------------------------- limits


def limit_error(source: str, **limits) -> engine.CRMScriptLimitError:
    output, error = attempt(source, Limits(**limits))
    assert isinstance(error, engine.CRMScriptLimitError), (output, error)
    assert error.line >= 1 and error.column >= 1
    return error


def test_infinite_while_loop_hits_the_step_limit():
    error = limit_error("Integer n;\nwhile (true) {\n  n++;\n}", steps=10_000)
    assert error.message == ("step limit exceeded: the script ran more than 10,000 steps "
                             "(loop iterations and function calls, about 0.0 s); an endless loop?")
    assert (error.line, error.column) == (2, 1)  # the loop that ran out


def test_infinite_for_loop_and_empty_body():
    assert limit_error("for (;;) ;", steps=5_000).message.startswith(
        "step limit exceeded: the script ran more than 5,000 steps ")


def test_infinite_recursion_hits_the_recursion_limit():
    error = limit_error("Integer down(Integer n) {\n  return down(n + 1);\n}\ndown(0);", recursion=50)
    assert error.message == "recursion limit exceeded: more than 50 nested function calls; an endless recursion?"
    assert (error.line, error.column) == (1, 1)  # the function that recursed


def test_deep_recursion_within_the_limit_runs():
    source = "Integer depth(Integer n) { if (n == 0) return 0; return 1 + depth(n - 1); } print(depth(300).toString());"
    output, error = attempt(source, Limits(recursion=400))
    assert error is None and output == "300"


def test_recursion_limit_above_pythons_default_works():
    source = "Integer depth(Integer n) { if (n == 0) return 0; return 1 + depth(n - 1); } print(depth(3000).toString());"
    output, error = attempt(source, Limits(recursion=5000))
    assert error is None and output == "3000"


def test_exponential_recursion_is_stopped_by_the_step_limit():
    source = "Integer f(Integer n) { if (n < 2) return n; return f(n - 1) + f(n - 2); } print(f(60).toString());"
    assert limit_error(source, steps=20_000).message.startswith(
        "step limit exceeded: the script ran more than 20,000 steps ")


def test_catch_cannot_swallow_the_step_limit():
    source = 'while (true) { try { while (true) { } } catch { print("swallowed"); } }'
    output, error = attempt(source, Limits(steps=5_000))
    assert isinstance(error, engine.CRMScriptLimitError) and "swallowed" not in output


def test_catch_cannot_swallow_the_recursion_limit():
    source = 'Void r() { r(); }\ntry { r(); } catch { print("swallowed: " + error); }'
    output, error = attempt(source, Limits(recursion=30))
    assert isinstance(error, engine.CRMScriptLimitError) and "swallowed" not in output


def test_string_doubling_hits_the_string_limit():
    source = 'String s = "x";\nwhile (true) {\n  s = s + s;\n}'
    error = limit_error(source, string_length=1_000_000)
    assert "string length" in error.message and error.line == 3


def test_string_append_in_a_loop_hits_the_string_limit():
    source = 'String s;\nfor (Integer i = 0; i < 1000000; i++) {\n  s += "0123456789";\n}'
    error = limit_error(source, string_length=50_000)
    assert error.message == "string length limit exceeded: a String longer than 50,000 characters"
    assert (error.line, error.column) == (3, 3)


def test_huge_array_declaration_is_refused_before_allocating():
    assert limit_error("Integer[2000000000] a;", collection_size=1_000_000).message == \
        "the array would hold 2000000000 elements; the limit is 1000000"


def test_growing_an_array_forever_hits_the_collection_limit():
    source = "Integer[] a;\nwhile (true) {\n  a.pushBack(1);\n}"
    assert limit_error(source, collection_size=10_000).line == 3


def test_growing_a_map_forever_hits_the_collection_limit():
    source = "Map m; Integer i;\nwhile (true) {\n  i++;\n  m.insert(i.toString(), \"x\");\n}"
    assert limit_error(source, collection_size=5_000).line == 4


def test_absurdly_nested_source_is_a_clean_error():
    source = "Integer x = " + "(" * 5000 + "1" + ")" * 5000 + "; print(x.toString());"
    assert attempt(source) == ("1", None)  # 5,000 parentheses compile and run (never a RecursionError)
    deep_sum = "Integer y = " + "1 + " * 3000 + "1; print(y.toString());"
    output, error = attempt(deep_sum)  # 3,000 nested additions do not: a check error, not a crash
    assert (output, type(error), error.line, error.column) == ("", engine.CRMScriptCheckError, 1, 1)
    assert error.message == "the script nests too deeply (expressions or blocks) to be compiled"


def test_deeply_nested_blocks_are_a_clean_error_or_run():
    source = "if (true) { " * 300 + 'print("deep");' + " }" * 300
    assert attempt(source) == ("deep", None)


def test_a_limit_error_leaves_the_next_run_unaffected():
    script = engine.compile_script("Integer n; while (n < 100) { n++; } print(n.toString());", "again.crm")
    with pytest.raises(engine.CRMScriptLimitError):
        script.run(context=RunContext(limits=Limits(steps=10)))
    assert script.run().output == "100"


def test_string_append_member_in_a_loop_hits_the_string_limit():
    source = 'String s;\nwhile (true) {\n  s.append("0123456789");\n}'
    error = limit_error(source, string_length=20_000)
    assert "string length" in error.message and error.line == 3


def test_mutating_string_members_store_back_into_every_kind_of_place():
    source = """
    struct S { String t; };
    S s; s.t = "a";
    String[] arr; arr.pushBack("x");
    Map m; m["k"] = "1";
    String v = "q";
    v.append("1"); s.t.append("2"); arr[0].append("3"); m["k"].append("4");
    print(v + s.t + arr[0] + m["k"]);
    """
    output, error = attempt(source)
    assert error is None and output == "q1a2x314"


def test_only_recursive_functions_pay_for_the_recursion_and_step_checks():
    source = ("Integer helper(Integer n) { return n + 1; }\n"
              "Integer down(Integer n) { if (n == 0) return 0; return down(helper(n) - 2); }\n"
              "print(down(5).toString());")
    script = engine.compile_script(source, "rec.crm")
    assert script.run().output == "0"
    generated = script.python_source
    helper = generated[generated.index("def f_helper"):generated.index("def f_down")]
    down = generated[generated.index("def f_down"):generated.index("def _crm_main")]
    assert "_tick()" not in helper and "_max_depth" not in helper
    assert "_tick()" in down and "_max_depth" in down


def test_recursive_struct_method_hits_the_recursion_limit():
    source = "struct Node {\n  Integer depth;\n  Integer dive(Integer n) {\n    return this.dive(n + 1);\n  }\n};\nNode x;\nx.dive(0);\n"
    error = limit_error(source, recursion=40)
    assert "recursion limit" in error.message
