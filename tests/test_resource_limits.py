"""The resource suite of the red-team pass (issue 11): every repro ends within
its limit with a CRMScript limit error (or runs, fast, when it no longer
needs a limit), never a Python exception, a hang or the process's memory.

Every test sets small limits (a fraction of a second, short strings), so
the whole file runs in seconds; no test measures time itself: a run that
takes too long ends with the time limit error, which the test then sees.
"""

from __future__ import annotations

import pytest

import engine
from engine.runtime.context import Limits, RunContext

SMALL = dict(seconds=2.0, string_length=100_000, collection_size=20_000, output_length=100_000)


def run(source: str, **limits) -> tuple[str, engine.CRMScriptError | None, RunContext]:
    """(printed output, the CRMScript error or None, the context) of one run."""
    context = RunContext(limits=Limits(**{**SMALL, **limits}))
    try:
        engine.compile_script(source, "limits.crm").run(context=context)
    except engine.CRMScriptError as error:
        assert error.file == "limits.crm" and error.line >= 1, error
        return context.printed(), error, context
    return context.printed(), None, context


def limit(source: str, **limits) -> engine.CRMScriptLimitError:
    output, error, _ = run(source, **limits)
    assert isinstance(error, engine.CRMScriptLimitError), (output[:200], error)
    # the next run of the same process is unaffected
    assert run('print("next");')[0] == "next"
    return error


# ------------------------------------------------------------------ time


def test_an_endless_loop_ends_at_the_deadline_before_the_step_budget():
    error = limit("Integer i;\nwhile (true) {\n  i = i + 1;\n  if (i > 1000) { i = 0; }\n}", seconds=0.2,
                  steps=10**12)
    assert "time limit exceeded" in error.message and "0.2 s" in error.message and error.line in (2, 3, 4)


def test_catch_cannot_swallow_the_time_limit():
    output, error, _ = run('try { while (true) { } } catch { print("swallowed"); }', seconds=0.2, steps=10**12)
    assert isinstance(error, engine.CRMScriptLimitError) and "swallowed" not in output


def test_a_backtracking_regexp_in_a_loop_ends_at_the_deadline():
    source = 'for (Integer i = 0; i < 60; i++) {\n  "aaaaaaaaaaaaaaaaaaaaaaaaa!".regexp("(a|a)+$");\n}'
    error = limit(source, seconds=0.2)
    assert "time limit exceeded" in error.message and error.line == 2


def test_one_backtracking_regexp_call_ends_at_the_deadline():
    error = limit('String[] r = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!".regexp("(a|aa)+$");', seconds=0.2)
    assert "time limit exceeded" in error.message


@pytest.mark.parametrize("pattern", ["((((a{100}){100}){100}){100})", "a{1000000}", "(ab){500000,1000000}",
                                     "[ab]{100000}", "(a{10}|b){10000}"])
def test_a_regexp_that_would_compile_to_millions_of_elements_is_refused(pattern):
    error = limit(f'String[] r = "aaa".regexp("{pattern}");')
    assert "too large" in error.message


def test_ordinary_regexps_still_work():
    output, error, _ = run(r'String[] r = "card 1234-5678".regexp("(\\d{4})-(\\d{4})"); print(r[1] + r[2]);')
    assert error is None and output == "12345678"


@pytest.mark.parametrize("member, text", [
    ("extractHtmlBody(false)", "<body" * 40_000), ("extractHtmlBody(true)", "<BODY>" + "</body" * 40_000),
    ("extractHtmlHead(false)", "<head " * 40_000), ("extractHtmlHead(true)", "<head><title>" * 20_000),
])
def test_html_extraction_is_linear(member, text):
    # Each call once took seconds (quadratic regexes): 20 calls would pass the deadline.
    source = f'String t = "{text}";\nfor (Integer i = 0; i < 20; i++) {{\n  t.{member};\n}}\nprint("ok");'
    output, error, _ = run(source, seconds=5.0, string_length=1_000_000)
    assert error is None and output == "ok"


def xml_dag(levels: int) -> str:
    """A node tree of `levels` levels, each level's node added twice to the next: 2**levels leaves."""
    return (f'XMLNode n = XMLNode("leaf");\nfor (Integer i = 0; i < {levels}; i++) {{\n'
            '  XMLNode p = XMLNode("p");\n  p.addChild(n);\n  p.addChild(n);\n  n = p;\n}\n')


def test_adding_shared_nodes_and_copying_them_is_linear():
    source = xml_dag(40) + ('XMLNode root = XMLNode("root");\nroot.addChild(n);\nXMLNode c = XMLNode(root);\n'
                            'c.addChild(XMLNode("more"));\nprint(c.getChildren().length().toString());')
    output, error, _ = run(source, seconds=5.0)
    assert error is None and output == "2"


def test_a_shared_node_still_cannot_become_its_own_ancestor():
    source = xml_dag(30) + 'XMLNode top = n;\nXMLNode leaf = top;\nwhile (leaf.getChildren().length() > 0) {\n' \
                           '  leaf = leaf.getChildren()[0];\n}\nleaf.addChild(top);'
    output, error, _ = run(source, seconds=5.0)
    assert isinstance(error, engine.CRMScriptRuntimeError) and "its own ancestor" in error.message


@pytest.mark.parametrize("call", ["toString(0)", "toJSON(2)"])
def test_writing_a_tree_of_shared_nodes_stops_at_a_limit(call):
    error = limit(xml_dag(40) + f"String s = n.{call};", seconds=0.3, string_length=10**9)
    assert "time limit exceeded" in error.message or "longer than the limit" in error.message


def test_writing_a_tree_of_shared_nodes_stops_at_the_string_limit():
    error = limit(xml_dag(40) + "String s = n.toString(0);", string_length=50_000)
    assert "longer than the limit" in error.message


def test_parsing_more_nodes_than_the_collection_limit_is_refused():
    source = 'String d = "[";\nfor (Integer i = 0; i < 30000; i++) { d += "0,"; }\nd += "0]";\nXMLNode x = parseJSON(d);'
    assert "more than 20,000 nodes" in limit(source, collection_size=20_000).message
    xml = 'String d = "<a>";\nfor (Integer i = 0; i < 30000; i++) { d += "<b/>"; }\nd += "</a>";\nXMLNode x = parseXML(d);'
    assert "more than 20,000 nodes" in limit(xml, collection_size=20_000, string_length=1_000_000).message


# ------------------------------------------------------------ String limit


@pytest.mark.parametrize("source", [
    # a function's result
    'String twice(String s) { return s + s; }\nString t = "x";\nwhile (true) { t = twice(t); }',
    # += on a struct field, an array element, a Map value
    'struct B { String s; };\nB b; b.s = "x";\nwhile (true) { b.s += b.s; }',
    'String[] a; a.pushBack("x");\nwhile (true) { a[0] += a[0]; }',
    'Map m; m.insert("k", "x");\nwhile (true) { m["k"] += m["k"]; }',
    # append on a field and on an element
    'struct B { String s; };\nB b; b.s = "x";\nwhile (true) { b.s.append(b.s); }',
    'String[] a; a.pushBack("x");\nwhile (true) { a[0].append(a[0]); }',
    # a value passed as an argument, never stored in a variable
    'String s = "0123456789";\nfor (Integer i = 0; i < 14; i++) { s = s + s; }\n'
    'getEventData().setOutputValue("k", s + s + s + s + s + s + s + s + s + s + s + s + s + s + s + s);',
    'String s = "0123456789";\nfor (Integer i = 0; i < 14; i++) { s = s + s; }\nprint(s + s + s + s + s + s + s + s);',
    # a Generic
    'Generic g = "x";\nwhile (true) { g = g + g; }',
])
def test_every_path_a_string_grows_by_stops_at_the_string_limit(source):
    assert "string length limit exceeded" in limit(source, string_length=50_000).message


def test_vector_build_string_checks_the_length_before_joining():
    source = ('Vector v;\nString s = "0123456789";\nfor (Integer i = 0; i < 200; i++) { v.pushBack(s); }\n'
              'String all = v.buildString(s + s + s);')
    assert "string length limit exceeded" in limit(source, string_length=5_000).message


def test_datetime_to_string_with_long_names_stops_at_the_string_limit():
    source = ('String names = "x";\nfor (Integer i = 0; i < 12; i++) { names = names + names; }\n'
              'DateTime d = DateTime(2024, 3, 5, 10, 0, 0);\n'
              'String s = d.toString("MONTHMONTHMONTHMONTHMONTHMONTH", names + "," + names + "," + names, "");')
    assert "string length limit exceeded" in limit(source, string_length=10_000).message


def test_escape_checks_the_length_before_building():
    source = 'String s = "\\"\\"\\"\\"\\"\\"\\"\\"\\"\\"";\nfor (Integer i = 0; i < 10; i++) { s = s + s; }\nString e = s.escape("\\"");'
    assert "string length limit exceeded" in limit(source, string_length=15_000).message
    output, error, _ = run('print("a\\"b\\\\c".escape("\\"\\\\"));')
    assert error is None and output == 'a\\"b\\\\c'


# ------------------------------------------------------- collections, output


def test_map_index_assignment_stops_at_the_collection_limit():
    source = 'Map m; Integer i;\nwhile (true) {\n  i++;\n  m[i.toString()] = "x";\n}'
    error = limit(source, collection_size=5_000)
    assert error.line == 4 and "5000" in error.message.replace(",", "")


def test_a_nodes_children_stop_at_the_collection_limit():
    source = 'XMLNode root = XMLNode("r");\nwhile (true) {\n  root.addChild(XMLNode("c"));\n}'
    assert limit(source, collection_size=5_000).line == 3


@pytest.mark.parametrize("member", ["setOutputValue", "setStateValue"])
def test_the_event_data_maps_stop_at_the_collection_limit(member):
    source = f'EventData ed = getEventData(); Integer i;\nwhile (true) {{\n  i++;\n  ed.{member}(i.toString(), "x");\n}}'
    _, error, context = run(source, collection_size=5_000)
    assert isinstance(error, engine.CRMScriptLimitError) and "collection size limit" in error.message
    assert len(context.event.OutputValues) + len(context.event.StateValues) < 5_000 + 2_048


def test_printing_many_times_stops_at_the_output_limit():
    source = 'String s = "0123456789";\nfor (Integer i = 0; i < 10; i++) { s = s + s; }\nwhile (true) {\n  print(s);\n}'
    error = limit(source, output_length=100_000)
    assert "output limit exceeded" in error.message and error.line == 4


def test_the_log_counts_against_the_output_limit():
    source = 'String s = "0123456789";\nfor (Integer i = 0; i < 10; i++) { s = s + s; }\nwhile (true) {\n  printDebug(s);\n}'
    assert "output limit exceeded" in limit(source, output_length=100_000).message


# ------------------------------------------------------------- front end


def test_timespan_set_runs():
    output, error, _ = run("TimeSpan t;\nt.set(1, 2, 3, 4, 5);\nprint(t.getDay().toString());")
    assert error is None, error


def test_an_integer_literal_of_thousands_of_digits_is_a_check_error():
    with pytest.raises(engine.CRMScriptError, match="does not fit in an Integer"):
        engine.compile_script("Integer x = " + "9" * 5000 + ";", "big.crm")


def test_a_float_literal_beyond_the_largest_float_is_a_check_error():
    with pytest.raises(engine.CRMScriptError, match="does not fit in a Float"):
        engine.compile_script("Float f = 1e999999;", "inf.crm")
    assert engine.compile_script("Float f = 1e308; print((f > 1.0).toString());", "ok.crm").run().output == "true"


def test_include_never_reads_a_host_file(tmp_path):
    from engine.includes import script_include_path

    script = tmp_path / "x.crm"
    script.write_text('#include "os-release";\n#include "passwd";\n')
    with pytest.raises(engine.CRMScriptError) as caught:
        engine.compile_script(script.read_text(), str(script), includes=script_include_path(script))
    assert "no such script" in caught.value.message and "NAME=" not in str(caught.value)


def test_xml_names_that_would_inject_markup_are_refused():
    output, error, _ = run('XMLNode x = XMLNode("a><injected/><b");\nprint(x.toString(0));')
    assert isinstance(error, engine.CRMScriptRuntimeError) and "not a valid XML element name" in error.message
    output, error, _ = run('XMLNode x = XMLNode("a");\nx.setParameter("b=\\"1\\" c", "v");\nprint(x.toString(0));')
    assert isinstance(error, engine.CRMScriptRuntimeError) and "attribute name" in error.message
    output, error, _ = run('XMLNode x = XMLNode("ns:a-b.c_d");\nx.setParameter("xml:lang", "no");\nprint(x.toString(0));')
    assert error is None and output == '<ns:a-b.c_d xml:lang="no"/>'


# ------------------------------------------------------ the checks' places


def test_a_concatenation_the_script_bounds_is_not_checked_and_every_unbounded_one_is():
    bounded = engine.compile_script('Integer i = 5;\nMap m;\nm.insert("item" + i.toString(), "x");', "b.crm")
    assert "_max_string" not in bounded.python_source
    chain = engine.compile_script('String s = "x";\nprint(s + s + s);\nprint("a " + s + " b");', "c.crm")
    source = chain.python_source
    # s + s + s: both '+' checked; "a " + s + " b": once, at the outer '+'
    assert source.count("_max_string") == 3


# ---------------------------------------------------------------- memory


def test_a_script_past_the_process_memory_limit_ends_with_a_limit_error(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "memory.crm"
    script.write_text('String[] a;\nString s = "0123456789";\nfor (Integer i = 0; i < 12; i++) { s = s + s; }\n'
                      'while (true) {\n  a.pushBack(s + "x");\n}\n')
    crmscript = Path(sys.executable).with_name("crmscript")
    done = subprocess.run([str(crmscript), "run", str(script), "--memory-limit", "600"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "memory limit exceeded" in done.stderr and "Traceback" not in done.stderr


def test_the_servers_default_memory_limit_leaves_room():
    from engine.sandbox import MIN_DEFAULT_MEMORY, default_memory_limit

    assert default_memory_limit() in (0,) or default_memory_limit() >= MIN_DEFAULT_MEMORY


@pytest.mark.parametrize("source", [
    'String t = "a=1\\n";\nfor (Integer i = 0; i < 14; i++) { t = t + t; }\nMap m = Map(t);',
    'String t = "\\"a\\":1,";\nfor (Integer i = 0; i < 13; i++) { t = t + t; }\nMap m; m.fromJson("{" + t + "\\"z\\":1}");',
    'String t = "a,";\nfor (Integer i = 0; i < 14; i++) { t = t + t; }\nVector v; v.parseString(t, ",");',
])
def test_texts_that_would_make_too_many_elements_are_refused_before_the_work(source):
    assert "the limit is 5000" in limit(source, collection_size=5_000).message.replace(",", "")


def test_reading_a_struct_from_a_tree_of_shared_nodes_stops_at_the_collection_limit():
    source = ('struct S { Integer[][] grid; };\nXMLNode row = XMLNode("row");\n'
              'for (Integer i = 0; i < 200; i++) { row.addChild(XMLNode("c")); }\n'
              'XMLNode grid = XMLNode("grid");\nfor (Integer i = 0; i < 200; i++) { grid.addChild(row); }\n'
              'XMLNode top = XMLNode("top");\ntop.addChild(grid);\nS s;\ns.fromXMLNode(top);')
    assert "more than 20,000 nodes" in limit(source).message


def test_a_context_used_again_gets_a_new_deadline_per_run():
    script = engine.compile_script("Integer i;\nwhile (i < 5000) { i++; }\nprint(i.toString());", "again.crm")
    context = RunContext(limits=Limits(seconds=0.5))
    assert script.run(context=context).output == "5000"
    assert context.deadline is None  # the deadline the run set at its first tick ended with it
    given = RunContext(limits=Limits(seconds=0.5))
    given.deadline = 0.0  # a deadline the caller set (long past) is kept, and ends the run
    with pytest.raises(engine.CRMScriptLimitError, match="time limit"):
        script.run(context=given)
