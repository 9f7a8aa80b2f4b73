"""Authentication modes against a real server, and what reaches Settings.

A recording engine stands in for the real one here: it answers like the
engine (a ChainResult-like object) and remembers every call, so a test can
prove that a refused request ran nothing and see the exact Settings a
request produced (SO-Culture has no script function to observe it yet).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import httpx
import pytest
from typer.testing import CliRunner

from engine.api import create_app
from engine.api.server import serve_in_thread
from engine.cli import app as cli_app
from engine.eventdata import EventData

EXECUTE = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
EXISTS = "/api/v1/Agents/CustomerService/EventHandlerExists"
BODY = json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"k": "v"}}})


@dataclass
class Result:
    event: EventData
    runs: list = field(default_factory=list)
    failed: object = None


class RecordingEngine:
    def __init__(self):
        self.calls = []

    def run_chain(self, event, *, settings=None, handlers=None):
        self.calls.append((event, settings))
        answer = event.copy_for_chain()
        answer.OutputValues["ran"] = "yes"
        return Result(answer)

    def has_handlers(self, event_type):
        self.calls.append((event_type, None))
        return True

    def handler(self, handler_id):
        return None


def basic(user_password: str) -> str:
    return "Basic " + base64.b64encode(user_password.encode()).decode()


MODES = {
    "basic:ann:s3:cret": ({"Authorization": basic("ann:s3:cret")},
                          [{"Authorization": basic("ann:wrong")}, {"Authorization": basic("bob:s3:cret")},
                           {"Authorization": "Bearer s3:cret"}, {"X-XSRF-TOKEN": "ann"}],
                          {"X-XSRF-TOKEN": "ann:s3:cret"}, "Basic"),
    "bearer:tok-123": ({"Authorization": "Bearer tok-123"},
                       [{"Authorization": "Bearer tok-124"}, {"Authorization": "SoTicket tok-123"},
                        {"Authorization": "Bearer"}, {"X-XSRF-TOKEN": "tok"}],
                       {"X-XSRF-TOKEN": "tok-123"}, "Bearer"),
    "soticket:7T:abc": ({"Authorization": "SoTicket 7T:abc"},
                        [{"Authorization": "SoTicket 7T:abd"}, {"Authorization": basic("7T:abc")},
                         {"X-XSRF-TOKEN": ""}],
                        {"X-XSRF-TOKEN": "7T:abc"}, "SoTicket"),
}


@pytest.fixture(scope="module", params=sorted(MODES))
def guarded(request):
    engine = RecordingEngine()
    with serve_in_thread(create_app(engine, auth=request.param)) as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield request.param, engine, client


def post(client, path, headers, body=BODY):
    return client.post(path, content=body, headers={"Content-Type": "application/json", **headers})


def test_right_credential_runs_the_chain(guarded):
    spec, engine, client = guarded
    good, _, xsrf, _ = MODES[spec]
    for headers in (good, xsrf):
        before = len(engine.calls)
        response = post(client, EXECUTE, headers)
        assert response.status_code == 200 and response.json()["OutputValues"]["ran"] == "yes"
        assert len(engine.calls) == before + 1


def test_missing_or_wrong_credential_is_401_and_runs_nothing(guarded):
    spec, engine, client = guarded
    good, wrong, xsrf, scheme = MODES[spec]
    before = len(engine.calls)
    for headers in [{}, *wrong, {**wrong[0], **xsrf}]:
        for path in (EXECUTE, EXISTS):
            response = post(client, path, headers)
            assert response.status_code == 401, (headers, response.text)
            assert response.headers["www-authenticate"].startswith(f'{scheme} realm="crmscript-sim"')
            assert response.json()["ErrorType"] == "Unauthorized"
    # Even a body the API could not read gets the 401 first.
    assert post(client, EXECUTE, {}, body="not json").status_code == 401
    assert len(engine.calls) == before


def test_schema_stays_readable_and_names_the_scheme(guarded):
    spec, _, client = guarded
    schema = client.get("/openapi.json").json()
    assert list(schema["components"]["securitySchemes"]) == [spec.split(":")[0]]


def test_open_by_default():
    engine = RecordingEngine()
    with serve_in_thread(create_app(engine)) as url:
        response = httpx.post(url + EXECUTE, content=BODY, headers={"Content-Type": "application/json",
                                                                    "Authorization": "Bearer whatever"})
    assert response.status_code == 200 and len(engine.calls) == 1


def test_serve_refuses_a_malformed_auth_mode():
    result = CliRunner().invoke(cli_app, ["serve", "--auth", "password:x"])
    assert result.exit_code == 2
    assert "basic:USER:PASS" in result.output


# -------------------------------------------------------- headers -> Settings


@pytest.fixture(scope="module")
def recorded():
    engine = RecordingEngine()
    with serve_in_thread(create_app(engine)) as url:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield engine, client


@pytest.mark.parametrize("headers, expected", [
    ({}, ("en", "", "")),
    ({"SO-Language": "nb", "SO-Culture": "nb-no", "SO-TimeZone": "Europe/Oslo"}, ("nb", "nb-NO", "Europe/Oslo")),
    ({"Accept-Language": "de-DE,de;q=0.9", "SO-Culture": "de-AT"}, ("de", "de-AT", "")),
    ({"SO-Culture": "sv-SE"}, ("en", "", "")),  # no language given: the culture is ignored, as documented
    ({"SO-TimeZone": "America/New_York"}, ("en", "", "America/New_York")),
])
def test_headers_reach_the_settings_of_the_run(recorded, headers, expected):
    engine, client = recorded
    assert post(client, EXECUTE, headers).status_code == 200
    settings = engine.calls[-1][1]
    assert (settings.language, settings.culture, settings.timezone) == expected


def test_each_request_gets_its_own_settings_and_event(recorded):
    engine, client = recorded
    post(client, EXECUTE, {"SO-Language": "sv"})
    post(client, EXECUTE, {})
    (first_event, first), (second_event, second) = engine.calls[-2:]
    assert first is not second and first.language == "sv" and second.language == "en"
    assert first_event is not second_event


def test_one_log_line_per_request_even_with_newlines_in_the_outcome():
    import logging

    class Failing(RecordingEngine):
        def run_chain(self, event, *, settings=None, handlers=None):
            result = super().run_chain(event, settings=settings, handlers=handlers)
            result.event.Exception = "T/10.crm:1:1: runtime error: first\nsecond"
            result.runs = ["one handler"]
            result.failed = "one handler"  # the log's outcome follows the chain's failure
            return result

    records: list[str] = []
    logger = logging.getLogger("test_api_auth.access")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.addHandler(handler)
    try:
        with serve_in_thread(create_app(Failing(), logger=logger)) as url:
            httpx.post(url + EXECUTE, content=BODY, headers={"Content-Type": "application/json"})
            httpx.post(url + EXECUTE, content=b'{"EventData": {"InputValues": {"a\\nb": 1}}}',
                       headers={"Content-Type": "application/json"})
    finally:
        logger.removeHandler(handler)
    assert len(records) == 2 and all("\n" not in line for line in records)
    assert "SalesBeforeSaveSale handlers=1" in records[0] and "200 failed: T/10.crm:1:1" in records[0]
    assert "first\\nsecond" in records[0]
    assert " 400 EventData.InputValues.a\\nb: " in records[1]
