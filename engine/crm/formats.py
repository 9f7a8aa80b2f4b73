"""How SearchEngine results are written out (docs/searchengine/se-run.md).

Values are the Strings getField returns: an integer-valued number without
decimals (`500`), a null (a date never set, a reference that finds no row)
as "".
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence


def as_text(value: object) -> str:
    """A stored value as getField returns it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def text_table(labels: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The MySQL-like table of executeTextTable:

        - - - - - - - - - -
         a.x|a.longer
        - - - - - - - - - -
         1   text

    Every column as wide as its widest cell; the header separates columns
    with `|`, the rows with a space; the dashed rules are as wide as a row
    plus one.
    """
    widths = [len(label) for label in labels]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
    width = 1 + sum(widths) + max(len(widths) - 1, 0)
    rule = " ".join("-" * ((width + 2) // 2))
    lines = [rule, " " + "|".join(label.ljust(w) for label, w in zip(labels, widths, strict=True)), rule]
    lines.extend(" " + " ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(lines) + "\n"


def html_table(labels: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """executeHTMLTable: one line, a header row of <th> and a row of <td> per result."""
    parts = ["<table border='1' style='border-collapse: collapse'>", "<tr>"]
    parts.extend(f"<th>{html.escape(label)}</th>" for label in labels)
    parts.append("</tr>")
    for row in rows:
        parts.append("<tr>")
        parts.extend(f"<td>{html.escape(cell)}</td>" for cell in row)
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


def json_rows(labels: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """executeJSON: an array of objects, field name -> value as a string."""
    return json.dumps([dict(zip(labels, row, strict=True)) for row in rows], ensure_ascii=False, separators=(",", ":"))


def json_members(spec: str, labels: Sequence[str]) -> list[tuple[str, str]]:
    """executeToJSONBuilder's `label:Type,...` (one per field, in order); a field
    without an entry keeps its name and is a String."""
    members = []
    entries = [entry.strip() for entry in spec.split(",")] if spec.strip() else []
    for index, name in enumerate(labels):
        entry = entries[index] if index < len(entries) else ""
        label, _, kind = entry.partition(":")
        members.append((label.strip() or name, (kind.strip() or "String").lower()))
    return members


def json_value(kind: str, text: str) -> str:
    """A result value as executeToJSONBuilder writes it: Integer/Float unquoted
    numbers, Bool true/false, String a JSON string."""
    if kind == "integer":
        try:
            return str(int(float(text))) if text.strip() else "0"
        except ValueError:
            return "0"
    if kind == "float":
        try:
            return f"{float(text):f}" if text.strip() else "0.000000"
        except ValueError:
            return "0.000000"
    if kind == "bool":
        return "true" if text.strip().lower() not in ("", "0", "false", "no") else "false"
    return json.dumps(text, ensure_ascii=False)
