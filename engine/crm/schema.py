"""The CRM database schema: the tables and fields a handler can reach.

Generated data (engine/crm/data/schema.json, by tools/gen_schema.py) from
the public SuperOffice database reference (SuperOfficeDocs/database, MIT):
495 tables with their fields, types, foreign keys and indexes, and the
enums with their values. Names match ignoring case, as the docs say ("All
names are case-insensitive").

A fixture can add extra fields (`x_...`) to a table and extra tables
(`y_...`), as a CRM administrator does (docs/crm.md).

SQLite storage of the SuperOffice types:
PK/FK/Int/UShort/Enum/Bool/... -> INTEGER, Double -> REAL, String(n)/Clob
-> TEXT, DateTime/UtcDateTime -> TEXT ("YYYY-MM-DD HH:MM:SS"), Blob -> BLOB.
No constraints are declared (SuperOffice declares none); the primary key is
SQLite's rowid alias, so a new row gets the next id and a look-up by id is
an index search.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("data") / "schema.json"

INTEGER, REAL, TEXT, DATETIME, BLOB = "INTEGER", "REAL", "TEXT", "DATETIME", "BLOB"
# What a column holds, by SuperOffice type (anything else, such as the
# named enums of Customer Service tables, `status` or `access_level`, is an integer).
_STORAGE = {"Double": REAL, "Clob": TEXT, "DateTime": DATETIME, "UtcDateTime": DATETIME,
            "Blob": BLOB, "FKArray": TEXT}
# The CRMScript-like names used in messages and in a fixture's `schema:` key.
TYPE_NAMES = {INTEGER: "Integer", REAL: "Float", TEXT: "String", DATETIME: "DateTime", BLOB: "Blob"}


class SchemaError(ValueError):
    """An unknown table or column (the message has a did-you-mean)."""


def storage_of(type_name: str) -> str:
    if type_name.startswith("String"):
        return TEXT
    return _STORAGE.get(type_name, INTEGER)


@dataclass(eq=False)
class Column:
    name: str
    type: str  # as the reference writes it: PK, FK, Int, String(219), Enum, ...
    ref: str | None = None  # the target table of an FK, the enum of an Enum
    nullable: bool = False
    storage: str = INTEGER
    table: Table | None = field(default=None, repr=False)

    @property
    def is_key(self) -> bool:
        return self.type == "PK"

    @property
    def is_reference(self) -> bool:
        return self.type == "FK" and self.ref is not None

    @property
    def type_name(self) -> str:
        """For messages: 'Integer', 'String', 'DateTime', an enum's name, 'reference to person'."""
        if self.type == "FK" and self.ref:
            return f"reference to {self.ref}"
        if self.type == "Enum" and self.ref:
            return f"enum {self.ref}"
        if self.type == "Bool":
            return "Bool"
        return TYPE_NAMES[self.storage]

    def default(self) -> object:
        """The value of a column a fixture row does not give: 0, "" or a null date."""
        if self.storage == INTEGER:
            return 0
        if self.storage == REAL:
            return 0.0
        if self.storage == TEXT:
            return ""
        return None

    def to_sql(self, value: object) -> object:
        """`value` (text, number, bool or None) as this column stores it;
        ValueError with a message naming the expected type."""
        if value is None:
            return None
        if self.storage == INTEGER:
            if value.__class__ is str and value.isdigit() and value.isascii():  # the usual case, fast
                return int(value)
            return self._integer(value)
        if self.storage == REAL:
            return _float(value)
        if self.storage == DATETIME:
            return to_datetime_text(value)
        if self.storage == BLOB:
            return value if isinstance(value, bytes) else str(value).encode("utf-8")
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def _integer(self, value: object) -> int:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip()
        if _INTEGER_TEXT.fullmatch(text):
            return int(text)
        if text == "":
            return 0
        if self.type == "Bool" and text.lower() in ("true", "false", "yes", "no"):
            return 1 if text.lower() in ("true", "yes") else 0
        if self.type == "Enum" and self.ref:
            values = enum_values(self.ref)
            for name, number in values.items():
                if name.lower() == text.lower():
                    return number
            known = ", ".join(f"{n} ({v})" for n, v in values.items())
            raise ValueError(f"{value!r} is not a value of enum {self.ref}" + (f": {known}" if known else ""))
        raise ValueError(f"{value!r} is not {_a(self.type_name)}")


_INTEGER_TEXT = re.compile(r"[-+]?\d+")


def _a(type_name: str) -> str:
    """'an Integer', 'a reference to person (a number)'."""
    article = "an " if type_name[:1] in "AEIOUaeiou" else "a "
    if type_name.startswith(("reference", "enum")):
        return f"{article}{type_name} (a number)"
    return article + type_name


def _float(value: object) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text == "":
        return 0.0
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a Float") from None


_DATE_FORMS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
               "%Y-%m-%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
               "%d.%m.%Y")


def parse_datetime(value: object) -> _dt.datetime:
    """A date or date-time in one of the forms users write; ValueError if not."""
    if isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for form in _DATE_FORMS:
        try:
            return _dt.datetime.strptime(text, form)
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date or date-time (write 2026-05-04 or 2026-05-04 10:00:00)")


def to_datetime_text(value: object) -> str | None:
    """How a DateTime column stores a value: 'YYYY-MM-DD HH:MM:SS' (None for "")."""
    if isinstance(value, str) and value.strip() == "":
        return None
    moment = parse_datetime(value)
    if moment.tzinfo is not None:  # an explicit offset: the stored text is UTC
        moment = moment.astimezone(_dt.UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(eq=False)
class Table:
    name: str
    number: int
    columns: dict[str, Column]  # by lower-case name, in schema order
    indexes: list[list[str]] = field(default_factory=list)
    extra: bool = False  # added by a fixture (an extra table y_..., or a table with x_ fields)
    key_name: str = ""  # the name as sets and dictionaries of tables hold it (lower case)

    def __post_init__(self) -> None:
        self.key_name = self.name.lower()

    @property
    def key(self) -> Column | None:
        return next((c for c in self.columns.values() if c.is_key), None)

    def column(self, name: str) -> Column:
        found = self.columns.get(name.lower())
        if found is None:
            raise SchemaError(f"table {self.name} has no column '{name}'{suggest(name, self.column_names())}"
                              f"{_key_hint(self, name)}")
        return found

    def has_column(self, name: str) -> bool:
        return name.lower() in self.columns

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns.values()]

    def ddl(self) -> list[str]:
        """CREATE TABLE and CREATE INDEX statements for SQLite."""
        parts = []
        for column in self.columns.values():
            storage = TEXT if column.storage == DATETIME else column.storage
            if column.is_key:
                parts.append(f"{quote(column.name)} INTEGER PRIMARY KEY")
            else:  # a row inserted without the column gets the schema default (0, "", null date)
                parts.append(f"{quote(column.name)} {storage}{_SQL_DEFAULTS.get(column.storage, '')}")
        statements = [f"CREATE TABLE {quote(self.name)} ({', '.join(parts)})"]
        for number, columns in enumerate(self.indexes):
            names = [self.columns[c.lower()].name for c in columns if c.lower() in self.columns]
            if names and not (len(names) == 1 and self.columns[names[0].lower()].is_key):
                statements.append(f"CREATE INDEX {quote(f'{self.name}_i{number}')} ON {quote(self.name)} "
                                  f"({', '.join(quote(n) for n in names)})")
        return statements


# Text compares ignoring case, as SuperOffice's SQL Server databases do (a
# case-insensitive collation): 'acme as' finds 'Acme AS'.
_SQL_DEFAULTS = {INTEGER: " DEFAULT 0", REAL: " DEFAULT 0", TEXT: " COLLATE NOCASE DEFAULT ''",
                 DATETIME: ""}


def _key_hint(table: Table, name: str) -> str:
    """'id' for a table whose key is contact_id: say what the key is called."""
    key = table.key
    if name.lower() in ("id", f"{table.name.lower()}id") and key is not None and key.name.lower() != name.lower():
        return f" (the primary key of {table.name} is {key.name})"
    return ""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def suggest(name: str, known: list[str]) -> str:
    """" (did you mean 'name'?)" for a near miss among `known` (ignoring case), else ""."""
    import difflib

    lowered = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.75)
    # A name with another prefix (ej_priority): the names with the same last part (ticket_priority)
    tail = name.lower().rpartition("_")[2]
    if len(tail) >= 4 and tail != name.lower():
        close += [k for k in lowered if k.endswith("_" + tail) and k not in close][:2]
    if not close:
        return ""
    names = [f"'{lowered[k]}'" for k in close]
    return f" (did you mean {' or '.join(names)}?)"


class Schema:
    """The tables of the reference, plus a fixture's extra tables and fields.

    A table is built from the generated data when first asked for (building
    all 6,000 columns costs 30 ms; a fixture touches a few dozen tables)."""

    def __init__(self, tables: dict[str, Table] | None = None, enums: dict[str, dict[str, int]] | None = None,
                 source: dict | None = None, raw: dict[str, tuple[str, dict]] | None = None) -> None:
        self._built: dict[str, Table] = dict(tables or {})  # by lower-case name
        self._raw = raw or {}  # lower-case name -> (name, generated spec), built on demand
        self.enums = enums or {}
        self.source = source or {}
        self.plans: dict = {}  # SearchEngine paths resolved against this schema (engine/crm/query.py)
        self.queries = None  # SearchEngine query shapes and their SQL (engine/crm/searchengine.py)

    @property
    def tables(self) -> dict[str, Table]:
        """Every table, by lower-case name."""
        for key in self._raw:
            if key not in self._built:
                self._build(key)
        return self._built

    def _build(self, key: str) -> Table | None:
        raw = self._raw.get(key)
        if raw is None:
            return None
        name, spec = raw
        columns = {}
        for column_name, type_name, ref, nullable in spec["fields"]:
            columns[column_name.lower()] = Column(column_name, type_name, ref, bool(nullable), storage_of(type_name))
        table = self._built[key] = Table(name, spec["number"], columns, [c for c, _ in spec["indexes"]])
        for column in columns.values():
            column.table = table
        return table

    def table(self, name: str) -> Table:
        key = name.lower()
        found = self._built.get(key) or self._build(key)
        if found is None:
            raise SchemaError(f"unknown table '{name}'{suggest(name, self.table_names())}")
        return found

    def has_table(self, name: str) -> bool:
        return name.lower() in self._built or name.lower() in self._raw

    def table_names(self) -> list[str]:
        names = {key: table.name for key, table in self._built.items()}
        names.update((key, raw[0]) for key, raw in self._raw.items() if key not in names)
        return list(names.values())

    def extended(self, extra: dict[str, dict[str, str]]) -> Schema:
        """A copy with extra tables (y_...) and extra fields (x_...): {table: {field: type}}.
        Raises SchemaError for a name or type that cannot be."""
        schema = Schema(self._built, self.enums, self.source, self._raw)
        for table_name, fields in extra.items():
            if not schema.has_table(table_name):
                if not table_name.lower().startswith("y_"):
                    raise SchemaError(f"unknown table '{table_name}'{suggest(table_name, self.table_names())}"
                                      " (an extra table's name starts with y_)")
                base = Table(table_name, 0, {"id": Column("id", "PK", storage=INTEGER)}, extra=True)
            else:
                original = schema.table(table_name)
                base = Table(original.name, original.number,
                             {k: replace(c) for k, c in original.columns.items()}, original.indexes, extra=True)
            for field_name, type_text in fields.items():
                if not field_name.lower().startswith("x_"):
                    raise SchemaError(f"extra field '{field_name}' of {base.name}: an extra field's name starts with x_")
                base.columns[field_name.lower()] = extra_column(field_name, type_text, schema)
            for column in base.columns.values():
                column.table = base
            schema._built[base.name.lower()] = base
        return schema


_EXTRA_TYPES = {"string": ("String(255)", TEXT), "text": ("Clob", TEXT), "integer": ("Int", INTEGER),
                "int": ("Int", INTEGER), "float": ("Double", REAL), "double": ("Double", REAL),
                "bool": ("Bool", INTEGER), "boolean": ("Bool", INTEGER), "datetime": ("DateTime", DATETIME),
                "date": ("DateTime", DATETIME)}


def extra_column(name: str, type_text: str, schema: Schema) -> Column:
    """An extra field: String, Integer, Float, Bool, DateTime, Date, Text, or `FK table`."""
    text = str(type_text).strip()
    words = text.split()
    if len(words) == 2 and words[0].lower() in ("fk", "reference"):
        target = schema.table(words[1]).name if schema.has_table(words[1]) else words[1]
        if not schema.has_table(words[1]) and not words[1].lower().startswith("y_"):
            raise SchemaError(f"extra field '{name}': unknown table '{words[1]}'"
                              f"{suggest(words[1], schema.table_names())}")
        return Column(name, "FK", target, True, INTEGER)
    known = _EXTRA_TYPES.get(text.lower())
    if known is None:
        raise SchemaError(f"extra field '{name}': unknown type '{text}' (String, Text, Integer, Float, "
                          "Bool, DateTime, Date, or FK <table>)")
    return Column(name, known[0], None, True, known[1])


@cache
def reference_schema() -> Schema:
    """The schema of the SuperOffice database reference (loaded once)."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    raw = {name.lower(): (name, spec) for name, spec in data["tables"].items()}
    return Schema(enums=data["enums"], source=data["source"], raw=raw)


def enum_values(name: str) -> dict[str, int]:
    return reference_schema().enums.get(name, {})
