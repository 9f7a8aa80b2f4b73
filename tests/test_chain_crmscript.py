"""Chain rules of docs/handlers.md with real CRMScript handlers (the compiler and
runtime of the team), including the installed example plugin."""

import importlib.util
import os

import pytest
from test_chain import make_tree

from engine.chain import Engine
from engine.eventdata import EventData


def engine_for(root, **kwargs):
    kwargs.setdefault("load_entry_points", False)
    return Engine(root, on_warning=lambda m: None, **kwargs)


def test_get_type_is_the_catalog_id(tmp_path):
    script = 'EventData ed = getEventData();\ned.setOutputValue("type", ed.getType().toString());\n'
    make_tree(tmp_path, {"SalesBeforeSaveSale/1.crm": script, "MadeUpEvent/1.crm": script,
                         "TicketSave/1.crm": script})
    engine = engine_for(tmp_path)
    assert engine.execute(EventData(Type="SalesBeforeSaveSale")).OutputValues == {"type": "1008"}
    assert engine.execute(EventData(Type="MadeUpEvent")).OutputValues == {"type": "0"}
    assert engine.execute(EventData(Type="TicketSave")).OutputValues == {"type": "0"}  # no documented id


def test_each_handler_sees_what_the_earlier_left(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/10.crm": 'EventData ed = getEventData();\ned.setStateValue("n", "1");\ned.setMessage("ten");\n',
        "TicketSave/20.crm": ('EventData ed = getEventData();\n'
                              'Integer n = ed.getStateValue("n").toInteger() + 1;\n'
                              'ed.setStateValue("n", n.toString());\n'
                              'ed.setOutputValue("previousMessage", ed.getMessage());\n'
                              'ed.setMessage("twenty");\n'),
    })
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave", StateValues={"keep": "me"}))
    assert out.StateValues == {"keep": "me", "n": "2"}
    assert out.OutputValues == {"previousMessage": "ten"} and out.Message == "twenty"


def test_throw_stops_the_chain_with_file_line_and_error(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/10.crm": 'getEventData().setOutputValue("first", "done");\n',
        "TicketSave/20.crm": 'getEventData().setMessage("before the throw");\n\nthrow "no customer";\n',
        "TicketSave/30.crm": 'getEventData().setOutputValue("third", "ran");\n',
    })
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.OutputValues == {"first": "done"} and out.Message == "before the throw"
    assert out.Exception.startswith("TicketSave/20.crm:3:")
    assert "no customer" in out.Exception


def test_caught_error_does_not_stop_the_chain(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/10.crm": 'try { throw "inner"; } catch { getEventData().setMessage("caught"); }\n',
        "TicketSave/20.crm": 'getEventData().setOutputValue("second", "ran");\n',
    })
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.Exception == "" and out.Message == "caught" and out.OutputValues == {"second": "ran"}


def test_runtime_error_in_an_include_names_the_handler_and_the_include(tmp_path):
    make_tree(tmp_path, {
        "TicketSave/10.crm": '#include "divide";\ngetEventData().setMessage(ratio(1, 0).toString());\n',
        "lib/divide.crm": "Integer ratio(Integer a, Integer b) {\n  return a / b;\n}\n",
    })
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.Exception.startswith("TicketSave/10.crm: lib/divide.crm:2:")  # named in the tree, no host path
    assert "runtime error" in out.Exception


def test_compile_error_names_file_and_line(tmp_path):
    make_tree(tmp_path, {"TicketSave/10.crm": 'getEventData().setMessage("ok");\n',
                         "TicketSave/20.crm": "Integer x = 1;\nx = undefinedName + 1;\n"})
    out = engine_for(tmp_path).execute(EventData(Type="TicketSave"))
    assert out.Message == "ok"
    assert out.Exception.startswith("TicketSave/20.crm:2:5: error: ")
    assert "undefinedName" in out.Exception


def test_missing_include_is_a_compile_error_and_adding_it_fixes_the_handler(tmp_path):
    make_tree(tmp_path, {"TicketSave/10.crm": '#include "later";\ngetEventData().setMessage(greet());\n'})
    engine = engine_for(tmp_path)
    assert "later" in engine.execute(EventData(Type="TicketSave")).Exception
    make_tree(tmp_path, {"lib/later.crm": 'String greet() { return "hello"; }\n'})
    out = engine.execute(EventData(Type="TicketSave"))
    assert out.Exception == "" and out.Message == "hello"


def test_edited_include_is_picked_up(tmp_path):
    make_tree(tmp_path, {"TicketSave/10.crm": '#include "words";\ngetEventData().setMessage(word());\n',
                         "lib/words.crm": 'String word() { return "one"; }\n'})
    engine = engine_for(tmp_path)
    assert engine.execute(EventData(Type="TicketSave")).Message == "one"
    lib = tmp_path / "lib/words.crm"
    lib.write_text('String word() { return "two!"; }\n')
    st = lib.stat()
    os.utime(lib, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert engine.execute(EventData(Type="TicketSave")).Message == "two!"


def test_printed_output_is_kept_per_handler(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": 'print("one");\n', "TicketSave/2.crm": 'printLine("two");\n'})
    result = engine_for(tmp_path).run_chain(EventData(Type="TicketSave"))
    assert [run.output for run in result.runs] == ["one", "two\n"]


@pytest.mark.skipif(importlib.util.find_spec("crmscript_example_plugin") is None,
                    reason="examples/plugin not installed (make installs it)")
def test_example_plugin_handler_runs_with_its_function_and_include(tmp_path):
    engine = Engine(tmp_path, on_warning=lambda m: None)  # entry points on
    out = engine.execute(EventData(Type="DbiTaskFailed", InputValues={"entryId": "17"},
                                   StateValues={"dbiFailures": "2"}))
    assert out.Exception == ""
    assert out.StateValues == {"dbiFailures": "3"}
    assert out.OutputValues == {"alertLevel": "warning", "alertText": "DBI task 17 failed (3 in a row)"}
    first = engine.execute(EventData(Type="DbiTaskFailed", InputValues={"entryId": "5"}))
    assert first.OutputValues["alertLevel"] == "info"


def test_runtime_limit_stops_the_chain(tmp_path):
    from engine.runtime.context import Limits

    make_tree(tmp_path, {
        "TicketSave/10.crm": 'getEventData().setMessage("started");\nwhile (true) { }\n',
        "TicketSave/20.crm": 'getEventData().setOutputValue("second", "ran");\n',
    })
    out = engine_for(tmp_path, limits=Limits(steps=10_000)).execute(EventData(Type="TicketSave"))
    assert out.Message == "started" and out.OutputValues == {}
    assert out.Exception.startswith("TicketSave/10.crm:2:")
    assert "limit exceeded" in out.Exception
