"""Extra tables and extra fields (docs/custom-database): ExtraTable (a row of
an extra table y_..., from getExtraTable(name)), ExtraTableInfo (its
extra_tables row), ExtraFieldsInfo (the extra_fields rows of a table); and
InvoiceEntry (invoice_entry) and LocalizedField. docs/crm-records.md.
"""

from __future__ import annotations

from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Map
from ..runtime.table import LIBRARY, builtin
from . import records as rec
from .formats import as_text
from .schema import suggest

# extra_fields.domain: the table an extra field belongs to (0: an extra table, by extra_fields.extra_table).
# 4 = ticket is documented (custom-database/sort-extra-field-values.md); the others are the simulator's.
DOMAINS = {"person": 1, "contact": 2, "ejuser": 3, "ticket": 4}
TABLE_NAMES = {"customer": "person", "company": "contact", "user": "ejuser", "request": "ticket"}


# --------------------------------------------------------------- ExtraTable


class ExtraTable(rec.Record):
    __slots__ = ("kind",)

    def __init__(self, kind: rec.Kind | None = None) -> None:
        super().__init__()
        self.kind = kind  # None: made by `ExtraTable t;`, bound to no table


def _bound(table: ExtraTable, member: str) -> None:
    if table.kind is None:
        raise CRMScriptRuntimeError(f"ExtraTable.{member}: this ExtraTable has no table: "
                                    'get one with getExtraTable("y_name")')


@builtin("ExtraTable getExtraTable(String name)", context=True)
def get_extra_table(ctx, name: str) -> ExtraTable:
    """An ExtraTable on the extra table `name` (y_...): declared in the fixture's schema."""
    schema = ctx.crm.schema
    if not name.lower().startswith("y_") or not schema.has_table(name):
        extra = [t for t in schema.table_names() if t.lower().startswith("y_")]
        raise CRMScriptRuntimeError(f"getExtraTable: no extra table '{name}'{suggest(name, extra)}")
    table = schema.table(name)
    return ExtraTable(rec.Kind("ExtraTable", table.name, parser_prefix=table.name))


@builtin("ExtraTable ExtraTable()")
def extra_table_new() -> ExtraTable:
    return ExtraTable()


@builtin("Bool ExtraTable.load(Integer id)", context=True)
def extra_table_load(ctx, self: ExtraTable, row_id: int) -> bool:
    _bound(self, "load")
    return rec.load(ctx, self, row_id)


@builtin("Bool ExtraTable.loadFromAgentAndKey(Integer agent, String key)", context=True)
def extra_table_load_agent(ctx, self: ExtraTable, agent: int, key: str) -> bool:
    _bound(self, "loadFromAgentAndKey")
    return rec.load_from_agent_and_key(ctx, self, agent, key)


@builtin("String ExtraTable.getValue(String field)", context=True)
def extra_table_get_value(ctx, self: ExtraTable, name: str) -> str:
    _bound(self, "getValue")
    return rec.get_value(ctx, self, name)


@builtin("Map ExtraTable.getValues()", context=True)
def extra_table_values(ctx, self: ExtraTable) -> Map:
    _bound(self, "getValues")
    values = Map()
    for column in rec.table_of(ctx, self.kind).columns.values():
        values.set(column.name, as_text(rec.current(self, column.name.lower())))
    return values


@builtin("Void ExtraTable.setValue(String field, String value)", context=True)
def extra_table_set_value(ctx, self: ExtraTable, name: str, value: str) -> None:
    _bound(self, "setValue")
    rec.set_value(ctx, self, name, value)


@builtin("Integer ExtraTable.save()", context=True)
def extra_table_save(ctx, self: ExtraTable) -> int:
    _bound(self, "save")
    return rec.write(ctx, self)


@builtin("Integer ExtraTable.save(Bool reload)", context=True)
def extra_table_save_reload(ctx, self: ExtraTable, reload: bool) -> int:
    """The row is always read back after saving (reload changes nothing)."""
    return extra_table_save(ctx, self)


@builtin("Void ExtraTable.delete()", context=True)
def extra_table_delete(ctx, self: ExtraTable) -> None:
    _bound(self, "delete")
    rec.delete(ctx, self)


LIBRARY.register_class("ExtraTable", ExtraTable, default=ExtraTable)


# ----------------------------------------------------------- ExtraTableInfo


class ExtraTableInfo:
    __slots__ = ("row",)

    def __init__(self) -> None:
        self.row: dict[str, object] = {}


@builtin("ExtraTableInfo ExtraTableInfo()")
def table_info_new() -> ExtraTableInfo:
    return ExtraTableInfo()


@builtin("Void ExtraTableInfo.load(String tableName)", context=True)
def table_info_load(ctx, self: ExtraTableInfo, name: str) -> None:
    """The extra_tables row of `name` (empty when there is none)."""
    cursor = rec.database(ctx, "extra_tables").execute("SELECT * FROM extra_tables WHERE table_name = ?", (name,))
    row = cursor.fetchone()
    self.row = rec.row_dict(cursor, row) if row else {}


@builtin("Integer ExtraTableInfo.getId()")
def table_info_id(self: ExtraTableInfo) -> int:
    return int(self.row.get("id") or 0)


@builtin("String ExtraTableInfo.getName()")
def table_info_name(self: ExtraTableInfo) -> str:
    return as_text(self.row.get("name"))


@builtin("Integer ExtraTableInfo.getFlags()")
def table_info_flags(self: ExtraTableInfo) -> int:
    return int(self.row.get("flags") or 0)


LIBRARY.register_class("ExtraTableInfo", ExtraTableInfo, default=ExtraTableInfo)


# ---------------------------------------------------------- ExtraFieldsInfo


class ExtraFieldsInfo:
    """A cursor over extra_fields rows: getExtraFields fills it, next() moves on."""

    __slots__ = ("rows", "position")

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.position = 0

    def current(self, member: str) -> dict[str, object]:
        if self.position >= len(self.rows):
            raise CRMScriptRuntimeError(f"ExtraFieldsInfo.{member}: no current field (eof)")
        return self.rows[self.position]


def _select_fields(ctx: Any, info: ExtraFieldsInfo, condition: str, params: tuple) -> None:
    db = rec.database(ctx, "extra_fields", "extra_tables")
    cursor = db.execute("SELECT f.*, t.table_name AS owner_table FROM extra_fields f LEFT JOIN extra_tables t "
                        f"ON t.id = f.extra_table AND f.domain = 0 WHERE {condition} ORDER BY f.order_pos, f.id",
                        params)
    info.rows = [rec.row_dict(cursor, row) for row in cursor.fetchall()]
    info.position = 0
    for row in info.rows:
        if not row.get("owner_table"):
            row["owner_table"] = next((t for t, d in DOMAINS.items() if d == row.get("domain")), "")


@builtin("ExtraFieldsInfo ExtraFieldsInfo()")
def fields_info_new() -> ExtraFieldsInfo:
    return ExtraFieldsInfo()


@builtin("Void ExtraFieldsInfo.getExtraFields(String table)", context=True)
def fields_info_get(ctx, self: ExtraFieldsInfo, table: str) -> None:
    """The extra fields of a table (ticket, person/customer, contact/company,
    ejuser/user, or an extra table y_...)."""
    name = TABLE_NAMES.get(table.strip().lower(), table.strip().lower())
    if name.startswith("y_"):
        _select_fields(ctx, self, "f.domain = 0 AND t.table_name = ?", (name,))
    elif name in DOMAINS:
        _select_fields(ctx, self, "f.domain = ?", (DOMAINS[name],))
    else:
        raise CRMScriptRuntimeError(f"ExtraFieldsInfo.getExtraFields: '{table}' has no extra fields "
                                    f"(ticket, customer, company, user or an extra table y_...)")


@builtin("Void ExtraFieldsInfo.getChildrenFields(Integer type, Integer extraTableTarget)", context=True)
def fields_info_children(ctx, self: ExtraFieldsInfo, field_type: int, target: int) -> None:
    if field_type == 20:
        _select_fields(ctx, self, "f.type = ? AND f.target_extra_table = ?", (field_type, target))
    else:
        _select_fields(ctx, self, "f.type = ?", (field_type,))


@builtin("Void ExtraFieldsInfo.getCompanyChildrenFields()", context=True)
def fields_info_company_children(ctx, self: ExtraFieldsInfo) -> None:
    fields_info_children(ctx, self, 17, 0)


@builtin("Void ExtraFieldsInfo.getCustomerChildrenFields()", context=True)
def fields_info_customer_children(ctx, self: ExtraFieldsInfo) -> None:
    fields_info_children(ctx, self, 16, 0)


@builtin("Void ExtraFieldsInfo.getTicketChildrenFields()", context=True)
def fields_info_ticket_children(ctx, self: ExtraFieldsInfo) -> None:
    fields_info_children(ctx, self, 18, 0)


@builtin("Bool ExtraFieldsInfo.eof()")
def fields_info_eof(self: ExtraFieldsInfo) -> bool:
    return self.position >= len(self.rows)


@builtin("Void ExtraFieldsInfo.next()")
def fields_info_next(self: ExtraFieldsInfo) -> None:
    if self.position < len(self.rows):
        self.position += 1


@builtin("String ExtraFieldsInfo.getFieldName()")
def fields_info_field_name(self: ExtraFieldsInfo) -> str:
    return as_text(self.current("getFieldName").get("field_name"))


@builtin("String ExtraFieldsInfo.getName()")
def fields_info_name(self: ExtraFieldsInfo) -> str:
    return as_text(self.current("getName").get("name"))


@builtin("Integer ExtraFieldsInfo.getFlags()")
def fields_info_flags(self: ExtraFieldsInfo) -> int:
    return int(self.current("getFlags").get("flags") or 0)


@builtin("String ExtraFieldsInfo.getTableName()")
def fields_info_table(self: ExtraFieldsInfo) -> str:
    return as_text(self.current("getTableName").get("owner_table"))


@builtin("String ExtraFieldsInfo.getDisplayField()")
def fields_info_display(self: ExtraFieldsInfo) -> str:
    """`table.field`, as SearchEngine addresses the field."""
    row = self.current("getDisplayField")
    return f"{as_text(row.get('owner_table'))}.{as_text(row.get('field_name'))}"


@builtin("String ExtraFieldsInfo.getParam(String parameter)")
def fields_info_param(self: ExtraFieldsInfo, parameter: str) -> str:
    """The value of the first `parameter=value` line of the field's params."""
    for line in as_text(self.current("getParam").get("params")).splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == parameter.strip().lower():
            return value.strip()
    return ""


LIBRARY.register_class("ExtraFieldsInfo", ExtraFieldsInfo, default=ExtraFieldsInfo)


# ------------------------------------------------------------- InvoiceEntry


class InvoiceEntry(rec.Record):
    __slots__ = ()
    kind = rec.Kind("InvoiceEntry", "invoice_entry", parser_prefix="invoice")


rec.register_record_class(InvoiceEntry)


@builtin("String InvoiceEntry.getDiscount()")
def invoice_discount(self: InvoiceEntry) -> str:
    return as_text(rec.current(self, "discount"))


@builtin("String InvoiceEntry.getDiscountMoney()")
def invoice_discount_money(self: InvoiceEntry) -> str:
    return as_text(rec.current(self, "discount_money"))


@builtin("String InvoiceEntry.getPricePrUnit()")
def invoice_price(self: InvoiceEntry) -> str:
    return as_text(rec.current(self, "price_pr_unit"))


@builtin("Void InvoiceEntry.setDiscount(Float percent)")
def invoice_set_discount(self: InvoiceEntry, percent: float) -> None:
    self.changes["discount"] = float(percent)


@builtin("Void InvoiceEntry.setDiscountMoney(Float money)")
def invoice_set_discount_money(self: InvoiceEntry, money: float) -> None:
    self.changes["discount_money"] = float(money)


@builtin("Void InvoiceEntry.setPricePrUnit(Float price)")
def invoice_set_price(self: InvoiceEntry, price: float) -> None:
    self.changes["price_pr_unit"] = float(price)


# ----------------------------------------------------------- LocalizedField


class LocalizedField:
    """One field of a formatted address: a name, a value, a label and a tooltip."""

    __slots__ = ("name", "value", "tooltip", "label", "address_type", "length")

    def __init__(self) -> None:
        self.name = self.value = self.tooltip = self.label = self.address_type = ""
        self.length = ""


@builtin("LocalizedField LocalizedField()")
def localized_new() -> LocalizedField:
    return LocalizedField()


def _getter(attribute: str, member: str) -> None:
    builtin(f"String LocalizedField.{member}()")(lambda self: getattr(self, attribute))


for _attribute, _member in (("address_type", "getAddressType"), ("label", "getLabel"), ("name", "getName"),
                            ("tooltip", "getTooltip"), ("value", "getValue"), ("length", "getValueLength")):
    _getter(_attribute, _member)


@builtin("Void LocalizedField.setName(String name)")
def localized_set_name(self: LocalizedField, name: str) -> None:
    self.name = name


@builtin("Void LocalizedField.setTooltip(String value)")
def localized_set_tooltip(self: LocalizedField, value: str) -> None:
    self.tooltip = value


@builtin("Void LocalizedField.setValue(String value)")
def localized_set_value(self: LocalizedField, value: str) -> None:
    self.value = value


LIBRARY.register_class("LocalizedField", LocalizedField, default=LocalizedField)
