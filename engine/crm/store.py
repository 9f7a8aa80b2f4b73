"""The store: a real SQLite database (the standard library's sqlite3) per run.

Isolation (docs/crm.md): every run, fired event, test case and replayed event
starts from the fixture's state. How that stays cheap:

- A fixture's state is built once, in memory, into a serialized SQLite
  image holding only the tables the fixture fills (a table nobody touches
  costs nothing; the schema has 495).
- A run does not copy anything until it first touches the database
  (`RunContext.crm` is made on first use). Then it takes a connection from
  the fixture's pool (a new one is the image deserialized: ~0.1-1 ms once)
  and starts a transaction before its first write.
- When the run (or the handler chain) ends, its Session rolls the
  transaction back and returns the connection to the pool: the next run
  sees exactly the fixture's state again. A reset costs a ROLLBACK (a few
  microseconds), nothing when the run only read.
- A table a query touches that the image lacks is created on the spot
  (empty: that is its state in the fixture). Made inside a transaction it
  is rolled back with it, so the connection makes it again, for good, once
  the transaction is over.

Concurrent runs (threads of `serve`) each hold their own connection; worker
processes (`replay --workers`) build their own image.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from .fixture import META_TABLE, Fixture, FixtureError, clock_start, demo_fixture
from .schema import Schema, SchemaError, Table, quote, reference_schema, suggest

POOL_SIZE = 8  # idle connections kept per fixture


class Database:
    """One connection to a copy of a fixture's state, used by one run at a time."""

    __slots__ = ("connection", "cursor", "schema", "tables", "pending", "__weakref__")

    def __init__(self, connection: sqlite3.Connection, schema: Schema, tables: set[str]) -> None:
        self.connection = connection
        # For reads fetched whole at once (SearchEngine): one cursor for all
        # of them costs less than a new one per statement.
        self.cursor = connection.cursor()
        self.schema = schema
        self.tables = tables  # lower-case names of the tables this connection has
        self.pending: list[Table] = []  # made inside a transaction: made again after it

    def ensure_table(self, table: Table) -> None:
        """Create `table` (empty) if this copy does not have it yet."""
        key = table.name.lower()
        if key in self.tables:
            return
        for statement in table.ddl():
            self.connection.execute(statement)
        self.tables.add(key)
        if self.connection.in_transaction:
            self.pending.append(table)

    def begin_write(self) -> None:
        """Start the run's transaction (before its first write)."""
        if not self.connection.in_transaction:
            self.connection.execute("BEGIN")

    def execute(self, sql: str, params: tuple | list = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def reset(self) -> None:
        """Back to the fixture's state: undo the run's writes (and tables made meanwhile)."""
        connection = self.connection
        if connection.in_transaction:
            connection.execute("ROLLBACK")
            for table in self.pending:
                self.tables.discard(table.name.lower())
        for table in self.pending:
            self.ensure_table(table)
        self.pending.clear()


class Store:
    """A fixture's state: its SQLite image (built once) and a pool of copies."""

    def __init__(self, fixture: Fixture) -> None:
        self.fixture = fixture
        self.schema = fixture.schema
        self._image: bytes | None = None
        self._tables: set[str] = set()
        self._lock = threading.Lock()
        self._idle: list[Database] = []

    def image(self) -> bytes:
        """The fixture's state as a serialized SQLite database (made once)."""
        if self._image is None:
            with self._lock:
                if self._image is None:
                    connection = self.build()
                    self._tables = table_names(connection)
                    self._image = connection.serialize()
                    connection.close()
        return self._image

    def build(self, all_tables: bool = False) -> sqlite3.Connection:
        """A new in-memory database holding the fixture's rows (every table of
        the schema too with `all_tables`)."""
        if self.fixture.sqlite_image is not None:
            connection = _connect()
            connection.deserialize(self.fixture.sqlite_image)
            return connection
        connection = _connect()
        connection.execute("BEGIN")
        tables = self.schema.tables.values() if all_tables else \
            [self.schema.table(name) for name in self.fixture.rows]
        for table in tables:
            for statement in table.ddl():
                connection.execute(statement)
        for name, rows in self.fixture.rows.items():
            insert_rows(connection, self.schema.table(name), rows)
        connection.execute("COMMIT")
        return connection

    def acquire(self) -> Database:
        """A connection at the fixture's state, for one run. (list.pop and
        list.append are atomic: the pool needs no lock.)"""
        try:
            return self._idle.pop()
        except IndexError:
            pass
        image = self.image()
        connection = _connect()
        connection.deserialize(image)
        return Database(connection, self.schema, set(self._tables))

    def release(self, database: Database) -> None:
        try:
            if database.connection.in_transaction or database.pending:
                database.reset()
        except sqlite3.Error:  # a broken copy is dropped, never reused
            database.connection.close()
            return
        if len(self._idle) < POOL_SIZE:
            self._idle.append(database)
        else:
            database.connection.close()


_STORES_LOCK = threading.Lock()


def store_of(fixture: Fixture) -> Store:
    """A fixture's store, made once (kept on the fixture)."""
    store = fixture._store
    if store is None:
        with _STORES_LOCK:
            store = fixture._store
            if store is None:
                store = fixture._store = Store(fixture)
    return store


def _connect() -> sqlite3.Connection:
    # Autocommit mode: transactions are begun and ended explicitly (Database).
    # A connection is used by one run at a time but may move between threads.
    connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    connection.create_function("crm_array_has_any", 2, array_has_any, deterministic=True)
    return connection


def array_has_any(stored: object, wanted: str) -> bool:
    """OperatorIn on an FKArray column (ticket.tags, "1,3"): does the stored
    comma-separated list hold any of the wanted ids?"""
    if stored is None or stored == "":
        return False
    have = {part.strip() for part in str(stored).split(",")}
    return any(part.strip() in have for part in str(wanted).split(","))


def table_names(connection: sqlite3.Connection) -> set[str]:
    return {name.lower() for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}


def insert_rows(connection: sqlite3.Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert fixture rows; a column a row does not give gets the schema default."""
    by_columns: dict[tuple[str, ...], list[tuple]] = {}
    for row in rows:
        columns = tuple(row)
        by_columns.setdefault(columns, []).append(tuple(row.values()))
    for columns, values in by_columns.items():
        if not columns:
            connection.execute(f"INSERT INTO {quote(table.name)} DEFAULT VALUES")
            continue
        marks = ", ".join("?" * len(columns))
        connection.executemany(
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) VALUES ({marks})",
            values)


class Session:
    """The CRM of one run or one handler chain: a database copy taken on first
    use and given back (reset) by close()."""

    __slots__ = ("fixture", "_database", "_store")

    def __init__(self, fixture: Fixture | None = None) -> None:
        self.fixture = fixture  # None: the embedded demo CRM
        self._database: Database | None = None

    @property
    def database(self) -> Database:
        database = self._database
        if database is None:
            if self.fixture is None:
                self.fixture = demo_fixture()
            store = self._store = store_of(self.fixture)
            database = self._database = store.acquire()
        return database

    @property
    def schema(self) -> Schema:
        return (self.fixture or demo_fixture()).schema

    @property
    def user(self) -> int:
        """The logged-in user (an ejuser id; 0: nobody)."""
        return (self.fixture or demo_fixture()).user

    @property
    def netserver(self) -> list:
        """The fixture's canned NetServer answers (engine/crm/netserver/canned.py)."""
        return (self.fixture or demo_fixture()).netserver

    @property
    def opened(self) -> bool:
        return self._database is not None

    def close(self) -> None:
        database = self._database
        if database is not None:
            self._database = None
            self._store.release(database)

    def __del__(self) -> None:
        if self._database is not None:  # (most sessions were closed: no call then)
            try:
                self.close()
            except Exception:  # at interpreter exit: nothing left to give back to
                pass


# ---------------------------------------------------------- SQLite fixtures


def fixture_from_sqlite(path: Path, data: bytes) -> Fixture:
    """A fixture read from a SQLite file: its tables must be tables of the
    schema (or extra tables y_... / extra fields x_...)."""
    file = str(path)
    connection = _connect()
    try:
        connection.deserialize(data)
        schema, meta = _sqlite_schema(connection, file)
    except sqlite3.Error as error:
        raise FixtureError(f"not a readable SQLite database: {error}", file) from None
    finally:
        connection.close()
    fixture = Fixture(file, schema, sqlite_image=data)
    fixture.timezone = meta.get("timezone", "")
    try:
        if meta.get("now"):
            fixture.now = clock_start(meta["now"], fixture.timezone)
        fixture.user = int(meta.get("user") or 0)
    except ValueError as error:
        raise FixtureError(f"table {META_TABLE}: {error}", file) from None
    return fixture


def _sqlite_schema(connection: sqlite3.Connection, file: str) -> tuple[Schema, dict[str, str]]:
    schema = reference_schema()
    extra: dict[str, dict[str, str]] = {}
    meta: dict[str, str] = {}
    for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                      "AND name NOT LIKE 'sqlite_%'").fetchall():
        if name == META_TABLE:
            meta = {str(k): str(v) for k, v in connection.execute(f"SELECT key, value FROM {META_TABLE}")}
            continue
        known = schema.table(name) if schema.has_table(name) else None
        if known is None and not name.lower().startswith("y_"):
            raise FixtureError(f"table {name}: not a table of the SuperOffice schema"
                               f"{suggest(name, schema.table_names())} (an extra table's name starts with y_)", file)
        for _, column, declared, *_ in connection.execute(f"PRAGMA table_info({quote(name)})").fetchall():
            if known is not None and known.has_column(column):
                continue
            if known is None and column.lower() == "id":
                continue
            if not column.lower().startswith("x_"):
                raise FixtureError(f"table {name} has no column '{column}'"
                                   f"{suggest(column, known.column_names()) if known else ''}"
                                   " (an extra field's name starts with x_)", file)
            extra.setdefault(name, {})[column] = _declared_type(declared)
        if known is None:
            extra.setdefault(name, {})
    try:
        return schema.extended(extra), meta
    except SchemaError as error:
        raise FixtureError(str(error), file) from None


def _declared_type(declared: str) -> str:
    declared = (declared or "").upper()
    if "INT" in declared:
        return "Integer"
    if "REAL" in declared or "FLOA" in declared or "DOUB" in declared:
        return "Float"
    if "DATE" in declared:
        return "DateTime"
    return "String"


def write_sqlite(fixture: Fixture, path: Path, all_tables: bool = True) -> int:
    """`crmscript db init`: the fixture as a SQLite file (every table of the
    schema with `all_tables`), its now/timezone/user in the crmscript_fixture
    table. Returns the number of tables written."""
    connection = store_of(fixture).build(all_tables=all_tables)
    try:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
        meta = {"timezone": fixture.timezone, "user": str(fixture.user),
                "now": fixture.now.isoformat() if fixture.now else ""}
        connection.executemany(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", list(meta.items()))
        count = len(table_names(connection)) - 1
        path.write_bytes(connection.serialize())
        return count
    finally:
        connection.close()

