"""The Parser class (CRMScript.Native.Parser): the `[[variable]]` templates of
docs/parser-and-templates, and the parser-variable global functions
(getParserVariable..., setParserVariable, getParserParameter..., getParser),
which read and write the event's ParserValues (docs/crm-records.md).

A Parser holds named variables, each a list of rows: setVariable sets row 0
(and drops the others), addVariable adds a row. parseString replaces every
`[[name]]` with the variable's first row (a variable never set is empty)
and `[[PARSER_TREE]]` with the list of the variables set, one a line.
The record classes' toParser fill one (`ticket.title`, `customer.name`, ...).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.table import LIBRARY, builtin

PLACEHOLDER = re.compile(r"\[\[\s*([^\[\]]+?)\s*\]\]")
TREE = "parser_tree"


class Parser:
    __slots__ = ("variables",)

    def __init__(self) -> None:
        self.variables: dict[str, list[str]] = {}  # by lower-case name: names match ignoring case

    def set(self, name: str, value: str) -> None:
        self.variables[name.lower()] = [value]

    def update(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self.set(name, value)

    def first(self, name: str) -> str:
        rows = self.variables.get(name.lower())
        return rows[0] if rows else ""

    def parse(self, text: str) -> str:
        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name.lower() == TREE:
                return "\n".join(sorted(self.variables))
            return self.first(name)

        return PLACEHOLDER.sub(fill, text)

    def __repr__(self) -> str:
        return f"Parser({self.variables!r})"


@builtin("Parser Parser()")
def parser_new() -> Parser:
    return Parser()


@builtin("Void Parser.setVariable(String name, String value)")
def parser_set_variable(self: Parser, name: str, value: str) -> None:
    self.set(name, value)


@builtin("Void Parser.addVariable(String field, String value)")
def parser_add_variable(self: Parser, name: str, value: str) -> None:
    """Adds a row to the variable (the docs: "similar to setVariable")."""
    self.variables.setdefault(name.lower(), []).append(value)


@builtin("String Parser.getVariable(String name, Integer row)")
def parser_get_variable(self: Parser, name: str, row: int) -> str:
    rows = self.variables.get(name.lower(), [])
    return rows[row] if 0 <= row < len(rows) else ""


@builtin("Integer Parser.getVariableCount(String name)")
def parser_variable_count(self: Parser, name: str) -> int:
    return len(self.variables.get(name.lower(), []))


@builtin("String Parser.parseString(String stringToParse)")
def parser_parse_string(self: Parser, text: str) -> str:
    return self.parse(text)


@builtin("Void Parser.toParser(Parser parser)")
def parser_to_parser(self: Parser, other: Parser) -> None:
    """Copies this parser's variables into `other`."""
    for name, rows in self.variables.items():
        other.variables[name] = list(rows)


LIBRARY.register_class("Parser", Parser, default=Parser)


# ------------------------------------------- the event's parser variables


def _parser_values(ctx: Any, create: bool = False) -> dict[str, str]:
    values = ctx.event.ParserValues
    if values is None:
        if not create:
            return {}
        values = ctx.event.ParserValues = {}
    return values


def _lookup(values: dict[str, str], name: str) -> str | None:
    if name in values:
        return values[name]
    low = name.lower()
    return next((value for key, value in values.items() if key.lower() == low), None)


def _row(ctx: Any, name: str, row: int) -> str:
    if row < 0:
        raise CRMScriptRuntimeError(f"row {row} is negative")
    value = _lookup(_parser_values(ctx), name)
    return value if value is not None and row == 0 else ""


@builtin("String getParserVariable(String varName)", context=True)
def get_parser_variable(ctx, name: str) -> str:
    """The event's ParserValues[name] ("" when not there)."""
    return _row(ctx, name, 0)


@builtin("String getParserVariable(String varName, Integer row)", context=True)
def get_parser_variable_row(ctx, name: str, row: int) -> str:
    """ParserValues carry one row per name: row 0 is the value, other rows are empty."""
    return _row(ctx, name, row)


@builtin("Integer getParserVariableCount(String varName)", context=True)
def get_parser_variable_count(ctx, name: str) -> int:
    return 0 if _lookup(_parser_values(ctx), name) is None else 1


@builtin("String getParserVariableAsCSV(String paramName, Bool forceQuoting)", context=True)
def get_parser_variable_as_csv(ctx, name: str, force_quoting: bool) -> str:
    value = _lookup(_parser_values(ctx), name)
    if value is None:
        return ""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL if force_quoting else csv.QUOTE_MINIMAL,
               lineterminator="").writerow([value])
    return out.getvalue()


@builtin("Void setParserVariable(String name, String value)", context=True)
def set_parser_variable(ctx, name: str, value: str) -> None:
    """Writes ParserValues[name] (the response carries it)."""
    values = _parser_values(ctx, create=True)
    existing = next((key for key in values if key.lower() == name.lower()), name)
    values[existing] = value


@builtin("String getParserParameter(String name)", context=True)
def get_parser_parameter(ctx, name: str) -> str:
    """A parameter of a script run from a template: ParserValues[name]."""
    return _row(ctx, name, 0)


@builtin("String getParserParameter(String name, Integer index)", context=True)
def get_parser_parameter_index(ctx, name: str, index: int) -> str:
    return _row(ctx, name, index)


@builtin("Integer getParserParameterCount(String paramName)", context=True)
def get_parser_parameter_count(ctx, name: str) -> int:
    return get_parser_variable_count(ctx, name)


@builtin("Parser getParser()", context=True)
def get_parser(ctx) -> Parser:
    """A Parser holding the event's ParserValues (a copy: setParserVariable writes them back)."""
    parser = Parser()
    parser.update(_parser_values(ctx))
    return parser
