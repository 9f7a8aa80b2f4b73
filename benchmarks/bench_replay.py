"""Replay throughput: 100,000 recorded events with 1 and with 2 worker processes.

Generates a JSONL file of request bodies for the repository's default
handlers (sale amount checks, organisation numbers, chat routing, the
two-handler SalesAfterSaveSale chain, ticket status changes, and a few
types without handlers), then runs `engine.testing.replay.replay` on it
with --workers 1 (everything in this process) and --workers 2 (two worker
processes, each with its own Engine), writing the responses to a file as
`crmscript replay --out` does. The two are timed in turns over the rounds
so a noisy neighbour hurts both alike; the best round of each is reported.

Target (issue 6): 2 workers faster than 1 on the 2-core machine.

    .venv/bin/python benchmarks/bench_replay.py [--events N] [--rounds R]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.testing.replay import replay  # noqa: E402

HANDLERS = ROOT / "handlers"


def make_event(rng: random.Random) -> dict:
    kind = rng.randrange(6)
    if kind == 0:
        amount = rng.choice(["", "-5", str(rng.randrange(1, 900_000)), "1200.50"])
        values = {"SaleEntity.Amount": amount, "SaleEntity.SaleText": rng.choice(["", "approved by Kari"]),
                  "OurCurrency": "NOK"}
        return {"Type": "SalesBeforeSaveSale", "InputValues": values}
    if kind == 1:
        number = rng.choice(["", "912345602", "NO 912 345 610 MVA", "12345", str(rng.randrange(10**8, 10**9))])
        return {"Type": "SalesBeforeSaveContact",
                "InputValues": {"ContactEntity.OrgNr": number, "ContactEntity.Name": "Acme AS"}}
    if kind == 2:
        text = rng.choice(["Where is my refund?", "price please", "hello", "URGENT: site is down"])
        return {"Type": "ChatAfterSaveNewMessage",
                "InputValues": {"chatMessage.type": rng.choice(["1", "2"]), "chatMessage.message": text,
                                "chatSession.customerName": "Ola"}}
    if kind == 3:
        return {"Type": "SalesAfterSaveSale",
                "InputValues": {"SaleEntity.Amount": str(rng.randrange(0, 300_000)),
                                "SaleEntity.Status": str(rng.randrange(1, 5)), "SaleEntity.SaleId": "7"}}
    if kind == 4:
        return {"Type": "TicketChangedTicketStatus",
                "InputValues": {"ticketId": str(rng.randrange(1000)), "ticketStatus.old": str(rng.randrange(1, 4)),
                                "ticketStatus.new": str(rng.randrange(1, 4))},
                "StateValues": {"reopenCount": str(rng.randrange(3))}}
    return {"Type": "TicketSave", "InputValues": {"ticketId": "1"}}  # no handler: the request comes back


def generate(path: Path, count: int) -> None:
    rng = random.Random(6)
    with path.open("w", encoding="utf-8") as out:
        for _ in range(count):
            out.write(json.dumps({"EventData": make_event(rng)}) + "\n")


def run_once(events: Path, results: Path, workers: int) -> tuple[float, object]:
    with events.open(encoding="utf-8") as source, results.open("w", encoding="utf-8") as target:
        started = time.perf_counter()
        summary = replay(source, target, HANDLERS, workers=workers)
        seconds = time.perf_counter() - started
    return summary.count / seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.jsonl"
        generate(events, args.events)
        best = {1: 0.0, 2: 0.0}
        for round_number in range(1, args.rounds + 1):
            for workers in (1, 2):
                rate, summary = run_once(events, Path(folder) / f"results{workers}.jsonl", workers)
                best[workers] = max(best[workers], rate)
                print(f"round {round_number}: --workers {workers}: {rate:,.0f} events/s  ({summary.text()})")
        same = (Path(folder) / "results1.jsonl").read_bytes() == (Path(folder) / "results2.jsonl").read_bytes()

    speedup = best[2] / best[1] if best[1] else 0.0
    print(f"\n{args.events:,} events, best of {args.rounds} rounds")
    print(f"  --workers 1: {best[1]:>10,.0f} events/s")
    print(f"  --workers 2: {best[2]:>10,.0f} events/s   ({speedup:.2f}x)")
    print(f"  identical responses: {'yes' if same else 'NO'}")
    verdict = "met" if speedup > 1.0 and same else "NOT met"
    print(f"target (2 workers faster than 1, same output): {verdict}")
    if verdict != "met":
        sys.exit(1)


if __name__ == "__main__":
    main()
