"""Comparing a run's responses with a baseline run's, event by event.

Response k of this run is compared with line k of the baseline (blank lines
of the baseline skipped), member by member: BlockExecution, Message,
NavigateTo, Exception and the other members as values; InputValues,
OutputValues and StateValues key by key. `Timings` (written by `--timings`)
is never compared: it is measured, not answered. A line that was not a
valid request (`{"Error": ...}`) is compared as its error text only.

`DiffSummary` counts what changed by member and keeps the first differing
events with their changes; partitions build one each, merged in input order,
so the summary and the examples are those of a single pass over the input.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..eventdata import ALL_MEMBERS
from .inputs import ReplayError

KEYED_MEMBERS = ("InputValues", "OutputValues", "StateValues")
ERROR_MEMBER = "Error"  # the answer to a line that is not a valid request
TIMINGS_MEMBER = "Timings"  # per-handler timings (--timings): never compared
NO_BASELINE_LINE = "(no baseline line)"  # this run has a response where the baseline has ended
KNOWN_MEMBERS = (*ALL_MEMBERS, ERROR_MEMBER)
DEFAULT_SHOWN = 10


class _Absent:
    """A key or member that is not there (pickles as the one ABSENT)."""

    def __repr__(self) -> str:
        return "(absent)"

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


@dataclass(frozen=True)
class CompareOptions:
    ignore: frozenset[str] = frozenset()  # "Message", or one key: "OutputValues.lastRun"
    shown: int = DEFAULT_SHOWN  # differing events kept with their changes


def parse_ignore(values: list[str]) -> frozenset[str]:
    """`--ignore` values in their canonical spelling; an unknown member is an error."""
    canonical = {name.lower(): name for name in KNOWN_MEMBERS}
    result = set()
    for value in values:
        member, dot, key = value.partition(".")
        name = canonical.get(member.lower())
        if name is None:
            close = difflib.get_close_matches(member, KNOWN_MEMBERS, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else f"; members: {', '.join(KNOWN_MEMBERS)}"
            raise ReplayError(f"--ignore {value}: no response member {member!r}{hint}", "")
        if dot and name not in KEYED_MEMBERS:
            raise ReplayError(f"--ignore {value}: only {', '.join(KEYED_MEMBERS)} have keys", "")
        if dot and not key:
            raise ReplayError(f"--ignore {value}: name a key after the dot ({name}.KEY)", "")
        result.add(f"{name}.{key}" if dot else name)
    return frozenset(result)


@dataclass
class Change:
    member: str  # "BlockExecution", "OutputValues", ...
    key: str | None  # the key of a keyed member
    baseline: Any  # ABSENT when not there
    current: Any

    @property
    def label(self) -> str:
        return self.member if self.key is None else f'{self.member}["{self.key}"]'


def compare_response(current: dict, baseline: dict, ignore: frozenset[str] = frozenset()) -> list[Change]:
    """Every difference between a response and its baseline, members in documented order."""
    if ERROR_MEMBER in current or ERROR_MEMBER in baseline:
        if _problem(current) == _problem(baseline) or ERROR_MEMBER in ignore:
            return []
        return [Change(ERROR_MEMBER, None, baseline.get(ERROR_MEMBER, ABSENT), current.get(ERROR_MEMBER, ABSENT))]
    changes: list[Change] = []
    for member in _members(current, baseline):
        if member == TIMINGS_MEMBER or member in ignore:
            continue
        have, had = current.get(member, ABSENT), baseline.get(member, ABSENT)
        if have == had:
            continue
        if member in KEYED_MEMBERS and isinstance(have, dict) and isinstance(had, dict):
            for key in dict.fromkeys([*had, *have]):
                new, old = have.get(key, ABSENT), had.get(key, ABSENT)
                if new != old and f"{member}.{key}" not in ignore:
                    changes.append(Change(member, key, old, new))
        else:
            changes.append(Change(member, None, had, have))
    return changes


def _problem(body: dict) -> Any:
    """A bad line's problem without its file name (a run of `./events.jsonl`
    agrees with a baseline of `events.jsonl`); a response: ABSENT."""
    error, file = body.get(ERROR_MEMBER, ABSENT), body.get("File")
    if isinstance(error, str) and isinstance(file, str) and error.startswith(file + ":"):
        return error[len(file) + 1:]
    return error


def _members(current: dict, baseline: dict) -> list[str]:
    extra = sorted((set(current) | set(baseline)) - set(ALL_MEMBERS))
    return [*ALL_MEMBERS, *extra]


@dataclass
class EventDiff:
    file: str  # the input file's label
    line: int
    event_type: str
    changes: list[Change]


@dataclass
class DiffSummary:
    shown: int = DEFAULT_SHOWN
    compared: int = 0  # events compared with a baseline line
    differing: int = 0  # ... of which something differs
    members: Counter = field(default_factory=Counter)  # member -> events where it differs
    flips: Counter = field(default_factory=Counter)  # BlockExecution "false → true" / "true → false"
    exceptions: Counter = field(default_factory=Counter)  # "new", "gone", "changed"
    keys: dict = field(default_factory=dict)  # member -> {"added"|"removed"|"changed": Counter(key)}
    missing_baseline: int = 0  # responses beyond the baseline's last line
    extra_baseline: int = 0  # baseline lines beyond this run's last response
    examples: list[EventDiff] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.differing or self.missing_baseline or self.extra_baseline)

    def record(self, file: str, line: int, event_type: str, changes: list[Change]) -> None:
        """One compared event and what differs (nothing: it agrees)."""
        self.compared += 1
        if not changes:
            return
        self.differing += 1
        for member in dict.fromkeys(change.member for change in changes):
            self.members[member] += 1
        for change in changes:
            self._count(change)
        if len(self.examples) < self.shown:
            self.examples.append(EventDiff(file, line, event_type, changes))

    def record_missing(self, file: str, line: int, event_type: str) -> None:
        self.missing_baseline += 1
        self.members[NO_BASELINE_LINE] += 1
        if len(self.examples) < self.shown:
            self.examples.append(EventDiff(file, line, event_type,
                                           [Change(NO_BASELINE_LINE, None, ABSENT, "a response")]))

    def _count(self, change: Change) -> None:
        if change.member == "BlockExecution":
            self.flips[f"{show(change.baseline)} → {show(change.current)}"] += 1
        elif change.member == "Exception":
            self.exceptions["new" if not _set(change.baseline) else "gone" if not _set(change.current)
                            else "changed"] += 1
        elif change.key is not None:
            kind = "added" if change.baseline is ABSENT else "removed" if change.current is ABSENT else "changed"
            self.keys.setdefault(change.member, {}).setdefault(kind, Counter())[change.key] += 1

    def merge(self, later: DiffSummary) -> None:
        """Add the summary of the partition that follows this one."""
        self.compared += later.compared
        self.differing += later.differing
        self.members.update(later.members)
        self.flips.update(later.flips)
        self.exceptions.update(later.exceptions)
        for member, kinds in later.keys.items():
            for kind, counter in kinds.items():
                self.keys.setdefault(member, {}).setdefault(kind, Counter()).update(counter)
        self.missing_baseline += later.missing_baseline
        self.extra_baseline += later.extra_baseline
        self.examples.extend(later.examples[:max(0, self.shown - len(self.examples))])

    def member_details(self) -> list[tuple[str, int, str]]:
        """(member, events, what changed) for every member that differs."""
        rows = []
        for member in [*KNOWN_MEMBERS, *sorted(set(self.members) - set(KNOWN_MEMBERS))]:
            if self.members.get(member):
                rows.append((member, self.members[member], self._detail(member)))
        return rows

    def _detail(self, member: str) -> str:
        if member == "BlockExecution":
            return ", ".join(f"{count:,} {flip}" for flip, count in sorted(self.flips.items()))
        if member == "Exception":
            return ", ".join(f"{self.exceptions[kind]:,} {kind}" for kind in ("new", "gone", "changed")
                             if self.exceptions.get(kind))
        kinds = self.keys.get(member, {})
        parts = []
        for kind in ("added", "removed", "changed"):
            counter = kinds.get(kind)
            if counter:
                keys = ", ".join(f"{key} ({count:,})" for key, count in counter.most_common(5))
                more = f" and {len(counter) - 5} more" if len(counter) > 5 else ""
                parts.append(f"keys {kind}: {keys}{more}")
        return "; ".join(parts)


def _set(value: Any) -> bool:
    return value is not ABSENT and bool(value)


def show(value: Any) -> str:
    """A value as JSON (true, "text", {...}); an absent one as (absent)."""
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False)


def summary_lines(summary: DiffSummary, baseline_label: str) -> list[str]:
    """The comparison for a terminal or a log."""
    lines = [f"baseline {baseline_label}: {summary.compared:,} events compared, {summary.differing:,} differ"
             + (f", {summary.missing_baseline:,} beyond its last line" if summary.missing_baseline else "")
             + (f", {summary.extra_baseline:,} of its lines have no event here" if summary.extra_baseline else "")]
    rows = summary.member_details()
    width = max((len(member) for member, _, _ in rows), default=0)
    for member, count, detail in rows:
        lines.append(f"  {member:<{width}}  {count:>9,} event{'s' if count != 1 else ''}"
                     + (f"  ({detail})" if detail else ""))
    if summary.examples:
        lines.append(f"first {len(summary.examples)} differing event{'s' if len(summary.examples) > 1 else ''}:")
        for example in summary.examples:
            lines.extend(example_lines(example))
    return lines


def example_lines(example: EventDiff, indent: str = "  ") -> list[str]:
    lines = [f"{indent}{example.file}:{example.line}  {example.event_type or '(not a request)'}"]
    for change in example.changes:
        lines.append(f"{indent}  {change.label}")
        lines.append(f"{indent}    - baseline: {show(change.baseline)}")
        lines.append(f"{indent}    + current:  {show(change.current)}")
    return lines
