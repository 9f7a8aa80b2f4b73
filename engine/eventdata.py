"""`engine.EventData`: the documented EventData carrier of the WebAPI.

This pydantic model is the single source of the wire format: the HTTP API,
`crmscript fire` and the Python API all serialise through it. JSON names are
exactly the documented PascalCase ones; missing members take their empty
values; map values must be strings (a number where a string belongs is a
validation error naming the field, never a silent conversion).
"""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

StringMap = dict[StrictStr, StrictStr]


class _Carrier(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class TableRight(_Carrier):
    """Rights on a table or field: a flags name such as `Delete` or `FULL`."""

    Mask: StrictStr = ""
    Reason: StrictStr = ""


class FieldProperty(_Carrier):
    FieldRight: TableRight = Field(default_factory=TableRight)
    FieldType: StrictStr = ""
    FieldLength: StrictInt = 0


class EventData(_Carrier):
    """Carrier object for EventData (the request body's `EventData` and the response)."""

    Type: StrictStr = ""
    InputValues: StringMap = Field(default_factory=dict)
    BlockExecution: StrictBool = False
    NavigateTo: StrictStr = ""
    Message: StrictStr = ""
    OutputValues: StringMap = Field(default_factory=dict)
    StateValues: StringMap = Field(default_factory=dict)
    Exception: StrictStr = ""
    TableRight: Optional[TableRight] = None
    FieldProperties: dict[StrictStr, FieldProperty] = Field(default_factory=dict)
    ShowDialog: Optional[StrictStr] = None
    ParserValues: Optional[StringMap] = None
