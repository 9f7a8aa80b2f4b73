"""The local WebAPI against a real uvicorn server and the real engine.

One server per module serves a small handler tree written here; requests go
over loopback with httpx, as a WebAPI client's would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import subprocess
import sys
import zoneinfo
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from engine.api import create_app, xmlcodec
from engine.api.server import serve_in_thread
from engine.api.shape import Shape
from engine.chain import Engine
from engine.eventdata import EventData, response_json

EXECUTE = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
EXISTS = "/api/v1/Agents/CustomerService/EventHandlerExists"
ALL_EXIST = "/api/v1/Agents/CustomerService/EventHandlersExists"
SCRIPT = "/api/v1/Agents/CRMScript/ExecuteScriptAsEvent"
MAX_BODY = 64 * 1024


HANDLERS = {
    "SalesBeforeSaveSale/10-echo.crm": """
        EventData ed = getEventData();
        ed.setOutputValue("echo", ed.getInputValue("value"));
        ed.setOutputValue("lang", getUserLang());
        ed.setStateValue("seen", "10");
        ed.setMessage("checked " + ed.getInputValue("value"));
    """,
    "SalesBeforeSaveSale/20-second.crm": """
        EventData ed = getEventData();
        ed.setOutputValue("second", ed.getStateValue("seen") + "+20");
    """,
    "SalesAfterSaveSale/10-fails.crm": """
        getEventData().setMessage("before the failure");
        Integer zero = 0;
        Integer broken = 1 / zero;
        getEventData().setMessage("never");
    """,
    "SalesBeforeSaveContact/10-clock.crm": """
        getEventData().setOutputValue("now", getCurrentDateTime().toString());
    """,
    "TicketReopened/10-slow.crm": """
        Integer i;
        Integer sum = 0;
        for (i = 0; i < 2000000; i++) { sum = (sum + i) % 1000; }
        getEventData().setOutputValue("sum", sum.toString());
    """,
    "TicketSave/10-busy.crm": """
        EventData ed = getEventData();
        Integer i;
        Integer sum = 0;
        for (i = 0; i < 3000; i++) { sum = sum + i; }
        ed.setOutputValue("echo", ed.getInputValue("value"));
        ed.setOutputValue("lang", getUserLang());
    """,
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    return root


class CountingEngine:
    """The real engine, counting chain runs (to prove a refused request ran nothing)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.runs = 0

    def run_chain(self, *args, **kwargs):
        self.runs += 1
        return self.engine.run_chain(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.engine, name)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return write_tree(tmp_path_factory.mktemp("handlers"), HANDLERS)


@pytest.fixture(scope="module")
def engine(tree) -> CountingEngine:
    return CountingEngine(Engine(tree, on_warning=lambda message: None))


@pytest.fixture(scope="module")
def base_url(engine):
    with serve_in_thread(create_app(engine, max_body=MAX_BODY)) as url:
        yield url


@pytest.fixture
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


def post_json(client, path, body, **headers):
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json", **headers})


def sale(**values) -> dict:
    return {"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": values}}


def assert_error(response, status, *, source=None, words=""):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["Status"] == status and body["ErrorType"]
    if source is not None:
        assert body["ErrorSource"] == source
    assert words in body["Error"]
    assert "Traceback" not in response.text
    return body


# ------------------------------------------------------ ExecuteEventHandlers


def test_chain_runs_and_answer_is_the_documented_carrier(client):
    response = post_json(client, EXECUTE, sale(value="v1"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["Type", "InputValues", "BlockExecution", "NavigateTo", "Message", "OutputValues",
                          "StateValues", "Exception", "TableRight", "FieldProperties"]
    assert body["OutputValues"] == {"echo": "v1", "lang": "en", "second": "10+20"}
    assert body["StateValues"] == {"seen": "10"} and body["Message"] == "checked v1"
    assert body["Exception"] == ""


def test_answer_bytes_equal_crmscript_fire(client, tree, tmp_path):
    request = sale(value="ø and ✓")
    request["EventData"]["FieldProperties"] = {"amount": {"FieldRight": {"Mask": "FULL"}, "FieldLength": 9}}
    response = post_json(client, EXECUTE, request)
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(request))
    fired = subprocess.run([sys.executable, "-c", "from engine.cli import main; main()",
                            "fire", "--handlers", str(tree), str(request_file)], capture_output=True)
    assert fired.returncode == 0, fired.stderr
    assert response.content == fired.stdout


def test_seed_sample_request_without_handlers_comes_back_unchanged(client):
    sample = {"EventData": {"Type": "ChatAfterSaveNewMessage", "InputValues": {"InputValues1": "aspernatur"},
                            "BlockExecution": True, "NavigateTo": "laborum", "Message": "et",
                            "OutputValues": {"OutputValues1": "mollitia"}, "StateValues": {"StateValues1": "r"},
                            "Exception": "repellat"}}
    response = post_json(client, EXECUTE, sample, Accept="application/json; charset=utf-8")
    assert response.status_code == 200
    assert response.content.decode() == response_json(EventData.model_validate(sample["EventData"]))


def test_newer_optional_members_are_accepted_and_returned(client):
    request = {"EventData": {"Type": "TicketClosed", "ShowDialog": "confirm", "ParserValues": {"p.q": "1"}}}
    assert {k: v for k, v in post_json(client, EXECUTE, request).json().items()
            if k in ("ShowDialog", "ParserValues")} == {"ShowDialog": "confirm", "ParserValues": {"p.q": "1"}}
    root = xml_answer(post_json(client, EXECUTE, request, Accept="application/xml"))
    assert root.findtext("ShowDialog") == "confirm" and root.findtext("ParserValues/p.q") == "1"


def test_failing_handler_sets_exception_and_keeps_what_was_set(client):
    response = post_json(client, EXECUTE, {"EventData": {"Type": "SalesAfterSaveSale"}})
    assert response.status_code == 200
    body = response.json()
    assert body["Message"] == "before the failure"
    assert "SalesAfterSaveSale/10-fails.crm:4:" in body["Exception"]


def test_text_json_both_ways(client):
    response = client.post(EXECUTE, content=json.dumps(sale(value="t")),
                           headers={"Content-Type": "text/json", "Accept": "text/json"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/json")
    assert response.json()["OutputValues"]["echo"] == "t"


def xml_answer(response) -> ElementTree.Element:
    assert response.status_code == 200, response.text
    return ElementTree.fromstring(response.content)


@pytest.mark.parametrize("media_type", ["application/xml", "text/xml"])
def test_xml_both_ways(client, media_type):
    body = """<?xml version="1.0" encoding="utf-8"?>
    <request><EventData>
      <Type>SalesBeforeSaveSale</Type>
      <InputValues><value>x&lt;1</value><Entry Key="odd key">2</Entry></InputValues>
      <BlockExecution>true</BlockExecution>
    </EventData></request>"""
    response = client.post(EXECUTE, content=body, headers={"Content-Type": media_type, "Accept": media_type})
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    root = xml_answer(response)
    assert root.tag == "EventData"
    assert root.findtext("OutputValues/echo") == "x<1"
    assert root.findtext("BlockExecution") == "true"
    entry = root.find("InputValues/Entry")
    assert entry.get("Key") == "odd key" and entry.text == "2"
    assert root.findtext("TableRight/Mask") == ""


def test_form_body(client):
    response = client.post(EXECUTE, content="EventData.Type=SalesBeforeSaveSale&EventData.InputValues.value=f%20v"
                                             "&EventData.BlockExecution=true",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200
    assert response.json()["OutputValues"]["echo"] == "f v" and response.json()["BlockExecution"] is True


def test_json_patch_body(client):
    patch = [{"op": "replace", "path": "/EventData/Type", "value": "SalesBeforeSaveSale"},
             {"op": "add", "path": "/EventData/InputValues/value", "value": "p"}]
    response = client.post(EXECUTE, content=json.dumps(patch), headers={"Content-Type": "application/json-patch+json"})
    assert response.status_code == 200 and response.json()["OutputValues"]["echo"] == "p"


def test_merge_patch_body(client):
    response = client.post(EXECUTE, content=json.dumps(sale(value="m")),
                           headers={"Content-Type": "application/merge-patch+json",
                                    "Accept": "application/merge-patch+json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/merge-patch+json")
    assert response.json()["OutputValues"]["echo"] == "m"


def test_every_body_type_gives_the_same_answer(client):
    answers = {
        "application/json": json.dumps(sale(value="same")),
        "application/xml": "<r><EventData><Type>SalesBeforeSaveSale</Type>"
                           "<InputValues><value>same</value></InputValues></EventData></r>",
        "application/x-www-form-urlencoded": "EventData.Type=SalesBeforeSaveSale&EventData.InputValues[value]=same",
        "application/merge-patch+json": json.dumps(sale(value="same")),
        "application/json-patch+json": json.dumps([{"op": "add", "path": "/EventData", "value": sale(value="same")["EventData"]}]),
    }
    bodies = {client.post(EXECUTE, content=body, headers={"Content-Type": kind}).content
              for kind, body in answers.items()}
    assert len(bodies) == 1


REQUEST_BODIES = {
    "application/json": json.dumps(sale(value="m x")),
    "text/json": json.dumps(sale(value="m x")),
    "application/xml": "<r><EventData><Type>SalesBeforeSaveSale</Type>"
                       "<InputValues><value>m x</value></InputValues></EventData></r>",
    "text/xml": "<r><EventData><Type>SalesBeforeSaveSale</Type>"
                "<InputValues><Entry Key='value'>m x</Entry></InputValues></EventData></r>",
    "application/x-www-form-urlencoded": "EventData.Type=SalesBeforeSaveSale&EventData.InputValues.value=m+x",
    "application/merge-patch+json": json.dumps(sale(value="m x")),
    "application/json-patch+json": json.dumps([
        {"op": "replace", "path": "/EventData/Type", "value": "SalesBeforeSaveSale"},
        {"op": "add", "path": "/EventData/InputValues/value", "value": "m x"}]),
}
ANSWER_TYPES = ["application/json", "text/json", "application/xml", "text/xml", "application/json-patch+json",
                "application/merge-patch+json"]


@pytest.mark.parametrize("answer_type", ANSWER_TYPES)
@pytest.mark.parametrize("body_type", sorted(REQUEST_BODIES))
def test_every_body_type_with_every_answer_type(client, body_type, answer_type):
    response = client.post(EXECUTE, content=REQUEST_BODIES[body_type],
                           headers={"Content-Type": body_type, "Accept": answer_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == f"{answer_type}; charset=utf-8"
    if "xml" in answer_type:
        answer = xmlcodec.decode(response.content, "utf-8", Shape("model", model=EventData))
    else:
        answer = response.json()
    event = EventData.model_validate(answer)
    assert event.OutputValues == {"echo": "m x", "lang": "en", "second": "10+20"}
    assert event.InputValues == {"value": "m x"} and event.Message == "checked m x"


# ----------------------------------------------------------------- $select


def test_select_keeps_named_members_and_nulls_the_rest(client):
    response = client.post(EXECUTE, params={"$select": "type, MESSAGE,outputvalues,NoSuchThing"},
                           content=json.dumps(sale(value="s")), headers={"Content-Type": "application/json"})
    body = response.json()
    assert body["Type"] == "SalesBeforeSaveSale" and body["Message"] == "checked s"
    assert body["OutputValues"]["echo"] == "s"
    assert all(body[name] is None for name in ("InputValues", "BlockExecution", "NavigateTo", "StateValues",
                                               "Exception", "TableRight", "FieldProperties"))


def test_select_in_xml_is_nil(client):
    response = client.post(EXECUTE, params={"$select": "Message"}, content=json.dumps(sale(value="s")),
                           headers={"Content-Type": "application/json", "Accept": "application/xml"})
    root = xml_answer(response)
    nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"
    assert root.findtext("Message") == "checked s"
    assert root.find("Type").get(nil) == "true" and root.find("OutputValues").get(nil) == "true"


# ----------------------------------------------------------------- headers


@pytest.mark.parametrize("headers, language", [
    ({"SO-Language": "de"}, "de"),
    ({"Accept-Language": "de-AT, en;q=0.5"}, "de"),
    ({"Accept-Language": "fr", "SO-Language": "sv"}, "sv"),
    ({}, "en"),
])
def test_language_headers_reach_the_script(client, headers, language):
    response = post_json(client, EXECUTE, sale(value="l"), **headers)
    assert response.json()["OutputValues"]["lang"] == language


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Adak", "UTC"])
def test_time_zone_header_sets_the_script_clock(client, zone):
    before = dt.datetime.now(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
    response = post_json(client, EXECUTE, {"EventData": {"Type": "SalesBeforeSaveContact"}}, **{"SO-TimeZone": zone})
    after = dt.datetime.now(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    script_now = dt.datetime.fromisoformat(response.json()["OutputValues"]["now"])
    assert before <= script_now <= after


@pytest.mark.parametrize("header, value", [("SO-TimeZone", "Mars/Olympus_Mons"), ("SO-Language", "1234"),
                                           ("Accept-Language", "en;q=x")])
def test_bad_header_is_400_naming_it_and_runs_nothing(client, engine, header, value):
    runs = engine.runs
    assert_error(post_json(client, EXECUTE, sale(value="h"), **{header: value}), 400, source=header, words=header)
    assert engine.runs == runs


def test_app_token_is_accepted(client):
    assert post_json(client, EXECUTE, sale(value="a"), **{"SO-AppToken": "anything"}).status_code == 200


# ------------------------------------------------------------------ errors


def test_accept_that_cannot_be_met_is_406(client, engine):
    runs = engine.runs
    assert_error(post_json(client, EXECUTE, sale(), Accept="image/png"), 406, source="Accept")
    assert engine.runs == runs


@pytest.mark.parametrize("content_type", ["text/plain", "application/yaml", None])
def test_unsupported_body_type_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(EXECUTE, content=b'{"EventData": {}}', headers=headers)
    assert_error(response, 415, source="Content-Type")


def test_oversized_body_is_413(client, engine):
    runs = engine.runs
    big = sale(value="x" * (MAX_BODY + 1))
    assert_error(post_json(client, EXECUTE, big), 413)

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(MAX_BODY // 1024 + 2):
            yield b" " * 1024

    response = client.post(EXECUTE, content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(response, 413)
    assert engine.runs == runs


@pytest.mark.parametrize("content_type, body, source, words", [
    ("application/json", '{"EventData": {"Type": "X",}}', None, "line 1, column 28"),
    ("application/json", '{"EventData": {"InputValues": {"amount": 12}}}', "EventData.InputValues.amount",
     "valid string"),
    ("application/json", '{"EventData": {"BlockExecution": "yes"}}', "EventData.BlockExecution", "valid boolean"),
    ("application/json", '[{"EventData": {}}]', None, "not an array"),
    ("application/json", '{"Event": {}}', "EventData", "EventData"),
    ("application/json", '{"EventData": {"Type": NaN}}', None, "NaN"),
    ("application/json", "", None, "empty"),
    ("application/json", b"\xff\xfe{", None, "utf-8"),
    ("application/xml", "<r><EventData><Type>X</Type></r>", None, "Malformed XML"),
    ("application/xml", "<?xml version='1.0' encoding='bogus'?><r/>", None, "unknown encoding"),
    ("application/json", "1" * 5000, None, "too many digits"),
    ("application/xml", "<r><EventData><BlockExecution>maybe</BlockExecution></EventData></r>",
     "EventData.BlockExecution", "true or false"),
    ("application/x-www-form-urlencoded", "EventData.FieldProperties.f.FieldLength=long",
     "EventData.FieldProperties.f.FieldLength", "integer"),
    ("application/json-patch+json", '[{"op": "add", "path": "/EventData/Nope/x", "value": "1"}]', None,
     "operation 0"),
    ("application/merge-patch+json", '{"EventData": {"OutputValues": {"a": true}}}', "EventData.OutputValues.a",
     "valid string"),
])
def test_bad_bodies_are_400_naming_the_problem(client, engine, content_type, body, source, words):
    runs = engine.runs
    response = client.post(EXECUTE, content=body, headers={"Content-Type": content_type})
    assert_error(response, 400, source=source, words=words)
    assert engine.runs == runs


def test_deeply_nested_json_is_400(client):
    response = client.post(EXECUTE, content="[" * 50000, headers={"Content-Type": "application/json"})
    assert_error(response, 400)


def test_error_body_follows_accept(client):
    response = client.post(EXECUTE, content="{", headers={"Content-Type": "application/json", "Accept": "text/xml"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "ErrorBody" and root.findtext("Status") == "400" and "Malformed JSON" in root.findtext("Error")


def test_unknown_path_is_404_and_wrong_method_405(client):
    assert_error(client.get("/api/v1/Agents/CustomerService/Nope"), 404, words="/docs")
    response = client.get("/nope", headers={"Accept": "application/xml"})
    assert response.status_code == 404 and b"<ErrorBody" in response.content
    assert_error(client.get(EXECUTE), 405, words="GET")


# ------------------------------------------------------- neighbour methods


def test_event_handler_exists(client):
    assert post_json(client, EXISTS, {"EventHandlerType": "SalesBeforeSaveSale"}).json() is True
    assert post_json(client, EXISTS, {"EventHandlerType": "TicketClosed"}).json() is False
    response = post_json(client, EXISTS, {"EventHandlerType": "SalesAfterSaveSale"}, Accept="application/xml")
    assert xml_answer(response).tag == "boolean" and xml_answer(response).text == "true"
    assert_error(post_json(client, EXISTS, {"EventHandlerType": 3}), 400, source="EventHandlerType")


def test_event_handlers_exists(client):
    types = ["TicketClosed", "SalesBeforeSaveSale", "NoSuchType", "TicketSave"]
    assert post_json(client, ALL_EXIST, {"EventHandlerTypes": types}).json() == [False, True, False, True]
    response = post_json(client, ALL_EXIST, {"EventHandlerTypes": types[:2]}, Accept="text/xml")
    assert [item.text for item in xml_answer(response)] == ["false", "true"]
    form = client.post(ALL_EXIST, content="EventHandlerTypes=TicketSave&EventHandlerTypes=TicketClosed",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.json() == [True, False]


def test_execute_script_as_event_runs_one_handler(client, engine):
    second = next(h for h in engine.handlers_for("SalesBeforeSaveSale") if h.file_name == "20-second.crm")
    response = post_json(client, SCRIPT, {"CRMScriptId": second.id,
                                          "EventData": {"Type": "SalesBeforeSaveSale", "StateValues": {"seen": "s"}}})
    assert response.status_code == 200
    assert response.json()["OutputValues"] == {"second": "s+20"}
    selected = client.post(SCRIPT, params={"$select": "outputvalues"}, content=json.dumps(
        {"CRMScriptId": second.id, "EventData": {"Type": "SalesBeforeSaveSale"}}),
        headers={"Content-Type": "application/json"})
    assert selected.json()["Type"] is None and selected.json()["OutputValues"] == {"second": "+20"}


def test_execute_script_with_unknown_id_is_404(client):
    assert_error(post_json(client, SCRIPT, {"CRMScriptId": 99999, "EventData": {}}), 404, source="CRMScriptId")
    assert_error(post_json(client, SCRIPT, {"CRMScriptId": "1", "EventData": {}}), 400, source="CRMScriptId")


# ------------------------------------------------------------- concurrency


def test_concurrent_requests_each_get_their_own_answer(base_url):
    async def one(client, index):
        event_type = "TicketSave" if index % 2 else "SalesBeforeSaveSale"
        response = await client.post(
            EXECUTE, content=json.dumps({"EventData": {"Type": event_type,
                                                       "InputValues": {"value": f"request-{index}"},
                                                       "StateValues": {f"mine-{index}": "1"}}}),
            headers={"Content-Type": "application/json", "SO-Language": ["de", "fr", "sv"][index % 3]})
        return index, response.json()

    async def many():
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            return await asyncio.gather(*(one(client, index) for index in range(48)))

    for index, body in asyncio.run(many()):
        assert body["OutputValues"]["echo"] == f"request-{index}"
        assert body["OutputValues"]["lang"] == ["de", "fr", "sv"][index % 3]
        assert [key for key in body["StateValues"] if key.startswith("mine-")] == [f"mine-{index}"]


def test_a_slow_handler_does_not_stop_the_server_answering(base_url):
    """Slow handlers run off the event loop: other requests are answered meanwhile."""
    async def scenario():
        async with httpx.AsyncClient(base_url=base_url, timeout=120) as client:
            for _ in range(2):  # the first run (compiles) and a run known to be slow
                slow = asyncio.create_task(client.post(
                    EXECUTE, content=json.dumps({"EventData": {"Type": "TicketReopened"}}),
                    headers={"Content-Type": "application/json"}))
                await asyncio.sleep(0.1)
                schema = await client.get("/openapi.json")
                refused = await client.post(EXECUTE, content=b"{}", headers={"Content-Type": "text/plain"})
                assert not slow.done()
                assert schema.status_code == 200 and refused.status_code == 415
                assert (await slow).json()["OutputValues"] == {"sum": "0"}

    asyncio.run(scenario())


# -------------------------------------------------------------- the schema


def test_openapi_documents_every_method_with_the_seed_sample(client):
    schema = client.get("/openapi.json").json()
    for path in (EXECUTE, EXISTS, ALL_EXIST, SCRIPT):
        content = schema["paths"][path]["post"]["requestBody"]["content"]
        assert set(content) >= {"application/json", "text/json", "application/xml", "text/xml",
                                "application/x-www-form-urlencoded", "application/json-patch+json",
                                "application/merge-patch+json"}
    example = schema["paths"][EXECUTE]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert example["EventData"]["Type"] == "ChatAfterSaveNewMessage"
    assert "EventData" in schema["components"]["schemas"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text
    # The page's assets are served locally: /docs works without internet.
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        url = re.search(rf"""["'](/[^"']*{re.escape(asset)})["']""", docs.text).group(1)
        assert client.get(url).status_code == 200


# ----------------- regressions found by review, on a real server (was: tests/test_api_qa.py)


SERVED_HANDLERS = {
    "SalesBeforeSaveSale/10-note.crm": """
        EventData ed = getEventData();
        ed.setOutputValue("seen", ed.getInputValue("value"));
        ed.setMessage("saw " + ed.getInputValue("value"));
    """,
    "TicketSave/10-half-pair.crm": """
        // A character reference to half a UTF-16 pair: not a character.
        getEventData().setOutputValue("decoded", "a&#55296;b".xmlDecode());
    """,
    "SalesBeforeSaveContact/10-clock.crm": """
        getEventData().setOutputValue("now", getCurrentDateTime().toString());
    """,
}


SALE = {"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"value": "7"}}}


@pytest.fixture(scope="module")
def served_url(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("qa_handlers"), SERVED_HANDLERS)
    engine = Engine(root, on_warning=lambda message: None)
    with serve_in_thread(create_app(engine)) as url:
        yield url


@pytest.fixture
def served(served_url):
    with httpx.Client(base_url=served_url, timeout=30) as served:
        yield served


CAMEL_SALE = {"eventData": {"type": "SalesBeforeSaveSale", "inputValues": {"value": "7"}, "blockExecution": True,
                            "tableRight": {"mask": "Delete"}, "fieldProperties": {"f": {"fieldLength": 3}}}}


PASCAL_SALE = {"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"value": "7"}, "BlockExecution": True,
                             "TableRight": {"Mask": "Delete"}, "FieldProperties": {"f": {"FieldLength": 3}}}}


@pytest.mark.parametrize("path", [
    "/api/v1/agents/customerservice/executeeventhandlers",
    "/API/V1/AGENTS/CUSTOMERSERVICE/EXECUTEEVENTHANDLERS",
    "/api/v1/Agents/CustomerService/ExecuteEventHandlers/",
])
def test_method_paths_match_as_aspnet_routes_do_ignoring_case_and_a_trailing_slash(served, path):
    # ASP.NET routing is case-insensitive and ignores a trailing slash; a
    # client built for the WebAPI may spell the path either way. (Before:
    # 404, and a 307 redirect for the trailing slash, which httpx and most
    # WebAPI clients do not follow for a POST.)
    canonical = post_json(served, EXECUTE, SALE)
    response = post_json(served, path, SALE)
    assert response.status_code == 200, response.text
    assert response.content == canonical.content
    assert response.json()["OutputValues"] == {"seen": "7"}


def test_other_methods_match_ignoring_case_too(served):
    response = post_json(served, EXISTS.lower(), {"EventHandlerType": "SalesBeforeSaveSale"})
    assert response.status_code == 200 and response.json() is True
    response = post_json(served, SCRIPT.upper() + "/", {"CRMScriptId": 999, "EventData": {}})
    assert response.status_code == 404 and response.json()["ErrorSource"] == "CRMScriptId"


def test_a_wrong_method_on_a_case_variant_path_is_still_405(served):
    response = served.get(EXECUTE.lower())
    assert response.status_code == 405 and response.headers["allow"] == "POST"


@pytest.mark.parametrize("query", ["$select=", "$select=%20", "$select=,", "$select=%20,%20"])
def test_an_empty_select_is_no_selection(served, query):
    # The seed: "Default = show all fields". A client that builds $select
    # from an empty list must not get every member nulled. (Before: all null.)
    full = post_json(served, EXECUTE, SALE)
    response = post_json(served, f"{EXECUTE}?{query}", SALE)
    assert response.status_code == 200
    assert response.content == full.content


def test_select_given_twice_keeps_the_members_of_both(served):
    # ASP.NET reads a repeated query parameter as the comma-joined list
    # (StringValues). (Before: only the first $select counted.)
    response = post_json(served, f"{EXECUTE}?$select=Type&$select=Message", SALE)
    body = response.json()
    assert body["Type"] == "SalesBeforeSaveSale" and body["Message"] == "saw 7"
    assert body["OutputValues"] is None


@pytest.mark.parametrize("spelling, zone", [("utc", "UTC"), ("europe/oslo", "Europe/Oslo"),
                                            ("AMERICA/NEW_YORK", "America/New_York")])
def test_time_zone_names_are_case_insensitive(served, spelling, zone):
    # .NET finds time zones by id case-insensitively; zoneinfo on Linux does
    # not. (Before: 400 "not a known time zone" for `utc`.)
    contact = {"EventData": {"Type": "SalesBeforeSaveContact"}}
    response = post_json(served, EXECUTE, contact, **{"SO-TimeZone": spelling})
    assert response.status_code == 200, response.text
    assert response.json()["OutputValues"]["now"]


@pytest.mark.parametrize("name", ["localtime", "posixrules"])
def test_machine_dependent_zone_files_are_not_time_zones(served, name):
    # `localtime` is whatever zone the server machine is set to: a test that
    # sends it would pass on one machine and fail on another. (Before: 200.)
    response = post_json(served, EXECUTE, SALE, **{"SO-TimeZone": name})
    assert response.status_code == 400
    assert response.json()["ErrorSource"] == "SO-TimeZone"


@pytest.mark.parametrize("script_id", [2**31, -(2**31) - 1, 10**22])
def test_a_script_id_outside_int32_is_a_400_naming_it(served, script_id):
    # CRMScriptId is an Int32 in the WebAPI; a larger number is a bad
    # request, not "no script has this id". (Before: 404.)
    response = post_json(served, SCRIPT, {"CRMScriptId": script_id, "EventData": {}})
    assert response.status_code == 400, response.text
    assert response.json()["ErrorSource"] == "CRMScriptId"


@pytest.mark.parametrize("where, body", [
    ("EventData.InputValues.value", '{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"value": "\\ud800"}}}'),
    ("EventData.Message", '{"EventData": {"Message": "a\\uDFFFb"}}'),
    ("EventData.InputValues.\\udc00", '{"EventData": {"InputValues": {"\\udc00": "x"}}}'),
])
@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
def test_a_lone_surrogate_escape_is_a_400_naming_the_field(served, where, body, accept):
    # JSON can escape half of a UTF-16 pair; that is not a character and no
    # answer can carry it. (Before: 500 when the answer was encoded.)
    response = served.post(EXECUTE, content=body, headers={"Content-Type": "application/json", "Accept": accept})
    assert response.status_code == 400, response.text
    if accept == "application/json":
        source, error = response.json()["ErrorSource"], response.json()["Error"]
    else:
        root = ElementTree.fromstring(response.content)
        source, error = root.findtext("ErrorSource"), root.findtext("Error")
    assert source == where and "surrogate" in error


def test_a_lone_surrogate_in_a_patch_value_is_a_400(served):
    patch = '[{"op": "add", "path": "/EventData/Message", "value": "\\ud83d"}]'
    response = served.post(EXECUTE, content=patch, headers={"Content-Type": "application/json-patch+json"})
    assert response.status_code == 400 and "surrogate" in response.json()["Error"]


def test_a_paired_surrogate_escape_is_an_ordinary_character(served):
    body = '{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"value": "\\ud83d\\ude00"}}}'
    response = served.post(EXECUTE, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json()["OutputValues"]["seen"] == "\U0001F600"


def test_fire_reads_a_lone_surrogate_as_a_bad_request_too():
    # `crmscript fire` reads bodies with the same event_from_request: a
    # CRMScriptError naming the field, not a traceback when printing.
    from engine.eventdata import EventDataError, event_from_request

    with pytest.raises(EventDataError, match=r"EventData\.InputValues\.value: .*surrogate"):
        event_from_request('{"EventData": {"InputValues": {"value": "\\ud800"}}}')


@pytest.mark.parametrize("length", [2**31, -(2**31) - 1])
@pytest.mark.parametrize("content_type, encode", [
    ("application/json", json.dumps),
    ("application/xml", lambda body: "<request><EventData><FieldProperties><amount><FieldLength>"
                                     f"{body['EventData']['FieldProperties']['amount']['FieldLength']}"
                                     "</FieldLength></amount></FieldProperties></EventData></request>"),
])
def test_a_field_length_outside_int32_is_a_400_naming_it(served, length, content_type, encode):
    # FieldLength is an Int32 in the WebAPI: echoing 2**31 back would break a
    # .NET client reading the answer. (Before: 200 with the number echoed.)
    body = {"EventData": {"FieldProperties": {"amount": {"FieldLength": length}}}}
    response = served.post(EXECUTE, content=encode(body), headers={"Content-Type": content_type})
    assert response.status_code == 400, response.text
    assert response.json()["ErrorSource"] == "EventData.FieldProperties.amount.FieldLength"


def test_the_int32_limits_themselves_are_fine(served):
    body = {"EventData": {"FieldProperties": {"a": {"FieldLength": 2**31 - 1}, "b": {"FieldLength": -(2**31)}}}}
    response = post_json(served, EXECUTE, body)
    assert response.status_code == 200
    assert response.json()["FieldProperties"]["a"]["FieldLength"] == 2**31 - 1


@pytest.mark.parametrize("accept", ["application/json", "text/xml"])
def test_a_reference_to_half_a_utf16_pair_is_left_as_written(served, accept):
    # xmlDecode keeps "&#55296;" (no character exists for it); before, it made
    # a lone surrogate and the answer was a 500.
    response = post_json(served, EXECUTE, {"EventData": {"Type": "TicketSave"}}, Accept=accept)
    assert response.status_code == 200, response.text
    assert "a&amp;#55296;b" in response.text or "a&#55296;b" in response.text


def test_the_answer_encoders_never_fail_on_a_lone_surrogate():
    from engine.api import codecs

    for media_type in ("application/json", "application/xml"):
        data = {"Message": "x\udc01y"}
        assert "x\ufffdy" in codecs.encode(data, media_type, "EventData").decode("utf-8")


def test_json_member_names_are_read_ignoring_case(served):
    # The WebAPI's JSON reader matches member names ignoring case, so a
    # camelCase client works there. (Before: 400 "EventData: Field required"
    # for eventData, and blockExecution etc. silently ignored.) Map keys
    # (InputValues' `value`) keep their case.
    camel = post_json(served, EXECUTE, CAMEL_SALE)
    assert camel.status_code == 200, camel.text
    assert camel.content == post_json(served, EXECUTE, PASCAL_SALE).content
    body = camel.json()
    assert body["BlockExecution"] is True and body["TableRight"]["Mask"] == "Delete"
    assert body["FieldProperties"]["f"]["FieldLength"] == 3 and body["OutputValues"] == {"seen": "7"}


def test_the_other_methods_read_member_names_ignoring_case(served):
    assert post_json(served, EXISTS, {"eventHandlerType": "SalesBeforeSaveSale"}).json() is True
    response = post_json(served, SCRIPT, {"crmScriptId": 999, "eventData": {}})
    assert response.status_code == 404 and response.json()["ErrorSource"] == "CRMScriptId"


def test_an_exact_member_name_wins_over_another_case(served):
    body = {"EventData": {"Type": "SalesBeforeSaveSale", "type": "Other", "InputValues": {"value": "1"}}}
    assert post_json(served, EXECUTE, body).json()["Type"] == "SalesBeforeSaveSale"


def test_fire_reads_member_names_ignoring_case_too():
    from engine.eventdata import event_from_request, response_json

    camel, pascal = event_from_request(json.dumps(CAMEL_SALE)), event_from_request(json.dumps(PASCAL_SALE))
    assert response_json(camel) == response_json(pascal)


def test_merge_patch_member_names_are_read_ignoring_case_too(served):
    # A merge patch is merged into the empty request by name: `eventData`
    # sat beside `EventData` and was silently lost. (Before: Type "".)
    response = served.post(EXECUTE, content=json.dumps(CAMEL_SALE),
                           headers={"Content-Type": "application/merge-patch+json"})
    assert response.status_code == 200, response.text
    assert response.content == post_json(served, EXECUTE, PASCAL_SALE).content


@pytest.mark.parametrize("options, words", [
    (["--port", "99999"], "--port"),
    (["--port", "0"], "--port"),
    (["--handlers", "/no/such/handler/folder"], "/no/such/handler/folder"),
])
def test_serve_refuses_bad_options_as_usage_errors(options, words):
    # (Before: --port 99999 was a Python traceback from bind(); a missing
    # --handlers folder served an empty tree, answering every event unchanged.)
    import subprocess
    import sys

    command = [sys.executable, "-c", "from engine.cli import main; main()", "serve", *options]
    done = subprocess.run(command,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr


def test_an_xml_body_whose_root_is_eventdata_says_to_wrap_it(served):
    # The root element is the request; a client serializing the carrier
    # itself as the root got "EventData: Field required", which names the
    # very element it sent. (Before: that message.)
    body = "<EventData><Type>SalesBeforeSaveSale</Type></EventData>"
    response = served.post(EXECUTE, content=body, headers={"Content-Type": "application/xml"})
    assert response.status_code == 400
    assert "<request><EventData>" in response.json()["Error"]
    assert response.json()["ErrorSource"] == "EventData"
    wrapped = served.post(EXECUTE, content=f"<request>{body}</request>", headers={"Content-Type": "application/xml"})
    assert wrapped.status_code == 200
