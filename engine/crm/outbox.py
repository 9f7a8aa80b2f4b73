"""The run's outbox: what a script sent (mail, SMS, notifications, chat
messages). Nothing leaves the machine (docs/crm.md): a class that
"sends" appends a Sent here, a case asserts it with `expect: outbox:`, a
trace shows it.

One outbox per handler chain, like the database copy: a later handler's
mail follows an earlier one's. `RunContext.outbox` is the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Sent:
    """One message sent. `fields` uses the reference's names of what was set
    (to, cc, bcc, from, subject, body, bodyHtml, headers, attachments, ...)."""

    kind: str  # "mail", "sms", "notification", "chat"
    sender: str  # the member that sent it: "Email.send", "Ticket.notify", ...
    fields: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """What a case file's `expect: outbox:` entry is compared with."""
        return {"kind": self.kind, "sender": self.sender, **self.fields}


def send(context: Any, kind: str, sender: str, **fields: Any) -> Sent:
    """Put one message in the run's outbox; returns it."""
    sent = Sent(kind, sender, fields)
    context.outbox.append(sent)
    return sent
