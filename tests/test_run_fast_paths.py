"""The cheap run boundary (issue 3, benchmark P4) keeps every guarantee.

How the run's context is found (frames, no ContextVar per run), the lazy
RunContext members, the EventData view's direct dicts and the inline
EventData members: each fast path is checked against the behaviour it
replaces.
"""

from __future__ import annotations

import threading

import pytest

import engine
from engine.errors import CRMScriptLimitError
from engine.eventdata import EventData
from engine.runtime import eventdata as runtime_eventdata
from engine.runtime.context import Limits, RunContext, active_context, bind_context


def compile_(source: str, name: str = "fast.crm") -> engine.Script:
    return engine.compile_script(source, name)


# ------------------------------------------------------- the run's context


def test_declared_eventdata_views_the_running_carrier():
    script = compile_('EventData ed;\ned.setOutputValue("seen", ed.getInputValue("who"));\n'
                      'ed.setStateValue("step", "1");')
    first = script.run(EventData(InputValues={"who": "first"}))
    second = script.run(EventData(InputValues={"who": "second"}))
    assert first.event.OutputValues == {"seen": "first"} and first.event.StateValues == {"step": "1"}
    assert second.event.OutputValues == {"seen": "second"}


def test_declared_eventdata_inside_a_function_views_the_running_carrier():
    script = compile_('String who() { EventData ed; return ed.getInputValue("who"); }\n'
                      'Integer depth(Integer n) { if (n == 0) { EventData e; e.setMessage(who()); return 0; }'
                      ' return depth(n - 1); }\n'
                      'depth(50);')
    assert script.run(EventData(InputValues={"who": "deep"})).event.Message == "deep"


def test_bound_context_is_visible_and_restored():
    marker = RunContext()
    assert active_context() is None
    with bind_context(marker):
        assert active_context() is marker
    assert active_context() is None


def test_no_context_is_active_after_a_run_or_outside_one():
    compile_('EventData ed; ed.setMessage("x");').run(EventData())
    assert active_context() is None
    marker = RunContext()
    with bind_context(marker):
        assert active_context() is marker


def test_a_run_inside_bind_context_sees_its_own_context():
    script = compile_('EventData ed; ed.setMessage(ed.getInputValue("k"));')
    with bind_context(RunContext(EventData(InputValues={"k": "outer"}))):
        result = script.run(EventData(InputValues={"k": "inner"}))
    assert result.event.Message == "inner"


def test_nested_runs_each_see_their_own_context():
    inner = compile_('EventData ed; ed.setMessage("inner " + ed.getInputValue("k"));', "inner.crm")

    def execute(code, values):
        return inner.run(EventData(InputValues={"k": "b"})).event.Message

    outer = compile_('String got = executeScript("inner", Map());\n'
                     'EventData ed; ed.setMessage(got + " / outer " + ed.getInputValue("k"));', "outer.crm")
    context = RunContext(EventData(InputValues={"k": "a"}), script_executor=execute)
    assert outer.run(context=context).event.Message == "inner b / outer a"


def test_parallel_runs_in_threads_see_their_own_carrier():
    script = compile_('EventData ed;\n'
                      'for (Integer i = 0; i < 200; i++) { ed.setOutputValue("k", ed.getInputValue("k")); }\n'
                      'EventData again; again.setMessage(again.getInputValue("k"));')
    problems = []

    def worker(tag: str) -> None:
        for _ in range(50):
            result = script.run(EventData(InputValues={"k": tag}))
            if result.event.Message != tag or result.event.OutputValues != {"k": tag}:
                problems.append((tag, result.event.Message))

    threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []


def test_json_output_limit_comes_from_the_running_context():
    script = compile_('JSONBuilder jb; jb.pushObject("");\n'
                      'jb.addString("text", "0123456789012345678901234567890123456789");\n'
                      'jb.popLevel(); print(jb.getString());', "json.crm")
    assert "0123456789" in script.run().output
    small = RunContext(limits=Limits(string_length=20))
    with pytest.raises(CRMScriptLimitError, match="longer than the limit of 20") as raised:
        script.run(context=small)
    assert (raised.value.file, raised.value.line) == ("json.crm", 2)


# ------------------------------------------------------------ step budget


def test_only_scripts_that_tick_get_a_step_budget_and_it_still_stops_them():
    straight = compile_('Integer x = 1; x = x + 1; print(x.toString());', "straight.crm")
    looping = compile_('Integer n = 0;\nwhile (true) { n++; }', "loop.crm")
    assert not straight._counts_steps and looping._counts_steps
    assert straight.run(context=RunContext(limits=Limits(steps=1))).output == "2"
    with pytest.raises(CRMScriptLimitError, match="step limit") as raised:
        looping.run(context=RunContext(limits=Limits(steps=1000)))
    assert (raised.value.file, raised.value.line) == ("loop.crm", 2)


def test_a_loop_inside_a_struct_method_still_gets_a_step_budget():
    script = compile_('struct S { Integer n; Void spin() { Integer k = 0; while (true) { k++; } } };\nS s;\ns.spin();', "m.crm")
    assert script._counts_steps
    with pytest.raises(CRMScriptLimitError, match="step limit") as raised:
        script.run(context=RunContext(limits=Limits(steps=500)))
    assert (raised.value.file, raised.value.line) == ("m.crm", 1)


def test_a_recursive_function_still_meets_the_step_and_depth_limits():
    script = compile_('Integer f(Integer n) { return f(n + 1); }\nf(0);', "rec.crm")
    with pytest.raises(CRMScriptLimitError, match="recursion limit"):
        script.run(context=RunContext(limits=Limits(recursion=50)))
    with pytest.raises(CRMScriptLimitError, match="step limit"):
        script.run(context=RunContext(limits=Limits(steps=20, recursion=400)))


# ------------------------------------------------------------- RunContext


def test_run_context_containers_are_per_context_and_made_on_first_use():
    one, two = RunContext(), RunContext()
    one.variables["a"] = "1"
    one.log.append(("debug", "x"))
    one.global_variables["g"] = "2"
    assert two.variables == {} and two.log == [] and two.global_variables == {}
    assert one.variables == {"a": "1"} and one.variables is one.variables
    given = {"v": "1"}
    three = RunContext(variables=given)
    assert three.variables is given
    three.log = [("log", "y")]
    assert three.log == [("log", "y")]
    with pytest.raises(AttributeError):
        three.no_such_member  # noqa: B018


def test_run_context_defaults_and_given_members():
    plain = RunContext()
    assert plain.limits.steps == Limits().steps and plain.settings.language == "en"
    assert plain.clock_offset == 0.0 and plain.event_type_id("anything") == 0 and plain.printed() == ""
    limits = Limits(steps=5)
    given = RunContext(limits=limits, clock_offset=2.5, event_type_id=lambda name: 7)
    assert given.limits is limits and given.clock_offset == 2.5 and given.event_type_id("x") == 7
    assert plain.limits is not limits


def test_each_run_gets_a_fresh_context_with_its_own_state():
    script = compile_('setVariable("n", getVariable("n") + "x"); print(getVariable("n"));')
    assert script.run().output == "x"
    assert script.run().output == "x"


# ------------------------------------------------------- the EventData view


def test_the_view_holds_the_carrier_own_dicts():
    carrier = EventData(InputValues={"a": "1"})
    view = runtime_eventdata.EventDataObject(carrier)
    assert view.inputs is carrier.InputValues and view.outputs is carrier.OutputValues
    assert view.type_id() == 0


def test_set_member_does_what_pydantic_assignment_does():
    assert not EventData.model_config.get("validate_assignment")  # else set_member would skip validation
    by_pydantic, by_view = EventData(), EventData()
    by_pydantic.Message = "m"
    by_pydantic.BlockExecution = True
    runtime_eventdata.set_member(by_view, "Message", "m")
    runtime_eventdata.set_member(by_view, "BlockExecution", True)
    assert by_view == by_pydantic
    assert by_view.model_fields_set == by_pydantic.model_fields_set == {"Message", "BlockExecution"}
    assert by_view.model_dump(exclude_unset=True) == by_pydantic.model_dump(exclude_unset=True)


def test_inline_eventdata_members_match_the_library():
    source = ('EventData a = getEventData(); EventData b = EventData();\n'
              'a.setOutputValue("out", a.getInputValue("in") + b.getInputValue("missing"));\n'
              'b.setMessage("from b"); print(a.getMessage());')
    result = compile_(source).run(EventData(InputValues={"in": "v"}))
    assert result.event.OutputValues == {"out": "v"}
    assert result.event.Message == "from b" and result.output == "from b"
    assert "Message" in result.event.model_fields_set
    generated = compile_(source).python_source
    assert "_setitem(" in generated and "_set_member(" in generated and ".inputs.get(" in generated


def test_get_type_through_the_inline_view_uses_the_run_catalog():
    script = compile_('print(getEventData().getType().toString() + " " + EventData().getType().toString());')
    context = RunContext(EventData(Type="SalesBeforeSaveSale"),
                         event_type_id=lambda name: 1008 if name == "SalesBeforeSaveSale" else 0)
    assert script.run(context=context).output == "1008 1008"


# ----------------------------------------- objects built without __init__


def test_context_for_event_is_the_same_as_the_constructor():
    from engine.runtime.context import context_for_event

    carrier = EventData(Type="X")
    fast, slow = context_for_event(carrier), RunContext(carrier)
    assert vars(fast) == vars(slow) and type(fast) is RunContext
    assert context_for_event(None).event == EventData()


def test_event_data_of_is_the_same_as_the_constructor():
    context = RunContext(EventData(InputValues={"a": "1"}), event_type_id=lambda name: 3)
    fast = runtime_eventdata.event_data_of(context)
    slow = runtime_eventdata.EventDataObject(context.event, context.event_type_id)
    assert [getattr(fast, s) for s in fast.__slots__] == [getattr(slow, s) for s in slow.__slots__]


def test_run_result_carries_output_event_and_context():
    carrier = EventData()
    result = compile_('print("a"); printLine("b");').run(carrier)
    assert type(result) is engine.RunResult
    assert (result.output, result.event) == ("ab\n", carrier) and result.context.event is carrier
    assert result == engine.RunResult("ab\n", carrier, result.context)
    assert compile_("Integer x = 1;").run().output == ""
