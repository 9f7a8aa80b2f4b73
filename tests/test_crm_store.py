"""The store: every run starts from the fixture's state; the clock and the
fixture reach runs, chains and engines."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading

import pytest
from crm_helpers import fixture, printed

import engine
from engine.crm import FixtureError, Session, load_fixture
from engine.crm.store import write_sqlite

CRM = fixture("""\
    now: "2026-05-04T10:00:00"
    timezone: Europe/Oslo
    rows:
      contact:
        - {contact_id: 1, name: Acme AS}
    """)

COUNT = 'SearchEngine se; se.addField("contact.name"); print(se.countRows().toString());'
INSERT = 'SearchEngine se; se.addData("contact.name", "New"); se.insert();'


def names(session: Session) -> list[str]:
    return [name for (name,) in session.database.execute("SELECT name FROM contact ORDER BY contact_id")]


def test_a_session_gives_its_writes_back():
    first = Session(CRM)
    first.database.begin_write()
    first.database.execute("INSERT INTO contact (name) VALUES ('Beta')")
    assert names(first) == ["Acme AS", "Beta"]
    second = Session(CRM)  # at the same time: its own copy
    assert names(second) == ["Acme AS"]
    first.close()
    second.close()
    again = Session(CRM)
    assert names(again) == ["Acme AS"]
    again.close()


def test_a_table_made_during_a_write_is_made_again_for_the_next_run():
    session = Session(CRM)
    session.database.begin_write()
    session.database.execute("DELETE FROM contact")
    session.database.ensure_table(CRM.schema.table("ticket"))  # the fixture has no ticket rows
    session.database.execute("INSERT INTO ticket (title) VALUES ('x')")
    session.close()
    after = Session(CRM)
    assert after.database.execute("SELECT count(*) FROM ticket").fetchone() == (0,)
    assert names(after) == ["Acme AS"]
    after.close()


def test_runs_are_isolated_and_a_chain_shares_one_copy(tmp_path):
    (tmp_path / "ContactSaved").mkdir()
    (tmp_path / "ContactSaved" / "10-add.crm").write_text(INSERT)
    (tmp_path / "ContactSaved" / "20-count.crm").write_text(
        'SearchEngine se; se.addField("contact.name"); '
        'getEventData().setOutputValue("count", se.countRows().toString());')
    eng = engine.Engine(tmp_path, fixture=CRM, load_entry_points=False, on_warning=lambda m: None)
    for _ in range(3):
        out = eng.execute(engine.EventData(Type="ContactSaved"))
        assert (out.Exception, out.OutputValues) == ("", {"count": "2"})
    assert printed(COUNT, CRM) == "1"


def test_threads_each_get_their_own_copy():
    barrier = threading.Barrier(4)
    seen: list[int] = []

    def worker() -> None:
        session = Session(CRM)
        session.database.begin_write()
        session.database.execute("INSERT INTO contact (name) VALUES ('mine')")
        barrier.wait()
        seen.append(len(names(session)))
        session.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [2, 2, 2, 2]


def test_the_fixture_is_the_clock_and_now_overrides_it(tmp_path):
    source = "printLine(getCurrentDateTime().toString()); sleep(90); printLine(getCurrentTime().toString());"
    assert printed(source, CRM) == "2026-05-04 10:00:00\n10:01:30\n"
    (tmp_path / "TicketSave").mkdir()
    (tmp_path / "TicketSave" / "clock.crm").write_text(
        'getEventData().setOutputValue("now", getCurrentDateTime().toString());')
    eng = engine.Engine(tmp_path, fixture=CRM, load_entry_points=False)
    assert eng.execute(engine.EventData(Type="TicketSave")).OutputValues["now"] == "2026-05-04 10:00:00"
    later = engine.Engine(tmp_path, fixture=CRM, load_entry_points=False,
                          now=dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    assert later.execute(engine.EventData(Type="TicketSave")).OutputValues["now"] == "2027-01-02 04:04:05"


def test_the_tree_fixture_is_the_default_and_a_bad_one_stops_the_engine(tmp_path):
    (tmp_path / "TicketSave").mkdir()
    (tmp_path / "TicketSave" / "count.crm").write_text(
        'SearchEngine se; se.addField("contact.name"); '
        'getEventData().setOutputValue("count", se.countRows().toString());')
    eng = engine.Engine(tmp_path, load_entry_points=False, on_warning=lambda m: None)
    assert eng.execute(engine.EventData(Type="TicketSave")).OutputValues["count"] == "20"  # the demo CRM
    (tmp_path / "fixture.yaml").write_text("rows:\n  contact:\n    - {name: Only}\n")
    eng = engine.Engine(tmp_path, load_entry_points=False, on_warning=lambda m: None)
    assert eng.execute(engine.EventData(Type="TicketSave")).OutputValues["count"] == "1"
    (tmp_path / "fixture.yaml").write_text("rows:\n  contact:\n    - {nme: Only}\n")
    with pytest.raises(FixtureError, match=r"fixture.yaml:3:8: error: table contact has no column 'nme'"):
        engine.Engine(tmp_path, load_entry_points=False)


def test_script_run_takes_a_fixture_file(tmp_path):
    path = tmp_path / "crm.yaml"
    path.write_text("rows:\n  contact:\n    - {name: A}\n    - {name: B}\n")
    result = engine.compile_script(COUNT).run(fixture=path)
    assert result.output == "2"
    result.context.crm.close()


def test_a_sqlite_fixture_round_trips(tmp_path):
    target = tmp_path / "crm.sqlite"
    tables = write_sqlite(CRM, target)
    assert tables == 495
    with sqlite3.connect(target) as connection:  # any SQLite tool can read and change it
        connection.execute("INSERT INTO contact (name) VALUES ('Added with sqlite3')")
        connection.execute("ALTER TABLE contact ADD COLUMN x_vip INTEGER")
    loaded = load_fixture(target)
    assert loaded.now == CRM.now and loaded.timezone == "Europe/Oslo"
    assert loaded.schema.table("contact").column("x_vip").type_name == "Integer"
    assert printed(COUNT + 'printLine(""); printLine(getCurrentDateTime().toString());', loaded) == \
        "2\n2026-05-04 10:00:00\n"


def test_a_sqlite_file_with_foreign_tables_is_refused(tmp_path):
    target = tmp_path / "other.sqlite"
    with sqlite3.connect(target) as connection:
        connection.execute("CREATE TABLE contacts (id INTEGER)")
    with pytest.raises(FixtureError, match=r"table contacts: not a table of the SuperOffice schema "
                                           r"\(did you mean 'contact'\?\)"):
        load_fixture(target)
