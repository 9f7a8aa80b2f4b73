"""String: every documented member (CRMScript.Global.String).

A CRMScript String is a Python `str`. Members that change the receiver
(append, getLine) are registered with `mutates=True` and return
(new_value, result). Positions are 0-based character indexes.

Bytes and text: CRMScript treats a String as ISO-8859-1 (Latin-1) when it
meets bytes (toByteArray, String(Byte[]), hashing, base64): one character
per byte. `string_to_bytes` / `bytes_to_string` are that one rule.
The decisions the reference leaves open are in docs/library.md ("String").
"""

from __future__ import annotations

import codecs
import csv
import functools
import html
import io
import re
import textwrap
import urllib.parse
from collections.abc import Iterable

import regex

from ..errors import CRMScriptLimitError, CRMScriptRuntimeError
from .context import active_context
from .languages import language_id
from .limits import check_deadline, seconds_left, string_limit_error, time_limit_error
from .numbers import has_integer_prefix, parse_float, parse_integer
from .table import LIBRARY, builtin

# --------------------------------------------------------------------------
# Shared helpers (also used by globals.py)
# --------------------------------------------------------------------------

def string_to_bytes(text: str) -> bytes:
    """A String as bytes: Latin-1 when every character fits (so bytes that
    went through String(Byte[]) come back unchanged), else UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def bytes_to_string(data: Iterable[int]) -> str:
    """Bytes as a String, one character per byte (ISO-8859-1)."""
    return bytes(b & 0xFF for b in data).decode("latin-1")


def new_string_array(items: Iterable[str]) -> object:
    """A String[] holding `items`."""
    from .collections import Array  # lazy: the collections family may load later
    return Array(lambda: "", list(items))


def new_byte_array(data: Iterable[int]) -> object:
    """A Byte[] holding `data`."""
    from .collections import Array
    return Array(lambda: 0, list(data))


def new_vector(items: Iterable[str]) -> object:
    from .collections import Vector
    return Vector(list(items))


def construct_from_string(type_name: str, text: str) -> object:
    """Date/DateTime/Time from text through their documented `T(String)`
    constructor, so the parsing rules live in one place (datetimes.py)."""
    for sig in LIBRARY.class_info(type_name).constructors:
        if [str(p.type) for p in sig.params] == ["String"] and sig.impl is not None:
            return sig.impl(text)
    raise CRMScriptRuntimeError(f"String.to{type_name}() is not available: {type_name} is not loaded")


def check_string_length(ctx, length: int) -> None:
    """The sandbox limit on one String (RunContext.limits.string_length).
    Members whose result can be many times longer than their input check it
    (before building the result where the growth is unbounded), so a loop
    like `s = s.xmlEncode();` ends with the limit error, not out of memory."""
    if length > ctx.limits.string_length:
        raise string_limit_error(ctx.limits)


# Input at least this long makes a member look at the run's deadline before
# it starts (a pass over 65,536 characters takes well under a millisecond;
# a loop of shorter calls is bounded by the step tick).
LONG_INPUT = 1 << 16


def check_long_input(ctx, text: str) -> None:
    """The deadline check of a member about to work through `text` (`ctx`
    None: a member not given the context finds the running one)."""
    if len(text) > LONG_INPUT:
        check_deadline(ctx if ctx is not None else active_context())


def limited(ctx, text: str) -> str:
    check_string_length(ctx, len(text))
    return text


def check_array_length(ctx, length: int) -> None:
    """The sandbox limit on one collection, for members that return arrays."""
    from .collections import check_collection_size
    check_collection_size(ctx, length, "an array")


def _fold(text: str) -> str:
    """Lower-case without changing the length, so indexes found in the
    folded text are valid in the original (unlike str.lower() on 'İ')."""
    lowered = text.lower()
    if len(lowered) == len(text):  # no character grew, so none moved (the usual case)
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _compare(a: str, b: str) -> int:
    return (a > b) - (a < b)


class NullString(str):
    """`String s;` before any assignment: "" in every use (CRMScript
    "interprets null as empty"), but isNull() is true. Concatenation and
    assignment produce a plain str, which is not null."""

    __slots__ = ()


NULL_STRING = NullString("")


# --------------------------------------------------------------------------
# Constructors
# --------------------------------------------------------------------------

@builtin("String String()")
def string_new() -> str:
    return ""


@builtin("String String(String value)")
def string_copy(value: str) -> str:
    return value


@builtin("String String(Byte[] byteArray)")
def string_from_bytes(byte_array: list) -> str:
    """One character per byte (ISO-8859-1)."""
    return bytes_to_string(byte_array)


# Windows code page numbers scripts pass, mapped to Python codec names.
_CODE_PAGES = {"65001": "utf-8", "1200": "utf-16-le", "1201": "utf-16-be", "28591": "latin-1",
               "20127": "ascii", "28605": "iso8859-15"}


@builtin("String String(Byte[] byteArray, String codePage)")
def string_from_bytes_code_page(byte_array: list, code_page: str) -> str:
    """Decodes the bytes with a code page: a number ("65001", "1252") or a
    name ("utf-8", "windows-1252"). Undecodable bytes become U+FFFD."""
    key = code_page.strip().lower()
    codec = _CODE_PAGES.get(key) or (f"cp{key}" if key.isdigit() else key)
    try:
        # Only text encodings: Python also has bytes-to-bytes codecs (zlib, base64).
        known = codecs.lookup(codec)._is_text_encoding
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        known = False
    if not known:
        raise CRMScriptRuntimeError(f"Unknown code page '{code_page}'")
    try:
        return bytes(b & 0xFF for b in byte_array).decode(codec, errors="replace")
    except UnicodeError as problem:  # codecs that refuse errors="replace" (idna)
        raise CRMScriptRuntimeError(f"Cannot decode with code page '{code_page}': {problem}") from None


# --------------------------------------------------------------------------
# Length, case, comparison
# --------------------------------------------------------------------------

@builtin("Integer String.getLength()")
def string_get_length(self: str) -> int:
    return len(self)


@builtin("String String.toLower()", context=True)
def string_to_lower(ctx, self: str) -> str:
    return limited(ctx, self.lower())  # a few characters lower-case to two


@builtin("String String.toUpper()", context=True)
def string_to_upper(ctx, self: str) -> str:
    return limited(ctx, self.upper())  # "ß" upper-cases to "SS"


@builtin("Bool String.isLower()")
def string_is_lower(self: str) -> bool:
    """Every character is a lower-case letter (whitespace, digits: false)."""
    check_long_input(None, self)
    return self != "" and all(c.isalpha() and c.islower() for c in self)


@builtin("Bool String.isUpper()")
def string_is_upper(self: str) -> bool:
    check_long_input(None, self)
    return self != "" and all(c.isalpha() and c.isupper() for c in self)


@builtin("Bool String.equals(String value)")
def string_equals(self: str, value: str) -> bool:
    return self == value


@builtin("Bool String.equalsIgnoreCase(String value)")
def string_equals_ignore_case(self: str, value: str) -> bool:
    return self.lower() == value.lower()


@builtin("Bool String.beginsWith(String substring)")
def string_begins_with(self: str, substring: str) -> bool:
    return self.startswith(substring)


@builtin("Bool String.caseBeginsWith(String substring)")
def string_case_begins_with(self: str, substring: str) -> bool:
    return _fold(self).startswith(_fold(substring))


@builtin("Bool String.endsWith(String substring)")
def string_ends_with(self: str, substring: str) -> bool:
    return self.endswith(substring)


@builtin("Bool String.caseEndsWith(String substring)")
def string_case_ends_with(self: str, substring: str) -> bool:
    return _fold(self).endswith(_fold(substring))


@builtin("Integer String.compare(String value)")
def string_compare(self: str, value: str) -> int:
    """-1, 0 or 1 by character codes (upper case sorts before lower case)."""
    return _compare(self, value)


@builtin("Integer String.caseCompare(String value)")
def string_case_compare(self: str, value: str) -> int:
    return _compare(_fold(self), _fold(value))


# --------------------------------------------------------------------------
# Changing, searching, extracting
# --------------------------------------------------------------------------

@builtin("Void String.append(String value)", mutates=True, context=True)
def string_append(ctx, self: str, value: str) -> tuple[str, None]:
    """(`s.append(x)` on a String variable is compiled as `s += x`, checked there.)"""
    return limited(ctx, self + value), None


@builtin("Void String.append(Byte character)", mutates=True, context=True)
def string_append_byte(ctx, self: str, character: int) -> tuple[str, None]:
    """Appends the ISO-8859-1 character with that code."""
    return limited(ctx, self + chr(character & 0xFF)), None


@builtin("String String.substitute(String src, String dest)", context=True)
def string_substitute(ctx, self: str, src: str, dest: str) -> str:
    """Replaces every occurrence; an empty `src` matches nothing."""
    if not src:
        return self
    if len(dest) > len(src):
        check_string_length(ctx, len(self) + self.count(src) * (len(dest) - len(src)))
    return self.replace(src, dest)


@builtin("Integer String.find(String substring)")
def string_find(self: str, substring: str) -> int:
    """Index of the first occurrence, -1 if none."""
    return self.find(substring)


@builtin("Integer String.findCase(String substring)")
def string_find_case(self: str, substring: str) -> int:
    return _fold(self).find(_fold(substring))


@builtin("Integer String.findLast(String substring)")
def string_find_last(self: str, substring: str) -> int:
    return self.rfind(substring)


@builtin("String String.subString(Integer pos, Integer len)")
def string_sub_string(self: str, pos: int, len_: int) -> str:
    """`len` characters from `pos`; a length past the end is cut short.
    A position outside the string is an error (the end itself gives "")."""
    if pos < 0 or pos > len(self):
        raise CRMScriptRuntimeError(
            f"subString: position {pos} is outside the string (length {len(self)})")
    return self[pos:pos + max(0, len_)]


@builtin("String String.until(String pattern)")
def string_until(self: str, pattern: str) -> str:
    """Up to the first occurrence; the whole string when not found."""
    index = self.find(pattern)
    return self if index < 0 else self[:index]


@builtin("String String.before(String pattern)")
def string_before(self: str, pattern: str) -> str:
    return string_until(self, pattern)


@builtin("String String.beforeLast(String pattern)")
def string_before_last(self: str, pattern: str) -> str:
    index = self.rfind(pattern)
    return self if index < 0 else self[:index]


@builtin("String String.after(String pattern)")
def string_after(self: str, pattern: str) -> str:
    """After the first occurrence; "" when not found."""
    index = self.find(pattern)
    return "" if index < 0 else self[index + len(pattern):]


@builtin("String String.afterLast(String pattern)")
def string_after_last(self: str, pattern: str) -> str:
    index = self.rfind(pattern)
    return "" if index < 0 else self[index + len(pattern):]


@builtin("String[] String.split(String delimiter)", context=True)
def string_split(ctx, self: str, delimiter: str) -> object:
    """Pieces between delimiters (empty pieces kept); "" gives no pieces."""
    if delimiter == "":
        raise CRMScriptRuntimeError("split: the delimiter must not be empty")
    if not self:
        return new_string_array([])
    check_array_length(ctx, self.count(delimiter) + 1)
    return new_string_array(self.split(delimiter))


@builtin("String String.keepChars(String charsToKeep)")
def string_keep_chars(self: str, chars_to_keep: str) -> str:
    keep = set(chars_to_keep)
    check_long_input(None, self)
    # One C pass (str.translate) deleting every other character the text has.
    return self.translate(dict.fromkeys(ord(c) for c in set(self) - keep))


@builtin("String String.stripLeading(String characters)")
def string_strip_leading(self: str, characters: str) -> str:
    return self.lstrip(characters) if characters else self


@builtin("String String.stripTrailing(String characters)")
def string_strip_trailing(self: str, characters: str) -> str:
    return self.rstrip(characters) if characters else self


@builtin("String String.stripLeadingAndTrailing(String characters)")
def string_strip_leading_and_trailing(self: str, characters: str) -> str:
    return self.strip(characters) if characters else self


@builtin("String String.escape(String chars)", context=True)
def string_escape(ctx, self: str, chars: str) -> str:
    """A backslash before every character listed in `chars`. The length is
    known before the text is built (one count per listed character), and the
    text is made by C passes, not a Python string per character (32 million
    characters once took 2.4 GB)."""
    special = set(chars)
    check_string_length(ctx, len(self) + sum(self.count(c) for c in special))
    check_long_input(ctx, self)
    if len(special) > 16:
        return self.translate({ord(c): "\\" + c for c in special})
    # A few characters: one str.replace each (a C pass), the backslash first
    # so that the backslashes added for the others are not escaped again.
    text = self
    for c in sorted(special, key=lambda c: c != "\\"):
        text = text.replace(c, "\\" + c)
    return text


@builtin("String String.getLine()", mutates=True)
def string_get_line(self: str) -> tuple[str, str]:
    """Removes and returns the first line, its newline included."""
    index = self.find("\n")
    if index < 0:
        return "", self
    return self[index + 1:], self[:index + 1]


@builtin("String String.getWord(Integer pos)")
def string_get_word(self: str, pos: int) -> str:
    """Word number `pos` (0-based) between whitespace; "" when there is none."""
    words = self.split()
    return words[pos] if 0 <= pos < len(words) else ""


@builtin("String String.prettyChop(Integer length)")
def string_pretty_chop(self: str, length: int) -> str:
    """The first `length` characters plus "..."; a string that fits is unchanged."""
    if len(self) <= length:
        return self
    return self[:max(0, length)] + "..."


@builtin("String String.quote(String quoteString)", context=True)
def string_quote(ctx, self: str, quote_string: str) -> str:
    """`quoteString` at the start of every line."""
    if not self:
        return ""
    lines = self.splitlines(keepends=True)
    check_string_length(ctx, len(self) + len(lines) * len(quote_string))
    return "".join(quote_string + line for line in lines)


@builtin("String String.wrap(Integer length, Bool ignoreQuote)", context=True)
def string_wrap(ctx, self: str, length: int, ignore_quote: bool) -> str:
    """Word-wraps every line to at most `length` characters (a longer word
    keeps its own line). With ignoreQuote, lines starting with '>' stay as they are."""
    if length <= 0:
        return self
    check_long_input(ctx, self)
    out: list[str] = []
    for line in self.split("\n"):
        if (ignore_quote and line.startswith(">")) or len(line) <= length:
            out.append(line)
        else:
            out.append("\n".join(textwrap.wrap(line, length, break_long_words=False,
                                               break_on_hyphens=False)))
    return limited(ctx, "\n".join(out))


# --------------------------------------------------------------------------
# Character classes and emptiness
# --------------------------------------------------------------------------

def _is_ascii_digit(c: str) -> bool:
    return "0" <= c <= "9"


@builtin("Bool String.isAlpha()")
def string_is_alpha(self: str) -> bool:
    """Only letters (any alphabet); "" and whitespace give false."""
    return self.isalpha()  # (str.isalpha: every character a letter, and at least one)


@builtin("Bool String.isDigit()")
def string_is_digit(self: str) -> bool:
    """Only 0-9; "" gives false."""
    return self.isascii() and self.isdigit()  # (the ASCII digits are all isdigit() takes in ASCII)


@builtin("Bool String.isAlphanumeric()")
def string_is_alphanumeric(self: str) -> bool:
    check_long_input(None, self)
    return self != "" and all(c.isalpha() or _is_ascii_digit(c) for c in self)


@builtin("Bool String.isNull()")
def string_is_null(self: str) -> bool:
    """True only for a variable declared without a value and never assigned."""
    return isinstance(self, NullString)


@builtin("Bool String.isEmpty()")
def string_is_empty(self: str) -> bool:
    return self == ""


@builtin("Bool String.isNumber()")
def string_is_number(self: str) -> bool:
    """True when the text starts with a number ("12nok" too)."""
    return has_integer_prefix(self)


# --------------------------------------------------------------------------
# Conversions
# --------------------------------------------------------------------------

@builtin("Bool String.toBool()")
def string_to_bool(self: str) -> bool:
    """"true" (any case) or a non-zero number is true; anything else false."""
    return self.strip().lower() == "true" or parse_integer(self) != 0


@builtin("Integer String.toInteger()")
def string_to_integer(self: str) -> int:
    """The leading number; 0 when the text does not start with one."""
    return parse_integer(self)


@builtin("Float String.toFloat()")
def string_to_float(self: str) -> float:
    return parse_float(self)


@builtin("Date String.toDate()")
def string_to_date(self: str) -> object:
    return construct_from_string("Date", self)


@builtin("DateTime String.toDateTime()")
def string_to_date_time(self: str) -> object:
    return construct_from_string("DateTime", self)


@builtin("Time String.toTime()")
def string_to_time(self: str) -> object:
    return construct_from_string("Time", self)


@builtin("Byte[] String.toByteArray()", context=True)
def string_to_byte_array(ctx, self: str) -> object:
    """ISO-8859-1 bytes; a character outside Latin-1 becomes '?' (63)."""
    check_array_length(ctx, len(self))
    return new_byte_array(self.encode("latin-1", errors="replace"))


# --------------------------------------------------------------------------
# Encodings: HTML, XML, URL, UTF-8
# --------------------------------------------------------------------------

@builtin("String String.htmlEncode()", context=True)
def string_html_encode(ctx, self: str) -> str:
    """& < > " become entities."""
    return limited(ctx, html.escape(self, quote=False).replace('"', "&quot;"))


@builtin("String String.htmlDecode()")
def string_html_decode(self: str) -> str:
    """Named and numeric entities back to characters."""
    return html.unescape(self)


_XML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_XML_REFERENCE = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#[xX][0-9a-fA-F]+);")


@builtin("String String.xmlEncode()", context=True)
def string_xml_encode(ctx, self: str) -> str:
    # The length is known first (one count per entity); then one C pass per
    # entity, "&" first so the others' "&" is not encoded again.
    check_string_length(ctx, len(self) + sum(self.count(c) * (len(e) - 1) for c, e in _XML_ENTITIES.items()))
    check_long_input(ctx, self)
    text = self
    for c, entity in _XML_ENTITIES.items():
        text = text.replace(c, entity)
    return text


def _xml_reference(match: re.Match) -> str:
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1:2] in "xX" else int(name[1:])
        # Outside Unicode, or half a UTF-16 pair (not a character): left as written.
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)
    return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}[name]


@builtin("String String.xmlDecode()")
def string_xml_decode(self: str) -> str:
    """The five XML entities and numeric references; other text unchanged."""
    return _XML_REFERENCE.sub(_xml_reference, self)


@builtin("String String.urlEncode()", context=True)
def string_url_encode(ctx, self: str) -> str:
    """%XX (UTF-8) for everything but letters, digits and - _ . ~ ."""
    return limited(ctx, urllib.parse.quote(self, safe="-_.~"))


@builtin("String String.urlDecode()")
def string_url_decode(self: str) -> str:
    """%XX sequences and '+' (a space). Bytes that are not UTF-8 are read as Latin-1."""
    raw = urllib.parse.unquote_to_bytes(self.replace("+", " "))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


@builtin("String String.utf8Encode()", context=True)
def string_utf8_encode(ctx, self: str) -> str:
    """Each character becomes its UTF-8 bytes, one character per byte."""
    return limited(ctx, self.encode("utf-8").decode("latin-1"))


@builtin("String String.utf8Decode()")
def string_utf8_decode(self: str) -> str:
    """The reverse of utf8Encode. Text that is not UTF-8 comes back unchanged."""
    try:
        return self.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return self


# --------------------------------------------------------------------------
# HTML documents and e-mail addresses
# --------------------------------------------------------------------------

# HTML tags are found by scanning, not with regular expressions: patterns
# like `<body[^>]*>.*?</body\s*>` try every `<body` to the end of the text,
# quadratic on text full of unclosed tags (200,000 characters took 20 s).

def _open_tag(text: str, folded: str, name: str, start: int, any_attributes: bool) -> tuple[int, int] | None:
    """The first `<name ...>` at or after `start`: (index of '<', index after '>').
    With any_attributes, anything up to '>' may follow the name (`<body...>`);
    without, only '>' or whitespace and attributes (`<head>`, not `<header>`)."""
    opening = "<" + name
    at = folded.find(opening, start)
    while at >= 0:
        after = at + len(opening)
        follows = text[after:after + 1]
        if any_attributes or follows == ">" or follows.isspace():
            close = text.find(">", after)
            if close < 0:  # no '>' after this tag: none after any later one either
                return None
            return at, close + 1
        at = folded.find(opening, after)
    return None


def _close_tag(text: str, folded: str, name: str, start: int) -> tuple[int, int] | None:
    """The first `</name>` (whitespace allowed before '>') at or after `start`."""
    closing = "</" + name
    at = folded.find(closing, start)
    while at >= 0:
        end = at + len(closing)
        while end < len(text) and text[end].isspace():
            end += 1
        if text[end:end + 1] == ">":
            return at, end + 1
        at = folded.find(closing, at + len(closing))
    return None


def _element_content(text: str, name: str, any_attributes: bool) -> tuple[str, str] | None:
    """(what is between the tag's name and '>', the content up to the closing
    tag or the end of the text) of the first `<name>` element, or None."""
    folded = _fold(text)
    opened = _open_tag(text, folded, name, 0, any_attributes)
    if opened is None:
        return None
    at, content_start = opened
    closed = _close_tag(text, folded, name, content_start)
    content_end = closed[0] if closed is not None else len(text)
    return text[at + 1 + len(name):content_start - 1], text[content_start:content_end]


def _without_titles(text: str) -> str:
    """Every `<title ...>...</title>` element removed."""
    folded = _fold(text)
    parts, position = [], 0
    while True:
        opened = _open_tag(text, folded, "title", position, any_attributes=False)
        if opened is None:
            break
        closed = _close_tag(text, folded, "title", opened[1])
        if closed is None:  # no closing tag after this one: nothing more to remove
            break
        parts.append(text[position:opened[0]])
        position = closed[1]
    parts.append(text[position:])
    return "".join(parts)


@builtin("String String.extractHtmlBody(Bool convertBodyToDiv)")
def string_extract_html_body(self: str, convert_body_to_div: bool) -> str:
    """What is inside <body>; with convertBodyToDiv the body tag (and its
    attributes) becomes a <div>. Text without a body tag is returned as is."""
    found = _element_content(self, "body", any_attributes=True)
    if found is None:
        return self
    attributes, content = found
    if convert_body_to_div:
        return f"<div{attributes}>{content}</div>"
    return content


@builtin("String String.extractHtmlHead(Bool stripTitle)")
def string_extract_html_head(self: str, strip_title: bool) -> str:
    """What is inside <head> ("" when there is none), optionally without <title>."""
    found = _element_content(self, "head", any_attributes=False)
    if found is None:
        return ""
    content = found[1]
    return _without_titles(content) if strip_title else content


@builtin("Bool String.isHtmlDocument()")
def string_is_html_document(self: str) -> bool:
    """Begins (after whitespace) with <!DOCTYPE html or <html."""
    start = self.lstrip().lower()
    return start.startswith("<!doctype html") or start.startswith("<html")


_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")


@builtin("Bool String.isValidEmail()")
def string_is_valid_email(self: str) -> bool:
    """local@domain.tld: no spaces, one @, a dotted domain."""
    return _EMAIL.match(self) is not None


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    """Split at `separator` except inside "double quotes" (a display name may hold a comma)."""
    parts, current, quoted = [], [], False
    for c in text:
        if c == '"':
            quoted = not quoted
        if c == separator and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
    parts.append("".join(current))
    return parts


@builtin("Vector String.getEmails()")
def string_get_emails(self: str) -> object:
    """A comma-separated list of `"name" <address>` (or bare addresses) as a
    Vector of name, address, name, address, ...; empty if any address is malformed."""
    found: list[str] = []
    check_long_input(None, self)
    for part in (p.strip() for p in _split_outside_quotes(self, ",")):
        if not part:
            continue
        name, email = _name_and_address(part)
        if not _EMAIL.match(email):
            return new_vector([])
        found += [name, email]
    return new_vector(found)


def _name_and_address(part: str) -> tuple[str, str]:
    """'"Kari" <kari@example.com>' -> ("Kari", "kari@example.com"); a bare
    address has the name "". (No regex: it would backtrack on long input.)"""
    start = part.rfind("<")
    if start < 0 or not part.endswith(">"):
        return "", part
    name = part[:start].strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1]
    return name, part[start + 1:-1].strip()


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------

@builtin("String[] String.parseCSV(String delimiter)")
def string_parse_csv(self: str, delimiter: str) -> object:
    """Fields of one CSV line; "double quotes" may hold the delimiter and "" is a quote."""
    if len(delimiter) != 1:
        raise CRMScriptRuntimeError(f"parseCSV: the delimiter must be one character, not '{delimiter}'")
    line = self.rstrip("\r\n")
    if not line:
        return new_string_array([])
    try:
        # The first record: a quoted field may hold line breaks.
        fields = next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter, strict=False), [])
    except csv.Error as problem:
        raise CRMScriptRuntimeError(f"parseCSV: {problem}") from None
    return new_string_array(fields)


_MULTI_LANGUAGE_PART = re.compile(r'(?P<code>[A-Za-z]{2}):"(?P<text>(?:[^"]|"")*)"\s*;?')


@builtin("String String.parseSOMultiLanguageString(Integer language)")
def string_parse_so_multi_language_string(self: str, language: int) -> str:
    """The part for a language id from `US:"Sale";GE:"Verkauf";NO:"Salg"`.
    Text that is not such a list is returned as is; a missing language gives ""."""
    parts = {m["code"]: m["text"].replace('""', '"') for m in _MULTI_LANGUAGE_PART.finditer(self)}
    if not parts:
        return self
    for code, text in parts.items():
        if language_id(code) == language:
            return text
    return ""


REGEXP_TIME_LIMIT = 1.0  # seconds for one regexp() call (less when the run's deadline is nearer)
# The regex module's compiler writes a counted repetition's minimum out
# (`a{1000}` becomes 1,000 literals, nested counts multiply: `((a{100}){100}){100}`
# took 4 GB), and its first search with a long literal builds tables in time
# that grows with the cube of the literal's length, where no timeout is
# looked at (1,000 characters of "a": 0.3 s; 2,000: 2.6 s; 10,000: minutes).
# A pattern that would expand to more elements than this is refused before
# it is compiled.
REGEXP_MAX_SIZE = 1_000


def regexp_size(pattern: str, cap: int = REGEXP_MAX_SIZE) -> int:
    """About how many elements the regex module compiles `pattern` into: one
    a literal, character class or escape, a group the sum of its parts, a
    counted repetition `{m}`/`{m,n}` m times its atom. Stops counting past `cap`."""
    frames = [[0, 0]]  # per open group: [total so far, weight of the last atom]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        frame = frames[-1]
        if c == "(":
            frames.append([0, 0])
            i += 1
            continue
        if c == ")" and len(frames) > 1:
            frames.pop()
            weight = max(frame[0], 1)
            parent = frames[-1]
            parent[0] += weight
            parent[1] = weight
            i += 1
            continue
        if c == "{":
            count, end = _repeat_minimum(pattern, i)
            if end:  # a counted repetition of the last atom
                extra = frame[1] * (max(count, 1) - 1)
                frame[0] += extra
                frame[1] += extra
                i = end
                if frame[0] > cap:
                    return frame[0]
                continue
        i = _skip_atom(pattern, i)
        frame[0] += 1
        frame[1] = 1
        if frame[0] > cap:
            return frame[0]
    return sum(frame[0] for frame in frames)


def _repeat_minimum(pattern: str, start: int) -> tuple[int, int]:
    """`{m}`, `{m,}`, `{m,n}` or `{,n}` at `start`: (m, index after "}"), else (0, 0)."""
    close = pattern.find("}", start, start + 40)
    if close < 0:
        return 0, 0
    body = pattern[start + 1:close]
    low, _, high = body.partition(",")
    if not (low.isdigit() or low == "") or not (high.isdigit() or high == "") or body in ("", ","):
        return 0, 0
    return (int(low) if low.isascii() and low else 0), close + 1


def _skip_atom(pattern: str, i: int) -> int:
    """The index after the atom at `i` (an escape, a character class, one character)."""
    c = pattern[i]
    if c == "\\":
        if pattern[i + 1:i + 2] in ("p", "P", "N", "x", "u", "U") and pattern[i + 2:i + 3] == "{":
            close = pattern.find("}", i + 3)
            return close + 1 if close > 0 else len(pattern)
        return i + 2
    if c == "[":
        j = i + 1
        if pattern[j:j + 1] == "^":
            j += 1
        if pattern[j:j + 1] == "]":
            j += 1
        while j < len(pattern) and pattern[j] != "]":
            j += 2 if pattern[j] == "\\" else 1
        return j + 1
    return i + 1


@functools.lru_cache(maxsize=64)
def _compiled_regexp(pattern: str) -> regex.Pattern:
    return regex.compile(pattern, regex.IGNORECASE, cache_pattern=False)


@builtin("String[] String.regexp(String pattern)", context=True)
def string_regexp(ctx, self: str, pattern: str) -> object:
    """First match, case-insensitive: [whole match, group 1, ...]; [] when
    nothing matches. A group that took no part is "".

    Uses the `regex` module (re-compatible syntax) for its timeout: a pattern
    that backtracks catastrophically, e.g. "(a+)+$", ends the run with a
    limit error instead of hanging it (the step budget cannot see inside
    one call). Compiling is bounded by the pattern's size (regexp_size)."""
    size = regexp_size(pattern)
    if size > REGEXP_MAX_SIZE:
        raise CRMScriptLimitError(
            f"regexp: the pattern '{pattern[:80]}' is too large: it expands to more than "
            f"{REGEXP_MAX_SIZE:,} elements (counted repetitions multiply); simplify it")
    check_deadline(ctx)
    try:
        compiled = _compiled_regexp(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError) as problem:
        raise CRMScriptRuntimeError(f"regexp: invalid pattern '{pattern}': {problem}") from None
    left = seconds_left(ctx)
    try:
        match = compiled.search(self, timeout=min(REGEXP_TIME_LIMIT, left))
    except TimeoutError:
        if left <= REGEXP_TIME_LIMIT:
            raise time_limit_error(ctx) from None
        raise CRMScriptLimitError(
            f"regexp: the pattern '{pattern}' took longer than {REGEXP_TIME_LIMIT:g} s "
            "(it backtracks too much; simplify it)") from None
    if match is None:
        return new_string_array([])
    return new_string_array([match.group(0)] + [g if g is not None else "" for g in match.groups()])


LIBRARY.register_class("String", str, default=lambda: NULL_STRING)
