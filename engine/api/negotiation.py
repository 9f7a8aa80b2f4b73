"""Content negotiation: which codec reads the body, which format the answer takes.

Request bodies (Content-Type) and answers (Accept) use the media types the
WebAPI documents. The JSON family (application/json, text/json and the two
patch types) all answer with the same JSON bytes, labelled with the chosen
type, as the WebAPI's JSON formatter does; the XML types answer with XML.
"""

from __future__ import annotations

import codecs
import functools
from dataclasses import dataclass

from .errors import ApiError

JSON, XML = "json", "xml"

# Media type -> the answer format it produces. Order = our preference when
# the client leaves a choice (`*/*`, `application/*`, equal q values).
RESPONSE_TYPES: dict[str, str] = {
    "application/json": JSON,
    "text/json": JSON,
    "application/xml": XML,
    "text/xml": XML,
    "application/json-patch+json": JSON,
    "application/merge-patch+json": JSON,
}

# Media type -> the codec that reads a request body of that type.
REQUEST_TYPES: dict[str, str] = {
    "application/json": "json",
    "text/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/x-www-form-urlencoded": "form",
    "application/json-patch+json": "json-patch",
    "application/merge-patch+json": "merge-patch",
}

DEFAULT_RESPONSE_TYPE = "application/json"


@dataclass(frozen=True)
class MediaRange:
    type: str  # "application/json", "application/*", "*/*" (lower case)
    params: dict[str, str]
    quality: float
    position: int

    def matches(self, media_type: str) -> bool:
        if self.type == "*/*":
            return True
        major, _, minor = self.type.partition("/")
        if minor == "*":
            return media_type.startswith(major + "/")
        return self.type == media_type

    def specificity(self) -> int:
        return 0 if self.type == "*/*" else 1 if self.type.endswith("/*") else 2


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """`Application/JSON; charset=UTF-8` -> (`application/json`, {`charset`: `UTF-8`})."""
    kind, *raw_params = value.split(";")
    params = {}
    for raw in raw_params:
        name, sep, param_value = raw.partition("=")
        if sep:
            params[name.strip().lower()] = param_value.strip().strip('"')
    return kind.strip().lower(), params


def parse_accept(header: str) -> list[MediaRange]:
    ranges = []
    for position, item in enumerate(header.split(",")):
        if not item.strip():
            continue
        kind, params = parse_media_type(item)
        if "/" not in kind:
            # Some clients send a bare `*`; treat it as `*/*`. Anything else is
            # not a media range and cannot be met.
            kind = "*/*" if kind == "*" else kind
        try:
            quality = float(params.pop("q", "1"))
        except ValueError:
            quality = 1.0  # a malformed q is ignored, as most servers do
        ranges.append(MediaRange(kind, params, max(0.0, min(quality, 1.0)), position))
    return ranges


@functools.lru_cache(maxsize=256)  # clients repeat the same few Accept headers
def choose_response_type(accept: str | None) -> str:
    """The media type of the answer, or ApiError 406 if Accept excludes all we make.

    The most specific range that names a type decides its quality (RFC 9110):
    `application/xml;q=0, */*` means "anything but XML"."""
    if accept is None or not accept.strip():
        return DEFAULT_RESPONSE_TYPE
    ranges = parse_accept(accept)
    best_type, best_key = None, None
    for preference, media_type in enumerate(RESPONSE_TYPES):
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        decisive = max(matching, key=lambda r: (r.specificity(), -r.position))
        if decisive.quality <= 0:
            continue
        # Higher q wins; then a type the client named explicitly over a
        # wildcard; then the client's order; then ours.
        key = (decisive.quality, decisive.specificity(), -decisive.position, -preference)
        if best_key is None or key > best_key:
            best_type, best_key = media_type, key
    if best_type is None:
        raise ApiError(
            406,
            f"Cannot answer in any type the Accept header allows ({accept.strip()}); "
            f"available: {', '.join(RESPONSE_TYPES)}",
            source="Accept",
        )
    return best_type


def response_format(media_type: str) -> str:
    return RESPONSE_TYPES[media_type]


def choose_response_type_or_default(accept: str | None) -> str:
    """For error answers: the negotiated type, or JSON when Accept cannot be met."""
    try:
        return choose_response_type(accept)
    except ApiError:
        return DEFAULT_RESPONSE_TYPE


@functools.lru_cache(maxsize=64)
def request_codec(content_type: str | None) -> tuple[str, str]:
    """(codec name, charset) for a request Content-Type, or ApiError 415."""
    if content_type is None or not content_type.strip():
        raise ApiError(
            415,
            f"The request has no Content-Type; send a body of one of: {', '.join(REQUEST_TYPES)}",
            source="Content-Type",
        )
    kind, params = parse_media_type(content_type)
    codec = REQUEST_TYPES.get(kind)
    if codec is None:
        raise ApiError(
            415,
            f"Content-Type {kind} is not supported; send one of: {', '.join(REQUEST_TYPES)}",
            source="Content-Type",
        )
    charset = params.get("charset", "utf-8").lower()
    if not is_charset(charset):
        raise ApiError(415, f"charset {charset[:40]} is not supported; send UTF-8 (or another text charset "
                            "such as ISO-8859-1 or UTF-16)", source="Content-Type")
    return codec, charset


# Python codecs that are no charset a client could mean: they raise on any
# input ("undefined") or read escape sequences and domain names
# ("unicode_escape" turned a body's backslashes into other characters).
_NOT_CHARSETS = frozenset({"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "charmap"})


def is_charset(name: str) -> bool:
    """A text encoding of Python's that is a real charset."""
    try:
        found = codecs.lookup(name)
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        return False
    return found._is_text_encoding and found.name not in _NOT_CHARSETS
