"""The HTTP side of the red-team pass (issue 11): a handler running until its
deadline does not hold up other requests, every malformed request is a 4xx
naming the problem, a JSON Patch cannot grow past a request's size, and the
answer and the log stay bounded. After each refused request the server
answers the next one.

A real uvicorn server on loopback, small limits (a handler deadline of a
few seconds); no test measures time: ordering shows what ran meanwhile.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from engine.api import create_app
from engine.api.server import serve_in_thread
from engine.chain import Engine
from engine.runtime.context import Limits

EXECUTE = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
TOKEN = "hardening-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Content-Type": "application/json", **AUTH}
HANDLER_SECONDS = 3.0

HANDLERS = {
    "Slow/10-spin.crm": "Integer i;\nwhile (true) {\n  i = i + 1;\n  if (i > 1000) { i = 0; }\n}\n",
    "TicketSave/10-quick.crm": 'EventData ed = getEventData();\ned.setOutputValue("seen", ed.getInputValue("value"));\n',
    "Throws/10-big.crm": 'String s = "0123456789";\nfor (Integer i = 0; i < 14; i++) { s = s + s; }\nthrow s;\n',
    "Bloats/10-outputs.crm": ('String s = "0123456789";\nfor (Integer i = 0; i < 12; i++) { s = s + s; }\n'
                              'EventData ed = getEventData();\nfor (Integer i = 0; i < 20; i++) {\n'
                              '  ed.setOutputValue(i.toString(), s);\n}\n'),
}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    tree = tmp_path_factory.mktemp("handlers")
    for name, source in HANDLERS.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(source)
    limits = Limits(seconds=HANDLER_SECONDS, steps=10**12, event_data_length=500_000)
    engine = Engine(tree, on_warning=lambda message: None, limits=limits)
    with serve_in_thread(create_app(engine, auth=f"bearer:{TOKEN}", max_body=64 * 1024)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=60) as client:
        yield client


def event(event_type: str, **inputs: str) -> bytes:
    return json.dumps({"EventData": {"Type": event_type, "InputValues": inputs}}).encode()


def assert_still_answering(client) -> None:
    answer = client.post(EXECUTE, content=event("TicketSave", value="next"), headers=JSON)
    assert answer.status_code == 200 and answer.json()["OutputValues"] == {"seen": "next"}


# ------------------------------------------------------------ a slow handler


def test_other_requests_are_answered_while_a_handler_runs_until_its_deadline(base_url):
    async def scenario():
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            slow = asyncio.create_task(client.post(EXECUTE, content=event("Slow"), headers=JSON))
            await asyncio.sleep(0.3)  # it is running
            quick = await client.post(EXECUTE, content=event("TicketSave", value="q"), headers=JSON)
            refused = await client.post(EXECUTE, content=event("TicketSave"),
                                        headers={"Content-Type": "application/json"})
            docs = await client.get("/docs")
            schema = await client.get("/openapi.json")
            assert not slow.done()  # all of them were answered while the slow handler ran
            assert quick.json()["OutputValues"] == {"seen": "q"}
            assert (refused.status_code, docs.status_code, schema.status_code) == (401, 200, 200)
            answer = await slow
            assert answer.status_code == 200
            assert "time limit exceeded" in answer.json()["Exception"]
            assert answer.json()["Exception"].startswith("Slow/10-spin.crm:")

    asyncio.run(scenario())


# ------------------------------------------------------- malformed requests


MALFORMED = [
    # (why, body, headers, status, words of the answer)
    ("an undefined charset", b'{"EventData": {"Type": "TicketSave"}}',
     {"Content-Type": "application/json; charset=undefined"}, 415, "charset undefined"),
    ("a charset that is Python's escape codec", b'{"EventData": {"Type": "Ticket\\\\u0053ave"}}',
     {"Content-Type": "application/json; charset=unicode_escape"}, 415, "charset unicode_escape"),
    ("a form list index that is a superscript digit", b"EventHandlerTypes[%C2%B2]=TicketSave",
     {"Content-Type": "application/x-www-form-urlencoded"}, 400, "list index"),
    ("a form list index of 5,000 digits", b"EventHandlerTypes[" + b"9" * 5000 + b"]=TicketSave",
     {"Content-Type": "application/x-www-form-urlencoded"}, 400, "list index"),
    ("a JSON Patch index of 5,000 digits",
     json.dumps([{"op": "add", "path": "/EventData/Type", "value": "TicketSave"},
                 {"op": "add", "path": "/EventData/FieldProperties/x", "value": {}},
                 {"op": "test", "path": "/EventData/Type/" + "9" * 5000, "value": 1}]).encode(),
     {"Content-Type": "application/json-patch+json"}, 400, "is a single value"),
    ("a JSON Patch array index of 5,000 digits",
     json.dumps([{"op": "add", "path": "/EventHandlerTypes/" + "9" * 5000, "value": "x"}]).encode(),
     {"Content-Type": "application/json-patch+json"}, 400, "out of range"),
    ("a JSON Patch path outside the request",
     json.dumps([{"op": "add", "path": "/Nonsense/a", "value": "x"}]).encode(),
     {"Content-Type": "application/json-patch+json"}, 400, "/Nonsense is not a member of the request"),
]


@pytest.mark.parametrize("why, body, headers, status, words", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_request_is_a_4xx_naming_the_problem(client, why, body, headers, status, words):
    path = "/api/v1/Agents/CustomerService/EventHandlersExists" if b"EventHandlerTypes" in body else EXECUTE
    answer = client.post(path, content=body, headers={**headers, **AUTH})
    assert answer.status_code == status, answer.text
    assert words in answer.text
    assert_still_answering(client)


def doubling_patch(times: int) -> list[dict]:
    """`copy` operations that double one member `times` times (2**times values from a 1 KB body)."""
    ops = [{"op": "add", "path": "/EventHandlerTypes", "value": ["x"]}]
    ops += [{"op": "copy", "from": "/EventHandlerTypes", "path": f"/EventHandlerTypes/{i}"} for i in range(times)]
    return ops


def test_a_json_patch_cannot_grow_past_a_request(client):
    body = json.dumps(doubling_patch(27)).encode()
    assert len(body) < 4096
    answer = client.post("/api/v1/Agents/CustomerService/EventHandlersExists", content=body,
                         headers={"Content-Type": "application/json-patch+json", **AUTH})
    assert answer.status_code == 400
    assert "larger than a request may be" in answer.text or "too much work" in answer.text
    assert_still_answering(client)


def test_a_json_patch_within_the_bounds_still_works(client):
    ops = [{"op": "add", "path": "/EventData/Type", "value": "TicketSave"},
           {"op": "add", "path": "/EventData/InputValues/value", "value": "patched"},
           {"op": "copy", "from": "/EventData/InputValues/value", "path": "/EventData/InputValues/other"}]
    answer = client.post(EXECUTE, content=json.dumps(ops).encode(),
                         headers={"Content-Type": "application/json-patch+json", **AUTH})
    assert answer.status_code == 200 and answer.json()["OutputValues"] == {"seen": "patched"}


# ------------------------------------------------------------ bounded answers


def test_a_huge_exception_is_cut_short(client):
    answer = client.post(EXECUTE, content=event("Throws"), headers=JSON)
    text = answer.json()["Exception"]
    assert answer.status_code == 200 and text.startswith("Throws/10-big.crm:3:1:")
    assert len(text) < 10_100 and text.endswith("more characters)")


def test_what_a_handler_leaves_in_the_event_data_is_bounded(client):
    answer = client.post(EXECUTE, content=event("Bloats"), headers=JSON)
    body = answer.json()
    assert answer.status_code == 200
    assert body["Exception"].startswith("Bloats/10-outputs.crm: limit exceeded: response size limit exceeded")
    assert body["OutputValues"] == {} and len(answer.content) < 10_000
    assert_still_answering(client)


def test_the_access_log_is_bounded():
    from engine.api.middleware import MAX_LOG_LINES, MAX_LOGGED, AccessLog

    written: list[str] = []

    async def app(scope, receive, send):
        scope["state"]["log_facts"] = {"type": "T", "outcome": "x" * 50_000,
                                       "log": [f"T/10.crm: log: {'y' * 5_000}"] * 1_000}
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message):
        pass

    scope = {"type": "http", "method": "POST", "path": EXECUTE, "state": {}}
    asyncio.run(AccessLog(app, written.append)(scope, None, send))
    assert len(written) == 1 + MAX_LOG_LINES + 1 and written[-1] == "  ... 800 more log lines"
    assert all(len(line) < MAX_LOGGED + 100 for line in written)
