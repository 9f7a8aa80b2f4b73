"""The shape of a request model, for the codecs whose leaves are text.

XML and form bodies carry only text: `<BlockExecution>true</BlockExecution>`,
`EventData.InputValues.key=value`. The pydantic model says what each text
stands for (a bool, an integer, a string, a map, a nested object, a list);
this module reads that from the model's annotations so the codecs turn text
into the same Python values a JSON body would give, and pydantic then
validates both alike (strictly: text that is not a bool or an integer is a
400 naming the field, here or in pydantic).
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..eventdata import members_ignoring_case
from .errors import bad_request

MODEL, MAP, LIST, BOOL, INT, FLOAT, STR, ANY = "model", "map", "list", "bool", "int", "float", "str", "any"


@dataclass(frozen=True)
class Shape:
    kind: str
    model: type[BaseModel] | None = None  # for MODEL
    item: Shape | None = None  # for MAP (the value) and LIST (the element)

    def fields(self) -> dict[str, Shape]:
        """For a MODEL: member name -> its shape, in declaration order."""
        return _model_fields(self.model)

    def field_named(self, name: str, *, ignore_case: bool = False) -> tuple[str, Shape] | None:
        fields = self.fields()
        if name in fields:
            return name, fields[name]
        if ignore_case:
            lowered = name.lower()
            for member, shape in fields.items():
                if member.lower() == lowered:
                    return member, shape
        return None


_field_cache: dict[type, dict[str, Shape]] = {}


def _model_fields(model: type[BaseModel]) -> dict[str, Shape]:
    fields = _field_cache.get(model)
    if fields is None:
        fields = {name: shape_of(info.annotation) for name, info in model.model_fields.items()}
        _field_cache[model] = fields
    return fields


def shape_of(annotation: Any) -> Shape:
    """Shape of a type annotation: Annotated/Optional unwrapped, then by origin."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return shape_of(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return shape_of(members[0]) if len(members) == 1 else Shape(ANY)
    if origin is dict:
        return Shape(MAP, item=shape_of(typing.get_args(annotation)[1]))
    if origin in (list, tuple):
        return Shape(LIST, item=shape_of(typing.get_args(annotation)[0]))
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return Shape(MODEL, model=annotation)
        if issubclass(annotation, bool):
            return Shape(BOOL)
        if issubclass(annotation, int):
            return Shape(INT)
        if issubclass(annotation, float):
            return Shape(FLOAT)
        if issubclass(annotation, str):
            return Shape(STR)
    return Shape(ANY)


_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def text_to_scalar(text: str, shape: Shape, path: str) -> Any:
    """Text of an XML element or form field -> the value its shape asks for.

    Booleans and numbers follow XML Schema's lexical rules (`true`/`false`/`1`/`0`,
    optional sign, surrounding white space ignored), as the WebAPI's XML does."""
    if shape.kind == BOOL:
        word = text.strip()
        if word in ("true", "1"):
            return True
        if word in ("false", "0"):
            return False
        raise bad_request(f"{path}: expected true or false, got {_quote(text)}", path)
    if shape.kind == INT:
        digits = text.strip()
        if _INTEGER.fullmatch(digits) and len(digits) <= 20:
            return int(digits)
        raise bad_request(f"{path}: expected an integer, got {_quote(text)}", path)
    if shape.kind == FLOAT:
        digits = text.strip()
        if _FLOAT.fullmatch(digits):
            return float(digits)
        raise bad_request(f"{path}: expected a number, got {_quote(text)}", path)
    if shape.kind in (MODEL, MAP, LIST):
        if text.strip():
            raise bad_request(f"{path}: expected {describe(shape)}, got the text {_quote(text)}", path)
        return [] if shape.kind == LIST else {}
    return text


def describe(shape: Shape) -> str:
    return {MODEL: "an object", MAP: "a map of values", LIST: "a list", BOOL: "true or false",
            INT: "an integer", FLOAT: "a number", STR: "text"}.get(shape.kind, "a value")


def _quote(text: str, limit: int = 60) -> str:
    shown = text if len(text) <= limit else text[:limit] + "..."
    return repr(shown)


def members_in_declared_case(data: Any, shape: Shape) -> Any:
    """JSON data with the member names of every object in their declared case
    (`eventData` -> `EventData`), as the WebAPI reads names ignoring case;
    map keys are left alone. For merge patches, which are merged into the
    empty request by name before validation sees them."""
    if not isinstance(data, dict):
        return data
    if shape.kind == MODEL:
        fields = shape.fields()
        data = members_ignoring_case(data, frozenset(fields))
        return {name: members_in_declared_case(value, fields[name]) if name in fields else value
                for name, value in data.items()}
    if shape.kind == MAP and shape.item is not None and shape.item.kind == MODEL:
        return {key: members_in_declared_case(value, shape.item) for key, value in data.items()}
    return data
