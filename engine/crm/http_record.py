"""`--record-http FILE`: the one way a request leaves the machine. While a
recorder is active (run, fire and test set one up when asked), the HTTP
class performs real requests with httpx and the recorder writes each
request and its answer as a fixture `http:` entry, secrets masked, so the
next run replays them (docs/http.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

from ..errors import CRMScriptError
from .http_recordings import MASK, Answer, Call, _without_query

# Headers whose values are never written to a recording.
SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
                  "api-key", "x-auth-token", "x-access-token")
# Response headers that describe the transfer, not the answer.
_TRANSFER_HEADERS = ("content-length", "transfer-encoding", "connection", "date", "content-encoding", "keep-alive")
_ACTIVE: list[Recorder] = []


class RecordError(CRMScriptError):
    """--record-http could not write its file."""


class Recorder:
    """Performs requests for real and keeps them as recording entries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[dict[str, Any]] = []

    def perform(self, call: Call, http: Any) -> Answer:
        try:
            import httpx
        except ImportError:
            raise RecordError("--record-http needs httpx (pip install httpx)") from None

        timeout = float(http.option("timeout") or 30)
        verify = http.option("verifyPeer").strip().lower() not in ("0", "false", "no", "off")
        try:
            with httpx.Client(timeout=timeout, verify=verify, follow_redirects=False) as client:
                response = client.request(call.method, call.url, headers=call.headers, content=call.body or None)
        except httpx.HTTPError as error:
            answer = Answer(status=0, error=f"{type(error).__name__}: {error}")
        else:
            headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _TRANSFER_HEADERS]
            answer = Answer(response.status_code, headers, response.content)
        self.entries.append(entry_of(call, answer, self.save))
        return answer

    def save(self, data: bytes) -> str:
        """A body that is not text goes to a file beside the recording."""
        name = f"{self.path.stem}-{len(self.entries) + 1}.bin"
        (self.path.parent / name).write_bytes(data)
        return name

    def write(self) -> None:
        text = ("# recorded by crmscript --record-http: use as --fixture, or copy the entries\n"
                "# into your fixture's http: list (docs/http.md)\n")
        text += yaml.safe_dump({"http": self.entries}, sort_keys=False, allow_unicode=True, width=120)
        try:
            self.path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise RecordError(f"--record-http: cannot write {self.path}: {error.strerror}", str(self.path)) from None


def entry_of(call: Call, answer: Answer, save: Callable[[bytes], str] | None = None) -> dict[str, Any]:
    """A fixture entry for one exchange: the request as the script made it,
    the answer as it came (JSON bodies written as YAML, secrets masked)."""
    request: dict[str, Any] = {"method": call.method, "url": _without_query(call.url)}
    query = dict(parse_qsl(urlsplit(call.url).query, keep_blank_values=True))
    if query:
        request["query"] = query
    if call.headers:
        request["headers"] = {k: MASK if k.lower() in SECRET_HEADERS else v for k, v in call.headers}
    if call.body:
        request["body"] = call.body_text
    response: dict[str, Any] = {}
    if answer.error:
        response["error"] = answer.error
    else:
        response["status"] = answer.status
        if answer.headers:
            response["headers"] = {k: MASK if k.lower() in SECRET_HEADERS else v for k, v in answer.headers}
        if answer.body:
            try:  # the text exactly as it came, so a replay gives the script the same bytes
                response["body"] = answer.body.decode("utf-8")
            except UnicodeDecodeError:
                if save is None:
                    raise
                response["file"] = save(answer.body)
    return {"request": request, "response": response}


def active_recorder() -> Recorder | None:
    return _ACTIVE[-1] if _ACTIVE else None


@contextlib.contextmanager
def recording(path: Path | str | None) -> Iterator[Recorder | None]:
    """Record every request made inside the block into `path` (None: no recording)."""
    if path is None:
        yield None
        return
    recorder = Recorder(Path(path))
    _ACTIVE.append(recorder)
    try:
        yield recorder
    finally:
        _ACTIVE.remove(recorder)
        recorder.write()
