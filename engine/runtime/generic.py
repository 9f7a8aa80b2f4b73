"""Run-time checks for Generic values.

The checker accepts a Generic wherever a concrete type is expected ("checked
at run time", docs/checker.md). The compiler routes exactly those places
through the functions below, so a Generic holding the wrong kind of value
stops the script with a catchable CRMScript error naming CRMScript types
("a Generic holding a String cannot be used as an Integer") instead of a
Python error. Code whose static types are all known never calls them.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import CRMScriptRuntimeError
from ..types import INT_MAX, INT_MIN
from . import numbers
from .collections import Array
from .context import active_context
from .limits import string_limit_error
from .table import LIBRARY, builtin

_ARTICLE_AN = ("A", "E", "I", "O", "U")


def type_name(value: Any) -> str:
    """The CRMScript type of a run-time value, as a script author writes it."""
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return "Bool"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, Array):
        return "array"
    struct_name = getattr(type(value), "__crm_name__", None)
    if struct_name:
        return struct_name
    for name, info in LIBRARY.classes.items():
        if info.python_class is type(value):
            return name
    for name, info in LIBRARY.classes.items():
        if info.python_class is not None and info.python_class not in (int, float, str, bool) \
                and isinstance(value, info.python_class):
            return name
    return "object"  # a class no table entry describes (a plugin's)


def _a(name: str) -> str:
    """'an Integer', 'a String', 'no value'."""
    if name == "no value":
        return name
    return ("an " if name.startswith(_ARTICLE_AN) or name.startswith(("a", "e", "i", "o", "u")) else "a ") + name


def _mismatch(value: Any, wanted: str) -> CRMScriptRuntimeError:
    return CRMScriptRuntimeError(f"a Generic holding {_a(type_name(value))} cannot be used as {_a(wanted)}")


def from_generic(value: Any, wanted: str) -> Any:
    """The value of a Generic stored into a place of type `wanted` (no array
    type: see `array_from_generic`): the value itself when it is of that type
    (an Integer widened to Float, a Date/Time value copied), else a runtime error."""
    if wanted == "Generic":
        return value
    if wanted == "Integer" or wanted == "Byte":
        if isinstance(value, int) and not isinstance(value, bool):
            return value & 0xFF if wanted == "Byte" else value
    elif wanted == "Float":
        if isinstance(value, float):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
    elif wanted == "Bool":
        if isinstance(value, bool):
            return value
    elif wanted == "String":
        if isinstance(value, str):
            return value
    elif value is not None:
        if getattr(type(value), "__crm_name__", None) == wanted:
            return value
        info = LIBRARY.classes.get(wanted)
        if info is not None and info.python_class is not None:
            if isinstance(value, info.python_class) and not isinstance(value, Array):
                copy = getattr(value, "copy", None) if wanted in ("Date", "DateTime", "Time", "TimeSpan") else None
                return copy() if copy is not None else value
        elif type_name(value) == "object":
            # A class this table does not describe (a plugin's, e.g. Ticket) holding
            # an object no built-in type claims: it cannot be checked here.
            return value
    raise _mismatch(value, wanted)


def array_from_generic(value: Any) -> Any:
    """A Generic stored into an array variable must hold an array."""
    if isinstance(value, Array):
        return value
    raise _mismatch(value, "array")


def element_for(array: Any, value: Any) -> Any:
    """A value stored into `array` through a Generic[] view: it must fit the
    array's real element type (known from its element factory); a genuine
    Generic[] takes anything."""
    if not isinstance(array, Array):
        return value
    sample = array.element_default()
    if sample is None:
        return value
    try:
        if isinstance(sample, Array):
            return array_from_generic(value)
        return from_generic(value, type_name(sample))
    except CRMScriptRuntimeError:
        raise CRMScriptRuntimeError(
            f"{_a(get_type_name(value))} cannot be stored in {_a(_array_type_name(array))}") from None


def typed_array(array: Any, wanted: str) -> Any:
    """An array known only as Generic[] (or Generic) stored where an
    `Integer[]` is expected: it must really be one, as a Java cast of an
    Object[] must (a true Generic[] is not an Integer[], even if it holds
    only Integers)."""
    actual = _array_type_name(array)
    if actual != wanted:
        raise CRMScriptRuntimeError(f"{_a(actual)} cannot be used as {_a(wanted)}")
    return array


def condition(value: Any) -> bool:
    """A Generic used as a condition (or with `!`, `&&`, `||`) must hold a Bool."""
    if isinstance(value, bool):
        return value
    raise _mismatch(value, "Bool")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def arith(op: str, left: Any, right: Any) -> Any:
    """`left op right` where at least one operand is statically Generic:
    the same rules as the checker applies to known types."""
    if _number(left) and _number(right):
        if isinstance(left, float) or isinstance(right, float):
            if op == "/":
                return numbers.float_div(left, right)
            if op == "%":
                return numbers.float_mod(left, right)
            result = left + right if op == "+" else left - right if op == "-" else left * right
            if math.isinf(result) and not (math.isinf(left) or math.isinf(right)):
                raise CRMScriptRuntimeError("Float overflow")
            return result
        if op == "/":
            return numbers.int_div(left, right)
        if op == "%":
            return numbers.int_mod(left, right)
        result = left + right if op == "+" else left - right if op == "-" else left * right
        if not INT_MIN <= result <= INT_MAX:
            raise CRMScriptRuntimeError("Integer overflow")
        return result
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        text = left + right
        ctx = active_context()  # Generic arithmetic is rare: the frame walk (0.3 us) is fine here
        if ctx is not None and len(text) > ctx.limits.string_length:
            raise string_limit_error(ctx.limits)
        return text
    raise CRMScriptRuntimeError(
        f"operator {op} does not apply to {_a(type_name(left))} and {_a(type_name(right))}")


def negate(value: Any) -> Any:
    """Unary minus on a Generic."""
    if _number(value):
        result = -value
        if isinstance(result, int) and result > INT_MAX:
            raise CRMScriptRuntimeError("Integer overflow")
        return result
    raise CRMScriptRuntimeError(f"unary - does not apply to {_a(type_name(value))}")


_ORDERED_SAME_TYPE = ("String", "Date", "DateTime", "Time", "TimeSpan")


def compare(op: str, left: Any, right: Any) -> bool:
    """A comparison where at least one operand is statically Generic: two
    numbers, or two values of the same type (ordering only for String and
    the date and time types), as the checker requires of known types."""
    if (left is None or right is None) and op in ("==", "!="):
        # an unset Generic equals only another unset one (Java's null == x)
        return (left is right) == (op == "==")
    left_type, right_type = type_name(left), type_name(right)
    if _number(left) and _number(right):
        pass
    elif left_type != right_type or (op not in ("==", "!=") and left_type not in _ORDERED_SAME_TYPE):
        def described(value: Any, name: str) -> str:
            return "an unset Generic" if value is None else _a(name)
        raise CRMScriptRuntimeError(
            f"cannot compare {described(left, left_type)} with {described(right, right_type)} using {op}")
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


# ------------------------------------------------- the documented functions
# CRMScript.Native.Generic: the explicit way to look into a Generic
# (docs/datatypes/generic-type.md). getGenericValue, getStructMembers and
# setGenericFromString need the running script's variables and struct
# table and are not simulated.

def _array_type_name(array: Array) -> str:
    """'Integer[]', 'String[][]': from the factory of the array's elements."""
    element = array.element_default()
    if isinstance(element, Array):
        return _array_type_name(element) + "[]"
    name = type_name(element)
    return ("Generic" if name == "no value" else name) + "[]"


@builtin("String getTypeName(Generic generic)")
def get_type_name(value: Any) -> str:
    if isinstance(value, Array):
        return _array_type_name(value)
    name = type_name(value)
    if name == "object":  # a plugin's class: its own name is the best guess
        return getattr(type(value), "__crm_name__", None) or type(value).__name__
    return "Generic" if name == "no value" else name


@builtin("Integer getTypeDimensions(Generic value)")
def get_type_dimensions(value: Any) -> int:
    dims = 0
    while isinstance(value, Array):
        dims += 1
        value = value.element_default()
    return dims


@builtin("Bool typeIsStruct(Generic generic)")
def type_is_struct(value: Any) -> bool:
    return hasattr(type(value), "__crm_fields__")  # (a documented class's value has a __crm_name__ too)


@builtin("String convertGenericToString(Generic variable)")
def convert_generic_to_string(value: Any) -> str:
    """Basic types as text; "[complex]" for the others (as the docs say)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same Float
    if type_name(value) in ("Date", "DateTime", "Time"):
        return str(value)  # their toString(): YYYY-MM-DD[ HH:MI:SS], "" when null
    return "[complex]"


@builtin("Bool GenericToBool(Generic value)")
def generic_to_bool(value: Any) -> bool:
    return from_generic(value, "Bool")


@builtin("Integer GenericToInteger(Generic value)")
def generic_to_integer(value: Any) -> int:
    return from_generic(value, "Integer")


@builtin("Float GenericToFloat(Generic value)")
def generic_to_float(value: Any) -> float:
    return from_generic(value, "Float")


@builtin("String GenericToString(Generic value)")
def generic_to_string(value: Any) -> str:
    return from_generic(value, "String")


@builtin("Byte GenericToByte(Generic value)")
def generic_to_byte(value: Any) -> int:
    return from_generic(value, "Byte")


@builtin("Date GenericToDate(Generic value)")
def generic_to_date(value: Any) -> Any:
    return from_generic(value, "Date")


@builtin("DateTime GenericToDateTime(Generic value)")
def generic_to_datetime(value: Any) -> Any:
    return from_generic(value, "DateTime")


@builtin("Time GenericToTime(Generic value)")
def generic_to_time(value: Any) -> Any:
    return from_generic(value, "Time")


@builtin("TimeSpan GenericToTimeSpan(Generic value)")
def generic_to_timespan(value: Any) -> Any:
    return from_generic(value, "TimeSpan")


@builtin("Generic[] GenericToArray(Generic value)")
def generic_to_array(value: Any) -> Any:
    return array_from_generic(value)
