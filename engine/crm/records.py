"""The record classes' common part: a CRMScript object over one row of a table
of the run's database (docs/crm-records.md).

A record (Ticket, Message, Customer, Company, Category, EabEntry, ...) holds
the row it was loaded from and the changes setValue made; save() writes them
(an UPDATE, or an INSERT for a record never loaded) and reloads the row.
Field names are resolved the same way for every class:

1. a derived value of the class (`customers` of a Ticket: its
   ticket_customers; `email` of a Customer: the first address by rank);
2. the documented alias (engine/crm/data/aliases.json, generated from the
   reference tables of the docs by tools/gen_aliases.py: `ownedBy` ->
   owned_by), with the class's corrections where today's schema names the
   documented field differently (`cust_lang` -> supportLanguageId);
3. a column of the table, ignoring case and underscores (`ticketStatus`,
   `dbiLastModified`, `x_vip`), and `id` for the primary key.

Anything else is a CRMScript runtime error with a did-you-mean.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import CRMScriptRuntimeError
from ..runtime.datetimes import now_datetime
from ..runtime.table import LIBRARY, builtin
from .formats import as_text
from .schema import Column, Table, quote, suggest

ALIASES_FILE = Path(__file__).parent / "data" / "aliases.json"
SECRET = frozenset({"password", "loginsessionkey"})  # never given to a template


@functools.cache
def documented_aliases() -> dict[str, dict[str, str]]:
    """class name -> {documented parameter name: documented database field}."""
    data = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))
    return {name: dict(entry["aliases"]) for name, entry in data["classes"].items()}


@dataclass(frozen=True)
class Derived:
    """A value of a record that is not a column of its table: `source` names
    the table.column it comes from (for the docs and the alias test)."""

    source: str
    get: Callable[[Any, Record], str]
    set: Callable[[Any, Record, str], None] | None = None


@dataclass
class Kind:
    """What a record class reads: its table, aliases and derived values."""

    name: str  # the CRMScript class
    table: str
    corrections: dict[str, str] = field(default_factory=dict)  # documented db field -> column or derived name
    derived: dict[str, Derived] = field(default_factory=dict)  # by lower-case name
    parser_prefix: str = ""  # toParser: "ticket" -> ticket.title, ...

    @functools.cached_property
    def aliases(self) -> dict[str, str]:
        """lower-case alias -> the column (or derived value) it names."""
        documented = documented_aliases().get(self.name, {})
        resolved = {}
        for alias, db_field in documented.items():
            target = self.corrections.get(db_field.lower(), self.corrections.get(alias.lower(), db_field))
            resolved[alias.lower()] = target or alias
        return resolved


class Record:
    """One row of `kind.table`: the values loaded and the changes not saved yet."""

    __slots__ = ("id", "values", "changes", "extra")
    kind: ClassVar[Kind]

    def __init__(self) -> None:
        self.id = 0
        self.values: dict[str, object] = {}  # lower-case column -> stored value
        self.changes: dict[str, object] = {}
        self.extra: dict[str, Any] = {}  # the class's own state (secondary customers, ...)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id})"


# ------------------------------------------------------------- the database


def database(ctx: Any, *tables: str):
    """The run's database, with `tables` made if this copy lacks them."""
    db = ctx.crm.database
    schema = ctx.crm.schema
    for name in tables:
        db.ensure_table(schema.table(name))
    return db


def table_of(ctx: Any, kind: Kind) -> Table:
    return ctx.crm.schema.table(kind.table)


def now_text(ctx: Any) -> str:
    return str(now_datetime(ctx))


def row_dict(cursor, row) -> dict[str, object]:
    return {description[0].lower(): value for description, value in zip(cursor.description, row, strict=True)}


def load_where(ctx: Any, record: Record, condition: str, params: tuple | list) -> bool:
    """Load the first row of the record's table matching `condition` (SQL); False if none."""
    table = table_of(ctx, record.kind)
    key = table.key
    db = database(ctx, table.name)
    cursor = db.execute(f"SELECT * FROM {quote(table.name)} WHERE {condition} "
                        f"ORDER BY {quote(key.name) if key else 'rowid'} LIMIT 1", params)
    row = cursor.fetchone()
    record.changes.clear()
    if row is None:
        record.id, record.values = 0, {}
        return False
    record.values = row_dict(cursor, row)
    record.id = int(record.values.get(key.name.lower(), 0) or 0) if key else 0
    return True


def load(ctx: Any, record: Record, record_id: int) -> bool:
    key = table_of(ctx, record.kind).key
    return load_where(ctx, record, f"{quote(key.name)} = ?", (record_id,))


def load_from_agent_and_key(ctx: Any, record: Record, agent: int, key: str) -> bool:
    """loadFromAgentAndKey: the row an integration stored with (dbi_agent_id, dbi_key)."""
    table = table_of(ctx, record.kind)
    if not (table.has_column("dbi_agent_id") and table.has_column("dbi_key")):
        raise CRMScriptRuntimeError(f"{record.kind.name}: table {table.name} has no dbi_agent_id/dbi_key")
    return load_where(ctx, record, "dbi_agent_id = ? AND dbi_key = ?", (agent, key))


# ------------------------------------------------------------------ fields


def resolve(ctx: Any, kind: Kind, name: str) -> Column | Derived:
    """The column or derived value `name` means for `kind` (module docstring)."""
    low = name.strip().lower()
    derived = kind.derived.get(low)
    if derived is not None:
        return derived
    target = kind.aliases.get(low, low).lower()
    if target in kind.derived:
        return kind.derived[target]
    table = table_of(ctx, kind)
    found = column_named(table, target)
    if found is not None:
        return found
    known = [*documented_aliases().get(kind.name, {}), *kind.derived, *table.column_names()]
    raise CRMScriptRuntimeError(f"{kind.name}: unknown field '{name}'{suggest(name, known)}")


def column_named(table: Table, name: str) -> Column | None:
    """A column by name ignoring case and underscores (`ticketStatus`:
    ticket_status); `id` is the primary key."""
    low = name.lower()
    if table.has_column(low):
        return table.column(low)
    squashed = low.replace("_", "")
    for column in table.columns.values():
        if column.name.lower().replace("_", "") == squashed:
            return column
    if low == "id" and table.key is not None:
        return table.key
    return None


def current(record: Record, column: str) -> object:
    """A column's value with the unsaved change, by lower-case name."""
    if column in record.changes:
        return record.changes[column]
    return record.values.get(column)


def get_value(ctx: Any, record: Record, name: str) -> str:
    target = resolve(ctx, record.kind, name)
    if isinstance(target, Derived):
        return target.get(ctx, record)
    return as_text(current(record, target.name.lower()))


def set_value(ctx: Any, record: Record, name: str, value: str) -> None:
    target = resolve(ctx, record.kind, name)
    kind = record.kind.name
    if isinstance(target, Derived):
        if target.set is None:
            raise CRMScriptRuntimeError(f"{kind}.setValue: '{name}' cannot be set (it is read from {target.source})")
        target.set(ctx, record, value)
        return
    if target.is_key:
        raise CRMScriptRuntimeError(f"{kind}.setValue: '{name}' is the key: it cannot be set")
    record.changes[target.name.lower()] = convert(kind, target, name, value)


def convert(kind: str, column: Column, name: str, value: object) -> object:
    try:
        return column.to_sql(value)
    except ValueError as error:
        raise CRMScriptRuntimeError(f"{kind}.setValue: {name}: {error}") from None


def write(ctx: Any, record: Record, defaults: dict[str, object] | None = None) -> int:
    """save(): the changes as an UPDATE, or an INSERT (with `defaults` for the
    columns not set) for a record never loaded; reloads the row; the id."""
    table = table_of(ctx, record.kind)
    db = database(ctx, table.name)
    db.begin_write()
    key = table.key
    if record.id:
        if record.changes:
            names = [table.column(c).name for c in record.changes]
            assignments = ", ".join(f"{quote(n)} = ?" for n in names)
            db.execute(f"UPDATE {quote(table.name)} SET {assignments} WHERE {quote(key.name)} = ?",
                       [*record.changes.values(), record.id])
    else:
        values = {**(defaults or {}), **record.changes}
        if values:
            names = [table.column(c).name for c in values]
            marks = ", ".join("?" * len(names))
            record.id = db.execute(f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                                   f"VALUES ({marks})", list(values.values())).lastrowid
        else:
            record.id = db.execute(f"INSERT INTO {quote(table.name)} DEFAULT VALUES").lastrowid
    load(ctx, record, record.id)
    return record.id


def delete(ctx: Any, record: Record) -> None:
    if not record.id:
        raise CRMScriptRuntimeError(f"{record.kind.name}.delete: nothing is loaded")
    table = table_of(ctx, record.kind)
    db = database(ctx, table.name)
    db.begin_write()
    db.execute(f"DELETE FROM {quote(table.name)} WHERE {quote(table.key.name)} = ?", (record.id,))
    record.id, record.values = 0, {}
    record.changes.clear()


def parser_values(ctx: Any, record: Record) -> dict[str, str]:
    """toParser: prefix.column for every column, prefix.alias for every
    documented alias and derived value (`ticket.owned_by`, `ticket.ownedBy`,
    `customer.email`); never a password or session key."""
    kind = record.kind
    prefix = kind.parser_prefix
    table = table_of(ctx, kind)
    out = {f"{prefix}.{column.name}": as_text(current(record, column.name.lower()))
           for column in table.columns.values()}
    if table.key is not None:
        out[f"{prefix}.id"] = str(record.id)
    if record.id or record.changes:
        for alias in documented_aliases().get(kind.name, {}):
            out[f"{prefix}.{alias}"] = get_value(ctx, record, alias)
        for name, derived in kind.derived.items():
            if name not in SECRET:
                out[f"{prefix}.{name}"] = derived.get(ctx, record)
    return out


def text_to_int(kind: str, name: str, value: str) -> int:
    try:
        return int(str(value).strip() or 0)
    except ValueError:
        raise CRMScriptRuntimeError(f"{kind}.setValue: {name}: {value!r} is not an Integer") from None


ESCALATION_ACTIONS = range(0, 6)  # ActionRead ... ActionNew (docs/requests/tickets.md)


def check_action(action: int) -> None:
    """Ticket.checkEscalating and Priority.checkEscalating take one of the documented actions."""
    if action not in ESCALATION_ACTIONS:
        raise CRMScriptRuntimeError(f"checkEscalating: {action} is not an action (0 ActionRead ... 5 ActionNew)")


def register_record_class(cls: type[Record], *, savable: bool = True, deletable: bool = False) -> None:
    """The constructor, load, getValue, setValue (and save, delete) of a plain
    record class (Category, EabEntry, ...)."""
    name = cls.__name__
    builtin(f"{name} {name}()")(cls)
    builtin(f"Bool {name}.load(Integer id)", context=True)(lambda ctx, self, record_id: load(ctx, self, record_id))
    builtin(f"String {name}.getValue(String field)", context=True)(get_value)
    builtin(f"Void {name}.setValue(String name, String value)", context=True)(set_value)
    if savable:
        builtin(f"Integer {name}.save()", context=True)(lambda ctx, self: write(ctx, self))
    if deletable:
        builtin(f"Void {name}.delete()", context=True)(delete)
    LIBRARY.register_class(name, cls, default=cls)
