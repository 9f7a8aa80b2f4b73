"""Generate recorded ExecuteEventHandlers request bodies for the repository's handlers.

One request body `{"EventData": {...}}` a line: sale amount checks,
organisation numbers, chat routing, the two-handler SalesAfterSaveSale
chain, ticket status changes, and a type without handlers. The same seed
gives the same file.

    .venv/bin/python benchmarks/gen_events.py --events 1000000 --out events.jsonl [--seed 6]
    .venv/bin/python benchmarks/gen_events.py --events 1000000 --out events.jsonl.gz   # gzip
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path


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


def generate(path: Path, count: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", encoding="utf-8") as out:
        for _ in range(count):
            out.write(json.dumps({"EventData": make_event(rng)}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True, help="the JSONL file to write (.gz: compressed)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    generate(args.out, args.events, args.seed)


if __name__ == "__main__":
    main()
