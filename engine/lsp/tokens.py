"""A light lexical scan of CRMScript text for the editor features.

The parser stops at the first syntax error and its nodes only know where they
start, while the editor asks about any position in a half-typed script:
which name is under the cursor, what precedes a `.`, which string is being
typed, where a declaration's name or a block ends. This scan answers those
questions from the text alone, in one regular-expression pass that agrees
with the grammar's terminals (grammar/crmscript.lark: names, numbers,
strings that may span lines, `//` and `/* */` comments, `#include`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import NamedTuple

NAME, NUMBER, STRING, DIRECTIVE, PUNCT = "name", "number", "string", "directive", "punct"

# Each match is one token, after the white space and comments before it
# (comments are skipped only when whole: `/*` without `*/` is two tokens,
# as the parser's error about it needs).
_TOKEN = re.compile(
    r"""
    (?:[ \t\f\r\n\ufeff\u00a0]+|//[^\n]*|/\*.*?\*/)*
    (?:
      (?P<string>"(?:\\[\s\S]|[^"\\])*(?:"|\Z)|'(?:\\[\s\S]|[^'\\])*(?:'|\Z))
    | (?P<directive>\#[A-Za-z]+)
    | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    | (?P<name>[^\W\d]\w*)
    | (?P<punct>\|\||&&|==|!=|<=|>=|\+\+|--|\+=|-=|\*=|/=|%=|[^ \t\f\r\n\ufeff\u00a0])
    | (?P<end>\Z)  # white space and comments at the end
    )
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    kind: str
    text: str
    start: int  # offset of the first character in the text
    line: int  # 1-based, as the parser's nodes count
    column: int  # 1-based, in characters

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def closed(self) -> bool:
        """For a string: does it have its closing quote?"""
        return len(self.text) >= 2 and self.text[-1] == self.text[0] and not _escaped_end(self.text)


def _escaped_end(text: str) -> bool:
    backslashes = len(text[:-1]) - len(text[:-1].rstrip("\\"))
    return backslashes % 2 == 1


class TokenList:
    """The tokens of one text (comments and white space left out), with
    look-ups by offset and by (line, column)."""

    def __init__(self, text: str):
        self.text = text
        self.tokens: list[Token] = list(_scan(text))
        self._starts = [t.start for t in self.tokens]
        self._by_position = {(t.line, t.column): i for i, t in enumerate(self.tokens)}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> Token:
        return self.tokens[index]

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based (line, column); clamped to the text."""
        if line < 1:
            return 0
        if line > len(self._line_starts):
            return len(self.text)
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return min(start + max(column - 1, 0), end)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset."""
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def index_at(self, line: int, column: int) -> int | None:
        """Index of the token that starts at (line, column), if one does."""
        return self._by_position.get((line, column))

    def index_before(self, offset: int) -> int:
        """Index of the last token that starts before `offset` (-1: none)."""
        return bisect.bisect_left(self._starts, offset) - 1

    def token_at(self, offset: int) -> int | None:
        """Index of the token under the cursor at `offset`: the one containing
        it; between two tokens, a name before one that is not (`s|)` is `s`)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return None
        token = self.tokens[i]
        if token.start == offset and i > 0 and self.tokens[i - 1].end == offset \
                and self.tokens[i - 1].kind == NAME and token.kind != NAME:
            return i - 1
        return i if offset <= token.end else None

    def matching_close(self, index: int) -> int | None:
        """Index of the bracket closing the one at `index` (`(`, `[` or `{`)."""
        opener = self.tokens[index].text
        closer = _CLOSERS[opener]
        depth = 0
        for i in range(index, len(self.tokens)):
            token = self.tokens[i]
            if token.kind != PUNCT:
                continue
            if token.text == opener:
                depth += 1
            elif token.text == closer:
                depth -= 1
                if depth == 0:
                    return i
        return None

    def matching_open(self, index: int) -> int | None:
        """Index of the bracket opening the one at `index` (`)`, `]` or `}`)."""
        closer = self.tokens[index].text
        opener = _OPENERS[closer]
        depth = 0
        for i in range(index, -1, -1):
            token = self.tokens[i]
            if token.kind != PUNCT:
                continue
            if token.text == closer:
                depth += 1
            elif token.text == opener:
                depth -= 1
                if depth == 0:
                    return i
        return None

    def find_name(self, start: int, name: str, *, skip_first: bool = False, limit: int = 400) -> int | None:
        """Index of the first NAME token `name` at or after token index
        `start` (after it with skip_first), within `limit` tokens."""
        first = start + 1 if skip_first else start
        for i in range(first, min(len(self.tokens), first + limit)):
            token = self.tokens[i]
            if token.kind == NAME and token.text == name:
                return i
        return None


_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_OPENERS = {v: k for k, v in _CLOSERS.items()}


def _scan(text: str) -> Iterator[Token]:
    line, line_start, counted = 1, 0, 0
    count, rfind = text.count, text.rfind
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "end":
            return
        start = match.start(kind)
        newlines = count("\n", counted, start)
        if newlines:
            line += newlines
            line_start = rfind("\n", 0, start) + 1
        counted = start
        yield Token(kind, match.group(kind), start, line, start - line_start + 1)
