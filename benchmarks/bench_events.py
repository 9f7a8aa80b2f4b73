"""Events per second through Engine.execute, and the chain's own per-event cost.

Measured in-process (no HTTP), each case timed in turns over several rounds
(the median round counts, so a noisy neighbour on the shared machine hurts
all cases alike):

- bare run      Script.run of the trivial handler, no chain around it;
- empty engine  Engine.execute for a type with no handler (copy, catalog check);
- trivial       Engine.execute with one trivial handler;
- P4            Engine.execute with the P4 before-save handler (benchmarks/scripts/p4_trigger.crm).

Per-event overhead = trivial - bare run. Target (issue 4): < 50 us, aim 20 us.

    .venv/bin/python benchmarks/bench_events.py [--events N] [--rounds R]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine  # noqa: E402
from engine.runtime.context import RunContext  # noqa: E402

HERE = Path(__file__).resolve().parent
TRIVIAL = 'getEventData().setOutputValue("seen", "1");\n'
TARGET_US, AIM_US = 50.0, 20.0


def p4_event() -> engine.EventData:
    return engine.EventData(Type="SalesBeforeSaveSale", InputValues={
        "SaleEntity.SaleId": "4711", "SaleEntity.Heading": "Framework deal", "SaleEntity.Amount": "250000",
        "SaleEntity.Probability": "30", "SaleEntity.Status": "1", "SaleEntity.Currency.Id": "NOK",
        "SaleEntity.Associate.AssociateId": "12", "SaleEntity.Contact.ContactId": "3",
        "SaleEntity.Project.ProjectId": "0", "SaleEntity.SaleType.Id": "2"})


def build_tree(root: Path) -> None:
    (root / "TicketSave").mkdir(parents=True)
    (root / "TicketSave" / "10-trivial.crm").write_text(TRIVIAL)
    (root / "SalesBeforeSaveSale").mkdir()
    shutil.copy(HERE / "scripts" / "p4_trigger.crm", root / "SalesBeforeSaveSale" / "10-p4.crm")


def time_per_call(fn, events: int) -> float:
    start = time.perf_counter()
    for _ in range(events):
        fn()
    return (time.perf_counter() - start) / events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events per round and case")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_tree(root)
        eng = engine.Engine(root, load_entry_points=False, on_warning=lambda m: None)
        trivial_event = engine.EventData(Type="TicketSave", InputValues={"ticketId": "1"})
        empty_event = engine.EventData(Type="TicketClosed", InputValues={"ticketId": "1"})
        event_p4 = p4_event()
        for event in (trivial_event, event_p4):  # compile outside the timing, check the answers
            out = eng.execute(event)
            assert out.Exception == "", out.Exception
        bare_script = eng.registry.script_for(eng.handlers_for("TicketSave")[0])

        def bare_run():
            ev = trivial_event.copy_for_chain()
            bare_script.run(ev, context=RunContext(event=ev))

        cases = {
            "bare run": bare_run,
            "empty engine": lambda: eng.execute(empty_event),
            "trivial": lambda: eng.execute(trivial_event),
            "P4": lambda: eng.execute(event_p4),
        }
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, fn in cases.items():
                samples[name].append(time_per_call(fn, args.events))

    median = {name: statistics.median(values) for name, values in samples.items()}
    print(f"{args.events:,} events x {args.rounds} rounds (median round)")
    for name, seconds in median.items():
        print(f"  {name:<13} {seconds * 1e6:8.2f} us/event  {1 / seconds:>10,.0f} events/s")
    overhead = (median["trivial"] - median["bare run"]) * 1e6
    verdict = "ok" if overhead < TARGET_US else "OVER TARGET"
    aim = "within aim" if overhead < AIM_US else f"aim {AIM_US:.0f} us"
    print(f"per-event chain overhead (trivial - bare run): {overhead:.2f} us  "
          f"[target < {TARGET_US:.0f} us: {verdict}; {aim}]")


if __name__ == "__main__":
    main()
