"""SearchEngine queries: dot-syntax paths, operators, functions, and the SQL.

Dot syntax (docs/searchengine/dot-syntax.md): a path starts at a table and
hops along foreign keys to the field it names:

    ticket.title                              a field of the root table
    ticket.cust_id.firstname                  `.` left outer join along ticket.cust_id
    ticket:cust_id.firstname                  `:` inner join
    ticket.(ticket_customers->ticket_id).cust_id   reverse hop: the rows of
                                              ticket_customers whose ticket_id is the ticket

Every table of a query gets an alias (a0 for the root, a1, a2, ... in the
order the paths first reach them); the same hop written twice reuses its
alias. Names match ignoring case; an unknown table or field is a CRMScript
runtime error with a did-you-mean.

The SQL is always parameterised: values travel as parameters, and the only
names written into the SQL text are those of the schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import CRMScriptRuntimeError
from .schema import DATETIME, INTEGER, REAL, TEXT, Column, Schema, SchemaError, Table, suggest

# ---------------------------------------------------------------- operators

# Comparison operators: name -> SQL template ({x} the field, {v} the value(s)).
COMPARISONS = {
    "Equals": "=", "NotEquals": "<>", "Lt": "<", "Lte": "<=", "Gt": ">", "Gte": ">=",
    "Is": "IS", "IsNot": "IS NOT", "Like": "LIKE", "NotLike": "NOT LIKE",
    "Contains": "CONTAINS", "BeginsWith": "BEGINS", "EndsWith": "ENDS", "In": "IN", "NotIn": "NOT IN",
}
_SYMBOLS = {"=": "Equals", "==": "Equals", "!=": "NotEquals", "<>": "NotEquals", "<": "Lt", "<=": "Lte",
            ">": "Gt", ">=": "Gte"}
ROW_OPERATORS = {"And": "AND", "Or": "OR", "NotAnd": "NAND", "NotOr": "NOR"}
_ROW_SYMBOLS = {"&&": "And", "||": "Or"}


def comparison(name: str) -> str:
    """'OperatorEquals', 'Equals', 'equals', '==' -> 'Equals' (the docs' names
    without the Operator prefix); an unknown name is a runtime error."""
    key = _operator_key(name, COMPARISONS, _SYMBOLS)
    if key is None:
        choices = [f"Operator{k}" for k in COMPARISONS]
        raise CRMScriptRuntimeError(f"SearchEngine: unknown comparison operator '{name}'"
                                    f"{suggest(_with_prefix(name), choices)} "
                                    f"(the operators are OperatorEquals ... OperatorNotIn, or the short 'equals')")
    return key


def row_operator(name: str) -> str:
    key = _operator_key(name, ROW_OPERATORS, _ROW_SYMBOLS)
    if key is None:
        raise CRMScriptRuntimeError(f"SearchEngine: unknown row operator '{name}'"
                                    f"{suggest(_with_prefix(name), [f'Operator{k}' for k in ROW_OPERATORS])} "
                                    "(OperatorAnd, OperatorOr, OperatorNotAnd, OperatorNotOr)")
    return ROW_OPERATORS[key]


def _with_prefix(name: str) -> str:
    return name if name.lower().startswith("operator") else "Operator" + name


def _operator_key(name: str, names: dict, symbols: dict) -> str | None:
    text = name.strip()
    if text in symbols:
        return symbols[text]
    lowered = text.lower().removeprefix("operator")
    return next((key for key in names if key.lower() == lowered), None)


# ---------------------------------------------------------------- functions

# name -> (SQL template, result storage, aggregate?)
FUNCTIONS = {
    "count": ("count({x})", INTEGER, True),
    "avg": ("avg({x})", REAL, True),
    "sum": ("sum({x})", REAL, True),
    "max": ("max({x})", None, True),
    # min, hour, wday: parts of a Time/DateTime (the docs list min with hour and
    # wday, for Time and DateTime, without the aggregates' bypassNetServer mark)
    "min": ("CAST(strftime('%M', {x}) AS INTEGER)", INTEGER, False),
    "hour": ("CAST(strftime('%H', {x}) AS INTEGER)", INTEGER, False),
    "wday": ("(CAST(strftime('%w', {x}) AS INTEGER) + 1)", INTEGER, False),  # 1 = Sunday ... 7 = Saturday
    "upper": ("upper({x})", TEXT, False),
    "lower": ("lower({x})", TEXT, False),
    # addDataField's extras
    "casttovarchar": ("CAST({x} AS TEXT)", TEXT, False),
    "date": ("date({x})", TEXT, False),
    "time": ("time({x})", TEXT, False),
}
SELECT_FUNCTIONS = ("count", "avg", "sum", "max", "min", "hour", "wday", "upper", "lower")


def function_name(name: str, allowed: tuple[str, ...] = SELECT_FUNCTIONS) -> str | None:
    """'count', 'FuncCount', 'COUNT' -> 'count'; '' -> None; unknown: runtime error."""
    text = name.strip()
    if not text:
        return None
    lowered = text.lower().removeprefix("func")
    if lowered in allowed:
        return lowered
    raise CRMScriptRuntimeError(f"SearchEngine: unknown function '{name}'{suggest(text, list(allowed))} "
                                f"(the functions are {', '.join(allowed)}, or FuncCount ...)")


# ------------------------------------------------------------------- paths

_HOP = re.compile(r"\s*([.:])?\s*(\(\s*[A-Za-z_]\w*\s*->\s*[A-Za-z_]\w*\s*\)|[A-Za-z_]\w*)")
_SQL_KEYWORDS = frozenset("""abort action add after all alter always analyze and as asc attach autoincrement
before begin between by cascade case cast check collate column commit conflict constraint create cross current
current_date current_time current_timestamp database default deferrable deferred delete desc detach distinct do
drop each else end escape except exclude exclusive exists explain fail filter first following for foreign from
full generated glob group groups having if ignore immediate in index indexed initially inner insert instead
intersect into is isnull join key last left like limit match materialized natural no not nothing notnull null
nulls of offset on or order others outer over partition plan pragma preceding primary query raise range
recursive references regexp reindex release rename replace restrict returning right rollback row rows savepoint
select set table temp temporary then ties to transaction trigger unbounded union unique update using vacuum
values view virtual when where window with without""".split())


def sql_name(name: str) -> str:
    """A schema name in SQL text: as it is, quoted when it is an SQL keyword."""
    return f'"{name}"' if name.lower() in _SQL_KEYWORDS else name


# Virtual (constructed) fields NetServer offers that are no columns.
VIRTUAL_FIELDS = {
    ("person", "fullname"): "trim(replace(replace({a}.firstname || ' ' || {a}.middleName || ' ' || {a}.lastname,"
                            " '  ', ' '), '  ', ' '))",
    ("person", "emailaddress"): "(SELECT e.email_address FROM email e WHERE e.person_id = {a}.person_id "
                                "ORDER BY e.rank, e.email_id LIMIT 1)",
    ("contact", "emailaddress"): "(SELECT e.email_address FROM email e WHERE e.contact_id = {a}.contact_id "
                                 "AND e.person_id = 0 ORDER BY e.rank, e.email_id LIMIT 1)",
}
VIRTUAL_TABLES = {"emailaddress": "email"}


@dataclass(eq=False)
class Join:
    alias: str
    parent: str  # the alias it hops from
    table: Table
    kind: str  # "left outer join" / "inner join"
    on: str  # the condition, with aliases
    extra: list = field(default_factory=list)  # addJoinCriteria conditions (Criterion)


@dataclass(eq=False)
class FieldRef:
    """A resolved path: its SQL expression and the column it reads."""

    text: str  # as the script wrote it
    sql: str  # a1.firstname, or a virtual field's expression
    table: Table
    alias: str
    column: Column | None  # None for a virtual field
    virtual: bool = False

    @property
    def storage(self) -> str:
        return self.column.storage if self.column is not None else TEXT

    @property
    def label(self) -> str:
        return f"{self.table.name}.{self.column.name if self.column else self.text.rsplit('.', 1)[-1]}"


class JoinGraph:
    """The tables of one query: roots and joins, each with its alias."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.roots: list[tuple[str, Table]] = []  # (alias, table)
        self.joins: list[Join] = []
        self._aliases: dict[tuple, str] = {}
        self._tables: dict[str, Table] = {}  # alias -> table
        self.uses_virtual: set[str] = set()  # tables the virtual fields read

    def _new_alias(self, table: Table) -> str:
        alias = f"a{len(self._tables)}"
        self._tables[alias] = table
        return alias

    def table_of(self, alias: str) -> Table:
        return self._tables[alias]

    def tables(self) -> list[Table]:
        return list(self._tables.values())

    def root(self, name: str) -> tuple[str, Table]:
        table = self._table(name)
        key = ("root", table.name.lower())
        alias = self._aliases.get(key)
        if alias is None:
            alias = self._aliases[key] = self._new_alias(table)
            self.roots.append((alias, table))
        return alias, table

    def _table(self, name: str) -> Table:
        try:
            return self.schema.table(name)
        except SchemaError as error:
            raise CRMScriptRuntimeError(f"SearchEngine: {error}") from None

    def resolve(self, path: str) -> FieldRef:
        """`table(.hop|:hop|.(t->f))*.field` -> FieldRef; joins are added as needed."""
        text = path.strip()
        root_name, hops = _split_path(text)
        alias, table = self.root(root_name)
        if not hops:
            raise CRMScriptRuntimeError(f"SearchEngine: '{path}' names a table, not a field "
                                        f"(write {table.name}.<field>)")
        for separator, hop in hops[:-1]:
            alias, table = self._hop(alias, table, separator, hop, path)
        separator, name = hops[-1]
        if name.startswith("("):
            raise CRMScriptRuntimeError(f"SearchEngine: '{path}' ends with a join; name a field after it")
        return self._field(alias, table, name, path)

    def table_at(self, path: str) -> tuple[str, Table]:
        """The table a path of hops leads to (no field at the end): for
        findAlternativeFields."""
        root_name, hops = _split_path(path.strip())
        alias, table = self.root(root_name)
        for separator, hop in hops:
            alias, table = self._hop(alias, table, separator, hop, path)
        return alias, table

    def _field(self, alias: str, table: Table, name: str, path: str) -> FieldRef:
        if table.has_column(name):
            column = table.column(name)
            return FieldRef(path, f"{alias}.{sql_name(column.name)}", table, alias, column)
        virtual = VIRTUAL_FIELDS.get((table.name.lower(), name.lower()))
        if virtual is not None:
            if name.lower() in VIRTUAL_TABLES:
                self.uses_virtual.add(VIRTUAL_TABLES[name.lower()])
            return FieldRef(path, virtual.format(a=alias), table, alias, None, virtual=True)
        try:
            table.column(name)
        except SchemaError as error:
            raise CRMScriptRuntimeError(f"SearchEngine: {error} (in '{path}')") from None
        raise AssertionError("unreachable")

    def _hop(self, alias: str, table: Table, separator: str | None, hop: str, path: str) -> tuple[str, Table]:
        kind = "inner join" if separator == ":" else "left outer join"
        if hop.startswith("("):
            other_name, other_field = (part.strip() for part in hop.strip("() ").split("->"))
            other = self._table(other_name)
            try:
                column = other.column(other_field)
            except SchemaError as error:
                raise CRMScriptRuntimeError(f"SearchEngine: {error} (in '{path}')") from None
            key_column = table.key
            if key_column is None:
                raise CRMScriptRuntimeError(f"SearchEngine: table {table.name} has no primary key to join on")
            key = (alias, kind, "<-", other.name.lower(), column.name.lower())
            target, on = other, f"{{b}}.{sql_name(column.name)} = {alias}.{sql_name(key_column.name)}"
        else:
            try:
                column = table.column(hop)
            except SchemaError as error:
                raise CRMScriptRuntimeError(f"SearchEngine: {error} (in '{path}')") from None
            if not column.is_reference:
                raise CRMScriptRuntimeError(
                    f"SearchEngine: {table.name}.{column.name} is not a reference to another table, "
                    f"so '{path}' cannot go on after it")
            target = self._table(column.ref)
            target_key = target.key
            if target_key is None:
                raise CRMScriptRuntimeError(f"SearchEngine: table {target.name} has no primary key to join on")
            key = (alias, kind, "->", column.name.lower())
            on = f"{{b}}.{sql_name(target_key.name)} = {alias}.{sql_name(column.name)}"
        found = self._aliases.get(key)
        if found is not None:
            return found, target
        new_alias = self._aliases[key] = self._new_alias(target)
        self.joins.append(Join(new_alias, alias, target, kind, on.format(b=new_alias)))
        return new_alias, target

    def join_of(self, alias: str) -> Join | None:
        return next((join for join in self.joins if join.alias == alias), None)

    def from_sql(self) -> tuple[str, list]:
        """`ticket a0 left outer join person a1 on a1.person_id = a0.cust_id ...` and
        the parameters of addJoinCriteria conditions."""
        parts: list[str] = []
        params: list = []
        for index, (alias, table) in enumerate(self.roots):
            parts.append(("" if index == 0 else " cross join ") + f"{sql_name(table.name)} {alias}")
            for join in self.joins:
                if self._root_of(join.alias) != alias:
                    continue
                on = join.on
                if join.extra:
                    extra, extra_params = condition_sql(join.extra)
                    on = f"{on} and {extra}"
                    params.extend(extra_params)
                parts.append(f" {join.kind} {sql_name(join.table.name)} {join.alias} on {on}")
        return "".join(parts), params

    def _root_of(self, alias: str) -> str:
        join = self.join_of(alias)
        while join is not None:
            alias = join.parent
            join = self.join_of(alias)
        return alias


def _split_path(text: str) -> tuple[str, list[tuple[str | None, str]]]:
    match = re.match(r"\s*([A-Za-z_]\w*)", text)
    if not match:
        raise CRMScriptRuntimeError(f"SearchEngine: '{text}' is not a field (write table.field)")
    hops = []
    position = match.end()
    while position < len(text):
        hop = _HOP.match(text, position)
        if hop is None or (hop.group(1) is None and not hop.group(2).startswith("(")):
            raise CRMScriptRuntimeError(f"SearchEngine: cannot read '{text}' after '{text[:position]}' "
                                        "(write table.field, table.fk.field, table:fk.field or "
                                        "table.(other->fk).field)")
        hops.append((hop.group(1), re.sub(r"\s+", "", hop.group(2))))
        position = hop.end()
        if text[position:].strip() == "":
            break
    return match.group(1), hops


# ------------------------------------------------------------- conditions


@dataclass(eq=False)
class Criterion:
    """One condition: SQL text with `?` marks and its parameters."""

    sql: str
    params: list
    row_operator: str = "AND"  # how it combines with the next one
    priority: int = 0


def condition_sql(criteria: list[Criterion]) -> tuple[str, list]:
    """The criteria as one bracketed condition. The priority is a bracket
    level: consecutive criteria of a higher priority share inner brackets;
    each criterion's row operator joins it to the next (AND binds tighter
    than OR, as SQL reads it); OperatorNotAnd / OperatorNotOr negate this
    criterion and the next one together: NOT (A AND B), NOT (A OR B)."""
    if not criteria:
        return "", []
    params: list = []
    text, _ = _group(criteria, min(c.priority for c in criteria), params)
    return f"({text})", params


def _group(items: list[Criterion], level: int, params: list) -> tuple[str, str]:
    """Text of `items` at bracket `level`, and the row operator of its last item."""
    units: list[tuple[str, str]] = []  # (text, row operator to the next unit)
    index = 0
    while index < len(items):
        item = items[index]
        if item.priority <= level:
            params.extend(item.params)
            units.append((item.sql, item.row_operator))
            index += 1
            continue
        end = index
        while end < len(items) and items[end].priority > level:
            end += 1
        run = items[index:end]
        inner, last_operator = _group(run, min(c.priority for c in run), params)
        units.append((f"({inner})", last_operator))
        index = end
    pieces: list[str] = []
    position = 0
    while position < len(units):
        text, operator = units[position]
        if operator in ("NAND", "NOR") and position + 1 < len(units):
            following, operator = units[position + 1]
            text = f"not ({text} {'and' if units[position][1] == 'NAND' else 'or'} {following})"
            position += 1
        pieces.append(text)
        if position + 1 < len(units):
            pieces.append(" and " if operator in ("AND", "NAND") else " or ")
        position += 1
    return "".join(pieces), units[-1][1]


def coerce_value(ref: FieldRef, function: str | None, value: str) -> object:
    """A criterion's text value as the field (or the function's result) stores it."""
    storage = ref.storage
    if function is not None:
        result = FUNCTIONS[function][1]
        storage = result if result is not None else storage
    if storage == DATETIME and function is None:
        if value.strip() == "" or value.strip().lower() == "null":
            return None
    try:
        if function is not None or ref.column is None:
            return Column(ref.label, "Int" if storage == INTEGER else "Double" if storage == REAL else "Clob",
                          storage=storage).to_sql(value)
        return ref.column.to_sql(value)
    except ValueError as error:
        raise CRMScriptRuntimeError(f"SearchEngine: {ref.text}: {error}") from None


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def comparison_sql(ref: FieldRef, expression: str, function: str | None, operator: str,
                   value: str) -> tuple[str, list]:
    """`a0.status = ?` and its parameters, for a criterion against a value."""
    if operator in ("In", "NotIn"):
        parts = [part.strip() for part in value.split(",") if part.strip() != ""]
        values = [coerce_value(ref, function, part) for part in parts]
        if ref.column is not None and ref.column.type == "FKArray" and function is None:
            test = f"crm_array_has_any({expression}, ?)"
            joined = ",".join(str(v) for v in values)
            return (f"not {test}" if operator == "NotIn" else test), [joined]
        marks = ", ".join("?" * len(values))
        return f"{expression} {'not in' if operator == 'NotIn' else 'in'} ({marks})", values
    if operator in ("Contains", "BeginsWith", "EndsWith"):
        pattern = like_escape(value)
        pattern = {"Contains": f"%{pattern}%", "BeginsWith": f"{pattern}%", "EndsWith": f"%{pattern}"}[operator]
        return f"{expression} like ? escape '\\'", [pattern]
    if operator in ("Like", "NotLike"):
        return f"{expression} {'not like' if operator == 'NotLike' else 'like'} ?", [value]
    if operator in ("Is", "IsNot"):
        coerced = None if value.strip().lower() in ("", "null") else coerce_value(ref, function, value)
        return f"{expression} {'is not' if operator == 'IsNot' else 'is'} ?", [coerced]
    coerced = coerce_value(ref, function, value)
    if coerced is None and operator in ("Equals", "NotEquals"):  # an empty date: no date
        return f"{expression} {'is not' if operator == 'NotEquals' else 'is'} null", []
    return f"{expression} {COMPARISONS[operator]} ?", [coerced]


def field_comparison_sql(left: str, operator: str, right: str) -> str:
    """`a0.x < a1.y`: a criterion comparing two fields (addComparison)."""
    if operator in ("In", "NotIn"):
        raise CRMScriptRuntimeError("SearchEngine: addComparison cannot compare with OperatorIn/OperatorNotIn "
                                    "(they take a list of values)")
    if operator == "Contains":
        return f"instr({left}, {right}) > 0"
    if operator == "BeginsWith":
        return f"substr({left}, 1, length({right})) = {right}"
    if operator == "EndsWith":
        return f"substr({left}, -length({right})) = {right}"
    sql = {"Like": "like", "NotLike": "not like", "Is": "is", "IsNot": "is not"}.get(operator, COMPARISONS[operator])
    return f"{left} {sql} {right}"


def apply_function(function: str | None, expression: str) -> str:
    return expression if function is None else FUNCTIONS[function][0].format(x=expression)


def is_aggregate(function: str | None) -> bool:
    return function is not None and FUNCTIONS[function][2]


def apply_to_text(function: str | None, text: str) -> str:
    """getField(name, function): the function on a value already fetched."""
    if function is None:
        return text
    if function == "upper":
        return text.upper()
    if function == "lower":
        return text.lower()
    if function in ("hour", "min", "wday"):
        from .schema import parse_datetime

        try:
            moment = parse_datetime(text)
        except ValueError:
            return ""
        return str({"hour": moment.hour, "min": moment.minute, "wday": (moment.weekday() + 1) % 7 + 1}[function])
    if function == "count":
        return "0" if text == "" else "1"
    return text  # avg, sum, max of one value: the value
