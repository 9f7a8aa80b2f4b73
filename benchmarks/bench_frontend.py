"""Front-end throughput: parse, and parse + check, in KB/s and scripts/s.

The scripts are generated here (not the public corpus): handler-like
scripts of three sizes built from our own statement templates, each with
its own names so nothing is cached between them. Each case runs several
rounds; the median round counts (the machine is shared).

    .venv/bin/python benchmarks/bench_frontend.py [--scripts N] [--rounds R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.parser import parse_program  # noqa: E402

try:
    from engine.checker import check_program  # noqa: E402
except ImportError:
    check_program = None

# Statement templates; {n} makes every name unique within a script.
DECLARATIONS = [
    "Integer count{n} = {i};",
    'String label{n} = "item " + {i}.toString();',
    "Float ratio{n} = {i} / 3.0;",
    "Bool flag{n} = {i} > 10 && {i} < 100;",
    "String[] parts{n} = label{n}.split(\" \");",
    'Map settings{n} = Map("a={i}");',
]
STATEMENTS = [
    "if (count{n} % 2 == 0) {{\n  count{n} += {i};\n}} else {{\n  count{n}--;\n}}",
    "for (Integer i{n} = 0; i{n} < count{n}; i{n}++) {{\n  ratio{n} = ratio{n} * 1.5 + i{n};\n}}",
    "foreach (String p{n} in parts{n}) {{\n  if (p{n}.isEmpty()) continue;\n  label{n} = label{n} + p{n};\n}}",
    "while (count{n} > 0 && !flag{n}) {{\n  count{n} = count{n} - 1;\n}}",
    'try {{\n  if (count{n} < 0) throw "negative";\n}} catch {{\n  printLine(error);\n}}',
    "printLine(label{n}.toUpper() + \": \" + ratio{n}.toString(2));  // report",
    "settings{n}.insert(\"k{n}\", label{n});",
]
FUNCTION = (
    "Integer helper{n}(Integer a, String b) {{\n"
    "  /* a helper */\n"
    "  Integer total = a;\n"
    "  if (b.getLength() > a) total = total + b.getLength();\n"
    "  return total;\n"
    "}}\n"
)


def generate_script(blocks: int, rng: random.Random) -> str:
    """A valid script of `blocks` declaration groups, statements and functions."""
    lines = ["#setLanguageLevel 3;", "struct Row { Integer id; String name; };", "Row row;"]
    for n in range(blocks):
        i = rng.randint(1, 500)
        lines.extend(d.format(n=n, i=i) for d in DECLARATIONS)
        lines.extend(rng.choice(STATEMENTS).format(n=n, i=i) for _ in range(3))
        if n % 3 == 0:
            lines.append(FUNCTION.format(n=n))
            lines.append(f"count{n} = helper{n}(count{n}, label{n});")
    return "\n".join(lines) + "\n"


def median_rate(fn, scripts: list[str], rounds: int) -> tuple[float, float]:
    """(KB/s, scripts/s) of the median round."""
    size_kb = sum(len(s.encode("utf-8")) for s in scripts) / 1024
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for number, script in enumerate(scripts):
            fn(script, f"gen{number}.crm")
        times.append(time.perf_counter() - start)
    elapsed = statistics.median(times)
    return size_kb / elapsed, len(scripts) / elapsed


def parse_only(source: str, name: str) -> None:
    parse_program(source, name)


def parse_and_check(source: str, name: str) -> None:
    check_program(parse_program(source, name))


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--scripts", type=int, default=200, help="scripts per size")
    options.add_argument("--rounds", type=int, default=5)
    args = options.parse_args()
    rng = random.Random(20261125)
    sizes = {"small (~1 KB)": 2, "medium (~10 KB)": 20, "large (~100 KB)": 200}

    cases = [("parse", parse_only)]
    if check_program is not None:
        cases.append(("parse+check", parse_and_check))
        check_program(parse_program(generate_script(3, rng), "sanity.crm"))  # the generator makes valid scripts

    print(f"{'case':<12} {'scripts':<16} {'count':>6} {'avg KB':>8} {'KB/s':>9} {'scripts/s':>10}")
    for label, blocks in sizes.items():
        count = max(args.scripts // max(blocks // 2, 1), 5)
        scripts = [generate_script(blocks, rng) for _ in range(count)]
        average_kb = sum(len(s) for s in scripts) / len(scripts) / 1024
        for case, fn in cases:
            kb_per_s, scripts_per_s = median_rate(fn, scripts, args.rounds)
            print(f"{case:<12} {label:<16} {count:>6} {average_kb:>8.1f} {kb_per_s:>9.0f} {scripts_per_s:>10.0f}")


if __name__ == "__main__":
    main()
