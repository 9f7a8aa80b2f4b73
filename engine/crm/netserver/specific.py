"""The agent methods real scripts use beyond the generic families (docs/netserver.md).

Each reads or writes the same tables as the generic families; where the
public docs are silent the decision is the one docs/netserver.md records.
"""

from __future__ import annotations

from typing import Any

from ...runtime.collections import Array
from ...runtime.datetimes import DateTime
from ...types import Type
from . import (
    archive,  # noqa: F401 (registers the archive agent's providers)
    entities,
)
from .agents import behaviour
from .carriers import Carrier, Lazy, carrier_class, element_factory


def _array(carrier: str, items: list[Carrier]) -> Array:
    return Array(element_factory(Type(carrier)), items)


def _text(value: DateTime) -> str | None:
    return None if value.null else str(value)


def _limit(count: int) -> str:
    return f" LIMIT {int(count)}" if count and count > 0 else ""


# ------------------------------------------------------------ appointments


@behaviour("NSAppointmentAgent.CreateDefaultAppointmentEntityByTypeAndAssociate")
def default_appointment(ctx: Any, kind: int, associate_id: int) -> Carrier:
    found = entities.create_default(ctx, "NSAppointmentEntity")
    found.fields["Type"] = kind
    found.fields["Associate"] = Lazy(lambda: entities.load_or_empty(ctx, "NSAssociate", associate_id), associate_id)
    return found


@behaviour("NSAppointmentAgent.GetAppointmentRecords")
def appointment_records(ctx: Any, mother_id: int, rule_id: int) -> Array:
    """The appointments of one recurrence: those with the mother id (and the
    mother itself), or of the recurrence rule when it is given."""
    if rule_id:
        where, params = "recurrenceruleid = ?", (rule_id,)
    else:
        where, params = "mother_id = ? OR appointment_id = ?", (mother_id, mother_id)
    return _array("NSAppointment", entities.rows(ctx, "NSAppointment", where, params, "do_by"))


def _diary(ctx: Any, column: str, key: int, start: DateTime, end: DateTime, count: int) -> Array:
    where = f"{column} = ? AND do_by >= ? AND do_by < ?"
    params = (key, _text(start) or "0000", _text(end) or "9999")
    return _array("NSAppointment", entities.rows(ctx, "NSAppointment", where, params, "do_by" + _limit(count)))


@behaviour("NSAppointmentAgent.GetAssociateDiary")
def associate_diary(ctx: Any, associate_id: int, start: DateTime, end: DateTime, count: int) -> Array:
    return _diary(ctx, "associate_id", associate_id, start, end, count)


@behaviour("NSAppointmentAgent.GetMyAppointments")
def my_appointments(ctx: Any, start: DateTime, end: DateTime, count: int) -> Array:
    return _diary(ctx, "associate_id", entities.current_associate(ctx), start, end, count)


@behaviour("NSAppointmentAgent.GetPersonDiary")
def person_diary(ctx: Any, person_id: int, start: DateTime, end: DateTime, count: int) -> Array:
    return _diary(ctx, "person_id", person_id, start, end, count)


@behaviour("NSAppointmentAgent.GetPersonAppointments")
def person_appointments(ctx: Any, person_id: int, _projects: bool, start: DateTime, end: DateTime,
                        count: int) -> Array:
    return _diary(ctx, "person_id", person_id, start, end, count)


@behaviour("NSAppointmentAgent.UpdateAppointment")
def update_appointment(ctx: Any, key: int, start: DateTime, end: DateTime, status: int, kind: int,
                       associate_id: int) -> Carrier:
    found = entities.load_or_empty(ctx, "NSAppointmentEntity", key)
    if found.fields.get("AppointmentId"):
        found.fields.update(StartDate=start.copy(), EndDate=end.copy(), Status=status, Type=kind)
        found.fields["Associate"] = Lazy(lambda: entities.load_or_empty(ctx, "NSAssociate", associate_id),
                                         associate_id)
        entities.save(ctx, found)
    return entities.load_or_empty(ctx, "NSAppointment", key)


# ------------------------------------------------------------------- sales


@behaviour("NSSaleAgent.GetSalesByDate")
def sales_by_date(ctx: Any, start: DateTime, end: DateTime, amount_limit: int, status: int) -> Array:
    """The user's sales with a sale date in [start, end), at least the amount,
    of the status (0: any)."""
    where = "associate_id = ? AND saledate >= ? AND saledate < ? AND amount >= ?"
    params: tuple = (entities.current_associate(ctx), _text(start) or "0000", _text(end) or "9999", amount_limit)
    if status:
        where, params = where + " AND status = ?", (*params, status)
    return _array("NSSale", entities.rows(ctx, "NSSale", where, params, "saledate"))


@behaviour("NSSaleAgent.GetRecentSales")
def recent_sales(ctx: Any, amount_limit: int, count: int) -> Array:
    where, params = "associate_id = ? AND amount >= ?", (entities.current_associate(ctx), amount_limit)
    return _array("NSSale", entities.rows(ctx, "NSSale", where, params, "registered DESC" + _limit(count)))


@behaviour("NSSaleAgent.GetOpenSalesForContact")
def open_sales(ctx: Any, contact_id: int) -> Array:
    return _array("NSSale", entities.rows(ctx, "NSSale", "contact_id = ? AND status = 1", (contact_id,), "saledate"))


# --------------------------------------------------------- projects, documents


@behaviour("NSProjectAgent.GetProjectsFromContact")
def projects_of_contact(ctx: Any, contact_id: int) -> Array:
    where = "project_id IN (SELECT project_id FROM projectmember WHERE contact_id = ?)"
    _ensure(ctx, "projectmember")
    return _array("NSProject", entities.rows(ctx, "NSProject", where, (contact_id,), "name"))


@behaviour("NSProjectAgent.GetProjectsFromPerson")
def projects_of_person(ctx: Any, person_id: int) -> Array:
    where = "project_id IN (SELECT project_id FROM projectmember WHERE person_id = ?)"
    _ensure(ctx, "projectmember")
    return _array("NSProject", entities.rows(ctx, "NSProject", where, (person_id,), "name"))


@behaviour("NSDocumentAgent.GetAppointmentDocuments")
def appointment_documents(ctx: Any, appointment_id: int) -> Array:
    return _array("NSDocument", entities.rows(ctx, "NSDocument", "appointment_id = ?", (appointment_id,)))


@behaviour("NSDocumentAgent.GetContactDocuments")
def contact_documents(ctx: Any, contact_id: int, *rest: Any) -> Array:
    """The documents whose appointment is the contact's (newest first), with an
    optional date range on the appointment."""
    start, end = (rest[0], rest[1]) if len(rest) == 3 else (DateTime(), DateTime())
    _ensure(ctx, "appointment")
    where = ("appointment_id IN (SELECT appointment_id FROM appointment WHERE contact_id = ? "
             "AND (? IS NULL OR do_by >= ?) AND (? IS NULL OR do_by < ?))")
    params = (contact_id, _text(start), _text(start), _text(end), _text(end))
    return _array("NSDocument", entities.rows(ctx, "NSDocument", where, params, "registered DESC" + _limit(rest[-1])))


@behaviour("NSDocumentAgent.RenameDocument")
def rename_document(ctx: Any, document_id: int, name: str) -> str:
    found = entities.load(ctx, "NSDocumentEntity", document_id)
    if found is None:
        return ""
    found.fields["Name"] = name
    entities.save(ctx, found)
    return name


# ------------------------------------------------------------------- lists


@behaviour("NSListAgent.GetBaseCurrency")
def base_currency(ctx: Any) -> Carrier:
    """The currency with rate 1 and units 1 (the base the others are quoted in)."""
    found = entities.rows(ctx, "NSCurrencyEntity", "rate = 1 AND units = 1 AND deleted = 0", (), "rank LIMIT 1")
    return found[0] if found else carrier_class("NSCurrencyEntity")()


MDO_TABLES = {"projecttype": "ProjType", "projectstatus": "ProjStatus", "saletype": "SaleType",
              "position": "PersPos", "competitor": "Comptr", "probability": "Prob", "documenttemplate": "DocTmpl",
              "doctmpl": "DocTmpl", "reason": "Reason", "reasonsold": "ReasonSold", "reasonstalled": "ReasonStalled",
              "source": "Source", "task": "Task", "business": "Business", "category": "Category",
              "country": "country", "currency": "Currency", "associate": "associate", "usergroup": "UserGroup",
              "stakeholderrole": "StakeholderRole", "credited": "Credited", "projectmembertype": "PMembType"}


@behaviour("NSMDOAgent.GetList")
def mdo_list(ctx: Any, name: str, _flat: bool, _info: str, _history: bool) -> Array:
    """A list by its MDO name (`category`, `saletype`, `associate`, ...): its
    rows that are not deleted, by rank, as NSMDOListItem (Id, Name, Rank, ToolTip)."""
    from ...errors import CRMScriptRuntimeError
    from ..schema import quote, suggest

    table_name = MDO_TABLES.get(name.strip().lower())
    if table_name is None:
        raise CRMScriptRuntimeError(f"NSMDOAgent.GetList: no list '{name}'{suggest(name, list(MDO_TABLES))} "
                                    "(answer it with a netserver: entry, docs/netserver.md)")
    schema = ctx.crm.schema
    table = schema.table(table_name)
    database = ctx.crm.database
    database.ensure_table(table)
    deleted = " WHERE deleted = 0" if table.has_column("deleted") else ""
    rank = "rank" if table.has_column("rank") else quote(table.key.name)
    tooltip = "tooltip" if table.has_column("tooltip") else "''"
    sql = f"SELECT {quote(table.key.name)}, name, {rank}, {tooltip} FROM {quote(table.name)}{deleted} ORDER BY {rank}"
    item = carrier_class("NSMDOListItem")
    items = [item({"Id": key, "Name": label or "", "FullName": label or "", "Rank": int(order or 0),
                   "ToolTip": tip or "", "Type": name})
             for key, label, order, tip in database.execute(sql).fetchall()]
    return _array("NSMDOListItem", items)


# ------------------------------------------------------------- preferences


def _preference(row: tuple, spec: Carrier | None = None) -> Carrier:
    key, level, owner, section, name, value = row
    spec = spec or carrier_class("NSPreferenceSpec")({"Section": section, "Key": name})
    return carrier_class("NSPreference")({"UserPreferenceId": key, "Level": level, "TargetId": owner,
                                          "Specification": spec, "RawValue": value or "",
                                          "DisplayValue": value or "", "TableName": "UserPreference"})


@behaviour("NSPreferenceAgent.GetPreferences")
def preferences(ctx: Any, specs: list) -> Array:
    """The user's preference for each specification (section and key), else the
    system-wide one (owner 0), else an empty preference with the specification."""
    _ensure(ctx, "UserPreference")
    database = ctx.crm.database
    associate = entities.current_associate(ctx)
    found = []
    for spec in specs:
        section, key = spec.fields.get("Section", ""), spec.fields.get("Key", "")
        row = database.execute(
            "SELECT userpreference_id, deflevel, owner_id, prefsection, prefkey, prefvalue FROM UserPreference "
            "WHERE prefsection = ? AND prefkey = ? AND owner_id IN (?, 0) ORDER BY owner_id DESC LIMIT 1",
            (section, key, associate)).fetchone()
        found.append(_preference(row, spec) if row else
                     carrier_class("NSPreference")({"Specification": spec}))
    return _array("NSPreference", found)


@behaviour("NSPreferenceAgent.GetPreference", "Integer")
def preference_by_id(ctx: Any, key: int) -> Carrier:
    _ensure(ctx, "UserPreference")
    row = ctx.crm.database.execute(
        "SELECT userpreference_id, deflevel, owner_id, prefsection, prefkey, prefvalue FROM UserPreference "
        "WHERE userpreference_id = ?", (key,)).fetchone()
    return _preference(row) if row else carrier_class("NSPreference")()


@behaviour("NSPreferenceAgent.SavePreference")
def save_preference(ctx: Any, pref: Carrier) -> None:
    save_preference_entity(ctx, pref, False)


@behaviour("NSPreferenceAgent.SavePreferenceEntity")
def save_preference_entity(ctx: Any, pref: Carrier, _remove_lower: bool) -> Carrier:
    """The user's value for the preference's section and key (a new row or the user's own)."""
    _ensure(ctx, "UserPreference")
    database = ctx.crm.database
    database.begin_write()
    spec = pref.fields.get("Specification")
    spec_fields = spec.fields if isinstance(spec, Carrier) else {}
    section, key = spec_fields.get("Section", ""), spec_fields.get("Key", "")
    value = pref.fields.get("RawValue") or pref.fields.get("DisplayValue") or ""
    associate = entities.current_associate(ctx)
    row = database.execute("SELECT userpreference_id FROM UserPreference WHERE prefsection = ? AND prefkey = ? "
                           "AND owner_id = ?", (section, key, associate)).fetchone()
    if row:
        database.execute("UPDATE UserPreference SET prefvalue = ? WHERE userpreference_id = ?", (value, row[0]))
        pref.fields["UserPreferenceId"] = row[0]
    else:
        cursor = database.execute("INSERT INTO UserPreference (deflevel, owner_id, prefsection, prefkey, prefvalue)"
                                  " VALUES (?, ?, ?, ?, ?)", (pref.fields.get("Level") or 6, associate, section,
                                                              key, value))
        pref.fields["UserPreferenceId"] = cursor.lastrowid
    return pref


def _ensure(ctx: Any, table: str) -> None:
    ctx.crm.database.ensure_table(ctx.crm.schema.table(table))
