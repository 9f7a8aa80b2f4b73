"""The Email class (CRMScript.Native.Email): a message built with setValue
and addAttachment; send() puts it in the run's outbox (engine/crm/outbox.py),
never on the network. A case checks it with `expect: outbox:` (docs/http.md).

setValue's fields are the reference's: from, to, cc, bcc (once per
recipient: they add up), subject, body, bodyHtml, sms and smsFrom (an SMS),
ticketId; any other name is a header (from version 8.1: `X-Foo`).
"""

from __future__ import annotations

from typing import Any

from ..runtime.table import LIBRARY, builtin
from .outbox import send

_RECIPIENTS = ("to", "cc", "bcc", "sms")
_SINGLE = ("from", "subject", "body", "bodyHtml", "smsFrom", "ticketId")
_FIELDS = {name.lower(): name for name in _RECIPIENTS + _SINGLE}


class Email:
    __crm_name__ = "Email"

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.headers: dict[str, str] = {}
        self.attachments: list[dict[str, Any]] = []


LIBRARY.register_class("Email", Email, default=Email)


@builtin("Email Email()")
def email_new() -> Email:
    return Email()


@builtin("Void Email.setValue(String name, String value)")
def email_set_value(email: Email, name: str, value: str) -> None:
    field = _FIELDS.get(name.strip().lower())
    if field is None:
        email.headers[name] = value
    elif field in _RECIPIENTS:
        email.values.setdefault(field, []).append(value)
    else:
        email.values[field] = value


@builtin("String Email.addAttachment(Integer attachmentId, Bool inline)")
def email_add_attachment(email: Email, attachment_id: int, inline: bool) -> str:
    """The id of the attachment in the mail: what an inline image's `cid:` names."""
    content_id = f"attachment{len(email.attachments) + 1}.{attachment_id}"
    email.attachments.append({"id": attachment_id, "inline": inline, "contentId": content_id})
    return content_id


@builtin("Void Email.send()", context=True)
def email_send(ctx: Any, email: Email) -> None:
    """A mail when it has recipients (to, cc or bcc), an SMS when it has `sms`
    numbers; a message with neither is still recorded as a mail (the CRM
    would reject it, and a test should see that it was attempted). The run's
    log names it (a failing case and --trace show it)."""
    values = email.values
    mail = {key: values[key] for key in ("from", "to", "cc", "bcc", "subject", "body", "bodyHtml") if key in values}
    if email.headers:
        mail["headers"] = dict(email.headers)
    if email.attachments:
        mail["attachments"] = [dict(a) for a in email.attachments]
    if "sms" in values:
        sms = {"to": values["sms"], "body": values.get("body", "")}
        if "smsFrom" in values:
            sms["from"] = values["smsFrom"]
        if "ticketId" in values:
            sms["ticketId"] = values["ticketId"]
        send(ctx, "sms", "Email.send", **sms)
        ctx.add_log("outbox", f"sms to {', '.join(values['sms'])}")
        if not any(key in values for key in ("to", "cc", "bcc")):
            return
    send(ctx, "mail", "Email.send", **mail)
    recipients = [address for key in ("to", "cc", "bcc") for address in values.get(key, [])]
    ctx.add_log("outbox", f"mail to {', '.join(recipients) or '(nobody)'}: {values.get('subject', '')}")
