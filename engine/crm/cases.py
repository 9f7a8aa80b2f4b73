"""The CRM in test cases: a case's fixture, its `rows:`, and `expect: db:`.

    fixture: crm.yaml                 # per file or per case, relative to the case file
    cases:
      - name: closing a ticket logs it
        rows:                         # on top of the fixture (a key already there: those columns change)
          ticket: [{id: 1, status: Active}]
        expect:
          db:
            ticket:
              - {id: 1, status: Closed}        # present: some row has these values (the columns given)
              - {title: Spam, absent: true}    # absent: no row has them
            ticket_log: {count: 1}             # the number of rows (and `rows: [...]` as above)

Rows and expectations are checked against the fixture's schema (with the
exact line and column, as a fixture is) and compared after the handlers ran,
on the chain's copy of the database (docs/testing.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .fixture import Fixture, FixtureError, _Reader, demo_fixture
from .formats import as_text
from .loading import load_fixture, resolve_fixture
from .query import sql_name
from .schema import Schema, SchemaError, Table


@dataclass
class RowMatch:
    values: dict[str, Any]  # column name -> stored value
    absent: bool = False
    line: int = 0


@dataclass
class TableExpect:
    table: Table
    rows: list[RowMatch] = field(default_factory=list)
    count: int | None = None


def case_fixture(path: str | None, base: Path, tree: Path | None, default: Path | None = None) -> Fixture:
    """The fixture of a case: its `fixture:` (relative to the case file), else
    the default given (`crmscript test --fixture`), else the tree's
    fixture.yaml, else the demo CRM. Loaded once per file and version."""
    if path:
        return cached_fixture(base / path)
    if default is not None:
        return cached_fixture(default)
    return resolve_fixture(None, tree) or demo_fixture()


_LOADED: dict[tuple, Fixture] = {}


def cached_fixture(path: Path) -> Fixture:
    """load_fixture, once per file and modification (many cases name one fixture)."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load_fixture(path)  # raises the FixtureError that names the problem
    found = _LOADED.get(key)
    if found is None:
        if len(_LOADED) > 64:
            _LOADED.clear()
        found = _LOADED[key] = load_fixture(path)
    return found


class CaseReader(_Reader):
    """Reads a case's `rows:` and `expect: db:` nodes. A parametrised case's
    nodes are made from its substituted values: errors there point at the
    case's line."""

    def __init__(self, file: str, line: int | None = None) -> None:
        super().__init__(file, assign_keys=False)
        self.line = line

    def error(self, node: yaml.Node, message: str) -> FixtureError:
        if self.line is not None:
            return FixtureError(message, self.file, self.line, 1)
        return super().error(node, message)

    def with_netserver(self, node: yaml.Node, fixture: Fixture) -> Fixture:
        """The fixture with the case's `netserver:` answers first (they win over its own)."""
        from dataclasses import replace

        from .netserver.canned import read_entries

        return replace(fixture, netserver=read_entries(self, node) + list(fixture.netserver))

    def db_expect(self, node: yaml.Node, schema: Schema) -> list[TableExpect]:
        expects = []
        for name, (key, value) in self.mapping(node, "db is a mapping {table: [row, ...]}").items():
            try:
                table = schema.table(name)
            except SchemaError as error:
                raise self.error(key, str(error)) from None
            expect = TableExpect(table)
            rows_node: yaml.Node | None = value
            if isinstance(value, yaml.MappingNode):
                parts = self.mapping(value, "")
                for part, (part_key, _) in parts.items():
                    if part not in ("count", "rows"):
                        raise self.error(part_key, f"unknown key '{part}' in db.{table.name} (count, rows)")
                rows_node = parts["rows"][1] if "rows" in parts else None
                if "count" in parts:
                    count_node = parts["count"][1]
                    text = self.scalar(count_node, "count")
                    if text is None or not text.strip().isdigit():
                        raise self.error(count_node, f"db.{table.name}.count: {text!r} is not a number of rows")
                    expect.count = int(text)
            if rows_node is not None:
                if not isinstance(rows_node, yaml.SequenceNode):
                    raise self.error(rows_node, f"db.{table.name} is a list of rows (or {{count: N, rows: [...]}})")
                expect.rows = [self.row_match(table, row) for row in rows_node.value]
            expects.append(expect)
        return expects

    def row_match(self, table: Table, node: yaml.Node) -> RowMatch:
        absent = False
        if isinstance(node, yaml.MappingNode):
            kept = []
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == "absent":
                    flag = (self.scalar(value, "absent") or "").lower()
                    if flag not in ("true", "false", "yes", "no"):
                        raise self.error(value, "absent: true or false")
                    absent = flag in ("true", "yes")
                else:
                    kept.append((key, value))
            node = yaml.MappingNode(node.tag, kept, node.start_mark, node.end_mark, node.flow_style)
        values = self.row(table, node)
        if not values:
            raise self.error(node, f"a row of db.{table.name} names at least one column")
        return RowMatch(values, absent, node.start_mark.line + 1)


def node_at(node: yaml.Node | None, *keys: str) -> yaml.Node | None:
    """The value node at a path of mapping keys, or None."""
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((value for k, value in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    return node


def data_node(data: Any) -> yaml.Node:
    """Nodes for values that no longer have their own (a parametrised case's)."""
    return yaml.compose(yaml.safe_dump(data), Loader=yaml.SafeLoader)


def check_db(expects: list[TableExpect], session: Any) -> list[tuple[str, object, object, str]]:
    """(field, expected, actual, note) for every `expect: db:` the database does not meet."""
    problems = []
    database = session.database
    for expect in expects:
        table = expect.table
        database.ensure_table(table)
        name = sql_name(table.name)
        if expect.count is not None:
            count = database.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            if count != expect.count:
                problems.append((f"db {table.name}", _rows(expect.count), _rows(count), ""))
        for match in expect.rows:
            columns = list(match.values)
            where = " AND ".join(f"{sql_name(c)} IS ?" for c in columns)
            found = database.execute(f"SELECT count(*) FROM {name} WHERE {where}",
                                     list(match.values.values())).fetchone()[0]
            described = _describe(match.values)
            if match.absent and found:
                problems.append((f"db {table.name} (line {match.line})", f"no row {described}",
                                 f"{found} row{'s' if found > 1 else ''} {described}", "absent: true"))
            elif not match.absent and not found:
                problems.append((f"db {table.name} (line {match.line})", f"a row {described}",
                                 _closest(database, table, match.values), ""))
    return problems


def _rows(count: int) -> str:
    return f"{count} row{'' if count == 1 else 's'}"


def _describe(values: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {as_text(v) if v is not None else '~'}" for k, v in values.items()) + "}"


def _closest(database: Any, table: Table, values: dict[str, Any]) -> str:
    """What is there instead: the row with the expected key, else how many rows there are."""
    key = table.key
    if key is not None and key.name in values:
        columns = [c for c in values if c != key.name] or [key.name]
        row = database.execute(f"SELECT {', '.join(sql_name(c) for c in columns)} FROM {sql_name(table.name)} "
                               f"WHERE {sql_name(key.name)} = ?", (values[key.name],)).fetchone()
        if row is None:
            return f"no {table.name} row with {key.name} {as_text(values[key.name])}"
        return f"{key.name} {as_text(values[key.name])} has " + _describe(dict(zip(columns, row, strict=True)))
    count = database.execute(f"SELECT count(*) FROM {sql_name(table.name)}").fetchone()[0]
    return f"no such row ({count} row{'' if count == 1 else 's'} in {table.name})"
