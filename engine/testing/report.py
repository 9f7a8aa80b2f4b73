"""Reporting case results: the console report and the JUnit XML file."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.text import Text

from .diff import render, show
from .runner import ERROR, FAILED, PASSED, SKIPPED, CaseResult

_MARKS = {PASSED: ("✓", "green"), FAILED: ("✗", "red"), ERROR: ("!", "red"), SKIPPED: ("-", "yellow")}


def display_path(path: Path) -> str:
    """A path relative to the current folder when it is below it (shorter, clickable)."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def failure_text(result: CaseResult) -> Text:
    """What went wrong in one case: the diff, or why it could not run; plus what was printed."""
    text = Text()
    if result.status == ERROR:
        text.append(f"    could not run: {result.error}\n", style="red")
        return text
    text.append_text(render(result.mismatches))
    if result.outcome and result.outcome.printed and not any(m.field == "printed" for m in result.mismatches):
        text.append("    printed by the handlers:\n", style="dim")
        for line in result.outcome.printed.rstrip("\n").splitlines():
            text.append(f"      | {line}\n", style="dim")
    if result.outcome and result.outcome.logged:
        text.append("    logged by the handlers (printDebug, log, logMessage):\n", style="dim")
        for line in result.outcome.logged:
            text.append(f"      | {line}\n", style="dim")
    return text


def one_line(result: CaseResult) -> str:
    """The failure in one line (pytest's short summary, JUnit's message)."""
    if result.status == ERROR:
        return f"could not run: {result.error}"
    if not result.mismatches:
        return result.status
    first = result.mismatches[0]
    more = len(result.mismatches) - 1
    tail = f" (and {more} more difference{'s' if more > 1 else ''})" if more else ""
    return f"{first.field}: expected {show(first.expected)}, got {show(first.actual)}{tail}"


def case_heading(result: CaseResult) -> Text:
    mark, style = _MARKS[result.status]
    case = result.case
    heading = Text(f"  {mark} ", style=style)
    heading.append(case.name, style="bold" if result.status in (FAILED, ERROR) else "")
    heading.append(f"  ({display_path(case.file)}:{case.line}, {case.event})", style="dim")
    if result.status == SKIPPED:
        heading.append(f"  skipped: {result.error}", style="yellow")
    return heading


def print_results(results: list[CaseResult], console: Console, verbose: bool = False) -> None:
    """Failures in full; with `verbose` every case; grouped by case file."""
    current_file = None
    for result in results:
        if not verbose and result.status in (PASSED, SKIPPED):
            continue
        if result.case.file != current_file:
            current_file = result.case.file
            console.print(Text(display_path(current_file), style="bold underline"))
        console.print(case_heading(result))
        if result.status in (FAILED, ERROR):
            console.print(failure_text(result), end="")


def summary(results: list[CaseResult], seconds: float) -> Text:
    counts = Counter(r.status for r in results)
    parts = []
    for status, style in ((PASSED, "green"), (FAILED, "red"), (ERROR, "red"), (SKIPPED, "yellow")):
        if counts[status]:
            parts.append((f"{counts[status]} {status}" if status != ERROR else
                          f"{counts[status]} error{'s' if counts[status] > 1 else ''}", style))
    text = Text()
    for index, (part, style) in enumerate(parts or [("no cases", "yellow")]):
        if index:
            text.append(", ")
        text.append(part, style=f"bold {style}")
    text.append(f" in {seconds:.2f}s")
    return text


# Characters XML 1.0 cannot carry at all (a handler may print anything).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str | None) -> str | None:
    return None if text is None else _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def write_junit(results: Iterable[CaseResult], path: Path, seconds: float) -> None:
    """JUnit XML: one <testsuite> per case file, one <testcase> per case."""
    results = list(results)
    root = ET.Element("testsuites", name="crmscript test")
    by_file: dict[Path, list[CaseResult]] = {}
    for result in results:
        by_file.setdefault(result.case.file, []).append(result)
    for file, file_results in by_file.items():
        counts = Counter(r.status for r in file_results)
        suite = ET.SubElement(
            root, "testsuite", name=display_path(file), tests=str(len(file_results)),
            failures=str(counts[FAILED]), errors=str(counts[ERROR]), skipped=str(counts[SKIPPED]),
            time=f"{sum(r.seconds for r in file_results):.3f}",
        )
        for result in file_results:
            case = ET.SubElement(
                suite, "testcase", classname=display_path(file).replace(os.sep, "."), name=_xml_text(result.case.name),
                file=display_path(file), line=str(result.case.line), time=f"{result.seconds:.3f}",
            )
            if result.status == FAILED:
                failure = ET.SubElement(case, "failure", message=_xml_text(one_line(result)), type="mismatch")
                failure.text = _xml_text(failure_text(result).plain)
            elif result.status == ERROR:
                error = ET.SubElement(case, "error", message=_xml_text(result.error or ""), type="error")
                error.text = _xml_text(result.error)
            elif result.status == SKIPPED:
                ET.SubElement(case, "skipped", message=_xml_text(result.error or ""))
            if result.outcome and result.outcome.printed:
                ET.SubElement(case, "system-out").text = _xml_text(result.outcome.printed)
    root.set("tests", str(len(results)))
    root.set("time", f"{seconds:.3f}")
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
