"""response_json writes exactly what json.dumps(indent=2, ensure_ascii=False) would."""

import json

from hypothesis import given, settings, strategies as st

from engine.eventdata import EventData, response_dict, response_json

text = st.text(max_size=20)  # any Unicode, control characters and quotes included
string_maps = st.dictionaries(text, text, max_size=4)


@st.composite
def events(draw):
    return EventData(
        Type=draw(text), InputValues=draw(string_maps), BlockExecution=draw(st.booleans()),
        NavigateTo=draw(text), Message=draw(text), OutputValues=draw(string_maps),
        StateValues=draw(string_maps), Exception=draw(text),
        TableRight=draw(st.none() | st.builds(dict, Mask=text, Reason=text)),
        FieldProperties=draw(st.dictionaries(text, st.builds(
            dict, FieldRight=st.builds(dict, Mask=text, Reason=text), FieldType=text,
            FieldLength=st.integers(-2**40, 2**40)), max_size=2)),
        ShowDialog=draw(st.none() | text), ParserValues=draw(st.none() | string_maps))


@settings(max_examples=300, deadline=None)
@given(events(), st.none() | st.sampled_from(["Type,Message", "outputvalues", "Nothing"]))
def test_same_bytes_as_the_standard_encoder(event, select):
    expected = json.dumps(response_dict(event, select), ensure_ascii=False, indent=2) + "\n"
    assert response_json(event, select) == expected


def test_round_trips_through_a_json_parser():
    event = EventData(Type="T", InputValues={'a"b': "line\nbreak", "ø": "\u2028"})
    assert json.loads(response_json(event))["InputValues"] == {'a"b': "line\nbreak", "ø": "\u2028"}


def test_response_bytes_write_a_lone_surrogate_as_u_fffd():
    from engine.eventdata import response_bytes

    assert response_bytes('{"a": "x\ud800y"}') == '{"a": "x\ufffdy"}'.encode("utf-8")
    assert response_bytes('{"a": "\u00f8"}') == '{"a": "\u00f8"}'.encode("utf-8")
