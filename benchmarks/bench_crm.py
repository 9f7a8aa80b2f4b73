"""P5 and the simulated CRM's own costs.

- P5: a trigger that, per event, looks up a contact and its persons by id
  through SearchEngine (two queries, one join: benchmarks/scripts/p5_lookup.crm),
  10,000 events, against hand-written Python doing the same two queries with
  sqlite3 on the same data (a connection to the same database image). Both
  run per event what a trigger run needs: the CRMScript side Script.run with
  a fresh context (its database copy taken on the first query, given back
  after the run), the Python side the two queries and the same outputs.
  Target (issue 13): ratio <= 2, aim 1.5.
- Fixture load: 1,000 rows of YAML checked and built into the store's image
  (schema data already loaded, as in a server). Target: < 0.2 s.
- Reset: a run's copy of the demo CRM taken and given back, after a read and
  after a write. Target: < 100 us.

Timed in turns over several rounds (a noisy neighbour hurts both alike); the
medians are compared.

    .venv/bin/python benchmarks/bench_crm.py [--events N] [--rounds R]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import seconds  # noqa: E402

import engine  # noqa: E402
from engine.crm import Session, demo_fixture, store_of  # noqa: E402
from engine.crm.fixture import parse_fixture  # noqa: E402
from engine.crm.schema import reference_schema  # noqa: E402

HERE = Path(__file__).resolve().parent
CONTACTS, PERSONS_EACH = 1000, 3


def data_yaml(contacts: int = CONTACTS, persons_each: int = PERSONS_EACH) -> str:
    """A fixture of `contacts` companies with `persons_each` persons each."""
    lines = ["rows:", "  contact:"]
    lines += [f"    - {{contact_id: {i}, name: Company {i} AS, orgNr: \"{900000000 + i}\", business_idx: {i % 5}}}"
              for i in range(1, contacts + 1)]
    lines.append("  person:")
    person = 0
    for contact in range(1, contacts + 1):
        for n in range(persons_each):
            person += 1
            lines.append(f"    - {{person_id: {person}, contact_id: {contact}, firstname: First{n}, "
                         f"lastname: Last{contact}}}")
    return "\n".join(lines) + "\n"


def python_twin(connection: sqlite3.Connection, event: engine.EventData) -> None:
    """The same two queries by hand, on a connection to the same database."""
    contact_id = event.InputValues.get("ContactEntity.ContactId", "")
    company = connection.execute("SELECT name, orgNr FROM contact WHERE contact_id = ? ORDER BY contact_id",
                                 (int(contact_id),)).fetchone()
    rows = connection.execute(
        "SELECT p.firstname, p.lastname, c.name FROM person p LEFT OUTER JOIN contact c "
        "ON c.contact_id = p.contact_id WHERE p.contact_id = ? ORDER BY p.person_id", (int(contact_id),)).fetchall()
    names = "".join(f"{first} {last} ({name or ''});" for first, last, name in rows)
    event.OutputValues["Contact.Name"] = f"{company[0]} {company[1]}" if company else " "
    event.OutputValues["Contact.Persons"] = names


def p5(events: int, rounds: int) -> None:
    fixture = parse_fixture(data_yaml(), "p5.yaml")
    script = engine.compile_script((HERE / "scripts" / "p5_lookup.crm").read_text(), "p5_lookup.crm")
    ids = [str(1 + (i * 7919) % CONTACTS) for i in range(events)]
    crm_events = [engine.EventData(Type="ContactSaved", InputValues={"ContactEntity.ContactId": i}) for i in ids]
    py_events = [engine.EventData(Type="ContactSaved", InputValues={"ContactEntity.ContactId": i}) for i in ids]
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.deserialize(store_of(fixture).image())

    def crm() -> None:
        for event in crm_events:
            result = script.run(event, fixture=fixture)
            result.context.crm.close()

    def python() -> None:
        for event in py_events:
            python_twin(connection, event)

    crm()
    python()
    for a, b in zip(crm_events, py_events, strict=True):  # the same answers
        assert a.OutputValues == b.OutputValues, (a.OutputValues, b.OutputValues)
    crm_times, py_times = [], []
    for _ in range(rounds):
        crm_times.append(seconds(crm))
        py_times.append(seconds(python))
    c, p = statistics.median(crm_times), statistics.median(py_times)
    ratio = c / p
    print(f"P5 lookup x {events:,}: CRMScript {c * 1000:.0f} ms ({c / events * 1e6:.1f} us/event), "
          f"Python {p * 1000:.0f} ms ({p / events * 1e6:.1f} us/event), ratio {ratio:.2f} "
          f"(target 2, aim 1.5) {'ok' if ratio <= 2 else 'MISS'}")


def fixture_load(rounds: int) -> None:
    reference_schema()  # loaded once per process (a server pays it at start)
    text = data_yaml(contacts=250, persons_each=3)  # 250 contacts + 750 persons = 1,000 rows
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        loaded = parse_fixture(text, "load.yaml")
        store_of(loaded).image()
        times.append(time.perf_counter() - started)
    best, median = min(times), statistics.median(times)
    print(f"fixture load, {loaded.row_count():,} rows: median {median * 1000:.0f} ms (best {best * 1000:.0f} ms) "
          f"(target 200 ms) {'ok' if median < 0.2 else 'MISS'}")


def reset(rounds: int, runs: int = 2000) -> None:
    demo = demo_fixture()
    store_of(demo).image()

    def read() -> None:
        for _ in range(runs):
            session = Session(demo)
            session.database.execute("SELECT name FROM contact WHERE contact_id = 2").fetchone()
            session.close()

    def write() -> None:
        for _ in range(runs):
            session = Session(demo)
            database = session.database
            database.begin_write()
            database.execute("UPDATE contact SET name = 'x' WHERE contact_id = 2")
            session.close()

    def query_only(connection=store_of(demo).acquire()) -> None:
        for _ in range(runs):
            connection.execute("SELECT name FROM contact WHERE contact_id = 2").fetchone()

    costs = {}
    for label, fn in (("read", read), ("write", write), ("query", query_only)):
        costs[label] = statistics.median(seconds(fn) for _ in range(rounds)) / runs
    after_read = (costs["read"] - costs["query"]) * 1e6
    after_write = (costs["write"] - costs["query"]) * 1e6
    print(f"reset of the demo CRM per run: {after_read:.1f} us after a read, {after_write:.1f} us after a write "
          f"(take a copy, give it back; the query itself excluded) (target 100 us) "
          f"{'ok' if max(after_read, after_write) < 100 else 'MISS'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    p5(args.events, args.rounds)
    fixture_load(args.rounds)
    reset(args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
