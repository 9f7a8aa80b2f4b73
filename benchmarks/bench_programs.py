"""P1-P4: CRMScript programs against the same work written by hand in Python.

Each CRMScript program (benchmarks/scripts/*.crm) is compiled once, outside
the timing; then the CRMScript run and the Python function are timed in
turns (interleaved, so a noisy neighbour hurts both alike) and the medians
are compared. Targets (issue 3): ratio <= 3 on P1, <= 2 on P2-P4.

    .venv/bin/python benchmarks/bench_programs.py [--repeats N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import seconds  # noqa: E402

import engine  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent / "scripts"
TRIGGER_RUNS = 20_000


# ------------------------------------------------------------- Python twins

def p1_python() -> str:
    def fib(n: int) -> int:
        if n < 2:
            return n
        return fib(n - 1) + fib(n - 2)

    return str(fib(24))


def p2_python() -> str:
    text = ""
    for i in range(20000):
        text += str(i)
        text += ";"
    return str(len(text))


def p3_python() -> str:
    prices: dict[str, str] = {}
    for i in range(20000):
        prices["item" + str(i)] = str(i)
    found = 0
    for i in range(20000):
        if ("item" + str(i)) in prices:
            found += len(prices["item" + str(i)])
    return str(found)


def _to_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def p4_handler(ed: engine.EventData) -> None:
    inputs = ed.InputValues
    sale_id = inputs.get("SaleEntity.SaleId", "")
    heading = inputs.get("SaleEntity.Heading", "")
    amount_text = inputs.get("SaleEntity.Amount", "")
    probability_text = inputs.get("SaleEntity.Probability", "")
    status = inputs.get("SaleEntity.Status", "")
    inputs.get("SaleEntity.Currency", "")
    owner = inputs.get("SaleEntity.Associate.AssociateId", "")
    inputs.get("SaleEntity.Contact.ContactId", "")
    inputs.get("SaleEntity.Project.ProjectId", "")
    inputs.get("SaleEntity.SaleType.Id", "")
    amount = _to_int(amount_text)
    probability = _to_int(probability_text)
    outputs = ed.OutputValues
    if amount > 100000 and probability < 50:
        outputs["SaleEntity.Heading"] = heading + " (review)"
        outputs["SaleEntity.Status"] = "2"
        outputs["Review.Owner"] = owner
        ed.Message = "Sale " + sale_id + " needs a review: large amount, low probability"
    else:
        outputs["SaleEntity.Heading"] = heading
        outputs["SaleEntity.Status"] = status
        outputs["Review.Owner"] = ""
        ed.Message = ""


def trigger_event() -> engine.EventData:
    inputs = {f"Extra.Field{i}": str(i) for i in range(50)}
    inputs.update({
        "SaleEntity.SaleId": "4711", "SaleEntity.Heading": "Big deal", "SaleEntity.Amount": "250000",
        "SaleEntity.Probability": "30", "SaleEntity.Status": "1", "SaleEntity.Currency": "NOK",
        "SaleEntity.Associate.AssociateId": "12", "SaleEntity.Contact.ContactId": "99",
        "SaleEntity.Project.ProjectId": "0", "SaleEntity.SaleType.Id": "3",
    })
    assert len(inputs) == 60
    return engine.EventData(Type="SalesBeforeSaveSale", InputValues=inputs)


# ---------------------------------------------------------------- the pairs

def _script(name: str) -> engine.Script:
    path = SCRIPTS / name
    return engine.compile_script(path.read_text(), str(path))


def programs():
    """(label, crmscript callable, python callable, check) per program."""
    p1, p2, p3, p4 = (_script(n) for n in ("p1_fib.crm", "p2_string.crm", "p3_map.crm", "p4_trigger.crm"))
    event_crm, event_py = trigger_event(), trigger_event()

    def p4_crm():
        for _ in range(TRIGGER_RUNS):
            p4.run(event_crm)
        return event_crm.Message

    def p4_py():
        for _ in range(TRIGGER_RUNS):
            p4_handler(event_py)
        return event_py.Message

    return [
        ("P1 fib(24)", lambda: p1.run().output, p1_python, 3.0),
        ("P2 20,000-part string", lambda: p2.run().output, p2_python, 2.0),
        ("P3 20,000 Map inserts+lookups", lambda: p3.run().output, p3_python, 2.0),
        (f"P4 trigger x {TRIGGER_RUNS:,}", p4_crm, p4_py, 2.0),
    ]


def measure(fn, repeats: int) -> list[float]:
    return [seconds(fn) for _ in range(repeats)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"{'program':34} {'CRMScript':>11} {'Python':>11} {'ratio':>7} {'target':>7}")
    worst_miss = False
    for label, crm, py, target in programs():
        if crm() != py():
            print(f"{label}: CRMScript and Python disagree: {crm()!r} vs {py()!r}")
            return 1
        crm_times, py_times = [], []
        for _ in range(args.repeats):  # interleaved
            crm_times.append(seconds(crm))
            py_times.append(seconds(py))
        c, p = statistics.median(crm_times), statistics.median(py_times)
        ratio = c / p
        mark = "ok" if ratio <= target else "MISS"
        worst_miss |= ratio > target
        print(f"{label:34} {c * 1000:9.1f}ms {p * 1000:9.1f}ms {ratio:7.2f} {target:6.1f} {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
