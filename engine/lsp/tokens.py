"""A light lexical scan of CRMScript text for the editor features.

The parser stops at the first syntax error and its nodes only know where they
start, while the editor asks about any position in a half-typed script:
which name is under the cursor, what precedes a `.`, which string is being
typed, where a declaration's name or a block ends. This scan answers those
questions from the text alone, in one regular-expression pass that agrees
with the grammar's terminals (grammar/crmscript.lark: names, numbers,
strings that may span lines, `//` and `/* */` comments, `#include`).

Tokens carry their line and column, not their offset, so after an edit the
tokens of the lines below it are the same objects: `TokenList(text,
previous)` scans only from the edit to where the new tokens meet the old
ones again (a keystroke re-scans a few tokens of a 2,000-line script).
"""

from __future__ import annotations

import bisect
import itertools
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
    """One token; a list of them sorts by position (line, then column)."""

    line: int  # 1-based, as the parser's nodes count
    column: int  # 1-based, in characters
    kind: str
    text: str

    @property
    def closed(self) -> bool:
        """For a string: does it have its closing quote?"""
        return len(self.text) >= 2 and self.text[-1] == self.text[0] and not _escaped_end(self.text)


def _escaped_end(text: str) -> bool:
    backslashes = len(text[:-1]) - len(text[:-1].rstrip("\\"))
    return backslashes % 2 == 1


_NEWLINE = re.compile("\n")
_AFTER_ALL = "\uffff"  # sorts after every kind: (line, column, _AFTER_ALL) follows the tokens there
_LOOKAHEAD = 3  # characters the longest token pattern looks past its end (`1` of `1e+5`)


class TokenList:
    """The tokens of one text (comments and white space left out), with
    look-ups by offset and by (line, column). With `previous` (the tokens of
    an earlier version of the text) only the changed part is scanned."""

    def __init__(self, text: str, previous: TokenList | None = None):
        self.text = text
        self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
        if previous is not None and previous.text == text:
            self.tokens, self.unclosed_comment = previous.tokens, previous.unclosed_comment
        elif previous is not None and not _rescan_all(previous, text):
            self.tokens, self.unclosed_comment = _rescan(previous, self)
        else:
            self.tokens = [t for t, _ in _scan(text, 0, 1, 0)]
            # a `/*` without `*/`: two punctuation tokens
            self.unclosed_comment = _unclosed_comment(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> Token:
        return self.tokens[index]

    # ------------------------------------------------------------ positions

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

    def start(self, index: int) -> int:
        token = self.tokens[index]
        return self._line_starts[token.line - 1] + token.column - 1

    def end(self, index: int) -> int:
        return self.start(index) + len(self.tokens[index].text)

    def end_position(self, index: int) -> tuple[int, int]:
        """(line, column) right after the token (a string may span lines)."""
        return self.position(self.end(index))

    # ------------------------------------------------------------ look-ups

    def index_at(self, line: int, column: int) -> int | None:
        """Index of the token that starts at (line, column), if one does."""
        i = bisect.bisect_left(self.tokens, (line, column))
        if i < len(self.tokens) and self.tokens[i].line == line and self.tokens[i].column == column:
            return i
        return None

    def index_before(self, offset: int) -> int:
        """Index of the last token that starts before `offset` (-1: none)."""
        return bisect.bisect_left(self.tokens, self.position(offset)) - 1

    def token_at(self, offset: int) -> int | None:
        """Index of the token under the cursor at `offset`: the one containing
        it; between two tokens, a name before one that is not (`s|)` is `s`)."""
        line, column = self.position(offset)
        i = bisect.bisect_right(self.tokens, (line, column, _AFTER_ALL)) - 1
        if i < 0:
            return None
        token = self.tokens[i]
        if (token.line, token.column) == (line, column) and i > 0 and self.end(i - 1) == offset \
                and self.tokens[i - 1].kind == NAME and token.kind != NAME:
            return i - 1
        return i if offset <= self.end(i) else None

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


def _scan(text: str, position: int, line: int, line_start: int) -> Iterator[tuple[Token, int]]:
    """(token, offset) of every token from `position` on; `line` is the line
    at `position` and `line_start` that line's offset."""
    counted = position
    count, rfind, new = text.count, text.rfind, tuple.__new__
    for match in _TOKEN.finditer(text, position):
        kind = match.lastgroup
        if kind == "end":
            return
        start, end = match.span(kind)
        newlines = count("\n", counted, start)
        if newlines:
            line += newlines
            line_start = rfind("\n", 0, start) + 1
        counted = start
        yield new(Token, (line, start - line_start + 1, kind, text[start:end])), start


def _rescan_all(old: TokenList, text: str) -> bool:
    """A quote followed by text ending in a backslash is no string, and a
    `/*` without `*/` no comment (punctuation tokens): either may become one
    by a change anywhere after it, so the whole text is scanned again."""
    return old.unclosed_comment or old.text.endswith("\\") or text.endswith("\\")


def _rescan(old: TokenList, new: TokenList) -> tuple[list[Token], bool]:
    """The tokens of `new.text` (and whether a `/*` is left open): those of
    `old` before the first change, a scan of the changed part, then those of
    `old` after it, moved."""
    old_text, text = old.text, new.text
    prefix = _common_prefix(old_text, text)
    suffix = _common_suffix(old_text, text, min(len(old_text), len(text)) - prefix)
    delta = len(text) - len(old_text)
    changed_end = len(text) - suffix  # in the new text
    keep = old.index_before(prefix)
    # A token that ends close to the change may grow into it (`1` + `e5`,
    # `ab` + `c`): scan again from one token before those.
    while keep >= 0 and old.end(keep) >= prefix - _LOOKAHEAD:
        keep -= 1
    keep = max(keep - 1, -1)
    tokens = old.tokens[:keep + 1]
    scanned_from = max(keep, 0)  # the last kept token, then the scanned ones (a `/` and a `*` may meet)
    restart = old.end(keep) if keep >= 0 else 0
    line = bisect.bisect_right(new._line_starts, restart)
    for token, start in _scan(text, restart, line, new._line_starts[line - 1]):
        if start >= changed_end:
            j = old.index_at(*old.position(start - delta))
            if j is not None and old.tokens[j][2:] == token[2:]:
                unclosed = _unclosed_comment(tokens[scanned_from:] + [token])
                tokens.extend(_moved(old.tokens, j, token))
                return tokens, unclosed
        tokens.append(token)
    return tokens, _unclosed_comment(tokens[scanned_from:])


def _unclosed_comment(tokens: list[Token]) -> bool:
    """Is there a `/*` that no `*/` closes (two punctuation tokens)?"""
    for first, second in itertools.pairwise(tokens):
        if first.text == "/" and second.text == "*" and first.line == second.line \
                and second.column == first.column + 1 and first.kind == second.kind == PUNCT:
            return True
    return False


def _moved(old: list[Token], j: int, now: Token) -> list[Token]:
    """old[j:], where old[j] is now at `now`'s position."""
    lines, columns = now.line - old[j].line, now.column - old[j].column
    if not lines and not columns:
        return old[j:]
    first_line = old[j].line
    new = tuple.__new__
    if not lines:  # only the rest of the edited line moves sideways
        return [new(Token, (t.line, t.column + columns, t.kind, t.text)) if t.line == first_line else t
                for t in old[j:]]
    return [new(Token, (t.line + lines, t.column + (columns if t.line == first_line else 0), t.kind, t.text))
            for t in old[j:]]


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (by halving: each step one C comparison)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, max(limit, 0)
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle:len(a) - low] == b[len(b) - middle:len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low
