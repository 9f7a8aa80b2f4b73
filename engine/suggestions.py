"""Suggestions for a misspelt or foreign name: "did you mean ...?".

One near-miss rule for every place that names something unknown: the
checker (variables, functions, types, members, fields), the case files
(fields, event types) and the trigger catalog. A name differing only in case
is the likeliest slip (CRMScript is case-sensitive); otherwise a typo: one
edit away (two for names of 8 letters or more, none under 4 letters), a swap
of neighbours counting as one edit. Where no near miss exists, the words of
other languages get their CRMScript spelling (docs/checker.md, "Suggestions").
"""

from __future__ import annotations

from collections.abc import Iterable


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` most likely misspells, or None."""
    best: tuple[int, int, str] | None = None
    allowed = 0 if len(name) < 4 else 1 if len(name) < 8 else 2  # short names: only case slips
    folded = name.lower()
    for candidate in set(known):
        if candidate == name or abs(len(candidate) - len(name)) > allowed:
            continue
        lowered = candidate.lower()
        distance = 0 if lowered == folded else typo_distance(folded, lowered, allowed)
        if distance > allowed:
            continue
        # Between `message` and `Message` for `mesage`, the one with the same case wins.
        other_case = 0 if distance == 0 or typo_distance(name, candidate, allowed) <= allowed else 1
        if best is None or (distance, other_case, candidate) < best:
            best = (distance, other_case, candidate)
    return best[2] if best is not None else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """" (did you mean 'length'?)" for a near miss among `known`, else ''."""
    found = closest(name, known)
    return f" (did you mean '{found}'?)" if found is not None else ""


def typo_distance(a: str, b: str, limit: int = 2) -> int:
    """Edits (insert, delete, replace, swap of neighbours) from a to b; any
    answer above `limit` is just limit + 1 (the search stops early)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[len(b)], limit + 1)


# What authors of other languages write, and the CRMScript for it: used when
# no near miss is found.
FOREIGN_TYPE_NAMES = {
    "int": "Integer", "long": "Integer", "short": "Integer", "Int": "Integer", "Long": "Integer",
    "double": "Float", "Double": "Float", "decimal": "Float", "Decimal": "Float",
    "boolean": "Bool", "Boolean": "Bool", "char": "String", "Object": "Generic", "object": "Generic",
}  # fmt: skip
UNTYPED_DECLARATION_WORDS = frozenset({"var", "let", "auto", "const", "dim", "Dim"})
FOREIGN_MEMBER_NAMES = {  # foreign method name -> CRMScript members to suggest, the first existing one wins
    "length": ("getLength", "length", "size"), "size": ("getLength", "length", "size"), "count": ("length", "size"),
    "indexOf": ("find",), "contains": ("find", "exists"), "toUpperCase": ("toUpper",),
    "toLowerCase": ("toLower",), "push": ("pushBack",), "add": ("pushBack", "insert"),
    "append": ("pushBack",), "pop": ("popBack",), "shift": ("popFront",), "unshift": ("pushFront",),
    "get": ("get",), "put": ("insert",), "set": ("insert",), "containsKey": ("exists",), "has": ("exists",),
}  # fmt: skip
NULL_WORDS = frozenset({"null", "NULL", "nil", "None", "undefined"})


def foreign_type_hint(name: str) -> str:
    """" (in CRMScript: Integer)" for `int`; the declaration rule for `var`; else ''."""
    if name in FOREIGN_TYPE_NAMES:
        return f" (in CRMScript: {FOREIGN_TYPE_NAMES[name]})"
    if name in UNTYPED_DECLARATION_WORDS:
        return ": CRMScript declares a variable with its type, e.g. Integer count = 5;"
    return ""


def foreign_member_hint(name: str, known: Iterable[str]) -> str:
    """" (in CRMScript: getLength())" when `name` is another language's word for a member in `known`."""
    existing = set(known)
    for candidate in FOREIGN_MEMBER_NAMES.get(name, ()):
        if candidate in existing and candidate != name:
            return f" (in CRMScript: {candidate}())"
    return ""
