"""Fixtures: the YAML file that describes the CRM a handler sees (docs/crm.md).
(Reading a fixture file, YAML or SQLite: engine/crm/loading.py.)

    now: "2026-05-04T10:00:00"   # the run's clock
    timezone: Europe/Oslo        # optional, IANA name
    user: 3                      # the logged-in user: an ejuser id
    schema:                      # extra tables (y_...) and extra fields (x_...)
      contact: {x_vip: Bool}
    rows:
      contact:
        - {contact_id: 1, name: Acme AS}
    http: [...]                  # what web services answer (read by the HTTP class)

Everything is checked against the schema before anything runs: an unknown
table or column, a value of the wrong type or a malformed file raises a
FixtureError at the exact line and column (`crm.yaml:5:22: error: table
contact has no column 'nmae' (did you mean 'name'?)`).

A fixture may also be a SQLite file (`--fixture crm.sqlite`, made by
`crmscript db init`): its tables are the state, its `crmscript_fixture`
table holds now/timezone/user.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import CRMScriptError
from . import DEMO_NAME
from .schema import (
    Schema,
    SchemaError,
    Table,
    parse_datetime,
    reference_schema,
    suggest,
)

DEMO_FILE = Path(__file__).with_name("data") / "demo.yaml"
META_TABLE = "crmscript_fixture"  # now/timezone/user in a SQLite fixture
TOP_KEYS = ("now", "timezone", "user", "schema", "rows", "http", "netserver", "site", "files")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: 6x faster
    """Composes nodes only: every value is read from its text by the column it
    goes to, so YAML's implicit typing (its regular expressions, run for every
    scalar: half the load time) is skipped."""

    _TAGS = {yaml.ScalarNode: "tag:yaml.org,2002:str", yaml.SequenceNode: "tag:yaml.org,2002:seq",
             yaml.MappingNode: "tag:yaml.org,2002:map"}

    def resolve(self, kind, value, implicit):
        return self._TAGS[kind]


class FixtureError(CRMScriptError):
    """A fixture that cannot be read or does not fit the schema."""


@dataclass(eq=False)
class Fixture:
    """A loaded, validated fixture. Its database image is built on first use
    (engine/crm/store.py) and shared by every run that uses it."""

    name: str  # the file, for messages
    schema: Schema = field(default_factory=reference_schema)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # table -> rows (stored values)
    now: _dt.datetime | None = None  # aware; None: the real time
    timezone: str = ""
    user: int = 0  # ejuser id of the logged-in user; 0: nobody
    http: list[Any] = field(default_factory=list)  # engine/crm/http_recordings.py Recording
    netserver: list[Any] = field(default_factory=list)  # canned agent answers (engine/crm/netserver/canned.py)
    site: dict[str, Any] = field(default_factory=dict)  # the web server around the script (docs/globals.md)
    files: dict[str, bytes] = field(default_factory=dict)  # the File class's virtual file area (docs/globals.md)
    sqlite_image: bytes | None = None  # a SQLite fixture's serialized database
    _store: Any = field(default=None, repr=False)  # its database (engine/crm/store.py: store_of)

    def with_rows(self, rows: dict[str, list[dict[str, Any]]], name: str) -> Fixture:
        """This fixture with more rows on top (a case's `rows:`): a row whose key is
        already there changes the columns it gives; the others are added."""
        merged = {table: [dict(row) for row in table_rows] for table, table_rows in self.rows.items()}
        for table, new_rows in rows.items():
            key = self.schema.table(table).key
            existing = merged.setdefault(table, [])
            by_key = {row.get(key.name): row for row in existing} if key is not None else {}
            for row in new_rows:
                value = row.get(key.name) if key is not None else None
                if value in by_key:
                    by_key[value].update(row)
                    continue
                row = dict(row)
                if key is not None:
                    if not value:  # no key given: the next free id, as an insert would
                        value = row[key.name] = max(by_key, default=0) + 1
                    by_key[value] = row
                existing.append(row)
        return replace(self, name=name, rows=merged, _store=None)

    def row_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


# ------------------------------------------------------------------ reading


@cache
def demo_fixture() -> Fixture:
    """The embedded demo CRM (engine/crm/data/demo.yaml), loaded once."""
    fixture = parse_fixture(DEMO_FILE.read_text(encoding="utf-8"), str(DEMO_FILE))
    fixture.name = DEMO_NAME
    return fixture


def parse_fixture(text: str, file: str, schema: Schema | None = None) -> Fixture:
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise FixtureError(f"not valid YAML: {getattr(error, 'problem', None) or error}", file, line, column) from None
    reader = _Reader(file)
    fixture = Fixture(file, schema or reference_schema())
    if root is None:
        return fixture
    top = reader.mapping(root, "a fixture is a mapping (now, timezone, user, schema, rows, http)")
    for key in top:
        if key not in TOP_KEYS:
            raise reader.error(top[key][0], f"unknown key '{key}'{suggest(key, list(TOP_KEYS))}: "
                                            f"a fixture has {', '.join(TOP_KEYS)}")
    if "schema" in top:
        fixture.schema = reader.extra_schema(top["schema"][1], fixture.schema)
    if "timezone" in top:
        fixture.timezone = reader.timezone(top["timezone"][1])
    if "now" in top:
        fixture.now = reader.now(top["now"][1], fixture.timezone)
    if "rows" in top:
        fixture.rows = reader.rows(top["rows"][1], fixture.schema)
    if "user" in top:
        fixture.user = reader.user(top["user"][1], fixture.rows)
    if "http" in top:
        fixture.http = reader.http(top["http"][1])
    if "netserver" in top:
        from .netserver.canned import read_entries

        fixture.netserver = read_entries(reader, top["netserver"][1])
    if "site" in top or "files" in top:
        from .services_fixture import read_files, read_site

        if "site" in top:
            fixture.site = read_site(reader, top["site"][1])
        if "files" in top:
            fixture.files = read_files(reader, top["files"][1])
    return fixture


class _Reader:
    """Walks the YAML nodes, so every error has the node's line and column."""

    def __init__(self, file: str, assign_keys: bool = True) -> None:
        self.file = file
        self.assign_keys = assign_keys

    def error(self, node: yaml.Node, message: str) -> FixtureError:
        mark = node.start_mark
        return FixtureError(message, self.file, mark.line + 1, mark.column + 1)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """{key text: (key node, value node)}; a key written twice is an error."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, what)
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.error(key, "a key must be a name")
            if key.value in result:
                first = result[key.value][0].start_mark.line + 1
                raise self.error(key, f"'{key.value}' is written twice (first on line {first})")
            result[key.value] = (key, value)
        return result

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        """The text of a scalar as written; None for null (~, null, nothing)."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be a single value, not a "
                                   f"{'list' if isinstance(node, yaml.SequenceNode) else 'mapping'}")
        if not node.style and node.value in ("", "~", "null", "Null", "NULL"):  # plain (libyaml: '')
            return None
        return node.value

    def timezone(self, node: yaml.Node) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        name = self.scalar(node, "timezone") or ""
        if name and name.upper() != "UTC":
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise self.error(node, f"'{name}' is not a known time zone (an IANA name such as "
                                       "Europe/Oslo, or UTC)") from None
        return name

    def now(self, node: yaml.Node, timezone: str) -> _dt.datetime | None:
        text = self.scalar(node, "now")
        if text is None:
            return None
        try:
            return clock_start(text, timezone)
        except ValueError as error:
            raise self.error(node, f"now: {error}") from None

    def user(self, node: yaml.Node, rows: dict[str, list[dict[str, Any]]]) -> int:
        text = self.scalar(node, "user")
        try:
            user = int(text or 0)
        except ValueError:
            raise self.error(node, f"user: {text!r} is not an ejuser id (a number)") from None
        users = rows.get("ejuser")
        if user and users is not None and not any(row.get("id") == user for row in users):
            known = ", ".join(str(row.get("id")) for row in users)
            raise self.error(node, f"user: there is no ejuser row with id {user} (the ejuser rows have {known})")
        return user

    def http(self, node: yaml.Node) -> list[Any]:
        """The recordings (engine/crm/http_recordings.py); body files are beside the fixture."""
        from .http_recordings import read_recordings

        return read_recordings(self, node, Path(self.file).parent)

    def extra_schema(self, node: yaml.Node, schema: Schema) -> Schema:
        """`schema:` {table: {x_field: type}}: extra fields, and extra tables y_..."""
        for table, (table_key, fields_node) in self.mapping(
                node, "schema is a mapping {table: {field: type}}").items():
            try:
                schema = schema.extended({table: {}})
            except SchemaError as error:
                raise self.error(table_key, str(error)) from None
            for name, (field_key, type_node) in self.mapping(
                    fields_node, f"schema of {table} is a mapping {{field: type}}").items():
                try:
                    schema = schema.extended({table: {name: self.scalar(type_node, f"the type of {name}") or ""}})
                except SchemaError as error:
                    where = field_key if "starts with x_" in str(error) else type_node
                    raise self.error(where, str(error)) from None
        return schema

    def rows(self, node: yaml.Node, schema: Schema) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = {}
        for name, (key, rows_node) in self.mapping(node, "rows is a mapping {table: [row, ...]}").items():
            try:
                table = schema.table(name)
            except SchemaError as error:
                raise self.error(key, str(error)) from None
            if table.name in result:
                raise self.error(key, f"table {table.name} is given twice (names match ignoring case)")
            if isinstance(rows_node, yaml.ScalarNode) and self.scalar(rows_node, "rows") is None:
                result[table.name] = []
                continue
            if not isinstance(rows_node, yaml.SequenceNode):
                raise self.error(rows_node, f"the rows of {table.name} are a list of mappings")
            result[table.name] = self.table_rows(table, rows_node.value)
        return result

    def table_rows(self, table: Table, nodes: list[yaml.Node]) -> list[dict[str, Any]]:
        rows = [self.row(table, node) for node in nodes]
        key = table.key
        if key is None:
            return rows
        seen: dict[Any, int] = {}
        for row, node in zip(rows, nodes, strict=True):
            value = row.get(key.name)
            if not value:
                continue
            if value in seen:
                raise self.error(node, f"a second {table.name} row with {key.name} {value} "
                                       f"(the first is on line {seen[value]})")
            seen[value] = node.start_mark.line + 1
        if self.assign_keys:  # a row without its key gets the next free id, as an insert would
            next_id = max(seen, default=0) + 1
            for row in rows:
                if not row.get(key.name):
                    row[key.name] = next_id
                    next_id += 1
        return rows

    def row(self, table: Table, node: yaml.Node) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name, (key, value_node) in self.mapping(
                node, f"a row of {table.name} is a mapping {{column: value}}").items():
            try:
                column = table.column(name)
            except SchemaError as error:
                raise self.error(key, str(error)) from None
            text = self.scalar(value_node, f"{table.name}.{column.name}")
            try:
                row[column.name] = column.to_sql(text)
            except ValueError as error:
                raise self.error(value_node, f"{table.name}.{column.name}: {error}") from None
        return row


def clock_start(text: str, timezone: str = "") -> _dt.datetime:
    """`now:` / `--now` as an aware instant: a time without an offset is the wall
    clock of `timezone` (UTC when none)."""
    from zoneinfo import ZoneInfo

    moment = parse_datetime(text)
    if moment.tzinfo is None:
        zone = ZoneInfo(timezone) if timezone and timezone.upper() != "UTC" else _dt.UTC
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(_dt.UTC)
