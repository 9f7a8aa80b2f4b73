"""`crmscript replay --baseline`: what changed between two runs, member by member."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.replay import (
    CompareOptions,
    ReplayError,
    ReplayOptions,
    parse_ignore,
    run_replay,
)
from engine.replay.compare import ABSENT, DiffSummary, compare_response, summary_lines
from engine.replay.stats import HandlerTimes, TimingRow, timing_lines, timing_rows

THRESHOLD = 5000
CHECK = """\
EventData ed = getEventData();
Integer amount = ed.getInputValue("amount").toInteger();
if (amount < 0)
  ed.setBlockExecution(true);
ed.setOutputValue("checked", "yes");
"""
# The new version also blocks amounts over THRESHOLD: the planted difference.
CHECK_V2 = CHECK + f"if (amount > {THRESHOLD})\n  ed.setBlockExecution(true);\n"


def make_tree(root: Path, source: str) -> Path:
    folder = root / "SalesBeforeSaveSale"
    folder.mkdir(parents=True)
    (folder / "10-check.crm").write_text(source, encoding="utf-8")
    return root


def request(event_type: str, amount: int) -> str:
    return json.dumps({"EventData": {"Type": event_type, "InputValues": {"amount": str(amount)}}})


@pytest.fixture()
def recording(tmp_path: Path) -> tuple[Path, list[int]]:
    """Events with amounts around the threshold, a few bad and blank lines,
    and a type without handlers; and the line numbers whose answer must change."""
    rng = random.Random(17)
    lines, changed = [], []
    for number in range(1, 1201):
        if number % 97 == 0:
            lines.append("{broken")
        elif number % 89 == 0:
            lines.append("")
        elif number % 7 == 0:
            lines.append(request("TicketSave", rng.randrange(10_000)))
        else:
            amount = rng.randrange(-500, 10_000)
            lines.append(request("SalesBeforeSaveSale", amount))
            if amount > THRESHOLD:
                changed.append(number)
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, changed


def replay_to(path: Path, events: Path, tree: Path, *args: str):
    return CliRunner().invoke(app, ["replay", str(events), "--handlers", str(tree), "--out", str(path), *args])


def test_baseline_finds_exactly_the_planted_differences(tmp_path, recording):
    events, changed = recording
    old, new = make_tree(tmp_path / "v1", CHECK), make_tree(tmp_path / "v2", CHECK_V2)
    baseline = tmp_path / "baseline.jsonl"
    assert replay_to(baseline, events, old, "--timings").exit_code == 1  # the bad lines
    result = replay_to(tmp_path / "current.jsonl", events, new, "--baseline", str(baseline), "--workers", "2",
                       "--partition-size", "3k", "--show", "3")
    assert result.exit_code == 1
    assert len(changed) > 100
    assert f"events compared, {len(changed):,} differ" in result.stderr
    assert f"BlockExecution  {len(changed):>9,} events  ({len(changed):,} false → true)" in result.stderr
    shown = [line.split()[0] for line in result.stderr.splitlines() if line.startswith(f"  {events}:")]
    assert shown == [f"{events}:{number}" for number in changed[:3]]
    assert "- baseline: false" in result.stderr and "+ current:  true" in result.stderr
    assert "base p50" in result.stderr and "SalesBeforeSaveSale/10-check.crm" in result.stderr

    ignored = replay_to(tmp_path / "again.jsonl", events, new, "--baseline", str(baseline), "--ignore",
                        "blockexecution")
    assert ignored.exit_code == 1 and "differ" in ignored.stderr  # exit 1 only for the bad lines here
    assert "events compared, 0 differ" in ignored.stderr


def test_the_same_differences_whatever_the_partitions(tmp_path, recording):
    events, changed = recording
    baseline = tmp_path / "baseline.jsonl"
    run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=make_tree(tmp_path / "v1", CHECK), out=baseline))
    # Blank lines in the baseline are skipped, as in the input.
    baseline.write_text(baseline.read_text().replace("\n", "\n\n", 40), encoding="utf-8")
    new = make_tree(tmp_path / "v2", CHECK_V2)
    found = []
    for workers, size in ((1, 10**6), (2, 500), (2, 4096), (3, 1)):
        summary = run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=new, workers=workers,
                                           partition_bytes=size, baseline=str(baseline),
                                           compare=CompareOptions(shown=1000)), io.BytesIO())
        diff = summary.stats.diff
        found.append((diff.compared, diff.differing, dict(diff.members), dict(diff.flips),
                      [example.line for example in diff.examples]))
    assert found[0][1:] == (len(changed), {"BlockExecution": len(changed)}, {"false → true": len(changed)}, changed)
    assert all(result == found[0] for result in found[1:])


def test_a_shorter_or_longer_baseline_is_a_difference(tmp_path):
    tree = make_tree(tmp_path / "v1", CHECK)
    events = tmp_path / "e.jsonl"
    events.write_text("\n".join(request("SalesBeforeSaveSale", n) for n in range(5)) + "\n", encoding="utf-8")
    full = tmp_path / "full.jsonl"
    replay_to(full, events, tree)
    short = tmp_path / "short.jsonl"
    short.write_text("".join(full.read_text().splitlines(keepends=True)[:3]))
    result = replay_to(tmp_path / "out.jsonl", events, tree, "--baseline", str(short))
    assert result.exit_code == 1 and "2 beyond its last line" in result.stderr
    assert "(no baseline line)" in result.stderr

    longer = tmp_path / "longer.jsonl"
    longer.write_text(full.read_text() * 2)
    result = replay_to(tmp_path / "out.jsonl", events, tree, "--baseline", str(longer))
    assert result.exit_code == 1 and "5 of its lines have no event here" in result.stderr


def test_a_baseline_that_is_not_a_replay_output_is_a_usage_error(tmp_path):
    tree = make_tree(tmp_path / "v1", CHECK)
    events = tmp_path / "e.jsonl"
    events.write_text(request("SalesBeforeSaveSale", 1) + "\n" + request("SalesBeforeSaveSale", 2) + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"Type": "x"}\nnot json\n')
    result = replay_to(tmp_path / "out.jsonl", events, tree, "--baseline", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:2: error: not a response line of a replay" in result.stderr
    missing = replay_to(tmp_path / "out.jsonl", events, tree, "--baseline", str(tmp_path / "none.jsonl"))
    assert missing.exit_code == 2 and "none.jsonl: error: cannot read it" in missing.stderr


def test_compare_response_member_by_member():
    old = {"Type": "T", "BlockExecution": False, "Message": "", "OutputValues": {"a": "1", "gone": "x"},
           "StateValues": {}, "Exception": "", "Timings": {"T/a.crm": 3.0}}
    new = {"Type": "T", "BlockExecution": True, "Message": "hi", "OutputValues": {"a": "2", "new": "y"},
           "StateValues": {}, "Exception": "T/a.crm:1:1: runtime error: boom", "Timings": {"T/a.crm": 9.0}}
    changes = compare_response(new, old)
    assert [(c.label, c.baseline, c.current) for c in changes] == [
        ("BlockExecution", False, True), ("Message", "", "hi"),
        ('OutputValues["a"]', "1", "2"), ('OutputValues["gone"]', "x", ABSENT), ('OutputValues["new"]', ABSENT, "y"),
        ("Exception", "", "T/a.crm:1:1: runtime error: boom")]
    kept = compare_response(new, old, parse_ignore(["message", "OutputValues.a", "Exception"]))
    assert [c.label for c in kept] == ["BlockExecution", 'OutputValues["gone"]', 'OutputValues["new"]']
    summary = DiffSummary()
    summary.record("e.jsonl", 4, "T", changes)
    summary.record("e.jsonl", 5, "T", [])
    assert (summary.compared, summary.differing) == (2, 1)
    assert dict(summary.exceptions) == {"new": 1} and dict(summary.flips) == {"false → true": 1}
    text = "\n".join(summary_lines(summary, "old.jsonl"))
    assert "keys changed: a (1)" in text and "keys added: new (1)" in text and "keys removed: gone (1)" in text


def test_bad_lines_compare_by_their_problem_not_by_how_the_file_was_named():
    old = {"Error": "events.jsonl:3: malformed JSON", "File": "events.jsonl", "Line": 3}
    same = {"Error": "./events.jsonl:3: malformed JSON", "File": "./events.jsonl", "Line": 3}
    assert compare_response(same, old) == []
    fixed = {"Type": "T", "BlockExecution": False}
    assert [c.member for c in compare_response(fixed, old)] == ["Error"]


def test_ignore_names_are_checked():
    assert parse_ignore(["message", "OUTPUTVALUES.Key"]) == {"Message", "OutputValues.Key"}
    with pytest.raises(ReplayError, match="did you mean 'Message'"):
        parse_ignore(["Mesage"])
    with pytest.raises(ReplayError, match="only InputValues, OutputValues, StateValues have keys"):
        parse_ignore(["Message.x"])
    result = CliRunner().invoke(app, ["replay", "x.jsonl", "--ignore", "Blockexecutoin"])
    assert result.exit_code == 2 and "did you mean 'BlockExecution'" in result.stderr


def test_slower_handlers_are_those_whose_p50_or_p95_grew_past_the_threshold():
    def times(values: dict[str, list[float]]) -> HandlerTimes:
        result = HandlerTimes()
        for handler, seconds in values.items():
            for value in seconds:
                result.add(handler, value)
        return result

    base = times({"T/same.crm": [10e-6] * 100, "T/slow.crm": [10e-6] * 100, "T/tail.crm": [10e-6] * 100,
                  "T/few.crm": [10e-6] * 5})
    now = times({"T/same.crm": [11e-6] * 100, "T/slow.crm": [13e-6] * 100,
                 "T/tail.crm": [10e-6] * 90 + [50e-6] * 10, "T/few.crm": [90e-6] * 5, "T/new.crm": [1e-6] * 50})
    rows = {row.handler: row for row in timing_rows(now, base)}
    assert [h for h, row in rows.items() if row.slower(20)] == ["T/slow.crm", "T/tail.crm"]
    assert rows["T/new.crm"].baseline is None and rows["T/few.crm"].growth(1) is None  # too few runs to tell
    assert isinstance(rows["T/same.crm"], TimingRow) and rows["T/same.crm"].growth(1) == pytest.approx(1.1, rel=0.03)
    lines = timing_lines(list(rows.values()), 20)
    assert lines[-1].startswith("slower than the baseline by more than 20% (p50 or p95): T/slow.crm (p50 +30%")
