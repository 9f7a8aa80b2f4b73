"""Fixtures (docs/crm.md): the YAML checked against the schema, with exact positions."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest
from crm_helpers import fixture

from engine.crm import FixtureError, demo_fixture, load_fixture
from engine.crm.fixture import parse_fixture
from engine.crm.schema import reference_schema


def error_of(text: str) -> FixtureError:
    with pytest.raises(FixtureError) as caught:
        parse_fixture(textwrap.dedent(text), "crm.yaml")
    return caught.value


def test_the_schema_is_the_reference_with_its_attribution():
    schema = reference_schema()
    assert len(schema.table_names()) == 495
    assert schema.source["repository"] == "https://github.com/SuperOfficeDocs/database"
    assert len(schema.source["commit"]) == 40
    contact = schema.table("CONTACT")  # names match ignoring case
    assert contact.key.name == "contact_id"
    assert contact.column("ORGNR").name == "orgNr"
    assert schema.table("sale").column("contact_id").ref == "contact"
    assert schema.enums["TicketBaseStatus"]["Postponed"] == 3


def test_an_unknown_column_is_named_at_its_key_with_a_suggestion():
    error = error_of("""\
        now: "2026-05-04T10:00:00"
        rows:
          contact:
            - {contact_id: 1, name: Acme AS}
            - {contact_id: 2, nmae: Beta}
        """)
    assert str(error) == "crm.yaml:5:23: error: table contact has no column 'nmae' (did you mean 'name'?)"


def test_an_unknown_table_is_named_with_a_suggestion():
    error = error_of("""\
        rows:
          contcat:
            - {contact_id: 1}
        """)
    assert (error.line, error.column) == (2, 3)
    assert "unknown table 'contcat' (did you mean 'contact'?)" in error.message


def test_a_value_of_the_wrong_type_is_named_at_the_value():
    error = error_of("""\
        rows:
          sale:
            - {sale_id: 1, amount: lots}
        """)
    assert (error.line, error.column) == (3, 28)
    assert "sale.amount: 'lots' is not a Float" in error.message
    error = error_of("rows:\n  person:\n    - {person_id: 1, contact_id: Acme}\n")
    assert "person.contact_id: 'Acme' is not a reference to contact (a number)" in error.message


def test_enum_columns_take_numbers_and_documented_names():
    loaded = fixture("""\
        rows:
          ticket:
            - {id: 1, status: Postponed, slevel: external}
            - {id: 2, status: 2}
        """)
    assert [(row["status"], row.get("slevel")) for row in loaded.rows["ticket"]] == [(3, 2), (2, None)]
    error = error_of("rows:\n  ticket:\n    - {id: 1, status: Sleeping}\n")
    assert "'Sleeping' is not a value of enum TicketBaseStatus: Unknown (0), Active (1)" in error.message


def test_text_keeps_what_was_written_and_dates_are_normalised():
    loaded = fixture("""\
        rows:
          contact:
            - {contact_id: 1, orgNr: 007, name: 1.50, registered: 2026-05-04}
            - {contact_id: 2, name: ~, registered: "2026-05-04T10:30"}
        """)
    first, second = loaded.rows["contact"]
    assert (first["orgNr"], first["name"], first["registered"]) == ("007", "1.50", "2026-05-04 00:00:00")
    assert (second["name"], second["registered"]) == (None, "2026-05-04 10:30:00")


def test_rows_without_a_key_get_the_next_free_ids_and_a_repeated_key_is_an_error():
    loaded = fixture("rows:\n  contact:\n    - {name: A}\n    - {contact_id: 1, name: B}\n    - {name: C}\n")
    assert [(r["contact_id"], r["name"]) for r in loaded.rows["contact"]] == [(2, "A"), (1, "B"), (3, "C")]
    error = error_of("rows:\n  contact:\n    - {contact_id: 4}\n    - {contact_id: 4}\n")
    assert (error.line, error.message) == (4, "a second contact row with contact_id 4 (the first is on line 3)")


@pytest.mark.parametrize("text, where, message", [
    ("rows: [1, 2]\n", (1, 7), "rows is a mapping {table: [row, ...]}"),
    ("row:\n  contact: []\n", (1, 1), "unknown key 'row' (did you mean 'rows'?)"),
    ("now: someday\n", (1, 6), "now: 'someday' is not a date or date-time"),
    ("timezone: Europe/Olso\n", (1, 11), "'Europe/Olso' is not a known time zone"),
    ("rows:\n  contact:\n    - {contact_id: 1, contact_id: 2}\n", (3, 23), "'contact_id' is written twice"),
    ("rows:\n  contact: {name: x}\n", (2, 12), "the rows of contact are a list of mappings"),
    ("rows:\n  contact:\n    - {name: [a, b]}\n", (3, 14), "contact.name must be a single value, not a list"),
    ("rows:\n  ejuser:\n    - {id: 1}\nuser: 2\n", (4, 7), "user: there is no ejuser row with id 2"),
    ("rows: {contact: [\n", (2, 1), "not valid YAML"),
    ("rows:\n  contact:\n    - {x_vip: true}\n", (3, 8), "table contact has no column 'x_vip'"),
    ("schema:\n  contact: {vip: Bool}\n", (2, 13), "an extra field's name starts with x_"),
    ("schema:\n  contact: {x_vip: Boolish}\n", (2, 20), "unknown type 'Boolish'"),
    ("schema:\n  equipment: {x_a: String}\n", (2, 3), "an extra table's name starts with y_"),
])
def test_a_bad_fixture_is_an_error_at_its_place(text, where, message):
    error = error_of(text)
    assert (error.line, error.column) == where
    assert message in error.message
    assert str(error).startswith(f"crm.yaml:{where[0]}:{where[1]}: error: ")


def test_extra_tables_and_fields():
    loaded = fixture("""\
        schema:
          contact: {x_vip: Bool}
          y_equipment: {x_label: String, x_contact: FK contact}
        rows:
          contact:
            - {contact_id: 1, x_vip: yes}
          y_equipment:
            - {x_label: Router, x_contact: 1}
        """)
    assert loaded.rows["contact"][0]["x_vip"] == 1
    assert loaded.rows["y_equipment"] == [{"x_label": "Router", "x_contact": 1, "id": 1}]
    assert loaded.schema.table("y_equipment").column("x_contact").ref == "contact"
    assert not reference_schema().table("contact").has_column("x_vip")  # the reference is untouched


def test_now_and_timezone_make_the_clock_start():
    loaded = fixture('now: "2026-05-04T10:00:00"\ntimezone: Europe/Oslo\nuser: 0\n')
    assert loaded.now == dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)  # Oslo is UTC+2 in May
    assert fixture('now: "2026-05-04T10:00:00Z"\ntimezone: Europe/Oslo\n').now.hour == 10
    assert fixture("rows: {}\n").now is None


def test_an_empty_file_is_an_empty_crm(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert load_fixture(path).rows == {}


def test_a_missing_or_binary_file_is_a_fixture_error(tmp_path):
    with pytest.raises(FixtureError, match="cannot read the fixture"):
        load_fixture(tmp_path / "nope.yaml")
    binary = tmp_path / "x.yaml"
    binary.write_bytes(b"\xff\xfe rows")
    with pytest.raises(FixtureError, match="not UTF-8"):
        load_fixture(binary)


def test_the_demo_crm_loads_and_holds_what_the_docs_load():
    demo = demo_fixture()
    rows = demo.rows
    assert demo.user == 3 and demo.now is None
    assert {r["id"] for r in rows["ticket"]} >= {1, 2, 3, 7}
    assert {r["id"] for r in rows["ejuser"]} >= {2, 8}
    assert [(r["sale_id"], r["heading"], r["amount"]) for r in rows["sale"][:2]] == \
        [(1, "SalgAAAA", 500.0), (2, "SalgFAAF", 220000.0)]
    assert {r["status"] for r in rows["sale"]} == {1, 2, 3, 4}  # open, sold, lost, stalled
    assert len(rows["contact"]) >= 20 and len(rows["person"]) >= 30
    for table in ("project", "appointment", "document", "ej_category", "ticket_priority", "ticket_status",
                  "associate", "SaleType", "ProjStatus"):
        assert rows[table], table
