"""NSArchiveAgent.GetArchiveListByColumns on the SearchEngine machinery (docs/netserver.md).

Two providers:

- `Dynamic`: the columns are SearchEngine fields in the dot syntax
  (`contact.name`, `sale.contact_id.name`); a restriction's Name is a field,
  its Operator a SearchEngine comparison (`=`, `contains`, `OperatorIn`, ...)
  and its Values the value (several are joined for `in`); the sort order's
  Name is a field, Direction OrderBySortType (0 ASC, 1 DESC).
- `ContactActivity` (and PersonActivity, ProjectActivity, SaleActivity): the
  appointments, documents and sales named in `entities`, with the columns
  ACTIVITY_COLUMNS lists, newest first; a restriction names one of
  contactId, personId, projectId, saleId, associateId (or getAllRows).

Both return NSArchiveListItem rows: ColumnData maps each column to its value
as text, EntityName is the row's table, PrimaryKey its id. A page is
`pageSize` rows from `page * pageSize`.
"""

from __future__ import annotations

from typing import Any

from ...errors import CRMScriptRuntimeError
from ...runtime.collections import Array, Map
from ...types import Type
from ..formats import as_text
from ..schema import suggest
from ..searchengine import SearchEngine
from .agents import behaviour
from .carriers import Carrier, carrier_class, element_factory

ALL_ROWS = "getallrows"
ACTIVITY_ENTITIES = {
    "appointment": {"text": "appointment.text_id.text", "date": "appointment.do_by",
                    "contactId": "appointment.contact_id", "personId": "appointment.person_id",
                    "projectId": "appointment.project_id", "saleId": "appointment.sale_id",
                    "associateId": "appointment.associate_id", "type": "appointment.type"},
    "document": {"text": "document.header", "date": "document.registered",
                 "contactId": "document.appointment_id.contact_id", "personId": "document.appointment_id.person_id",
                 "projectId": "document.appointment_id.project_id", "saleId": "document.appointment_id.sale_id",
                 "associateId": "document.appointment_id.associate_id", "type": "document.archiveprovider"},
    "sale": {"text": "sale.heading", "date": "sale.saledate", "contactId": "sale.contact_id",
             "personId": "sale.person_id", "projectId": "sale.project_id", "saleId": "sale.sale_id",
             "associateId": "sale.associate_id", "type": "sale.status"},
}
ACTIVITY_PROVIDERS = ("contactactivity", "personactivity", "projectactivity", "saleactivity")


@behaviour("NSArchiveAgent.GetArchiveListByColumns",
           "String, String[], NSArchiveOrderByInfo[], NSArchiveRestrictionInfo[], String[], Integer, Integer")
def archive_list(ctx: Any, provider: str, columns: list, order: list, restrictions: list, entities: list,
                 page: int, size: int) -> Array:
    name = provider.strip().lower()
    if name == "dynamic":
        items = dynamic_items(ctx, list(columns), order, restrictions)
    elif name in ACTIVITY_PROVIDERS:
        items = _activity(ctx, list(columns), restrictions, [e.lower() for e in entities])
    else:
        raise CRMScriptRuntimeError(f"NSArchiveAgent: the provider '{provider}' is not simulated"
                                    f"{suggest(provider, ['Dynamic', 'ContactActivity'])} (Dynamic, ContactActivity, "
                                    "PersonActivity, ProjectActivity, SaleActivity; or a netserver: entry)")
    start = max(page, 0) * size if size > 0 else 0
    chosen = items[start:start + size] if size > 0 else items
    return Array(element_factory(Type("NSArchiveListItem")), chosen)


@behaviour("NSArchiveAgent.GetArchiveListByColumns", "String, String[], String[], Integer, Integer")
def archive_list_unrestricted(ctx: Any, provider: str, columns: list, entities: list, page: int, size: int) -> Array:
    return archive_list(ctx, provider, columns, [], [], entities, page, size)


def active_restrictions(restrictions: list) -> list[Carrier]:
    return [r for r in restrictions if r.fields.get("Name", "").strip().lower() != ALL_ROWS]


def dynamic_items(ctx: Any, columns: list[str], order: list, restrictions: list) -> list[Carrier]:
    if not columns:
        return []
    root = columns[0].split(".", 1)[0].split(":", 1)[0]
    key = ctx.crm.schema.table(root).key
    query = SearchEngine()
    query.add_field(ctx, f"{root}.{key.name}")
    for column in columns:
        query.add_field(ctx, column)
    for restriction in active_restrictions(restrictions):
        field, operator, value = _criterion(restriction)
        query.add_criterion(ctx, "criterion", field, "", operator, value, "OperatorAnd", 0)
    for sort in order:
        query.add_order(ctx, sort.fields.get("Name", ""), "", sort.fields.get("Direction", 0) != 1)
    return [_item(root, row[0], columns, row[1:]) for row in _rows(ctx, query)]


# The archive's operator names that SearchEngine spells otherwise
ARCHIVE_OPERATORS = {"begins": "OperatorBeginsWith", "beginswith": "OperatorBeginsWith", "ends": "OperatorEndsWith",
                     "contains": "OperatorContains", "oneof": "OperatorIn", "notoneof": "OperatorNotIn",
                     "before": "OperatorLt", "after": "OperatorGt", "isnot": "OperatorIsNot", "is": "OperatorIs",
                     "equals": "OperatorEquals", "notbegins": "OperatorNotLike"}


def _criterion(restriction: Carrier) -> tuple[str, str, str]:
    """A restriction as a SearchEngine criterion: field, operator, value
    (several values joined, for `oneOf`/OperatorIn)."""
    fields = restriction.fields
    values = [str(v) for v in fields.get("Values") or ()]
    operator = fields.get("Operator") or "="
    return fields.get("Name", ""), ARCHIVE_OPERATORS.get(operator.lower(), operator), ",".join(values)


def _activity(ctx: Any, columns: list[str], restrictions: list, entities: list[str]) -> list[Carrier]:
    items: list[tuple[str, Carrier]] = []
    for entity in entities or list(ACTIVITY_ENTITIES):
        fields = ACTIVITY_ENTITIES.get(entity)
        if fields is None:
            raise CRMScriptRuntimeError(f"NSArchiveAgent: the activity entity '{entity}' is not simulated"
                                        f"{suggest(entity, list(ACTIVITY_ENTITIES))} (appointment, document, sale)")
        query = SearchEngine()
        query.add_field(ctx, f"{entity}.{entity}_id")
        query.add_field(ctx, fields["date"])
        for column in columns:
            query.add_field(ctx, _activity_field(fields, column))
        for restriction in active_restrictions(restrictions):
            name, operator, value = _criterion(restriction)
            query.add_criterion(ctx, "criterion", _activity_field(fields, name), "", operator, value,
                                "OperatorAnd", 0)
        for row in _rows(ctx, query):
            items.append((str(row[1] or ""), _item(entity, row[0], columns, row[2:])))
    items.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _, item in items]


def _activity_field(fields: dict[str, str], column: str) -> str:
    found = next((path for name, path in fields.items() if name.lower() == column.strip().lower()), None)
    if found is None:
        raise CRMScriptRuntimeError(f"NSArchiveAgent: an activity has no column '{column}'"
                                    f"{suggest(column, list(fields))} (its columns: {', '.join(fields)})")
    return found


def _rows(ctx: Any, query: SearchEngine) -> list[tuple]:
    return query.run(ctx, limit=False)


def _item(entity: str, key: Any, columns: list[str], values: tuple) -> Carrier:
    data = Map()
    for column, value in zip(columns, values, strict=False):
        data.set(column, as_text(value))
    return carrier_class("NSArchiveListItem")({"ColumnData": data, "EntityName": entity,
                                                "PrimaryKey": int(key or 0), "LinkHint": f"{entity}_id={key}"})

