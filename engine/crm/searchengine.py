"""SearchEngine: the CRMScript class that queries and writes the CRM database.

All 46 documented members (docs/searchengine/*.md of SuperOfficeDocs/crmscript
and CRMScript.Native.SearchEngine.yml), over the run's SQLite copy of the
fixture (engine/crm/store.py). Paths, operators, functions and the SQL are in
engine/crm/query.py; output formats in engine/crm/formats.py. Decisions where
the docs are silent: docs/searchengine.md.

NetServer: queries go "through NetServer" unless the script calls
bypassNetServer(true) and the registry allows it (reg_id 235 = 1 in the
fixture's `registry` table). Through NetServer, aggregate functions,
setGroup, addHaving and addJoinCriteria fail with the documented
NetServerException; with the bypass, the virtual fields (fullName,
emailAddress) are not there.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass, field
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Array
from ..runtime.table import LIBRARY, builtin
from . import formats
from .query import (
    FUNCTIONS,
    Criterion,
    FieldRef,
    JoinGraph,
    PathPlan,
    apply_function,
    apply_to_text,
    comparison,
    condition_sql,
    criterion_params,
    criterion_sql,
    field_comparison_sql,
    function_name,
    is_aggregate,
    plan_path,
    row_operator,
    sql_name,
)
from .schema import INTEGER, suggest

BYPASS_REGISTRY_ID = 235  # "Allow sentry to be bypassed"
NETSERVER_ERROR = "NetServerException: Can't use field functions when querying NetServer"


# The query a SearchEngine built is recorded as operations (what a call adds,
# without its values) and values (its checked parameters). The operations are
# a path in a tree of shapes per schema (Shape below), which keeps the SQL of
# each, so a trigger that builds the same query on every event pays one
# dictionary look-up per call, not a translation. A schema's tree keeps at most
# SHAPE_LIMIT entries (shapes, checked calls, SQL statements), so a script
# that makes a new query on every event cannot fill the memory: past it, the
# tree starts again.
SHAPE_LIMIT = 4096


@dataclass(eq=False)
class Selected:
    ref: FieldRef
    function: str | None
    text: str  # the field as written (its name for getField and the headers)

    @property
    def sql(self) -> str:
        return apply_function(self.function, self.ref.sql)


@dataclass(eq=False)
class Compiled:
    """A query made SQL: everything an execute needs besides the values."""

    sql: str  # with the limit
    count_sql: str  # select count(*) of the query without the limit
    all_sql: str  # without the limit
    labels: list[str]
    functions: list[str | None]
    tables: list  # the tables the query reads (made in the run's copy if missing)
    refusals: list[str]  # what NetServer refuses (aggregates, group, having, join criteria)
    virtual: list[str]  # virtual fields (not there with bypassNetServer)
    slots: list[int]  # the values, in the order of the SQL's `?`
    distinct: bool  # a hidden last column holds setDistinct's key
    by_name: dict[str, int] = field(default_factory=dict)  # getField(name): lower-case label -> index
    # For the execute's hot path, worked out once:
    width: int = field(init=False)  # the number of fields
    table_names: frozenset[str] = field(init=False)  # the tables' key names
    slot: int = field(init=False)  # the slot of the one value, -1 for none or more

    def __post_init__(self) -> None:
        self.width = len(self.labels)
        self.table_names = frozenset(table.key_name for table in self.tables)
        self.slot = self.slots[0] if len(self.slots) == 1 else -1


class ShapeTree:
    """The shapes of one schema's queries (schema.queries)."""

    __slots__ = ("root", "size")

    def __init__(self) -> None:
        self.root = Shape(self, ())
        self.size = 0

    def grow(self) -> None:
        """Count a new entry; past the limit, start again (shapes in use go on working)."""
        self.size += 1
        if self.size > SHAPE_LIMIT:
            self.root, self.size = Shape(self, ()), 0


class Shape:
    """The operations of a query being built: a node of its schema's tree.
    The same calls (whatever their values) lead from the root to the same
    node, which keeps what depends on them alone: the next node of each call,
    the checked plan of a criterion, the SQL."""

    __slots__ = ("tree", "ops", "after", "calls", "compiled")

    def __init__(self, tree: ShapeTree, ops: tuple) -> None:
        self.tree = tree
        self.ops = ops
        self.after: dict[tuple, Shape] = {}  # operation -> the shape with it added
        self.calls: dict[tuple, Any] = {}  # a call's arguments -> its Shape or CriterionStep
        self.compiled: dict[tuple, Compiled] = {}  # (limit, db_distinct, group) -> the SQL

    def then(self, op: tuple) -> Shape:
        """The shape with `op` added."""
        shape = self.after.get(op)
        if shape is None:
            self.tree.grow()
            shape = self.after[op] = Shape(self.tree, self.ops + (op,))
        return shape

    def remember(self, call: tuple, what: Any) -> Any:
        """Keep what a call leads to (its Shape or CriterionStep)."""
        self.tree.grow()
        self.calls[call] = what
        return what


@dataclass(eq=False, slots=True)
class CriterionStep:
    """addCriteria (addHaving, addJoinCriteria) with given field, function and
    operators, checked: what its value needs, and the shapes it leads to."""

    shape: Shape  # the shape it is added to
    op: tuple  # the operation, but for the value's shape ("", "n3", "array", "null")
    plan: PathPlan
    function: str | None
    operator: str
    numeric: bool  # a number compared with a number: its value needs no more than int()
    plain: Shape  # the shape after it with a plain value

    def then(self, value_shape: str) -> Shape:
        return self.plain if value_shape == "" else self.shape.then(self.op + (value_shape,))


class Query:
    """The SQL pieces of one SearchEngine's operations (made on a cache miss,
    and for writes and buildSql)."""

    def __init__(self, schema: Any, ops: list[tuple]) -> None:
        self.graph = JoinGraph(schema)
        self.fields: list[Selected] = []
        self.criteria: list[Criterion] = []
        self.having: list[Criterion] = []
        self.orders: list[tuple[str, bool]] = []
        self.data: list[tuple[FieldRef, int]] = []  # (field, value slot)
        self.data_fields: list[tuple[FieldRef, FieldRef, str | None]] = []
        self.distinct: FieldRef | None = None
        self.refusals: list[str] = []
        slot = 0
        for op in ops:
            slot = self._add(op, slot)

    def _add(self, op: tuple, slot: int) -> int:
        """Resolve one operation (in call order: aliases are numbered as the
        paths first reach a table); the next value slot."""
        kind = op[0]
        resolve = self.graph.resolve
        if kind == "field":
            _, path, function = op
            self.fields.append(Selected(resolve(path), function, path.strip()))
            self._refuse(function, path)
        elif kind in ("criterion", "having", "join"):
            _, path, function, operator, row, priority, shape = op
            ref = resolve(path)
            criterion = Criterion(criterion_sql(apply_function(function, ref.sql), operator, shape), [slot],
                                  row, priority)
            self._refuse(function, path)
            if kind == "criterion":
                self.criteria.append(criterion)
            elif kind == "having":
                self.having.append(criterion)
            else:
                self.refusals.append(f"addJoinCriteria({path})")
                join = self.graph.join_of(ref.alias)
                (join.extra if join is not None else self.criteria).append(criterion)
            return slot + 1
        elif kind == "comparison":
            _, left, left_function, operator, right, right_function, row, priority = op
            sql = field_comparison_sql(apply_function(left_function, resolve(left).sql), operator,
                                       apply_function(right_function, resolve(right).sql))
            self._refuse(left_function, left)
            self._refuse(right_function, right)
            self.criteria.append(Criterion(sql, [], row, priority))
        elif kind == "order":
            _, path, function, ascending = op
            self._refuse(function, path)
            self.orders.append((apply_function(function, resolve(path).sql), ascending))
        elif kind == "distinct":
            self.distinct = resolve(op[1]) if op[1] else None
        elif kind == "data":
            self.data.append((resolve(op[1]), slot))
            return slot + 1
        elif kind == "data_field":
            _, target, source, function = op
            self._refuse(function, source)
            self.data_fields.append((resolve(target), resolve(source), function))
        return slot

    def _refuse(self, function: str | None, path: str) -> None:
        if is_aggregate(function):
            self.refusals.append(f"{function}({path})")

    def select_sql(self, limit: int, db_distinct: bool, group: bool) -> tuple[str, list[int]]:
        """The select statement, and the value slots of its `?` in order."""
        if not self.fields:
            raise CRMScriptRuntimeError("SearchEngine: no fields to select (call addField first)")
        graph = self.graph
        columns = [s.sql for s in self.fields]
        if self.distinct is not None:
            columns.append(self.distinct.sql)  # a hidden last column: the distinct key
        source, slots = graph.from_sql()
        sql = f"select {'distinct ' if db_distinct else ''}{','.join(columns)} from {source}"
        where, where_slots = condition_sql(self.criteria)
        if where:
            sql += f" where {where}"
            slots = slots + where_slots
        aggregated = any(is_aggregate(s.function) for s in self.fields)
        if group:
            keys = [s.sql for s in self.fields if not is_aggregate(s.function)]
            if keys:
                sql += f" group by {','.join(keys)}"
        if self.having:
            having, having_slots = condition_sql(self.having)
            sql += f" having {having}"
            slots = slots + having_slots
        orders = [f"{expression}{'' if ascending else ' desc'}" for expression, ascending in self.orders]
        if not orders and not aggregated and not group:
            alias, table = graph.roots[0]
            if table.key is not None:  # a stable order: the root table's key
                orders = [f"{alias}.{sql_name(table.key.name)}"]
        if orders:
            sql += f" order by {','.join(orders)}"
        if limit > 0 and self.distinct is None:
            sql += f" limit {int(limit)}"
        return sql, slots

    def compiled(self, limit: int, db_distinct: bool, group: bool) -> Compiled:
        sql, slots = self.select_sql(limit, db_distinct, group)
        all_sql = self.select_sql(0, db_distinct, group)[0]
        tables = self.graph.tables() + [self.graph.schema.table(name) for name in self.graph.uses_virtual]
        refusals = list(self.refusals) + (["setGroup(true)"] if group else []) + (["addHaving"] if self.having else [])
        compiled = Compiled(sql, f"select count(*) from ({all_sql})", all_sql, [s.text for s in self.fields],
                            [s.function for s in self.fields], tables, refusals,
                            [s.text for s in self.fields if s.ref.virtual], slots, self.distinct is not None)
        by_name = compiled.by_name  # getField(name): the first plain field of that name, else the first
        for index, selected in enumerate(self.fields):
            name = selected.text.lower()
            current = by_name.get(name)
            if current is None or (self.fields[current].function is not None and selected.function is None):
                by_name[name] = index
        return compiled

    def write_sql(self, kind: str) -> tuple[str, list[int]]:
        """update/delete of the root table's rows the query selects: the SQL and
        its value slots (data values first, as the SET clause comes first)."""
        graph = self.graph
        alias, table = graph.roots[0]
        key = table.key
        if key is None:
            raise CRMScriptRuntimeError(f"SearchEngine.{kind}: table {table.name} has no primary key")
        source, join_slots = graph.from_sql()
        selection = f"select {alias}.{sql_name(key.name)} from {source}"
        where, where_slots = condition_sql(self.criteria)
        if where:
            selection += f" where {where}"
        key_sql = f"{sql_name(key.name)} in ({selection})"
        if kind == "delete":
            return f"delete from {sql_name(table.name)} where {key_sql}", join_slots + where_slots
        sets, set_slots = [], []
        for ref, slot in self.data:
            sets.append(f"{sql_name(ref.column.name)} = ?")
            set_slots.append(slot)
        for target, source_ref, function in self.data_fields:
            expression = apply_function(function, source_ref.sql)
            sets.append(f"{sql_name(target.column.name)} = (select {expression} from {source} "
                        f"where {alias}.{sql_name(key.name)} = {sql_name(table.name)}.{sql_name(key.name)})")
            set_slots.extend(join_slots)
        if not sets:
            raise CRMScriptRuntimeError("SearchEngine.update: nothing to set (call addData or addDataField first)")
        return (f"update {sql_name(table.name)} set {','.join(sets)} where {key_sql}",
                set_slots + join_slots + where_slots)

    def root_table_of(self, refs: list[FieldRef], what: str):
        tables = {ref.table.name for ref in refs}
        if len(tables) != 1 or any(ref.alias != self.graph.roots[0][0] for ref in refs):
            raise CRMScriptRuntimeError(f"SearchEngine.{what}: every field of addData must be a field of "
                                        f"one table (not a path through others): {', '.join(r.text for r in refs)}")
        return refs[0].table


class SearchEngine:
    """What a CRMScript `SearchEngine` variable holds: the query being built,
    and after execute() its result and cursor."""

    # Defaults shared as class attributes (a trigger makes SearchEngines on
    # every event: setting what a call changes is all a new one costs).
    schema: Any = None  # the run's schema, taken at the first call that names a field
    shape: Shape | None = None  # the operations so far (None: none yet)
    limit = 0
    db_distinct = False
    group = False
    variant = (0, False, False)  # (limit, group, db_distinct): which SQL of a shape
    bypass = False
    callback: str | None = None
    rows: list[tuple] | None = None
    position = 0
    row: tuple | None = None  # the current row (None: before execute, or at the end)
    width = 0  # the number of fields a row has
    compiled: Compiled | None = None

    def __init__(self) -> None:
        self.values: list[list] = []  # each value's parameters, checked when added

    @property
    def ops(self) -> tuple:
        """The operations so far, in call order."""
        shape = self.shape
        return () if shape is None else shape.ops

    # ------------------------------------------------------------ building

    def start(self, ctx: Any) -> Shape:
        """The root shape of the run's schema (at the first call that names a field)."""
        schema = self.schema = ctx.crm.schema
        tree = schema.queries
        if tree is None:
            tree = schema.queries = ShapeTree()
        shape = self.shape = tree.root
        return shape

    def add(self, ctx: Any, op: tuple) -> None:
        self.shape = (self.shape or self.start(ctx)).then(op)

    def plan(self, ctx: Any, path: str) -> PathPlan:
        if self.shape is None:
            self.start(ctx)
        return plan_path(self.schema, path)

    def add_field(self, ctx: Any, path: str, function: str = "") -> None:
        name = function_name(function)
        self.plan(ctx, path)
        self.add(ctx, ("field", path, name))

    def add_criterion(self, ctx: Any, kind: str, path: str, function: str, operator: str, value: str,
                      row: str, priority: int) -> None:
        shape = self.shape or self.start(ctx)
        step = shape.calls.get((kind, path, function, operator, row, priority))
        if step is None:
            step = self.criterion_step(shape, kind, path, function, operator, row, priority)
        if step.numeric and value.isdigit() and value.isascii():
            self.values.append([int(value)])
            self.shape = step.plain
        else:
            params, value_shape = criterion_params(step.plan, path, step.function, step.operator, value)
            self.values.append(params)
            self.shape = step.then(value_shape)

    def criterion_step(self, shape: Shape, kind: str, path: str, function: str, operator: str, row: str,
                       priority: int) -> CriterionStep:
        """A criterion's field, function and operators checked (once per shape)."""
        plan, name, op = plan_path(self.schema, path), function_name(function), comparison(operator)
        numeric = name is None and plan.column is not None and plan.column.storage == INTEGER \
            and op in ("Equals", "NotEquals", "Lt", "Lte", "Gt", "Gte")
        prefix = (kind, path, name, op, row_operator(row), priority)
        step = CriterionStep(shape, prefix, plan, name, op, numeric, shape.then(prefix + ("",)))
        return shape.remember((kind, path, function, operator, row, priority), step)

    def add_comparison(self, ctx: Any, left: str, left_function: str, operator: str, right: str,
                       right_function: str, row: str, priority: int) -> None:
        names = function_name(left_function), function_name(right_function)
        self.plan(ctx, left)
        self.plan(ctx, right)
        op = comparison(operator)
        if op in ("In", "NotIn"):
            raise CRMScriptRuntimeError("SearchEngine: addComparison cannot compare with OperatorIn/OperatorNotIn "
                                        "(they take a list of values)")
        self.add(ctx, ("comparison", left, names[0], op, right, names[1], row_operator(row), priority))

    def add_order(self, ctx: Any, path: str, function: str, ascending: bool) -> None:
        name = function_name(function)
        self.plan(ctx, path)
        self.add(ctx, ("order", path, name, bool(ascending)))

    def add_data(self, ctx: Any, path: str, value: str) -> None:
        plan = self.plan(ctx, path)
        if plan.column is None:
            raise CRMScriptRuntimeError(f"SearchEngine.addData: {path} is constructed by NetServer, not stored")
        try:
            self.values.append([plan.column.to_sql(value)])
        except ValueError as error:
            raise CRMScriptRuntimeError(f"SearchEngine.addData: {path}: {error}") from None
        self.add(ctx, ("data", path))

    def query(self) -> Query:
        if self.schema is None:
            raise CRMScriptRuntimeError("SearchEngine: the query names no table (call addField first)")
        return Query(self.schema, self.ops)

    # ------------------------------------------------------------ the SQL

    def bypassing(self, ctx: Any) -> bool:
        """bypassNetServer(true) has an effect only when the registry allows it."""
        if not self.bypass:
            return False
        database = ctx.crm.database
        database.ensure_table(self.schema.table("registry"))
        row = database.execute("SELECT value FROM registry WHERE reg_id = ? ORDER BY id LIMIT 1",
                               (BYPASS_REGISTRY_ID,)).fetchone()
        return row is not None and str(row[0]).strip() == "1"

    def compile(self, ctx: Any) -> Compiled:
        """The query's SQL (made once per shape), after the NetServer rules."""
        shape = self.shape
        if shape is None or not shape.ops:
            raise CRMScriptRuntimeError("SearchEngine: no fields to select (call addField first)")
        bypassed = self.bypass and self.bypassing(ctx)
        key = (self.limit, self.group, self.db_distinct and bypassed)
        compiled = shape.compiled.get(key)
        if compiled is None:
            shape.tree.grow()
            compiled = shape.compiled[key] = self.query().compiled(self.limit, key[2], self.group)
        if compiled.refusals and not bypassed:
            why = ("bypassNetServer(true) has no effect: the registry value reg_id 235 is not 1"
                   if self.bypass else "call bypassNetServer(true) (the registry value reg_id 235 must be 1)")
            raise CRMScriptRuntimeError(f"{NETSERVER_ERROR} ({', '.join(compiled.refusals)}): {why}")
        if bypassed and compiled.virtual:
            raise CRMScriptRuntimeError(f"SearchEngine: the virtual field {compiled.virtual[0]} is constructed by "
                                        "NetServer: it is not there with bypassNetServer(true)")
        return compiled

    def database(self, ctx: Any, tables: list) -> Any:
        """The run's database with the given tables in it."""
        database = ctx.crm.database
        have = database.tables
        for table in tables:
            if table.key_name not in have:
                database.ensure_table(table)
        return database

    def params(self, slots: list[int]) -> list:
        values = self.values
        if len(slots) == 1:
            return values[slots[0]]
        return [value for slot in slots for value in values[slot]]

    # ------------------------------------------------------------ running

    def run(self, ctx: Any, limit: bool = True) -> list[tuple]:
        shape = self.shape
        # the usual case: a query made before (with the bypass, the registry decides)
        compiled = None if self.bypass or shape is None else shape.compiled.get(self.variant)
        if compiled is None or compiled.refusals:
            compiled = self.compile(ctx)
        self.compiled = compiled
        database = ctx.crm.database
        if not database.tables.issuperset(compiled.table_names):
            for table in compiled.tables:  # a table the fixture does not fill is made (empty) on first use
                database.ensure_table(table)
        slot = compiled.slot
        params = self.values[slot] if slot >= 0 else self.params(compiled.slots)
        try:
            rows = database.cursor.execute(compiled.sql if limit else compiled.all_sql, params).fetchall()
        except Exception as error:
            raise _refused(error) from None
        if compiled.distinct:
            seen: set = set()
            unique = []
            for row in rows:
                if row[-1] not in seen:
                    seen.add(row[-1])
                    unique.append(row[:-1])
            rows = unique[: self.limit] if limit and self.limit > 0 else unique
        return rows

    def execute(self, ctx: Any) -> int:
        return se_execute(ctx, self)

    def move(self, position: int) -> bool:
        """Point the cursor at a row; False (and no current row) past the end."""
        self.position = position
        rows = self.rows
        if rows is not None and position < len(rows):
            self.row = rows[position]
            return True
        self.row = None
        return False

    def count_rows(self, ctx: Any) -> int:
        compiled = self.compile(ctx)
        if compiled.distinct:
            return len(self.run(ctx, limit=False))
        return _fetch(self.database(ctx, compiled.tables), compiled.count_sql, self.params(compiled.slots))[0][0]

    def value(self, ctx: Any, index: int) -> str:
        row = self.row
        if row is None:
            return ""
        text = formats.as_text(row[index])
        if self.callback is not None:
            text = call_back(ctx, self.callback, text, self.compiled.labels[index])
        return text

    def field_count(self) -> int:
        return sum(1 for op in self.ops if op[0] == "field")

    def field_index(self, name: str) -> int:
        """The field selected as `name` (the first without a function, else the first)."""
        compiled = self.compiled
        if compiled is not None:
            index = compiled.by_name.get(name.strip().lower())
            if index is not None:
                return index
        labels = [op[1].strip() for op in self.ops if op[0] == "field"]
        matches = [i for i, label in enumerate(labels) if label.lower() == name.strip().lower()]
        if matches:
            return matches[0]
        raise CRMScriptRuntimeError(f"SearchEngine.getField: '{name}' is not a field of the query"
                                    f"{suggest(name, labels)} (its fields: {', '.join(labels) or 'none'})")

    def result_texts(self, ctx: Any) -> tuple[list[str], list[list[str]]]:
        """Run the query; the field names and every row's values as text."""
        self.execute(ctx)
        rows = []
        width = len(self.compiled.labels)
        for position in range(len(self.rows)):
            self.move(position)
            rows.append([self.value(ctx, i) for i in range(width)])
        self.move(0)
        return list(self.compiled.labels), rows

    # ------------------------------------------------------------ writing

    def insert(self, ctx: Any) -> int:
        query = self.query()
        if not query.data:
            raise CRMScriptRuntimeError("SearchEngine.insert: no data to insert (call addData first)")
        table = query.root_table_of([ref for ref, _ in query.data], "insert")
        database = self.database(ctx, query.graph.tables())
        columns = [sql_name(ref.column.name) for ref, _ in query.data]
        values = self.params([slot for _, slot in query.data])
        database.begin_write()
        cursor = _execute(database, f"insert into {sql_name(table.name)} ({','.join(columns)}) "
                                    f"values ({','.join('?' * len(values))})", values)
        return cursor.lastrowid or 0

    def write(self, ctx: Any, kind: str) -> None:
        query = self.query()
        if kind == "update":
            query.root_table_of([ref for ref, _ in query.data] + [t for t, _, _ in query.data_fields], "update")
        sql, slots = query.write_sql(kind)
        tables = query.graph.tables() + [self.schema.table(name) for name in query.graph.uses_virtual]
        database = self.database(ctx, tables)
        database.begin_write()
        _execute(database, sql, self.params(slots))


def _execute(database: Any, sql: str, params: list) -> Any:
    try:
        return database.connection.execute(sql, params)
    except Exception as error:
        raise _refused(error) from None


def _refused(error: Exception) -> Exception:
    """SQLite refusing a statement we built (a misuse such as an aggregate in a
    criterion): a script-level error. (sqlite3 is not imported for this: the
    runtime library loads without it.)"""
    if type(error).__module__ == "sqlite3":
        return CRMScriptRuntimeError(f"SearchEngine: the database refused the query: {error}")
    return error


def _fetch(database: Any, sql: str, params: list) -> list[tuple]:
    return _execute(database, sql, params).fetchall()


def call_back(ctx: Any, name: str, value: str, field_name: str) -> str:
    """setCallBack: the script function converts each value (with one String
    parameter: the value; with two: the value and the field name)."""
    function = script_function(name)
    if function is None:
        raise CRMScriptRuntimeError(f"SearchEngine.setCallBack: the script has no function '{name}'")
    params = [p for p in inspect.signature(function).parameters if p != "_depth"]
    arguments = (value, field_name)[: max(1, min(len(params), 2))]
    result = function(*arguments, 1)
    return "" if result is None else str(result)


def script_function(name: str) -> Any:
    """The running script's compiled function `name` (found in the namespace
    of the innermost running script's frames)."""
    frame = sys._getframe(1)
    while frame is not None:
        namespace = frame.f_globals
        if namespace.get("_ctx") is not None:
            return namespace.get("f_" + name)
        frame = frame.f_back
    return None


# ============================================================ the members


@builtin("SearchEngine SearchEngine()")
def se_new() -> SearchEngine:
    return SearchEngine()


@builtin("Void SearchEngine.addField(String field)", context=True)
def se_add_field(ctx, self: SearchEngine, field: str) -> None:
    self.add_field(ctx, field)


@builtin("Void SearchEngine.addField(String field, String function)", context=True)
def se_add_field_function(ctx, self: SearchEngine, field: str, function: str) -> None:
    self.add_field(ctx, field, function)


@builtin("Void SearchEngine.addFields(String table, String fields)", context=True)
def se_add_fields(ctx, self: SearchEngine, table: str, fields: str) -> None:
    """The same list on every event is checked once (per shape)."""
    shape = self.shape or self.start(ctx)
    after = shape.calls.get(("addFields", table, fields))
    if after is None:
        after = shape
        for name in fields.split(","):
            if name.strip():
                path = f"{table.strip()}.{name.strip()}"
                plan_path(self.schema, path)
                after = after.then(("field", path, None))
        shape.remember(("addFields", table, fields), after)
    self.shape = after


@builtin("Void SearchEngine.addCriteria(String field, String compOperator, String value)", context=True)
def se_add_criteria(ctx, self: SearchEngine, field: str, operator: str, value: str) -> None:
    self.add_criterion(ctx, "criterion", field, "", operator, value, "OperatorAnd", 0)


@builtin("Void SearchEngine.addCriteria(String field, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_criteria_row(ctx, self: SearchEngine, field: str, operator: str, value: str,
                        row: str, priority: int) -> None:
    self.add_criterion(ctx, "criterion", field, "", operator, value, row, priority)


@builtin("Void SearchEngine.addCriteria(String field, String function, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_criteria_function(ctx, self: SearchEngine, field: str, function: str, operator: str, value: str,
                             row: str, priority: int) -> None:
    self.add_criterion(ctx, "criterion", field, function, operator, value, row, priority)


@builtin("Void SearchEngine.addComparison(String field1, String compOperator, String field2, "
         "String rowOperator, Integer priority)", context=True)
def se_add_comparison(ctx, self: SearchEngine, field1: str, operator: str, field2: str,
                      row: str, priority: int) -> None:
    self.add_comparison(ctx, field1, "", operator, field2, "", row, priority)


@builtin("Void SearchEngine.addComparison(String field1, String func1, String compOperator, String field2, "
         "String func2, String rowOperator, Integer priority)", context=True)
def se_add_comparison_functions(ctx, self: SearchEngine, field1: str, func1: str, operator: str, field2: str,
                                func2: str, row: str, priority: int) -> None:
    self.add_comparison(ctx, field1, func1, operator, field2, func2, row, priority)


@builtin("Void SearchEngine.addHaving(String field, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_having(ctx, self: SearchEngine, field: str, operator: str, value: str, row: str, priority: int) -> None:
    self.add_criterion(ctx, "having", field, "", operator, value, row, priority)


@builtin("Void SearchEngine.addHaving(String field, String function, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_having_function(ctx, self: SearchEngine, field: str, function: str, operator: str, value: str,
                           row: str, priority: int) -> None:
    self.add_criterion(ctx, "having", field, function, operator, value, row, priority)


@builtin("Void SearchEngine.addJoinCriteria(String field, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_join_criteria(ctx, self: SearchEngine, field: str, operator: str, value: str,
                         row: str, priority: int) -> None:
    self.add_criterion(ctx, "join", field, "", operator, value, row, priority)


@builtin("Void SearchEngine.addOrder(String field, Bool ascending)", context=True)
def se_add_order(ctx, self: SearchEngine, field: str, ascending: bool) -> None:
    self.add_order(ctx, field, "", ascending)


@builtin("Void SearchEngine.addOrder(String field, String function, Bool ascending)", context=True)
def se_add_order_function(ctx, self: SearchEngine, field: str, function: str, ascending: bool) -> None:
    self.add_order(ctx, field, function, ascending)


@builtin("Void SearchEngine.addData(String field, String value)", context=True)
def se_add_data(ctx, self: SearchEngine, field: str, value: str) -> None:
    self.add_data(ctx, field, value)


@builtin("Void SearchEngine.addDataField(String field1, String field2)", context=True)
def se_add_data_field(ctx, self: SearchEngine, field1: str, field2: str) -> None:
    self.plan(ctx, field1)
    self.plan(ctx, field2)
    self.add(ctx, ("data_field", field1, field2, None))


@builtin("Void SearchEngine.addDataField(String field1, String field2, String function)", context=True)
def se_add_data_field_function(ctx, self: SearchEngine, field1: str, field2: str, function: str) -> None:
    name = function_name(function, tuple(FUNCTIONS))
    self.plan(ctx, field1)
    self.plan(ctx, field2)
    self.add(ctx, ("data_field", field1, field2, name))


@builtin("Void SearchEngine.setLimit(Integer number)")
def se_set_limit(self: SearchEngine, number: int) -> None:
    self.limit = max(int(number), 0)
    self.variant = (self.limit, self.group, False)


@builtin("Void SearchEngine.setDistinct(String field)", context=True)
def se_set_distinct(ctx, self: SearchEngine, field: str) -> None:
    if field.strip():
        self.plan(ctx, field)
    self.add(ctx, ("distinct", field.strip()))


@builtin("Void SearchEngine.setDBDistinct(Bool p_0)")
def se_set_db_distinct(self: SearchEngine, value: bool) -> None:
    self.db_distinct = bool(value)


@builtin("Void SearchEngine.setGroup(Bool set)")
def se_set_group(self: SearchEngine, value: bool) -> None:
    self.group = bool(value)
    self.variant = (self.limit, self.group, False)


@builtin("Void SearchEngine.bypassNetServer(Bool p_0)")
def se_bypass(self: SearchEngine, value: bool) -> None:
    self.bypass = bool(value)


@builtin("Void SearchEngine.setCallBack(String functionName)")
def se_set_callback(self: SearchEngine, name: str) -> None:
    if script_function(name) is None:
        raise CRMScriptRuntimeError(f"SearchEngine.setCallBack: the script has no function '{name}' "
                                    "(declare it before calling setCallBack)")
    self.callback = name


@builtin("Integer SearchEngine.execute()", context=True)
def se_execute(ctx, self: SearchEngine) -> int:
    """Run the query; the number of rows; the cursor on the first."""
    rows = self.rows = self.run(ctx)
    self.width = self.compiled.width
    self.position = 0
    self.row = rows[0] if rows else None
    return len(rows)


@builtin("Integer SearchEngine.select()", context=True)
def se_select(ctx, self: SearchEngine) -> int:
    return se_execute(ctx, self)


@builtin("Integer SearchEngine.countRows()", context=True)
def se_count_rows(ctx, self: SearchEngine) -> int:
    return self.count_rows(ctx)


@builtin("Integer SearchEngine.countColumns()")
def se_count_columns(self: SearchEngine) -> int:
    return self.field_count()


@builtin("Bool SearchEngine.eof()")
def se_eof(self: SearchEngine) -> bool:
    return self.row is None


@builtin("Bool SearchEngine.first()")
def se_first(self: SearchEngine) -> bool:
    return self.move(0)


@builtin("Bool SearchEngine.next()")
def se_next(self: SearchEngine) -> bool:
    if self.row is None:
        return False
    position = self.position = self.position + 1  # (move(), inline: called once a row)
    rows = self.rows
    if position < len(rows):
        self.row = rows[position]
        return True
    self.row = None
    return False


@builtin("String SearchEngine.getField(Integer num)", context=True)
def se_get_field_index(ctx, self: SearchEngine, num: int) -> str:
    if self.callback is None and num >= 0:  # the usual case, fast
        try:
            value = self.row[num]
        except (TypeError, IndexError):  # no current row (None), or no such field: below
            pass
        else:
            return value if value.__class__ is str else formats.as_text(value)
    count = self.field_count()
    if not 0 <= num < count:
        raise CRMScriptRuntimeError(f"SearchEngine.getField({num}): the query has {count} "
                                    f"field{'' if count == 1 else 's'} (numbered from 0)")
    return self.value(ctx, num)


@builtin("String SearchEngine.getField(String name)", context=True)
def se_get_field_name(ctx, self: SearchEngine, name: str) -> str:
    return self.value(ctx, self.field_index(name))


@builtin("String SearchEngine.getField(String name, String function)", context=True)
def se_get_field_function(ctx, self: SearchEngine, name: str, function: str) -> str:
    wanted = function_name(function)
    fields = [op for op in self.ops if op[0] == "field"]
    for index, op in enumerate(fields):  # a field selected with this function: its value
        if op[2] == wanted and op[1].strip().lower() == name.strip().lower():
            return self.value(ctx, index)
    return apply_to_text(wanted, self.value(ctx, self.field_index(name)))


@builtin("String SearchEngine.getFieldsJSON()", context=True)
def se_get_fields_json(ctx, self: SearchEngine) -> str:
    if se_eof(self):
        return "{}"
    labels = self.compiled.labels
    return formats.json_rows(labels, [[self.value(ctx, i) for i in range(len(labels))]])[1:-1]


@builtin("String SearchEngine.executeTextTable()", context=True)
def se_execute_text_table(ctx, self: SearchEngine) -> str:
    return formats.text_table(*self.result_texts(ctx))


@builtin("String SearchEngine.executeHTMLTable()", context=True)
def se_execute_html_table(ctx, self: SearchEngine) -> str:
    return formats.html_table(*self.result_texts(ctx))


@builtin("String SearchEngine.executeJSON()", context=True)
def se_execute_json(ctx, self: SearchEngine) -> str:
    return formats.json_rows(*self.result_texts(ctx))


@builtin("Void SearchEngine.executeToJSONBuilder(JSONBuilder jb, String fields, String arrayName)", context=True)
def se_execute_to_json_builder(ctx, self: SearchEngine, builder: Any, fields: str, array_name: str) -> None:
    labels, rows = self.result_texts(ctx)
    members = formats.json_members(fields, labels)
    builder.push(array_name, is_object=False)
    for row in rows:
        builder.push("", is_object=True)
        for (label, kind), text in zip(members, row, strict=True):
            builder.add_raw(label, formats.json_value(kind, text), "a value")
        builder.pop()
    builder.pop()


@builtin("Void SearchEngine.executeInto(StringMatrix matrix)", context=True)
def se_execute_into(ctx, self: SearchEngine, matrix: Any) -> None:
    _, rows = self.result_texts(ctx)
    matrix.rows.extend(list(row) for row in rows)


@builtin("String SearchEngine.buildSql()", context=True)
def se_build_sql(ctx, self: SearchEngine) -> str:
    return se_build_sql_type(ctx, self, "select")


@builtin("String SearchEngine.buildSql(String type)", context=True)
def se_build_sql_type(ctx, self: SearchEngine, kind: str) -> str:
    kind = kind.strip().lower() or "select"
    if self.schema is None:
        return ""
    query = self.query()
    if kind == "select":
        return query.select_sql(self.limit, self.db_distinct and self.bypass, self.group)[0] if query.fields else ""
    if kind == "insert":
        columns = [sql_name(ref.column.name) for ref, _ in query.data]
        return (f"insert into {sql_name(query.graph.roots[0][1].name)} ({','.join(columns)}) "
                f"values ({','.join('?' * len(columns))})")
    if kind in ("update", "delete"):
        return query.write_sql(kind)[0]
    raise CRMScriptRuntimeError(f"SearchEngine.buildSql: unknown query type '{kind}'"
                                f"{suggest(kind, ['select', 'insert', 'update', 'delete'])} "
                                "(select, insert, update or delete)")


@builtin("Integer SearchEngine.insert()", context=True)
def se_insert(ctx, self: SearchEngine) -> int:
    return self.insert(ctx)


@builtin("Void SearchEngine.update()", context=True)
def se_update(ctx, self: SearchEngine) -> None:
    self.write(ctx, "update")


@builtin("Void SearchEngine.delete()", context=True)
def se_delete(ctx, self: SearchEngine) -> None:
    self.write(ctx, "delete")


@builtin("String[] SearchEngine.findAlternativeFields(String fieldBeginsWith)", context=True)
def se_find_alternative_fields(ctx, self: SearchEngine, begins_with: str) -> Array:
    """The fields a path can go on with: 'ticket.cust_id.' lists person's fields
    (as full paths), 'ticket.ti' the fields of ticket that begin with 'ti'."""
    text = begins_with.strip()
    prefix, _, partial = text.rpartition(".")
    graph = JoinGraph(ctx.crm.schema)
    if not prefix:
        names = [t for t in graph.schema.table_names() if t.lower().startswith(partial.lower())]
        return Array(lambda: "", sorted(names, key=str.lower))
    table = graph.table_at(prefix)
    names = [f"{prefix}.{c}" for c in table.column_names() if c.lower().startswith(partial.lower())]
    return Array(lambda: "", names)


@builtin("String[] SearchEngine.findRelations(String p_0, Bool p_1)", context=True)
def se_find_relations(ctx, self: SearchEngine, table_name: str, incoming: bool) -> Array:
    """A table's relations: its foreign keys ('sale.contact_id' -> contact) as
    `table.field`, or with `incoming` true the fields of other tables that
    refer to it, in the reverse-hop form `(other->field)`."""
    schema = ctx.crm.schema
    try:
        table = schema.table(table_name.strip())
    except ValueError as error:
        raise CRMScriptRuntimeError(f"SearchEngine.findRelations: {error}") from None
    if not incoming:
        return Array(lambda: "", [f"{table.name}.{c.name}" for c in table.columns.values() if c.is_reference])
    found = [f"({other.name}->{c.name})" for other in schema.tables.values() for c in other.columns.values()
             if c.is_reference and c.ref and c.ref.lower() == table.name.lower()]
    return Array(lambda: "", sorted(found, key=str.lower))


LIBRARY.register_class("SearchEngine", SearchEngine, default=SearchEngine)
