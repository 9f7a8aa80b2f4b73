"""Comparing a case's expectations with the EventData the handlers left.

`compare` gives a list of Mismatch; `render` turns it into rich Text, the
one diff both `crmscript test` and the pytest plugin print (pytest gets
`.plain`). Each mismatch shows the EventData member, `- expected` and
`+ actual`, like a unified diff.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from rich.text import Text

from ..eventdata import EventData
from .model import Expect, TextMatch

ABSENT = object()  # an OutputValues / StateValues key that is not there


@dataclass
class Mismatch:
    field: str  # EventData member, e.g. `OutputValues["discount"]`, or `printed`
    expected: object  # str, bool, TextMatch or ABSENT
    actual: object
    note: str = ""


def _check_text(field: str, expected: TextMatch | None, actual: str, out: list[Mismatch]) -> None:
    if expected is not None and not expected.matches(actual):
        out.append(Mismatch(field, expected, actual))


def _check_map(member: str, expected: dict | None, actual: dict, exact: bool, out: list[Mismatch]) -> None:
    if expected is None:
        return
    for key, want in expected.items():
        have = actual.get(key, ABSENT)
        if want is None:  # `key: ~` in the case: the key must not be there
            if have is not ABSENT:
                out.append(Mismatch(f'{member}["{key}"]', ABSENT, have))
        elif have is ABSENT or not TextMatch(want).matches(have):
            out.append(Mismatch(f'{member}["{key}"]', TextMatch(want), have))
    if exact:
        for key in actual:
            if key not in expected:
                out.append(Mismatch(f'{member}["{key}"]', ABSENT, actual[key], "exact: true lists every key"))


def compare(expect: Expect, event: EventData, printed: str) -> list[Mismatch]:
    """Every way `event` (and what the handlers printed) differs from `expect`.

    Members the case leaves out are not checked, except Exception: a case
    that does not expect an exception fails when a handler failed.
    """
    out: list[Mismatch] = []
    if expect.exception is None:
        if event.Exception:
            out.append(Mismatch("Exception", "", event.Exception, "a handler failed; add `exception:` to expect it"))
    else:
        _check_text("Exception", expect.exception, event.Exception, out)
    if expect.block is not None and expect.block != event.BlockExecution:
        out.append(Mismatch("BlockExecution", expect.block, event.BlockExecution))
    _check_text("Message", expect.message, event.Message, out)
    _check_text("NavigateTo", expect.navigate_to, event.NavigateTo, out)
    _check_map("OutputValues", expect.output, event.OutputValues, expect.exact, out)
    _check_map("StateValues", expect.state, event.StateValues, expect.exact, out)
    _check_text("printed", expect.printed, printed, out)
    return out


# ------------------------------------------------------------- rendering


def show(value: object) -> str:
    """A value as the case file would write it: JSON-quoted text, true/false, /regex/."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, TextMatch):
        return value.text if value.is_pattern else json.dumps(value.text, ensure_ascii=False)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _is_multiline(m: Mismatch) -> bool:
    expected = m.expected.text if isinstance(m.expected, TextMatch) and not m.expected.is_pattern else m.expected
    return isinstance(expected, str) and isinstance(m.actual, str) and ("\n" in expected.rstrip("\n") or "\n" in m.actual.rstrip("\n"))


def render(mismatches: list[Mismatch], indent: str = "    ") -> Text:
    """The diff as rich Text (styles: red expected, green actual)."""
    text = Text()
    for m in mismatches:
        text.append(f"{indent}{m.field}", style="bold")
        if m.note:
            text.append(f"  ({m.note})", style="dim")
        text.append("\n")
        if _is_multiline(m):
            expected = m.expected.text if isinstance(m.expected, TextMatch) else str(m.expected)
            if expected.splitlines() == str(m.actual).splitlines():
                # The lines agree; only line endings differ (printLine ends
                # with a newline, YAML `|` keeps one): a line diff shows nothing.
                text.append(f"{indent}  the lines are equal; only the line endings differ:\n", style="dim")
                text.append(f"{indent}  - expected: {show(expected)}\n", style="red")
                text.append(f"{indent}  + actual:   {show(str(m.actual))}\n", style="green")
                continue
            lines = difflib.unified_diff(expected.splitlines(), str(m.actual).splitlines(),
                                         "expected", "actual", lineterm="", n=2)
            for line in lines:
                style = "red" if line.startswith("-") else "green" if line.startswith("+") else "dim"
                text.append(f"{indent}  {line}\n", style=style)
            continue
        text.append(f"{indent}  - expected: {show(m.expected)}\n", style="red")
        text.append(f"{indent}  + actual:   {show(m.actual)}\n", style="green")
    return text
