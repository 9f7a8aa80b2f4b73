"""How much of NetServer the simulator answers by itself (docs/netserver.md).

    .venv/bin/python tools/netserver_coverage.py                 # the carrier mapping, per carrier
    .venv/bin/python tools/netserver_coverage.py --calls /work/corpus/out/markdown /work/ref/CRMScripts

1. Per carrier that a table holds: how many of its properties the mapping
   places (a column, a foreign key to a nested carrier, or computed), and
   which it does not.
2. With --calls: the distinct agent methods the scripts (*.crm) under the
   given folders call on a declared agent variable, and which of them run
   without a canned answer (a behaviour of engine/crm/netserver).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.crm.netserver import agents, load_behaviours, mapping  # noqa: E402
from engine.reference import reference  # noqa: E402

AGENT_VARIABLE = re.compile(r"\b(NS\w+Agent)\s+(\w+)\s*[;=]")


def carrier_lines() -> list[str]:
    lines, placed, total = [], 0, 0
    for cls in sorted(reference().classes("carrier"), key=lambda c: c.name):
        found = mapping.mapping(cls.name)
        if found is None:
            continue
        done, all_ = found.coverage
        placed, total = placed + done, total + all_
        missing = ", ".join(found.unmapped)
        lines.append(f"{cls.name:34} {found.table.name:20} {done:3} of {all_:3}"
                     + (f"  not mapped: {missing}" if missing else ""))
    lines.insert(0, f"carriers a table holds: {len(lines)}; properties mapped: {placed} of {total} "
                    f"({100 * placed / max(total, 1):.0f}%)")
    return lines


def called_methods(folders: list[Path]) -> Counter:
    calls: Counter = Counter()
    for folder in folders:
        for file in sorted(folder.rglob("*.crm")):
            source = file.read_text(encoding="utf-8", errors="replace")
            for agent_match in AGENT_VARIABLE.finditer(source):
                agent, variable = agent_match.groups()
                for call in re.finditer(rf"\b{re.escape(variable)}\.(\w+)\s*\(", source):
                    calls[f"{agent}.{call.group(1)}"] += 1
    return calls


def method_lines(folders: list[Path]) -> list[str]:
    load_behaviours()
    ref = reference()
    calls = called_methods(folders)
    running, lines = 0, []
    for name, count in calls.most_common():
        owner, _, method = name.partition(".")
        overloads = ref.methods(owner, method)
        runs = any(agents.simulated(m.signature()) for m in overloads)
        running += runs
        lines.append(f"  {'runs ' if runs else 'stops'} {count:3}x {name}")
    lines.insert(0, f"agent methods called: {len(calls)}; run without a canned answer: {running} "
                    f"({100 * running / max(len(calls), 1):.0f}%)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=Path, nargs="*", help="folders of scripts whose agent calls to count")
    args = parser.parse_args(argv)
    print("\n".join(carrier_lines()))
    if args.calls:
        print()
        print("\n".join(method_lines(args.calls)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
