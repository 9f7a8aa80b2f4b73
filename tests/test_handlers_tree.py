"""The default handler tree (handlers/), run through Engine with the real compiler."""

import pytest

from engine.chain import Engine
from engine.cli.common import DEFAULT_HANDLERS
from engine.eventdata import EventData


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(DEFAULT_HANDLERS, load_entry_points=False, on_warning=lambda m: None)


def fire(engine, event_type, **inputs) -> EventData:
    state = inputs.pop("state", {})
    out = engine.execute(EventData(Type=event_type, InputValues=inputs, StateValues=state))
    assert out.Exception == "", out.Exception
    return out


def test_every_handler_of_the_tree_compiles(engine):
    handlers = engine.all_handlers()
    assert len(handlers) >= 6
    for handler in handlers:
        engine.registry.script_for(handler)  # raises a located CRMScriptError if not


# --------------------------------------------------------- SalesBeforeSaveSale

def sale(engine, amount, text="", currency="NOK"):
    return fire(engine, "SalesBeforeSaveSale", **{"SaleEntity.Amount": amount, "SaleEntity.SaleText": text,
                                                   "OurCurrency": currency})


def test_sale_amount_within_limit_is_saved(engine):
    out = sale(engine, "1200.50")
    assert not out.BlockExecution and out.Message == ""
    assert out.OutputValues == {"amountChecked": "true"}


def test_sale_negative_amount_is_blocked(engine):
    out = sale(engine, "-10")
    assert out.BlockExecution
    assert out.Message == "A sale cannot have a negative amount (-10)."


def test_sale_missing_amount_is_blocked(engine):
    out = fire(engine, "SalesBeforeSaveSale")
    assert out.BlockExecution and "enter an amount" in out.Message


def test_large_sale_needs_an_approver(engine):
    out = sale(engine, "750000", "Big framework deal", "EUR")
    assert out.BlockExecution
    assert out.Message == ('Sales above 500 000 EUR need an approval: write "approved by <name>" '
                           "in the sale text.")
    approved = sale(engine, "750000", "Framework deal, Approved by Kari")
    assert not approved.BlockExecution and approved.OutputValues["amountChecked"] == "true"


# ------------------------------------------------------ SalesBeforeSaveContact

def company(engine, orgnr, name="Nordlys AS"):
    return fire(engine, "SalesBeforeSaveContact", **{"ContactEntity.OrgNr": orgnr, "ContactEntity.Name": name})


@pytest.mark.parametrize("orgnr", ["974760673", "923609016"])
def test_valid_organisation_numbers_pass_unchanged(engine, orgnr):
    out = company(engine, orgnr)
    assert not out.BlockExecution and out.OutputValues == {}


def test_formatted_organisation_number_is_normalised(engine):
    out = company(engine, "NO 974 760 673 MVA")
    assert not out.BlockExecution
    assert out.OutputValues == {"ContactEntity.OrgNr": "974760673"}


@pytest.mark.parametrize("orgnr", ["974760674", "12345", "97476067X"])
def test_bad_organisation_numbers_block_the_save(engine, orgnr):
    out = company(engine, orgnr)
    assert out.BlockExecution
    assert out.Message.startswith(f'"{orgnr}" is not a valid organisation number for Nordlys AS')


def test_empty_organisation_number_is_allowed(engine):
    out = company(engine, "  ")
    assert not out.BlockExecution and out.Message == ""


# ----------------------------------------------------- ChatAfterSaveNewMessage

def chat(engine, text, message_type="2"):
    return fire(engine, "ChatAfterSaveNewMessage", **{
        "chatMessage.message": text, "chatMessage.type": message_type,
        "chatSession.customerName": "Ola Nordmann"})


@pytest.mark.parametrize("text, route", [
    ("Where is my invoice?", "billing"),
    ("What is the price of the pro plan", "sales"),
    ("The app crashes on start", "support"),
])
def test_chat_messages_are_routed_by_their_words(engine, text, route):
    out = chat(engine, text)
    assert out.OutputValues == {"route": route} and out.Message == ""


def test_urgent_chat_is_flagged(engine):
    out = chat(engine, "URGENT: the web shop is down")
    assert out.OutputValues == {"route": "support", "priority": "high"}
    assert out.Message == "Urgent chat from Ola Nordmann routed to support."


def test_messages_to_the_customer_are_not_routed(engine):
    assert chat(engine, "Here is your invoice", message_type="1").OutputValues == {"route": "none"}


# --------------------------------------------------- TicketChangedTicketStatus

def status_change(engine, old, new, state=None):
    return fire(engine, "TicketChangedTicketStatus", state=state or {},
                **{"ticketId": "4711", "ticketStatus.old": old, "ticketStatus.new": new})


def test_reopening_a_closed_ticket_is_counted_and_navigates(engine):
    out = status_change(engine, "2", "1", state={"reopenCount": "2"})
    assert out.StateValues["reopenCount"] == "3"
    assert out.NavigateTo == "ticket.main?ticket_id=4711"
    assert out.Message == "Ticket 4711 was reopened (3 time(s)). Check the last answer."
    assert out.OutputValues == {"statusChange": "2->1"}


def test_closing_a_ticket_is_remembered_in_state(engine):
    out = status_change(engine, "1", "2")
    assert out.StateValues == {"closedTicket": "4711"}
    assert out.Message == "" and out.NavigateTo == ""


# ------------------------------------------- SalesAfterSaveSale (two handlers)

def saved_sale(engine, amount, status="1", sale_id="31"):
    return fire(engine, "SalesAfterSaveSale", **{"SaleEntity.Amount": amount, "SaleEntity.Status": status,
                                                  "SaleEntity.SaleId": sale_id})


def test_state_values_pass_from_the_first_handler_to_the_second(engine):
    out = saved_sale(engine, "250000")
    assert out.StateValues == {"saleSize": "large", "saleWon": "false"}
    assert out.OutputValues == {"followUp": "meeting within a week"}
    assert out.NavigateTo == "sale.main?sale_id=31"


def test_won_sale_gets_a_thank_you(engine):
    out = saved_sale(engine, "5000", status="2")
    assert out.StateValues == {"saleSize": "small", "saleWon": "true"}
    assert out.OutputValues == {"followUp": "thank-you letter"}


def test_medium_open_sale_needs_no_follow_up(engine):
    assert saved_sale(engine, "20000").OutputValues == {"followUp": "none"}
