"""--fixture and --now on run, fire, serve, test and replay; isolation under replay --workers 2."""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import invoke_cli

COUNTER = """\
EventData ed = getEventData();
SearchEngine add;
add.addData("contact.name", "Added by " + ed.getInputValue("n"));
add.insert();
SearchEngine count;
count.addField("contact.contact_id");
ed.setOutputValue("contacts", count.countRows().toString());
ed.setOutputValue("now", getCurrentDateTime().toString());
"""


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "ContactSaved").mkdir()
    (tmp_path / "ContactSaved" / "10-count.crm").write_text(COUNTER)
    crm = tmp_path / "crm.yaml"
    crm.write_text('now: "2026-05-04T10:00:00"\nrows:\n  contact:\n    - {name: One}\n    - {name: Two}\n')
    return tmp_path


def request(n: int) -> str:
    return json.dumps({"EventData": {"Type": "ContactSaved", "InputValues": {"n": str(n)}}})


def test_run_with_fixture_and_now(tree):
    script = tree / "s.crm"
    script.write_text('SearchEngine se; se.addField("contact.name"); print(se.countRows().toString() + " " '
                      '+ getCurrentDateTime().toString());')
    result = invoke_cli("run", str(script), "--fixture", str(tree / "crm.yaml"))
    assert (result.exit_code, result.stdout) == (0, "2 2026-05-04 10:00:00")
    result = invoke_cli("run", str(script), "--fixture", str(tree / "crm.yaml"), "--now", "2027-01-01 08:00")
    assert result.stdout == "2 2027-01-01 08:00:00"
    assert invoke_cli("run", str(script), "--now", "soon").exit_code == 2


def test_fire_uses_the_tree_fixture_by_default(tree):
    (tree / "fixture.yaml").write_text((tree / "crm.yaml").read_text())
    result = invoke_cli("fire", "--handlers", str(tree), input=request(1))
    assert result.exit_code == 0, result.output
    outputs = json.loads(result.stdout)["OutputValues"]
    assert outputs == {"contacts": "3", "now": "2026-05-04 10:00:00"}


def test_a_bad_fixture_runs_nothing(tree):
    bad = tree / "bad.yaml"
    bad.write_text("rows:\n  contact:\n    - {nmae: x}\n")
    for args in (["fire", "--handlers", str(tree)], ["run", str(tree / "ContactSaved" / "10-count.crm")],
                 ["test", str(tree)], ["replay", "-", "--handlers", str(tree)],
                 ["serve", "--handlers", str(tree), "--port", "1"]):
        result = invoke_cli(*args, "--fixture", str(bad), input=request(1))
        assert result.exit_code == 2, (args, result.output)
        assert f"{bad}:3:8: error: table contact has no column 'nmae' (did you mean 'name'?)" in result.output
        assert "contacts" not in result.stdout


def test_test_takes_fixture_and_now(tree):
    (tree / "ContactSaved" / "count.cases.yaml").write_text(textwrap.dedent("""\
        cases:
          - name: counts the fixture's contacts plus one
            input: {n: "1"}
            expect:
              OutputValues: {contacts: "3", now: "2030-01-01 00:00:00"}
              db: {contact: [{name: Added by 1}]}
        """))
    result = invoke_cli("test", str(tree), "--fixture", str(tree / "crm.yaml"), "--now", "2030-01-01")
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.stdout


def test_replay_with_two_workers_keeps_events_apart(tree, tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text("".join(request(n) + "\n" for n in range(40)))
    out = tmp_path / "out.jsonl"
    result = invoke_cli("replay", str(events), "--handlers", str(tree), "--fixture", str(tree / "crm.yaml"),
                    "--workers", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    answers = [json.loads(line)["OutputValues"]["contacts"] for line in out.read_text().splitlines()]
    assert answers == ["3"] * 40  # every event saw the fixture's two contacts and its own insert
