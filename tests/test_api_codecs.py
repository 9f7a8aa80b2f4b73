"""The API's codecs without a server: negotiation, XML, form, patches, headers, auth."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.api import formcodec, xmlcodec
from engine.api.auth import AuthConfigError, Authenticator, make_authenticator
from engine.api.errors import ApiError
from engine.api.headers import settings_from_headers
from engine.api.models import EventHandlersExistsRequest, ExecuteEventHandlersRequest
from engine.api.negotiation import choose_response_type, request_codec
from engine.api.patch import apply_json_patch, apply_merge_patch
from engine.api.shape import Shape
from engine.eventdata import EventData, response_dict

EXECUTE = Shape("model", model=ExecuteEventHandlersRequest)


def api_error(call, *args) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args)
    return caught.value


# ------------------------------------------------------------- negotiation


@pytest.mark.parametrize("accept, chosen", [
    (None, "application/json"),
    ("", "application/json"),
    ("*/*", "application/json"),
    ("application/*", "application/json"),
    ("text/*", "text/json"),
    ("application/xml", "application/xml"),
    ("text/xml", "text/xml"),
    ("Text/XML; charset=utf-8", "text/xml"),
    ("application/json; charset=utf-8", "application/json"),
    ("text/xml;q=0.9, application/json;q=0.5", "text/xml"),
    ("application/json;q=0.5, application/xml", "application/xml"),
    ("image/png, application/xml;q=0.1", "application/xml"),
    ("application/xml;q=0, */*", "application/json"),
    ("application/json;q=0, application/*", "application/xml"),
    ("application/merge-patch+json", "application/merge-patch+json"),
    ("text/html, */*;q=0.8", "application/json"),
])
def test_accept_chooses_the_answer_type(accept, chosen):
    assert choose_response_type(accept) == chosen


@pytest.mark.parametrize("accept", ["image/png", "text/html", "application/json;q=0", "*/*;q=0", "nonsense"])
def test_accept_that_cannot_be_met_is_406(accept):
    error = api_error(choose_response_type, accept)
    assert error.status == 406 and error.source == "Accept"


@pytest.mark.parametrize("content_type, codec", [
    ("application/json", "json"),
    ("text/json; charset=utf-8", "json"),
    ("Application/XML", "xml"),
    ("text/xml", "xml"),
    ("application/x-www-form-urlencoded", "form"),
    ("application/json-patch+json", "json-patch"),
    ("application/merge-patch+json", "merge-patch"),
])
def test_content_type_picks_the_codec(content_type, codec):
    assert request_codec(content_type)[0] == codec


@pytest.mark.parametrize("content_type", [None, "", "text/plain", "multipart/form-data; boundary=x", "application/yaml"])
def test_unsupported_content_type_is_415(content_type):
    assert api_error(request_codec, content_type).status == 415


# --------------------------------------------------------------------- XML


def test_xml_request_reads_bools_ints_maps_and_nested_objects():
    body = b"""<?xml version="1.0"?>
    <request xmlns="http://schemas.example/whatever" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">
      <EventData>
        <Type>SalesBeforeSaveSale</Type>
        <InputValues>
          <sale.amount>100</sale.amount>
          <Entry Key="with space">a &amp; b</Entry>
          <KeyValueOfstringstring><Key>net key</Key><Value>v</Value></KeyValueOfstringstring>
        </InputValues>
        <BlockExecution> 1 </BlockExecution>
        <Message i:nil="true"/>
        <FieldProperties>
          <amount><FieldRight><Mask>FULL</Mask></FieldRight><FieldLength>12</FieldLength></amount>
        </FieldProperties>
        <Unknown>ignored</Unknown>
      </EventData>
    </request>"""
    data = xmlcodec.decode(body, "utf-8", EXECUTE)
    event = ExecuteEventHandlersRequest.model_validate(data).EventData
    assert event.Type == "SalesBeforeSaveSale"
    assert event.InputValues == {"sale.amount": "100", "with space": "a & b", "net key": "v"}
    assert event.BlockExecution is True
    assert event.Message == ""
    assert event.FieldProperties["amount"].FieldRight.Mask == "FULL"
    assert event.FieldProperties["amount"].FieldLength == 12


@pytest.mark.parametrize("body, blamed", [
    (b"<r><EventData><BlockExecution>yes</BlockExecution></EventData></r>", "EventData.BlockExecution"),
    (b"<r><EventData><FieldProperties><f><FieldLength>1.5</FieldLength></f></FieldProperties></EventData></r>",
     "EventData.FieldProperties.f.FieldLength"),
    (b"<r><EventData><Type><b>x</b></Type></EventData></r>", "EventData.Type"),
    (b"<r><EventData><InputValues>text</InputValues></EventData></r>", "EventData.InputValues"),
    (b"<r><EventData><Type>a</Type><Type>b</Type></EventData></r>", "EventData.Type"),
])
def test_xml_mistyped_values_name_the_field(body, blamed):
    error = api_error(xmlcodec.decode, body, "utf-8", EXECUTE)
    assert error.status == 400 and error.source == blamed and blamed in error.message


def test_malformed_xml_names_line_and_column():
    error = api_error(xmlcodec.decode, b"<r>\n<EventData>\n</r>", "utf-8", EXECUTE)
    assert error.status == 400 and "line 3" in error.message


def test_xml_entity_declarations_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r><EventData><Type>&a;</Type></EventData></r>'
    error = api_error(xmlcodec.decode, bomb, "utf-8", EXECUTE)
    assert error.status == 400 and "DTD" in error.message


def test_xml_answer_uses_key_elements_or_entry_with_key_attribute():
    event = EventData(Type="T", InputValues={"ok_name": "1", "two words": "2", "9lives": "3", "xmlish": "4", "": "5"},
                      Message="<&>\r\n")
    text = xmlcodec.encode(response_dict(event, "Type,InputValues,Message"), "EventData").decode()
    assert "<ok_name>1</ok_name>" in text
    assert '<Entry Key="two words">2</Entry>' in text
    assert '<Entry Key="9lives">3</Entry>' in text and '<Entry Key="xmlish">4</Entry>' in text
    assert '<Entry Key="">5</Entry>' in text
    assert "<Message>&lt;&amp;&gt;&#13;\n</Message>" in text
    assert '<NavigateTo xsi:nil="true" />' in text


XML_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"],
                                 exclude_characters="".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32)]))),
                   max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(XML_TEXT, XML_TEXT, max_size=5), XML_TEXT, st.booleans(),
       st.dictionaries(XML_TEXT, st.integers(min_value=-2**31, max_value=2**31), max_size=3))
def test_xml_answer_reads_back_as_the_same_eventdata(values, message, block, lengths):
    event = EventData(Type="T", InputValues=values, OutputValues=values, Message=message, BlockExecution=block,
                      FieldProperties={name: {"FieldLength": length} for name, length in lengths.items()})
    document = xmlcodec.encode(response_dict(event), "EventData")
    read = xmlcodec.decode(document, "utf-8", Shape("model", model=EventData))
    assert EventData.model_validate(read) == event


def test_characters_xml_cannot_carry_become_replacement_characters():
    text = xmlcodec.encode({"Message": "a\x00b\x1fc"}, "EventData").decode()
    assert "<Message>a\ufffdb\ufffdc</Message>" in text


# -------------------------------------------------------------------- form


def form(text: str, shape: Shape = EXECUTE):
    return formcodec.decode(text.encode(), "utf-8", shape)


def test_form_fields_are_dotted_property_paths():
    data = form("EventData.Type=SalesBeforeSaveSale&eventdata.blockexecution=true"
                "&EventData.InputValues.chatSession.topicId=7&EventData.InputValues[a.b]=x%26y"
                "&EventData.FieldProperties[sale.amount].FieldRight.Mask=FULL"
                "&EventData.FieldProperties.amount.FieldLength=10&Other=ignored")
    event = ExecuteEventHandlersRequest.model_validate(data).EventData
    assert event.Type == "SalesBeforeSaveSale" and event.BlockExecution is True
    assert event.InputValues == {"chatSession.topicId": "7", "a.b": "x&y"}
    assert event.FieldProperties["sale.amount"].FieldRight.Mask == "FULL"
    assert event.FieldProperties["amount"].FieldLength == 10


def test_form_lists_by_repetition_or_index():
    shape = Shape("model", model=EventHandlersExistsRequest)
    assert form("EventHandlerTypes=A&EventHandlerTypes=B", shape) == {"EventHandlerTypes": ["A", "B"]}
    assert form("EventHandlerTypes[1]=B&EventHandlerTypes[0]=A", shape) == {"EventHandlerTypes": ["A", "B"]}


def test_form_empty_map():
    assert form("EventData.InputValues=") == {"EventData": {"InputValues": {}}}


@pytest.mark.parametrize("text, blamed", [
    ("EventData.BlockExecution=maybe", "EventData.BlockExecution"),
    ("EventData.Type=a&EventData.Type=b", "EventData.Type"),
    ("EventData.Type.Deeper=a", "EventData.Type"),
    ("EventData.FieldProperties.f.FieldLength=ten", "EventData.FieldProperties.f.FieldLength"),
])
def test_form_mistakes_name_the_field(text, blamed):
    error = api_error(form, text)
    assert error.status == 400 and error.source == blamed


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=5))
def test_form_bracket_keys_carry_any_text(values):
    body = "&".join(f"{quote(f'EventData.InputValues[{k}]')}={quote(v)}" for k, v in values.items())
    body = body or "EventData.InputValues="
    assert ExecuteEventHandlersRequest.model_validate(form(body)).EventData.InputValues == values


# ----------------------------------------------------------------- patches


def empty():
    return ExecuteEventHandlersRequest.empty_request()


def test_json_patch_builds_a_request_from_the_empty_one():
    patched = apply_json_patch(empty(), [
        {"op": "replace", "path": "/EventData/Type", "value": "SalesBeforeSaveSale"},
        {"op": "add", "path": "/EventData/InputValues/a~1b", "value": "1"},
        {"op": "copy", "from": "/EventData/InputValues/a~1b", "path": "/EventData/StateValues/c"},
        {"op": "move", "from": "/EventData/StateValues/c", "path": "/EventData/OutputValues/d"},
        {"op": "test", "path": "/EventData/OutputValues/d", "value": "1"},
        {"op": "remove", "path": "/EventData/Message"},
    ])
    event = ExecuteEventHandlersRequest.model_validate(patched).EventData
    assert (event.Type, event.InputValues, event.StateValues, event.OutputValues) == \
        ("SalesBeforeSaveSale", {"a/b": "1"}, {}, {"d": "1"})


def test_json_patch_on_arrays():
    base = {"EventHandlerTypes": []}
    patched = apply_json_patch(base, [{"op": "add", "path": "/EventHandlerTypes/-", "value": "B"},
                                      {"op": "add", "path": "/EventHandlerTypes/0", "value": "A"}])
    assert patched == {"EventHandlerTypes": ["A", "B"]} and base == {"EventHandlerTypes": []}


@pytest.mark.parametrize("patch, words", [
    ({"op": "add"}, "must be an array"),
    ([{"op": "frobnicate", "path": "/x"}], "op must be one of"),
    ([{"op": "add", "path": "/EventData/Type"}], 'needs a "value"'),
    ([{"op": "remove", "path": "/EventData/Nope"}], "no member 'Nope'"),
    ([{"op": "add", "path": "/EventData/InputValues/a/b", "value": "1"}], "no member 'a'"),
    ([{"op": "test", "path": "/EventData/BlockExecution", "value": 0}], "not the expected"),
    ([{"op": "add", "path": "EventData", "value": 1}], "JSON Pointer"),
    ([{"op": "move", "from": "/EventData", "path": "/EventData/X"}], "into itself"),
])
def test_json_patch_failures_say_which_operation(patch, words):
    error = api_error(apply_json_patch, empty(), patch)
    assert error.status == 400 and words in error.message


def test_merge_patch_merges_and_null_removes():
    patched = apply_merge_patch(empty(), {"EventData": {"Type": "X", "InputValues": {"a": "1"}, "Message": None}})
    assert patched["EventData"]["Type"] == "X" and patched["EventData"]["InputValues"] == {"a": "1"}
    assert "Message" not in patched["EventData"] and patched["EventData"]["NavigateTo"] == ""


# ----------------------------------------------------------------- headers


def test_headers_become_settings():
    settings = settings_from_headers({"so-language": "DE", "accept-language": "nb", "so-culture": "nb-no",
                                      "so-timezone": "Europe/Oslo"})
    assert (settings.language, settings.culture, settings.timezone) == ("de", "nb-NO", "Europe/Oslo")


def test_accept_language_best_quality_wins():
    assert settings_from_headers({"accept-language": "fr;q=0.3, sv-SE, en;q=0.8"}).language == "sv"
    assert settings_from_headers({"accept-language": "*"}).language == "en"


def test_culture_is_ignored_without_a_language():
    assert settings_from_headers({"so-culture": "nb-NO"}).culture == ""


@pytest.mark.parametrize("headers, blamed", [
    ({"so-timezone": "Mars/Olympus"}, "SO-TimeZone"),
    ({"so-timezone": "../../etc/passwd"}, "SO-TimeZone"),
    ({"so-language": "english please"}, "SO-Language"),
    ({"accept-language": "en;q=high"}, "Accept-Language"),
    ({"so-language": "en", "so-culture": "12"}, "SO-Culture"),
])
def test_bad_header_values_are_400_naming_the_header(headers, blamed):
    error = api_error(settings_from_headers, headers)
    assert error.status == 400 and error.source == blamed and blamed in error.message


# -------------------------------------------------------------------- auth


def basic(user_password: str) -> str:
    return "Basic " + base64.b64encode(user_password.encode()).decode()


def test_auth_specs():
    assert make_authenticator(None) is None and make_authenticator("open") is None
    assert make_authenticator("basic:ann:pa:ss") == Authenticator("basic", "ann:pa:ss")
    assert make_authenticator("Bearer:t0k") == Authenticator("bearer", "t0k")
    for wrong in ("basic:nopass", "bearer:", "token:x", "kerberos"):
        with pytest.raises(AuthConfigError):
            make_authenticator(wrong)


@pytest.mark.parametrize("spec, good, bad", [
    ("basic:ann:pa:ss", basic("ann:pa:ss"), basic("ann:pass")),
    ("bearer:t0k", "Bearer t0k", "Bearer t0k2"),
    ("soticket:7T:abc", "SoTicket 7T:abc", "Bearer 7T:abc"),
])
def test_authenticator_checks_the_credential(spec, good, bad):
    authenticator = make_authenticator(spec)
    authenticator.check({"authorization": good})
    authenticator.check({"x-xsrf-token": authenticator.secret})
    for headers in ({}, {"authorization": bad}, {"x-xsrf-token": "wrong"}, {"authorization": "Basic !!!"},
                    {"authorization": bad, "x-xsrf-token": authenticator.secret}):
        error = api_error(authenticator.check, headers)
        assert error.status == 401 and error.headers["WWW-Authenticate"].lower().startswith(authenticator.scheme)


# ------------------------------------------- nothing but ApiError escapes


from engine.api.app import validate  # noqa: E402
from engine.api.codecs import decode_body  # noqa: E402
from engine.api.models import ExecuteScriptAsEventRequest  # noqa: E402

FRAGMENTS = ["<", ">", "</", "/>", "r", "EventData", "InputValues", "Entry", " Key=\"k\"", "Type", "FieldProperties",
             "FieldLength", "BlockExecution", "true", "1", "-", "&amp;", "&x;", "<?xml version='1.0' encoding='bogus'?>",
             "<?xml version='1.0' encoding='utf-16'?>", "<?xml version='1.0'?>", "<!DOCTYPE r>", " xsi:nil=\"true\"", "KeyValueOfx", "Key", "Value", "=", "&",
             ".", "[", "]", "%", "ff", "%5B", "EventHandlerTypes", "CRMScriptId", "{", "}", '"', ":", ",", "null",
             "op", "path", "add", "/", "~1", "value", "\x00", "\udc80", "é"]
CONTENT_TYPES = ["application/json", "text/xml", "application/x-www-form-urlencoded", "application/json-patch+json",
                 "application/merge-patch+json", "application/json; charset=latin-1", "text/xml; charset=utf-16",
                 "application/x-www-form-urlencoded; charset=bogus"]
MODELS = [ExecuteEventHandlersRequest, EventHandlersExistsRequest, ExecuteScriptAsEventRequest]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40), st.sampled_from(CONTENT_TYPES), st.sampled_from(MODELS))
def test_any_body_gives_a_request_or_an_api_error(fragments, content_type, model):
    body = "".join(fragments).encode("utf-8", "surrogatepass")
    try:
        validate(model, decode_body(body, content_type, model, model.empty_request))
    except ApiError as error:
        assert 400 <= error.status < 500 and error.message
