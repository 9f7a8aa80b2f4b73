"""HTTP and mail in case files: a case's `http:` recordings, `expect: http:`, `expect: outbox:`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.testing.diff import render
from engine.testing.model import CaseFileError, load_case_file
from engine.testing.runner import CaseRunner

HANDLER = """\
EventData ed = getEventData();
HTTP h;
h.addHeader("X-Event", "ticket");
h.setOption("parameters", " {\\"id\\": " + ed.getInputValue("ticketId") + "}");
Byte[] b = h.post("https://hooks.example.com/ticket");
ed.setOutputValue("status", h.getValue("statusCode"));
ed.setOutputValue("answer", String(b));
if (h.hasError()) {
  Email e;
  e.setValue("to", "ops@example.com");
  e.setValue("subject", "hook failed");
  e.send();
}
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "TicketClosed").mkdir()
    (tmp_path / "TicketClosed" / "10-hook.crm").write_text(HANDLER)
    (tmp_path / "crm.yaml").write_text(textwrap.dedent("""\
        http:
          - request: {method: POST, url: "https://hooks.example.com/ticket"}
            response: {status: 200, body: from the fixture}
        """))
    return tmp_path


def run_cases(tree: Path, text: str):
    path = tree / "TicketClosed" / "hook.cases.yaml"
    path.write_text(textwrap.dedent(text))
    return CaseRunner().run_all(load_case_file(path))


def test_a_cases_recordings_answer_before_the_fixtures_and_calls_and_mail_are_asserted(tree: Path):
    results = run_cases(tree, """\
        fixture: ../crm.yaml
        cases:
          - name: from the fixture
            input: {ticketId: "1"}
            expect:
              OutputValues: {status: "200", answer: from the fixture}
              http: [{method: POST, url: "https://hooks.example.com/ticket", headers: {x-event: ticket}, body: {id: 1}}]
              outbox: []
          - name: the case's own answer
            input: {ticketId: "2"}
            http:
              - request: {method: POST, url: "https://hooks.example.com/ticket", body: '/"id": 2/'}
                response: {status: 503, body: busy}
            expect:
              OutputValues: {status: "503", answer: busy}
              outbox: [{kind: mail, to: ops@example.com, subject: /failed/}]
        """)
    assert [(r.case.name, r.status, r.mismatches) for r in results] == [
        ("from the fixture", "passed", []), ("the case's own answer", "passed", [])]


def test_failing_http_and_outbox_expectations_show_what_happened(tree: Path):
    [result] = run_cases(tree, """\
        cases:
          - name: no recording
            input: {ticketId: "3"}
            expect:
              http:
                - {method: GET, url: "https://hooks.example.com/ticket"}
              outbox: []
        """)
    assert result.status == "failed"
    diff = render(result.mismatches).plain
    assert "http (line 6)\n      - expected: a call GET https://hooks.example.com/ticket\n" \
           '      + actual:   POST https://hooks.example.com/ticket body {"id": 3}\n' in diff
    assert "outbox  (outbox: [] means none)\n      - expected: nothing sent\n" \
           "      + actual:   {kind: mail, sender: Email.send, to: [ops@example.com], subject: hook failed}" in diff
    assert any("no recording answers POST https://hooks.example.com/ticket" in line for line in result.outcome.logged)


def test_calls_are_expected_in_order(tree: Path):
    (tree / "TicketClosed" / "20-second.crm").write_text('HTTP h; h.get("https://hooks.example.com/after");\n')
    [result] = run_cases(tree, """\
        cases:
          - name: order
            input: {ticketId: "4"}
            expect:
              http:
                - {method: GET, url: "https://hooks.example.com/after"}
                - {method: POST, url: "https://hooks.example.com/ticket"}
        """)
    assert [(m.field, m.note) for m in result.mismatches] == [("http (line 7)", "made earlier, out of order")]


@pytest.mark.parametrize("entry, where, message", [
    ("http: [{request: {method: GET}}]", "5:22", "an http request needs a url"),
    ("http: [{request: {url: x}, response: {status: 42}}]", "5:51", "status '42' is not an HTTP status"),
    ("expect: {http: [{url: x, verb: GET}]}", "5:30", "unknown key 'verb' in an http request"),
    ("expect: {outbox: [to]}", "5:23", "an outbox entry is a mapping"),
])
def test_bad_http_entries_are_case_file_errors_at_their_place(tree: Path, entry: str, where: str, message: str):
    path = tree / "TicketClosed" / "hook.cases.yaml"
    path.write_text(f"cases:\n  - name: bad\n    input: {{ticketId: \"1\"}}\n    # here\n    {entry}\n")
    with pytest.raises(CaseFileError) as caught:
        load_case_file(path)
    assert f"{caught.value.line}:{caught.value.column}" == where and message in caught.value.message
