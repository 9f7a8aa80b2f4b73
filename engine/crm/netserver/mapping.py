"""Where a carrier's properties live in the database (docs/netserver.md).

Derived by rule where the names agree, plus a small overlay (OVERLAY) for
the rest:

- the carrier's table: its name without `NS` and `Entity` (`NSContactEntity`
  -> contact, `NSSaleTypeEntity` -> SaleType), or TABLES;
- a property whose name is a column's, ignoring case and underscores
  (`OrgNr` -> orgnr, `DbiAgentId` -> dbi_agent_id, `ContactId` -> contact_id);
- `CreatedDate` -> registered, `UpdatedDate` -> updated, `CreatedBy` ->
  registered_associate_id, `UpdatedBy` -> updated_associate_id;
- a nested carrier -> the foreign key named after the property (`Associate`
  -> associate_id, `Business` -> business_idx): loaded when read;
- the overlay: other column names (`StartDate` -> do_by), the description
  through the text table, computed names (`FullName`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from ...types import Type
from ..schema import Schema, Table, quote, reference_schema
from .carriers import is_carrier, properties

TABLES = {  # carrier -> table, where the name does not say it
    "NSProjectTypeEntity": "ProjType", "NSProjectType": "ProjType", "NSCompetitor": "Comptr",
    "NSPreference": "UserPreference", "NSAppointmentEntity": "appointment",
    "NSSuggestedAppointmentEntity": "suggestedappointment", "NSPreferenceEntity": "UserPreference",
    "NSQuoteLineEntity": "QuoteLine", "NSPriceListEntity": "PriceList", "NSProjectStatus": "ProjStatus",
    "NSDocumentTemplate": "DocTmpl", "NSUserDefinedFieldInfo": "UDefField",
}

COMMON = {"CreatedDate": "registered", "UpdatedDate": "updated", "CreatedBy": "registered_associate_id",
          "UpdatedBy": "updated_associate_id", "Registered": "registered", "Updated": "updated",
          "RegisteredDate": "registered", "RegisteredBy": "registered_associate_id"}

# carrier -> property -> column, where the names disagree
OVERLAY: dict[str, dict[str, str]] = {
    "NSAppointmentEntity": {"Completed": "status", "StartDate": "do_by", "EndDate": "enddate", "ActiveDate": "activedate",
                            "Task": "task_idx", "Priority": "priority_idx", "InvitedPerson": "invitedpersonid",
                            "Private": "private", "Type": "type", "Status": "status"},
    "NSAppointment": {"StartDate": "do_by", "EndDate": "enddate", "TaskTypeId": "task_idx",
                      "Type": "type", "Status": "status", "Private": "private"},
    "NSSaleEntity": {"Number": "number1", "Competitor": "comptr_id", "Probability": "probability", "SaleType": "saletype_id",
                     "ReasonStalled": "reasonstalled_id", "ReasonSold": "reasonsold_id", "Reason": "reason_id",
                     "Credited": "credited_id", "Source": "source_id"},
    "NSSale": {"Title": "heading", "Number": "number1", "SaleTypeId": "saletype_id"},
    "NSProjectEntity": {"ProjectType": "type_idx", "ProjectStatus": "status_idx"},
    "NSProjectTypeEntity": {"ProjTypeId": "projtype_id", "ProjectTypeId": "projtype_id",
                            "Duration": "projectduration"},
    "NSPersonEntity": {"Position": "position_idx", "BirthDate": ""},
    "NSContactEntity": {"Business": "business_idx", "Category": "category_idx"},
    "NSQuoteEntity": {"SaleId": "saleid", "ActiveQuoteVersionId": "activequoteversionid",
                      "DocumentId": "documentid", "QuoteConnectionId": "quoteconnectionid"},
    "NSSaleStakeholder": {"StakeholderRoleId": "stakeholderrole_id", "Comment": "comment"},
    "NSPreference": {"Level": "deflevel", "Value": "prefvalue"},
    "NSProjectStatus": {"Value": "name"},
    "NSDocumentTemplate": {"DocumentTemplateId": "doctmpl_id", "AutoeventId": "autoevent_id",
                           "RecordType": "record_type", "DefaultOref": "default_oref"},
    "NSUserDefinedFieldInfo": {"OwnerTableId": "ownertable_id", "IsIndexed": "indexed", "IsMandatory": "mandatory",
                               "IsReadOnly": "readonly"},
    "NSProjectMember": {"ProjectMemberTypeId": "mtype_idx"},
    "NSPriceList": {"Currency": ""},
}

# carrier -> (the table a row links to, the link column, {property: column there}):
# a document's contact, person, project, sale, associate, date and template are
# on its appointment (document.appointment_id), as in the database
THROUGH: dict[str, tuple[str, str, dict[str, str]]] = {
    "NSDocumentEntity": ("appointment", "appointment_id", {
        "Contact": "contact_id", "Person": "person_id", "Project": "project_id", "Sale": "sale_id",
        "Associate": "associate_id", "Date": "do_by", "DocumentTemplate": "task_idx"}),
    "NSDocument": ("appointment", "appointment_id", {
        "ContactId": "contact_id", "PersonId": "person_id", "ProjectId": "project_id",
        "AssociateId": "associate_id"}),
}

_EMAIL = "(SELECT email_address FROM email WHERE {who} = {{fk}}{only} ORDER BY rank LIMIT 1)"
_PHONE = "(SELECT phone FROM phone WHERE owner_id = {{fk}} AND ptype_idx = {kind} ORDER BY rank LIMIT 1)"
_PERSON_EMAIL = _EMAIL.format(who="person_id", only="")
_CONTACT_EMAIL = _EMAIL.format(who="contact_id", only=" AND person_id = 0")

# carrier -> property -> (table, a read-only sub-select by this row's key `{fk}`):
# e-mail addresses and phone numbers, the first by rank
KEYED_VIA: dict[str, dict[str, tuple[str, str]]] = {
    "NSPerson": {"Email": ("email", _PERSON_EMAIL), "DirectPhone": ("phone", _PHONE.format(kind=16385)),
                 "MobilePhone": ("phone", _PHONE.format(kind=16389)), "FaxPhone": ("phone", _PHONE.format(kind=16387))},
    "NSContact": {"EmailAddress": ("email", _CONTACT_EMAIL), "DirectPhone": ("phone", _PHONE.format(kind=1))},
}

@dataclass(frozen=True)
class Elements:
    """An NSEntityElement array kept in rows of another table: those whose
    `owner` column is this row's key (and `fixed` columns have these values),
    the `value` column by rank."""

    table: str
    owner: str
    value: str
    fixed: tuple[tuple[str, int], ...] = ()

    def where(self) -> str:
        return " AND ".join([f"{self.owner} = ?", *(f"{column} = {value}" for column, value in self.fixed)])

    def select(self) -> str:
        return f"SELECT {self.value}, description FROM {self.table} WHERE {self.where()} ORDER BY rank"


def _phones(kind: int) -> Elements:
    return Elements("phone", "owner_id", "phone", (("ptype_idx", kind),))


# carrier -> array property -> its rows (read on first use; a save that changed it replaces them)
ELEMENTS: dict[str, dict[str, Elements]] = {
    "NSPersonEntity": {"Emails": Elements("email", "person_id", "email_address"), "OfficePhones": _phones(16385),
                       "MobilePhones": _phones(16389), "PrivatePhones": _phones(16388), "Faxes": _phones(16387),
                       "Pagers": _phones(16390)},
    "NSContactEntity": {"Emails": Elements("email", "contact_id", "email_address", (("person_id", 0),)),
                        "Phones": _phones(1), "Faxes": _phones(3)},
}

COMPUTED = {"FullName", "Description", "PostItText"}  # filled on load (mapping.py / agents.py)


def squash(name: str) -> str:
    return name.replace("_", "").lower()


@dataclass
class Place:
    """One property's place: a column, a foreign key to a nested carrier, or computed."""

    prop: str
    kind: Type
    column: str = ""  # the column's name ("" for a computed property)
    target: str = ""  # a nested carrier's name (the column is its foreign key)
    via: str = ""  # read-only: an SQL expression on the row the foreign key `column` finds (`{fk}`)
    via_table: str = ""  # the table that expression reads
    children: str = ""  # an array of `target`: its rows whose column of this name is our key (read-only)
    elements: Elements | None = None  # an NSEntityElement array kept in another table
    extras: tuple[str, ...] = ()  # ExtraFields: the row's extra fields (x_...), a Map by name


@dataclass
class Mapping:
    carrier: str
    table: Table
    key: str  # the property that holds the primary key ("" when none agrees)
    places: dict[str, Place] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> tuple[int, int]:
        return len(self.places), len(self.places) + len(self.unmapped)


def table_of(carrier: str, schema: Schema) -> Table | None:
    name = TABLES.get(carrier) or carrier.removeprefix("NS").removesuffix("Entity")
    return schema.table(name) if schema.has_table(name) else None


@functools.cache
def mapping(carrier: str, schema: Schema | None = None) -> Mapping | None:
    """The carrier's mapping on `schema` (the reference's when None), or None
    when no table holds it."""
    schema = schema or reference_schema()
    table = table_of(carrier, schema)
    if table is None:
        return None
    columns = {squash(c.name): c.name for c in table.columns.values()}
    key_column = table.key.name if table.key is not None else ""
    overlay = OVERLAY.get(carrier, {})
    result = Mapping(carrier, table, "")
    for prop, kind in properties(carrier).items():
        place = _extras(prop, kind, table) or _keyed(carrier, prop, kind, key_column) \
            or _through(carrier, prop, kind, schema) \
            or _place(prop, kind, overlay, columns, key_column) \
            or _named_via(prop, kind, columns, schema) or _children(prop, kind, key_column, schema)
        if place is None:
            result.unmapped.append(prop)
            continue
        result.places[prop] = place
        if place.column and key_column and place.column.lower() == key_column.lower() and not place.target:
            result.key = result.key or prop
    return result


def _extras(prop: str, kind: Type, table: Table) -> Place | None:
    """ExtraFields: a Map of the extra fields (x_...) the fixture gives the table."""
    if prop != "ExtraFields" or kind != Type("Map") or table.key is None:
        return None
    names = tuple(c.name for c in table.columns.values() if c.name.lower().startswith("x_"))
    return Place(prop, kind, table.key.name, via_table=table.name, extras=names) if names else None


def _keyed(carrier: str, prop: str, kind: Type, key: str) -> Place | None:
    """KEYED_VIA and ELEMENTS: e-mails and phones, by this row's key."""
    if not key:
        return None
    found = KEYED_VIA.get(carrier, {}).get(prop)
    if found is not None:
        return Place(prop, kind, key, via=found[1], via_table=found[0])
    found = ELEMENTS.get(carrier, {}).get(prop)
    if found is not None:
        return Place(prop, kind, key, "NSEntityElement", via_table=found.table, elements=found)
    return None


def _children(prop: str, kind: Type, key: str, schema: Schema) -> Place | None:
    """An array of carriers whose table refers to this one by a column named as
    our key (NSContactEntity.Persons: person.contact_id; NSSaleEntity.SaleStakeholders)."""
    if kind.dims != 1 or not key or not is_carrier(kind.name):
        return None
    table = table_of(kind.name, schema)
    if table is None or table.key is None:
        return None
    wanted = squash(key)
    column = next((c.name for c in table.columns.values() if squash(c.name) == wanted and not c.is_key), None)
    return Place(prop, kind, key, kind.name, children=column) if column else None


def _through(carrier: str, prop: str, kind: Type, schema: Schema) -> Place | None:
    """A property kept on the row this one links to (THROUGH): read-only here,
    written by the agent's save (specific.py)."""
    table_name, link, columns = THROUGH.get(carrier, ("", "", {}))
    column = columns.get(prop)
    if column is None:
        return None
    table = schema.table(table_name)
    nested = kind.name if not kind.dims and is_carrier(kind.name) else ""
    sql = f"(SELECT {quote(column)} FROM {quote(table.name)} WHERE {quote(table.key.name)} = {{fk}})"
    return Place(prop, kind, link, nested, via=sql, via_table=table.name)


FULL_NAME = "trim(replace(firstname || ' ' || middleName || ' ' || lastname, '  ', ' '))"


def _named_via(prop: str, kind: Type, columns: dict[str, str], schema: Schema) -> Place | None:
    """`<X>Name` / `<X>FullName` of an item carrier (NSPerson.ContactName,
    NSAppointment.PersonFullName): the name on the row its foreign key finds."""
    if kind != Type("String"):
        return None
    for suffix in ("FullName", "Name"):
        owner = prop.removesuffix(suffix)
        if owner == prop or not owner:
            continue
        column = columns.get(squash(owner) + "id") or columns.get(squash(owner) + "idx")
        table = table_of("NS" + owner, schema)
        if column is None or table is None or table.key is None:
            continue
        if owner == "Person":
            value = FULL_NAME
        elif table.has_column("name"):
            value = "name"
        elif table.has_column("heading"):
            value = "heading"
        else:
            continue
        sql = f"(SELECT {value} FROM {quote(table.name)} WHERE {quote(table.key.name)} = {{fk}})"
        return Place(prop, kind, column, via=sql, via_table=table.name)
    return None


def _place(prop: str, kind: Type, overlay: dict[str, str], columns: dict[str, str], key: str) -> Place | None:
    nested = kind.name if not kind.dims and is_carrier(kind.name) else ""
    written = overlay.get(prop, COMMON.get(prop))
    if written == "":
        return None
    if written is not None:
        return Place(prop, kind, columns.get(squash(written), written), nested)
    if prop in COMPUTED and kind.name == "String" and not kind.dims and squash(prop) not in columns:
        return Place(prop, kind)
    if kind.dims or kind.name in ("Map", "Generic"):
        return None
    wanted = squash(prop)
    if nested:
        for candidate in (wanted + "id", wanted + "idx"):
            if candidate in columns:
                return Place(prop, kind, columns[candidate], nested)
        return None
    if wanted in columns:
        return Place(prop, kind, columns[wanted])
    if wanted == "id" and key and kind.name == "Integer":  # list items: Id is the key
        return Place(prop, kind, key)
    return None
