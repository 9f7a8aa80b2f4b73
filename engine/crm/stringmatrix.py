"""StringMatrix: the two-dimensional String array of CRMScript
(CRMScript.Native.StringMatrix), which SearchEngine.executeInto fills.

Rows may have different lengths (getNumColumns takes a row). A cell outside
the matrix reads as "" and setCell grows the matrix to reach it; a negative
index is a runtime error.
"""

from __future__ import annotations

from ..errors import CRMScriptRuntimeError
from ..runtime.table import LIBRARY, builtin


class StringMatrix:
    __slots__ = ("rows",)

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def __repr__(self) -> str:
        return f"StringMatrix({self.rows!r})"


def _check(row: int, column: int = 0) -> None:
    if row < 0 or column < 0:
        raise CRMScriptRuntimeError(f"StringMatrix: negative index ({row}, {column})")


@builtin("StringMatrix StringMatrix()")
def matrix_new() -> StringMatrix:
    return StringMatrix()


@builtin("Void StringMatrix.addRow()")
def matrix_add_row(self: StringMatrix) -> None:
    self.rows.append([])


@builtin("Void StringMatrix.addCell(String value)")
def matrix_add_cell(self: StringMatrix, value: str) -> None:
    """Adds a cell to the last row (a first row if there is none)."""
    if not self.rows:
        self.rows.append([])
    self.rows[-1].append(value)


@builtin("Void StringMatrix.clear()")
def matrix_clear(self: StringMatrix) -> None:
    self.rows.clear()


@builtin("Void StringMatrix.deleteRow(Integer row)")
def matrix_delete_row(self: StringMatrix, row: int) -> None:
    _check(row)
    if row < len(self.rows):
        del self.rows[row]


@builtin("String StringMatrix.getCell(Integer row, Integer column)")
def matrix_get_cell(self: StringMatrix, row: int, column: int) -> str:
    _check(row, column)
    if row < len(self.rows) and column < len(self.rows[row]):
        return self.rows[row][column]
    return ""


@builtin("Integer StringMatrix.getNumColumns(Integer row)")
def matrix_num_columns(self: StringMatrix, row: int) -> int:
    _check(row)
    return len(self.rows[row]) if row < len(self.rows) else 0


@builtin("Integer StringMatrix.getNumRows()")
def matrix_num_rows(self: StringMatrix) -> int:
    return len(self.rows)


@builtin("Void StringMatrix.setCell(Integer row, Integer column, String value)")
def matrix_set_cell(self: StringMatrix, row: int, column: int, value: str) -> None:
    _check(row, column)
    while len(self.rows) <= row:
        self.rows.append([])
    cells = self.rows[row]
    while len(cells) <= column:
        cells.append("")
    cells[column] = value


LIBRARY.register_class("StringMatrix", StringMatrix, default=StringMatrix)
