"""`crmscript fire`: request in, response body out (byte for byte response_json)."""

import json
from pathlib import Path

import pytest
from conftest import assert_one_clean_line, invoke_cli
from test_chain import make_tree
from typer.testing import CliRunner

from engine.chain import Engine
from engine.cli import app
from engine.cli.common import DEFAULT_HANDLERS
from engine.eventdata import DOCUMENTED_MEMBERS, event_from_request, response_json

SEED = Path("/work/shared/seed/ExecuteEventHandlers.md")

# The seed page's sample request body (its shape; the values are ours).
SAMPLE_REQUEST = {
    "EventData": {
        "Type": "ChatAfterSaveNewMessage",
        "InputValues": {"InputValues1": "first", "InputValues2": "second"},
        "BlockExecution": True,
        "NavigateTo": "somewhere",
        "Message": "hello",
        "OutputValues": {"OutputValues1": "o1", "OutputValues2": "o2"},
        "StateValues": {"StateValues1": "s1", "StateValues2": "s2"},
        "Exception": "earlier",
    }
}


def run_fire(args, stdin=None):
    return CliRunner().invoke(app, ["fire", *args], input=stdin)


def test_seed_sample_request_returns_every_documented_member(tmp_path):
    request = tmp_path / "request.json"
    request.write_text(json.dumps(SAMPLE_REQUEST))
    result = run_fire([str(request)])
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert tuple(body) == DOCUMENTED_MEMBERS
    assert body["TableRight"] == {"Mask": "", "Reason": ""}
    assert body["FieldProperties"] == {}
    for name in ("InputValues", "OutputValues", "StateValues"):
        assert isinstance(body[name], dict)
    assert isinstance(body["BlockExecution"], bool)
    # the default tree's chat router ran: it routes only customer messages
    assert body["OutputValues"] == {"OutputValues1": "o1", "OutputValues2": "o2", "route": "none"}
    assert body["Exception"] == ""  # the request's value is not a failure of this chain
    # the made-up input keys are warned about on stderr, never in the body
    assert "'InputValues1' is never sent by ChatAfterSaveNewMessage" in result.stderr
    assert "never sent" not in result.stdout


@pytest.mark.skipif(not SEED.exists(), reason="seed page not present")
def test_the_seed_pages_own_request_text(tmp_path):
    text = SEED.read_text()
    start = text.index("```http!")
    block = text[start:text.index("```", start + 3)]
    body = block[block.index("{"):block.rindex("}") + 1]
    result = run_fire([], stdin=body)
    assert result.exit_code == 0, result.stderr
    assert tuple(json.loads(result.stdout)) == DOCUMENTED_MEMBERS


def test_stdout_is_byte_for_byte_response_json(tmp_path):
    body = json.dumps({"EventData": {"Type": "SalesBeforeSaveSale",
                                     "InputValues": {"SaleEntity.Amount": "-5", "OurCurrency": "NOK"}}})
    result = run_fire(["--handlers", str(DEFAULT_HANDLERS), "-"], stdin=body)
    expected = response_json(Engine(DEFAULT_HANDLERS, on_warning=lambda m: None).execute(event_from_request(body)))
    assert result.stdout_bytes == expected.encode("utf-8")
    assert json.loads(result.stdout)["BlockExecution"] is True


def test_trace_shows_handlers_times_and_output_on_stderr(tmp_path):
    make_tree(tmp_path, {"TicketSave/1-hello.crm": 'printLine("hello from one");\n',
                         "TicketSave/2-quiet.crm": 'getEventData().setMessage("m");\n'})
    result = run_fire(["--handlers", str(tmp_path), "--trace"], stdin='{"EventData": {"Type": "TicketSave"}}')
    assert result.exit_code == 0
    using, *lines = result.stderr.splitlines()
    assert using == f"using handlers: {tmp_path}"
    assert lines[0].startswith("trace: TicketSave/1-hello.crm [id 1] ok ") and lines[0].endswith(" ms")
    assert lines[1] == "trace:   | hello from one"
    assert lines[2].startswith("trace: TicketSave/2-quiet.crm [id 2] ok ")
    assert "hello from one" not in result.stdout
    assert json.loads(result.stdout)["Message"] == "m"


def test_trace_shows_each_executed_line_with_its_variables(tmp_path):
    make_tree(tmp_path, {"TicketSave/1-count.crm": (
        "Integer total = 0;\n"
        "for (Integer i = 1; i <= 2; i++) {\n"
        "  total += i;\n"
        "}\n"
        "if (total > 100) {\n"
        "  printLine(\"never\");\n"
        "}\n")})
    result = run_fire(["--handlers", str(tmp_path), "--trace"], stdin='{"EventData": {"Type": "TicketSave"}}')
    assert result.exit_code == 0, result.stderr
    assert "total = 0" in result.stderr
    assert "total = 1" in result.stderr and "total = 3" in result.stderr
    assert "printLine" not in result.stderr  # line 6 never ran, so it is not in the trace


def test_failing_handler_exits_1_with_the_body(tmp_path):
    make_tree(tmp_path, {"TicketSave/1.crm": 'throw "bad";\n'})
    result = run_fire(["--handlers", str(tmp_path)], stdin='{"EventData": {"Type": "TicketSave"}}')
    assert result.exit_code == 1
    assert json.loads(result.stdout)["Exception"].startswith("TicketSave/1.crm:1:1: ")


@pytest.mark.parametrize("body, words", [
    ('{"EventData": {"InputValues": {"amount": 12}}}', "EventData.InputValues.amount"),
    ('{"EventData": {"BlockExecution": "yes"}}', "EventData.BlockExecution"),
    ('{"EventData": ', "malformed JSON"),
    ('{"Type": "TicketSave"}', '"EventData" member'),
])
def test_bad_input_exits_2_naming_the_problem(body, words):
    result = run_fire([], stdin=body)
    assert result.exit_code == 2
    assert words in result.stderr and result.stdout == ""
    assert "Traceback" not in result.stderr


def test_missing_request_file_exits_2(tmp_path):
    result = run_fire([str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "cannot read request" in result.stderr


def test_events_scripts_lists_handler_ids(tmp_path):
    make_tree(tmp_path, {"TicketSave/b.crm": "", "TicketSave/a.crm": ""})
    result = CliRunner().invoke(app, ["events", "--scripts", "--handlers", str(tmp_path), "--json"])
    rows = [r for r in json.loads(result.stdout) if r["origin"] == "tree"]
    assert [(r["id"], r["name"]) for r in rows] == [(1, "TicketSave/a.crm"), (2, "TicketSave/b.crm")]
    table = CliRunner().invoke(app, ["events", "--scripts", "--handlers", str(tmp_path)])
    assert table.exit_code == 0 and "TicketSave/a.crm" in table.stdout


# ------------------------ regressions found by review (was: tests/test_cli_qa.py)


def test_fire_unreadable_request_has_no_zero_position(tmp_path):
    assert_one_clean_line(invoke_cli("fire", str(tmp_path / "missing.json")), "missing.json: ", "cannot read request")


def test_events_shows_the_input_keys_of_one_trigger():
    import json

    result = invoke_cli("events", "SalesBeforeSaveSale")
    assert result.exit_code == 0, result.output
    assert "id 1008" in result.stdout and "\n  SaleEntity.Amount\n" in result.stdout
    keys = json.loads(invoke_cli("events", "SalesBeforeSaveSale", "--json").stdout)["input_keys"]
    assert "SaleEntity.Amount" in keys
    assert_one_clean_line(invoke_cli("events", "SalesBeforeSaveSael"), "did you mean SalesBeforeSaveSale?")


def test_fire_without_a_request_at_a_terminal_says_what_to_give_instead_of_waiting(monkeypatch):
    import io
    import sys

    from engine.cli.common import describe
    from engine.cli.fire import _read_request
    from engine.errors import CRMScriptError

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(CRMScriptError) as caught:
        _read_request(None)
    assert describe(caught.value).startswith("crmscript fire: error: no request: give a REQUEST.json file")
