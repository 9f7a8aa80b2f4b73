"""Where a P4 trigger run's time goes: the run boundary part by part.

Each line is the best of several timeit repeats, in µs per call (minus
nothing: the loop overhead of timeit is a few ns). Read together with
bench_programs.py's P4 line; docs/compiler.md quotes both.

    .venv/bin/python benchmarks/bench_run_boundary.py
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_programs import p4_handler, trigger_event  # noqa: E402

import engine  # noqa: E402
from engine.runtime.context import RunContext, active_context, context_for_event  # noqa: E402
from engine.runtime.eventdata import event_data_of  # noqa: E402
from engine.runtime.namespace import CTX, MAIN  # noqa: E402

SCRIPTS = Path(__file__).resolve().parent / "scripts"
CALLS = 20_000


def best_us(fn, calls: int = CALLS, repeats: int = 9) -> float:
    return min(timeit.repeat(fn, number=calls, repeat=repeats)) / calls * 1e6


def main() -> int:
    event, twin_event = trigger_event(), trigger_event()
    p4 = engine.compile_script((SCRIPTS / "p4_trigger.crm").read_text(), "p4_trigger.crm")
    empty = engine.compile_script("Integer x = 1;", "empty.crm")
    by_call = engine.compile_script("EventData ed = getEventData();", "by_call.crm")
    by_default = engine.compile_script("EventData ed;", "by_default.crm")  # finds the run via active_context()
    integer = engine.compile_script("Integer i;", "integer.crm")
    moment = engine.compile_script("DateTime d;", "moment.crm")  # reads the run's clock
    p4.run(event)
    namespace = p4._pool[-1]  # the pooled namespace: its _crm_main alone is the body
    main_function = namespace[MAIN]

    def body_only():
        namespace[CTX] = context
        main_function()

    context = RunContext(event)
    rows = [
        ("Python twin (bench_programs.p4_handler)", lambda: p4_handler(twin_event)),
        ("P4 Script.run(event)", lambda: p4.run(event)),
        ("P4 body alone (_crm_main)", body_only),
        ("empty script Script.run(event)", lambda: empty.run(event)),
        ("RunContext(event)", lambda: RunContext(event)),
        ("context_for_event(event) (what run uses)", lambda: context_for_event(event)),
        ("event_data_of(ctx) (getEventData())", lambda: event_data_of(context)),
        ("run of `EventData ed = getEventData();`", lambda: by_call.run(event)),
        ("run of `EventData ed;` (active_context())", lambda: by_default.run(event)),
        ("active_context() outside a run", active_context),
        ("run of `Integer i;`", lambda: integer.run(event)),
        ("run of `DateTime d;` (the run's clock)", lambda: moment.run(event)),
    ]
    for label, fn in rows:
        print(f"{label:44} {best_us(fn):7.3f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
