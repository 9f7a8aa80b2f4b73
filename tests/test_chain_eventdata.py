"""engine.EventData: the wire format shared by `crmscript fire` and the HTTP API."""

import json
from pathlib import Path

import pytest

from engine.eventdata import (
    DOCUMENTED_MEMBERS,
    EventData,
    EventDataError,
    event_from_request,
    response_dict,
    response_json,
)

SEED = Path("/work/shared/seed/ExecuteEventHandlers.md")


def request(**event) -> str:
    return json.dumps({"EventData": event})


def test_missing_members_take_empty_values():
    event = event_from_request(request(Type="TicketSave"))
    assert event.InputValues == {} and event.OutputValues == {} and event.StateValues == {}
    assert event.BlockExecution is False and event.Message == "" and event.Exception == ""
    assert event.TableRight.Mask == "" and event.FieldProperties == {}
    assert event.ShowDialog is None and event.ParserValues is None


def test_null_members_take_empty_values():
    event = event_from_request(request(Message=None, InputValues=None, TableRight=None))
    assert event.Message == "" and event.InputValues == {} and event.TableRight.Reason == ""


@pytest.mark.parametrize("event, field", [
    ({"InputValues": {"amount": 5}}, "EventData.InputValues.amount"),
    ({"StateValues": {"k": None}}, "EventData.StateValues.k"),
    ({"BlockExecution": "true"}, "EventData.BlockExecution"),
    ({"Type": 1008}, "EventData.Type"),
    ({"FieldProperties": {"f": {"FieldLength": "8"}}}, "EventData.FieldProperties.f.FieldLength"),
    ({"TableRight": "FULL"}, "EventData.TableRight"),
])
def test_wrong_types_are_errors_naming_the_field(event, field):
    with pytest.raises(EventDataError) as caught:
        event_from_request(json.dumps({"EventData": event}), "req.json")
    assert field in caught.value.message
    assert str(caught.value).startswith("req.json: bad request: ")


@pytest.mark.parametrize("body, words", [
    ("{", "malformed JSON"),
    ("[]", "must be a JSON object"),
    ('{"Type": "X"}', '"EventData" member'),
    ('{"EventData": []}', "EventData must be a JSON object"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_bad_bodies(body, words):
    with pytest.raises(EventDataError) as caught:
        event_from_request(body)
    assert words in caught.value.message


def test_malformed_json_points_at_line_and_column():
    with pytest.raises(EventDataError) as caught:
        event_from_request('{\n  "EventData": {,}\n}')
    assert (caught.value.line, caught.value.column) == (2, 17)


def test_response_has_documented_members_in_documented_order():
    body = json.loads(response_json(EventData(Type="X")))
    assert tuple(body) == DOCUMENTED_MEMBERS
    assert body["TableRight"] == {"Mask": "", "Reason": ""}


def test_optional_members_appear_only_when_set():
    body = response_dict(EventData(ShowDialog="dlg", ParserValues={"a": "b"}))
    assert list(body)[-2:] == ["ShowDialog", "ParserValues"]
    assert body["ParserValues"] == {"a": "b"}


def test_select_nulls_the_other_members_case_insensitively():
    event = EventData(Type="T", Message="m", OutputValues={"a": "1"})
    body = json.loads(response_json(event, "type, MESSAGE,nosuch"))
    assert body["Type"] == "T" and body["Message"] == "m"
    assert body["OutputValues"] is None and body["TableRight"] is None
    assert tuple(body) == DOCUMENTED_MEMBERS


def test_response_is_utf8_json_ending_in_newline():
    text = response_json(EventData(Message="blåbær"))
    assert text.endswith("}\n") and "blåbær" in text


def test_copy_for_chain_is_independent():
    original = EventData(InputValues={"a": "1"}, FieldProperties={"f": {"FieldRight": {"Mask": "FULL"}}})
    copy = original.copy_for_chain()
    copy.InputValues["a"] = "2"
    copy.FieldProperties["f"].FieldRight.Mask = "Read"
    copy.TableRight.Mask = "Delete"
    assert original.InputValues == {"a": "1"}
    assert original.FieldProperties["f"].FieldRight.Mask == "FULL"
    assert original.TableRight.Mask == ""
    assert copy == EventData.model_validate(json.loads(response_json(copy)))


@pytest.mark.skipif(not SEED.exists(), reason="seed page not present")
def test_seed_sample_response_round_trips():
    text = SEED.read_text()
    sample = text[text.index("HTTP/1.1 200 OK"):]
    sample = sample[sample.index("{"):sample.rindex("}") + 1]
    event = EventData.model_validate(json.loads(sample))
    assert json.loads(response_json(event)) == json.loads(sample)


def test_deeply_nested_json_is_a_bad_request():
    with pytest.raises(EventDataError, match="nested too deeply"):
        event_from_request('{"EventData": ' + "[" * 100_000 + "]" * 100_000 + "}")
