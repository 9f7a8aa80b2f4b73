"""The CRMScript EventData class (CRMScript.Native.EventData): every documented member.

An `EventDataObject` is a *view* on the run's `engine.EventData` (the pydantic
carrier in `RunContext.event`): reads and writes go straight to that object,
so the next handler in the chain, and the HTTP response, see them. Every
EventData a script gets -- `getEventData()`, `EventData()`, `EventData ed;`
during a run -- views the same carrier, which is what the docs promise for
state values ("can be accessed - also by other EventData objects in the
same script").
"""

from __future__ import annotations

from collections.abc import Callable

from ..eventdata import EventData
from .context import active_context, catalog_type_id
from .table import LIBRARY, builtin


class EventDataObject:
    """What a CRMScript `EventData` variable holds.

    `inputs` and `outputs` are the carrier's own InputValues / OutputValues
    dicts (not copies): the compiler's inline getInputValue/setOutputValue
    read and write them with one attribute load instead of two. Nothing
    replaces a carrier's dicts while a run uses it (the chain copies the
    carrier before the first handler, see EventData.copy_for_chain).
    """

    __slots__ = ("event", "inputs", "outputs", "_type_id")

    def __init__(self, event: EventData, type_id: Callable[[str], int] | None = None) -> None:
        self.event = event  # the run's carrier, shared, never copied
        self.inputs = event.InputValues
        self.outputs = event.OutputValues
        self._type_id = type_id or catalog_type_id

    def type_id(self) -> int:
        return self._type_id(self.event.Type)

    def __repr__(self) -> str:
        return f"EventDataObject(Type={self.event.Type!r})"


_new_object = object.__new__


def event_data_of(ctx) -> EventDataObject:
    """The EventData object of a run: a view on `ctx.event`, the same as
    EventDataObject(ctx.event, ctx.event_type_id) (a test compares them).
    Filled in here rather than through the class call, whose __init__
    dispatch costs 0.06 µs of a 1 µs trigger run (getEventData() is inline)."""
    view = _new_object(EventDataObject)
    event = view.event = ctx.event
    view.inputs = event.InputValues
    view.outputs = event.OutputValues
    view._type_id = ctx.event_type_id
    return view


def set_member(event: EventData, name: str, value: object) -> None:
    """`event.<name> = value` without pydantic's two Python-level dispatch
    calls (0.2 µs): exactly what BaseModel.__setattr__ does for a plain field
    of a model without validate_assignment (EventData has none; a test pins
    it): store the value, record the field as set."""
    event.__dict__[name] = value
    event.__pydantic_fields_set__.add(name)


def _new_map(values: dict[str, str]) -> object:
    from .collections import Map  # lazy: the collections family may load later
    return Map.from_pairs(values.items())


def _declared_default() -> EventDataObject:
    """`EventData ed;`: the running script's event when a run is active
    (found through the script's frames, see context.active_context), else
    a detached empty carrier."""
    ctx = active_context()
    if ctx is not None:
        return event_data_of(ctx)
    return EventDataObject(EventData())


@builtin("EventData EventData()", context=True)
def eventdata_new(ctx) -> EventDataObject:
    """The run's EventData, like getEventData()."""
    return event_data_of(ctx)


@builtin("Integer EventData.getType()")
def eventdata_get_type(self: EventDataObject) -> int:
    """The event type's numeric id from the trigger catalog (0 if not in it)."""
    return self.type_id()


@builtin("String EventData.getInputValue(String field)")
def eventdata_get_input_value(self: EventDataObject, field: str) -> str:
    """The input value named `field`; "" when the event has none by that name."""
    return self.inputs.get(field, "")


@builtin("Map EventData.getInputValues()")
def eventdata_get_input_values(self: EventDataObject) -> object:
    """A new Map with every input value (changing it does not change the event)."""
    return _new_map(self.event.InputValues)


@builtin("String EventData.getStateValue(String stateValue)")
def eventdata_get_state_value(self: EventDataObject, state_value: str) -> str:
    return self.event.StateValues.get(state_value, "")


@builtin("Map EventData.getStateValues()")
def eventdata_get_state_values(self: EventDataObject) -> object:
    return _new_map(self.event.StateValues)


@builtin("Void EventData.setStateValue(String stateName, String val)")
def eventdata_set_state_value(self: EventDataObject, state_name: str, val: str) -> None:
    self.event.StateValues[state_name] = val


@builtin("Void EventData.setOutputValue(String name, String value)")
def eventdata_set_output_value(self: EventDataObject, name: str, value: str) -> None:
    self.outputs[name] = value


@builtin("Bool EventData.getBlockExecution()")
def eventdata_get_block_execution(self: EventDataObject) -> bool:
    return self.event.BlockExecution


@builtin("Void EventData.setBlockExecution(Bool value)")
def eventdata_set_block_execution(self: EventDataObject, value: bool) -> None:
    set_member(self.event, "BlockExecution", bool(value))


@builtin("String EventData.getMessage()")
def eventdata_get_message(self: EventDataObject) -> str:
    return self.event.Message


@builtin("Void EventData.setMessage(String message)")
def eventdata_set_message(self: EventDataObject, message: str) -> None:
    set_member(self.event, "Message", message)


@builtin("String EventData.getNavigateTo()")
def eventdata_get_navigate_to(self: EventDataObject) -> str:
    return self.event.NavigateTo


@builtin("Void EventData.setNavigateTo(String url)")
def eventdata_set_navigate_to(self: EventDataObject, url: str) -> None:
    set_member(self.event, "NavigateTo", url)


@builtin("Void EventData.setValidationMessage(String message)")
def eventdata_set_validation_message(self: EventDataObject, message: str) -> None:
    """setBlockExecution(true) and setMessage(message) in one call."""
    set_member(self.event, "BlockExecution", True)
    set_member(self.event, "Message", message)


LIBRARY.register_class("EventData", EventDataObject, default=_declared_default)
