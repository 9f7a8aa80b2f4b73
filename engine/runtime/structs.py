"""Struct values: the Python class behind each struct a script declares.

The compiler asks for one class per struct declaration; the runtime reads
it back through three class attributes (docs/architecture.md, "Runtime
values"): `__crm_name__` (the struct's name), `__crm_fields__` (((name,
Type), ...) in declaration order) and `__crm_attrs__` (the Python attribute
of each field, `v_<name>`: script names never meet Python's).
"""

from __future__ import annotations

from typing import Any

from ..types import Type


def field_attribute(name: str) -> str:
    """The Python attribute holding the struct field `name`."""
    return "v_" + name


def struct_class(name: str, fields: tuple[tuple[str, Type], ...]) -> type:
    """A slotted class for the struct `name` with these fields."""
    attrs = tuple(field_attribute(field) for field, _ in fields)
    return type(f"S_{name}", (), {
        "__slots__": attrs,
        "__crm_name__": name,
        "__crm_fields__": fields,
        "__crm_attrs__": attrs,
        "__repr__": _struct_repr,
    })


def set_field(obj: Any, attr: str, value: Any) -> Any:
    """`obj.field = value` as an expression: returns the stored value."""
    setattr(obj, attr, value)
    return value


def _struct_repr(self: Any) -> str:
    fields = ", ".join(f"{name}={getattr(self, field_attribute(name), None)!r}" for name, _ in self.__crm_fields__)
    return f"{self.__crm_name__}({fields})"
