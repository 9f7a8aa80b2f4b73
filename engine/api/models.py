"""The request and answer models of the local WebAPI (the wire format).

`engine.eventdata.EventData` is the carrier; these wrap it the way the
WebAPI's methods do (`{"EventData": {...}}`, `{"EventHandlerType": "..."}`).
Each request model also knows its *empty request* (every member at its empty
value), which JSON Patch and Merge Patch bodies are applied to.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, create_model, model_validator

from .. import eventdata as carrier  # the member is named EventData too

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1  # .NET int, the WebAPI's integer members


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _members_ignoring_case(cls, data: Any) -> Any:
        """`{"eventData": ...}` is `{"EventData": ...}`, as the WebAPI reads JSON
        (the carrier inside does the same for its own members)."""
        if isinstance(data, dict):
            members = frozenset(cls.model_fields)
            if not members >= data.keys():
                return carrier.members_ignoring_case(data, members)
        return data

    @classmethod
    def empty_request(cls) -> dict[str, Any]:
        raise NotImplementedError


class ExecuteEventHandlersRequest(_Request):
    """Body of POST Agents/CustomerService/ExecuteEventHandlers."""

    EventData: carrier.EventData = Field(description="EventData containing data related to event handlers")

    @classmethod
    def empty_request(cls) -> dict[str, Any]:
        return {"EventData": carrier.EventData().model_dump()}


class EventHandlerExistsRequest(_Request):
    """Body of POST Agents/CustomerService/EventHandlerExists."""

    EventHandlerType: StrictStr = Field(description="An event type name, e.g. SalesBeforeSaveSale")

    @classmethod
    def empty_request(cls) -> dict[str, Any]:
        return {"EventHandlerType": ""}


class EventHandlersExistsRequest(_Request):
    """Body of POST Agents/CustomerService/EventHandlersExists."""

    EventHandlerTypes: list[StrictStr] = Field(description="Event type names; the answer has one bool each, same order")

    @classmethod
    def empty_request(cls) -> dict[str, Any]:
        return {"EventHandlerTypes": []}


class ExecuteScriptAsEventRequest(_Request):
    """Body of POST Agents/CRMScript/ExecuteScriptAsEvent."""

    # An Int32 in the WebAPI: a larger number is a bad request, not an unknown id.
    CRMScriptId: StrictInt = Field(ge=INT32_MIN, le=INT32_MAX,
                                   description="Id of a registered handler script (see `crmscript events --scripts`)")
    EventData: carrier.EventData = Field(description="The event the script runs for")

    @classmethod
    def empty_request(cls) -> dict[str, Any]:
        return {"CRMScriptId": 0, "EventData": carrier.EventData().model_dump()}


def field_length_out_of_range(event: carrier.EventData) -> str | None:
    """The path of a FieldLength that is no .NET int, else None.

    The WebAPI's FieldLength is an Int32: echoing a larger number back would
    break a .NET client reading the answer. (The carrier itself takes any
    integer; the range is the wire's, checked where requests come in.)"""
    for name, properties in event.FieldProperties.items():
        if not INT32_MIN <= properties.FieldLength <= INT32_MAX:
            return f"EventData.FieldProperties.{name}.FieldLength"
    return None


def _all_nullable(model: type[BaseModel], name: str, doc: str) -> type[BaseModel]:
    """A copy of `model` whose members may be null: what `$select` answers look like."""
    fields = {member: (info.annotation | None, Field(default=None, description=info.description))
              for member, info in model.model_fields.items()}
    return create_model(name, __doc__=doc, **fields)


EventDataResponse = _all_nullable(
    carrier.EventData, "EventDataResponse",
    "EventData after the handler chain. With $select, members not selected are null; "
    "ShowDialog and ParserValues appear only when set.")


# The seed page's sample request (shared/seed/ExecuteEventHandlers.md), shown in /docs.
SAMPLE_REQUEST: dict[str, Any] = {
    "EventData": {
        "Type": "ChatAfterSaveNewMessage",
        "InputValues": {"InputValues1": "aspernatur", "InputValues2": "earum"},
        "BlockExecution": True,
        "NavigateTo": "laborum",
        "Message": "et",
        "OutputValues": {"OutputValues1": "mollitia", "OutputValues2": "ut"},
        "StateValues": {"StateValues1": "reprehenderit", "StateValues2": "recusandae"},
        "Exception": "repellat",
    }
}


# The API's methods: their paths and the model of each request body.
EXECUTE_EVENT_HANDLERS = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
EVENT_HANDLER_EXISTS = "/api/v1/Agents/CustomerService/EventHandlerExists"
EVENT_HANDLERS_EXISTS = "/api/v1/Agents/CustomerService/EventHandlersExists"
EXECUTE_SCRIPT_AS_EVENT = "/api/v1/Agents/CRMScript/ExecuteScriptAsEvent"

REQUEST_MODELS: dict[str, type[_Request]] = {
    EXECUTE_EVENT_HANDLERS: ExecuteEventHandlersRequest,
    EVENT_HANDLER_EXISTS: EventHandlerExistsRequest,
    EVENT_HANDLERS_EXISTS: EventHandlersExistsRequest,
    EXECUTE_SCRIPT_AS_EVENT: ExecuteScriptAsEventRequest,
}
