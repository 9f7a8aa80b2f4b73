"""The CRMScript EventData class: a view on the run's engine.EventData."""

import pytest
from runtime_helpers import glob, impl

from engine.eventdata import EventData
from engine.runtime.context import RunContext
from engine.runtime.eventdata import EventDataObject
from engine.runtime.table import LIBRARY


def ed(name, *param_types):
    return impl("EventData", name, *param_types)


@pytest.fixture
def ctx():
    event = EventData(Type="SalesBeforeSaveSale",
                      InputValues={"SaleEntity.Amount": "250", "SaleEntity.Heading": "Big deal"},
                      StateValues={"seen": "1"}, Message="earlier", NavigateTo="sale.main")
    return RunContext(event=event, event_type_id=lambda name: {"SalesBeforeSaveSale": 1008}.get(name, 0))


def test_get_event_data_is_a_view_on_the_run_carrier(ctx):
    view = glob("getEventData")(ctx)
    assert isinstance(view, EventDataObject)
    assert view.event is ctx.event
    ed("setMessage", "String")(view, "Saved")
    assert ctx.event.Message == "Saved"


def test_constructor_views_the_same_carrier(ctx):
    first = impl("EventData", "EventData")(ctx)
    second = glob("getEventData")(ctx)
    ed("setStateValue", "String", "String")(first, "step", "2")
    assert ed("getStateValue", "String")(second, "step") == "2"


def test_get_type_is_the_catalog_id(ctx):
    view = glob("getEventData")(ctx)
    assert ed("getType")(view) == 1008
    ctx.event.Type = "NoSuchTrigger"
    assert ed("getType")(view) == 0


def test_input_values(ctx):
    view = glob("getEventData")(ctx)
    assert ed("getInputValue", "String")(view, "SaleEntity.Amount") == "250"
    assert ed("getInputValue", "String")(view, "SaleEntity.Missing") == ""


def test_input_and_state_value_maps_are_copies(ctx):
    view = glob("getEventData")(ctx)
    inputs = ed("getInputValues")(view)
    assert inputs.items() == [("SaleEntity.Amount", "250"), ("SaleEntity.Heading", "Big deal")]
    inputs.set("SaleEntity.Amount", "0")
    assert ctx.event.InputValues["SaleEntity.Amount"] == "250"
    assert ed("getStateValues")(view).items() == [("seen", "1")]


def test_state_and_output_values_are_written_to_the_carrier(ctx):
    view = glob("getEventData")(ctx)
    ed("setStateValue", "String", "String")(view, "seen", "2")
    ed("setOutputValue", "String", "String")(view, "SaleEntity.Heading", "Bigger deal")
    assert ctx.event.StateValues == {"seen": "2"}
    assert ctx.event.OutputValues == {"SaleEntity.Heading": "Bigger deal"}
    assert ed("getStateValue", "String")(view, "seen") == "2"
    assert ed("getStateValue", "String")(view, "never") == ""


def test_message_navigation_and_blocking(ctx):
    view = glob("getEventData")(ctx)
    assert ed("getMessage")(view) == "earlier"
    assert ed("getNavigateTo")(view) == "sale.main"
    assert ed("getBlockExecution")(view) is False
    ed("setNavigateTo", "String")(view, "soprotocol:sale.document?document_id=0")
    ed("setBlockExecution", "Bool")(view, True)
    assert ctx.event.NavigateTo == "soprotocol:sale.document?document_id=0"
    assert ed("getBlockExecution")(view) is True
    ed("setBlockExecution", "Bool")(view, False)
    assert ctx.event.BlockExecution is False


def test_set_validation_message_blocks_and_sets_the_message(ctx):
    view = glob("getEventData")(ctx)
    ed("setValidationMessage", "String")(view, "Amount too low")
    assert ctx.event.BlockExecution is True
    assert ctx.event.Message == "Amount too low"


def test_writes_survive_serialisation(ctx):
    view = glob("getEventData")(ctx)
    ed("setOutputValue", "String", "String")(view, "A", "b")
    ed("setValidationMessage", "String")(view, "no")
    again = EventData.model_validate(ctx.event.model_dump())
    assert again.OutputValues == {"A": "b"} and again.BlockExecution is True and again.Message == "no"


def test_declared_default_outside_a_run_is_detached():
    value = LIBRARY.classes["EventData"].default()
    assert isinstance(value, EventDataObject)
    assert ed("getInputValue", "String")(value, "x") == ""


def test_declared_default_during_a_run_views_the_run_event(ctx):
    from engine.runtime.context import bind_context
    with bind_context(ctx):
        value = LIBRARY.classes["EventData"].default()
    assert value.event is ctx.event


def test_all_fifteen_members_registered():
    info = LIBRARY.classes["EventData"]
    assert len(info.constructors) + sum(len(v) for v in info.methods.values()) == 15


def test_a_script_writes_through_get_event_data():
    import engine
    script = engine.compile_script(
        'EventData ed = getEventData();\n'
        'if (ed.getInputValue("SaleEntity.Amount").toInteger() < 100) {\n'
        '  ed.setValidationMessage("Too small: " + ed.getInputValue("SaleEntity.Amount"));\n'
        '  ed.setOutputValue("SaleEntity.Heading", "checked");\n'
        '}\n', "ed.crm")
    result = script.run(event=EventData(Type="SalesBeforeSaveSale", InputValues={"SaleEntity.Amount": "42"}))
    assert result.event.BlockExecution is True
    assert result.event.Message == "Too small: 42"
    assert result.event.OutputValues == {"SaleEntity.Heading": "checked"}
