"""Global functions that look something up in the CRM database or change it
(docs/globals.md): ids from names, a customer's main e-mail, reply
templates, attachment sizes, favourites, selections, executeSQLQuery.

All read the run's copy of the fixture (engine/crm/store.py); the few that
write (copyCRMDocumentToAttachment, saveCgiAttachment) write only that copy.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Array
from ..runtime.limits import clock, run_deadline, time_limit_error
from ..runtime.table import builtin
from .formats import as_text
from .services_site import fixture_of, get_cgi_variable_array

NOT_FOUND = -1


def query(ctx: Any, sql: str, params: tuple | list, *tables: str) -> list[tuple]:
    """Rows of `sql` on the run's database; `tables` are created (empty) if the fixture has none."""
    session = ctx.crm
    database = session.database
    for table in tables:
        database.ensure_table(session.schema.table(table))
    return database.execute(sql, params).fetchall()


def _first(ctx: Any, sql: str, params: tuple, table: str, default: Any = NOT_FOUND) -> Any:
    rows = query(ctx, sql, params, table)
    return rows[0][0] if rows and rows[0][0] is not None else default


@builtin("Integer getCategoryIdFromFullname(String name)", context=True)
def get_category_id_from_fullname(ctx, name: str) -> int:
    """ej_category.fullname ("Support/Billing"), ignoring case; -1 when none has it."""
    return _first(ctx, "SELECT id FROM ej_category WHERE fullname = ? ORDER BY id", (name,), "ej_category")


@builtin("Integer getPriorityIdFromName(String name)", context=True)
def get_priority_id_from_name(ctx, name: str) -> int:
    return _first(ctx, "SELECT id FROM ticket_priority WHERE name = ? ORDER BY id", (name,), "ticket_priority")


@builtin("Integer getStatusIdFromName(String name)", context=True)
def get_status_id_from_name(ctx, name: str) -> int:
    return _first(ctx, "SELECT id FROM ticket_status WHERE name = ? ORDER BY id", (name,), "ticket_status")


@builtin("Integer getAgentId(String idString)", context=True)
def get_agent_id(ctx, id_string: str) -> int:
    """dbi_agent.id_string -> its id; 0 when none matches."""
    return _first(ctx, "SELECT id FROM dbi_agent WHERE id_string = ?", (id_string,), "dbi_agent", 0)


@builtin("Integer getAgentScheduleId(String name)", context=True)
def get_agent_schedule_id(ctx, name: str) -> int:
    """dbi_agent_schedule.id_string -> its id; -1 when none matches."""
    return _first(ctx, "SELECT id FROM dbi_agent_schedule WHERE id_string = ?", (name,), "dbi_agent_schedule")


@builtin("Integer getScriptId(String idString)", context=True)
def get_script_id(ctx, id_string: str) -> int:
    """ejscript.unique_identifier -> its id; 0 when none matches."""
    return _first(ctx, "SELECT id FROM ejscript WHERE unique_identifier = ?", (id_string,), "ejscript", 0)


@builtin("Integer getDocumentId(String name)", context=True)
def get_document_id(ctx, name: str) -> int:
    """document.name -> document_id; -1 when none has it."""
    return _first(ctx, "SELECT document_id FROM document WHERE name = ? ORDER BY document_id", (name,), "document")


@builtin("String getCustomerMainEmail(Integer custId)", context=True)
def get_customer_main_email(ctx, cust_id: int) -> str:
    """The person's e-mail address of the lowest rank; "" when none."""
    return as_text(_first(ctx, "SELECT email_address FROM email WHERE person_id = ? AND person_id <> 0 "
                               "ORDER BY rank, email_id", (cust_id,), "email", ""))


def _template_body(ctx: Any, template_id: int, lang_id: int, column: str) -> str:
    """The body row in that language, else the template's first body row (langId -1: the default)."""
    rows = query(ctx, f"SELECT language_id, {column} FROM reply_template_body WHERE reply_template_id = ? "
                      "ORDER BY id", (template_id,), "reply_template_body")
    chosen = next((row for row in rows if row[0] == lang_id), rows[0] if rows else None)
    return as_text(chosen[1]) if chosen else ""


@builtin("String getReplyTemplateBody(Integer id, Bool useHTML, Integer langId)", context=True)
def get_reply_template_body(ctx, template_id: int, use_html: bool, lang_id: int) -> str:
    return _template_body(ctx, template_id, lang_id, "body_html" if use_html else "body_plain")


@builtin("String getReplyTemplateSubject(Integer id, Integer langId)", context=True)
def get_reply_template_subject(ctx, template_id: int, lang_id: int) -> str:
    return _template_body(ctx, template_id, lang_id, "subject")


@builtin("Integer findReplyTemplateToMerge(Integer categoryId)", context=True)
def find_reply_template_to_merge(ctx, category_id: int) -> int:
    """The category's reply_template, else its parent's, up the tree; 0 when none sets one."""
    seen: set[int] = set()
    while category_id and category_id not in seen:
        seen.add(category_id)
        rows = query(ctx, "SELECT reply_template, parent_id FROM ej_category WHERE id = ?", (category_id,),
                     "ej_category")
        if not rows:
            return 0
        if rows[0][0]:
            return rows[0][0]
        category_id = rows[0][1] or 0
    return 0


@builtin("Integer getAttachmentsSize(Integer[] attachmentIds)", context=True)
def get_attachments_size(ctx, ids: list) -> int:
    if not ids:
        return 0
    marks = ", ".join("?" * len(ids))
    return _first(ctx, f"SELECT SUM(att_size) FROM attachment WHERE id IN ({marks})", tuple(ids), "attachment", 0)


@builtin("Integer[] getFavourites(String table)", context=True)
def get_favourites(ctx, table: str) -> Array:
    """The logged-in user's favourites in that table (Favourite rows of the user's associate)."""
    schema = ctx.crm.schema
    if not schema.has_table(table):  # an unknown table has no favourites
        return Array(int, [])
    number = schema.table(table).number
    from .user import _derived, get_active_user

    associate = int(_derived(ctx, get_active_user(ctx), "associateid") or 0)
    rows = query(ctx, "SELECT record_id FROM Favourite WHERE table_id = ? AND associate_id = ? ORDER BY Rank, "
                      "Favourite_id", (number, associate), "Favourite")
    return Array(int, [row[0] for row in rows])


@builtin("Integer[] getSelectionIds(Integer id)", context=True)
def get_selection_ids(ctx, selection_id: int) -> Array:
    """The members of a selection: their target record ids (else person, else contact ids)."""
    rows = query(ctx, "SELECT targetRecordId, person_id, contact_id FROM selectionmember WHERE selection_id = ? "
                      "ORDER BY selectionmember_id", (selection_id,), "selectionmember")
    return Array(int, [next((v for v in row if v), 0) for row in rows])


@builtin("Bool invoiceTypesExists()", context=True)
def invoice_types_exists(ctx) -> bool:
    return bool(query(ctx, "SELECT 1 FROM invoice_type LIMIT 1", (), "invoice_type"))


@builtin("Integer getSystemFlags()", context=True)
def get_system_flags(ctx) -> int:
    """config.flags of the fixture's config row (0 without one)."""
    return _first(ctx, "SELECT flags FROM config ORDER BY id LIMIT 1", (), "config", 0)


@builtin("String convertStatus(Integer status)")
def convert_status(status: int) -> str:
    """A ticket's base status by its number: 1 -> "Active" (English names)."""
    from .schema import reference_schema

    names = {value: name for name, value in reference_schema().enums["TicketBaseStatus"].items()}
    return names.get(status, "")


# ------------------------------------------------------------- attachments


def _new_attachment(ctx: Any, name: str, data: bytes, content_type: str) -> int:
    session = ctx.crm
    database = session.database
    database.ensure_table(session.schema.table("attachment"))
    database.begin_write()
    return database.execute("INSERT INTO attachment (name, att_size, content_type) VALUES (?, ?, ?)",
                            (name, len(data), content_type)).lastrowid


@builtin("Integer copyCRMDocumentToAttachment(Integer crmDocId)", context=True)
def copy_crm_document_to_attachment(ctx, document_id: int) -> int:
    """A new attachment row named after the document; its bytes are the
    fixture file `documents/<id>` when there is one (else empty)."""
    rows = query(ctx, "SELECT name FROM document WHERE document_id = ?", (document_id,), "document")
    if not rows:
        raise CRMScriptRuntimeError(f"copyCRMDocumentToAttachment: there is no document with id {document_id}")
    data = fixture_of(ctx).files.get(f"documents/{document_id}", b"")
    return _new_attachment(ctx, as_text(rows[0][0]), data, "application/octet-stream")


@builtin("Integer saveCgiAttachment(String varName)", context=True)
def save_cgi_attachment(ctx, var_name: str) -> int:
    """The CGI variable names an uploaded file of the fixture's `files:`; a new attachment row for it."""
    names = list(get_cgi_variable_array(ctx, var_name))
    return _save_upload(ctx, names[0]) if names else 0


@builtin("Integer[] saveAllCgiAttachments(String name)", context=True)
def save_all_cgi_attachments(ctx, name: str) -> Array:
    return Array(int, [_save_upload(ctx, path) for path in get_cgi_variable_array(ctx, name)])


def _save_upload(ctx: Any, path: str) -> int:
    files = fixture_of(ctx).files
    if path not in files:
        raise CRMScriptRuntimeError(f"saveCgiAttachment: the uploaded file '{path}' is not in the fixture's files:")
    return _new_attachment(ctx, path.rsplit("/", 1)[-1], files[path], "application/octet-stream")


# ------------------------------------------------------------- executeSQLQuery

_MISSING_TABLE = re.compile(r"no such table: (?:main\.)?(\w+)")
_PROGRESS_STEPS = 10_000  # SQLite VM steps between two looks at the clock
# The authorizer's actions that only read: SELECT, READ, FUNCTION, RECURSIVE (sqlite3's constants;
# the module is imported when a query first runs, not with the library).
_READ_ONLY = frozenset({21, 20, 31, 33})
_SQLITE_OK, _SQLITE_DENY = 0, 1


def _read_only(action: int, *_: object) -> int:
    return _SQLITE_OK if action in _READ_ONLY else _SQLITE_DENY


@builtin("Void executeSQLQuery(String sql)", context=True)
def execute_sql_query(ctx, sql: str) -> None:
    """Runs read-only SQL (SELECT) on the run's database; anything that would
    write is refused with a catchable error, as is an error in the SQL."""
    import sqlite3

    session = ctx.crm
    database = session.database
    connection = database.connection
    deadline = run_deadline(ctx)
    for _attempt in range(20):  # a table the image lacks is created, empty, and the query tried again
        connection.set_authorizer(_read_only)
        # a query that runs past the run's deadline (a recursive WITH without end) is interrupted
        connection.set_progress_handler(lambda: clock() > deadline, _PROGRESS_STEPS)
        try:
            for _row in database.execute(sql):  # read and dropped: the function returns nothing
                pass
            return
        except sqlite3.DatabaseError as error:
            if clock() > deadline:
                raise time_limit_error(ctx) from None
            missing = _MISSING_TABLE.search(str(error))
            if missing is None or missing[1].lower() in database.tables or not session.schema.has_table(missing[1]):
                reason = "only read-only SQL runs offline" if "not authorized" in str(error) else str(error)
                raise CRMScriptRuntimeError(f"executeSQLQuery: {reason}") from None
        finally:
            connection.set_authorizer(None)
            connection.set_progress_handler(None, 0)
        database.ensure_table(session.schema.table(missing[1]))
    raise CRMScriptRuntimeError("executeSQLQuery: the query names too many tables")


# ------------------------------------------------------------- faqSearch

ACCESS_PUBLIC = 4  # AccessPrivate 1 < AccessInternal 2 < AccessRegisteredCustomers 3 < AccessPublic 4


def _faq_score(words: list[str], texts: tuple) -> float:
    """The share of the search words that some text contains, in percent."""
    haystack = " ".join(as_text(text) for text in texts).lower()
    return 100.0 * sum(1 for word in words if word in haystack) / len(words)


def _kb_categories_under(ctx: Any, root: int) -> set[int] | None:
    """The category `root` and the ones below it; None for -1 (the whole tree)."""
    if root == -1:
        return None
    children: dict[int, list[int]] = {}
    for category_id, parent_id in query(ctx, "SELECT id, parent_id FROM kb_category", (), "kb_category"):
        children.setdefault(parent_id or 0, []).append(category_id)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@builtin("Parser faqSearch(Integer root, Integer access, String message, Parser p, Integer max)", context=True)
def faq_search(ctx, root: int, access: int, message: str, parser: Any, maximum: int) -> Any:
    """Fills the parser's faq.entry* and faq.category* arrays with the best
    hits first (docs/globals.md: the score is the share of the words found)."""
    from .services_site import program_url

    words = [word for word in re.findall(r"\w+", message.lower()) if len(word) > 1]
    under = _kb_categories_under(ctx, root)
    link = program_url(ctx, 16)
    entries = [(round(_faq_score(words, row[1:5]), 2), row) for row in query(
        ctx, "SELECT id, title, question, answer, keywords, category_id, access_level FROM kb_entry ORDER BY id",
        (), "kb_entry") if (row[6] or ACCESS_PUBLIC) >= access and (under is None or row[5] in under)] if words else []
    categories = [(round(_faq_score(words, row[1:3]), 2), row) for row in query(
        ctx, "SELECT id, name, description, access_level FROM kb_category ORDER BY id", (), "kb_category")
        if (row[3] or ACCESS_PUBLIC) >= access and (under is None or row[0] in under)] if words else []
    limit = maximum if maximum >= 0 else None
    for score, row in sorted((e for e in entries if e[0] > 0), key=lambda e: (-e[0], e[1][0]))[:limit]:
        for name, value in (("entryId", str(row[0])), ("entryName", as_text(row[1])),
                            ("entryLink", f"{link}&action=faqEntry&id={row[0]}"),
                            ("entryQuestion", as_text(row[2])), ("entryScore", f"{score:.2f}")):
            parser.variables.setdefault(f"faq.{name}".lower(), []).append(value)
    for score, row in sorted((c for c in categories if c[0] > 0), key=lambda c: (-c[0], c[1][0]))[:limit]:
        for name, value in (("categoryId", str(row[0])), ("categoryName", as_text(row[1])),
                            ("categoryLink", f"{link}&action=faqCategory&id={row[0]}"),
                            ("categoryDescription", as_text(row[2])), ("categoryScore", f"{score:.2f}")):
            parser.variables.setdefault(f"faq.{name}".lower(), []).append(value)
    return parser
