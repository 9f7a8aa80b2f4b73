"""NetServer agents against SearchEngine: the same trigger written both ways.

Per event (10,000 events, a fixture of 1,000 contacts with 3 persons each,
as benchmarks/bench_crm.py makes it):

- NetServer: `GetContactEntity(id)`, one `SetDepartment`, `SaveContactEntity`
  (the entity's 30 mapped columns read; the save writes the changed column
  and registered/updated stamps).
- SearchEngine: the contact's fields a trigger reads (8, one query), then an
  update of the same column and the same stamps (updated, updated_associate_id).

Both through Script.run with a fresh context per event (the run's database
copy taken on first use and given back, the write rolled back). Timed in
turns over several rounds; the medians are compared. Target (issue 15):
NetServer at most 2x SearchEngine.

    .venv/bin/python benchmarks/bench_netserver.py [--events N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_crm import CONTACTS, data_yaml  # noqa: E402

import engine  # noqa: E402
from engine.crm.fixture import parse_fixture  # noqa: E402

WORLD = """\
now: "2026-05-04T10:00:00"
user: 3
"""
STAFF = """\
  ejuser:
    - {id: 3, username: ola}
  associate:
    - {associate_id: 2, name: OLA, ejuserid: 3}
"""

NETSERVER = """\
EventData ed = getEventData();
NSContactAgent agent;
NSContactEntity contact = agent.GetContactEntity(ed.getInputValue("ContactEntity.ContactId").toInteger());
contact.SetDepartment("Checked");
contact = agent.SaveContactEntity(contact);
ed.setOutputValue("name", contact.GetName());
"""

SEARCHENGINE = """\
EventData ed = getEventData();
String id = ed.getInputValue("ContactEntity.ContactId");
SearchEngine se;
se.addFields("contact", "contact_id,name,department,orgNr,associate_id,business_idx,category_idx,registered");
se.addCriteria("contact.contact_id", "OperatorEquals", id);
se.execute();
SearchEngine update;
update.addData("contact.department", "Checked");
update.addData("contact.updated", getCurrentDateTime().toString());
update.addData("contact.updated_associate_id", "2");
update.addCriteria("contact.contact_id", "OperatorEquals", id);
update.update();
ed.setOutputValue("name", se.getField("contact.name"));
"""


def fixture_text() -> str:
    return WORLD + data_yaml() + STAFF


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    fixture = parse_fixture(fixture_text(), "bench_netserver.yaml")
    scripts = {"NetServer": engine.compile_script(NETSERVER, "netserver.crm"),
               "SearchEngine": engine.compile_script(SEARCHENGINE, "searchengine.crm")}
    ids = [str(1 + (i * 7919) % CONTACTS) for i in range(args.events)]

    def runner(script):
        def run() -> list[str]:
            names = []
            for contact_id in ids:
                event = engine.EventData(Type="ContactSaved", InputValues={"ContactEntity.ContactId": contact_id})
                result = script.run(event, fixture=fixture)
                result.context.crm.close()
                names.append(event.OutputValues["name"])
            return names

        return run

    runs = {label: runner(script) for label, script in scripts.items()}
    answers = {label: run() for label, run in runs.items()}  # warm up, and the same answers
    assert answers["NetServer"] == answers["SearchEngine"]
    times: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.rounds):
        for label, run in runs.items():
            started = time.perf_counter()
            run()
            times[label].append(time.perf_counter() - started)
    ns, se = (statistics.median(times[label]) for label in ("NetServer", "SearchEngine"))
    ratio = ns / se
    print(f"GetContactEntity + Set + SaveContactEntity x {args.events:,}: NetServer {ns * 1000:.0f} ms "
          f"({ns / args.events * 1e6:.1f} us/event), SearchEngine {se * 1000:.0f} ms "
          f"({se / args.events * 1e6:.1f} us/event), ratio {ratio:.2f} (target 2) {'ok' if ratio <= 2 else 'MISS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
