"""Finding case files and choosing cases with `-k`.

Convention: a case file is named `<anything>.cases.yaml` (or `.cases.yml`).
A folder given on the command line is searched recursively; hidden folders
and virtual environments are skipped. Any other YAML file is never read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import CRMScriptError
from .model import is_case_file

_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".pytest_cache"}


class UsageError(CRMScriptError):
    """A bad command-line argument (a missing path, a bad -k expression)."""

    kind = "usage error"


def find_case_files(paths: Iterable[Path | str]) -> list[Path]:
    """Case files under `paths` (files or folders), sorted, without duplicates."""
    found: dict[Path, None] = {}
    for given in paths:
        path = Path(given)
        if path.is_file():
            if not is_case_file(path):
                raise UsageError(f"not a case file (expected a name ending in .cases.yaml): {path}", str(path))
            found[path] = None
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    candidate = Path(root) / name
                    if is_case_file(candidate):
                        found[candidate] = None
        else:
            raise UsageError(f"no such file or folder: {path}", str(path))
    return sorted(found, key=lambda p: str(p))


# ---------------------------------------------------------------- -k EXPR
#
# The same little language as pytest's -k: words matched case-insensitively
# as substrings of the case's name and file name, combined with `and`, `or`,
# `not` and parentheses.

_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


def keyword_matcher(expression: str) -> Callable[[str], bool]:
    """Compile a -k expression into a predicate over a case's keyword text."""
    tokens = [m.group(1) for m in _TOKEN.finditer(expression)]
    if not tokens:
        return lambda text: True
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token = tokens[position]
        position += 1
        return token

    def parse_or():
        left = parse_and()
        while peek() == "or":
            take()
            right = parse_and()
            left = (lambda a, b: lambda t: a(t) or b(t))(left, right)
        return left

    def parse_and():
        left = parse_not()
        while peek() == "and":
            take()
            right = parse_not()
            left = (lambda a, b: lambda t: a(t) and b(t))(left, right)
        return left

    def parse_not():
        if peek() == "not":
            take()
            inner = parse_not()
            return lambda t: not inner(t)
        return parse_atom()

    def parse_atom():
        token = peek()
        if token is None:
            raise UsageError(f"-k {expression!r}: the expression ends too early")
        take()
        if token == "(":
            inner = parse_or()
            if peek() != ")":
                raise UsageError(f"-k {expression!r}: a '(' has no matching ')'")
            take()
            return inner
        if token in (")", "and", "or"):
            raise UsageError(f"-k {expression!r}: unexpected {token!r}")
        word = token.lower()
        return lambda t: word in t

    predicate = parse_or()
    if position != len(tokens):
        hint = ""
        if tokens[position] not in ("(", ")") and tokens[position - 1] != ")":
            # Two words in a row: a case name with spaces, as pytest would refuse it too.
            hint = f" (join words with and/or: -k '{tokens[position - 1]} and {tokens[position]}')"
        raise UsageError(f"-k {expression!r}: unexpected {tokens[position]!r}{hint}")
    return lambda text: predicate(text.lower())
