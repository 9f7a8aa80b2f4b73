"""Line coverage of CRMScript handlers.

Recording: while a case's event runs, `sys.settrace` is on and traces only
frames whose code comes from a CRMScript file; every other frame (the engine,
the runtime library) gets no local tracer. Without --coverage nothing is
installed, so a normal run pays nothing.

Executable lines: a line is executable when a CRMScript statement starts on
it (from the parser's AST) *and* the compiled code has instructions for it
(`co_lines()`); this drops lines the compiler turns into nothing (a lone `;`,
`#include`, a struct's field list) and keeps what a reader counts by hand:
declarations, expressions, `if`/`while`/`for` headers, `return`, `throw`,
function headers (their `def` runs when the script starts).
"""

from __future__ import annotations

import html
import os
from collections import defaultdict
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import nodes as N
from .linetrace import handler_scripts, is_crmscript_code, resolve_file, split_line, tracing


class LineCoverage:
    """Collects which generated lines of CRMScript code ran, per code object."""

    def __init__(self) -> None:
        self._counts: dict[CodeType, dict[int, int]] = {}

    def on_call(self, frame, event, arg):  # sys.settrace global function
        code = frame.f_code
        if not is_crmscript_code(code):
            return None
        counts = self._counts.get(code)
        if counts is None:
            counts = self._counts[code] = {}

        def on_line(frame, event, arg):
            if event == "line":
                line = frame.f_lineno
                counts[line] = counts.get(line, 0) + 1
            return on_line

        return on_line

    def recording(self) -> AbstractContextManager[None]:
        """Trace CRMScript frames while the `with` block runs."""
        return tracing(self)

    def report(self, engines: Iterable[Any]) -> CoverageReport:
        """Per handler file (and included file) of the engines' trees: executable and hit lines.

        Only files inside the trees are reported; handlers and includes that
        plugins contribute are not the tree's to cover."""
        # Keyed by the file on disk: two trees may both have `TicketSave/10-a.crm`.
        per_file: dict[str, _FileData] = {}
        trees: list[Path] = []
        broken: list = []  # (handler, error) of handlers that do not compile

        def file_data(name: str, roots: list[Path]) -> _FileData:
            path = resolve_file(name, roots)
            key = str(path) if path is not None else name
            if key not in per_file:
                per_file[key] = _FileData(name, path)
            return per_file[key]

        for engine in engines:
            roots = [Path(engine.handlers_dir)]
            trees.append(roots[0].resolve())
            for _handler, program in handler_scripts(engine, broken=broken):
                for code in program.code_objects:
                    counts = self._counts.get(code, {})
                    for _start, _end, lineno in code.co_lines():
                        if lineno is None:
                            continue
                        name, line = split_line(program, lineno)
                        file_data(name, roots).compiled.add(line)
                    # The module code only defines the functions and calls the top
                    # level: its line events count a line only where no
                    # function's code ran it (a function header).
                    target = "module_counts" if code.co_name == "<module>" else "counts"
                    for lineno, count in counts.items():
                        name, line = split_line(program, lineno)
                        getattr(file_data(name, roots), target)[line] += count
        files = []
        several_trees = len(set(trees)) > 1
        for data in per_file.values():
            if data.path is None or not any(data.path.is_relative_to(tree) for tree in trees):
                continue  # a plugin's handler or include: not a file of the tree under test
            statements = statement_lines_of(data.path) if data.path is not None else None
            executable = data.compiled & statements if statements is not None else set(data.compiled)
            executable.discard(0)
            counts = {line: data.counts.get(line) or data.module_counts.get(line) for line in executable
                      if data.counts.get(line) or data.module_counts.get(line)}
            name = _display(data.path) if several_trees else data.name
            files.append(FileCoverage(name, data.path, sorted(executable), counts))
        for handler, error in broken:
            # Listed at 0%: a handler that does not compile runs no line at all.
            path = Path(handler.path).resolve() if getattr(handler, "path", None) else None
            if path is None or str(path) in per_file:
                continue
            # A file that does not even parse (syntax error, not UTF-8) has no
            # statement lines; it still counts as one line that never ran, so
            # a broken handler can never leave the total at 100%.
            statements = statement_lines_of(path) or {max(getattr(error, "line", 0) or 1, 1)}
            name = _display(path) if several_trees else handler.name
            files.append(FileCoverage(name, path, sorted(statements), {}, note=f"does not compile: {error.message}"))
        files.sort(key=lambda f: f.name)
        return CoverageReport(files)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


@dataclass
class _FileData:
    name: str
    path: Path | None
    compiled: set[int] = field(default_factory=set)
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    module_counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def statement_lines(program: N.Program) -> set[int]:
    """Lines on which a statement of `program`'s own file starts (not its includes)."""
    return {node.line for node in N.walk(program) if isinstance(node, N.Stmt) and not isinstance(node, N.Block)}


def parse_file(path: Path) -> N.Program | None:
    """The AST of a CRMScript file (None when it cannot be read or parsed)."""
    from ..errors import CRMScriptError
    from ..parser import parse_program

    try:
        return parse_program(path.read_text(encoding="utf-8-sig"), str(path))
    except (OSError, UnicodeDecodeError, CRMScriptError):
        return None


def statement_lines_of(path: Path) -> set[int] | None:
    """Statement lines of a CRMScript file (None when it cannot be read or parsed)."""
    program = parse_file(path)
    return statement_lines(program) if program is not None else None


def top_level_lines(program: N.Program) -> set[int]:
    """Lines of the statements that run at the script's top level (not declarations)."""
    return {stmt.line for stmt in program.body if not isinstance(stmt, (N.FunctionDecl, N.StructDecl, N.Include))}


@dataclass
class FileCoverage:
    name: str  # the script name (`<EventType>/<file>.crm` or an include's name)
    path: Path | None  # on disk; None for a plugin's handler
    executable: list[int]
    counts: dict[int, int]  # executable line -> times it ran (only lines that ran)
    note: str = ""  # why nothing ran (a handler that does not compile)

    @property
    def covered(self) -> int:
        return len(self.counts)

    @property
    def percent(self) -> float:
        if self.note:  # does not compile: nothing of it can run
            return 0.0
        return 100.0 * self.covered / len(self.executable) if self.executable else 100.0

    @property
    def missing(self) -> list[int]:
        return [line for line in self.executable if line not in self.counts]


@dataclass
class CoverageReport:
    files: list[FileCoverage]

    @property
    def executable(self) -> int:
        return sum(len(f.executable) for f in self.files)

    @property
    def covered(self) -> int:
        return sum(f.covered for f in self.files)

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.executable if self.executable else 100.0

    def file(self, name: str) -> FileCoverage:
        for f in self.files:
            if f.name == name or (f.path is not None and str(f.path).endswith(name)):
                return f
        raise KeyError(name)


def line_ranges(lines: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    parts: list[str] = []
    start = previous = None
    for line in lines:
        if start is None:
            start = previous = line
        elif line == previous + 1:
            previous = line
        else:
            parts.append(f"{start}-{previous}" if previous != start else str(start))
            start = previous = line
    if start is not None:
        parts.append(f"{start}-{previous}" if previous != start else str(start))
    return ", ".join(parts)


def print_coverage(report: CoverageReport, console: Console) -> None:
    table = Table(title="CRMScript line coverage", title_justify="left")
    table.add_column("handler file", no_wrap=True, min_width=max((len(f.name) for f in report.files), default=10))
    table.add_column("lines", justify="right")
    table.add_column("ran", justify="right")
    table.add_column("cover", justify="right")
    table.add_column("missing lines", overflow="fold", min_width=13)
    for f in report.files:
        style = "green" if f.percent == 100 else "yellow" if f.percent >= 80 else "red"
        table.add_row(Text(f.name), str(len(f.executable)), str(f.covered), Text(f"{f.percent:.1f}%", style=style),
                      f.note or line_ranges(f.missing))
    table.add_row(Text("total", style="bold"), str(report.executable), str(report.covered),
                  Text(f"{report.percent:.1f}%", style="bold"), "")
    console.print(table)


def write_lcov(report: CoverageReport, path: Path) -> None:
    """LCOV tracefile (what editor coverage gutters read): one record per file on disk."""
    out = ["TN:crmscript"]
    for f in report.files:
        if f.path is None:
            continue
        out.append(f"SF:{f.path}")
        for line in f.executable:
            out.append(f"DA:{line},{f.counts.get(line, 0)}")
        out.append(f"LF:{len(f.executable)}")
        out.append(f"LH:{f.covered}")
        out.append("end_of_record")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


_HTML_STYLE = """body{font-family:sans-serif} pre{margin:0} table{border-collapse:collapse}
td{padding:0 .5em;font-family:monospace;white-space:pre} .hit{background:#dfd} .miss{background:#fdd}
.n{color:#888;text-align:right} .c{color:#888;text-align:right}"""


def write_html(report: CoverageReport, folder: Path) -> None:
    """index.html with the per-file table, one page per file with its lines coloured."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for number, f in enumerate(report.files):
        page = f"file{number}.html"
        rows.append(f"<tr><td><a href='{page}'>{html.escape(f.name)}</a></td><td>{len(f.executable)}</td>"
                    f"<td>{f.covered}</td><td>{f.percent:.1f}%</td></tr>")
        lines = []
        source = f.path.read_text(encoding="utf-8-sig").splitlines() if f.path is not None else []
        executable = set(f.executable)
        for index, text in enumerate(source, 1):
            css = ("hit" if index in f.counts else "miss") if index in executable else ""
            count = str(f.counts.get(index, "")) if index in executable else ""
            lines.append(f"<tr class='{css}'><td class='n'>{index}</td><td class='c'>{count}</td>"
                         f"<td>{html.escape(text)}</td></tr>")
        (folder / page).write_text(
            f"<!doctype html><meta charset='utf-8'><title>{html.escape(f.name)}</title><style>{_HTML_STYLE}</style>"
            f"<h1>{html.escape(f.name)}: {f.percent:.1f}%</h1><table>{''.join(lines)}</table>", encoding="utf-8")
    (folder / "index.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>CRMScript coverage</title><style>{_HTML_STYLE}</style>"
        f"<h1>CRMScript line coverage: {report.percent:.1f}%</h1><table><tr><th>file</th><th>lines</th>"
        f"<th>ran</th><th>cover</th></tr>{''.join(rows)}</table>", encoding="utf-8")
