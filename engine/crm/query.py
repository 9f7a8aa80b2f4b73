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
from functools import lru_cache

from ..errors import CRMScriptRuntimeError
from .schema import (
    DATETIME,
    INTEGER,
    REAL,
    TEXT,
    Column,
    Schema,
    SchemaError,
    Table,
    suggest,
)

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


_KNOWN: dict[tuple[str, str], str | None] = {}  # (kind, name as written) -> normalised name


def comparison(name: str) -> str:
    """'OperatorEquals', 'Equals', 'equals', '==' -> 'Equals' (the docs' names
    without the Operator prefix); an unknown name is a runtime error."""
    key = _KNOWN.get(("comparison", name))
    if key is not None:
        return key
    key = _operator_key(name, COMPARISONS, _SYMBOLS)
    if key is None:
        choices = [f"Operator{k}" for k in COMPARISONS]
        raise CRMScriptRuntimeError(f"SearchEngine: unknown comparison operator '{name}'"
                                    f"{suggest(_with_prefix(name), choices)} "
                                    f"(the operators are OperatorEquals ... OperatorNotIn, or the short 'equals')")
    _KNOWN["comparison", name] = key
    return key


def row_operator(name: str) -> str:
    known = _KNOWN.get(("row", name))
    if known is not None:
        return known
    key = _operator_key(name, ROW_OPERATORS, _ROW_SYMBOLS)
    if key is None:
        raise CRMScriptRuntimeError(f"SearchEngine: unknown row operator '{name}'"
                                    f"{suggest(_with_prefix(name), [f'Operator{k}' for k in ROW_OPERATORS])} "
                                    "(OperatorAnd, OperatorOr, OperatorNotAnd, OperatorNotOr)")
    _KNOWN["row", name] = ROW_OPERATORS[key]
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
    if lowered in FUNCTIONS:
        raise CRMScriptRuntimeError(f"SearchEngine: the function '{name}' is for addDataField only")
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


@dataclass(frozen=True, eq=False)
class Hop:
    """One join of a path, independent of aliases: its kind, what makes it the
    same join as another, the table it reaches and its ON condition ({a} the
    table it starts from, {b} the one it reaches)."""

    kind: str  # "left outer join" / "inner join"
    key: tuple
    target: Table
    on: str


@dataclass(frozen=True, eq=False)
class PathPlan:
    """A path resolved against the schema: its root, its hops and its field
    (a column, or a virtual field's SQL with {a} for the table's alias)."""

    root: Table
    hops: tuple[Hop, ...]
    table: Table
    column: Column | None
    virtual: str | None = None
    reads: str | None = None  # the table a virtual field reads


def plan_path(schema: Schema, path: str) -> PathPlan:
    """The plan of `path` (cached per schema: a trigger resolves the same
    paths on every event); a runtime error for a name outside the schema."""
    plans = schema.plans
    plan = plans.get(path)
    if plan is None:
        plan = plans[path] = _plan(schema, path)
    return plan


def _plan(schema: Schema, path: str) -> PathPlan:
    text = path.strip()
    root_name, hops = _split_path(text)
    root = table = _table(schema, root_name)
    if not hops:
        raise CRMScriptRuntimeError(f"SearchEngine: '{path}' names a table, not a field "
                                    f"(write {table.name}.<field>)")
    planned = []
    for separator, hop in hops[:-1]:
        step = _plan_hop(schema, table, separator, hop, path)
        planned.append(step)
        table = step.target
    _, name = hops[-1]
    if name.startswith("("):
        raise CRMScriptRuntimeError(f"SearchEngine: '{path}' ends with a join; name a field after it")
    if table.has_column(name):
        return PathPlan(root, tuple(planned), table, table.column(name))
    virtual = VIRTUAL_FIELDS.get((table.name.lower(), name.lower()))
    if virtual is not None:
        return PathPlan(root, tuple(planned), table, None, virtual, VIRTUAL_TABLES.get(name.lower()))
    try:
        table.column(name)
    except SchemaError as error:
        raise CRMScriptRuntimeError(f"SearchEngine: {error} (in '{path}')") from None
    raise AssertionError("unreachable")


def _table(schema: Schema, name: str) -> Table:
    try:
        return schema.table(name)
    except SchemaError as error:
        raise CRMScriptRuntimeError(f"SearchEngine: {error}") from None


def _plan_hop(schema: Schema, table: Table, separator: str | None, hop: str, path: str) -> Hop:
    kind = "inner join" if separator == ":" else "left outer join"
    if hop.startswith("("):  # (other->field): the rows of other whose field is this table's key
        other_name, other_field = (part.strip() for part in hop.strip("() ").split("->"))
        other = _table(schema, other_name)
        try:
            column = other.column(other_field)
        except SchemaError as error:
            raise CRMScriptRuntimeError(f"SearchEngine: {error} (in '{path}')") from None
        key_column = table.key
        if key_column is None:
            raise CRMScriptRuntimeError(f"SearchEngine: table {table.name} has no primary key to join on")
        return Hop(kind, ("<-", other.name.lower(), column.name.lower()), other,
                   f"{{b}}.{sql_name(column.name)} = {{a}}.{sql_name(key_column.name)}")
    try:
        column = table.column(hop)
    except SchemaError as error:
        raise CRMScriptRuntimeError(f"SearchEngine: {error} (in '{path}')") from None
    if not column.is_reference:
        raise CRMScriptRuntimeError(f"SearchEngine: {table.name}.{column.name} is not a reference to another "
                                    f"table, so '{path}' cannot go on after it")
    target = _table(schema, column.ref)
    if target.key is None:
        raise CRMScriptRuntimeError(f"SearchEngine: table {target.name} has no primary key to join on")
    return Hop(kind, ("->", column.name.lower()), target,
               f"{{b}}.{sql_name(target.key.name)} = {{a}}.{sql_name(column.name)}")


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

    def tables(self) -> list[Table]:
        return list(self._tables.values())

    def root(self, table: Table) -> str:
        key = ("root", table.name.lower())
        alias = self._aliases.get(key)
        if alias is None:
            alias = self._aliases[key] = self._new_alias(table)
            self.roots.append((alias, table))
        return alias

    def place(self, plan: PathPlan) -> str:
        """The alias of the plan's last table, joining what is not joined yet."""
        alias = self.root(plan.root)
        for hop in plan.hops:
            key = (alias, hop.kind) + hop.key
            found = self._aliases.get(key)
            if found is None:
                found = self._aliases[key] = self._new_alias(hop.target)
                self.joins.append(Join(found, alias, hop.target, hop.kind, hop.on.format(a=alias, b=found)))
            alias = found
        return alias

    def resolve(self, path: str) -> FieldRef:
        """`table(.hop|:hop|.(t->f))*.field` -> FieldRef; joins are added as needed."""
        plan = plan_path(self.schema, path)
        alias = self.place(plan)
        if plan.column is not None:
            return FieldRef(path, f"{alias}.{sql_name(plan.column.name)}", plan.table, alias, plan.column)
        if plan.reads is not None:
            self.uses_virtual.add(plan.reads)
        return FieldRef(path, plan.virtual.format(a=alias), plan.table, alias, None, virtual=True)

    def table_at(self, path: str) -> Table:
        """The table a path of hops leads to (no field at the end): for
        findAlternativeFields."""
        root_name, hops = _split_path(path.strip())
        table = _table(self.schema, root_name)
        for separator, hop in hops:
            table = _plan_hop(self.schema, table, separator, hop, path).target
        return table

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


@lru_cache(maxsize=4096)
def _split_path(text: str) -> tuple[str, tuple[tuple[str | None, str], ...]]:
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
    return match.group(1), tuple(hops)


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


def coerce_value(plan: PathPlan, path: str, function: str | None, value: str) -> object:
    """A criterion's text value as the field (or the function's result) stores it."""
    column = plan.column
    storage = column.storage if column is not None else TEXT
    if function is not None:
        result = FUNCTIONS[function][1]
        storage = result if result is not None else storage
    if storage == DATETIME and function is None:
        if value.strip() == "" or value.strip().lower() == "null":
            return None
    try:
        if function is not None or column is None:
            kind = "Int" if storage == INTEGER else "Double" if storage == REAL else "Clob"
            return Column(path, kind, storage=storage).to_sql(value)
        return column.to_sql(value)
    except ValueError as error:
        raise CRMScriptRuntimeError(f"SearchEngine: {path}: {error}") from None


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def criterion_params(plan: PathPlan, path: str, function: str | None, operator: str,
                     value: str) -> tuple[list, str]:
    """A criterion's parameters, and the shape of its SQL besides the operator
    ("" plain, "n3" OperatorIn with 3 values, "array" In on an array column,
    "null" an empty date): the values are checked when the criterion is added."""
    if operator == "Equals" and function is None and plan.column is not None \
            and plan.column.storage == INTEGER and value.isdigit() and value.isascii():
        return [int(value)], ""  # the usual criterion (a key), fast
    if operator in ("In", "NotIn"):
        parts = [part.strip() for part in value.split(",") if part.strip() != ""]
        values = [coerce_value(plan, path, function, part) for part in parts]
        if plan.column is not None and plan.column.type == "FKArray" and function is None:
            return [",".join(str(v) for v in values)], "array"
        return values, f"n{len(values)}"
    if operator in ("Contains", "BeginsWith", "EndsWith"):
        pattern = like_escape(value)
        return [{"Contains": f"%{pattern}%", "BeginsWith": f"{pattern}%", "EndsWith": f"%{pattern}"}[operator]], ""
    if operator in ("Like", "NotLike"):
        return [value], ""
    if operator in ("Is", "IsNot"):
        return [None if value.strip().lower() in ("", "null") else coerce_value(plan, path, function, value)], ""
    coerced = coerce_value(plan, path, function, value)
    if coerced is None and operator in ("Equals", "NotEquals"):  # an empty date: no date
        return [], "null"
    return [coerced], ""


def criterion_sql(expression: str, operator: str, shape: str) -> str:
    """`a0.status = ?`: a criterion's SQL with `?` for its parameters (criterion_params)."""
    if shape == "array":
        test = f"crm_array_has_any({expression}, ?)"
        return f"not {test}" if operator == "NotIn" else test
    if shape == "null":
        return f"{expression} {'is not' if operator == 'NotEquals' else 'is'} null"
    if operator in ("In", "NotIn"):
        marks = ", ".join("?" * int(shape[1:]))
        return f"{expression} {'not in' if operator == 'NotIn' else 'in'} ({marks})"
    if operator in ("Contains", "BeginsWith", "EndsWith"):
        return f"{expression} like ? escape '\\'"
    if operator in ("Like", "NotLike"):
        return f"{expression} {'not like' if operator == 'NotLike' else 'like'} ?"
    if operator in ("Is", "IsNot"):
        return f"{expression} {'is not' if operator == 'IsNot' else 'is'} ?"
    return f"{expression} {COMPARISONS[operator]} ?"


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
