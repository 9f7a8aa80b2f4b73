"""The agent methods real scripts use beyond the generic families (docs/netserver.md).

Each reads or writes the same tables as the generic families; where the
public docs are silent the decision is the one docs/netserver.md records.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ...runtime.collections import Array
from ...runtime.datetimes import DateTime, now_datetime
from ...types import Type
from . import (
    archive,  # noqa: F401 (registers the archive agent's providers)
    entities,
)
from .agents import behaviour
from .carriers import Carrier, Lazy, carrier_class, element_factory
from .entities import array_of as _array, ensure as _ensure, limit as _limit, text_of as _text
from .mapping import THROUGH

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
    """The currency whose exchange rate is 1 (the docs' definition of the base currency)."""
    found = entities.rows(ctx, "NSCurrencyEntity", "rate = 1 AND deleted = 0", (), "rank LIMIT 1")
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


# ------------------------------------------------------------ more of the sales


@behaviour("NSSaleAgent.GetUpcomingSales")
def upcoming_sales(ctx: Any, weighted_limit: int, count: int) -> Array:
    """The user's open sales from now on whose weighted amount (amount x probability)
    reaches the limit, soonest first."""
    where = "associate_id = ? AND status = 1 AND saledate >= ? AND amount * probability / 100.0 >= ?"
    params = (entities.current_associate(ctx), str(now_datetime(ctx)), weighted_limit)
    return _array("NSSale", entities.rows(ctx, "NSSale", where, params, "saledate" + _limit(count)))


@behaviour("NSSaleAgent.GetNextDueDate")
def next_due_date(ctx: Any, sale_id: int) -> DateTime:
    """The start of the sale's first appointment not done yet (what the sale's
    nextDueDate holds), else null."""
    _ensure(ctx, "appointment")
    row = ctx.crm.database.execute("SELECT min(do_by) FROM appointment WHERE sale_id = ? AND status < 3",
                                   (sale_id,)).fetchone()
    return entities.datetime_of(row[0] if row else None)


SUMMARY_STATUSES = {"Open": 1, "Sold": 2, "Lost": 3}


def _summary(ctx: Any, column: str, key: int, start: DateTime, end: DateTime) -> Carrier:
    """Counts and totals of the sales in [start, end) by status (own currency = base)."""
    _ensure(ctx, "sale")
    base = base_currency(ctx).fields.get("Name", "")
    fields: dict[str, Any] = {"BaseCurrency": base, "OwnCurrency": base}
    sql = (f"SELECT count(*), coalesce(sum(amount), 0), coalesce(sum(amount * probability / 100.0), 0) FROM sale "
           f"WHERE {column} = ? AND status = ? AND saledate >= ? AND saledate < ?")
    for name, status in SUMMARY_STATUSES.items():
        count, total, weighted = ctx.crm.database.execute(
            sql, (key, status, _text(start) or "0000", _text(end) or "9999")).fetchone()
        fields[name] = count
        for currency in ("BaseCurrency", "OwnCurrency"):
            fields[f"{name}Total{currency}"] = float(total)
            if name == "Open":
                fields[f"{name}Weighted{currency}"] = float(weighted)
    return carrier_class("NSSaleSummary")(fields)


@behaviour("NSSaleAgent.GetSummaryByContact")
def summary_by_contact(ctx: Any, contact_id: int, start: DateTime, end: DateTime) -> Carrier:
    return _summary(ctx, "contact_id", contact_id, start, end)


@behaviour("NSSaleAgent.GetSummaryByAssociate")
def summary_by_associate(ctx: Any, associate_id: int, start: DateTime, end: DateTime) -> Carrier:
    return _summary(ctx, "associate_id", associate_id, start, end)


# ---------------------------------------------------------- project members


@behaviour("NSProjectAgent.AddProjectMembers")
def add_project_members(ctx: Any, project_id: int, members: list) -> None:
    for member in members:
        member.fields["ProjectId"] = project_id
        entities.save(ctx, member)


@behaviour("NSProjectAgent.UpdateProjectMember")
def update_project_member(ctx: Any, member: Carrier) -> Carrier:
    return entities.save(ctx, member)


@behaviour("NSProjectAgent.DeleteProjectMemberByIds")
def delete_project_members_by_id(ctx: Any, keys: list) -> None:
    for key in keys:
        entities.delete(ctx, "NSProjectMember", key)


@behaviour("NSProjectAgent.DeleteProjectMembers")
def delete_project_members(ctx: Any, project_id: int, keys: list) -> None:
    for member in entities.rows(ctx, "NSProjectMember", "project_id = ?", (project_id,)):
        if member.fields.get("ProjectmemberId") in keys:
            entities.delete(ctx, "NSProjectMember", member.fields["ProjectmemberId"])


# ----------------------------------------------------------------- consents


def _list_id(ctx: Any, table: str, key: str) -> int:
    """A consent list's row by its key (or name), 0 when none has it."""
    _ensure(ctx, table)
    row = ctx.crm.database.execute(f"SELECT {table}_id FROM {table} WHERE key = ? OR name = ?", (key, key)).fetchone()
    return row[0] if row else 0


@behaviour("NSPersonAgent.SetConsent")
def set_consent(ctx: Any, person_id: int, purpose: str, source: str, legal_base: str, comment: str) -> None:
    """The person's consent for the purpose (its key, e.g. PERSONAL_DATA): added, or changed."""
    remove_consent(ctx, person_id, purpose)
    database = ctx.crm.database
    database.execute("INSERT INTO ConsentPerson (person_id, consentpurpose_id, consentsource_id, legalbase_id, "
                     "comment, registered, registered_associate_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (person_id, _list_id(ctx, "ConsentPurpose", purpose), _list_id(ctx, "ConsentSource", source),
                      _list_id(ctx, "LegalBase", legal_base), comment, str(now_datetime(ctx)),
                      entities.current_associate(ctx)))


@behaviour("NSPersonAgent.RemoveConsent")
def remove_consent(ctx: Any, person_id: int, purpose: str) -> None:
    _ensure(ctx, "ConsentPerson")
    database = ctx.crm.database
    database.begin_write()
    database.execute("DELETE FROM ConsentPerson WHERE person_id = ? AND consentpurpose_id = ?",
                     (person_id, _list_id(ctx, "ConsentPurpose", purpose)))


# ------------------------------------------------------------- suggestions


def _suggested(ctx: Any, table: str, key: int) -> dict[str, Any]:
    _ensure(ctx, table)
    cursor = ctx.crm.database.execute(f"SELECT * FROM {table} WHERE {table}_id = ?", (key,))
    row = cursor.fetchone()
    return {d[0].lower(): v for d, v in zip(cursor.description, row, strict=True)} if row else {}


def _from_suggestion(ctx: Any, suggestion_id: int, link: str, link_id: int, owner_id: int) -> Carrier:
    """A default appointment from a suggested appointment: its task, text and
    duration, starting `daysFuture` days from now, linked to the sale or project."""
    found = entities.create_default(ctx, "NSAppointmentEntity")
    suggestion = _suggested(ctx, "SuggestedAppointment", suggestion_id)
    start = now_datetime(ctx)
    start.value = start.value + _dt.timedelta(days=int(suggestion.get("daysfuture") or 0))
    end = start.copy()
    end.value = start.value + _dt.timedelta(minutes=int(suggestion.get("duration") or 0))
    task = int(suggestion.get("task_id") or 0)
    found.fields.update(StartDate=start, EndDate=end, Description=suggestion.get("text") or "",
                        SuggestedAppointmentId=suggestion_id)
    found.fields["Task"] = Lazy(lambda: entities.load_or_empty(ctx, "NSTaskListItem", task), task)
    found.fields[link] = Lazy(lambda: entities.load_or_empty(ctx, "NS" + link, link_id), link_id)
    if owner_id:
        found.fields["Associate"] = Lazy(lambda: entities.load_or_empty(ctx, "NSAssociate", owner_id), owner_id)
    return found


@behaviour("NSAppointmentAgent.CreateDefaultAppointmentEntityFromSaleSuggestion")
def appointment_from_sale_suggestion(ctx: Any, suggestion_id: int, sale_id: int, create_now: bool,
                                     owner_id: int) -> Carrier:
    found = _from_suggestion(ctx, suggestion_id, "Sale", sale_id, owner_id)
    return entities.save(ctx, found) if create_now else found


@behaviour("NSAppointmentAgent.CreateDefaultAppointmentEntityFromProjectSuggestion")
def appointment_from_project_suggestion(ctx: Any, suggestion_id: int, project_id: int, create_now: bool,
                                        owner_id: int) -> Carrier:
    found = _from_suggestion(ctx, suggestion_id, "Project", project_id, owner_id)
    return entities.save(ctx, found) if create_now else found


@behaviour("NSDocumentAgent.CreateDefaultDocumentEntityFromSuggestion")
def document_from_suggestion(ctx: Any, suggestion_id: int) -> Carrier:
    found = entities.create_default(ctx, "NSDocumentEntity")
    suggestion = _suggested(ctx, "SuggestedDocument", suggestion_id)
    template = int(suggestion.get("doctmpl_id") or 0)
    found.fields.update(Header=suggestion.get("header") or "", OurRef=suggestion.get("our_ref") or "",
                        SuggestedDocumentId=suggestion_id)
    found.fields["DocumentTemplate"] = Lazy(lambda: entities.load_or_empty(ctx, "NSDocumentTemplate", template),
                                            template)
    return found


# ---------------------------------------------------------------- the rest


@behaviour("NSUserDefinedFieldInfoAgent.GetUserDefinedFieldList")
def user_defined_fields(ctx: Any, owner_type: int) -> Array:
    """The user-defined fields of a table (UDefField rows of that owner), in tab order."""
    found = entities.rows(ctx, "NSUserDefinedFieldInfo", "ownertable_id = ?", (owner_type,), "taborder")
    return _array("NSUserDefinedFieldInfo", found)


@behaviour("NSDocumentAgent.GetContactDocumentsByTemplateType", "Integer, Integer, Integer")
def contact_documents_by_template(ctx: Any, contact_id: int, count: int, template_id: int) -> Array:
    """A contact's documents made from one template (the appointment's task is the template)."""
    _ensure(ctx, "appointment")
    where = "appointment_id IN (SELECT appointment_id FROM appointment WHERE contact_id = ? AND task_idx = ?)"
    found = entities.rows(ctx, "NSDocument", where, (contact_id, template_id), "registered DESC" + _limit(count))
    return _array("NSDocument", found)


@behaviour("NSContactAgent.GetMyActiveContacts")
def my_active_contacts(ctx: Any, since: DateTime, categories: list, _action: int) -> Array:
    """The contacts (of the categories, all when none) with the user's appointments since `since`."""
    _ensure(ctx, "appointment")
    where = ("contact_id IN (SELECT contact_id FROM appointment WHERE associate_id = ? AND registered >= ?)"
             + (f" AND category_idx IN ({', '.join('?' * len(categories))})" if categories else ""))
    params = (entities.current_associate(ctx), _text(since) or "0000", *categories)
    activity = carrier_class("NSContactActivity")
    return _array("NSContactActivity", [
        activity({"ContactId": c.fields.get("ContactId", 0), "Name": c.fields.get("Name", ""),
                  "Department": c.fields.get("Department", ""), "OrgNr": c.fields.get("OrgNr", ""),
                  "AssociateId": entities.current_associate(ctx)})
        for c in entities.rows(ctx, "NSContact", where, params, "name")])


@behaviour("NSDocumentAgent.GetDocumentsByTemplateHeading")
def documents_by_heading(ctx: Any, heading_id: int) -> Array:
    """The documents made from the templates under a list heading (DocTmplHeadingLink)."""
    _ensure(ctx, "appointment")
    _ensure(ctx, "DocTmplHeadingLink")
    where = ("appointment_id IN (SELECT appointment_id FROM appointment WHERE task_idx IN "
             "(SELECT doctmpl_id FROM DocTmplHeadingLink WHERE heading_id = ?))")
    return _array("NSDocument", entities.rows(ctx, "NSDocument", where, (heading_id,), "registered DESC"))


@behaviour("NSDocumentAgent.GetContactDocumentsByTemplateHeading", "Integer, Integer, Integer")
def contact_documents_by_heading(ctx: Any, contact_id: int, count: int, heading_id: int) -> Array:
    found = [d for d in documents_by_heading(ctx, heading_id) if _document_contact(ctx, d) == contact_id]
    return _array("NSDocument", found[:count] if count > 0 else found)


def _document_contact(ctx: Any, document: Carrier) -> int:
    row = ctx.crm.database.execute("SELECT contact_id FROM appointment WHERE appointment_id = "
                                   "(SELECT appointment_id FROM document WHERE document_id = ?)",
                                   (document.fields.get("DocumentId", 0),)).fetchone()
    return row[0] if row else 0


@behaviour("NSContactAgent.GetContactSummary")
def contact_summary(ctx: Any, contact_id: int, count: int) -> Carrier:
    """The contact with its latest follow-ups, documents, sales and tickets (at most `count` of each)."""
    _ensure(ctx, "ticket")
    last = _limit(count)
    followups = [_activity(a) for a in entities.rows(ctx, "NSAppointment", "contact_id = ? AND document_id = 0",
                                                     (contact_id,), "do_by DESC" + last)]
    documents = [_activity(a) for a in entities.rows(ctx, "NSAppointment", "contact_id = ? AND document_id > 0",
                                                     (contact_id,), "do_by DESC" + last)]
    sale_item = carrier_class("NSSaleSummaryItem")
    sales = [sale_item({"SaleId": s.fields.get("SaleId", 0), "Heading": s.fields.get("Title", ""),
                        "Amount": s.fields.get("Amount", 0.0), "Probability": s.fields.get("Probability", 0),
                        "Status": s.fields.get("Status", 0), "SaleDate": s.fields.get("SaleDate", DateTime())})
             for s in entities.rows(ctx, "NSSale", "contact_id = ?", (contact_id,), "saledate DESC" + last)]
    ticket_item = carrier_class("NSTicketSummaryItem")
    tickets = [ticket_item({"TicketId": key, "Title": title or "", "TicketStatus": status or 0,
                            "Registered": entities.datetime_of(created)})
               for key, title, status, created in ctx.crm.database.execute(
                   "SELECT id, title, status, created_at FROM ticket WHERE cust_id IN "
                   "(SELECT person_id FROM person WHERE contact_id = ?) ORDER BY created_at DESC" + last,
                   (contact_id,)).fetchall()]
    return carrier_class("NSContactSummary")({
        "Contact": entities.load_or_empty(ctx, "NSContact", contact_id),
        "Followups": _array("NSActivitySummaryItem", followups), "Documents": _array("NSActivitySummaryItem", documents),
        "Sales": _array("NSSaleSummaryItem", sales), "Tickets": _array("NSTicketSummaryItem", tickets)})


def _activity(appointment: Carrier) -> Carrier:
    fields = appointment.fields
    return carrier_class("NSActivitySummaryItem")({
        "AppointmentId": fields.get("AppointmentId", 0), "DocumentId": fields.get("DocumentId", 0),
        "Date": fields.get("StartDate", DateTime()), "Description": fields.get("Description", ""),
        "Completed": 1 if fields.get("Status") == 3 else 0})


@behaviour("NSAppointmentAgent.Accept")
def accept(ctx: Any, appointment_id: int, _update_mode: int) -> None:
    """The user accepts an invitation: a booking not answered yet (Booking,
    BookingMoved, BookingSeen, BookingMovedSeen: 5-8) becomes NotStarted (1)."""
    _ensure(ctx, "appointment")
    database = ctx.crm.database
    database.begin_write()
    database.execute("UPDATE appointment SET status = 1, updated = ?, updated_associate_id = ? "
                     "WHERE appointment_id = ? AND status BETWEEN 5 AND 8", (str(now_datetime(ctx)),
                                                                  entities.current_associate(ctx), appointment_id))


@behaviour("NSAppointmentAgent.GetRedLetterInformationListByDatesAndAssociate")
def red_letter_days(ctx: Any, start: DateTime, end: DateTime, associate_id: int) -> Array:
    """The holidays (redletterday rows) in [start, end): of the associate's
    country (its contact's) and of others."""
    _ensure(ctx, "redletterday")
    _ensure(ctx, "associate")
    row = ctx.crm.database.execute(
        "SELECT c.country_id FROM associate a JOIN person p ON p.person_id = a.person_id "
        "JOIN contact c ON c.contact_id = p.contact_id WHERE a.associate_id = ?", (associate_id,)).fetchone()
    own = row[0] if row else 0
    days: dict[str, tuple[list[str], list[str]]] = {}
    for day, country, text in ctx.crm.database.execute(
            "SELECT reddate, country_id, text FROM redletterday WHERE reddate >= ? AND reddate < ? ORDER BY reddate",
            (_text(start) or "0000", _text(end) or "9999")).fetchall():
        mine, others = days.setdefault(str(day)[:10], ([], []))
        (mine if country == own else others).append(text or "")
    strings = element_factory(Type("String"))
    item = carrier_class("NSRedLetterInformationListItem")
    return _array("NSRedLetterInformationListItem", [item({
        "Date": entities.datetime_of(day + " 00:00:00"),
        "RedLetterInformation": carrier_class("NSRedLetterSummary")({"IsOwnCountryHoliday": bool(mine),
                                                                    "IsOtherCountryHoliday": bool(others)}),
        "RedLetterDetails": carrier_class("NSRedLetterDetails")({"OwnCountryDayTexts": Array(strings, mine),
                                                                "OtherCountryDayTexts": Array(strings, others)})})
        for day, (mine, others) in days.items()])


THROUGH_DOCUMENT = THROUGH["NSDocumentEntity"][2]


@behaviour("NSDocumentAgent.SaveDocumentEntity")
def save_document(ctx: Any, document: Carrier) -> Carrier:
    """The document's row, and its appointment (type Document, completed) with
    the contact, person, project, sale, associate, date and template, made
    with the document as the database keeps them."""
    entities.save(ctx, document)
    _ensure(ctx, "appointment")
    database = ctx.crm.database
    key = document.fields["DocumentId"]
    link = database.execute("SELECT appointment_id FROM document WHERE document_id = ?", (key,)).fetchone()[0]
    values = {column: entities.key_of(document.fields.get(prop)) if prop != "Date" else entities.text_of(
        document.fields.get(prop) or now_datetime(ctx)) for prop, column in THROUGH_DOCUMENT.items()
              if prop in document.fields or prop in ("Date", "Associate")}
    if "associate_id" in values and not values["associate_id"]:
        values["associate_id"] = entities.current_associate(ctx)
    if link:
        assignments = ", ".join(f"{column} = ?" for column in values)
        database.execute(f"UPDATE appointment SET {assignments} WHERE appointment_id = ?", [*values.values(), link])
    else:
        values.update(type=4, status=3, document_id=key, registered=str(now_datetime(ctx)),
                      registered_associate_id=entities.current_associate(ctx))
        cursor = database.execute(f"INSERT INTO appointment ({', '.join(values)}) VALUES "
                                  f"({', '.join('?' * len(values))})", list(values.values()))
        database.execute("UPDATE document SET appointment_id = ? WHERE document_id = ?", (cursor.lastrowid, key))
    return document
