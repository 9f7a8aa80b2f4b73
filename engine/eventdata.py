"""`engine.EventData`: the documented EventData carrier of the WebAPI.

This pydantic model is the single source of the wire format: the HTTP API,
`crmscript fire` and the Python API all read requests with `event_from_request`
and write responses with `response_json`, so both produce the same bytes.

Rules (see docs/handlers.md, "The EventData wire format"):
- JSON names are written exactly as the documented PascalCase ones; read
  ignoring case (`blockExecution`), as the WebAPI's JSON reader does.
- A missing member, or one sent as JSON null, takes its empty value (empty
  map, empty string, false, an empty TableRight); ShowDialog and
  ParserValues stay null unless sent.
- Strict: map values must be strings, BlockExecution a JSON bool, FieldLength
  an integer. A wrong type is a validation error naming the field
  (`EventData.InputValues.amount: ...`), never a silent conversion.
- Unknown members are ignored (as the WebAPI's serializer does).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from .errors import CRMScriptError

StringMap = dict[StrictStr, StrictStr]


def members_ignoring_case(data: dict, members: frozenset[str]) -> dict:
    """`data` with each key that names one of `members` in another case
    (`blockExecution`, `eventdata`) renamed to the member, as the WebAPI's
    JSON reader matches names ignoring case; an exact spelling wins over
    another case, unknown keys stay (and are ignored)."""
    by_lower = _members_by_lower(members)
    renamed = dict(data)
    for key, value in data.items():
        if key in members or not isinstance(key, str):
            continue
        member = by_lower.get(key.lower())
        if member is not None and member not in data:
            del renamed[key]
            renamed[member] = value
    return renamed


_MEMBER_NAMES: dict[type, frozenset[str]] = {}


@functools.cache
def _members_by_lower(members: frozenset[str]) -> dict[str, str]:
    return {name.lower(): name for name in members}


class _Carrier(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _null_means_empty(cls, data: Any) -> Any:
        """A member sent as JSON null takes its empty value, like a missing one;
        a member named in another case is that member (members_ignoring_case)."""
        if isinstance(data, dict) and not cls._member_names() >= data.keys():
            data = members_ignoring_case(data, cls._member_names())
        if isinstance(data, dict) and any(v is None for v in data.values()):
            keep_null = cls._nullable_members()
            data = {k: v for k, v in data.items() if v is not None or k in keep_null}
        return data

    @classmethod
    def _nullable_members(cls) -> frozenset[str]:
        return frozenset()

    @classmethod
    def _member_names(cls) -> frozenset[str]:
        names = _MEMBER_NAMES.get(cls)
        if names is None:
            names = _MEMBER_NAMES[cls] = frozenset(cls.model_fields)
        return names


class TableRight(_Carrier):
    """Rights on a table or field: a flags name such as `Delete` or `FULL`."""

    Mask: StrictStr = ""
    Reason: StrictStr = ""


class FieldProperty(_Carrier):
    """What the client may do with one field: its right, .NET type name and length."""

    FieldRight: TableRight = Field(default_factory=TableRight)
    FieldType: StrictStr = ""
    FieldLength: StrictInt = 0


# The field `EventData.TableRight` shadows the class name inside the class
# body, so annotations there use this alias.
_TableRightModel = TableRight

# The documented member order of the response (the seed page's table and
# sample response), then the newer optional members.
DOCUMENTED_MEMBERS = (
    "Type",
    "InputValues",
    "BlockExecution",
    "NavigateTo",
    "Message",
    "OutputValues",
    "StateValues",
    "Exception",
    "TableRight",
    "FieldProperties",
)
OPTIONAL_MEMBERS = ("ShowDialog", "ParserValues")
ALL_MEMBERS = DOCUMENTED_MEMBERS + OPTIONAL_MEMBERS


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
    # Optional in the type for compatibility, but never None after validation:
    # the sample response always carries a TableRight object.
    TableRight: _TableRightModel | None = Field(default_factory=_TableRightModel)
    FieldProperties: dict[StrictStr, FieldProperty] = Field(default_factory=dict)
    ShowDialog: StrictStr | None = None
    ParserValues: StringMap | None = None

    @classmethod
    def _nullable_members(cls) -> frozenset[str]:
        return frozenset(OPTIONAL_MEMBERS)

    def copy_for_chain(self) -> EventData:
        """A copy the handler chain may change without touching the caller's object.

        Much cheaper than `model_copy(deep=True)` (about 3 us instead of 30):
        a shallow model copy, then a copy of every mutable member. The maps
        hold only immutable strings, so copying each map is enough.
        """
        copy = self.model_copy()
        members = copy.__dict__
        members["InputValues"] = dict(self.InputValues)
        members["OutputValues"] = dict(self.OutputValues)
        members["StateValues"] = dict(self.StateValues)
        members["TableRight"] = (self.TableRight.model_copy() if self.TableRight is not None
                                 else _TableRightModel())
        if self.FieldProperties:
            members["FieldProperties"] = {
                name: prop.model_copy(update={"FieldRight": prop.FieldRight.model_copy()})
                for name, prop in self.FieldProperties.items()}
        else:
            members["FieldProperties"] = {}
        if self.ParserValues is not None:
            members["ParserValues"] = dict(self.ParserValues)
        return copy


# ------------------------------------------------------------ requests


class EventDataError(CRMScriptError):
    """A request body that is not valid JSON or not a valid EventData.

    `file` is where the body came from (a file name, "<stdin>", "<request>");
    for malformed JSON `line`/`column` point into the body.
    """

    kind = "bad request"

    def __str__(self) -> str:
        # Validation problems have no position in the body: no ":0:0".
        where = self.location() if self.line else self.file
        return f"{where}: {self.kind}: {self.message}"


def _field_path(loc: Iterable[str | int]) -> str:
    return ".".join(str(part) for part in loc)


def validation_message(error: ValidationError, prefix: str = "EventData") -> str:
    """One line per problem, each naming the field: `EventData.InputValues.x: Input should be a valid string`."""
    lines = []
    for problem in error.errors():
        path = _field_path((prefix, *problem["loc"])) if prefix else _field_path(problem["loc"])
        lines.append(f"{path}: {problem['msg']}")
    return "; ".join(lines)


def event_from_data(data: Any, source: str = "<request>") -> EventData:
    """Validate an already-decoded `EventData` object (a dict) into the model."""
    if not isinstance(data, dict):
        raise EventDataError(f"EventData must be a JSON object, not {_json_kind(data)}", source)
    try:
        return EventData.model_validate(data)
    except ValidationError as error:
        raise EventDataError(validation_message(error), source) from None


# A JSON escape \uD800-\uDFFF can spell a lone UTF-16 surrogate, which is
# not a character: no UTF-8 answer can carry it (.NET's JSON reader refuses
# it too), so it is a bad request rather than a failure when answering.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def lone_surrogate_path(text: str, data: Any) -> str | None:
    """For JSON `text` decoded to `data`: the path (`EventData.InputValues.x`)
    of the first string or key holding a lone surrogate, else None. Costs a
    substring search unless the text has a surrogate escape."""
    if "\\u" not in text or not _SURROGATE_ESCAPE.search(text):
        return None
    return _surrogate_path(data, "")


def _surrogate_path(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if not _encodable(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        # Written so the message itself stays encodable.
        name = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
        inner = f"{path}.{name}" if path else name
        if not _encodable(str(key)):
            return inner
        found = _surrogate_path(item, inner)
        if found is not None:
            return found
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_LONE_SURROGATE_CHAR = re.compile("[\ud800-\udfff]")


def response_bytes(json_text: str) -> bytes:
    """A response body's UTF-8 bytes. A lone surrogate a handler made (half a
    UTF-16 pair: not a character, so no UTF-8 for it) is written as U+FFFD,
    as the XML answers write what XML cannot carry. `crmscript fire` and the
    HTTP API both send exactly these bytes."""
    try:
        return json_text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE_CHAR.sub("\ufffd", json_text).encode("utf-8")


LONE_SURROGATE = "the text holds a lone UTF-16 surrogate (an unpaired \\uD800-\\uDFFF escape), which is not a character"


def event_from_request(body: str | bytes, source: str = "<request>") -> EventData:
    """Parse an ExecuteEventHandlers request body `{"EventData": {...}}`.

    Raises EventDataError (a CRMScriptError) naming what is wrong.
    """
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise EventDataError(f"request body is not UTF-8 text ({error.reason})", source) from None
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        raise EventDataError(f"malformed JSON: {error.msg}", source, error.lineno, error.colno) from None
    except RecursionError:
        raise EventDataError("malformed request: JSON nested too deeply", source) from None
    surrogate_at = lone_surrogate_path(body, data)
    if surrogate_at is not None:
        raise EventDataError(f"{surrogate_at}: {LONE_SURROGATE}", source)
    if not isinstance(data, dict):
        raise EventDataError(f"request body must be a JSON object, not {_json_kind(data)}", source)
    if "EventData" not in data:
        data = members_ignoring_case(data, frozenset({"EventData"}))
    if "EventData" not in data:
        raise EventDataError('request body must have an "EventData" member: {"EventData": {...}}', source)
    return event_from_data(data["EventData"], source)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a bool",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


# ----------------------------------------------------------- responses


def parse_select(select: str | Iterable[str] | None) -> frozenset[str] | None:
    """`$select` -> the set of member names to keep (case-insensitive; unknown
    names ignored; `TableRight/Mask` keeps the whole top-level `TableRight`).
    None means no selection: every member keeps its value."""
    if select is None:
        return None
    parts = select.split(",") if isinstance(select, str) else list(select)
    by_lower = {name.lower(): name for name in ALL_MEMBERS}
    chosen = set()
    for part in parts:
        top = part.strip().split("/", 1)[0].strip().lower()
        if top in by_lower:
            chosen.add(by_lower[top])
    return frozenset(chosen)


def response_dict(event: EventData, select: str | Iterable[str] | None = None) -> dict[str, Any]:
    """The response body as an ordered dict (documented member order).

    The ten documented members always appear; ShowDialog and ParserValues
    appear only when set (the seed's sample response has neither). With
    `select`, members not selected are null.
    """
    keep = parse_select(select)
    body: dict[str, Any] = {}
    for name in DOCUMENTED_MEMBERS:
        if keep is not None and name not in keep:
            body[name] = None
            continue
        value = getattr(event, name)
        if name == "TableRight":
            value = (value or _TableRightModel()).model_dump()
        elif name == "FieldProperties":
            value = {k: v.model_dump() for k, v in value.items()}
        elif isinstance(value, dict):
            value = dict(value)
        body[name] = value
    for name in OPTIONAL_MEMBERS:
        value = getattr(event, name)
        if value is not None and (keep is None or name in keep):
            body[name] = dict(value) if isinstance(value, dict) else value
    return body


def response_json(event: EventData, select: str | Iterable[str] | None = None) -> str:
    """The ExecuteEventHandlers response body: the one place it is produced.

    UTF-8 JSON, two-space indent (as the documentation's samples), non-ASCII
    kept as is, ending with a newline. `crmscript fire` prints exactly this
    and the HTTP API sends exactly this.
    """
    return _indented_json(response_dict(event, select), "\n") + "\n"


# json.dumps(indent=2) falls back to the pure-Python encoder (about 28 µs a
# response); this writes the same bytes for the values a response holds
# (dicts, strings, bools, ints, None) with the C string encoder.
_encode_string = json.encoder.encode_basestring  # the C version when available


def _indented_json(value: Any, newline: str) -> str:
    """json.dumps(value, ensure_ascii=False, indent=2), `newline` being the
    line break plus the indentation of the line `value` starts on."""
    if isinstance(value, str):
        return _encode_string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        return "{" + inner + ("," + inner).join(
            _encode_string(key) + ": " + (_encode_string(item) if type(item) is str else _indented_json(item, inner))
            for key, item in value.items()) + newline + "}"
    return json.dumps(value, ensure_ascii=False)  # pragma: no cover - a response holds nothing else
