"""NetServer carriers: records with typed Get/Set members (docs/netserver.md).

A carrier's properties are read from the reference (engine/reference.py,
facts of SuperOfficeDocs/crmscript, MIT): every `GetX()` / `SetX(value)` pair
of a `CRMScript.NetServer` class that is not an agent. A property not set
yet reads as its type's default: 0, "", false, a null date, an empty array
or Map, and an empty nested carrier (kept, so that changing it changes the
outer one, as a reference in NetServer's object model does).

A nested carrier loaded from the database may be a `Lazy` until read: a
contact's associate, business and category are loaded only when a script
asks for them (what keeps GetContactEntity + Save near a SearchEngine query).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ...runtime.collections import Array, Map
from ...runtime.datetimes import Date, DateTime, Time, TimeSpan
from ...runtime.table import Signature
from ...types import Type
from ..schema import parse_datetime
from .model import is_carrier, properties


class Carrier:
    """The value of a NetServer carrier: its properties by name, and for one
    loaded from the database what it held then (a save writes what changed)."""

    __slots__ = ("fields", "loaded")
    __crm_name__ = ""

    def __init__(self, fields: dict[str, Any] | None = None) -> None:
        self.fields: dict[str, Any] = fields if fields is not None else {}
        self.loaded: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"<{self.__crm_name__} {self.fields!r}>"


class Lazy:
    """A nested carrier not loaded yet: `load()` makes it (once); `key` is its id."""

    __slots__ = ("load", "key")

    def __init__(self, load: Callable[[], Carrier], key: int) -> None:
        self.load = load
        self.key = key


@functools.cache
def carrier_class(name: str) -> type[Carrier]:
    """The Python class of the carrier `name` (one per carrier)."""
    return type(name, (Carrier,), {"__slots__": (), "__crm_name__": name})


def default_of(kind: Type) -> Any:
    """A property's value before anything sets it."""
    if kind.dims:
        return Array(element_factory(Type(kind.name, kind.dims - 1)))
    return _SCALAR_DEFAULTS.get(kind.name, _carrier_default)(kind.name)


def element_factory(kind: Type) -> Callable[[], Any]:
    return lambda: default_of(kind)


def _carrier_default(name: str) -> Any:
    return carrier_class(name)() if is_carrier(name) else None


_SCALAR_DEFAULTS: dict[str, Callable[[str], Any]] = {
    "Integer": lambda _: 0, "Float": lambda _: 0.0, "Bool": lambda _: False, "String": lambda _: "",
    "Byte": lambda _: 0, "DateTime": lambda _: DateTime(), "Date": lambda _: Date(), "Time": lambda _: Time(),
    "TimeSpan": lambda _: TimeSpan(),
    "Map": lambda _: Map(), "Generic": lambda _: None,
}

_KEEPS_IDENTITY = ("Map",)  # a Map, an array or a nested carrier read twice is the same object


def read(carrier: Carrier, name: str, kind: Type) -> Any:
    """The property `name` of `carrier` (its default when unset)."""
    fields = carrier.fields
    value = fields.get(name, _UNSET)
    if value is _UNSET:
        value = default_of(kind)
        if kind.dims or kind.name in _KEEPS_IDENTITY or isinstance(value, Carrier):
            fields[name] = value
    elif type(value) is Lazy:
        value = fields[name] = value.load()
    return value


_UNSET = object()


def getter(owner: str, name: str, kind: Type) -> Callable[[Carrier], Any]:
    def get(self: Carrier) -> Any:
        value = self.fields.get(name, _UNSET)
        if value is _UNSET or type(value) is Lazy:
            return read(self, name, kind)
        return value

    get.__qualname__ = f"{owner}.Get{name}"
    return get


def setter(owner: str, name: str) -> Callable[[Carrier, Any], None]:
    def set_(self: Carrier, value: Any) -> None:
        self.fields[name] = value

    set_.__qualname__ = f"{owner}.Set{name}"
    return set_


def implementation(sig: Signature) -> Signature | None:
    """A carrier's Get/Set member with its implementation, or None."""
    kinds = properties(sig.owner)
    if not kinds:
        return None
    if sig.name.startswith("Get") and not sig.params and sig.name[3:] in kinds:
        return replace(sig, impl=getter(sig.owner, sig.name[3:], sig.returns))
    if sig.name.startswith("Set") and len(sig.params) == 1 and sig.name[3:] in kinds:
        return replace(sig, impl=setter(sig.owner, sig.name[3:]))
    return None


def new(name: str, **fields: Any) -> Carrier:
    return carrier_class(name)(fields)


def canned_value(result: Any, kind: Type) -> Any:
    """A fresh runtime value of the entry's result (scripts may change it)."""
    if kind.dims:
        element = Type(kind.name, kind.dims - 1)
        return Array(element_factory(element), [canned_value(item, element) for item in result or ()])
    name = kind.name
    if is_carrier(name):
        known = properties(name)
        return carrier_class(name)({prop: canned_value(v, known[prop]) for prop, v in (result or {}).items()})
    if name == "Map":
        found = Map()
        for key, item in (result or {}).items():
            found.set(str(key), "" if item is None else str(item))
        return found
    text = "" if result is None else str(result)
    if name == "Integer":
        return int(text or 0)
    if name == "Float":
        return float(text or 0)
    if name == "Bool":
        return text.lower() in ("true", "1", "yes")
    if name == "DateTime":
        return DateTime(parse_datetime(text).replace(tzinfo=None)) if text else DateTime()
    return text
