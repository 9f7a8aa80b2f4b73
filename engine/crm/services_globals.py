"""The remaining global functions (docs/globals.md): exitWithMessage,
runProgram, language variables, HTML to text, phone numbers, the Generic
reflection functions, and the small ones that only record what they did.

Nothing here reaches the host: runProgram answers from the fixture's
`site: programs:`, forwardMail and reloadAndSendShipment go to the outbox,
debugWait and enableDebug to the run's log.
"""

from __future__ import annotations

import html
import re
import sys
from html.parser import HTMLParser
from typing import Any

from ..errors import CRMScriptRuntimeError, ScriptExit
from ..runtime.collections import Array, Map
from ..runtime.context import RUN_CONTEXT_SLOT, RunContext
from ..runtime.datetimes import parse_date, parse_datetime, parse_time
from ..runtime.generic import type_name
from ..runtime.strings import check_string_length
from ..runtime.structs import field_attribute
from ..runtime.table import GLOBAL, LIBRARY, builtin
from ..runtime.unsimulated import value_class
from .outbox import send
from .schema import suggest
from .services_site import run_state, site_of

# ------------------------------------------------------------------ ending the run


@builtin("Void exitWithMessage(String message)", context=True)
def exit_with_message(ctx, message: str) -> None:
    """Ends the script: the message is printed (what the screen shows) and
    becomes the EventData's Message (what a client shows the user)."""
    ctx.write(message)
    ctx.event.Message = message
    raise ScriptExit(message)


@builtin("String runProgram(String command)", context=True)
def run_program(ctx, command: str) -> str:
    """Nothing is executed: the answer is the fixture's `site: programs:` entry for the command line."""
    programs = site_of(ctx).get("programs", {})
    if command not in programs:
        raise CRMScriptRuntimeError(f"runProgram: no program runs offline; give the output of '{command}' in "
                                    f"the fixture's site: programs:{suggest(command, list(programs))}")
    ctx.add_log("runProgram", command)
    return programs[command]


@builtin("String runProgram(String command, String codepage)", context=True)
def run_program_codepage(ctx, command: str, codepage: str) -> str:
    return run_program(ctx, command)


# ------------------------------------------------------------------ languages


@builtin("String getLanguageVariable(String langVar)", context=True)
def get_language_variable(ctx, name: str) -> str:
    return get_language_variable_in(ctx, name, ctx.settings.language)


@builtin("String getLanguageVariable(String langVar, String langCode)", context=True)
def get_language_variable_in(ctx, name: str, code: str) -> str:
    """From the fixture's `site: language:` (one text, or one per language
    code); a variable it does not give reads as its own name."""
    entry = site_of(ctx).get("language", {}).get(name)
    if entry is None:
        return name
    if isinstance(entry, str):
        return entry
    code = (code or ctx.settings.language).lower()
    return entry.get(code) or entry.get("en") or next(iter(entry.values()), name)


# ------------------------------------------------------------------ text

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
           "blockquote", "pre", "hr", "title"}
_HIDDEN = {"script", "style", "head"}


class _TextOf(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


@builtin("String htmlConvToText(String text)")
def html_conv_to_text(text: str) -> str:
    """Tags dropped, entities decoded, blocks and <br> as line breaks, list
    items as "- " lines; runs of spaces collapse; no blank line twice."""
    parser = _TextOf()
    parser.feed(text)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    result = re.sub(r"\n{2,}", "\n", "\n".join(lines))
    return html.unescape(result).strip("\n")


_PHONE = re.compile(r"^\+?[0-9(][0-9 ().\-/]*$")


def _valid_phone(number: str) -> bool:
    number = number.strip()
    digits = sum(ch.isdigit() for ch in number)
    return bool(_PHONE.match(number)) and 3 <= digits <= 15


@builtin("Bool isValidPhoneNumber(String nr, Bool isMultiple)")
def is_valid_phone_number(number: str, is_multiple: bool) -> bool:
    """Digits with an optional leading +, and the separators space ( ) . - /;
    3 to 15 digits (E.164's maximum). With isMultiple, comma-separated numbers, each valid."""
    numbers = number.split(",") if is_multiple else [number]
    return all(_valid_phone(n) for n in numbers)


@builtin("String combineHtmlStrings(Vector htmlStrings)", context=True)
def combine_html_strings(ctx, documents: list) -> str:
    """One document: the heads' contents (the first title only), then the bodies' contents, in order."""
    check_string_length(ctx, sum(len(document) for document in documents))
    heads: list[str] = []
    bodies: list[str] = []
    title = ""
    for document in documents:
        head = _inner(document, "head")
        found = re.search(r"<title[^>]*>.*?</title>", head, re.S | re.I)
        if found and not title:
            title = found[0]
        heads.append(re.sub(r"<title[^>]*>.*?</title>", "", head, flags=re.S | re.I).strip())
        body = _inner(document, "body")
        bodies.append(body if body or re.search(r"<body", document, re.I) else document)
    head = title + "".join(heads)
    return f"<html><head>{head}</head><body>{''.join(bodies)}</body></html>"


def _inner(document: str, tag: str) -> str:
    found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", document, re.S | re.I)
    return found[1] if found else ""


@builtin("String decodeDBValue(String dbValue)")
def decode_db_value(value: str) -> str:
    """"[I:23]" -> "23": the NetServer archive's type prefix and brackets removed."""
    found = re.fullmatch(r"\[(\w+):(.*)\]", value, re.S)
    return found[2] if found else value


# ------------------------------------------------------------------ Generic reflection


def _script_frame() -> Any:
    """The innermost frame of the running script's generated code."""
    frame = sys._getframe(2)
    while frame is not None:
        if isinstance(frame.f_globals.get(RUN_CONTEXT_SLOT), RunContext):
            return frame
        frame = frame.f_back
    return None


def _top_level_frame(frame: Any) -> Any:
    """The outermost frame of the same script (its top level)."""
    outer = frame
    while outer.f_back is not None and outer.f_back.f_globals is frame.f_globals:
        outer = outer.f_back
    return outer


@builtin("Generic getGenericValue(String name)")
def get_generic_value(name: str) -> Any:
    """The value of the script's variable `name`: the calling function's
    own, else the script's top-level one (the compiler's names: v_ for a
    variable, g_ for a top-level one that functions share)."""
    frame = _script_frame()
    if frame is not None:
        for scope, attribute in ((frame.f_locals, "v_" + name), (frame.f_globals, "g_" + name),
                                 (_top_level_frame(frame).f_locals, "v_" + name)):
            if attribute in scope:
                return scope[attribute]
    raise CRMScriptRuntimeError(f"getGenericValue: there is no variable '{name}'")


@builtin("Generic getGenericValue(Generic struct, String name)", context=True)
def get_generic_member(ctx, struct: Any, name: str) -> Any:
    """A struct's member by name. The value remembers where it came from:
    setGenericFromString on it sets that member (the docs' loop over getStructMembers)."""
    fields = getattr(type(struct), "__crm_fields__", None)
    if fields is None:
        raise CRMScriptRuntimeError(f"getGenericValue: {type_name(struct)} is not a struct")
    names = [field for field, _ in fields]
    if name not in names:
        raise CRMScriptRuntimeError(f"getGenericValue: struct {type(struct).__crm_name__} has no member "
                                    f"'{name}'{suggest(name, names)}")
    value = getattr(struct, field_attribute(name), None)
    ctx._last_generic = (struct, name, value)
    return value


_FROM_STRING = {"Integer": int, "Float": float, "String": str, "Bool": lambda s: s.strip().lower() in ("true", "1"),
                "Byte": int, "Date": parse_date, "DateTime": parse_datetime, "Time": parse_time}


@builtin("Void setGenericFromString(Generic generic, String value)", context=True)
def set_generic_from_string(ctx, generic: Any, value: str) -> None:
    """Sets the struct member the Generic came from (getGenericValue(struct,
    name)), converting the text to the member's type. A Generic that holds
    no struct member cannot be set (its value is a copy)."""
    last = getattr(ctx, "_last_generic", None)
    if last is None or last[2] is not generic:
        raise CRMScriptRuntimeError("setGenericFromString: the Generic must come from getGenericValue(struct, name)")
    struct, name, _ = last
    wanted = dict(type(struct).__crm_fields__)[name]
    convert = _FROM_STRING.get(str(wanted))
    if convert is None:
        raise CRMScriptRuntimeError(f"setGenericFromString: a {wanted} cannot be set from a String")
    text = value if wanted.name == "String" else value.strip()
    if not text and wanted.name in ("Integer", "Float", "Byte"):
        text = "0"
    try:
        new = convert(text)
    except (ValueError, CRMScriptRuntimeError):
        raise CRMScriptRuntimeError(f"setGenericFromString: '{value}' is not a {wanted}") from None
    setattr(struct, field_attribute(name), new)
    ctx._last_generic = (struct, name, new)


@builtin("String[] getStructMembers(String name)")
def get_struct_members(name: str) -> Array:
    """The member names of the script's struct `name`, in declaration order."""
    frame = _script_frame()
    if frame is not None:
        for value in frame.f_globals.values():
            if isinstance(value, type) and getattr(value, "__crm_name__", None) == name \
                    and hasattr(value, "__crm_fields__"):
                return Array(str, [field for field, _ in value.__crm_fields__])
    raise CRMScriptRuntimeError(f"getStructMembers: there is no struct '{name}'")


# ------------------------------------------------------------------ the system


@builtin("String[][] getFunctionList()")
def get_function_list() -> Array:
    """The global functions that run here: [class, return type, name, parameters, author]."""
    rows = []
    for name in sorted(LIBRARY.functions):
        for sig in LIBRARY.functions[name]:
            if sig.impl is not None and sig.owner == GLOBAL:
                params = ", ".join(f"{p.type} {p.name}" for p in sig.params)
                rows.append(Array(str, ["", str(sig.returns), name, params, "SuperOffice"]))
    return Array(lambda: Array(str), rows)


@builtin("Map getGlobalStaticMap()", context=True)
def get_global_static_map(ctx) -> Map:
    """One Map for the run (a handler chain's handlers share it)."""
    return run_state(ctx, "_global_static_map", Map)


@builtin("Void flushCaches()")
def flush_caches() -> None:
    """Nothing is cached offline: the run's database copy is always current."""


@builtin("Void debugWait(String info)", context=True)
def debug_wait(ctx, info: str) -> None:
    """No debugger offline: the info goes to the run's log (channel "debug")."""
    ctx.add_log("debug", info)


@builtin("Void enableDebug(String debugId)", context=True)
def enable_debug(ctx, debug_id: str) -> None:
    ctx.add_log("debug", f"enableDebug({debug_id})")


@builtin("Void printBinary(Byte[] data)", context=True)
def print_binary(ctx, data: list) -> None:
    """The bytes to the output, one character per byte (Latin-1)."""
    ctx.write(bytes(b & 0xFF for b in data).decode("latin-1"))


_TWO_WAY_KEY = b"crmscript-sim"


@builtin("Byte[] simpleTwoWay(Byte[] data)")
def simple_two_way(data: list) -> Array:
    """A reversible scrambling (XOR with a fixed key): applied twice it gives
    the data back. Not SuperOffice's bytes (its algorithm is not documented)."""
    return Array(lambda: 0, [(b & 0xFF) ^ _TWO_WAY_KEY[i % len(_TWO_WAY_KEY)] for i, b in enumerate(data)])


_CHECK_REPLY_LIMIT = 5


@builtin("Bool checkReply(String email)", context=True)
def check_reply(ctx, email: str) -> bool:
    """Counts receipts per address within the run: the first five are ok, later ones not."""
    counts = run_state(ctx, "_check_reply", dict)
    key = email.strip().lower()
    counts[key] = counts.get(key, 0) + 1
    return counts[key] <= _CHECK_REPLY_LIMIT


@builtin("Void forwardMail(String mail, String to, Integer ticketId)", context=True)
def forward_mail(ctx, mail: str, to: str, ticket_id: int) -> None:
    """To the outbox (kind "mail"): nothing is sent."""
    send(ctx, "mail", "forwardMail", to=to, body=mail, ticketId=ticket_id)


@builtin("Bool reloadAndSendShipment(Integer shipmentId)", context=True)
def reload_and_send_shipment(ctx, shipment_id: int) -> bool:
    """The mailing is "sent" to the outbox (kind "mail"); false when the fixture has no such s_shipment."""
    from .services_lookups import query

    if not query(ctx, "SELECT 1 FROM s_shipment WHERE id = ?", (shipment_id,), "s_shipment"):
        return False
    send(ctx, "mail", "reloadAndSendShipment", shipmentId=shipment_id)
    return True


@builtin("DbiControl getDbiControl()")
def get_dbi_control() -> Any:
    """The DbiControl object; its own members are not simulated (DBI needs a real integration)."""
    return value_class("DbiControl")()


# ------------------------------------------------------------------ NSStream overloads


def stream_bytes(stream: Any) -> list:
    """The bytes an NSStream holds (an NSStream without a simulation, e.g. `NSStream s;`, holds none)."""
    return list(getattr(stream, "data", None) or [])


@builtin("String encodeBase64(NSStream data)", context=True)
def encode_base64_stream(ctx, stream: Any) -> str:
    from ..runtime.globals import encode_base64_wrapped

    return encode_base64_wrapped(ctx, stream_bytes(stream), True)


@builtin("String encodeBase64(NSStream data, Bool wrapLines)", context=True)
def encode_base64_stream_wrapped(ctx, stream: Any, wrap_lines: bool) -> str:
    from ..runtime.globals import encode_base64_wrapped

    return encode_base64_wrapped(ctx, stream_bytes(stream), wrap_lines)


@builtin("Void printBinary(NSStream data)", context=True)
def print_binary_stream(ctx, stream: Any) -> None:
    print_binary(ctx, stream_bytes(stream))


@builtin("NSStream decodeBase64AsStream(String base64)", context=True)
def decode_base64_as_stream(ctx, text: str) -> Any:
    """An NSStream (the HTTP class's, docs/http.md) of the decoded bytes."""
    from ..runtime.globals import decode_base64
    from .http import NSStream

    return NSStream(list(decode_base64(ctx, text)))


@builtin("String String(NSStream stream)")
def string_from_stream(stream: Any) -> str:
    """One character per byte, as String(Byte[])."""
    from ..runtime.strings import string_from_bytes

    return string_from_bytes(stream_bytes(stream))


@builtin("String String(NSStream stream, String codePage)")
def string_from_stream_code_page(stream: Any, code_page: str) -> str:
    from ..runtime.strings import string_from_bytes_code_page

    return string_from_bytes_code_page(stream_bytes(stream), code_page)
