"""The run's outbox (engine/crm/outbox.py): per run, shared by a chain's handlers."""

from engine.chain import ChainResult
from engine.crm.outbox import send
from engine.eventdata import EventData
from engine.runtime.context import RunContext


def test_a_run_has_an_outbox_of_its_own():
    first, second = RunContext(), RunContext()
    send(first, "mail", "Email.send", to=["ada@example.com"], subject="Hi")
    assert [sent.as_dict() for sent in first.outbox] == [
        {"kind": "mail", "sender": "Email.send", "to": ["ada@example.com"], "subject": "Hi"}]
    assert second.outbox == []


def test_the_handlers_of_a_chain_share_one_outbox_in_order():
    chain = ChainResult(EventData())
    earlier, later = RunContext(), RunContext()
    earlier.chain = later.chain = chain
    send(earlier, "sms", "sendSms", to="+4712345678")
    send(later, "mail", "Email.send", to=["ola@example.com"])
    assert [(sent.kind, sent.sender) for sent in chain.outbox] == [("sms", "sendSms"), ("mail", "Email.send")]
    assert later.outbox is chain.outbox
