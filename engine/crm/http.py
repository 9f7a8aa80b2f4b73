"""The HTTP class (CRMScript.Native.HTTP), answered from recordings.

A request is built as the reference describes it (headers, form values,
options, a binary body) and answered by the first matching entry of the
fixture's `http:` list (engine/crm/http_recordings.py); nothing leaves the
machine unless the user records (`--record-http`, engine/crm/http_record.py).
Decisions where the reference is silent are in docs/http.md.
"""

from __future__ import annotations

import base64
import mimetypes
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..runtime.strings import new_byte_array, string_to_bytes
from ..runtime.table import LIBRARY, builtin
from .http_recordings import Answer, Call, exchange_of, missing_message

# setOption names of the reference (ignoring case) -> the name used here
OPTIONS = {name.lower(): name for name in (
    "verifyPeer", "verifyHost", "timeout", "followLocation", "username", "password",
    "parameters", "authenticationMethod", "parametersUTF8")}
MAX_REDIRECTS = 10
_TRUE = ("1", "true", "yes", "on")


class Http:
    """One HTTP object: what the next request sends, and the last answer."""

    __crm_name__ = "HTTP"

    def __init__(self) -> None:
        self.headers: list[tuple[str, str]] = []
        self.values: list[tuple[str, str]] = []  # setValue: form values
        self.options: dict[str, str] = {}
        self.body: bytes | None = None  # addBinaryData / addAttachmentData / addDocumentData
        self.debug = False
        self.debug_lines: list[str] = []
        self.status = 0
        self.response_headers: list[tuple[str, str]] = []
        self.error = ""

    def option(self, name: str) -> str:
        return self.options.get(name, "")

    def flag(self, name: str) -> bool:
        return self.option(name).strip().lower() in _TRUE


class NSStream:
    """The NSStream the *AsStream forms return: the answer's bytes."""

    __crm_name__ = "NSStream"

    def __init__(self, data: list[int] | None = None) -> None:
        self.data = list(data or [])


# ------------------------------------------------------------ building a request


def build_call(http: Http, method: str, url: str) -> Call:
    """The request the next call sends: form values go in the query string of
    a GET or DELETE and in a form body otherwise; `parameters` replaces them."""
    headers = list(http.headers)
    body = b""
    parameters = http.options.get("parameters")
    encoding = "utf-8" if http.flag("parametersUTF8") else "latin-1"
    if method in ("GET", "DELETE"):
        if http.values:
            parts = urlsplit(url)
            query = "&".join(filter(None, (parts.query, _form(http.values, encoding))))
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    elif http.body is not None:
        body = http.body
    elif parameters is not None:
        # The reference: "prefix whatever you want to send with a dummy character (which will be removed)".
        text = parameters[1:]
        body = text.encode("utf-8") if encoding == "utf-8" else string_to_bytes(text)
    elif http.values:
        body = _form(http.values, encoding).encode("ascii")
        if not _has(headers, "Content-Type"):
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
    user, password = http.option("username"), http.option("password")
    method_name = (http.option("authenticationMethod") or "basic").lower()
    if (user or password) and method_name == "basic" and not _has(headers, "Authorization"):
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers.append(("Authorization", f"Basic {token}"))
    return Call(method, url, headers, body)


def _form(values: list[tuple[str, str]], encoding: str) -> str:
    return urlencode(values, encoding=encoding, errors="replace")


def _has(headers: list[tuple[str, str]], name: str) -> bool:
    return any(key.lower() == name.lower() for key, _ in headers)


# ------------------------------------------------------------------ answering


def perform(ctx: Any, http: Http, method: str, url: str) -> bytes:
    """Send one request (to the recordings, or to the network when recording)
    and keep its answer on the object; returns the body."""
    from . import http_record

    call = build_call(http, method, url)
    for _ in range(MAX_REDIRECTS + 1):
        recorder = http_record.active_recorder()
        if recorder is not None:
            answer = recorder.perform(call, http)
            exchange_of(ctx).calls.append(call)
            where = "the network (recording)"
        else:
            recording = exchange_of(ctx).answer(call)
            answer = recording.answer if recording is not None else None
            where = recording.where if recording is not None else ""
        location = _header(answer.headers, "Location") if answer is not None else None
        if answer is None or not (http.flag("followLocation") and 300 <= answer.status < 400 and location):
            break
        _trace(ctx, http, f"{call.describe()} -> {answer.status} ({where}), following {location}")
        call = Call("GET", _absolute(call.url, location), list(http.headers))
    return _keep(ctx, http, call, answer, where)


def _keep(ctx: Any, http: Http, call: Call, answer: Answer | None, where: str) -> bytes:
    if answer is None:
        http.status, http.response_headers = 0, []
        http.error = missing_message(call)
        _trace(ctx, http, f"{call.describe()} -> {http.error}")
        return b""
    http.status, http.response_headers = answer.status, list(answer.headers)
    if answer.error:
        http.error = answer.error
    elif answer.status >= 400:
        http.error = f"The requested URL returned error: {answer.status}"
    else:
        http.error = ""
    _trace(ctx, http, f"{call.describe()} -> {answer.error or answer.status} ({where})")
    return answer.body


def _trace(ctx: Any, http: Http, text: str) -> None:
    """Every request is in the run's log (a failing case and --trace show it)
    and, in debug mode, in getDebug()."""
    ctx.add_log("http", text)
    if http.debug:
        http.debug_lines.append(text)


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name.lower()), None)


def _absolute(base: str, location: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base, location)


# ------------------------------------------------------------------- members

LIBRARY.register_class("HTTP", Http, default=Http)
LIBRARY.register_class("NSStream", NSStream, default=NSStream)


@builtin("HTTP HTTP()")
def http_new() -> Http:
    return Http()


def _request(method: str, stream: bool):
    def call(ctx: Any, http: Http, url: str) -> Any:
        data = new_byte_array(perform(ctx, http, method, url))
        return NSStream(data) if stream else data

    return call


# put: the member list documents putAsStream only, but the reference's own
# examples (getErrorMessage, setValue) call h.put(url): the product has it.
for _name, _method in (("get", "GET"), ("open", "GET"), ("post", "POST"), ("patch", "PATCH"),
                       ("delete", "DELETE"), ("put", "PUT")):
    builtin(f"Byte[] HTTP.{_name}(String url)", context=True)(_request(_method, False))
    builtin(f"NSStream HTTP.{_name}AsStream(String url)", context=True)(_request(_method, True))


@builtin("Void HTTP.addHeader(String name, String value)")
def http_add_header(http: Http, name: str, value: str) -> None:
    http.headers.append((name, value))


@builtin("Void HTTP.setValue(String cgiVariable, String value)")
def http_set_value(http: Http, name: str, value: str) -> None:
    http.values.append((name, value))


@builtin("Void HTTP.setOption(String name, String value)", context=True)
def http_set_option(ctx: Any, http: Http, name: str, value: str) -> None:
    known = OPTIONS.get(name.strip().lower())
    if known is None:  # the product ignores an option it does not know; the log says so
        from .schema import suggest

        _trace(ctx, http, f"setOption: '{name}' is not an option{suggest(name, list(OPTIONS.values()))}; ignored")
        return
    http.options[known] = value


@builtin("Void HTTP.addBinaryData(Byte[] binaryData)")
def http_add_binary_data(http: Http, data: list) -> None:
    http.body = bytes(b & 0xFF for b in data)


@builtin("Bool HTTP.addAttachmentData(Integer attachmentId)", context=True)
def http_add_attachment_data(ctx: Any, http: Http, attachment_id: int) -> bool:
    row = _row(ctx, "attachment", "id", attachment_id, "name, content_type, att_size")
    if row is None:
        return False
    name, content_type, size = row
    http.body = _stand_in("attachment", attachment_id, name, size)
    http.headers.append(("Content-Type", content_type or "application/octet-stream"))
    return True


@builtin("Bool HTTP.addDocumentData(Integer documentId)", context=True)
def http_add_document_data(ctx: Any, http: Http, document_id: int) -> bool:
    row = _row(ctx, "document", "document_id", document_id, "name")
    if row is None:
        return False
    name = row[0] or ""
    http.body = _stand_in("document", document_id, name, None)
    http.headers.append(("Content-Type", mimetypes.guess_type(name)[0] or "application/octet-stream"))
    return True


def _row(ctx: Any, table: str, key: str, value: int, columns: str) -> tuple | None:
    session = ctx.crm
    session.database.ensure_table(session.schema.table(table))
    return session.database.execute(f"SELECT {columns} FROM {table} WHERE {key} = ?", (value,)).fetchone()


def _stand_in(kind: str, key: int, name: str, size: int | None) -> bytes:
    """The archive holds a file's content, not the database: a run sends this stand-in."""
    return f"(content of {kind} {key}: {name}{f', {size} bytes' if size else ''})".encode()


@builtin("String HTTP.getValue(String name)")
def http_get_value(http: Http, name: str) -> str:
    return str(http.status) if name.strip().lower() == "statuscode" else ""


@builtin("String HTTP.getResponseHeader(String header)")
def http_get_response_header(http: Http, name: str) -> str:
    return _header(http.response_headers, name) or ""


@builtin("Map HTTP.getResponseHeaders()")
def http_get_response_headers(http: Http) -> Any:
    from ..runtime.collections import Map

    return Map.from_pairs((key.lower(), value) for key, value in http.response_headers)


@builtin("Bool HTTP.hasError()")
def http_has_error(http: Http) -> bool:
    return bool(http.error)


@builtin("String HTTP.getErrorMessage()")
def http_get_error_message(http: Http) -> str:
    return http.error


@builtin("Void HTTP.setDebugMode(Bool debug)")
def http_set_debug_mode(http: Http, debug: bool) -> None:
    http.debug = debug


@builtin("String HTTP.getDebug()")
def http_get_debug(http: Http) -> str:
    return "\n".join(http.debug_lines)


@builtin("NSStream NSStream()")
def ns_stream_new() -> NSStream:
    return NSStream()


@builtin("Byte[] NSStream.GetStream()")
def ns_stream_get(stream: NSStream) -> Any:
    return new_byte_array(stream.data)


@builtin("Void NSStream.SetStream(Byte[] stream)")
def ns_stream_set(stream: NSStream, data: list) -> None:
    stream.data = [b & 0xFF for b in data]
