"""HTTP and mail in case files (docs/http.md, docs/testing.md):

    cases:
      - name: the ERP is told
        http:                                   # recordings of this case, before the fixture's
          - request: {method: POST, url: "https://erp.example.com/hook"}
            response: {status: 500}
        expect:
          http:                                 # calls made, in order; others may come between
            - {method: POST, url: "https://erp.example.com/hook", headers: {X-Event: sale}, body: "/\\"id\\": 7/"}
          outbox:                               # what was sent (Sent.as_dict()), in order, as a subset
            - {kind: mail, to: ada@example.com, subject: "/shipped/"}

An empty list means none (`outbox: []`: nothing was sent). An `expect: http:` entry is a request as a recording writes it and is
compared the same way; an `expect: outbox:` entry names some of the sent
message's fields: text is exact or a /regex/, a single value matches a list
(the recipients) when one item matches, a mapping is a subset.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from .http_recordings import Call, Recording, read_recordings, read_request, text_matches


class Shown:
    """Text a diff shows as it is (not JSON-quoted): requests and messages written as YAML."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return str(other) == self.text

    __hash__ = None  # type: ignore[assignment]


@dataclass
class SentMatch:
    fields: dict[str, Any]
    line: int


def with_case_recordings(fixture: Any, reader: Any, node: yaml.Node, base: Path) -> Any:
    """The fixture with a case's `http:` entries first (they answer before the fixture's)."""
    return replace(fixture, http=read_recordings(reader, node, base) + list(fixture.http))


def expected_calls(reader: Any, node: yaml.Node) -> list[Recording]:
    if not isinstance(node, yaml.SequenceNode):
        raise reader.error(node, "expect.http is a list of requests {method, url, headers, body}")
    return [read_request(reader, item, f"line {item.start_mark.line + 1}") for item in node.value]


def expected_sent(reader: Any, node: yaml.Node) -> list[SentMatch]:
    if not isinstance(node, yaml.SequenceNode):
        raise reader.error(node, "expect.outbox is a list of messages {kind, to, subject, ...}")
    result = []
    for item in node.value:
        reader.mapping(item, "an outbox entry is a mapping {kind, to, subject, ...}")
        result.append(SentMatch(yaml.safe_load(yaml.serialize(item)) or {}, item.start_mark.line + 1))
    return result


def check_calls(expected: list[Recording], calls: list[Call]) -> list[tuple[str, object, object, str]]:
    """Each expected call must be made, in the order written (a subsequence of the calls)."""
    problems = []
    if not expected and calls:  # `http: []`: no call at all
        return [("http", Shown("no HTTP call"), Shown("; ".join(map(_call_text, calls))), "http: [] means none")]
    position = 0
    for want in expected:
        found = next((i for i in range(position, len(calls)) if want.matches(calls[i])), None)
        if found is None:
            made = "; ".join(_call_text(call) for call in calls) or "no HTTP call"
            note = "made earlier, out of order" if any(want.matches(c) for c in calls[:position]) else ""
            problems.append((f"http ({want.where})", Shown(_request_text(want)), Shown(made), note))
        else:
            position = found + 1
    return problems


def check_sent(expected: list[SentMatch], sent: list[Any]) -> list[tuple[str, object, object, str]]:
    """Each expected message must be in the outbox, in the order written."""
    problems = []
    actual = [message.as_dict() for message in sent]
    if not expected and actual:  # `outbox: []`: nothing sent
        return [("outbox", Shown("nothing sent"), Shown("; ".join(map(_flow, actual))), "outbox: [] means none")]
    position = 0
    for want in expected:
        found = next((i for i in range(position, len(actual)) if _fits(want.fields, actual[i])), None)
        if found is None:
            shown = "; ".join(_flow(message) for message in actual) or "nothing sent"
            problems.append((f"outbox (line {want.line})", Shown(_flow(want.fields)), Shown(shown), ""))
        else:
            position = found + 1
    return problems


def _fits(want: Any, have: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(have, dict) and all(k in have and _fits(v, have[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(have, list) and len(want) == len(have) and all(map(_fits, want, have))
    if isinstance(have, list):  # `to: ada@example.com`: one of the recipients
        return any(_fits(want, item) for item in have)
    return text_matches(_text(want), _text(have))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, allow_unicode=True, width=10_000).strip()


def _request_text(want: Recording) -> str:
    parts = [f"a call {want.method} {want.url}"]
    if want.query:
        parts.append(f"query {_flow(want.query)}")
    if want.headers:
        parts.append(f"headers {_flow(want.headers)}")
    if want.body is not None:
        parts.append(f"body {_flow(want.body)}")
    return ", ".join(parts)


def _call_text(call: Call) -> str:
    text = call.describe()
    if call.body:
        body = call.body_text
        text += f" body {body if len(body) <= 80 else body[:77] + '...'}"
    return text
