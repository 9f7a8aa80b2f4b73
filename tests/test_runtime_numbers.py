"""Integer, Float, Bool, Byte members and the arithmetic helpers."""

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given, settings, strategies as st
from runtime_helpers import impl

from engine.errors import CRMScriptRuntimeError
from engine.runtime import numbers
from engine.runtime.table import LIBRARY

# ---- arithmetic helpers the compiler calls ---------------------------------

@pytest.mark.parametrize("a, b, quotient, remainder", [
    (7, 2, 3, 1),
    (-7, 2, -3, -1),
    (7, -2, -3, 1),
    (-7, -2, 3, -1),
    (0, 5, 0, 0),
    (6, 3, 2, 0),
])
def test_integer_division_truncates_toward_zero_and_remainder_follows_left(a, b, quotient, remainder):
    assert numbers.int_div(a, b) == quotient
    assert numbers.int_mod(a, b) == remainder
    assert numbers.int_div(a, b) * b + numbers.int_mod(a, b) == a


@pytest.mark.parametrize("helper", [numbers.int_div, numbers.int_mod, numbers.float_div, numbers.float_mod])
def test_division_by_zero_is_a_catchable_error(helper):
    with pytest.raises(CRMScriptRuntimeError, match="Division by zero"):
        helper(1, 0)


def test_int_min_divided_by_minus_one_overflows():
    with pytest.raises(CRMScriptRuntimeError, match="Integer overflow"):
        numbers.int_div(numbers.INT_MIN, -1)


def test_check_int_bounds():
    assert numbers.check_int(numbers.INT_MAX) == 2147483647
    assert numbers.check_int(numbers.INT_MIN) == -2147483648
    for outside in (numbers.INT_MAX + 1, numbers.INT_MIN - 1):
        with pytest.raises(CRMScriptRuntimeError, match="Integer overflow"):
            numbers.check_int(outside)


def test_float_division_and_remainder():
    assert numbers.float_div(7.0, 2.0) == 3.5
    assert numbers.float_mod(-7.5, 2.0) == -1.5


# ---- Integer ---------------------------------------------------------------

def test_integer_constructors():
    assert impl("Integer", "Integer")() == 0
    assert impl("Integer", "Integer", "Integer")(-12) == -12


@pytest.mark.parametrize("text, value", [
    ("73", 73), ("  -15", -15), ("+8", 8), ("12nok3", 12), ("nok12", 0), ("", 0),
    ("3.9", 3), ("99999999999", numbers.INT_MAX), ("-99999999999", numbers.INT_MIN),
    ("9" * 5000, numbers.INT_MAX), ("-" + "9" * 5000, numbers.INT_MIN), ("0" * 20 + "42", 42),
    ("\u0663", 0), ("-0", 0), ("+-3", 0),
])
def test_integer_from_string_reads_the_leading_number(text, value):
    assert impl("Integer", "Integer", "String")(text) == value


def test_integer_members():
    assert impl("Integer", "toString")(-40) == "-40"
    assert impl("Integer", "toBool")(0) is False
    assert impl("Integer", "toBool")(-3) is True
    assert impl("Integer", "abs")(-9) == 9
    assert impl("Integer", "abs")(9) == 9
    assert impl("Integer", "isNull")(0) is False


def test_abs_of_the_smallest_integer_overflows():
    with pytest.raises(CRMScriptRuntimeError, match="Integer overflow"):
        impl("Integer", "abs")(numbers.INT_MIN)


@pytest.mark.parametrize("value, hex_text", [(0, "0"), (10, "a"), (255, "ff"), (4096, "1000"), (-1, "ffffffff")])
def test_integer_to_hex(value, hex_text):
    assert impl("Integer", "toHex")(value) == hex_text


def test_integer_to_hex_with_argument_converts_the_argument():
    assert impl("Integer", "toHex", "Integer")(1, 171) == "ab"


# ---- Float -----------------------------------------------------------------

def test_float_constructors():
    assert impl("Float", "Float")() == 0.0
    assert impl("Float", "Float", "Float")(2.5) == 2.5
    value = impl("Float", "Float", "Integer")(4)
    assert value == 4.0 and isinstance(value, float)


@pytest.mark.parametrize("text, value", [
    ("2.25", 2.25), ("150,3", 150.3), (" -0.5kg", -0.5), (".5", 0.5), ("1e3", 1000.0),
    ("abc", 0.0), ("", 0.0), ("7", 7.0), ("1e999", float("inf")), ("\u0663", 0.0),
])
def test_float_from_string(text, value):
    assert impl("Float", "Float", "String")(text) == pytest.approx(value)


@pytest.mark.parametrize("value, decimals, text", [
    (3.14159, 0, "3"), (3.14159, 1, "3.1"), (3.14159, 4, "3.1416"), (2.5, 0, "3"),
    (-2.5, 0, "-3"), (2.675, 2, "2.68"), (1.005, 2, "1.01"), (10.0, 2, "10.00"),
    (-0.001, 2, "0.00"), (1e20, 1, "100000000000000000000.0"), (0.5, -1, "1"),
])
def test_float_to_string_rounds_half_away_from_zero(value, decimals, text):
    assert impl("Float", "toString", "Integer")(value, decimals) == text


def test_null_values_print_as_zero():
    assert impl("Integer", "toString")(LIBRARY.classes["Integer"].default()) == "0"
    assert impl("Float", "toString", "Integer")(LIBRARY.classes["Float"].default(), 1) == "0.0"


def test_float_to_string_of_non_finite_values():
    to_string = impl("Float", "toString", "Integer")
    assert to_string(math.inf, 2) == "inf"
    assert to_string(-math.inf, 2) == "-inf"
    assert to_string(math.nan, 2) == "nan"


def test_float_abs_floor_round():
    assert impl("Float", "abs")(-7.25) == 7.25
    assert impl("Float", "floor")(13.9) == 13
    assert impl("Float", "floor")(-13.1) == -14
    assert impl("Float", "round")(13.5) == 14
    assert impl("Float", "round")(13.49) == 13
    assert impl("Float", "round")(-13.5) == -14
    assert impl("Float", "isNull")(0.0) is False


@pytest.mark.parametrize("member", ["floor", "round"])
@pytest.mark.parametrize("value", [1e12, -1e12, math.inf, math.nan])
def test_float_to_integer_out_of_range_is_an_error(member, value):
    with pytest.raises(CRMScriptRuntimeError):
        impl("Float", member)(value)


# ---- Bool ------------------------------------------------------------------

def test_bool_members():
    assert impl("Bool", "Bool")() is False
    assert impl("Bool", "Bool", "Bool")(True) is True
    assert impl("Bool", "toInteger")(True) == 1
    assert impl("Bool", "toInteger")(False) == 0
    assert impl("Bool", "toString")(True) == "true"
    assert impl("Bool", "toString")(False) == "false"


# ---- Byte ------------------------------------------------------------------

def test_byte_constructor_masks_to_eight_bits():
    assert impl("Byte", "Byte")() == 0
    assert impl("Byte", "Byte", "Integer")(65) == 65
    assert impl("Byte", "Byte", "Integer")(256 + 7) == 7
    assert impl("Byte", "Byte", "Integer")(-1) == 255


def test_byte_members():
    assert impl("Byte", "toHex")(10) == "a"
    assert impl("Byte", "toHex")(255) == "ff"
    assert impl("Byte", "toHex", "Integer")(10, 2) == "0a"
    assert impl("Byte", "toHex", "Integer")(171, 4) == "00ab"
    assert impl("Byte", "toHex", "Integer")(171, 0) == "ab"
    assert impl("Byte", "toString")(200) == "200"
    assert impl("Byte", "toInteger")(200) == 200
    assert impl("Byte", "toBool")(0) is False
    assert impl("Byte", "toBool")(1) is True


# ---- the table ---------------------------------------------------------------

@pytest.mark.parametrize("name, count", [("Integer", 9), ("Float", 9), ("Bool", 4), ("Byte", 7)])
def test_every_documented_member_is_registered(name, count):
    info = LIBRARY.classes[name]
    members = len(info.constructors) + sum(len(v) for v in info.methods.values())
    assert members == count


@pytest.mark.parametrize("name, default", [("Integer", 0), ("Float", 0.0), ("Bool", False), ("Byte", 0)])
def test_declared_without_value_defaults(name, default):
    value = LIBRARY.classes[name].default()
    assert value == default and isinstance(value, type(default))


@pytest.mark.parametrize("name, python_type", [("Integer", int), ("Float", float)])
def test_only_a_never_assigned_declaration_is_null(name, python_type):
    is_null = impl(name, "isNull")
    null = LIBRARY.classes[name].default()
    assert is_null(null) is True
    assert is_null(python_type(0)) is False
    assert is_null(null + 1) is False  # any computation gives a plain value
    assert is_null(null) is True and null == 0


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(min_value=-2, max_value=25))
def test_float_to_string_matches_decimal_rounding_half_away_from_zero(value, decimals):
    """The digit-arithmetic fast path agrees with plain Decimal rounding of the written value."""
    expected = Decimal(repr(value))
    with localcontext() as context:
        context.prec = 1000
        expected = expected.quantize(Decimal(1).scaleb(-max(0, decimals)), rounding=ROUND_HALF_UP)
    if expected == 0:
        expected = abs(expected)
    assert impl("Float", "toString", "Integer")(value, decimals) == f"{expected:f}"
