"""Request bodies in, answer bodies out, for every media type the API speaks.

`decode_body` turns a body of any accepted Content-Type into the same plain
Python data a JSON body would give; the endpoint's pydantic model then
validates it (one set of rules for every format). `encode` writes an answer
in the negotiated format.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from ..eventdata import LONE_SURROGATE, lone_surrogate_path, response_bytes
from . import formcodec, xmlcodec
from .errors import ApiError, bad_request
from .negotiation import JSON, request_codec, response_format
from .patch import apply_json_patch, apply_merge_patch
from .shape import Shape, members_in_declared_case


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(body: bytes, charset: str) -> Any:
    try:
        text = body.decode("utf-8-sig" if charset in ("utf-8", "utf8") else charset)
    except LookupError:
        raise ApiError(415, f"charset {charset} is not supported", source="Content-Type") from None
    except UnicodeDecodeError as error:
        raise bad_request(f"The body is not valid {charset} text ({error.reason} at byte {error.start})") from None
    except UnicodeError as error:  # a codec that fails otherwise
        raise bad_request(f"The body is not valid {charset} text ({error})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise bad_request(f"Malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise bad_request("Malformed JSON: nested too deeply") from None
    except ValueError as error:  # NaN/Infinity, integers with thousands of digits
        if "digits" in str(error):
            raise bad_request("Malformed JSON: a number has too many digits") from None
        raise bad_request(f"Malformed JSON: {error}") from None
    surrogate_at = lone_surrogate_path(text, data)
    if surrogate_at is not None:
        raise bad_request(f"{surrogate_at}: {LONE_SURROGATE}", surrogate_at)
    return data


def _refuse_json_or_xml_as_form(body: bytes, content_type: str | None) -> None:
    """`curl -d '{"EventData": ...}'` without `-H 'Content-Type: ...'` sends
    JSON labelled as a form; read as a form it holds no member at all
    ("EventData: Field required"). Say what happened and what to send."""
    start = body.lstrip()[:1]
    if start not in (b"{", b"[", b"<"):
        return  # form field names are property paths: never one of these
    kind, example = ("XML", "application/xml") if start == b"<" else ("JSON", "application/json")
    raise bad_request(
        f"The body was read as a form ({content_type}, what curl -d sends by default) but it is {kind}: "
        f"send it with Content-Type: {example} (curl -H 'Content-Type: {example}')", "Content-Type")


def decode_body(body: bytes, content_type: str | None, model: type[BaseModel],
                empty_request: Callable[[], dict], max_size: int = 1024 * 1024) -> Any:
    """The request body -> plain data for `model` (not yet validated).
    `max_size`: the body limit, which a JSON Patch's result must keep to too."""
    codec, charset = request_codec(content_type)
    if not body.strip():
        raise bad_request(f"The request body is empty; send a {model.__name__} ({content_type})")
    if codec == "json":
        return parse_json(body, charset)
    shape = Shape("model", model=model)
    if codec == "xml":
        return xmlcodec.decode(body, charset, shape)
    if codec == "form":
        _refuse_json_or_xml_as_form(body, content_type)
        return formcodec.decode(body, charset, shape)
    patch = parse_json(body, charset)
    try:
        if codec == "json-patch":
            return apply_json_patch(empty_request(), patch, shape=shape, max_size=max_size)
        return apply_merge_patch(empty_request(), members_in_declared_case(patch, shape))
    except RecursionError:
        raise bad_request("The patch is nested too deeply") from None


def encode(data: Any, media_type: str, xml_root: str, json_text: str | None = None) -> bytes:
    """An answer in `media_type`. `json_text`, when given, is the JSON form already
    made (ExecuteEventHandlers' answer comes from `eventdata.response_json`)."""
    if response_format(media_type) == JSON:
        if json_text is None:
            json_text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        return response_bytes(json_text)
    return xmlcodec.encode(data, xml_root)
