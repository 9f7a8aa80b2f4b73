"""The pure global functions of the library, tier 1 (docs/library.md):
output, EventData, maths, randomness, hashing and base64, the current
date/time, session variables, assertions, languages, executeScript.

Everything that touches the outside world goes through the RunContext
(`context=True`): output, the log, the simulated clock, the variables and
the random generator, so a run is isolated and repeatable.
Decisions the reference leaves open are in docs/library.md ("Global functions").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import string

from ..errors import CRMScriptRuntimeError
from .datetimes import now_date, now_datetime, now_time
from .eventdata import EventDataObject, event_data_of
from .languages import language_code, language_id
from .numbers import format_float_plain, int_mod
from .strings import check_array_length, check_string_length, limited, new_byte_array, string_to_bytes
from .table import builtin

# --------------------------------------------------------------------------
# Output and logs
# --------------------------------------------------------------------------


@builtin("Void print(String s)", context=True)
def print_(ctx, s: str) -> None:
    ctx.write(s)


@builtin("Void printLine(String line)", context=True)
def print_line(ctx, line: str) -> None:
    ctx.write(line + "\n")


@builtin("Void printDebug(String debug)", context=True)
def print_debug(ctx, debug: str) -> None:
    """Goes to the run's log (channel "debug"), not to the output."""
    ctx.add_log("debug", debug)


@builtin("Void log(String msg)", context=True)
def log(ctx, msg: str) -> None:
    ctx.add_log("log", msg)


@builtin("Void logMessage(String message)", context=True)
def log_message(ctx, message: str) -> None:
    ctx.add_log("logMessage", message)


# --------------------------------------------------------------------------
# EventData
# --------------------------------------------------------------------------


@builtin("EventData getEventData()", context=True)
def get_event_data(ctx) -> EventDataObject:
    """The EventData of the current event: a view on the run's carrier."""
    return event_data_of(ctx)


# --------------------------------------------------------------------------
# Maths and randomness
# --------------------------------------------------------------------------


@builtin("Float pow(Float base, Float exp)")
def pow_(base: float, exp: float) -> float:
    """As C's pow: a negative base with a fractional exponent gives nan,
    zero to a negative power and results too large give inf."""
    try:
        return math.pow(base, exp)
    except OverflowError:
        odd_power = float(exp).is_integer() and int(exp) % 2 == 1
        return -math.inf if base < 0 and odd_power else math.inf
    except ValueError:
        if base == 0 and exp < 0:
            return math.inf
        return math.nan


@builtin("Integer modulo(Integer a, Integer b)")
def modulo(a: int, b: int) -> int:
    """Same as `a % b` (sign of `a`; b == 0 is "Division by zero")."""
    return int_mod(a, b)


@builtin("Integer rand(Integer min, Integer max)", context=True)
def rand(ctx, min_: int, max_: int) -> int:
    """A random Integer with min <= r <= max (the bounds may come in either order)."""
    low, high = sorted((min_, max_))
    return ctx.rng.randint(low, high)


PASSWORD_CHARACTERS = string.ascii_letters + string.digits


@builtin("String makePassword(Integer length)", context=True)
def make_password(ctx, length: int) -> str:
    """`length` random letters and digits."""
    return make_password_from(ctx, length, PASSWORD_CHARACTERS)


@builtin("String makePassword(Integer length, String seed)", context=True)
def make_password_from(ctx, length: int, seed: str) -> str:
    """`length` random characters taken from `seed` ("" when seed is empty)."""
    if length <= 0 or not seed:
        return ""
    check_string_length(ctx, length)
    return "".join(ctx.rng.choice(seed) for _ in range(length))


# --------------------------------------------------------------------------
# Base64 and hashes (text becomes bytes by strings.string_to_bytes)
# --------------------------------------------------------------------------

BASE64_LINE_LENGTH = 76  # MIME (RFC 2045)
BASE64_LINE_BREAK = "\r\n"


@builtin("String encodeBase64(Byte[] data)", context=True)
def encode_base64(ctx, data: list) -> str:
    """Base64 wrapped in lines of 76 characters (MIME), like encodeBase64(data, true)."""
    return encode_base64_wrapped(ctx, data, True)


@builtin("String encodeBase64(Byte[] data, Bool wrapLines)", context=True)
def encode_base64_wrapped(ctx, data: list, wrap_lines: bool) -> str:
    check_string_length(ctx, (len(data) + 2) // 3 * 4)
    text = base64.b64encode(bytes(b & 0xFF for b in data)).decode("ascii")
    if not wrap_lines:
        return text
    lines = [text[i:i + BASE64_LINE_LENGTH] for i in range(0, len(text), BASE64_LINE_LENGTH)]
    return limited(ctx, BASE64_LINE_BREAK.join(lines))


@builtin("Byte[] decodeBase64(String base64)", context=True)
def decode_base64(ctx, base64_text: str) -> object:
    """Line breaks and spaces are ignored and missing '=' padding is
    accepted; other characters outside the base64 alphabet are an error."""
    compact = "".join(base64_text.split())
    compact += "=" * (-len(compact) % 4)
    check_array_length(ctx, len(compact) // 4 * 3)
    try:
        return new_byte_array(base64.b64decode(compact, validate=True))
    except (binascii.Error, ValueError):
        shown = base64_text if len(base64_text) <= 40 else base64_text[:37] + "..."
        raise CRMScriptRuntimeError(f"decodeBase64: '{shown}' is not valid base64") from None


@builtin("String encodeSHA1(String value)")
def encode_sha1(value: str) -> str:
    """SHA-1 of the text, lower-case hex."""
    return hashlib.sha1(string_to_bytes(value)).hexdigest()


@builtin("String encodeSHA256(String key, String value)")
def encode_sha256(key: str, value: str) -> str:
    """Keyed: the HMAC-SHA256 of `value` with `key`, lower-case hex (this is
    what the reference's own example outputs are)."""
    return _hmac(key, value, hashlib.sha256).hexdigest()


@builtin("String encodeHMACSHA1(String key, String value)")
def encode_hmac_sha1(key: str, value: str) -> str:
    """HMAC-SHA1, lower-case hex (a String, like encodeSHA1)."""
    return _hmac(key, value, hashlib.sha1).hexdigest()


@builtin("Byte[] encodeHMACSHA256(String key, String value)")
def encode_hmac_sha256(key: str, value: str) -> object:
    """HMAC-SHA256 as its 32 raw bytes (encodeBase64 them for a JWT signature)."""
    return new_byte_array(_hmac(key, value, hashlib.sha256).digest())


@builtin("Byte[] encodeHMACSHA512(String key, String value)")
def encode_hmac_sha512(key: str, value: str) -> object:
    """HMAC-SHA512 as its 64 raw bytes."""
    return new_byte_array(_hmac(key, value, hashlib.sha512).digest())


def _hmac(key: str, value: str, digest) -> hmac.HMAC:
    return hmac.new(string_to_bytes(key), string_to_bytes(value), digest)


# --------------------------------------------------------------------------
# The current date and time (the run's one clock, RunContext.timestamp)
# --------------------------------------------------------------------------


@builtin("Date getCurrentDate()", context=True)
def get_current_date(ctx) -> object:
    return now_date(ctx)


@builtin("DateTime getCurrentDateTime()", context=True)
def get_current_date_time(ctx) -> object:
    return now_datetime(ctx)


@builtin("Time getCurrentTime()", context=True)
def get_current_time(ctx) -> object:
    return now_time(ctx)


@builtin("Void sleep(Float seconds)", context=True)
def sleep(ctx, seconds: float) -> None:
    """Advances the run's simulated clock; never really waits."""
    if seconds > 0 and math.isfinite(seconds):
        ctx.advance_clock(seconds)


# --------------------------------------------------------------------------
# Variables
# --------------------------------------------------------------------------


@builtin("String getVariable(String name)", context=True)
def get_variable(ctx, name: str) -> str:
    """A value of the calling environment; "" when it was never set."""
    return ctx.variables.get(name, "")


# The reference spells the setters both ways; both work.
@builtin("Void setVariable(String name, String value)", context=True)
@builtin("Void SetVariable(String name, String value)", context=True)
def set_variable(ctx, name: str, value: str) -> None:
    ctx.variables[name] = value


@builtin("String getGlobalVariable(String name)", context=True)
def get_global_variable(ctx, name: str) -> str:
    """Shared by the scripts of one run (one handler chain); "" when unset."""
    return ctx.global_variables.get(name, "")


@builtin("Void setGlobalVariable(String name, String value)", context=True)
@builtin("Void SetGlobalVariable(String name, String value)", context=True)
def set_global_variable(ctx, name: str, value: str) -> None:
    ctx.global_variables[name] = value


@builtin("Map mapValue(String value)")
def map_value(value: str) -> object:
    """A new Map holding one pair: "value" -> value."""
    from .collections import Map
    return Map.from_pairs([("value", value)])


# --------------------------------------------------------------------------
# Assertions (unit tests in CRMScript)
# --------------------------------------------------------------------------


def _assert_failed(detail: str) -> CRMScriptRuntimeError:
    return CRMScriptRuntimeError(f"AssertException: {detail}")


@builtin("Void assert(Bool condition)")
def assert_(condition: bool) -> None:
    if not condition:
        raise _assert_failed("assertion failed")


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and not math.isfinite(value):
        return format_float_plain(value)
    return repr(value)


def _assert_equals(first: object, second: object) -> None:
    if first != second:
        raise _assert_failed(f"{_shown(first)} is not equal to {_shown(second)}")


@builtin("Void assertEquals(Bool bool1, Bool bool2)")
def assert_equals_bool(bool1: bool, bool2: bool) -> None:
    _assert_equals(bool(bool1), bool(bool2))


@builtin("Void assertEquals(Float float1, Float float2)")
def assert_equals_float(float1: float, float2: float) -> None:
    """Exact comparison, as `float1 != float2` in the script."""
    _assert_equals(float(float1), float(float2))


@builtin("Void assertEquals(Integer integer1, Integer integer2)")
def assert_equals_integer(integer1: int, integer2: int) -> None:
    _assert_equals(integer1, integer2)


@builtin("Void assertEquals(String string1, String string2)")
def assert_equals_string(string1: str, string2: str) -> None:
    _assert_equals(string1, string2)


# --------------------------------------------------------------------------
# Languages
# --------------------------------------------------------------------------


@builtin("String getUserLang()", context=True)
def get_user_lang(ctx) -> str:
    """The caller's language (SO-Language / Accept-Language / a test case's
    settings), exactly as given, e.g. "en"."""
    return ctx.settings.language


@builtin("String getSystemLang()", context=True)
def get_system_lang(ctx) -> str:
    """Offline there is one language setting; the system language is the same."""
    return ctx.settings.language


@builtin("Integer langToId(String langCode)")
def lang_to_id(lang_code: str) -> int:
    """"en" -> 1, "de" -> 2, ...; an unknown code gives 0 (Norwegian), as documented."""
    found = language_id(lang_code)
    return 0 if found is None else found


@builtin("String idToLang(Integer langId)")
def id_to_lang(lang_id: int) -> str:
    """1 -> "en", 2 -> "de", ...; an unknown id gives ""."""
    return language_code(lang_id) or ""


# --------------------------------------------------------------------------
# executeScript
# --------------------------------------------------------------------------


@builtin("String executeScript(String script, Map values)", context=True)
def execute_script(ctx, script: str, values: object) -> str:
    """Runs CRMScript code through the resolver on the context (the engine
    may install one); without it this is a catchable error."""
    if ctx.script_executor is None:
        raise CRMScriptRuntimeError("executeScript is not available offline")
    return ctx.script_executor(script, values)
