"""Tier-1 global functions, called through the signature table."""

import base64
import datetime as dt
import hashlib
import hmac
import math
import random

import pytest
from runtime_helpers import glob, with_context

from engine.errors import CRMScriptLimitError, CRMScriptRuntimeError
from engine.eventdata import EventData
from engine.runtime.context import Limits, RunContext, Settings
from engine.runtime.table import LIBRARY


@pytest.fixture
def ctx():
    return RunContext(rng=random.Random(1234))


# ---- output and logs -----------------------------------------------------------

def test_print_and_print_line_write_to_the_output(ctx):
    echoed = []
    ctx.on_print = echoed.append
    glob("print", "String")(ctx, "a")
    glob("printLine", "String")(ctx, "b")
    glob("printLine", "String")(ctx, "")
    assert ctx.printed() == "ab\n\n"
    assert echoed == ["a", "b\n", "\n"]


def test_debug_and_log_go_to_the_log_not_the_output(ctx):
    glob("printDebug", "String")(ctx, "x=1")
    glob("log", "String")(ctx, "saved")
    glob("logMessage", "String")(ctx, "to file")
    assert ctx.printed() == ""
    assert ctx.log == [("debug", "x=1"), ("log", "saved"), ("logMessage", "to file")]


def test_get_event_data_returns_the_run_event():
    context = RunContext(event=EventData(Type="X", Message="m"))
    assert glob("getEventData")(context).event is context.event


# ---- maths and randomness ---------------------------------------------------------

@pytest.mark.parametrize("base, exp, result", [
    (2.0, 10.0, 1024.0), (9.0, 0.5, 3.0), (2.0, -1.0, 0.5), (0.0, 0.0, 1.0), (-2.0, 3.0, -8.0),
    (0.0, -1.0, math.inf), (10.0, 400.0, math.inf), (-10.0, 401.0, -math.inf),
])
def test_pow(base, exp, result):
    assert glob("pow", "Float", "Float")(base, exp) == result


def test_pow_of_a_negative_base_and_fractional_exponent_is_nan():
    assert math.isnan(glob("pow", "Float", "Float")(-8.0, 1 / 3))


def test_modulo_matches_the_operator():
    modulo = glob("modulo", "Integer", "Integer")
    assert modulo(7, 3) == 1
    assert modulo(-7, 3) == -1
    assert modulo(7, -3) == 1
    with pytest.raises(CRMScriptRuntimeError, match="Division by zero"):
        modulo(1, 0)


def test_rand_stays_within_bounds_and_follows_the_seed(ctx):
    rand = glob("rand", "Integer", "Integer")
    values = [rand(ctx, -3, 3) for _ in range(300)]
    assert set(values) == set(range(-3, 4))
    assert rand(ctx, 5, 5) == 5
    assert all(10 <= rand(ctx, 20, 10) <= 20 for _ in range(50))  # bounds in either order
    again = RunContext(rng=random.Random(1234))
    assert [rand(again, -3, 3) for _ in range(300)] == values


def test_make_password(ctx):
    password = glob("makePassword", "Integer")(ctx, 16)
    assert len(password) == 16 and password.isalnum()
    assert set(glob("makePassword", "Integer", "String")(ctx, 50, "ab")) <= {"a", "b"}
    assert glob("makePassword", "Integer")(ctx, 0) == ""
    assert glob("makePassword", "Integer")(ctx, -4) == ""
    assert glob("makePassword", "Integer", "String")(ctx, 5, "") == ""


def test_make_password_respects_the_string_limit():
    ctx = RunContext(limits=Limits(string_length=10), rng=random.Random(1))
    assert len(glob("makePassword", "Integer")(ctx, 10)) == 10
    with pytest.raises(CRMScriptLimitError, match="string length limit"):
        glob("makePassword", "Integer")(ctx, 11)


def test_base64_respects_the_sandbox_limits():
    small = RunContext(limits=Limits(string_length=100, collection_size=10))
    assert len(glob("encodeBase64", "Byte[]", "Bool")(small, [0] * 75, False)) == 100
    with pytest.raises(CRMScriptLimitError, match="string length limit"):
        glob("encodeBase64", "Byte[]", "Bool")(small, [0] * 76, False)
    assert len(glob("decodeBase64", "String")(small, "A" * 12)) == 9
    with pytest.raises(CRMScriptLimitError):
        glob("decodeBase64", "String")(small, "A" * 16)


# ---- base64 and hashes ------------------------------------------------------------------

def test_base64_round_trip_with_and_without_line_wrapping():
    data = list(range(256)) * 2
    wrapped = glob("encodeBase64", "Byte[]")(RunContext(), data)
    lines = wrapped.split("\r\n")
    assert all(len(line) == 76 for line in lines[:-1]) and 0 < len(lines[-1]) <= 76
    assert glob("encodeBase64", "Byte[]", "Bool")(RunContext(), data, True) == wrapped
    flat = glob("encodeBase64", "Byte[]", "Bool")(RunContext(), data, False)
    assert flat == base64.b64encode(bytes(data)).decode()
    assert list(glob("decodeBase64", "String")(RunContext(), wrapped)) == data
    assert list(glob("decodeBase64", "String")(RunContext(), flat)) == data


def test_decode_base64_is_forgiving_about_padding_and_whitespace():
    decode = with_context("", "decodeBase64", "String")
    assert bytes(decode("SGk")) == b"Hi"
    assert bytes(decode(" SG\nk= ")) == b"Hi"
    assert list(decode("")) == []
    assert decode("SGk").new_element() == 0  # a real Byte[]


def test_decode_base64_of_garbage_is_an_error():
    with pytest.raises(CRMScriptRuntimeError, match="is not valid base64"):
        glob("decodeBase64", "String")(RunContext(), "not*base64!")


def test_encode_base64_of_nothing():
    assert glob("encodeBase64", "Byte[]")(RunContext(), []) == ""


def test_sha1_is_lower_case_hex():
    assert glob("encodeSHA1", "String")("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert glob("encodeSHA1", "String")("") == hashlib.sha1(b"").hexdigest()


def test_sha256_is_keyed():
    expected = hmac.new(b"secret", b"message", hashlib.sha256).hexdigest()
    assert glob("encodeSHA256", "String", "String")("secret", "message") == expected


def test_hmac_variants():
    assert glob("encodeHMACSHA1", "String", "String")("k", "v") == hmac.new(b"k", b"v", hashlib.sha1).hexdigest()


def test_hmac_byte_variants_return_raw_digests():
    sha256 = glob("encodeHMACSHA256", "String", "String")("k", "v")
    sha512 = glob("encodeHMACSHA512", "String", "String")("k", "v")
    assert bytes(sha256) == hmac.new(b"k", b"v", hashlib.sha256).digest() and len(sha256) == 32
    assert bytes(sha512) == hmac.new(b"k", b"v", hashlib.sha512).digest() and len(sha512) == 64


def test_text_with_latin_1_characters_hashes_its_latin_1_bytes():
    # A key made with String(Byte[]) from raw bytes must hash as those bytes.
    raw_key = bytes([0x00, 0xFF, 0x80, 0x41])
    as_string = raw_key.decode("latin-1")
    expected = hmac.new(raw_key, b"x", hashlib.sha256).hexdigest()
    assert glob("encodeSHA256", "String", "String")(as_string, "x") == expected
    # Beyond Latin-1 the text is hashed as UTF-8.
    assert glob("encodeSHA1", "String")("€") == hashlib.sha1("€".encode()).hexdigest()


# ---- clock -------------------------------------------------------------------------------------

def test_sleep_advances_the_simulated_clock_only(ctx):
    glob("sleep", "Float")(ctx, 2.5)
    glob("sleep", "Float")(ctx, -1.0)
    glob("sleep", "Float")(ctx, math.nan)
    assert ctx.clock_offset == 2.5


def test_current_date_time_follows_the_simulated_clock(ctx):
    now = glob("getCurrentDateTime")(ctx)
    glob("sleep", "Float")(ctx, 3 * 86400.0)
    later = glob("getCurrentDateTime")(ctx)
    elapsed = (later.value - now.value).total_seconds()
    assert 3 * 86400 <= elapsed <= 3 * 86400 + 5  # the real clock moved a little too
    for name, type_name in (("getCurrentDate", "Date"), ("getCurrentDateTime", "DateTime"), ("getCurrentTime", "Time")):
        assert type(glob(name)(ctx)) is LIBRARY.classes[type_name].python_class


def test_current_date_is_today_in_the_settings_time_zone():
    context = RunContext(settings=Settings(timezone="Pacific/Kiritimati"))  # UTC+14
    text = LIBRARY.classes["Date"].methods["toString"][0].impl(glob("getCurrentDate")(context))
    today_there = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date().isoformat()
    assert text == today_there


# ---- variables -----------------------------------------------------------------------------------

def test_variables(ctx):
    assert glob("getVariable", "String")(ctx, "x") == ""
    glob("setVariable", "String", "String")(ctx, "x", "1")
    glob("SetVariable", "String", "String")(ctx, "y", "2")
    assert glob("getVariable", "String")(ctx, "x") == "1"
    assert ctx.variables == {"x": "1", "y": "2"}


def test_global_variables_are_separate_from_variables(ctx):
    glob("setGlobalVariable", "String", "String")(ctx, "x", "g")
    glob("SetGlobalVariable", "String", "String")(ctx, "z", "h")
    assert glob("getGlobalVariable", "String")(ctx, "x") == "g"
    assert glob("getGlobalVariable", "String")(ctx, "z") == "h"
    assert glob("getGlobalVariable", "String")(ctx, "nope") == ""
    assert glob("getVariable", "String")(ctx, "x") == ""


def test_map_value():
    result = glob("mapValue", "String")("42")
    assert result.items() == [("value", "42")]


# ---- assertions ---------------------------------------------------------------------------------

def test_assert():
    glob("assert", "Bool")(True)
    with pytest.raises(CRMScriptRuntimeError, match="AssertException: assertion failed"):
        glob("assert", "Bool")(False)


@pytest.mark.parametrize("types, equal, different, shown", [
    (("Bool", "Bool"), (True, True), (True, False), "true is not equal to false"),
    (("Float", "Float"), (0.5, 0.5), (0.5, 0.25), "0.5 is not equal to 0.25"),
    (("Integer", "Integer"), (-3, -3), (3, 4), "3 is not equal to 4"),
    (("String", "String"), ("a", "a"), ("a", "A"), '"a" is not equal to "A"'),
])
def test_assert_equals_names_both_values(types, equal, different, shown):
    assert_equals = glob("assertEquals", *types)
    assert_equals(*equal)
    with pytest.raises(CRMScriptRuntimeError) as failure:
        assert_equals(*different)
    assert failure.value.message == f"AssertException: {shown}"


# ---- languages -----------------------------------------------------------------------------------

@pytest.mark.parametrize("setting, code", [("de", "de"), ("en-US", "en-US"), ("nb", "nb"), ("ja", "ja")])
def test_user_and_system_language_come_from_the_settings(setting, code):
    context = RunContext(settings=Settings(language=setting))
    assert glob("getUserLang")(context) == code
    assert glob("getSystemLang")(context) == code


@pytest.mark.parametrize("code, lang_id", [
    ("no", 0), ("en", 1), ("EN", 1), ("en-US", 1), ("US", 1), ("de", 2), ("GE", 2), ("sv", 3),
    ("da", 4), ("nl", 5), ("fr", 6), ("es", 7), ("it", 8), ("cs", 9), ("fi", 10), ("pl", 11),
    ("xx", 0), ("", 0),
])
def test_lang_to_id(code, lang_id):
    assert glob("langToId", "String")(code) == lang_id


@pytest.mark.parametrize("lang_id, code", [(0, "no"), (1, "en"), (2, "de"), (11, "pl"), (12, ""), (-1, "")])
def test_id_to_lang(lang_id, code):
    assert glob("idToLang", "Integer")(lang_id) == code


def test_lang_round_trip():
    for lang_id in range(12):
        assert glob("langToId", "String")(glob("idToLang", "Integer")(lang_id)) == lang_id


# ---- executeScript ----------------------------------------------------------------------------------

def test_execute_script_offline_is_a_catchable_error(ctx):
    with pytest.raises(CRMScriptRuntimeError, match="executeScript is not available offline"):
        glob("executeScript", "String", "Map")(ctx, 'printLine("x");', None)


def test_execute_script_uses_the_resolver_on_the_context(ctx):
    calls = []
    ctx.script_executor = lambda code, values: calls.append((code, values)) or "ran"
    assert glob("executeScript", "String", "Map")(ctx, "code", "values") == "ran"
    assert calls == [("code", "values")]


# ---- the table ---------------------------------------------------------------------------------------

TIER_1 = ("print printLine printDebug log logMessage getEventData pow modulo rand encodeBase64 decodeBase64 "
          "encodeSHA1 encodeSHA256 encodeHMACSHA1 encodeHMACSHA256 encodeHMACSHA512 getCurrentDate "
          "getCurrentDateTime getCurrentTime mapValue makePassword assert assertEquals sleep getVariable "
          "setVariable SetVariable getGlobalVariable setGlobalVariable SetGlobalVariable executeScript "
          "getUserLang getSystemLang langToId idToLang").split()


def test_every_tier_1_global_is_implemented():
    for name in TIER_1:
        assert LIBRARY.functions.get(name), name
        assert all(sig.impl is not None for sig in LIBRARY.functions[name]), name
