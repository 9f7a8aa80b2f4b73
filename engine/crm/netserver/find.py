"""NSFindAgent.FindFromRestrictionsColumns on the SearchEngine machinery (docs/netserver.md).

The provider is one of:

- a table's name (`contact`, `sale`, ...): columns and restriction names are
  that table's fields (`name`, `department`; the dot syntax reaches further);
- `Dynamic`: full SearchEngine paths (`sale.contact_id.name`);
- a documented Find provider (FindContact, FindAppointment, FindSale,
  FindProject, FindDocument, FindSelection): its documented column names
  (`date`, `text`, `associateId`, ...), their sub-entities with a slash
  (`contact/name` on an appointment), the entity's user-defined fields by
  prog id (`appointmentUdef/SuperOffice:1`) and its extra fields
  (`contactExtra/x_vip`).

The Find providers' names, entities and column names are facts of the
archive provider reference (SuperOfficeDocs/superoffice-docs,
docs/en/api/archive-providers/reference/find*.md, commit
01caeba7afd2d21be4d312fdb643f234a43ad5b3; FindDocument at 0151d8a2,
FindSelection at 05024fc9; MIT). Which database column each stands for is
this simulator's reading of the database reference.
"""

from __future__ import annotations

from typing import Any

from ...errors import CRMScriptRuntimeError
from ...reference import reference
from ...runtime.collections import Array, Map
from ...types import Type
from ..schema import Schema, Table, suggest
from .agents import behaviour
from .archive import active_restrictions, dynamic_items
from .carriers import Carrier, carrier_class, element_factory
from .entities import ensure

# The columns an activity (appointment, sale, document) shares, as paths from its table
_ACTIVITY = {"associateId": "associate_id", "contactId": "contact_id", "personId": "person_id",
             "projectId": "project_id", "saleId": "sale_id", "userGroup": "group_idx"}
_STAMPS = {"registeredDate": "registered", "registeredBy": "registered_associate_id",
           "updatedDate": "updated", "updatedBy": "updated_associate_id"}

# Each entity's documented column names -> the column (path) of its table
COLUMNS: dict[str, dict[str, str]] = {
    "contact": {"contactId": "contact_id", "name": "name", "department": "department",
                "associateId": "associate_id", "category": "category_idx", "business": "business_idx",
                "country": "country_id", "countryId": "country_id", "code": "number1", "number": "number2",
                "orgnr": "orgNr", "stop": "xstop", "contactNoMail": "nomailing", "contactSource": "source",
                "contactDeleted": "deleted", "deletedDate": "DeletedDate", **_STAMPS},
    "person": {"personId": "person_id", "firstName": "firstname", "lastName": "lastname",
               "middleName": "middleName", "contactId": "contact_id", "mrMrs": "mrmrs", "title": "title",
               "position": "position_idx", "personNumber": "person_number", "personCountry": "country_id",
               "personCountryId": "country_id", "personNoMail": "nomailing", "rank": "rank",
               "retired": "retired", "birthYear": "year_of_birth", "birthMonth": "month_of_birth",
               "birthDay": "day_of_birth", "personAssociateId": "associate_id", "personCategory": "category_idx",
               "personBusiness": "business_idx", "personRegisteredDate": "registered",
               "personUpdatedDate": "updated", "personRegisteredBy": "registered_associate_id",
               "personUpdatedBy": "updated_associate_id"},
    "appointment": {"appointmentId": "appointment_id", "date": "do_by", "endDate": "endDate",
                    "text": "text_id.text", "type": "task_idx", "rawType": "type", "rawStatus": "status",
                    "priority": "priority_idx", "location": "location", "completedDate": "done",
                    "recurrenceRuleId": "recurrenceRuleId", "invitedPersonId": "invitedPersonId",
                    **_ACTIVITY, **_STAMPS},
    "sale": {"saleId": "sale_id", "date": "saledate", "text": "heading", "heading": "heading",
             "amount": "amount", "earning": "earning", "earningPercent": "earning_percent",
             "probPercent": "probability", "saleStatus": "status", "saleType": "saleType_id",
             "saleTypeCategory": "saleTypeCat_id", "currencyId": "currency_id", "currency": "currency_id",
             "credited": "credited_id", "source": "source_id", "competitor": "comptr_id",
             "lossReason": "reason_id", "soldReason": "reasonSold_id", "stalledComment": "reasonStalled_id",
             "saleNumber": "number1", "nextDueDate": "nextDueDate", "reopenDate": "reopenDate",
             "description": "text_id.text", **_ACTIVITY, **_STAMPS},
    "project": {"projectId": "project_id", "name": "name", "number": "project_number", "type": "type_idx",
                "status": "status_idx", "associateId": "associate_id", "text": "text_id.text",
                "description": "text_id.text", "completed": "done", "endDate": "endDate",
                "nextMilestone": "nextMilestoneDate", **_STAMPS},
    "document": {"documentId": "document_id", "date": "registered", "text": "header", "subject": "header",
                 "name": "name", "ourref": "our_ref", "yourref": "your_ref", "attention": "attention",
                 "snum": "snum", **{k: f"appointment_id.{v}" for k, v in _ACTIVITY.items()}, **_STAMPS},
    "selection": {"selectionId": "selection_id", "name": "name", "associateId": "associate_id",
                  "targetTableNumber": "targetTableNumber", "combinationType": "combinationType",
                  "done": "done", "memberCount": "memberCount", "lastLoaded": "lastLoaded",
                  "lastLoadedBy": "lastLoadedBy", "lastMembershipChange": "lastMembershipChange",
                  "lastMembershipChangeBy": "lastMembershipChangeBy", **_STAMPS},
}

# The documented providers and their entity
PROVIDERS = {"findcontact": "contact", "findappointment": "appointment", "findsale": "sale",
             "findproject": "project", "finddocument": "document", "findselection": "selection"}
PROVIDER_NAMES = ["FindContact", "FindAppointment", "FindSale", "FindProject", "FindDocument", "FindSelection"]

# A sub-entity's prefix (`contact/name`) on each entity -> the foreign key and the entity it reaches
LINKS: dict[str, dict[str, tuple[str, str]]] = {
    "appointment": {"contact": ("contact_id", "contact"), "person": ("person_id", "person"),
                    "project": ("project_id", "project"), "sale": ("sale_id", "sale")},
    "sale": {"contact": ("contact_id", "contact"), "person": ("person_id", "person"),
             "project": ("project_id", "project"), "appointment": ("appointment_id", "appointment")},
    "document": {"contact": ("appointment_id.contact_id", "contact"), "person": ("appointment_id.person_id", "person"),
                 "project": ("appointment_id.project_id", "project"), "sale": ("appointment_id.sale_id", "sale"),
                 "appointment": ("appointment_id", "appointment")},
    "person": {"contact": ("contact_id", "contact")},
    "project": {}, "contact": {}, "selection": {},
}

NO_ROWS = "getnorows"

# The udef owner of each entity: its UDefType constant's name (the reference's enum)
UDEF_OWNERS = {"contact": "Contact", "person": "Person", "project": "Project", "sale": "Sale",
               "appointment": "Appointment", "document": "Document"}


def column_path(ctx: Any, entity: str, name: str) -> str:
    """A Find provider's column `name` on `entity`, as a SearchEngine path from the entity's table."""
    return f"{entity}.{_relative(ctx, entity, name)}"


def _relative(ctx: Any, entity: str, name: str) -> str:
    head, _, rest = name.strip().partition("/")
    if not rest:
        columns = COLUMNS[entity]
        found = next((path for known, path in columns.items() if known.lower() == head.lower()), None)
        if found is not None:
            return found
        if ctx.crm.schema.table(entity).has_column(head):  # the table's own field names work too
            return head
        raise CRMScriptRuntimeError(f"NSFindAgent: the {entity} has no column '{name}'"
                                    f"{suggest(head, list(columns))} (columns such as {', '.join(list(columns)[:6])})")
    prefix = head.lower()
    if prefix == f"{entity}udef":
        return _udef_column(ctx, entity, rest)
    if prefix == f"{entity}extra":
        return rest
    link = LINKS[entity].get(prefix)
    if link is None:
        known = [*LINKS[entity], f"{entity}Udef", f"{entity}Extra"] if entity in UDEF_OWNERS else list(LINKS[entity])
        raise CRMScriptRuntimeError(f"NSFindAgent: the {entity} has no part '{head}'{suggest(head, known)} "
                                    f"(its parts: {', '.join(known) or 'none'})")
    key, target = link
    return f"{key}.{_relative(ctx, target, rest)}"


def _udef_column(ctx: Any, entity: str, prog_id: str) -> str:
    """`<entity>Udef/<progId>`: the UDefField row of that owner and prog id (its newest
    version) names the column (columnId: the udef table's number * 256 + the column's
    position, the key being 0); the entity's row reaches that table through its FK."""
    owner = next(c.value for c in reference().constants("UDefType") if c.name == UDEF_OWNERS[entity])
    ensure(ctx, "UDefField")
    row = ctx.crm.database.connection.execute(
        "SELECT columnId FROM UDefField WHERE ownerTable_id = ? AND lower(progId) = lower(?) "
        "ORDER BY version DESC, UDefField_Id DESC LIMIT 1", (owner, prog_id)).fetchone()
    if row is None:
        raise CRMScriptRuntimeError(f"NSFindAgent: no user-defined field '{prog_id}' on the {entity} "
                                    f"(a UDefField row with ownerTable_id {owner} and that progId)")
    schema: Schema = ctx.crm.schema
    table = _table_numbered(schema, int(row[0] or 0) >> 8)
    position = int(row[0] or 0) & 0xFF
    names = table.column_names() if table is not None else []
    link = next((c.name for c in schema.table(entity).columns.values() if table is not None
                 and c.is_reference and (c.ref or "").lower() == table.name.lower()), None)
    if table is None or link is None or not 0 < position < len(names):
        raise CRMScriptRuntimeError(f"NSFindAgent: the user-defined field '{prog_id}' of the {entity} has "
                                    f"columnId {row[0]}, which names no column of the {entity}'s udef tables")
    return f"{link}.{names[position]}"


def _table_numbered(schema: Schema, number: int) -> Table | None:
    return next((t for t in schema.tables.values() if t.number == number), None)


@behaviour("NSFindAgent.FindFromRestrictionsColumns")
def find(ctx: Any, restrictions: list, provider: str, columns: list, size: int, page: int) -> Carrier:
    """The find dialog's search. NSFindResults: the page's rows, all rows' count, the columns
    (ColumnData keyed by the names the caller gave)."""
    path = _paths(ctx, provider.strip())
    paths = [path(str(c)) for c in columns]
    scoped, no_rows = [], False
    for restriction in active_restrictions(restrictions):
        if restriction.fields.get("Name", "").strip().lower() == NO_ROWS:
            no_rows = True
            continue
        copy = type(restriction)(dict(restriction.fields))
        copy.fields["Name"] = path(copy.fields.get("Name", ""))
        scoped.append(copy)
    items = [] if no_rows else dynamic_items(ctx, paths, [], scoped)
    for item in items:  # the columns as the caller named them
        data, named = item.fields["ColumnData"], Map()
        for name, full in zip(columns, paths, strict=True):
            named.set(str(name), data.get(full))
        item.fields["ColumnData"] = named
    start = max(page, 0) * size if size > 0 else 0
    info = carrier_class("NSArchiveColumnInfo")
    return carrier_class("NSFindResults")({
        "RowCount": len(items),
        "ArchiveRows": Array(element_factory(Type("NSArchiveListItem")), items[start:start + size] if size > 0 else items),
        "ArchiveColumns": Array(element_factory(Type("NSArchiveColumnInfo")),
                                [info({"Name": str(c), "DisplayName": str(c), "IsVisible": True}) for c in columns])})


def _paths(ctx: Any, provider: str) -> Any:
    """How the provider turns a column name into a SearchEngine path."""
    entity = PROVIDERS.get(provider.lower())
    if entity is not None:
        return lambda name: column_path(ctx, entity, name)
    if provider.lower() == "dynamic":
        return lambda name: name
    if ctx.crm.schema.has_table(provider):
        return lambda name: name if "." in name else f"{provider}.{name}"
    raise CRMScriptRuntimeError(f"NSFindAgent: the provider '{provider}' is not simulated"
                                f"{suggest(provider, PROVIDER_NAMES)} ({', '.join(PROVIDER_NAMES)}, a table's "
                                "name, or Dynamic; or a netserver: entry)")

