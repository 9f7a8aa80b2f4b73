"""Reading a script (or case) file as text, the one way every command does it.

A file that is not UTF-8 is reported at the line and column of its first bad
byte, where a script author finds it in an editor, rather than at Python's
byte offset or at 1:1. A byte-order mark is dropped (Windows editors write one).
"""

from __future__ import annotations

import os

from .errors import CRMScriptError


class UnreadableFile(CRMScriptError):
    """The file cannot be read at all (missing, a folder, no permission)."""

    def __init__(self, message: str, file: str, reason: OSError):
        super().__init__(message, file)
        self.reason = reason


class NotUTF8(CRMScriptError):
    """The file is not UTF-8 text; located at its first bad byte."""


def read_script_text(path: os.PathLike | str, shown_name: str, *, what: str = "the file") -> str:
    """The text of `path`; errors name the file `shown_name` (how the user or
    the handler tree calls it) and say `what` it is ("handler file")."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise UnreadableFile(f"cannot read {what}: {error.strerror or error}", shown_name, error) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = utf8_position(error)
        raise NotUTF8(f"{what} is not UTF-8 text (save it as UTF-8)", shown_name, line, column) from None


def utf8_position(error: UnicodeDecodeError) -> tuple[int, int]:
    """Line and column (1-based) of the first byte that is not UTF-8 (in the
    text the decoder saw: after a byte-order mark, as an editor counts)."""
    before = error.object[:error.start]
    return before.count(b"\n") + 1, error.start - (before.rfind(b"\n") + 1) + 1
