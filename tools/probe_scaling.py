"""Find library members whose time grows faster than their input.

Calls every registered member (the signature table) with String arguments of
a few adversarial shapes at two sizes, n and 4n, and reports the members
whose time grew more than `--ratio` times (a linear member grows ~4x, a
quadratic one ~16x) or took longer than `--slow` seconds at 4n. Numbers are
small (0, 1, 3, n), arrays and Maps hold n/8 short strings. Errors the
members raise are fine (bad input is allowed to fail); only time counts.

    .venv/bin/python tools/probe_scaling.py [--size N] [--ratio R] [--slow S] [--only NAME]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import engine.runtime  # noqa: E402,F401  (fills the table)
from engine.errors import CRMScriptError  # noqa: E402
from engine.runtime.collections import Array, Map, Vector  # noqa: E402
from engine.runtime.context import Limits, RunContext  # noqa: E402
from engine.runtime.table import LIBRARY  # noqa: E402

SHAPES = {
    "plain": lambda n: "a" * n,
    "tags": lambda n: ("<body<head <title>&amp;" * (n // 20 + 1))[:n],
    "separators": lambda n: ("a,b;c=d\n\"e\" " * (n // 12 + 1))[:n],
    "digits": lambda n: ("1234567890." * (n // 11 + 1))[:n],
    "random": lambda n: "".join(random.Random(n).choice("ab<>&;,=\n \"'\\%+") for _ in range(n)),
}


def arguments(types: list[str], text: str, n: int) -> list:
    values = []
    for index, kind in enumerate(types):
        if kind == "String":
            values.append(text if index == 0 else text[: max(1, len(text) // 8)])
        elif kind in ("Integer", "Byte"):
            values.append(3)
        elif kind == "Float":
            values.append(3.0)
        elif kind == "Bool":
            values.append(True)
        elif kind == "String[]":
            values.append(Array(str, [text[:8]] * (n // 8)))
        elif kind in ("Integer[]", "Byte[]"):
            values.append(Array(int, [65] * (n // 8)))
        elif kind == "Map":
            values.append(Map.from_pairs((f"k{i}", text[:8]) for i in range(n // 8)))
        elif kind == "Vector":
            values.append(Vector([text[:8]] * (n // 8)))
        else:
            return []  # a type this probe does not make
    return values


def timed(sig, args: list) -> float:
    context = RunContext(limits=Limits(string_length=10**9, collection_size=10**8, seconds=60))
    started = time.perf_counter()
    try:
        sig.impl(*([context] if sig.context else []), *args)
    except CRMScriptError:
        pass
    except Exception as bug:  # a member that fails with a Python error is a finding too
        print(f"  {sig}: {type(bug).__name__}: {bug}")
    return time.perf_counter() - started


def signatures():
    for overloads in LIBRARY.functions.values():
        yield from overloads
    for info in LIBRARY.classes.values():
        yield from info.constructors
        for overloads in info.methods.values():
            yield from overloads


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--ratio", type=float, default=8.0)
    parser.add_argument("--slow", type=float, default=0.25)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    findings = 0
    for sig in signatures():
        if sig.impl is None or args.only not in str(sig):
            continue
        receiver = [] if sig.owner == "" or sig.is_constructor else [str(sig.owner)]
        if receiver and receiver[0] not in ("String", "Map", "Vector"):
            continue  # other receivers (dates, XMLNode, ...) are not made here
        types = receiver + [str(p.type) for p in sig.params]
        if "String" not in types and "Map" not in types and "Vector" not in types:
            continue
        for shape, make in SHAPES.items():
            small, large = make(args.size), make(args.size * 4)
            small_args, large_args = arguments(types, small, args.size), arguments(types, large, args.size * 4)
            if not small_args and types:
                break
            print(f"  ... {sig} [{shape}]", file=sys.stderr, flush=True)
            small_time = min(timed(sig, small_args) for _ in range(2))
            large_time = min(timed(sig, large_args) for _ in range(2))
            ratio = large_time / max(small_time, 1e-5)
            if (ratio > args.ratio and large_time > 0.01) or large_time > args.slow:
                findings += 1
                print(f"{sig}  [{shape}]  {small_time * 1000:.1f} ms -> {large_time * 1000:.1f} ms  (x{ratio:.1f})",
                      flush=True)
    print(f"{findings} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
