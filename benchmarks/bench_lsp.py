"""`crmscript lsp` latency, as an editor sees it: a real server process on
stdio, timed from the client's side.

- diagnostics: from sending a change of a 2,000-line handler to receiving
  the diagnostics published for that version (the debounce included), for
  three kinds of edit: a keystroke inside a function, a new line at the top
  (every statement moves down), and a keystroke that breaks a statement;
- completion: from sending the request to the answer, after `ed.` and in a
  name, right after a change (typing speed: the analysis is still pending);
- beside it, in this process: parsing and checking the whole text once
  (what every change would cost without the incremental parse).

Medians and the slowest of the rounds (the machine is shared).

    .venv/bin/python benchmarks/bench_lsp.py [--rounds N] [--debounce-ms MS]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_frontend import generate_script  # noqa: E402
from lsp_harness import Editor  # noqa: E402

from engine.checker import check_program  # noqa: E402
from engine.lsp.document import Analyser  # noqa: E402
from engine.parser import parse_program  # noqa: E402

TRIGGER = "SalesBeforeSaveSale"
HEAD = ("EventData ed = getEventData();\n"
        'String amountText = ed.getInputValue("SaleEntity.Amount");\n')


def handler_text(lines: int) -> str:
    """A handler of about `lines` lines: our own statement templates (see bench_frontend)."""
    blocks = 1
    while True:
        text = HEAD + generate_script(blocks, random.Random(18))
        if text.count("\n") >= lines:
            return text
        blocks += 5


def line_of(text: str, needle: str) -> int:
    return text.split("\n").index(next(line for line in text.split("\n") if needle in line))


def time_diagnostics(editor: Editor, uri: str, edit) -> float:
    started = time.perf_counter()
    version = edit()
    editor.wait_diagnostics(uri, version)
    return time.perf_counter() - started


def report(name: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"  {name:<48} median {statistics.median(ms):6.1f} ms   slowest {max(ms):6.1f} ms   ({len(ms)} rounds)")


def bench_diagnostics(editor: Editor, uri: str, text: str, rounds: int) -> None:
    body = line_of(text, "Integer total = a;")  # inside the first helper function
    column = text.split("\n")[body].index("a;")
    keystrokes, shifts, breaks = [], [], []
    for round_ in range(rounds):
        letter = "ab"[round_ % 2]  # Integer total = a; <-> b; (b: the other parameter, a String)
        keystrokes.append(time_diagnostics(editor, uri, lambda letter=letter: editor.edit(
            uri, (body, column), (body, column + 1), letter)))
    for _ in range(rounds // 2):
        shifts.append(time_diagnostics(editor, uri, lambda: editor.edit(uri, (0, 0), (0, 0), "\n")))
        shifts.append(time_diagnostics(editor, uri, lambda: editor.edit(uri, (0, 0), (1, 0), "")))
    for _ in range(rounds // 2):
        breaks.append(time_diagnostics(editor, uri, lambda: editor.edit(
            uri, (body, column + 1), (body, column + 2), "")))  # drop the ';'
        breaks.append(time_diagnostics(editor, uri, lambda: editor.edit(
            uri, (body, column + 1), (body, column + 1), ";")))
    report("a keystroke inside a function", keystrokes)
    report("a new line at the top (all lines move)", shifts)
    report("a keystroke that breaks / mends a statement", breaks)


def bench_completion(editor: Editor, uri: str, text: str, rounds: int) -> None:
    line = line_of(text, "String amountText")
    elsewhere = line_of(text, "Integer total = a;")
    member, name = [], []
    for round_ in range(rounds):
        # A change just typed elsewhere: its analysis is still pending.
        if round_ % 2 == 0:
            editor.edit(uri, (elsewhere, 0), (elsewhere, 0), " ")
        else:
            editor.edit(uri, (elsewhere, 0), (elsewhere, 1), "")
        started = time.perf_counter()
        items = editor.complete(uri, line, text.split("\n")[line].index("ed.") + 3)
        member.append(time.perf_counter() - started)
        assert any(item.label == "getInputValue" for item in items)
        started = time.perf_counter()
        items = editor.complete(uri, line, 2)
        name.append(time.perf_counter() - started)
        assert any(item.label == "printLine" for item in items)
    report("completion after `ed.` (a change pending)", member)
    report("completion of a name (a change pending)", name)


def bench_whole_file(text: str, rounds: int) -> None:
    analyser = Analyser()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        check_program(parse_program(text, "whole.crm", type_names=analyser.type_names), analyser.library)
        times.append(time.perf_counter() - started)
    report("in-process: parse + check the whole text once", times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--debounce-ms", type=float, default=50)
    args = parser.parse_args()
    text = handler_text(args.lines)
    with tempfile.TemporaryDirectory() as folder:
        handler = Path(folder) / "handlers" / TRIGGER / "10-big.crm"
        handler.parent.mkdir(parents=True)
        handler.write_text(text, encoding="utf-8")
        editor = Editor(debounce_ms=args.debounce_ms)
        try:
            started = time.perf_counter()
            uri = editor.open(handler)
            assert editor.wait_diagnostics(uri, 1) == [], "the generated handler should check clean"
            print(f"{text.count(chr(10))}-line handler, {len(text) // 1024} KB, debounce {args.debounce_ms:g} ms")
            report("open: first diagnostics", [time.perf_counter() - started])
            bench_diagnostics(editor, uri, text, args.rounds)
            bench_completion(editor, uri, text, args.rounds)
        finally:
            editor.close()
    bench_whole_file(text, max(args.rounds // 4, 3))


if __name__ == "__main__":
    main()
