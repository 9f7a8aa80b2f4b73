"""Integer, Float, Bool and Byte: the numeric value types and their members.

Also the arithmetic helpers the compiler calls for the operators whose
CRMScript meaning differs from Python's (`/` and `%` on Integers truncate
toward zero like C and Java; division by zero is a catchable error) and the
text <-> number conversions the String members share.

Python representation (docs/architecture.md, "Runtime values"): Integer is
`int` kept inside 32-bit signed range, Float is `float`, Bool is `bool`,
Byte is `int` 0..255.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

from ..errors import CRMScriptRuntimeError
from ..types import INT_MAX, INT_MIN
from .table import LIBRARY, builtin

# --------------------------------------------------------------------------
# Helpers for the compiler and the other family modules
# --------------------------------------------------------------------------

def check_int(value: int) -> int:
    """Return `value` if it fits a 32-bit Integer, else raise "Integer overflow"."""
    if INT_MIN <= value <= INT_MAX:
        return value
    raise CRMScriptRuntimeError("Integer overflow")


def integer_overflow(value: int) -> int:
    """The failing branch of the compiler's inline Integer range check."""
    raise CRMScriptRuntimeError("Integer overflow")


def float_overflow(value: float) -> float:
    """The failing branch of the compiler's inline Float range check: like
    Integer overflow and division by zero, a trigger should never store 'inf'."""
    raise CRMScriptRuntimeError("Float overflow")


def int_div(a: int, b: int) -> int:
    """Integer `a / b`: truncates toward zero (C, Java), not toward -infinity."""
    if b == 0:
        raise CRMScriptRuntimeError("Division by zero")
    quotient = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        quotient = -quotient
    return check_int(quotient)  # INT_MIN / -1 does not fit


def int_mod(a: int, b: int) -> int:
    """Integer `a % b`: the remainder has the sign of the left operand (C, Java)."""
    if b == 0:
        raise CRMScriptRuntimeError("Division by zero")
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def float_div(a: float, b: float) -> float:
    """Float `a / b`. Dividing by zero is an error, as for Integers, rather
    than C's silent infinity: a trigger should never save 'inf'."""
    if b == 0:
        raise CRMScriptRuntimeError("Division by zero")
    quotient = a / b
    if math.isinf(quotient) and not (math.isinf(a) or math.isinf(b)):
        raise CRMScriptRuntimeError("Float overflow")
    return quotient


def float_mod(a: float, b: float) -> float:
    """Float `a % b` (C fmod: the sign of the left operand)."""
    if b == 0:
        raise CRMScriptRuntimeError("Division by zero")
    return math.fmod(a, b)


def float_to_integer(value: float) -> int:
    """A whole Float as an Integer, with the range check (NaN and infinities fail)."""
    if math.isnan(value) or math.isinf(value):
        raise CRMScriptRuntimeError(f"'{format_float_plain(value)}' cannot be converted to Integer")
    return check_int(int(value))


# Leading number prefix, as C's strtol/strtod read it: whitespace, a sign,
# digits. Conversions never fail in CRMScript: "12nok3" is 12, "nok" is 0.
# Digits are ASCII 0-9 only (Python's \d would also take other scripts' digits).
_INTEGER_PREFIX = re.compile(r"\s*([+-]?)([0-9]+)")
_FLOAT_PREFIX = re.compile(r"\s*([+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?)")


def parse_integer(text: str) -> int:
    """String -> Integer the CRMScript way: the leading number, 0 if none.

    Values beyond the 32-bit range are clamped (as C's strtol does)."""
    if text.isascii() and text.isdigit() and len(text) < 10:  # the common case, 6x faster
        return int(text)
    match = _INTEGER_PREFIX.match(text)
    if not match:
        return 0
    sign, digits = match.groups()
    digits = digits.lstrip("0") or "0"
    if len(digits) > 10:  # clamps anyway; and int() refuses thousands of digits
        return INT_MIN if sign == "-" else INT_MAX
    return max(INT_MIN, min(INT_MAX, int(sign + digits)))


def has_integer_prefix(text: str) -> bool:
    return _INTEGER_PREFIX.match(text) is not None


def parse_float(text: str) -> float:
    """String -> Float: the leading number, 0.0 if none. Both '.' and ','
    are accepted as the decimal separator (the docs convert "150,3")."""
    match = _FLOAT_PREFIX.match(text)
    if not match:
        return 0.0
    return float(match.group(1).replace(",", "."))  # too large gives inf, as strtod


def format_float_plain(value: float) -> str:
    """inf, -inf and nan as C's printf writes them."""
    if math.isnan(value):
        return "nan"
    return "inf" if value > 0 else "-inf"


MAX_DECIMALS = 100  # Float.toString(n): more digits than this are noise; keeps strings bounded


def format_float(value: float, decimals: int) -> str:
    """Float.toString(decimals): fixed point, rounding half away from zero.

    Rounds the shortest decimal form of the value (what the author wrote),
    so 2.675 with 2 decimals is "2.68", not C's binary-exact "2.67".
    A negative number of decimals counts as 0, more than MAX_DECIMALS as
    MAX_DECIMALS; "-0.00" is written "0.00".
    """
    if math.isnan(value) or math.isinf(value):
        return format_float_plain(value)
    decimals = max(0, min(decimals, MAX_DECIMALS))
    written = repr(float(value))
    if "e" not in written:
        return _round_written(written, decimals)
    exact = Decimal(written)
    # Enough precision for every digit left of the point plus the decimals
    # (the default context's 28 digits would fail on 1e20 with 10 decimals).
    digits = max(exact.adjusted() + 1, 1) + decimals + 1
    with localcontext() as exact_context:
        exact_context.prec = digits
        rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:f}"


def _round_written(written: str, decimals: int) -> str:
    """format_float for a repr without exponent ("-12.345"), by digit
    arithmetic: the same result as the Decimal path, about twice as fast
    (formatting prices is the common case)."""
    negative = written.startswith("-")
    whole, _, fraction = written.lstrip("-").partition(".")
    if len(fraction) <= decimals:
        digits = whole + fraction.ljust(decimals, "0")
    else:
        number = int(whole + fraction[:decimals])
        if fraction[decimals] >= "5":  # half away from zero: the sign is added after
            number += 1
        digits = str(number).rjust(decimals + 1, "0")
    text = digits if decimals == 0 else digits[:-decimals] + "." + digits[-decimals:]
    if negative and any(c not in "0." for c in text):
        text = "-" + text
    return text


def round_half_away(value: float) -> float:
    return math.copysign(math.floor(abs(value) + 0.5), value)


# --------------------------------------------------------------------------
# Null: the value of a declaration without an initial value
# --------------------------------------------------------------------------

class NullInteger(int):
    """`Integer x;` before any assignment: 0 in every computation (CRMScript
    "interprets null as zero"), but isNull() is true. Any arithmetic or
    assignment produces a plain int, which is not null."""

    __slots__ = ()


class NullFloat(float):
    """`Float x;` before any assignment: 0.0 that isNull()."""

    __slots__ = ()


NULL_INTEGER = NullInteger(0)
NULL_FLOAT = NullFloat(0.0)


# --------------------------------------------------------------------------
# Integer
# --------------------------------------------------------------------------

@builtin("Integer Integer()")
def integer_new() -> int:
    return 0


@builtin("Integer Integer(Integer value)")
def integer_copy(value: int) -> int:
    return value


@builtin("Integer Integer(String value)")
def integer_from_string(value: str) -> int:
    """Parses the leading number of the text; text without one gives 0."""
    return parse_integer(value)


@builtin("String Integer.toString()")
def integer_to_string(self: int) -> str:
    return str(self)


@builtin("Bool Integer.toBool()")
def integer_to_bool(self: int) -> bool:
    return self != 0


@builtin("Integer Integer.abs()")
def integer_abs(self: int) -> int:
    return check_int(abs(self))  # abs(INT_MIN) does not fit


def integer_hex(value: int) -> str:
    """Lower-case hex; negative values as their 32-bit two's complement (C's %x)."""
    return format(value & 0xFFFFFFFF, "x")


@builtin("String Integer.toHex()")
def integer_to_hex(self: int) -> str:
    return integer_hex(self)


@builtin("String Integer.toHex(Integer value)")
def integer_to_hex_of(self: int, value: int) -> str:
    """The documented `toHex(i)` form: converts the argument, not the receiver."""
    return integer_hex(value)


@builtin("Bool Integer.isNull()")
def integer_is_null(self: int) -> bool:
    """True only for a variable declared without a value and never assigned."""
    return isinstance(self, NullInteger)


# --------------------------------------------------------------------------
# Float
# --------------------------------------------------------------------------

@builtin("Float Float()")
def float_new() -> float:
    return 0.0


@builtin("Float Float(Float value)")
def float_copy(value: float) -> float:
    return float(value)


@builtin("Float Float(Integer value)")
def float_from_integer(value: int) -> float:
    return float(value)


@builtin("Float Float(String value)")
def float_from_string(value: str) -> float:
    """Parses the leading decimal number ('.' or ','); no number gives 0.0."""
    return parse_float(value)


@builtin("String Float.toString(Integer decimals)")
def float_to_string(self: float, decimals: int) -> str:
    return format_float(self, decimals)


@builtin("Float Float.abs()")
def float_abs(self: float) -> float:
    return abs(self)


@builtin("Integer Float.floor()")
def float_floor(self: float) -> int:
    if math.isnan(self) or math.isinf(self):
        return float_to_integer(self)
    return check_int(math.floor(self))


@builtin("Integer Float.round()")
def float_round(self: float) -> int:
    """Nearest Integer; .5 rounds away from zero (13.5 -> 14, -13.5 -> -14)."""
    if math.isnan(self) or math.isinf(self):
        return float_to_integer(self)
    return check_int(int(round_half_away(self)))


@builtin("Bool Float.isNull()")
def float_is_null(self: float) -> bool:
    """True only for a variable declared without a value and never assigned."""
    return isinstance(self, NullFloat)


# --------------------------------------------------------------------------
# Bool
# --------------------------------------------------------------------------

@builtin("Bool Bool()")
def bool_new() -> bool:
    return False


@builtin("Bool Bool(Bool value)")
def bool_copy(value: bool) -> bool:
    return bool(value)


@builtin("Integer Bool.toInteger()")
def bool_to_integer(self: bool) -> int:
    return 1 if self else 0


@builtin("String Bool.toString()")
def bool_to_string(self: bool) -> str:
    return "true" if self else "false"


# --------------------------------------------------------------------------
# Byte
# --------------------------------------------------------------------------

def to_byte(value: int) -> int:
    """Integer -> Byte: "Large values will be masked" (the low 8 bits)."""
    return value & 0xFF


@builtin("Byte Byte()")
def byte_new() -> int:
    return 0


@builtin("Byte Byte(Integer value)")
def byte_from_integer(value: int) -> int:
    return to_byte(value)


@builtin("String Byte.toHex()")
def byte_to_hex(self: int) -> str:
    return format(self, "x")


@builtin("String Byte.toHex(Integer padding)")
def byte_to_hex_padded(self: int, padding: int) -> str:
    """Hex with leading zeros up to `padding` digits (10 with 2 -> "0a")."""
    return format(self, "x").rjust(max(0, min(padding, 64)), "0")


@builtin("String Byte.toString()")
def byte_to_string(self: int) -> str:
    return str(self)


@builtin("Integer Byte.toInteger()")
def byte_to_integer(self: int) -> int:
    return self


@builtin("Bool Byte.toBool()")
def byte_to_bool(self: int) -> bool:
    return self != 0


LIBRARY.register_class("Integer", int, default=lambda: NULL_INTEGER)
LIBRARY.register_class("Float", float, default=lambda: NULL_FLOAT)
LIBRARY.register_class("Bool", bool, default=lambda: False)
LIBRARY.register_class("Byte", int, default=lambda: 0)
