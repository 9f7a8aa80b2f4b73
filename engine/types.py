"""The facts of the CRMScript language about types and names, in one place.

A type is a name plus an array depth: `Integer` is Type("Integer"),
`String[][]` is Type("String", 2). Struct and class types are just their
names; whether a name is a struct, a built-in class or unknown is decided by
the checker's scopes and the runtime's signature table.

Here, and only here: which types are numbers, values, copied on assignment
or ordered; which value may be stored where (assignability) and what
arithmetic gives; the Integer range; the reserved words. The checker, the
compiler, the parser and the runtime all read these (docs/architecture.md,
"Where each fact lives").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Type:
    name: str
    dims: int = 0

    def element(self) -> Type:
        """The type of `a[i]` for an array `a` of this type."""
        assert self.dims > 0, "element() of a non-array type"
        return Type(self.name, self.dims - 1)

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

# The checker's type of an expression that already produced an error:
# compatible with everything, so one mistake is reported once and not again
# by every expression around it. It never reaches the compiler.
ERROR = Type("<error>")

# The Integer range (32-bit signed, docs/semantics.md).
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1

# Values of these types are copied on assignment and when passed; everything
# else (arrays, Map, Vector, structs, classes) is shared by reference.
VALUE_TYPE_NAMES = frozenset(
    {"Integer", "Float", "Bool", "String", "Byte", "Date", "DateTime", "Time", "TimeSpan"}
)
# Value types whose Python representation is mutable and needs a copy.
MUTABLE_VALUE_TYPE_NAMES = frozenset({"Date", "DateTime", "Time", "TimeSpan"})
NUMERIC_NAMES = frozenset({"Integer", "Float", "Byte"})
# Types whose values can be ordered with < <= > >= (besides the numbers).
ORDERED_NAMES = frozenset({"String", "Date", "DateTime", "Time", "TimeSpan"})
# Type names the language itself knows; every other type name is a struct of
# the script or a class of the library.
LANGUAGE_TYPE_NAMES = VALUE_TYPE_NAMES | {"Generic", "Void"}

# Reserved words (docs/language.md, "Reserved words"): never the name of a variable,
# parameter, function, struct, field or method. Type names among them come out
# of the parser's post-lexer as TYPE_NAME, the others are keywords of the
# grammar (`and`, `or`, `If` and `Struct` included: the grammar knows them).
RESERVED_WORDS = frozenset(
    {
        "Bool", "break", "catch", "Category", "Company", "continue", "Customer",
        "Date", "Diary", "else", "Email", "false", "Float", "for", "Generic", "if",
        "Inbox", "Integer", "Invoice", "License", "Message", "Priority", "return",
        "String", "struct", "this", "throw", "Ticket", "Time", "true", "try", "User",
        "Void", "while", "foreach", "in", "and", "or", "Struct", "If",
    }
)  # fmt: skip


# --------------------------------------------------------------- predicates
# Each takes a Type or None (an expression the checker did not type).


def needs_copy(t: Type | None) -> bool:
    """A Date/DateTime/Time/TimeSpan: copied whenever it is stored or passed."""
    return t is not None and t.dims == 0 and t.name in MUTABLE_VALUE_TYPE_NAMES


def is_numeric(t: Type | None) -> bool:
    return t is not None and t.dims == 0 and t.name in NUMERIC_NAMES


def is_generic(t: Type | None) -> bool:
    """A Generic value (not an array): its real type is known only at run time."""
    return t is not None and t.dims == 0 and t.name == "Generic"


def holds_generic(t: Type | None) -> bool:
    """An array whose static element type is Generic (Generic[], Generic[][])."""
    return t is not None and t.dims > 0 and t.name == "Generic"


def is_ordered(t: Type) -> bool:
    """Values of this type compare with < <= > >= among themselves (numbers aside)."""
    return t.dims == 0 and t.name in ORDERED_NAMES


def is_error(t: Type | None) -> bool:
    return t is None or t == ERROR


# ------------------------------------------------------------ element types


def element_type(t: Type | None) -> Type | None:
    """The element type of an array type; None for anything else."""
    if t is None or t.dims == 0:
        return None
    return t.element()


def substitute_element(t: Type, element: Type) -> Type:
    """Replace the table's placeholder `T` by an array receiver's element type."""
    if t.name != ELEMENT.name:
        return t
    return Type(element.name, element.dims + t.dims)


# --------------------------------------------------- assignment, arithmetic


def assignable(value: Type, to: Type) -> bool:
    """May a value of type `value` be stored where a `to` is expected?"""
    if is_error(value) or is_error(to):
        return True
    if value == to:
        return True
    if value == VOID or to == VOID:
        return False
    if to == GENERIC or value == GENERIC:  # checked at run time
        return True
    if value.dims != to.dims:
        return False
    if value.dims > 0:  # Generic[] holds arrays of any element type (GenericToArray)
        return GENERIC.name in (value.name, to.name)
    if to == FLOAT and value.name in NUMERIC_NAMES:
        return True
    return {value.name, to.name} == {"Integer", "Byte"}


def conversion_cost(value: Type, to: Type) -> int:
    """0 for an exact match; overload resolution prefers the cheapest candidate."""
    if value == to or is_error(value):
        return 0
    if to == GENERIC or to.name == GENERIC.name:
        return 2
    return 1


def arithmetic_result(left: Type, right: Type) -> Type:
    """Integer op Integer is Integer, anything with a Float is Float (Byte acts as Integer)."""
    return FLOAT if FLOAT in (left, right) else INTEGER
