"""The runner and the diff, against a fake engine (no CRMScript involved)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace

from engine.eventdata import EventData
from engine.testing.diff import ABSENT, compare, render
from engine.testing.model import Expect, TextMatch, load_case_file
from engine.testing.report import one_line
from engine.testing.runner import ERROR, FAILED, PASSED, SKIPPED, CaseRunner


class FakeEngine:
    """Blocks sales over 1000, echoes the amount to OutputValues, prints one line."""

    def __init__(self, handlers_dir: Path) -> None:
        self.handlers_dir = handlers_dir
        self.events: list[EventData] = []

    def run_chain(self, event: EventData):
        self.events.append(event)
        out = event.copy_for_chain()
        amount = int(out.InputValues.get("amount", "0"))
        if amount > 1000:
            out.BlockExecution = True
            out.Message = "too big"
        if amount < 0:
            out.Exception = "T/fake.crm:3:5: runtime error: negative"
        out.OutputValues["seen"] = str(amount)
        out.StateValues["count"] = str(int(out.StateValues.get("count", "0")) + 1)
        run = SimpleNamespace(handler=SimpleNamespace(name="T/fake.crm"), output=f"amount {amount}\n")
        return SimpleNamespace(event=out, runs=[run])


def cases_from(tmp_path: Path, text: str):
    file = tmp_path / "tree" / "SalesBeforeSaveSale" / "x.cases.yaml"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_case_file(file)


def run(tmp_path: Path, text: str):
    built: list[FakeEngine] = []

    def factory(handlers_dir):
        built.append(FakeEngine(handlers_dir))
        return built[-1]

    runner = CaseRunner(factory)
    return runner.run_all(cases_from(tmp_path, text)), built


def test_pass_fail_skip_and_one_engine_per_tree(tmp_path):
    results, built = run(tmp_path, """
        cases:
          - name: small passes
            input: {amount: 10}
            state: {count: 4}
            expect:
              block: false
              OutputValues: {seen: "10"}
              StateValues: {count: "5"}
              printed: "amount 10\\n"
          - name: big with the wrong message
            input: {amount: 5000}
            expect: {block: true, message: "blocked"}
          - name: later
            skip: not written yet
    """)
    assert [r.status for r in results] == [PASSED, FAILED, SKIPPED]
    assert len(built) == 1 and len(built[0].events) == 2
    sent = built[0].events[0]
    assert (sent.Type, sent.InputValues, sent.StateValues) == ("SalesBeforeSaveSale", {"amount": "10"}, {"count": "4"})
    [mismatch] = results[1].mismatches
    assert (mismatch.field, mismatch.expected, mismatch.actual) == ("Message", TextMatch("blocked"), "too big")
    assert one_line(results[1]) == 'Message: expected "blocked", got "too big"'
    assert results[1].outcome.printed == "amount 5000\n"


def test_an_unexpected_exception_fails_and_an_expected_one_passes(tmp_path):
    results, _ = run(tmp_path, """
        cases:
          - name: not expected
            input: {amount: -1}
          - name: expected by pattern
            input: {amount: -1}
            expect: {exception: "/runtime error: neg/"}
    """)
    assert [r.status for r in results] == [FAILED, PASSED]
    assert results[0].mismatches[0].field == "Exception"
    assert "add `exception:` to expect it" in render(results[0].mismatches).plain


def test_missing_tree_is_an_error_not_a_crash(tmp_path):
    results, built = run(tmp_path, """
        cases:
          - name: elsewhere
            handlers: ../../nowhere
    """)
    assert results[0].status == ERROR and "handler tree not found" in results[0].error
    assert built == []


def test_subset_by_default_exact_on_request_and_absent_keys():
    event = EventData(OutputValues={"a": "1", "b": "2"}, StateValues={"s": "x"})
    assert compare(Expect(output={"a": "1"}), event, "") == []
    exact = compare(Expect(output={"a": "1"}, exact=True), event, "")
    assert [(m.field, m.expected, m.actual) for m in exact] == [('OutputValues["b"]', ABSENT, "2")]
    absent = compare(Expect(output={"b": None, "c": None}), event, "")
    assert [(m.field, m.actual) for m in absent] == [('OutputValues["b"]', "2")]
    missing = compare(Expect(state={"t": "y"}), event, "")
    assert [(m.field, m.actual) for m in missing] == [('StateValues["t"]', ABSENT)]
    assert "(absent)" in render(missing).plain


def test_multiline_printed_output_is_shown_as_a_unified_diff():
    mismatches = compare(Expect(printed=TextMatch("one\ntwo\nthree\n")), EventData(), "one\n2\nthree\n")
    text = render(mismatches).plain
    assert "-two" in text and "+2" in text and "--- expected" in text


def test_junit_survives_control_characters_in_printed_output(tmp_path):
    import xml.etree.ElementTree as ET

    from engine.testing.report import write_junit

    class Noisy(FakeEngine):
        def run_chain(self, event):
            chain = super().run_chain(event)
            chain.runs[0].output = "bell\x07 and nul\x00\n"
            return chain

    results = CaseRunner(Noisy).run_all(cases_from(tmp_path, """
        cases:
          - name: noisy
            expect: {printed: "quiet"}
    """))
    target = tmp_path / "r.xml"
    write_junit(results, target, 0.1)
    case = ET.parse(target).getroot().find("testsuite/testcase")
    assert case.find("system-out").text == "bell\\x07 and nul\\x00\n"
    assert case.find("failure") is not None
