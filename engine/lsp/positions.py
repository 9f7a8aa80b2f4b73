"""Positions between the engine (1-based line and column, in characters)
and the protocol (0-based line, column in the negotiated encoding's code
units: UTF-16 unless the client offers UTF-8 or UTF-32)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types

from ..errors import CRMScriptError

UTF16, UTF8, UTF32 = (types.PositionEncodingKind.Utf16, types.PositionEncodingKind.Utf8,
                      types.PositionEncodingKind.Utf32)


def units(text: str, encoding: str) -> int:
    """Length of `text` in the encoding's code units."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def characters(line_text: str, count: int, encoding: str) -> int:
    """How many characters of `line_text` make `count` code units."""
    if encoding == UTF32 or line_text.isascii():
        return min(count, len(line_text))
    used = 0
    for i, char in enumerate(line_text):
        if used >= count:
            return i
        used += units(char, encoding)
    return len(line_text)


class Lines:
    """One text's lines, for position conversions."""

    def __init__(self, text: str):
        self.lines = text.split("\n")

    def line(self, number: int) -> str:
        """Line `number` (1-based), without its line end; '' past the end."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1].rstrip("\r")
        return ""

    def position(self, line: int, column: int, encoding: str) -> types.Position:
        text = self.line(line)
        return types.Position(max(line - 1, 0), units(text[:max(column - 1, 0)], encoding))

    def engine_position(self, position: types.Position, encoding: str) -> tuple[int, int]:
        """(line, column), 1-based characters, of a protocol position."""
        line = position.line + 1
        return line, characters(self.line(line), position.character, encoding) + 1

    def offset(self, line: int, column: int) -> int:
        line = min(max(line, 1), len(self.lines))
        return sum(len(text) + 1 for text in self.lines[:line - 1]) + min(column - 1, len(self.lines[line - 1]))


def path_of(uri: str) -> Path | None:
    """The file a `file:` uri names (None for other schemes: an unsaved buffer)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if parsed.netloc and parsed.netloc != "localhost":
        path = f"//{parsed.netloc}{path}"
    return Path(path).resolve()


def uri_of(file: str) -> str:
    if ":" in file.split("/", 1)[0] and not Path(file).is_absolute():
        return file  # already a uri (a document without a file)
    try:
        return Path(file).as_uri()
    except ValueError:
        return file


class Locator:
    """Ranges and locations in any script the analysis touched: the open
    documents and the included files on disk."""

    def __init__(self, text_of, encoding: str = UTF16):
        self._text_of = text_of  # file -> text or None
        self.encoding = encoding
        self._lines: dict[str, Lines] = {}

    def lines(self, file: str) -> Lines:
        cached = self._lines.get(file)
        if cached is None:
            try:
                text = self._text_of(file)
            except CRMScriptError:
                text = None
            cached = self._lines[file] = Lines(text or "")
        return cached

    def range(self, file: str, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        lines = self.lines(file)
        return types.Range(lines.position(line, column, self.encoding),
                           lines.position(end_line, end_column, self.encoding))

    def span(self, file: str, line: int, column: int, length: int) -> types.Range:
        return self.range(file, line, column, line, column + length)

    def location(self, file: str, line: int, column: int, length: int) -> types.Location:
        return types.Location(uri_of(file), self.span(file, line, column, length))
