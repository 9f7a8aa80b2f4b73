"""Coverage and trace of real CRMScript handlers, checked against a hand count."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import invoke_cli, write_cases

from engine.chain import Engine
from engine.eventdata import EventData
from engine.testing.coverage import LineCoverage, line_ranges, write_lcov
from engine.testing.trace import LineTracer, demangle, format_value, render_trace, trace_chain

# Hand count, statement lines:  2 3 5 6 7 10 12 13 14 15  (10 lines)
# with amount=10 the `if` branch (6, 7) does not run:      8 of 10
LIMIT = """\
// checks the amount
Integer limit = 1000;
Integer amount = getEventData().getInputValue("amount").toInteger();

if (amount > limit) {
  getEventData().setBlockExecution(true);
  getEventData().setMessage("over " + limit.toString());
}
else {
  getEventData().setOutputValue("ok", "1");
}
Integer i = 0;
while (i < 3)
  i++;
print(i.toString());
"""

# Hand count: 1 (the function header runs when the script starts) 2 3 4 7 8 9 11  (8 lines)
# label(1) skips line 3; nothing throws, so the catch body (11) does not run: 6 of 8
HELPER = """\
String label(Integer n) {
  if (n > 1)
    return "many";
  return "one";
}

String s = label(1);
try {
  getEventData().setStateValue("label", s);
} catch {
  print(error);
}
"""


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "handlers" / "SalesBeforeSaveSale"
    folder.mkdir(parents=True)
    (folder / "10-limit.crm").write_text(LIMIT, encoding="utf-8")
    (folder / "20-helper.crm").write_text(HELPER, encoding="utf-8")
    (tmp_path / "handlers" / "TicketSave").mkdir()
    (tmp_path / "handlers" / "TicketSave" / "10-never.crm").write_text('print("a");\n\nprint("b");\n', encoding="utf-8")
    return tmp_path / "handlers"


def small_sale() -> EventData:
    return EventData(Type="SalesBeforeSaveSale", InputValues={"amount": "10"})


def test_coverage_matches_the_hand_count(tree):
    engine = Engine(tree, load_entry_points=False, on_warning=lambda m: None)
    coverage = LineCoverage()
    with coverage.recording():
        result = engine.execute(small_sale())
    assert result.OutputValues == {"ok": "1"} and result.StateValues == {"label": "one"}
    report = coverage.report([engine])
    limit = report.file("SalesBeforeSaveSale/10-limit.crm")
    assert limit.executable == [2, 3, 5, 6, 7, 10, 12, 13, 14, 15]
    assert limit.missing == [6, 7] and limit.percent == 80.0
    assert limit.counts[14] == 3  # the loop body ran three times
    helper = report.file("SalesBeforeSaveSale/20-helper.crm")
    assert helper.executable == [1, 2, 3, 4, 7, 8, 9, 11]
    assert helper.missing == [3, 11] and helper.percent == 75.0
    never = report.file("TicketSave/10-never.crm")  # a handler no event reached: listed at 0%
    assert never.executable == [1, 3] and never.covered == 0
    assert (report.executable, report.covered) == (20, 14)


def test_coverage_is_off_outside_recording_and_adds_up_over_runs(tree):
    engine = Engine(tree, load_entry_points=False, on_warning=lambda m: None)
    coverage = LineCoverage()
    engine.execute(EventData(Type="SalesBeforeSaveSale", InputValues={"amount": "5000"}))  # not recorded
    assert coverage.report([engine]).covered == 0
    with coverage.recording():
        engine.execute(small_sale())
        engine.execute(EventData(Type="SalesBeforeSaveSale", InputValues={"amount": "5000"}))
    limit = coverage.report([engine]).file("SalesBeforeSaveSale/10-limit.crm")
    assert limit.missing == [] and limit.percent == 100.0


def test_lcov_file(tree, tmp_path):
    engine = Engine(tree, load_entry_points=False, on_warning=lambda m: None)
    coverage = LineCoverage()
    with coverage.recording():
        engine.execute(small_sale())
    target = tmp_path / "cov.info"
    write_lcov(coverage.report([engine]), target)
    records = target.read_text().split("end_of_record")
    limit = next(r for r in records if "10-limit.crm" in r)
    assert f"SF:{(tree / 'SalesBeforeSaveSale' / '10-limit.crm').resolve()}" in limit
    assert "DA:6,0" in limit and "DA:14,3" in limit and "LF:10" in limit and "LH:8" in limit


def test_line_ranges():
    assert line_ranges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
    assert line_ranges([]) == ""


def test_trace_shows_lines_in_order_with_crmscript_variables(tree):
    engine = Engine(tree, load_entry_points=False, on_warning=lambda m: None)
    result, steps = trace_chain(engine, small_sale())
    assert result.event.OutputValues == {"ok": "1"}
    limit = [(s.line, s.depth) for s in steps if s.file.endswith("10-limit.crm")]
    assert limit == [(2, 0), (3, 0), (5, 0), (10, 0), (12, 0),
                     (13, 0), (14, 0), (13, 0), (14, 0), (13, 0), (14, 0), (13, 0), (15, 0)]
    after_increment = [s.variables for s in steps if s.file.endswith("10-limit.crm") and s.line == 14]
    assert [v["i"] for v in after_increment] == ["1", "2", "3"]
    assert set(after_increment[0]) == {"limit", "amount", "i"}  # CRMScript names only, no temporaries
    # Whether entering a function shows its header line as a step depends on the
    # code the compiler generates for the entry; the statements do not.
    helper = [(s.line, s.depth, s.function) for s in steps if s.file.endswith("20-helper.crm") and s.line != 1]
    assert helper == [(7, 0, ""), (2, 1, "label"), (4, 1, "label"), (8, 0, ""), (9, 0, "")]
    assert next(s for s in steps if s.function == "label").variables == {"n": "1"}
    text = render_trace(steps).plain
    assert 'Integer i = 0;   i = 0' in text and 's = "one"' in text and "  return \"one\";" in text


def test_demangle_and_values():
    assert demangle("v_total", {"v_total"}) == "total"
    assert demangle("g_count", {}) == "count"
    assert demangle("v_x_2", {"v_x", "v_x_2"}) == "x"  # a second `x` in the same function
    assert demangle("v_x_2", {"v_x_2"}) == "x_2"  # a variable really called x_2
    assert demangle("_t0", {}) is None and demangle("_ctx", {}) is None
    assert format_value("a\"b") == '"a\\"b"' and format_value(True) == "true" and format_value(3) == "3"
    assert format_value(["x", 1]) == '["x", 1]'
    assert format_value("y" * 200).endswith("...") and len(format_value("y" * 200)) == 80


def test_tracer_can_be_reused(tree):
    engine = Engine(tree, load_entry_points=False, on_warning=lambda m: None)
    tracer = LineTracer()
    with tracer.recording():
        engine.execute(small_sale())
    first = len(tracer.resolve(engine))
    tracer.clear()
    with tracer.recording():
        engine.execute(small_sale())
    assert len(tracer.resolve(engine)) == first > 0


def test_structs_loops_and_a_broken_handler(tmp_path):
    folder = tmp_path / "h" / "TicketSave"
    folder.mkdir(parents=True)
    # Hand count: struct header 1 and its fields 2, 3 (set when a Point is made),
    # method header 4 and body 5, then 8-16 and 18; 11 `continue` runs once.
    (folder / "10-struct.crm").write_text(textwrap.dedent("""\
        struct Point {
          Integer x;
          Integer y;
          Integer sum() {
            return this.x + this.y;
          }
        };
        Point p;
        p.x = 2;
        String[] words;
        words.pushBack("a");
        foreach (String w in words) {
          if (w == "b")
            continue;
          print(w);
        }
        ;
        print(p.sum().toString());
    """), encoding="utf-8")
    (folder / "20-broken.crm").write_text("Integer a = 1;\nInteger b = ;\n", encoding="utf-8")
    engine = Engine(tmp_path / "h", load_entry_points=False, on_warning=lambda m: None)
    coverage = LineCoverage()
    with coverage.recording():
        result = engine.execute(EventData(Type="TicketSave"))
    assert "20-broken.crm:2" in result.Exception
    report = coverage.report([engine])
    struct = report.file("TicketSave/10-struct.crm")
    assert struct.executable == [1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 18]
    assert struct.missing == [14]
    broken = report.file("TicketSave/20-broken.crm")
    assert broken.covered == 0 and broken.note.startswith("does not compile")


def test_trace_of_a_long_loop_is_cut(tmp_path):
    folder = tmp_path / "h" / "TicketSave"
    folder.mkdir(parents=True)
    (folder / "10-loop.crm").write_text("Integer n = 0;\nwhile (n < 5000)\n  n++;\n", encoding="utf-8")
    engine = Engine(tmp_path / "h", load_entry_points=False, on_warning=lambda m: None)
    tracer = LineTracer(max_steps=100)
    with tracer.recording():
        engine.execute(EventData(Type="TicketSave"))
    steps = tracer.resolve(engine)
    assert tracer.truncated and len(steps) <= 101
    assert "trace stopped after 100 steps" in render_trace(steps).plain


# ------------------------ regressions found by review (was: tests/test_cli_qa.py)


@pytest.mark.parametrize("broken", [b"Integer x = ;\n", b'print("\xe6");\n'])
def test_coverage_of_a_handler_that_does_not_parse_is_zero_not_a_hundred(seen_tree, tmp_path, broken):
    (seen_tree / "SalesBeforeSaveSale" / "05-broken.crm").write_bytes(broken)
    write_cases(seen_tree, "cases:\n  - name: a\n    expect: {exception: /05-broken/}\n")
    lcov = tmp_path / "cov.info"
    result = invoke_cli("test", str(seen_tree), "--coverage", "--coverage-lcov", str(lcov))
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "05-broken.crm" in line)
    assert "0.0%" in row and "does not compile" in row and "100.0%" not in row
    total = next(line for line in result.stdout.splitlines() if "total" in line)
    assert "100.0%" not in total
    assert "SF:" + str(seen_tree / "SalesBeforeSaveSale" / "05-broken.crm") + "\nDA:1,0\n" in lcov.read_text()


def test_unwritable_coverage_file_is_one_plain_line(seen_tree, tmp_path):
    write_cases(seen_tree, "cases:\n  - name: a\n")
    target = tmp_path / "missing-folder" / ("x" * 80) / "cov.info"  # longer than a terminal line
    result = invoke_cli("test", str(seen_tree), "--coverage-lcov", str(target))
    assert result.exit_code == 2
    using, *last = result.stderr.strip().splitlines()
    assert using.startswith("using handlers: ")
    assert last == [f"crmscript test: cannot write {target}: No such file or directory"], last
