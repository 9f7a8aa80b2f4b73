"""What tier-1 library calls cost from CRMScript: a loop of typical trigger
work (read input values, convert, format, search, split) per iteration, and
building a long String with append() versus +=.

    .venv/bin/python benchmarks/bench_library.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_seconds  # noqa: E402

import engine  # noqa: E402

ITERATIONS = 20_000

TYPICAL = f"""
EventData ed = getEventData();
Integer total = 0;
for (Integer i = 0; i < {ITERATIONS}; i++) {{
  String amount = ed.getInputValue("SaleEntity.Amount");
  Float price = amount.toFloat() * 1.25;
  String shown = price.toString(2);
  String heading = ed.getInputValue("SaleEntity.Heading");
  if (heading.findCase("deal") >= 0 && !heading.isEmpty()) {{
    String[] words = heading.split(" ");
    total += words.length() + shown.getLength() + amount.toInteger();
  }}
  ed.setStateValue("last", shown);
}}
printLine(total.toString());
"""


def building(operation: str, pieces: int) -> str:
    return (f'String s; for (Integer i = 0; i < {pieces}; i++) {{ {operation} }} '
            'printLine(s.getLength().toString());')


def main() -> int:
    event = engine.EventData(Type="SalesBeforeSaveSale",
                             InputValues={"SaleEntity.Amount": "1234", "SaleEntity.Heading": "A big Deal today"})
    typical = engine.compile_script(TYPICAL, "typical.crm")
    seconds = median_seconds(lambda: typical.run(event=event.model_copy(deep=True)))
    print(f"typical trigger work: {seconds / ITERATIONS * 1e6:.1f} us per iteration "
          f"(9 library calls and a few operators)")
    for label, operation in (("s.append(\"0123456789\")", 's.append("0123456789");'),
                             ("s += \"0123456789\"", 's += "0123456789";')):
        for pieces in (5_000, 20_000):
            script = engine.compile_script(building(operation, pieces), "build.crm")
            seconds = median_seconds(script.run, repeats=1)
            print(f"{label:24} x {pieces:6}: {seconds * 1e3:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
