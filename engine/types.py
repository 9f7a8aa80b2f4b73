"""Static types of CRMScript values, shared by the checker, compiler and runtime table.

A type is a name plus an array depth: `Integer` is Type("Integer"),
`String[][]` is Type("String", 2). Struct and class types are just their
names; whether a name is a struct, a built-in class or unknown is decided by
the checker's scopes and the runtime's signature table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    name: str
    dims: int = 0

    @property
    def is_array(self) -> bool:
        return self.dims > 0

    def element(self) -> "Type":
        """The type of `a[i]` for an array `a` of this type."""
        assert self.dims > 0, "element() of a non-array type"
        return Type(self.name, self.dims - 1)

    def array_of(self, extra_dims: int = 1) -> "Type":
        return Type(self.name, self.dims + extra_dims)

    def __str__(self) -> str:
        return self.name + "[]" * self.dims


INTEGER = Type("Integer")
FLOAT = Type("Float")
BOOL = Type("Bool")
STRING = Type("String")
BYTE = Type("Byte")
DATE = Type("Date")
DATETIME = Type("DateTime")
TIME = Type("Time")
TIMESPAN = Type("TimeSpan")
GENERIC = Type("Generic")
VOID = Type("Void")
MAP = Type("Map")
VECTOR = Type("Vector")

# Placeholder in the signature table for "the element type of this array"
# (array methods such as pushBack(T) and popBack() -> T).
ELEMENT = Type("T")

# Values of these types are copied on assignment and when passed; everything
# else (arrays, Map, Vector, structs, classes) is shared by reference.
VALUE_TYPE_NAMES = frozenset(
    {"Integer", "Float", "Bool", "String", "Byte", "Date", "DateTime", "Time", "TimeSpan"}
)
# Value types whose Python representation is mutable and needs a copy.
MUTABLE_VALUE_TYPE_NAMES = frozenset({"Date", "DateTime", "Time", "TimeSpan"})

NUMERIC_NAMES = frozenset({"Integer", "Float", "Byte"})


def is_value_type(t: Type) -> bool:
    return t.dims == 0 and t.name in VALUE_TYPE_NAMES


def needs_copy(t: Type) -> bool:
    return t.dims == 0 and t.name in MUTABLE_VALUE_TYPE_NAMES
