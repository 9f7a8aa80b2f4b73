"""Ticket and Message (CRMScript.Native.Ticket, .Message): requests and their
messages over the tables ticket, ticket_customers, ticket_log, ej_message
and ticket_attachment, as docs/requests/*.md describe them
(docs/crm-records.md has the decisions where the docs are silent).
"""

from __future__ import annotations

import html
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..runtime.collections import Array, Vector
from ..runtime.table import LIBRARY, builtin
from . import records as rec
from .formats import as_text
from .outbox import send as send_to_outbox
from .parser import Parser
from .stringmatrix import StringMatrix
from .templates import Attachment, attachment_url, template_texts

# ticket_log.log_code values this simulator writes (the schema lists none)
LOG_CREATED, LOG_CHANGED, LOG_MESSAGE = 1, 2, 3
STATUS_CLOSED = 2
AUTOMATIC_OWNER = -1  # ownedBy -1: save() delegates by the category's rules


def _customer_ids(ctx: Any, ticket: rec.Record) -> list[int]:
    """The ticket's customers: the primary first, then ticket_customers, then those not saved yet."""
    ids: list[int] = []
    primary = int(rec.current(ticket, "cust_id") or 0)
    if primary > 0:
        ids.append(primary)
    if ticket.id:
        db = rec.database(ctx, "ticket_customers")
        ids += [row[0] for row in db.execute(
            "SELECT customer_id FROM ticket_customers WHERE ticket_id = ? ORDER BY id", (ticket.id,))]
    ids += ticket.extra.get("secondary", [])
    return list(dict.fromkeys(i for i in ids if i > 0))


def _set_customers(ctx: Any, ticket: rec.Record, value: str) -> None:
    ticket.extra["secondary"] = [rec.text_to_int("Ticket", "customers", part)
                                 for part in value.split(",") if part.strip()]


TICKET = rec.Kind(
    "Ticket", "ticket", parser_prefix="ticket",
    corrections={"ticket_customers": "customers", "stop_escalation": "alert_stop"},
    derived={"customers": rec.Derived("ticket_customers.customer_id",
                                      lambda ctx, t: ",".join(map(str, _customer_ids(ctx, t))), _set_customers)},
)


class Ticket(rec.Record):
    __slots__ = ()
    kind = TICKET


def _user_row(ctx: Any, user_id: object) -> dict[str, object] | None:
    if not user_id:
        return None
    db = rec.database(ctx, "ejuser")
    cursor = db.execute("SELECT * FROM ejuser WHERE id = ?", (int(user_id),))
    row = cursor.fetchone()
    return rec.row_dict(cursor, row) if row else None


def _full_name(row: dict[str, object]) -> str:
    return " ".join(as_text(row.get(k)) for k in ("firstname", "lastname") if row.get(k)) or as_text(row.get("username"))


def _sync_status(ctx: Any, ticket: Ticket) -> None:
    """status (the base status) and ticket_status (a ticket_status row) agree,
    as the product keeps them: setting one sets the other."""
    changes = ticket.changes
    db = rec.database(ctx, "ticket_status")
    if "status" in changes and "ticket_status" not in changes:
        row = db.execute("SELECT id FROM ticket_status WHERE status = ? ORDER BY ts_rank, id LIMIT 1",
                         (changes["status"],)).fetchone()
        if row:
            changes["ticket_status"] = row[0]
    elif "ticket_status" in changes and "status" not in changes:
        row = db.execute("SELECT status FROM ticket_status WHERE id = ?", (changes["ticket_status"],)).fetchone()
        if row:
            changes["status"] = row[0]


def save_ticket(ctx: Any, ticket: Ticket, log_text: str = "") -> int:
    """Ticket.save and its variants: writes the row, its customers and the ticket log."""
    now = rec.now_text(ctx)
    new = not ticket.id
    changed = bool(ticket.changes) or bool(ticket.extra.get("secondary"))
    _sync_status(ctx, ticket)
    if rec.current(ticket, "owned_by") == AUTOMATIC_OWNER:  # "automatically assigned" (lib-ticket.crm)
        ticket.changes["owned_by"] = 0
        delegate(ctx, ticket, 0)
    if rec.current(ticket, "status") == STATUS_CLOSED and not rec.current(ticket, "closed_at"):
        ticket.changes["closed_at"] = now
    if not new and changed and "last_changed" not in ticket.changes:
        ticket.changes["last_changed"] = now
    user = ctx.crm.user
    defaults: dict[str, object] = {}
    if new:
        defaults = {"created_at": now, "last_changed": now, "created_by": user or 1, "owned_by": user or 1,
                    "status": 1, "ticket_status": 1, "slevel": 2, "read_status": 1}
    rec.write(ctx, ticket, defaults)
    _save_customers(ctx, ticket)
    if new or changed:
        write_log(ctx, ticket.id, LOG_CREATED if new else LOG_CHANGED, "created" if new else "changed")
    if log_text:
        write_log(ctx, ticket.id, LOG_MESSAGE, log_text)
    return ticket.id


def _save_customers(ctx: Any, ticket: Ticket) -> None:
    wanted = _customer_ids(ctx, ticket)
    ticket.extra.pop("secondary", None)
    db = rec.database(ctx, "ticket_customers")
    have = {row[0] for row in db.execute("SELECT customer_id FROM ticket_customers WHERE ticket_id = ?",
                                         (ticket.id,))}
    for customer in wanted:
        if customer not in have:
            db.execute("INSERT INTO ticket_customers (ticket_id, customer_id) VALUES (?, ?)", (ticket.id, customer))


def write_log(ctx: Any, ticket_id: int, code: int, description: str, who: str = "") -> None:
    db = rec.database(ctx, "ticket_log")
    db.begin_write()
    if not who:
        row = _user_row(ctx, ctx.crm.user)
        who = as_text(row.get("username")) if row else ""
    db.execute("INSERT INTO ticket_log (ticket_id, log_code, log_who, log_when, log_description) "
               "VALUES (?, ?, ?, ?, ?)", (ticket_id, code, who, rec.now_text(ctx), description))


def ticket_parser_values(ctx: Any, ticket: Ticket, as_html: bool) -> dict[str, str]:
    values = rec.parser_values(ctx, ticket)
    db = rec.database(ctx, "ej_category", "person", "contact")
    category = db.execute("SELECT fullname, name FROM ej_category WHERE id = ?",
                          (rec.current(ticket, "category") or 0,)).fetchone()
    values["ticket.category.fullname"] = as_text(category[0]) if category else ""
    values["ticket.category.name"] = as_text(category[1]) if category else ""
    owner = _user_row(ctx, rec.current(ticket, "owned_by"))
    values["ticket.owner"] = _full_name(owner) if owner else ""
    customer = db.execute("SELECT p.firstname, p.lastname, c.name FROM person p LEFT JOIN contact c "
                          "ON c.contact_id = p.contact_id WHERE p.person_id = ?",
                          (rec.current(ticket, "cust_id") or 0,)).fetchone()
    values["ticket.custName"] = " ".join(filter(None, map(as_text, customer[:2]))) if customer else ""
    values["ticket.custCompany"] = as_text(customer[2]) if customer else ""
    values["ticket.custEmail"] = _first_email(ctx, int(rec.current(ticket, "cust_id") or 0))
    values["ticket.url"] = f"https://crm.example.invalid/ticket?id={ticket.id}"  # the placeholder host
    if as_html:
        values = {name: html.escape(value, quote=False) for name, value in values.items()}
    return values


def _first_email(ctx: Any, person_id: int) -> str:
    if person_id <= 0:
        return ""
    row = rec.database(ctx, "email").execute(
        "SELECT email_address FROM email WHERE person_id = ? ORDER BY rank, email_id LIMIT 1", (person_id,)).fetchone()
    return as_text(row[0]) if row else ""


def _owner_address(ctx: Any, ticket: Ticket) -> tuple[str, str]:
    owner = _user_row(ctx, rec.current(ticket, "owned_by"))
    if owner is None:
        return "", ""
    return _full_name(owner), as_text(owner.get("email"))


def send(ctx: Any, kind: str, sender: str, **fields: Any) -> None:
    """Into the run's outbox, named in the run's log as Email.send names its
    mail (`outbox: mail to a@b.example: subject`), so --trace and a failing case show it."""
    send_to_outbox(ctx, kind, sender, **fields)
    recipients = [str(a) for key in ("to", "cc", "bcc") for a in fields.get(key, ())]
    ctx.add_log("outbox", f"{kind} to {', '.join(recipients) or '(nobody)'}: {fields.get('subject', '')}")


# ------------------------------------------------------------------ Ticket


@builtin("Ticket Ticket()")
def ticket_new() -> Ticket:
    return Ticket()


@builtin("Bool Ticket.load(Integer id)", context=True)
def ticket_load(ctx, self: Ticket, ticket_id: int) -> bool:
    self.extra.clear()
    return rec.load(ctx, self, ticket_id)


@builtin("String Ticket.getValue(String colName)", context=True)
def ticket_get_value(ctx, self: Ticket, name: str) -> str:
    return rec.get_value(ctx, self, name)


@builtin("Void Ticket.setValue(String colName, String value)", context=True)
def ticket_set_value(ctx, self: Ticket, name: str, value: str) -> None:
    rec.set_value(ctx, self, name, value)


@builtin("Integer Ticket.save()", context=True)
def ticket_save(ctx, self: Ticket) -> int:
    return save_ticket(ctx, self)


@builtin("Integer Ticket.save(String log)", context=True)
def ticket_save_log(ctx, self: Ticket, log: str) -> int:
    """Also writes `log` to the ticket log."""
    return save_ticket(ctx, self, log)


@builtin("Integer Ticket.save(Bool setReadStatus, Bool doNotCheckEscalating)", context=True)
def ticket_save_flags(ctx, self: Ticket, set_read_status: bool, no_escalation: bool) -> int:
    """Escalation is not simulated: doNotCheckEscalating changes nothing;
    setReadStatus marks the ticket read by its owner."""
    if set_read_status:
        self.changes.setdefault("read_by_owner", rec.now_text(ctx))
    return save_ticket(ctx, self)


@builtin("Integer Ticket.save(String log, Bool setReadStatus, Bool doNotCheckEscalating)", context=True)
def ticket_save_log_flags(ctx, self: Ticket, log: str, set_read_status: bool, no_escalation: bool) -> int:
    if set_read_status:
        self.changes.setdefault("read_by_owner", rec.now_text(ctx))
    return save_ticket(ctx, self, log)


@builtin("Void Ticket.log(String message)", context=True)
def ticket_log(ctx, self: Ticket, message: str) -> None:
    """Writes a ticket_log row at once (the ticket must be saved)."""
    _need_saved(self, "log")
    write_log(ctx, self.id, LOG_MESSAGE, message)


@builtin("Void Ticket.log(String who, String message)", context=True)
def ticket_log_who(ctx, self: Ticket, who: str, message: str) -> None:
    _need_saved(self, "log")
    write_log(ctx, self.id, LOG_MESSAGE, message, who or " ")


def _need_saved(ticket: Ticket, member: str) -> None:
    if not ticket.id:
        raise CRMScriptRuntimeError(f"Ticket.{member}: the ticket is not saved yet (call load() or save() first)")


@builtin("Void Ticket.addSecondaryCustomers(Vector ids)", context=True)
def ticket_add_secondary(ctx, self: Ticket, ids: Vector) -> None:
    """The customers are added by the next save()."""
    pending = self.extra.setdefault("secondary", [])
    pending += [rec.text_to_int("Ticket", "addSecondaryCustomers", i) for i in ids if str(i).strip()]


@builtin("String Ticket.buildEmailSubject()", context=True)
def ticket_email_subject(ctx, self: Ticket) -> str:
    """`[ID:<id>] <title>`: the e-mail tag, the id and the title."""
    return f"[ID:{self.id}] {as_text(rec.current(self, 'title'))}"


@builtin("String Ticket.getMailFrom()", context=True)
def ticket_mail_from(ctx, self: Ticket) -> str:
    """The category's notification address, else the owner's address."""
    row = rec.database(ctx, "ej_category").execute(
        "SELECT notification_email FROM ej_category WHERE id = ?", (rec.current(self, "category") or 0,)).fetchone()
    if row and row[0]:
        return as_text(row[0]).split(",")[0].strip()
    return _owner_address(ctx, self)[1]


@builtin("String Ticket.getOwnerEmail()", context=True)
def ticket_owner_email(ctx, self: Ticket) -> str:
    name, address = _owner_address(ctx, self)
    return f'"{name}" <{address}>' if address else ""


@builtin("String Ticket.getOwnerSms()", context=True)
def ticket_owner_sms(ctx, self: Ticket) -> str:
    owner = _user_row(ctx, rec.current(self, "owned_by"))
    return as_text(owner.get("sms")) if owner else ""


@builtin("String Ticket.getInvolvedOnly()", context=True)
def ticket_involved_only(ctx, self: Ticket) -> str:
    """The addresses that got or sent a message on the ticket (message_customers,
    ej_message.customer_id) but are not the ticket's customers'."""
    if not self.id:
        return ""
    customers = set(_customer_ids(ctx, self))
    db = rec.database(ctx, "ej_message", "message_customers")
    rows = db.execute(
        "SELECT mc.customer_id, mc.email FROM message_customers mc JOIN ej_message m ON m.id = mc.message_id "
        "WHERE m.ticket_id = ? UNION ALL SELECT customer_id, '' FROM ej_message WHERE ticket_id = ? "
        "AND customer_id > 0", (self.id, self.id)).fetchall()
    addresses = [as_text(email) or _first_email(ctx, person) for person, email in rows if person not in customers]
    return ",".join(dict.fromkeys(a for a in addresses if a))


@builtin("Void Ticket.toParser(Parser theParser)", context=True)
def ticket_to_parser(ctx, self: Ticket, parser: Parser) -> None:
    """The ticket's values as `ticket.<field>`, HTML-escaped."""
    parser.update(ticket_parser_values(ctx, self, as_html=True))


@builtin("Void Ticket.toParserRaw(Parser theParser)", context=True)
def ticket_to_parser_raw(ctx, self: Ticket, parser: Parser) -> None:
    parser.update(ticket_parser_values(ctx, self, as_html=False))


@builtin("Void Ticket.checkEscalating(Integer action)", context=True)
def ticket_check_escalating(ctx, self: Ticket, action: int) -> None:
    """Escalation is not simulated: the action is checked, nothing changes."""
    rec.check_action(action)


@builtin("Void Ticket.delegate()", context=True)
def ticket_delegate(ctx, self: Ticket) -> None:
    delegate(ctx, self, 0)


@builtin("Void Ticket.delegate(Integer notUser)", context=True)
def ticket_delegate_not(ctx, self: Ticket, not_user: int) -> None:
    delegate(ctx, self, not_user)


def delegate(ctx: Any, ticket: Ticket, not_user: int) -> None:
    """A new owner among the category's members (category_membership), the one
    with the fewest active tickets (then the lowest id), never `not_user`;
    without members, the category's master. Takes effect on save()."""
    db = rec.database(ctx, "category_membership", "ej_category", "ticket")
    category = rec.current(ticket, "category") or 0
    members = [row[0] for row in db.execute(
        "SELECT user_id FROM category_membership WHERE category_id = ? ORDER BY user_id", (category,))]
    members = [m for m in members if m != not_user]
    if not members:
        row = db.execute("SELECT category_master FROM ej_category WHERE id = ?", (category,)).fetchone()
        members = [row[0]] if row and row[0] and row[0] != not_user else []
    if not members:
        return

    def load(user: int) -> tuple[int, int]:
        count = db.execute("SELECT count(*) FROM ticket WHERE owned_by = ? AND status = 1 AND id <> ?",
                           (user, ticket.id)).fetchone()[0]
        return count, user

    ticket.changes["owned_by"] = min(members, key=load)


@builtin("Bool Ticket.notifyEmail(Integer replyTemplateId)", context=True)
def ticket_notify_email(ctx, self: Ticket, template_id: int) -> bool:
    """Mails the owner the reply template filled with the ticket (to the outbox);
    false when the owner has no address or the template does not exist."""
    name, address = _owner_address(ctx, self)
    texts = template_texts(ctx, template_id, 0)
    if not address or texts is None:
        return False
    parser = Parser()
    parser.update(ticket_parser_values(ctx, self, as_html=False))
    send(ctx, "mail", "Ticket.notifyEmail", to=[f'"{name}" <{address}>'], subject=parser.parse(texts["subject"]),
         body=parser.parse(texts["body_plain"]), bodyHtml=parser.parse(texts["body_html"]), ticketId=self.id)
    return True


@builtin("Bool Ticket.sendMessages(String subject, StringMatrix recipients, Bool fromCust, String messages, "
         "Integer msgId, String comment)", context=True)
def ticket_send_messages(ctx, self: Ticket, subject: str, recipients: StringMatrix, from_cust: bool,
                         messages: str, msg_id: int, comment: str) -> bool:
    """Forwards messages: one mail (to the outbox) with the comment, then each
    message's body, separated by a line. A recipients row is (to|cc|bcc, name, address)."""
    fields: dict[str, list[str]] = {"to": [], "cc": [], "bcc": []}
    for row in recipients.rows:
        if len(row) < 2:
            continue
        kind = row[0].strip().lower()
        address = row[-1].strip() if len(row) < 3 else f'"{row[1].strip()}" <{row[2].strip()}>'
        fields.setdefault(kind if kind in fields else "to", []).append(address)
    db = rec.database(ctx, "ej_message")
    bodies = []
    for part in messages.split(","):
        if part.strip():
            row = db.execute("SELECT body FROM ej_message WHERE id = ?",
                             (rec.text_to_int("Ticket", "sendMessages", part),)).fetchone()
            bodies.append(as_text(row[0]) if row else "")
    sender = _first_email(ctx, int(rec.current(self, "cust_id") or 0)) if from_cust else ticket_mail_from(ctx, self)
    send(ctx, "mail", "Ticket.sendMessages", **{"from": sender}, subject=subject,
         body=("\n" + "-" * 40 + "\n").join([comment, *bodies]), ticketId=self.id, **fields)
    return bool(fields["to"] or fields["cc"] or fields["bcc"])


LIBRARY.register_class("Ticket", Ticket, default=Ticket)


# ------------------------------------------------------------------ Message

MESSAGE = rec.Kind("Message", "ej_message", parser_prefix="message")


class Message(rec.Record):
    __slots__ = ()
    kind = MESSAGE


@builtin("Message Message()")
def message_new() -> Message:
    return Message()


@builtin("Bool Message.load(Integer id)", context=True)
def message_load(ctx, self: Message, message_id: int) -> bool:
    self.extra.clear()
    return rec.load(ctx, self, message_id)


@builtin("String Message.getValue(String colName)", context=True)
def message_get_value(ctx, self: Message, name: str) -> str:
    return rec.get_value(ctx, self, name)


@builtin("Void Message.setValue(String colName, String value)", context=True)
def message_set_value(ctx, self: Message, name: str, value: str) -> None:
    rec.set_value(ctx, self, name, value)


def save_message(ctx: Any, message: Message, log_text: str = "") -> int:
    """Writes the message; a new one counts in its ticket's num_messages."""
    new = not message.id
    user = ctx.crm.user
    defaults: dict[str, object] = {}
    if new:
        row = _user_row(ctx, user)
        defaults = {"created_at": rec.now_text(ctx), "created_by": user or 1, "type": 1, "slevel": 1,
                    "author": as_text(row.get("username")) if row else "System"}
    rec.write(ctx, message, defaults)
    ticket_id = int(rec.current(message, "ticket_id") or 0)
    db = rec.database(ctx, "ticket", "ticket_attachment")
    if new and ticket_id:
        db.execute("UPDATE ticket SET num_messages = num_messages + 1 WHERE id = ?", (ticket_id,))
    for attachment in message.extra.pop("attachments", []):
        db.execute("INSERT INTO ticket_attachment (attachment_id, message_id) VALUES (?, ?)",
                   (attachment, message.id))
    for name, value in message.extra.pop("headers", []):
        rec.database(ctx, "message_header").execute(
            "INSERT INTO message_header (message_id, name, value) VALUES (?, ?, ?)", (message.id, name, value))
    involved = message.extra.pop("involved", [])
    if involved:
        save_involved(ctx, message, involved)
    if log_text and ticket_id:
        write_log(ctx, ticket_id, LOG_MESSAGE, log_text)
    return message.id


@builtin("Integer Message.save()", context=True)
def message_save(ctx, self: Message) -> int:
    return save_message(ctx, self)


@builtin("Integer Message.save(String log)", context=True)
def message_save_log(ctx, self: Message, log: str) -> int:
    return save_message(ctx, self, log)


@builtin("Integer Message.save(String log, Bool noNewInfo)", context=True)
def message_save_log_info(ctx, self: Message, log: str, no_new_info: bool) -> int:
    return save_message(ctx, self, log)


@builtin("Integer[] Message.getAttachments()", context=True)
def message_attachments(ctx, self: Message) -> Array:
    ids: list[int] = []
    if self.id:
        db = rec.database(ctx, "ticket_attachment")
        ids = [row[0] for row in db.execute(
            "SELECT attachment_id FROM ticket_attachment WHERE message_id = ? ORDER BY id", (self.id,))]
    return Array(lambda: 0, ids + self.extra.get("attachments", []))


@builtin("Void Message.setAttachments(Vector ids)", context=True)
def message_set_attachments(ctx, self: Message, ids: Vector) -> None:
    """The attachments are linked to the message by the next save()."""
    self.extra["attachments"] = [rec.text_to_int("Message", "setAttachments", i) for i in ids if str(i).strip()]


@builtin("Void Message.addHeader(String type, String value)", context=True)
def message_add_header(ctx, self: Message, header: str, value: str) -> None:
    """A mail header of the message (message_header), written by the next save()."""
    self.extra.setdefault("headers", []).append((header, value))


@builtin("Void Message.saveInvolved(String emailAddress)", context=True)
def message_save_involved(ctx, self: Message, address: str) -> None:
    """Records a recipient of the message (message_customers; the person with
    that address, if any); a message not saved yet records it when saved."""
    save_involved(ctx, self, [address])


@builtin("Void Message.saveInvolved(Vector emailAddresses)", context=True)
def message_save_involved_all(ctx, self: Message, addresses: Vector) -> None:
    save_involved(ctx, self, list(addresses))


def save_involved(ctx: Any, message: Message, addresses: list[str]) -> None:
    """(A message not saved yet keeps the addresses for its save().)"""
    if not message.id:
        message.extra.setdefault("involved", []).extend(addresses)
        return
    db = rec.database(ctx, "message_customers", "email")
    db.begin_write()
    for address in (a.strip() for a in addresses):
        if not address:
            continue
        person = db.execute("SELECT person_id FROM email WHERE email_address = ? AND person_id > 0 "
                            "ORDER BY rank, email_id LIMIT 1", (address,)).fetchone()
        db.execute("INSERT INTO message_customers (message_id, customer_id, email) VALUES (?, ?, ?)",
                   (message.id, person[0] if person else 0, address))


@builtin("Void Message.convertInlineImages()", context=True)
def message_convert_inline_images(ctx, self: Message) -> None:
    """`cid:<content id>` links of the HTML body become links to the message's
    attachments (ticket_attachment.content_id); saved by the next save()."""
    body = as_text(rec.current(self, "html_body"))
    if not self.id or "cid:" not in body:
        return
    db = rec.database(ctx, "ticket_attachment")
    for content_id, attachment_id in db.execute(
            "SELECT content_id, attachment_id FROM ticket_attachment WHERE message_id = ? AND content_id <> ''",
            (self.id,)).fetchall():
        attachment = Attachment()
        if rec.load(ctx, attachment, attachment_id):
            body = body.replace(f"cid:{content_id}", attachment_url(ctx, attachment, True, False))
    self.changes["html_body"] = body
    self.changes["html_body_inline_converted"] = 1


@builtin("Void Message.sendFacebook()", context=True)
def message_send_facebook(ctx, self: Message) -> None:
    """A post to the outbox (kind "facebook"): nothing leaves the machine."""
    send(ctx, "facebook", "Message.sendFacebook", body=as_text(rec.current(self, "body")), messageId=self.id)


@builtin("Void Message.toParser(Parser parser)", context=True)
def message_to_parser(ctx, self: Message, parser: Parser) -> None:
    values = rec.parser_values(ctx, self)
    values["message.body"] = as_text(rec.current(self, "body"))
    parser.update(values)


def _send(ctx: Any, message: Message, sender: str, to: Vector, cc: Vector, bcc: Vector, **fields: Any) -> bool:
    recipients = [str(a) for a in (*to, *cc, *bcc) if str(a).strip()]
    if not recipients:
        return False
    send(ctx, "mail", sender, to=list(to), cc=list(cc), bcc=list(bcc),
         body=as_text(rec.current(message, "body")), bodyHtml=as_text(rec.current(message, "html_body")),
         messageId=message.id, attachments=message_attachments(ctx, message)[:], **fields)
    return True


@builtin("Bool Message.send(Vector to, Vector cc, Vector bcc)", context=True)
def message_send(ctx, self: Message, to: Vector, cc: Vector, bcc: Vector) -> bool:
    """Mails the message (to the outbox); false without recipients."""
    return _send(ctx, self, "Message.send", to, cc, bcc)


@builtin("Bool Message.send(Vector to, Vector cc, Vector bcc, Integer categoryId)", context=True)
def message_send_category(ctx, self: Message, to: Vector, cc: Vector, bcc: Vector, category: int) -> bool:
    return _send(ctx, self, "Message.send", to, cc, bcc, categoryId=category)


@builtin("Bool Message.send(Vector to, Vector cc, Vector bcc, String subject)", context=True)
def message_send_subject(ctx, self: Message, to: Vector, cc: Vector, bcc: Vector, subject: str) -> bool:
    return _send(ctx, self, "Message.send", to, cc, bcc, subject=subject)


@builtin("Bool Message.send(Vector to, Vector cc, Vector bcc, String subject, String bodyHeading)", context=True)
def message_send_heading(ctx, self: Message, to: Vector, cc: Vector, bcc: Vector, subject: str,
                         heading: str) -> bool:
    return _send(ctx, self, "Message.send", to, cc, bcc, subject=subject, bodyHeading=heading)


@builtin("Bool Message.sendSms(Vector to)", context=True)
def message_send_sms(ctx, self: Message, to: Vector) -> bool:
    if not [a for a in to if str(a).strip()]:
        return False
    send(ctx, "sms", "Message.sendSms", to=list(to), body=as_text(rec.current(self, "body")), messageId=self.id)
    return True


LIBRARY.register_class("Message", Message, default=Message)
