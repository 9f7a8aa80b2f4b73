"""Loading, saving and deleting carriers on the run's database (docs/netserver.md).

The same tables SearchEngine reads (RunContext.crm): a saved entity is
visible to a query in the same run and gone in the next one (the run's
transaction is rolled back).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ...runtime.collections import Array, Map
from ...runtime.datetimes import DateTime, TemporalValue, TimeSpan, now_datetime
from ...types import Type
from ..formats import as_text
from ..schema import quote
from .carriers import Carrier, Lazy, carrier_class, default_of, element_factory
from .mapping import Mapping, Place, mapping


def mapping_for(ctx: Any, carrier: str) -> Mapping | None:
    return mapping(carrier, ctx.crm.schema)


def _database(ctx: Any, m: Mapping):
    database = ctx.crm.database
    database.ensure_table(m.table)
    return database


def _select(m: Mapping) -> tuple[str, list[Place], list[str]]:
    """The SELECT of one row by key, the places in its column order, and the
    tables its read-only names come from (cached)."""
    cached = m.__dict__.get("_select")
    if cached is None:
        places = [p for p in m.places.values() if p.column]
        columns = ", ".join(p.via.format(fk="a0." + quote(p.column)) if p.via else "a0." + quote(p.column)
                            for p in places)
        if m.table.has_column("text_id"):
            columns += ", a0." + quote("text_id")
        sql = f"SELECT {columns} FROM {quote(m.table.name)} a0 WHERE a0.{quote(m.table.key.name)} = ?"
        others = sorted({p.via_table for p in places if p.via})
        cached = m.__dict__["_select"] = (sql, places, others)
    return cached


def load(ctx: Any, carrier: str, key: int) -> Carrier | None:
    """The carrier `carrier` of the row with primary key `key`, or None."""
    m = mapping_for(ctx, carrier)
    if m is None or m.table.key is None:
        return None
    sql, places, others = _select(m)
    database = _database(ctx, m)
    for table in others:
        database.ensure_table(ctx.crm.schema.table(table))
    row = database.execute(sql, (key,)).fetchone()
    if row is None:
        return None
    fields: dict[str, Any] = {}
    for place, value in zip(places, row, strict=False):
        fields[place.prop] = _from_sql(ctx, place, value)
    found = carrier_class(carrier)(fields)
    _computed(ctx, m, found, row[len(places)] if len(row) > len(places) else 0)
    found.loaded = {prop: value.copy() if isinstance(value, TemporalValue) else value
                    for prop, value in fields.items()}
    return found


def load_or_empty(ctx: Any, carrier: str, key: int) -> Carrier:
    """NetServer gives an empty carrier (id 0) for an id no row has."""
    return load(ctx, carrier, key) or carrier_class(carrier)()


def _from_sql(ctx: Any, place: Place, value: Any) -> Any:
    if place.extras:
        return Lazy(lambda: _extra_fields(ctx, place, int(value or 0)), 0)
    if place.elements:
        return Lazy(lambda: _elements(ctx, place, int(value or 0)), 0)
    if place.children:
        target, column, key = place.target, place.children, int(value or 0)
        return Lazy(lambda: array_of(target, rows(ctx, target, f"{quote(column)} = ?", (key,), _order_of(ctx, target))),
                    0)
    if place.target:
        target, key = place.target, int(value or 0)
        return Lazy(lambda: load_or_empty(ctx, target, key) if key > 0 else carrier_class(target)(), key)
    name = place.kind.name
    if value is None:
        return default_of(place.kind)
    if name == "Integer":
        return int(value)
    if name == "String":
        return value if isinstance(value, str) else _text(value)
    if name == "Float":
        return float(value)
    if name == "Bool":
        return bool(value)
    if name == "DateTime":
        return datetime_of(value)
    return value


def datetime_of(value: Any) -> DateTime:
    """A DateTime column's text as a DateTime (null for no date)."""
    return DateTime(_dt.datetime.fromisoformat(str(value))) if value else DateTime()


def _extra_fields(ctx: Any, place: Place, key: int) -> Map:
    """The row's extra fields as text, by name (as getField shows them)."""
    table = ctx.crm.schema.table(place.via_table)
    columns = ", ".join(quote(name) for name in place.extras)
    row = ctx.crm.database.execute(f"SELECT {columns} FROM {quote(table.name)} WHERE {quote(table.key.name)} = ?",
                                   (key,)).fetchone()
    found = Map()
    for name, value in zip(place.extras, row or (), strict=False):
        found.set(name, as_text(value))
    return found


def _extra_values(m: Mapping, extra: Map) -> dict[str, Any]:
    """ExtraFields set by the script: each an extra field of the table, its text converted."""
    from ...errors import CRMScriptRuntimeError
    from ..schema import suggest

    values = {}
    known = [c.name for c in m.table.columns.values() if c.name.lower().startswith("x_")]
    for name, text in extra.items():
        if not m.table.has_column(name) or not name.lower().startswith("x_"):
            raise CRMScriptRuntimeError(f"{m.carrier}.SetExtraFields: {m.table.name} has no extra field '{name}'"
                                        f"{suggest(name, known)}")
        column = m.table.column(name)
        try:
            values[column.name] = column.to_sql(text)
        except ValueError as error:
            raise CRMScriptRuntimeError(f"{m.carrier}.SetExtraFields: {name}: {error}") from None
    return values


def _elements(ctx: Any, place: Place, key: int) -> Array:
    ensure(ctx, place.via_table)
    element = carrier_class("NSEntityElement")
    return array_of("NSEntityElement", [
        element({"Value": value or "", "StrippedValue": (value or "").replace(" ", ""), "Description": text or ""})
        for value, text in ctx.crm.database.execute(place.elements.select(), (key,)).fetchall()])


def _order_of(ctx: Any, carrier: str) -> str:
    table = mapping_for(ctx, carrier).table
    return "rank" if table.has_column("rank") else quote(table.key.name)


def _text(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _computed(ctx: Any, m: Mapping, carrier: Carrier, text_id: Any) -> None:
    """The overlay's computed properties: FullName, Description (the text table)."""
    fields = carrier.fields
    if "FullName" in m.places and "Firstname" in fields:
        parts = (fields.get("Firstname", ""), fields.get("MiddleName", ""), fields.get("Lastname", ""))
        fields["FullName"] = " ".join(p for p in parts if p)
    if "Description" in m.places and not m.places["Description"].column:
        fields["Description"] = _read_text(ctx, text_id) if text_id else ""


def _read_text(ctx: Any, text_id: int) -> str:
    schema = ctx.crm.schema
    database = ctx.crm.database
    database.ensure_table(schema.table("text"))
    row = database.execute("SELECT text FROM text WHERE text_id = ?", (text_id,)).fetchone()
    return row[0] or "" if row else ""


# ------------------------------------------------------------------ saving


def current_associate(ctx: Any) -> int:
    """The logged-in user's associate (the associate row whose ejuserid is the user)."""
    user = ctx.crm.user
    if not user:
        return 0
    schema = ctx.crm.schema
    database = ctx.crm.database
    database.ensure_table(schema.table("associate"))
    row = database.execute("SELECT associate_id FROM associate WHERE ejuserid = ?", (user,)).fetchone()
    return row[0] if row else 0


def _to_sql(place: Place, value: Any) -> Any:
    if place.target:
        inner = mapping(place.target)
        key = inner.key if inner is not None else ""
        return int(value.fields.get(key, 0) or 0) if isinstance(value, Carrier) and key else 0
    if isinstance(value, DateTime):
        return None if value.null else str(value)
    if isinstance(value, TimeSpan):
        return value.seconds // 60  # durations are stored in minutes
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int | float | str) else None


def save(ctx: Any, carrier: Carrier) -> Carrier:
    """Insert or update the carrier's row; an insert gets the next id, and
    registered/updated come from the run's clock and user. A carrier loaded
    from its row writes only what changed since."""
    name = carrier.__crm_name__
    m = mapping_for(ctx, name)
    if m is None or not m.key:
        from ...errors import CRMScriptRuntimeError

        raise CRMScriptRuntimeError(f"{name} cannot be saved: it is a read-only carrier")
    fields, loaded = carrier.fields, carrier.loaded or {}
    values: dict[str, Any] = {}
    for prop, value in fields.items():
        place = m.places.get(prop)
        if place is None or not place.column or place.via or place.children or place.elements or prop == m.key \
                or value is None \
                or _unchanged(loaded, prop, value):
            continue
        if place.extras:
            if type(value) is not Lazy:
                values.update(_extra_values(m, value))
            continue
        values[place.column] = value.key if type(value) is Lazy else _to_sql(place, value)
    database = _database(ctx, m)
    database.begin_write()
    now, who = now_datetime(ctx), current_associate(ctx)
    stamp = str(now)
    description = m.places.get("Description")
    if description is not None and not description.column and "Description" in fields \
            and not _unchanged(loaded, "Description", fields["Description"]) and m.table.has_column("text_id"):
        values["text_id"] = _write_text(ctx, m, fields, stamp, who)
    key = int(fields.get(m.key, 0) or 0)
    if key > 0 and (carrier.loaded is not None or _exists(database, m, key)):
        values.update(_stamps(m, "updated", stamp, who))
        database.execute(_statement(m, "UPDATE", tuple(values)), [*values.values(), key])
        _set_if(m, fields, "UpdatedDate", now)
    else:
        values.update(_stamps(m, "registered", stamp, who))
        if key > 0:
            values[m.table.key.name] = key
        cursor = database.execute(_statement(m, "INSERT", tuple(values)), list(values.values()))
        fields[m.key] = cursor.lastrowid
        _set_if(m, fields, "CreatedDate", now)
    _write_elements(ctx, m, carrier, loaded, stamp, who)
    carrier.loaded = {prop: value.copy() if isinstance(value, TemporalValue) else value
                      for prop, value in fields.items()}
    return carrier


def _write_elements(ctx: Any, m: Mapping, carrier: Carrier, loaded: dict[str, Any], stamp: str, who: int) -> None:
    """E-mails and phones the script set: they replace the rows kept for this one."""
    key = carrier.fields[m.key]
    for prop, value in carrier.fields.items():
        place = m.places.get(prop)
        if place is None or place.elements is None or type(value) is Lazy or _unchanged(loaded, prop, value):
            continue
        rows = place.elements
        ensure(ctx, rows.table)
        database = ctx.crm.database
        database.execute(f"DELETE FROM {rows.table} WHERE {rows.where()}", (key,))
        columns = [rows.owner, rows.value, "description", "rank", "registered", "registered_associate_id",
                   *(column for column, _ in rows.fixed)]
        sql = f"INSERT INTO {rows.table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for rank, element in enumerate(value, 1):
            if isinstance(element, Carrier) and element.fields.get("Value"):
                database.execute(sql, [key, element.fields["Value"], element.fields.get("Description", ""), rank,
                                       stamp, who, *(fixed for _, fixed in rows.fixed)])


def _unchanged(loaded: dict[str, Any], prop: str, value: Any) -> bool:
    before = loaded.get(prop, _MISSING)
    return before is value or (isinstance(value, TemporalValue) and before == value)


_MISSING = object()


def _exists(database: Any, m: Mapping, key: int) -> bool:
    sql = f"SELECT 1 FROM {quote(m.table.name)} WHERE {quote(m.table.key.name)} = ?"
    return database.execute(sql, (key,)).fetchone() is not None


def _statement(m: Mapping, kind: str, columns: tuple[str, ...]) -> str:
    """The UPDATE (by key) or INSERT of these columns (cached per mapping)."""
    cache = m.__dict__.setdefault("_statements", {})
    sql = cache.get((kind, columns))
    if sql is None:
        table = quote(m.table.name)
        if kind == "UPDATE":
            assignments = ", ".join(f"{quote(c)} = ?" for c in columns)
            sql = f"UPDATE {table} SET {assignments} WHERE {quote(m.table.key.name)} = ?"
        else:
            sql = f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES ({', '.join('?' * len(columns))})"
        cache[(kind, columns)] = sql
    return sql


def _stamps(m: Mapping, which: str, stamp: str, who: int) -> dict[str, Any]:
    """registered/updated and who did it, in the columns the table has."""
    columns = m.__dict__.setdefault("_stamp_columns", {})
    found = columns.get(which)
    if found is None:
        found = columns[which] = tuple((m.table.column(c).name, is_who) for is_who, c in
                                       enumerate((which, which + "_associate_id")) if m.table.has_column(c))
    return {column: who if is_who else stamp for column, is_who in found}


def _set_if(m: Mapping, fields: dict[str, Any], prop: str, now: DateTime) -> None:
    if prop in m.places:
        fields[prop] = now.copy()


def _write_text(ctx: Any, m: Mapping, fields: dict[str, Any], stamp: str, who: int) -> int:
    database = ctx.crm.database
    database.ensure_table(ctx.crm.schema.table("text"))
    key = int(fields.get(m.key, 0) or 0)
    row = database.execute(f"SELECT text_id FROM {quote(m.table.name)} WHERE {quote(m.table.key.name)} = ?",
                           (key,)).fetchone() if key > 0 else None
    text = str(fields["Description"])
    if row and row[0]:
        database.execute("UPDATE text SET text = ?, updated = ? WHERE text_id = ?", (text, stamp, row[0]))
        return row[0]
    cursor = database.execute("INSERT INTO text (text, registered, registered_associate_id) VALUES (?, ?, ?)",
                              (text, stamp, who))
    return cursor.lastrowid


def delete(ctx: Any, carrier: str, key: int) -> None:
    m = mapping_for(ctx, carrier)
    if m is None or m.table.key is None:
        return
    database = _database(ctx, m)
    database.begin_write()
    database.execute(f"DELETE FROM {quote(m.table.name)} WHERE {quote(m.table.key.name)} = ?", (key,))


def create_default(ctx: Any, carrier: str) -> Carrier:
    """CreateDefault<X>Entity(): an empty entity with NetServer's defaults
    where the mapping knows them: the user's associate, today's dates."""
    found = carrier_class(carrier)()
    m = mapping_for(ctx, carrier)
    if m is None:
        return found
    for prop, place in m.places.items():
        if place.target == "NSAssociate" and prop == "Associate":
            associate = current_associate(ctx)
            found.fields[prop] = Lazy(lambda a=associate: load_or_empty(ctx, "NSAssociate", a), associate)
        elif place.kind.name == "DateTime" and prop in ("StartDate", "SaleDate", "Date", "EndDate"):
            found.fields[prop] = now_datetime(ctx)
    return found


def rows(ctx: Any, carrier: str, where: str, params: tuple, order: str = "") -> list[Carrier]:
    """Every carrier of the rows a condition on the carrier's table selects."""
    m = mapping_for(ctx, carrier)
    if m is None or m.table.key is None:
        return []
    sql = f"SELECT {quote(m.table.key.name)} FROM {quote(m.table.name)} WHERE {where}"
    if order:
        sql += f" ORDER BY {order}"
    keys = [r[0] for r in _database(ctx, m).execute(sql, params).fetchall()]
    return [load_or_empty(ctx, carrier, k) for k in keys]


# ------------------------------------------------------------ helpers of the behaviours


def array_of(carrier: str, items: list[Carrier]) -> Array:
    return Array(element_factory(Type(carrier)), items)


def text_of(value: DateTime) -> str | None:
    return None if value.null else str(value)


def limit(count: int) -> str:
    return f" LIMIT {int(count)}" if count and count > 0 else ""


def key_of(value: Any) -> int:
    """A nested carrier's id (a Lazy's key), or an id as it is."""
    if type(value) is Lazy:
        return value.key
    if isinstance(value, Carrier):
        inner = mapping(value.__crm_name__)
        return int(value.fields.get(inner.key, 0) or 0) if inner is not None and inner.key else 0
    return int(value or 0)


def ensure(ctx: Any, table: str) -> None:
    ctx.crm.database.ensure_table(ctx.crm.schema.table(table))
