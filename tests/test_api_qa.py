"""QA of the local WebAPI as a client written for the real SuperOffice WebAPI
meets it: one test per problem found, each failing before its fix.

A real uvicorn server on loopback serves a small handler tree written here;
requests go over HTTP with httpx, as a WebAPI client's would.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from engine.api import create_app
from engine.api.server import serve_in_thread
from engine.chain import Engine

EXECUTE = "/api/v1/Agents/CustomerService/ExecuteEventHandlers"
EXISTS = "/api/v1/Agents/CustomerService/EventHandlerExists"
SCRIPT = "/api/v1/Agents/CRMScript/ExecuteScriptAsEvent"

HANDLERS = {
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
def base_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("qa_handlers")
    for name, source in HANDLERS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    engine = Engine(Path(root), on_warning=lambda message: None)
    with serve_in_thread(create_app(engine)) as url:
        yield url


@pytest.fixture
def client(base_url):
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


def post(client, path, body, **headers):
    return client.post(path, content=json.dumps(body), headers={"Content-Type": "application/json", **headers})


# ------------------------------------------------------------------ routes


@pytest.mark.parametrize("path", [
    "/api/v1/agents/customerservice/executeeventhandlers",
    "/API/V1/AGENTS/CUSTOMERSERVICE/EXECUTEEVENTHANDLERS",
    "/api/v1/Agents/CustomerService/ExecuteEventHandlers/",
])
def test_method_paths_match_as_aspnet_routes_do_ignoring_case_and_a_trailing_slash(client, path):
    # ASP.NET routing is case-insensitive and ignores a trailing slash; a
    # client built for the WebAPI may spell the path either way. (Before:
    # 404, and a 307 redirect for the trailing slash, which httpx and most
    # WebAPI clients do not follow for a POST.)
    canonical = post(client, EXECUTE, SALE)
    response = post(client, path, SALE)
    assert response.status_code == 200, response.text
    assert response.content == canonical.content
    assert response.json()["OutputValues"] == {"seen": "7"}


def test_other_methods_match_ignoring_case_too(client):
    response = post(client, EXISTS.lower(), {"EventHandlerType": "SalesBeforeSaveSale"})
    assert response.status_code == 200 and response.json() is True
    response = post(client, SCRIPT.upper() + "/", {"CRMScriptId": 999, "EventData": {}})
    assert response.status_code == 404 and response.json()["ErrorSource"] == "CRMScriptId"


def test_a_wrong_method_on_a_case_variant_path_is_still_405(client):
    response = client.get(EXECUTE.lower())
    assert response.status_code == 405 and response.headers["allow"] == "POST"


# ----------------------------------------------------------------- $select


@pytest.mark.parametrize("query", ["$select=", "$select=%20", "$select=,", "$select=%20,%20"])
def test_an_empty_select_is_no_selection(client, query):
    # The seed: "Default = show all fields". A client that builds $select
    # from an empty list must not get every member nulled. (Before: all null.)
    full = post(client, EXECUTE, SALE)
    response = post(client, f"{EXECUTE}?{query}", SALE)
    assert response.status_code == 200
    assert response.content == full.content


def test_select_given_twice_keeps_the_members_of_both(client):
    # ASP.NET reads a repeated query parameter as the comma-joined list
    # (StringValues). (Before: only the first $select counted.)
    response = post(client, f"{EXECUTE}?$select=Type&$select=Message", SALE)
    body = response.json()
    assert body["Type"] == "SalesBeforeSaveSale" and body["Message"] == "saw 7"
    assert body["OutputValues"] is None


# ------------------------------------------------------------- SO-TimeZone


@pytest.mark.parametrize("spelling, zone", [("utc", "UTC"), ("europe/oslo", "Europe/Oslo"),
                                            ("AMERICA/NEW_YORK", "America/New_York")])
def test_time_zone_names_are_case_insensitive(client, spelling, zone):
    # .NET finds time zones by id case-insensitively; zoneinfo on Linux does
    # not. (Before: 400 "not a known time zone" for `utc`.)
    contact = {"EventData": {"Type": "SalesBeforeSaveContact"}}
    response = post(client, EXECUTE, contact, **{"SO-TimeZone": spelling})
    assert response.status_code == 200, response.text
    assert response.json()["OutputValues"]["now"]


@pytest.mark.parametrize("name", ["localtime", "posixrules"])
def test_machine_dependent_zone_files_are_not_time_zones(client, name):
    # `localtime` is whatever zone the server machine is set to: a test that
    # sends it would pass on one machine and fail on another. (Before: 200.)
    response = post(client, EXECUTE, SALE, **{"SO-TimeZone": name})
    assert response.status_code == 400
    assert response.json()["ErrorSource"] == "SO-TimeZone"


# ------------------------------------------------------- .NET integer ranges


@pytest.mark.parametrize("script_id", [2**31, -(2**31) - 1, 10**22])
def test_a_script_id_outside_int32_is_a_400_naming_it(client, script_id):
    # CRMScriptId is an Int32 in the WebAPI; a larger number is a bad
    # request, not "no script has this id". (Before: 404.)
    response = post(client, SCRIPT, {"CRMScriptId": script_id, "EventData": {}})
    assert response.status_code == 400, response.text
    assert response.json()["ErrorSource"] == "CRMScriptId"


# ------------------------------------------------------- lone surrogates


@pytest.mark.parametrize("where, body", [
    ("EventData.InputValues.value", '{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"value": "\\ud800"}}}'),
    ("EventData.Message", '{"EventData": {"Message": "a\\uDFFFb"}}'),
    ("EventData.InputValues.\\udc00", '{"EventData": {"InputValues": {"\\udc00": "x"}}}'),
])
@pytest.mark.parametrize("accept", ["application/json", "application/xml"])
def test_a_lone_surrogate_escape_is_a_400_naming_the_field(client, where, body, accept):
    # JSON can escape half of a UTF-16 pair; that is not a character and no
    # answer can carry it. (Before: 500 when the answer was encoded.)
    response = client.post(EXECUTE, content=body, headers={"Content-Type": "application/json", "Accept": accept})
    assert response.status_code == 400, response.text
    if accept == "application/json":
        source, error = response.json()["ErrorSource"], response.json()["Error"]
    else:
        root = ElementTree.fromstring(response.content)
        source, error = root.findtext("ErrorSource"), root.findtext("Error")
    assert source == where and "surrogate" in error


def test_a_lone_surrogate_in_a_patch_value_is_a_400(client):
    patch = '[{"op": "add", "path": "/EventData/Message", "value": "\\ud83d"}]'
    response = client.post(EXECUTE, content=patch, headers={"Content-Type": "application/json-patch+json"})
    assert response.status_code == 400 and "surrogate" in response.json()["Error"]


def test_a_paired_surrogate_escape_is_an_ordinary_character(client):
    body = '{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"value": "\\ud83d\\ude00"}}}'
    response = client.post(EXECUTE, content=body, headers={"Content-Type": "application/json"})
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
def test_a_field_length_outside_int32_is_a_400_naming_it(client, length, content_type, encode):
    # FieldLength is an Int32 in the WebAPI: echoing 2**31 back would break a
    # .NET client reading the answer. (Before: 200 with the number echoed.)
    body = {"EventData": {"FieldProperties": {"amount": {"FieldLength": length}}}}
    response = client.post(EXECUTE, content=encode(body), headers={"Content-Type": content_type})
    assert response.status_code == 400, response.text
    assert response.json()["ErrorSource"] == "EventData.FieldProperties.amount.FieldLength"


def test_the_int32_limits_themselves_are_fine(client):
    body = {"EventData": {"FieldProperties": {"a": {"FieldLength": 2**31 - 1}, "b": {"FieldLength": -(2**31)}}}}
    response = post(client, EXECUTE, body)
    assert response.status_code == 200
    assert response.json()["FieldProperties"]["a"]["FieldLength"] == 2**31 - 1


@pytest.mark.parametrize("accept", ["application/json", "text/xml"])
def test_a_reference_to_half_a_utf16_pair_is_left_as_written(client, accept):
    # xmlDecode keeps "&#55296;" (no character exists for it); before, it made
    # a lone surrogate and the answer was a 500.
    response = post(client, EXECUTE, {"EventData": {"Type": "TicketSave"}}, Accept=accept)
    assert response.status_code == 200, response.text
    assert "a&amp;#55296;b" in response.text or "a&#55296;b" in response.text


def test_the_answer_encoders_never_fail_on_a_lone_surrogate():
    from engine.api import codecs

    for media_type in ("application/json", "application/xml"):
        data = {"Message": "x\udc01y"}
        assert "x\ufffdy" in codecs.encode(data, media_type, "EventData").decode("utf-8")


# ------------------------------------------------------- JSON member names


CAMEL_SALE = {"eventData": {"type": "SalesBeforeSaveSale", "inputValues": {"value": "7"}, "blockExecution": True,
                            "tableRight": {"mask": "Delete"}, "fieldProperties": {"f": {"fieldLength": 3}}}}
PASCAL_SALE = {"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"value": "7"}, "BlockExecution": True,
                             "TableRight": {"Mask": "Delete"}, "FieldProperties": {"f": {"FieldLength": 3}}}}


def test_json_member_names_are_read_ignoring_case(client):
    # The WebAPI's JSON reader matches member names ignoring case, so a
    # camelCase client works there. (Before: 400 "EventData: Field required"
    # for eventData, and blockExecution etc. silently ignored.) Map keys
    # (InputValues' `value`) keep their case.
    camel = post(client, EXECUTE, CAMEL_SALE)
    assert camel.status_code == 200, camel.text
    assert camel.content == post(client, EXECUTE, PASCAL_SALE).content
    body = camel.json()
    assert body["BlockExecution"] is True and body["TableRight"]["Mask"] == "Delete"
    assert body["FieldProperties"]["f"]["FieldLength"] == 3 and body["OutputValues"] == {"seen": "7"}


def test_the_other_methods_read_member_names_ignoring_case(client):
    assert post(client, EXISTS, {"eventHandlerType": "SalesBeforeSaveSale"}).json() is True
    response = post(client, SCRIPT, {"crmScriptId": 999, "eventData": {}})
    assert response.status_code == 404 and response.json()["ErrorSource"] == "CRMScriptId"


def test_an_exact_member_name_wins_over_another_case(client):
    body = {"EventData": {"Type": "SalesBeforeSaveSale", "type": "Other", "InputValues": {"value": "1"}}}
    assert post(client, EXECUTE, body).json()["Type"] == "SalesBeforeSaveSale"


def test_fire_reads_member_names_ignoring_case_too():
    from engine.eventdata import event_from_request, response_json

    camel, pascal = event_from_request(json.dumps(CAMEL_SALE)), event_from_request(json.dumps(PASCAL_SALE))
    assert response_json(camel) == response_json(pascal)


def test_merge_patch_member_names_are_read_ignoring_case_too(client):
    # A merge patch is merged into the empty request by name: `eventData`
    # sat beside `EventData` and was silently lost. (Before: Type "".)
    response = client.post(EXECUTE, content=json.dumps(CAMEL_SALE),
                           headers={"Content-Type": "application/merge-patch+json"})
    assert response.status_code == 200, response.text
    assert response.content == post(client, EXECUTE, PASCAL_SALE).content


# ------------------------------------------------------------ crmscript serve


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


def test_an_xml_body_whose_root_is_eventdata_says_to_wrap_it(client):
    # The root element is the request; a client serializing the carrier
    # itself as the root got "EventData: Field required", which names the
    # very element it sent. (Before: that message.)
    body = "<EventData><Type>SalesBeforeSaveSale</Type></EventData>"
    response = client.post(EXECUTE, content=body, headers={"Content-Type": "application/xml"})
    assert response.status_code == 400
    assert "<request><EventData>" in response.json()["Error"]
    assert response.json()["ErrorSource"] == "EventData"
    wrapped = client.post(EXECUTE, content=f"<request>{body}</request>", headers={"Content-Type": "application/xml"})
    assert wrapped.status_code == 200
