"""`crmscript db`: init, show, tables."""

from __future__ import annotations

import sqlite3

from conftest import invoke_cli


def test_init_writes_a_sqlite_file_that_show_reads(tmp_path):
    fixture = tmp_path / "crm.yaml"
    fixture.write_text('now: "2026-05-04T10:00:00"\nrows:\n  contact:\n    - {name: Acme AS, orgNr: "12"}\n')
    target = tmp_path / "crm.sqlite"
    result = invoke_cli("db", "init", str(target), "--fixture", str(fixture), "--only-used")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as connection:
        assert connection.execute("SELECT name, orgNr FROM contact").fetchall() == [("Acme AS", "12")]
        assert dict(connection.execute("SELECT key, value FROM crmscript_fixture"))["now"] == \
            "2026-05-04T10:00:00+00:00"
    shown = invoke_cli("db", "show", "CONTACT", "--fixture", str(target))
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[1:4] == [" contact_id|name   |orgNr",
                                              "- - - - - - - - - - - - -",
                                              " 1          Acme AS 12   "]


def test_show_the_demo_crm_with_columns_and_where():
    result = invoke_cli("db", "show", "sale", "--columns", "sale_id,heading", "--where", "status=Lost")
    assert result.exit_code == 0
    assert "Warehouse scanners" in result.stdout and result.stdout.endswith("(2 rows)\n")
    listing = invoke_cli("db", "show")
    assert "sale: 12 rows" in listing.stdout.splitlines()


def test_bad_names_and_fixtures_are_usage_errors(tmp_path):
    result = invoke_cli("db", "show", "contcat")
    assert result.exit_code == 2
    assert "unknown table 'contcat' (did you mean 'contact'?)" in result.output
    assert invoke_cli("db", "show", "sale", "--columns", "hedaing").exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("rows:\n  contact:\n    - {nme: x}\n")
    result = invoke_cli("db", "show", "contact", "--fixture", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:3:8: error: table contact has no column 'nme' (did you mean 'name'?)" in result.output


def test_tables_lists_the_schema():
    result = invoke_cli("db", "tables", "ticket_pr")
    assert result.stdout == "ticket_priority (27 fields)\n"
