"""application/x-www-form-urlencoded request bodies.

Field names are the property paths, dotted, as ASP.NET model binding reads
them (member names are case-insensitive):

    EventData.Type=SalesBeforeSaveSale
    EventData.BlockExecution=true
    EventData.InputValues.SaleId=12             a map entry: the key is all that follows
    EventData.InputValues[sale.amount]=100      ... or in brackets (the key may hold dots)
    EventData.FieldProperties.amount.FieldLength=10
    EventData.FieldProperties[sale.amount].FieldRight.Mask=FULL
    EventHandlerTypes=A&EventHandlerTypes=B      a list: repeat the name ...
    EventHandlerTypes[0]=A&EventHandlerTypes[1]=B   ... or index it

`EventData.InputValues=` (empty) sends an empty map. Unknown members are
ignored, as in JSON; a member given twice is a 400. Values are text and are
turned into bools and integers by the model's shape (`true`/`false`, digits).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .errors import ApiError, bad_request
from .shape import LIST, MAP, MODEL, Shape, text_to_scalar

_CONTAINERS = (MODEL, MAP, LIST)


class _Unknown(Exception):
    """The field names a member the model does not have: ignored."""


def decode(body: bytes, charset: str, shape: Shape) -> Any:
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise bad_request("A form body must be ASCII with %-escapes (application/x-www-form-urlencoded)") from None
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding=charset, errors="strict")
    except LookupError:
        raise ApiError(415, f"charset {charset} is not supported", source="Content-Type") from None
    except UnicodeError as error:
        raise bad_request(f"A form field is not valid {charset} text after %-decoding "
                          f"({getattr(error, 'reason', error)})") from None
    except ValueError as error:
        raise bad_request(f"Malformed form body: {error}") from None

    tree: dict[str, Any] = {}
    for name, value in pairs:
        try:
            steps = _steps(name, shape)
        except _Unknown:
            continue
        _put(tree, steps, value)
    return _finish(tree, shape, "")


def _steps(name: str, shape: Shape) -> list[tuple[Any, Shape, str]]:
    """`EventData.InputValues[a.b]` -> [(member/key/index, shape there, path there), ...]."""
    steps: list[tuple[Any, Shape, str]] = []
    path = ""
    position = 0
    while True:
        if shape.kind == MODEL:
            segment, position = _segment(name, position)
            found = shape.field_named(segment, ignore_case=True)
            if found is None:
                raise _Unknown
            step, shape = found
            path = f"{path}.{step}" if path else step
        elif shape.kind == MAP:
            if name.startswith("[", position):
                if shape.item.kind in _CONTAINERS:
                    close = name.find("]", position)
                else:  # the key runs to the last `]`: it may itself hold brackets
                    close = name.rfind("]")
                if close < position:
                    raise bad_request(f"Form field {name!r}: '[' without ']'", path)
                step, position = name[position + 1:close], close + 1
            elif shape.item.kind in _CONTAINERS:
                step, position = _segment(name, position)
            else:
                step, position = name[position:], len(name)
            shape = shape.item
            path = f"{path}.{step}"
        elif shape.kind == LIST:
            if shape.item.kind in _CONTAINERS:
                raise bad_request(f"Form field {name!r}: lists of objects cannot be sent as a form", path)
            if name.startswith("[", position):
                close = name.find("]", position)
                index_text = name[position + 1:close] if close > position else ""
                # ASCII digits only ("²".isdigit() is true) and at most 9 of them
                # (Python refuses to convert more than 4,300).
                if not (index_text.isascii() and index_text.isdigit()) or len(index_text) > 9:
                    raise bad_request(f"Form field {name[:200]!r}: a list index must be a number "
                                      "(at most 9 digits) in brackets", path)
                step, position = (0, int(index_text)), close + 1
            else:
                step = None  # repeated name: append
            shape = shape.item
            path = f"{path}[]"
        else:
            raise bad_request(f"Form field {name!r}: {path} is a single value and has no members", path)
        steps.append((step, shape, path))
        if position >= len(name):
            if shape.kind == LIST and shape.item.kind not in _CONTAINERS:
                steps.append((None, shape.item, f"{path}[]"))  # `Name=a&Name=b`: append
            return steps
        if name[position] == ".":
            position += 1
        elif name[position] != "[":
            raise bad_request(f"Form field {name!r}: expected '.' or '[' after {path}", path)


def _segment(name: str, position: int) -> tuple[str, int]:
    """The member name starting at `position`: up to the next `.` or `[`."""
    end = position
    while end < len(name) and name[end] not in ".[":
        end += 1
    return name[position:end], end


def _put(tree: dict, steps: list[tuple[Any, Shape, str]], value: str) -> None:
    node = tree
    for depth, (step, _shape, path) in enumerate(steps):
        last = depth == len(steps) - 1
        if step is None:  # a repeated list field
            step = (1, len(node))
        if last:
            if step in node:
                raise bad_request(f"{path}: given more than once", path)
            node[step] = value
        else:
            child = node.setdefault(step, {})
            if not isinstance(child, dict):
                raise bad_request(f"{path}: given both as a value and with members", path)
            node = child


def _finish(node: Any, shape: Shape, path: str) -> Any:
    """The collected tree -> data shaped as the JSON body would be."""
    if isinstance(node, str):
        return text_to_scalar(node, shape, path)
    if shape.kind == MODEL:
        return {member: _finish(child, shape.fields()[member], f"{path}.{member}" if path else member)
                for member, child in node.items()}
    if shape.kind == MAP:
        return {key: _finish(child, shape.item, f"{path}.{key}") for key, child in node.items()}
    if shape.kind == LIST:
        return [_finish(node[key], shape.item, f"{path}[{index}]")
                for index, key in enumerate(sorted(node))]
    raise bad_request(f"{path}: given with members, but it is a single value", path)
