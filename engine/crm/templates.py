"""The customer-service lists and texts: ReplyTemplate (reply_template and
reply_template_body), Category (ej_category), Priority, Attachment
(attachment; its bytes from files next to the fixture), Knowledge
(kb_entry) and Profile (profile). docs/crm-records.md.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Array
from ..runtime.table import LIBRARY, builtin
from . import DEMO_NAME, records as rec
from .formats import as_text
from .parser import Parser

# ------------------------------------------------------------ ReplyTemplate

BODY_COLUMNS = ("subject", "body_plain", "body_html", "body_sms")


class ReplyTemplate:
    __slots__ = ("id", "name")

    def __init__(self) -> None:
        self.id = 0
        self.name = ""


def template_texts(ctx: Any, template_id: int, language: int) -> dict[str, str] | None:
    """The texts of a template in `language` (a cust_lang id): that body, else
    the body without a language (0 or -1), else the first; None when the
    template does not exist; empty texts when it has no body."""
    db = rec.database(ctx, "reply_template", "reply_template_body")
    if db.execute("SELECT 1 FROM reply_template WHERE id = ?", (template_id,)).fetchone() is None:
        return None
    rows = db.execute(f"SELECT language_id, {', '.join(BODY_COLUMNS)} FROM reply_template_body "
                      "WHERE reply_template_id = ? ORDER BY id", (template_id,)).fetchall()
    chosen = next((r for r in rows if r[0] == language), None) \
        or next((r for r in rows if r[0] in (0, -1, None)), None) or (rows[0] if rows else None)
    if chosen is None:
        return dict.fromkeys(BODY_COLUMNS, "")
    return {column: as_text(value) for column, value in zip(BODY_COLUMNS, chosen[1:], strict=True)}


def _text(ctx: Any, template: ReplyTemplate, language: int, column: str) -> str:
    if not template.id:
        return ""
    texts = template_texts(ctx, template.id, language)
    return texts[column] if texts else ""


@builtin("ReplyTemplate ReplyTemplate()")
def template_new() -> ReplyTemplate:
    return ReplyTemplate()


@builtin("Bool ReplyTemplate.load(Integer id)", context=True)
def template_load(ctx, self: ReplyTemplate, template_id: int) -> bool:
    row = rec.database(ctx, "reply_template").execute(
        "SELECT id, name FROM reply_template WHERE id = ?", (template_id,)).fetchone()
    self.id, self.name = (row[0], as_text(row[1])) if row else (0, "")
    return row is not None


@builtin("String ReplyTemplate.getName()")
def template_name(self: ReplyTemplate) -> str:
    return self.name


@builtin("String ReplyTemplate.getSubject(Integer language)", context=True)
def template_subject(ctx, self: ReplyTemplate, language: int) -> str:
    return _text(ctx, self, language, "subject")


@builtin("String ReplyTemplate.getPlainBody(Integer language)", context=True)
def template_plain(ctx, self: ReplyTemplate, language: int) -> str:
    return _text(ctx, self, language, "body_plain")


@builtin("String ReplyTemplate.getHtmlBody(Integer language)", context=True)
def template_html(ctx, self: ReplyTemplate, language: int) -> str:
    return _text(ctx, self, language, "body_html")


@builtin("String ReplyTemplate.getSmsBody(Integer language)", context=True)
def template_sms(ctx, self: ReplyTemplate, language: int) -> str:
    return _text(ctx, self, language, "body_sms")


@builtin("Integer[] ReplyTemplate.getAttachments(Integer lang)", context=True)
def template_attachments(ctx, self: ReplyTemplate, language: int) -> Array:
    """The template's attachments (reply_template_attachment; the same in every language)."""
    db = rec.database(ctx, "reply_template_attachment")
    return Array(lambda: 0, [row[0] for row in db.execute(
        "SELECT attachment_id FROM reply_template_attachment WHERE entry_id = ? ORDER BY id", (self.id,))])


LIBRARY.register_class("ReplyTemplate", ReplyTemplate, default=ReplyTemplate)


# ---------------------------------------------------- simple record classes


class Category(rec.Record):
    __slots__ = ()
    kind = rec.Kind("Category", "ej_category", parser_prefix="category")


rec.register_record_class(Category)


class Priority:
    __slots__ = ()


@builtin("Priority Priority()")
def priority_new() -> Priority:
    return Priority()


@builtin("Void Priority.checkEscalating(Integer ticketId, Integer action)", context=True)
def priority_check_escalating(ctx, self: Priority, ticket_id: int, action: int) -> None:
    """Escalation is not simulated: the action is checked, nothing changes."""
    rec.check_action(action)


LIBRARY.register_class("Priority", Priority, default=Priority)


# --------------------------------------------------------------- Attachment


class Attachment(rec.Record):
    """An attachment row; its bytes are a file next to the fixture (attachment_bytes)."""

    __slots__ = ()
    kind = rec.Kind("Attachment", "attachment", parser_prefix="attachment")


rec.register_record_class(Attachment, savable=False)


def attachment_bytes(ctx: Any, attachment: Attachment) -> bytes:
    """The attachment's content: set by saveBase64 in this run, else the fixture
    file `<location>/<name>` next to the fixture (the location is the
    attachment_location row's path, `attachments` without one)."""
    if "content" in attachment.extra:
        return attachment.extra["content"]
    if not attachment.id:
        raise CRMScriptRuntimeError("Attachment: nothing is loaded")
    path = attachment_file(ctx, attachment)
    try:
        return path.read_bytes()
    except OSError:
        raise CRMScriptRuntimeError(f"Attachment {attachment.id}: no file {path} for its content "
                                    "(docs/crm-records.md: attachments)") from None


def attachment_file(ctx: Any, attachment: Attachment) -> Path:
    from .fixture import DEMO_FILE  # (here: importing the library must not load YAML)

    fixture = ctx.crm.fixture
    base = DEMO_FILE.parent if fixture is None or fixture.name == DEMO_NAME else Path(fixture.name).parent
    location = "attachments"
    location_id = rec.current(attachment, "attachment_location_id") or 0
    if location_id:
        row = rec.database(ctx, "attachment_location").execute(
            "SELECT path FROM attachment_location WHERE attachment_location_id = ?", (location_id,)).fetchone()
        location = as_text(row[0]) if row and row[0] else location
    path = (base / location / as_text(rec.current(attachment, "name"))).resolve()
    if not path.is_relative_to(base.resolve()):  # the fixture's own files only, never elsewhere on the host
        raise CRMScriptRuntimeError(f"Attachment {attachment.id}: {location}/{rec.current(attachment, 'name')} "
                                    "is outside the fixture's directory")
    return path


@builtin("Integer Attachment.save()", context=True)
def attachment_save(ctx, self: Attachment) -> int:
    """Writes the row (the content set by saveBase64 stays with the run's object)."""
    content = self.extra.get("content")
    if content is not None:
        self.changes.setdefault("att_size", len(content))
    return rec.write(ctx, self)


@builtin("Integer Attachment.saveBase64(String attachment)", context=True)
def attachment_save_base64(ctx, self: Attachment, text: str) -> int:
    try:
        self.extra["content"] = base64.b64decode(text, validate=True)
    except ValueError:
        raise CRMScriptRuntimeError("Attachment.saveBase64: the text is not Base64") from None
    return attachment_save(ctx, self)


@builtin("String Attachment.getRaw()", context=True)
def attachment_raw(ctx, self: Attachment) -> str:
    return attachment_bytes(ctx, self).decode("latin-1")


@builtin("String Attachment.getBase64()", context=True)
def attachment_base64(ctx, self: Attachment) -> str:
    return base64.b64encode(attachment_bytes(ctx, self)).decode("ascii")


@builtin("String Attachment.getDownloadUrl(Bool external, Bool saveToDisk)", context=True)
def attachment_url(ctx, self: Attachment, external: bool, save_to_disk: bool) -> str:
    """A link on the simulator's placeholder host (nothing is served there)."""
    kind = "external" if external else "internal"
    return (f"https://crm.example.invalid/{kind}/attachment?id={self.id}"
            f"&key={as_text(rec.current(self, 'auth_key'))}{'&download=1' if save_to_disk else ''}")


@builtin("Bool Attachment.dump()", context=True)
def attachment_dump(ctx, self: Attachment) -> bool:
    """Writes the content to the script's output (a CGI script's response)."""
    ctx.write(attachment_bytes(ctx, self).decode("latin-1"))
    return True


@builtin("Bool Attachment.dump(Bool download)", context=True)
def attachment_dump_download(ctx, self: Attachment, download: bool) -> bool:
    return attachment_dump(ctx, self)


@builtin("Void Attachment.remove()", context=True)
def attachment_remove(ctx, self: Attachment) -> None:
    rec.delete(ctx, self)


LIBRARY.register_class("Attachment", Attachment, default=Attachment)


# ---------------------------------------------------------- Knowledge, Profile


class Knowledge:
    __slots__ = ()


@builtin("Knowledge Knowledge()")
def knowledge_new() -> Knowledge:
    return Knowledge()


@builtin("String Knowledge.buildExternalEntryURLWithParser(Integer kbId, Parser parser)", context=True)
def knowledge_url(ctx, self: Knowledge, kb_id: int, parser: Parser) -> str:
    """The entry's Customer Centre link on the placeholder host, also set as
    the parser variable `faq.url`."""
    url = f"https://crm.example.invalid/external/faq?id={kb_id}"
    parser.set("faq.url", url)
    return url


@builtin("Void Knowledge.rebuildFaqSearch(Integer kbEntryId, String originalTitle)", context=True)
def knowledge_rebuild(ctx, self: Knowledge, entry_id: int, title: str) -> None:
    """There is no search index offline: checks that the entry exists."""
    row = rec.database(ctx, "kb_entry").execute("SELECT 1 FROM kb_entry WHERE id = ?", (entry_id,)).fetchone()
    if row is None:
        raise CRMScriptRuntimeError(f"Knowledge.rebuildFaqSearch: no FAQ entry {entry_id}")


LIBRARY.register_class("Knowledge", Knowledge, default=Knowledge)


class Profile:
    __slots__ = ()


@builtin("Profile Profile()")
def profile_new() -> Profile:
    return Profile()


@builtin("String[] Profile.getListTicketsFields(Integer user)", context=True)
def profile_ticket_fields(ctx, self: Profile, user: int) -> Array:
    """The columns of the user's request list: the profile's list_tickets_header
    (comma-separated), the user's profile by ejuser.profile_id."""
    db = rec.database(ctx, "ejuser", "profile")
    row = db.execute("SELECT p.list_tickets_header FROM ejuser u JOIN profile p ON p.id = u.profile_id "
                     "WHERE u.id = ?", (user,)).fetchone()
    fields = [part.strip() for part in as_text(row[0] if row else "").split(",") if part.strip()]
    return Array(lambda: "", fields)


LIBRARY.register_class("Profile", Profile, default=Profile)
