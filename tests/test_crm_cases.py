"""Case files with a CRM: `fixture:`, `rows:` and `expect: db:`."""

from __future__ import annotations

import textwrap

import pytest

from engine.testing.diff import render
from engine.testing.model import CaseFileError, load_case_file
from engine.testing.runner import CaseRunner

HANDLER = """\
EventData ed = getEventData();
SearchEngine se;
se.addData("ticket.status", "Closed");
se.addCriteria("ticket.id", "OperatorEquals", ed.getInputValue("ticketId"));
se.update();
SearchEngine log;
log.addData("ticket_log.ticket_id", ed.getInputValue("ticketId"));
log.insert();
SearchEngine count;
count.addField("ticket.id");
ed.setOutputValue("tickets", count.countRows().toString());
"""


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "TicketClosed").mkdir()
    (tmp_path / "TicketClosed" / "10-close.crm").write_text(HANDLER)
    (tmp_path / "crm.yaml").write_text(textwrap.dedent("""\
        now: "2026-05-04T10:00:00"
        rows:
          ticket:
            - {id: 1, title: Printer, status: Active}
            - {id: 2, title: Spam, status: Active}
        """))
    return tmp_path


def write_cases(tree, text: str):
    path = tree / "TicketClosed" / "close.cases.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def run_cases(path):
    runner = CaseRunner()
    return [runner.run(case) for case in load_case_file(path)]


def test_fixture_rows_and_db_expectations(tree):
    path = write_cases(tree, """\
        fixture: ../crm.yaml
        cases:
          - name: closes the ticket and logs it
            input: {ticketId: "1"}
            expect:
              OutputValues: {tickets: "2"}
              db:
                ticket:
                  - {id: 1, status: Closed}
                  - {id: 2, status: Active}
                  - {title: Printer, status: Active, absent: true}
                ticket_log: {count: 1, rows: [{ticket_id: 1}]}
          - name: rows on top of the fixture
            input: {ticketId: "3"}
            rows:
              ticket:
                - {id: 3, title: Extra}
                - {id: 2, title: Renamed}
            expect:
              OutputValues: {tickets: "3"}
              db:
                ticket: [{id: 3, status: Closed}, {id: 2, title: Renamed, status: Active}]
          - name: the next case starts from the fixture again
            input: {ticketId: "2"}
            expect:
              db:
                ticket: [{id: 1, status: Active}, {id: 3, absent: true}]
                ticket_log: {count: 1}
        """)
    results = run_cases(path)
    assert [(r.status, r.error) for r in results] == [("passed", None)] * 3, \
        [render(r.mismatches).plain for r in results]


def test_a_failing_db_expectation_shows_what_is_there(tree):
    path = write_cases(tree, """\
        fixture: ../crm.yaml
        cases:
          - name: wrong expectations
            input: {ticketId: "1"}
            expect:
              db:
                ticket:
                  - {id: 1, status: Active}
                  - {id: 2, absent: true}
                  - {title: Nothing}
                ticket_log: {count: 3}
        """)
    [result] = run_cases(path)
    assert result.status == "failed"
    assert render(result.mismatches).plain.splitlines() == [
        "    db ticket (line 8)",
        '      - expected: "a row {id: 1, status: 1}"',
        '      + actual:   "id 1 has {status: 2}"',
        "    db ticket (line 9)  (absent: true)",
        '      - expected: "no row {id: 2}"',
        '      + actual:   "1 row {id: 2}"',
        "    db ticket (line 10)",
        '      - expected: "a row {title: Nothing}"',
        '      + actual:   "no such row (2 rows in ticket)"',
        "    db ticket_log",
        '      - expected: "3 rows"',
        '      + actual:   "1 row"',
    ]


def test_the_clock_is_the_case_fixtures(tree):
    (tree / "TicketClosed" / "20-clock.crm").write_text(
        'getEventData().setOutputValue("now", getCurrentDateTime().toString());')
    path = write_cases(tree, """\
        fixture: ../crm.yaml
        cases:
          - name: clock
            input: {ticketId: "1"}
            expect: {OutputValues: {now: "2026-05-04 10:00:00"}}
        """)
    assert [r.status for r in run_cases(path)] == ["passed"]


@pytest.mark.parametrize("text, where, message", [
    ("fixture: ../crm.yaml\ncases:\n  - name: x\n    rows: {ticket: [{titel: x}]}\n", (4, 22),
     "table ticket has no column 'titel' (did you mean 'title'?)"),
    ("fixture: ../crm.yaml\ncases:\n  - name: x\n    expect: {db: {tickets: [{id: 1}]}}\n", (4, 19),
     "unknown table 'tickets' (did you mean 'ticket'?)"),
    ("fixture: ../crm.yaml\ncases:\n  - name: x\n    expect: {db: {ticket: [{status: Gone}]}}\n", (4, 37),
     "ticket.status: 'Gone' is not a value of enum TicketBaseStatus"),
    ("fixture: ../nope.yaml\ncases:\n  - name: x\n", (0, 0), "cannot read the fixture"),
])
def test_bad_rows_and_expectations_are_errors_at_their_place(tree, text, where, message):
    path = write_cases(tree, text)
    with pytest.raises(CaseFileError) as caught:  # a broken case file: the others still run
        load_case_file(path)
    assert (caught.value.line, caught.value.column) == where
    assert message in caught.value.message
    if where[0]:
        assert str(caught.value).startswith(f"{path}:{where[0]}:{where[1]}: error: ")
