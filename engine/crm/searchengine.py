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
from dataclasses import dataclass
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
    apply_function,
    apply_to_text,
    comparison,
    comparison_sql,
    condition_sql,
    field_comparison_sql,
    function_name,
    is_aggregate,
    row_operator,
    sql_name,
)
from .schema import suggest

BYPASS_REGISTRY_ID = 235  # "Allow sentry to be bypassed"
NETSERVER_ERROR = "NetServerException: Can't use field functions when querying NetServer"


@dataclass(eq=False)
class Selected:
    ref: FieldRef
    function: str | None
    text: str  # the field as written (its name for getField and the headers)

    @property
    def sql(self) -> str:
        return apply_function(self.function, self.ref.sql)


class SearchEngine:
    """What a CRMScript `SearchEngine` variable holds: the query being built,
    and after execute() its result and cursor."""

    def __init__(self) -> None:
        self.graph: JoinGraph | None = None
        self.fields: list[Selected] = []
        self.criteria: list[Criterion] = []
        self.having: list[Criterion] = []
        self.orders: list[tuple[str, bool]] = []
        self.data: list[tuple[FieldRef, object]] = []
        self.data_fields: list[tuple[FieldRef, FieldRef, str | None]] = []
        self.limit = 0
        self.distinct: FieldRef | None = None
        self.db_distinct = False
        self.group = False
        self.bypass = False
        self.callback: str | None = None
        self.netserver_refusals: list[str] = []  # what needs bypassNetServer, for the error
        self.rows: list[tuple] | None = None
        self.position = 0

    # ------------------------------------------------------------ building

    def _graph(self, ctx: Any) -> JoinGraph:
        if self.graph is None:
            self.graph = JoinGraph(ctx.crm.schema)
        return self.graph

    def resolve(self, ctx: Any, path: str) -> FieldRef:
        return self._graph(ctx).resolve(path)

    def add_field(self, ctx: Any, path: str, function: str = "") -> None:
        name = function_name(function)
        ref = self.resolve(ctx, path)
        if is_aggregate(name):
            self.netserver_refusals.append(f"{name}({path})")
        self.fields.append(Selected(ref, name, path.strip()))

    def criterion(self, ctx: Any, path: str, function: str, operator: str, value: str,
                  row: str, priority: int) -> Criterion:
        name = function_name(function)
        ref = self.resolve(ctx, path)
        op = comparison(operator)
        if is_aggregate(name):
            self.netserver_refusals.append(f"{name}({path})")
        sql, params = comparison_sql(ref, apply_function(name, ref.sql), name, op, value)
        return Criterion(sql, params, row_operator(row), priority)

    def comparison_criterion(self, ctx: Any, left: str, left_function: str, operator: str, right: str,
                             right_function: str, row: str, priority: int) -> Criterion:
        names = function_name(left_function), function_name(right_function)
        refs = self.resolve(ctx, left), self.resolve(ctx, right)
        for name, path in zip(names, (left, right), strict=True):
            if is_aggregate(name):
                self.netserver_refusals.append(f"{name}({path})")
        sql = field_comparison_sql(apply_function(names[0], refs[0].sql), comparison(operator),
                                   apply_function(names[1], refs[1].sql))
        return Criterion(sql, [], row_operator(row), priority)

    def add_order(self, ctx: Any, path: str, function: str, ascending: bool) -> None:
        name = function_name(function)
        if is_aggregate(name):
            self.netserver_refusals.append(f"{name}({path})")
        self.orders.append((apply_function(name, self.resolve(ctx, path).sql), ascending))

    def add_join_criterion(self, ctx: Any, path: str, operator: str, value: str, row: str, priority: int) -> None:
        """A condition in the ON clause of the join that reaches the field's table
        (on the root table it is a plain criterion)."""
        criterion = self.criterion(ctx, path, "", operator, value, row, priority)
        ref = self.resolve(ctx, path)
        self.netserver_refusals.append(f"addJoinCriteria({path})")
        join = self._graph(ctx).join_of(ref.alias)
        (join.extra if join is not None else self.criteria).append(criterion)

    # ------------------------------------------------------------ the SQL

    def bypassing(self, ctx: Any) -> bool:
        """bypassNetServer(true) has an effect only when the registry allows it."""
        if not self.bypass:
            return False
        database = ctx.crm.database
        registry = ctx.crm.schema.table("registry")
        database.ensure_table(registry)
        row = database.execute("SELECT value FROM registry WHERE reg_id = ? ORDER BY id LIMIT 1",
                               (BYPASS_REGISTRY_ID,)).fetchone()
        return row is not None and str(row[0]).strip() == "1"

    def check_netserver(self, ctx: Any) -> bool:
        """Raise the documented NetServer error for what only a bypass allows;
        True when the query bypasses NetServer."""
        bypassed = self.bypassing(ctx)
        refusals = list(self.netserver_refusals)
        if self.group:
            refusals.append("setGroup(true)")
        if self.having:
            refusals.append("addHaving")
        if refusals and not bypassed:
            why = ("bypassNetServer(true) has no effect: the registry value reg_id 235 is not 1"
                   if self.bypass else "call bypassNetServer(true) (the registry value reg_id 235 must be 1)")
            raise CRMScriptRuntimeError(f"{NETSERVER_ERROR} ({', '.join(refusals)}): {why}")
        if bypassed:
            virtual = [s.text for s in self.fields if s.ref.virtual]
            if virtual:
                raise CRMScriptRuntimeError(f"SearchEngine: the virtual field {virtual[0]} is constructed by "
                                            "NetServer: it is not there with bypassNetServer(true)")
        return bypassed

    def select_sql(self, bypassed: bool, limit: bool = True) -> tuple[str, list]:
        if not self.fields:
            raise CRMScriptRuntimeError("SearchEngine: no fields to select (call addField first)")
        graph = self.graph
        columns = [s.sql for s in self.fields]
        if self.distinct is not None:
            columns.append(self.distinct.sql)  # a hidden last column: the distinct key
        source, params = graph.from_sql()
        distinct = "distinct " if self.db_distinct and bypassed else ""
        sql = f"select {distinct}{','.join(columns)} from {source}"
        where, where_params = condition_sql(self.criteria)
        if where:
            sql += f" where {where}"
            params += where_params
        aggregated = any(is_aggregate(s.function) for s in self.fields)
        if self.group:
            keys = [s.sql for s in self.fields if not is_aggregate(s.function)]
            if keys:
                sql += f" group by {','.join(keys)}"
        if self.having:
            having, having_params = condition_sql(self.having)
            sql += f" having {having}"
            params += having_params
        orders = [f"{expression}{'' if ascending else ' desc'}" for expression, ascending in self.orders]
        if not orders and not aggregated and not self.group:
            alias, table = graph.roots[0]
            if table.key is not None:  # a stable order: the root table's key
                orders = [f"{alias}.{sql_name(table.key.name)}"]
        if orders:
            sql += f" order by {','.join(orders)}"
        if limit and self.limit > 0 and self.distinct is None:
            sql += f" limit {int(self.limit)}"
        return sql, params

    def prepare(self, ctx: Any) -> Any:
        """The run's database with every table of the query in it."""
        database = ctx.crm.database
        schema = ctx.crm.schema
        for table in self.graph.tables():
            database.ensure_table(table)
        for name in self.graph.uses_virtual:
            database.ensure_table(schema.table(name))
        return database

    # ------------------------------------------------------------ running

    def run(self, ctx: Any, limit: bool = True) -> list[tuple]:
        if self.graph is None or not self.fields:
            raise CRMScriptRuntimeError("SearchEngine: no fields to select (call addField first)")
        bypassed = self.check_netserver(ctx)
        sql, params = self.select_sql(bypassed, limit)
        database = self.prepare(ctx)
        rows = _fetch(database, sql, params)
        if self.distinct is not None:
            seen: set = set()
            unique = []
            for row in rows:
                if row[-1] not in seen:
                    seen.add(row[-1])
                    unique.append(row[:-1])
            rows = unique[: self.limit] if limit and self.limit > 0 else unique
        return rows

    def execute(self, ctx: Any) -> int:
        self.rows = self.run(ctx)
        self.position = 0
        return len(self.rows)

    def count_rows(self, ctx: Any) -> int:
        if self.distinct is not None:
            return len(self.run(ctx, limit=False))
        bypassed = self.check_netserver(ctx)
        sql, params = self.select_sql(bypassed, limit=False)
        return _fetch(self.prepare(ctx), f"select count(*) from ({sql})", params)[0][0]

    def value(self, ctx: Any, index: int) -> str:
        if self.rows is None or self.position >= len(self.rows):
            return ""
        text = formats.as_text(self.rows[self.position][index])
        if self.callback is not None:
            text = call_back(ctx, self.callback, text, self.fields[index].text)
        return text

    def field_index(self, name: str) -> int:
        """The field selected as `name` (the first without a function, else the first)."""
        wanted = name.strip().lower()
        matches = [i for i, selected in enumerate(self.fields) if selected.text.lower() == wanted]
        plain = [i for i in matches if self.fields[i].function is None]
        if matches:
            return (plain or matches)[0]
        known = [s.text for s in self.fields]
        raise CRMScriptRuntimeError(f"SearchEngine.getField: '{name}' is not a field of the query"
                                    f"{suggest(name, known)} (its fields: {', '.join(known) or 'none'})")

    def result_texts(self, ctx: Any) -> tuple[list[str], list[list[str]]]:
        """Run the query; the field names and every row's values as text."""
        self.execute(ctx)
        rows = []
        for position in range(len(self.rows)):
            self.position = position
            rows.append([self.value(ctx, i) for i in range(len(self.fields))])
        self.position = 0
        return [s.text for s in self.fields], rows

    # ------------------------------------------------------------ writing

    def root_table_of(self, refs: list[FieldRef], what: str):
        tables = {ref.table.name for ref in refs}
        if len(tables) != 1 or any(ref.alias != self.graph.roots[0][0] for ref in refs):
            raise CRMScriptRuntimeError(f"SearchEngine.{what}: every field of addData must be a field of "
                                        f"one table (not a path through others): {', '.join(r.text for r in refs)}")
        return refs[0].table

    def insert(self, ctx: Any) -> int:
        if not self.data:
            raise CRMScriptRuntimeError("SearchEngine.insert: no data to insert (call addData first)")
        table = self.root_table_of([ref for ref, _ in self.data], "insert")
        database = self.prepare(ctx)
        columns = [sql_name(ref.column.name) for ref, _ in self.data]
        values = [value for _, value in self.data]
        database.begin_write()
        cursor = database.execute(f"insert into {sql_name(table.name)} ({','.join(columns)}) "
                                  f"values ({','.join('?' * len(values))})", values)
        return cursor.lastrowid or 0

    def write_sql(self, kind: str) -> tuple[str, list]:
        """update/delete: the root table's rows that the query selects."""
        graph = self.graph
        alias, table = graph.roots[0]
        key = table.key
        if key is None:
            raise CRMScriptRuntimeError(f"SearchEngine.{kind}: table {table.name} has no primary key")
        source, params = graph.from_sql()
        selection = f"select {alias}.{sql_name(key.name)} from {source}"
        where, where_params = condition_sql(self.criteria)
        if where:
            selection += f" where {where}"
        key_sql = f"{sql_name(key.name)} in ({selection})"
        if kind == "delete":
            return f"delete from {sql_name(table.name)} where {key_sql}", params + where_params
        sets, set_params = [], []
        for ref, value in self.data:
            sets.append(f"{sql_name(ref.column.name)} = ?")
            set_params.append(value)
        for target, source_ref, function in self.data_fields:
            expression = apply_function(function, source_ref.sql)
            sets.append(f"{sql_name(target.column.name)} = (select {expression} from {source} "
                        f"where {alias}.{sql_name(key.name)} = {sql_name(table.name)}.{sql_name(key.name)})")
            set_params.extend(params)
        if not sets:
            raise CRMScriptRuntimeError("SearchEngine.update: nothing to set (call addData or addDataField first)")
        return (f"update {sql_name(table.name)} set {','.join(sets)} where {key_sql}",
                set_params + params + where_params)

    def write(self, ctx: Any, kind: str) -> None:
        if self.graph is None:
            raise CRMScriptRuntimeError(f"SearchEngine.{kind}: the query names no table")
        if kind == "update":
            self.root_table_of([ref for ref, _ in self.data] + [t for t, _, _ in self.data_fields], "update")
        sql, params = self.write_sql(kind)
        database = self.prepare(ctx)
        database.begin_write()
        database.execute(sql, params)


def _fetch(database: Any, sql: str, params: list) -> list[tuple]:
    import sqlite3

    try:
        return database.execute(sql, params).fetchall()
    except sqlite3.Error as error:  # a bug in the SQL we build: still a script-level error
        raise CRMScriptRuntimeError(f"SearchEngine: the database refused the query: {error}") from None


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
    for name in fields.split(","):
        if name.strip():
            self.add_field(ctx, f"{table.strip()}.{name.strip()}")


@builtin("Void SearchEngine.addCriteria(String field, String compOperator, String value)", context=True)
def se_add_criteria(ctx, self: SearchEngine, field: str, operator: str, value: str) -> None:
    self.criteria.append(self.criterion(ctx, field, "", operator, value, "OperatorAnd", 0))


@builtin("Void SearchEngine.addCriteria(String field, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_criteria_row(ctx, self: SearchEngine, field: str, operator: str, value: str,
                        row: str, priority: int) -> None:
    self.criteria.append(self.criterion(ctx, field, "", operator, value, row, priority))


@builtin("Void SearchEngine.addCriteria(String field, String function, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_criteria_function(ctx, self: SearchEngine, field: str, function: str, operator: str, value: str,
                             row: str, priority: int) -> None:
    self.criteria.append(self.criterion(ctx, field, function, operator, value, row, priority))


@builtin("Void SearchEngine.addComparison(String field1, String compOperator, String field2, "
         "String rowOperator, Integer priority)", context=True)
def se_add_comparison(ctx, self: SearchEngine, field1: str, operator: str, field2: str,
                      row: str, priority: int) -> None:
    self.criteria.append(self.comparison_criterion(ctx, field1, "", operator, field2, "", row, priority))


@builtin("Void SearchEngine.addComparison(String field1, String func1, String compOperator, String field2, "
         "String func2, String rowOperator, Integer priority)", context=True)
def se_add_comparison_functions(ctx, self: SearchEngine, field1: str, func1: str, operator: str, field2: str,
                                func2: str, row: str, priority: int) -> None:
    self.criteria.append(self.comparison_criterion(ctx, field1, func1, operator, field2, func2, row, priority))


@builtin("Void SearchEngine.addHaving(String field, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_having(ctx, self: SearchEngine, field: str, operator: str, value: str, row: str, priority: int) -> None:
    self.having.append(self.criterion(ctx, field, "", operator, value, row, priority))


@builtin("Void SearchEngine.addHaving(String field, String function, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_having_function(ctx, self: SearchEngine, field: str, function: str, operator: str, value: str,
                           row: str, priority: int) -> None:
    self.having.append(self.criterion(ctx, field, function, operator, value, row, priority))


@builtin("Void SearchEngine.addJoinCriteria(String field, String compOperator, String value, "
         "String rowOperator, Integer priority)", context=True)
def se_add_join_criteria(ctx, self: SearchEngine, field: str, operator: str, value: str,
                         row: str, priority: int) -> None:
    self.add_join_criterion(ctx, field, operator, value, row, priority)


@builtin("Void SearchEngine.addOrder(String field, Bool ascending)", context=True)
def se_add_order(ctx, self: SearchEngine, field: str, ascending: bool) -> None:
    self.add_order(ctx, field, "", ascending)


@builtin("Void SearchEngine.addOrder(String field, String function, Bool ascending)", context=True)
def se_add_order_function(ctx, self: SearchEngine, field: str, function: str, ascending: bool) -> None:
    self.add_order(ctx, field, function, ascending)


@builtin("Void SearchEngine.addData(String field, String value)", context=True)
def se_add_data(ctx, self: SearchEngine, field: str, value: str) -> None:
    ref = self.resolve(ctx, field)
    if ref.column is None:
        raise CRMScriptRuntimeError(f"SearchEngine.addData: {field} is constructed by NetServer, not stored")
    try:
        self.data.append((ref, ref.column.to_sql(value)))
    except ValueError as error:
        raise CRMScriptRuntimeError(f"SearchEngine.addData: {field}: {error}") from None


@builtin("Void SearchEngine.addDataField(String field1, String field2)", context=True)
def se_add_data_field(ctx, self: SearchEngine, field1: str, field2: str) -> None:
    self.data_fields.append((self.resolve(ctx, field1), self.resolve(ctx, field2), None))


@builtin("Void SearchEngine.addDataField(String field1, String field2, String function)", context=True)
def se_add_data_field_function(ctx, self: SearchEngine, field1: str, field2: str, function: str) -> None:
    name = function_name(function, tuple(FUNCTIONS))
    if is_aggregate(name):
        self.netserver_refusals.append(f"{name}({field2})")
    self.data_fields.append((self.resolve(ctx, field1), self.resolve(ctx, field2), name))


@builtin("Void SearchEngine.setLimit(Integer number)")
def se_set_limit(self: SearchEngine, number: int) -> None:
    self.limit = max(int(number), 0)


@builtin("Void SearchEngine.setDistinct(String field)", context=True)
def se_set_distinct(ctx, self: SearchEngine, field: str) -> None:
    self.distinct = self.resolve(ctx, field) if field.strip() else None


@builtin("Void SearchEngine.setDBDistinct(Bool p_0)")
def se_set_db_distinct(self: SearchEngine, value: bool) -> None:
    self.db_distinct = bool(value)


@builtin("Void SearchEngine.setGroup(Bool set)")
def se_set_group(self: SearchEngine, value: bool) -> None:
    self.group = bool(value)


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
    return self.execute(ctx)


@builtin("Integer SearchEngine.select()", context=True)
def se_select(ctx, self: SearchEngine) -> int:
    return self.execute(ctx)


@builtin("Integer SearchEngine.countRows()", context=True)
def se_count_rows(ctx, self: SearchEngine) -> int:
    return self.count_rows(ctx)


@builtin("Integer SearchEngine.countColumns()")
def se_count_columns(self: SearchEngine) -> int:
    return len(self.fields)


@builtin("Bool SearchEngine.eof()")
def se_eof(self: SearchEngine) -> bool:
    return self.rows is None or self.position >= len(self.rows)


@builtin("Bool SearchEngine.first()")
def se_first(self: SearchEngine) -> bool:
    self.position = 0
    return bool(self.rows)


@builtin("Bool SearchEngine.next()")
def se_next(self: SearchEngine) -> bool:
    if self.rows is None or self.position >= len(self.rows):
        return False
    self.position += 1
    return self.position < len(self.rows)


@builtin("String SearchEngine.getField(Integer num)", context=True)
def se_get_field_index(ctx, self: SearchEngine, num: int) -> str:
    if not 0 <= num < len(self.fields):
        raise CRMScriptRuntimeError(f"SearchEngine.getField({num}): the query has {len(self.fields)} "
                                    f"field{'' if len(self.fields) == 1 else 's'} (numbered from 0)")
    return self.value(ctx, num)


@builtin("String SearchEngine.getField(String name)", context=True)
def se_get_field_name(ctx, self: SearchEngine, name: str) -> str:
    return self.value(ctx, self.field_index(name))


@builtin("String SearchEngine.getField(String name, String function)", context=True)
def se_get_field_function(ctx, self: SearchEngine, name: str, function: str) -> str:
    wanted = function_name(function)
    for index, selected in enumerate(self.fields):  # a field selected with this function: its value
        if selected.function == wanted and selected.text.lower() == name.strip().lower():
            return self.value(ctx, index)
    return apply_to_text(wanted, self.value(ctx, self.field_index(name)))


@builtin("String SearchEngine.getFieldsJSON()", context=True)
def se_get_fields_json(ctx, self: SearchEngine) -> str:
    labels = [s.text for s in self.fields]
    return formats.json_rows(labels, [[self.value(ctx, i) for i in range(len(labels))]])[1:-1] \
        if not se_eof(self) else "{}"


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
    if self.graph is None:
        return ""
    if kind == "select":
        return self.select_sql(self.bypass)[0] if self.fields else ""
    if kind == "insert":
        columns = [sql_name(ref.column.name) for ref, _ in self.data]
        return (f"insert into {sql_name(self.graph.roots[0][1].name)} ({','.join(columns)}) "
                f"values ({','.join('?' * len(columns))})")
    if kind in ("update", "delete"):
        return self.write_sql(kind)[0]
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
    _, table = graph.table_at(prefix)
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
    return Array(lambda: "", found)


LIBRARY.register_class("SearchEngine", SearchEngine, default=SearchEngine)
