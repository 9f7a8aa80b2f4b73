"""Recorded HTTP answers: the fixture's (and a case's) `http:` list, how a
request finds its answer, and what a run asked (docs/http.md).

    http:
      - request: {method: GET, url: "https://erp.example.com/api/orders/42"}
        response: {status: 200, headers: {Content-Type: application/json}, body: {id: 42}}
      - request:
          method: POST
          url: /^https://hooks\\.example\\.com//          # a /regex/ (searched)
          query: {verbose: "1"}                          # a subset of the query string
          headers: {Content-Type: application/json}      # a subset, names ignoring case
          body: /"ticketId": ?7/                         # exact text, /regex/, or YAML = JSON
        response: {status: 500, file: answers/error.html}  # a file beside the fixture

Nothing here opens a socket: a request no recording answers is an error the
script sees through hasError()/getErrorMessage(). Only `--record-http`
(engine/crm/http_record.py) performs real requests.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

if TYPE_CHECKING:  # yaml is imported when a fixture is read, not with the library
    import yaml

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_REQUEST_KEYS = ("method", "url", "query", "headers", "body")
_RESPONSE_KEYS = ("status", "headers", "body", "file", "error")
MASK = "***"  # a masked secret (--record-http): the header must be there, with any value


@dataclass
class Call:
    """One request a script made (what `expect: http:` compares)."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def body_text(self) -> str:
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return self.body.decode("latin-1")

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"method": self.method, "url": self.url}
        if self.headers:
            result["headers"] = dict(self.headers)
        if self.body:
            result["body"] = self.body_text
        return result

    def describe(self) -> str:
        return f"{self.method} {self.url}"


@dataclass
class Answer:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str = ""  # a transport failure the recording stands for ("Could not resolve host")


@dataclass
class Recording:
    """One `{request, response}` entry, with where it was written."""

    method: str
    url: str  # text, or /regex/
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # None: any body; str (text or /regex/); dict/list: JSON
    answer: Answer = field(default_factory=Answer)
    where: str = ""  # "crm.yaml:12"

    def matches(self, call: Call) -> bool:
        if self.method != call.method:
            return False
        parts = urlsplit(call.url)
        if _is_pattern(self.url):
            if not re.search(self.url[1:-1], call.url):
                return False
        else:
            own = urlsplit(self.url)
            if own.query:  # a query written in the url: the whole URL must be the same
                if _normal(self.url) != _normal(call.url):
                    return False
            elif _normal(_without_query(self.url)) != _normal(_without_query(call.url)):
                return False
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if any(key not in query or not text_matches(want, query[key]) for key, want in self.query.items()):
            return False
        for name, want in self.headers.items():
            have = call.header(name)
            if have is None or (want != MASK and not text_matches(want, have)):
                return False
        return self.body is None or _body_matches(self.body, call.body_text)


def _is_pattern(text: str) -> bool:
    return len(text) >= 2 and text.startswith("/") and text.endswith("/")


def text_matches(want: str, have: str) -> bool:
    """Exact text, or a `/regex/` searched in the text (as case files compare)."""
    if _is_pattern(want):
        return re.search(want[1:-1], have) is not None
    return want == have


def _body_matches(want: Any, have: str) -> bool:
    if isinstance(want, (dict, list)):
        try:
            return json.loads(have) == want
        except ValueError:
            return False
    return text_matches(str(want), have)


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _normal(url: str) -> str:
    """Scheme and host ignore case; an empty path is "/"."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


# ------------------------------------------------------------------ reading


def read_recordings(reader: Any, node: yaml.Node, base: Path | None) -> list[Recording]:
    """The `http:` list, checked: each problem a FixtureError at its line and
    column (`reader` is the fixture's node reader). `base`: the folder body files are in."""
    import yaml
    if not isinstance(node, yaml.SequenceNode):
        if isinstance(node, yaml.ScalarNode) and reader.scalar(node, "http") is None:
            return []
        raise reader.error(node, "http is a list of {request: ..., response: ...}")
    return [_recording(reader, item, base) for item in node.value]


def _recording(reader: Any, item: yaml.Node, base: Path | None) -> Recording:
    entry = reader.mapping(item, "an http entry is a mapping {request: ..., response: ...}")
    for key in entry:
        if key not in ("request", "response"):
            raise reader.error(entry[key][0], f"unknown key '{key}' in an http entry (request, response)")
    if "request" not in entry:
        raise reader.error(item, "an http entry needs a request: {method: GET, url: ...}")
    recording = read_request(reader, entry["request"][1], f"{reader.file}:{item.start_mark.line + 1}")
    if "response" in entry:
        recording.answer = _answer(reader, entry["response"][1], base)
    return recording


def read_request(reader: Any, node: yaml.Node, where: str) -> Recording:
    """A request to match ({method, url, query, headers, body}): a recording's, or a case's `expect: http:` entry."""
    request = _known_keys(reader, node, "request", _REQUEST_KEYS)
    if "url" not in request or not (reader.scalar(request["url"][1], "url") or "").strip():
        raise reader.error(request["url"][1] if "url" in request else node, "an http request needs a url")
    url = reader.scalar(request["url"][1], "url").strip()
    if _is_pattern(url):
        _compiles(reader, request["url"][1], url)
    method = "GET"
    if "method" in request:
        method = (reader.scalar(request["method"][1], "method") or "GET").upper()
        if method not in METHODS:
            raise reader.error(request["method"][1], f"method {method!r} is not one of {', '.join(METHODS)}")
    recording = Recording(method, url, where=where)
    recording.query = _text_map(reader, request, "query")
    recording.headers = _text_map(reader, request, "headers")
    if "body" in request:
        recording.body = _plain(request["body"][1])
        if isinstance(recording.body, str) and _is_pattern(recording.body):
            _compiles(reader, request["body"][1], recording.body)
    return recording


def _answer(reader: Any, node: yaml.Node, base: Path | None) -> Answer:
    response = _known_keys(reader, node, "response", _RESPONSE_KEYS)
    answer = Answer()
    if "status" in response:
        status_node = response["status"][1]
        text = reader.scalar(status_node, "status") or ""
        if not text.strip().isdigit() or not 100 <= int(text) <= 599:
            raise reader.error(status_node, f"status {text!r} is not an HTTP status (100-599)")
        answer.status = int(text)
    headers = _text_map(reader, response, "headers")
    answer.headers = list(headers.items())
    if "body" in response and "file" in response:
        raise reader.error(response["file"][0], "a response has a body or a file, not both")
    if "body" in response:
        body = _plain(response["body"][1])
        if isinstance(body, (dict, list)):
            answer.body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            if not any(name.lower() == "content-type" for name, _ in answer.headers):
                answer.headers.append(("Content-Type", "application/json"))
        elif body is not None:
            answer.body = str(body).encode("utf-8")
    if "file" in response:
        file_node = response["file"][1]
        name = reader.scalar(file_node, "file") or ""
        path = (base or Path(".")) / name
        if not name or not path.is_file():
            raise reader.error(file_node, f"response file {name!r} does not exist (looked for {path})")
        answer.body = path.read_bytes()
    if "error" in response:
        answer.error = reader.scalar(response["error"][1], "error") or ""
        answer.status = 0
    return answer


def _known_keys(reader: Any, node: yaml.Node, what: str, known: tuple[str, ...]) -> dict:
    from .schema import suggest

    parts = reader.mapping(node, f"the {what} is a mapping ({', '.join(known)})")
    for key, (key_node, _) in parts.items():
        if key not in known:
            raise reader.error(key_node, f"unknown key '{key}' in an http {what}{suggest(key, list(known))} "
                                         f"({', '.join(known)})")
    return parts


def _text_map(reader: Any, parts: dict, key: str) -> dict[str, str]:
    if key not in parts:
        return {}
    result = {}
    for name, (_, value) in reader.mapping(parts[key][1], f"{key} is a mapping {{name: value}}").items():
        text = reader.scalar(value, f"{key}.{name}")
        result[name] = "" if text is None else text
        if _is_pattern(result[name]):
            _compiles(reader, value, result[name])
    return result


def _compiles(reader: Any, node: yaml.Node, pattern: str) -> None:
    try:
        re.compile(pattern[1:-1])
    except re.error as error:
        raise reader.error(node, f"bad regular expression {pattern}: {error}") from None


def _plain(node: yaml.Node) -> Any:
    """A node as plain data: a scalar is its text as written; a mapping or list
    (a JSON body written as YAML) gets YAML's own typing, so `id: 42` is a number."""
    import yaml
    if isinstance(node, yaml.ScalarNode):
        return node.value
    return _typed(node)




def _typed(node: yaml.Node) -> Any:
    import yaml
    if isinstance(node, yaml.MappingNode):
        return {_typed(key): _typed(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_typed(item) for item in node.value]
    tag = "tag:yaml.org,2002:str" if node.style else _resolver().resolve(yaml.ScalarNode, node.value, (True, False))
    return yaml.SafeLoader("").construct_object(yaml.ScalarNode(tag, node.value))


# ---------------------------------------------------------------- answering


class Exchange:
    """A chain's HTTP traffic: the recordings it answers from (a case's before
    the fixture's), how often each answered, and the calls made, in order."""

    def __init__(self, recordings: list[Recording]) -> None:
        self.recordings = recordings
        self.used = [0] * len(recordings)
        self.calls: list[Call] = []

    def answer(self, call: Call) -> Recording | None:
        """The first matching recording not used yet; when every match was
        used, the last one answers again (a sequence ends on its last answer)."""
        self.calls.append(call)
        last = None
        for index, recording in enumerate(self.recordings):
            if recording.matches(call):
                if not self.used[index]:
                    self.used[index] += 1
                    return recording
                last = index
        if last is not None:
            self.used[last] += 1
            return self.recordings[last]
        return None


def exchange_of(ctx: Any) -> Exchange:
    """The run's Exchange: the chain's when the run is part of one."""
    holder = ctx.chain if getattr(ctx, "chain", None) is not None else ctx
    exchange = getattr(holder, "http", None)
    if exchange is None:
        fixture = getattr(holder, "fixture", None) or getattr(ctx, "fixture", None)
        exchange = Exchange(list(getattr(fixture, "http", None) or []))
        holder.http = exchange
    return exchange


def missing_message(call: Call) -> str:
    """What a request no recording answers says: the request, and the entry to add."""
    import yaml
    request: dict[str, Any] = {"method": call.method, "url": _without_query(call.url)}
    query = dict(parse_qsl(urlsplit(call.url).query, keep_blank_values=True))
    if query:
        request["query"] = query
    if call.body:
        request["body"] = call.body_text
    entry = [{"request": request, "response": {"status": 200, "body": ""}}]
    suggestion = yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, default_flow_style=None, width=200)
    indented = "\n".join("  " + line for line in suggestion.rstrip().splitlines())
    return (f"no recording answers {call.describe()} (nothing leaves the machine); "
            f"add it to the fixture's http: list (docs/http.md):\nhttp:\n{indented}")


@functools.cache
def _resolver() -> Any:
    import yaml

    return yaml.resolver.Resolver()
