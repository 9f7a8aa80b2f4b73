"""`crmscript replay`: responses in input order, bad lines reported and skipped, workers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.chain import Engine
from engine.cli import app
from engine.eventdata import EventData, response_dict
from engine.testing.replay import replay

HANDLER = """\
EventData ed = getEventData();
Integer amount = ed.getInputValue("amount").toInteger();
if (amount > 1000)
  ed.setBlockExecution(true);
if (amount == 13)
  throw "unlucky";
ed.setOutputValue("double", (amount * 2).toString());
"""


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "handlers" / "SalesBeforeSaveSale"
    folder.mkdir(parents=True)
    (folder / "10-double.crm").write_text(HANDLER, encoding="utf-8")
    return tmp_path / "handlers"


def request(amount: int) -> str:
    return json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": str(amount)}}})


def test_responses_match_the_engine_line_by_line_with_bad_lines_in_place(tree):
    lines = [request(5), request(2000), "{not json", "", request(13),
             json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": 7}}}), request(1)]
    out = io.StringIO()
    summary = replay(lines, out, tree, workers=1, chunk_lines=2)
    responses = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(responses) == 6  # the blank line is skipped, every other line answered

    engine = Engine(tree, load_entry_points=False, on_warning=lambda m: None)
    expected_ok = [engine.execute(EventData.model_validate(json.loads(lines[i])["EventData"])) for i in (0, 1, 4, 6)]
    assert [responses[i] for i in (0, 1, 3, 5)] == [response_dict(e) for e in expected_ok]
    assert responses[0]["OutputValues"] == {"double": "10"}
    assert responses[2] == {"Error": responses[2]["Error"], "Line": 3} and "malformed JSON" in responses[2]["Error"]
    assert responses[4]["Line"] == 6 and "InputValues.amount" in responses[4]["Error"]
    assert (summary.count, summary.blocked, summary.exceptions) == (4, 1, 1)
    assert [number for number, _ in summary.bad_lines] == [3, 6]


def test_two_workers_give_the_same_output_in_the_same_order(tree):
    lines = [request(amount) for amount in range(0, 3000, 7)] + ["[]"]
    one, two = io.StringIO(), io.StringIO()
    first = replay(lines, one, tree, workers=1)
    second = replay(lines, two, tree, workers=2, chunk_lines=10)
    assert one.getvalue() == two.getvalue()
    assert (second.count, second.blocked, len(second.bad_lines)) == (first.count, first.blocked, 1) == (429, 286, 1)
    assert second.workers == 2 and second.events_per_second > 0


def test_cli_writes_the_file_and_a_summary(tree, tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join([request(1), "oops", request(5000)]) + "\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(app, ["replay", str(events), "--handlers", str(tree), "--workers", "2", "--out", str(out)])
    assert result.exit_code == 1  # a bad line
    assert f"{events}:2: bad request: malformed JSON" in result.output
    assert "2 events, 1 blocked, 0 with exceptions, 1 bad lines" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line).get("BlockExecution") for line in lines] == [False, None, True]


def test_cli_usage_errors(tree, tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["replay", str(tmp_path / "missing.jsonl"), "--handlers", str(tree)]).exit_code == 2
    events = tmp_path / "e.jsonl"
    events.write_text(request(1) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["replay", str(events), "--handlers", str(tmp_path / "nope")]).exit_code == 2
    assert runner.invoke(app, ["replay", str(events), "--workers", "0"]).exit_code == 2
    ok = runner.invoke(app, ["replay", str(events), "--handlers", str(tree)])
    assert ok.exit_code == 0 and '"double": "2"' in ok.output


def test_lone_surrogates_are_a_bad_line_and_non_ascii_survives_a_utf8_output_file(tree, tmp_path):
    # Since 4a4ba14 every reader of a request body (API, fire, replay) refuses
    # a lone UTF-16 surrogate escape, naming the field: here one bad line.
    lines = ['{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": "1", "note": "\\ud800"}}}',
             json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": "2", "note": "blåbær"}}},
                        ensure_ascii=False)]
    target = tmp_path / "out.jsonl"
    with target.open("w", encoding="utf-8") as out:
        summary = replay(lines, out, tree)
    assert summary.count == 1 and [number for number, _ in summary.bad_lines] == [1]
    assert "InputValues.note" in summary.bad_lines[0][1]
    first, second = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(first)["Line"] == 1
    assert "blåbær" in second
