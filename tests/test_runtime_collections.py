"""Arrays, Map and Vector, called through the signature table (no compiler);
and a property test over every member of the collections, dates and JSON/XML
families: no input lets a Python exception escape."""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from runtime_helpers import call

from engine.errors import CRMScriptError, CRMScriptLimitError, CRMScriptRuntimeError
from engine.runtime import collections as col, datetimes as _dates, jsonxml as _jsonxml
from engine.runtime.context import Limits, RunContext
from engine.runtime.datetimes import DateTime, parse_datetime
from engine.runtime.table import LIBRARY


@pytest.fixture
def ctx():
    return RunContext()


# -- arrays -----------------------------------------------------------------


def test_new_array_sizes_and_nesting():
    flat = col.new_array(int, 1, (5,))
    assert flat == [0, 0, 0, 0, 0]
    matrix = col.new_array(str, 2, (3, 4))
    assert len(matrix) == 3 and all(row == [""] * 4 for row in matrix)
    matrix[0][1] = "x"
    assert matrix[1][1] == ""  # rows are distinct lists
    dynamic = col.new_array(int, 2)
    assert dynamic == []


def test_new_array_rejects_negative_and_oversized():
    with pytest.raises(CRMScriptRuntimeError, match="negative"):
        col.new_array(int, 1, (-1,))
    with pytest.raises(CRMScriptLimitError):
        col.new_array(int, 1, (11,), limit=10)
    with pytest.raises(CRMScriptLimitError, match="would hold 12 elements"):
        col.new_array(int, 2, (3, 4), limit=10)  # every level fits, the whole does not
    assert len(col.new_array(int, 2, (2, 5), limit=10)) == 2


def test_push_without_argument_adds_the_default_element(ctx):
    rows = col.new_array(int, 2)
    call(ctx, "Array", "pushBack", (), rows)
    assert rows == [[]] and isinstance(rows[0], col.Array)
    call(ctx, "Array", "pushBack", ("T",), rows[0], 7)
    call(ctx, "Array", "pushFront", (), rows[0])
    assert rows[0] == [0, 7]
    names = col.new_array(str, 1)
    call(ctx, "Array", "pushFront", (), names)
    call(ctx, "Array", "pushFront", ("T",), names, "first")
    assert names == ["first", ""]


def test_pop_first_last_length_clear(ctx):
    a = col.new_array(int, 1)
    for v in (3, 4, 5):
        call(ctx, "Array", "pushBack", ("T",), a, v)
    assert call(ctx, "Array", "length", (), a) == 3
    assert call(ctx, "Array", "first", (), a) == 3
    assert call(ctx, "Array", "last", (), a) == 5
    assert call(ctx, "Array", "popFront", (), a) == 3
    assert call(ctx, "Array", "popBack", (), a) == 5
    assert a == [4]
    call(ctx, "Array", "clear", (), a)
    assert call(ctx, "Array", "length", (), a) == 0


@pytest.mark.parametrize("method", ["first", "last", "popBack", "popFront"])
def test_empty_array_access_is_a_runtime_error(ctx, method):
    with pytest.raises(CRMScriptRuntimeError, match="empty array"):
        call(ctx, "Array", method, (), col.new_array(int, 1))


def test_insert_grows_and_checks_position(ctx):
    plans = col.new_array(str, 1, (3,))
    call(ctx, "Array", "insert", ("Integer", "T"), plans, 1, "b")
    assert plans == ["", "b", "", ""]
    call(ctx, "Array", "insert", ("Integer", "T"), plans, 4, "end")
    assert plans[-1] == "end"
    with pytest.raises(CRMScriptRuntimeError, match="insert position 9 is out of range"):
        call(ctx, "Array", "insert", ("Integer", "T"), plans, 9, "x")
    with pytest.raises(CRMScriptRuntimeError):
        call(ctx, "Array", "insert", ("Integer", "T"), plans, -1, "x")


def test_index_helpers():
    a = col.new_array(int, 1, (3,))
    col.array_set(a, 2, 9)
    assert col.array_get(a, 2) == 9
    with pytest.raises(CRMScriptRuntimeError,
                       match="index 5 is out of range for an array of length 3"):
        col.array_get(a, 5)
    with pytest.raises(CRMScriptRuntimeError, match="index -1"):
        col.array_get(a, -1)  # never Python's negative indexing
    with pytest.raises(CRMScriptRuntimeError):
        col.array_set(a, 3, 1)


def test_arrays_store_copies_of_date_values(ctx):
    stamps = col.new_array(DateTime, 1)
    moment = parse_datetime("2024-01-31 10:00:00")
    call(ctx, "Array", "pushBack", ("T",), stamps, moment)
    col.array_set(stamps, 0, moment)
    moment.value = moment.value.replace(year=2000)
    assert stamps[0].value.year == 2024


def test_growing_past_the_limit_is_a_limit_error():
    small = RunContext(limits=Limits(collection_size=2))
    a = col.new_array(int, 1)
    call(small, "Array", "pushBack", ("T",), a, 1)
    call(small, "Array", "pushFront", (), a)
    with pytest.raises(CRMScriptLimitError):
        call(small, "Array", "pushBack", ("T",), a, 3)
    with pytest.raises(CRMScriptLimitError):
        call(small, "Array", "insert", ("Integer", "T"), a, 0, 3)
    m = col.Map()
    call(small, "Map", "insert", ("String", "String"), m, "a", "1")
    call(small, "Map", "insert", ("String", "String"), m, "b", "1")
    call(small, "Map", "insert", ("String", "String"), m, "a", "2")  # overwrite: no growth
    with pytest.raises(CRMScriptLimitError):
        call(small, "Map", "insert", ("String", "String"), m, "c", "1")


# -- Map ----------------------------------------------------------------------


def test_map_from_text_is_sorted_and_trimmed(ctx):
    m = call(ctx, "Map", "Map", ("String",), "width = 10\nheight=25\n\ndepth=7\nflag")
    assert m.items() == [("depth", "7"), ("flag", ""), ("height", "25"), ("width", "10")]
    assert call(ctx, "Map", "exists", ("String",), m, "height")
    assert not call(ctx, "Map", "exists", ("String",), m, "Height")
    assert call(ctx, "Map", "size", (), m) == 4


def test_map_cursor_walks_keys_in_order(ctx):
    m = col.map_from_text("b=2\na=1\nc=3")
    assert call(ctx, "Map", "getKey", (), m) == "a"  # cursor starts at the first key
    seen = []
    assert call(ctx, "Map", "first", (), m) is True
    while not call(ctx, "Map", "eof", (), m):
        seen.append(call(ctx, "Map", "getKey", (), m) + "=" + call(ctx, "Map", "getVal", (), m))
        call(ctx, "Map", "next", (), m)
    assert seen == ["a=1", "b=2", "c=3"]
    assert call(ctx, "Map", "next", (), m) is False
    assert call(ctx, "Map", "getKey", (), m) == "" and call(ctx, "Map", "getVal", (), m) == ""


def test_map_empty_and_insert_resets_cursor(ctx):
    m = call(ctx, "Map", "Map", ())
    assert call(ctx, "Map", "eof", (), m)
    assert call(ctx, "Map", "first", (), m) is False
    returned = call(ctx, "Map", "insert", ("String", "String"), m, "k", "v")
    assert returned is m
    call(ctx, "Map", "insert", ("String", "String"), m, "z", "last")
    call(ctx, "Map", "next", (), m)
    assert call(ctx, "Map", "getKey", (), m) == "z"
    call(ctx, "Map", "insert", ("String", "String"), m, "a", "new")
    assert call(ctx, "Map", "getKey", (), m) == "a"
    call(ctx, "Map", "insert", ("String", "String"), m, "k", "overwritten")
    assert call(ctx, "Map", "get", ("String",), m, "k") == "overwritten"
    assert call(ctx, "Map", "get", ("String",), m, "missing") == ""
    assert not call(ctx, "Map", "exists", ("String",), m, "missing")  # get() does not add


def test_map_remove_keeps_the_cursor_on_its_element(ctx):
    m = col.map_from_text("a=1\nb=2\nc=3\nd=4")
    call(ctx, "Map", "next", (), m)
    call(ctx, "Map", "next", (), m)  # on "c"
    call(ctx, "Map", "remove", ("String",), m, "a")
    assert call(ctx, "Map", "getKey", (), m) == "c"
    call(ctx, "Map", "remove", ("String",), m, "c")  # removing the current moves on
    assert call(ctx, "Map", "getKey", (), m) == "d"
    call(ctx, "Map", "remove", ("String",), m, "nothing")
    call(ctx, "Map", "clear", (), m)
    assert call(ctx, "Map", "size", (), m) == 0 and call(ctx, "Map", "eof", (), m)


def test_map_cursor_stays_on_its_element_when_keys_are_added(ctx):
    m = col.map_from_text("b=2\nd=4")
    call(ctx, "Map", "next", (), m)  # on "d"
    m.set("a", "1")  # map["a"] = "1" does not reset the cursor (insert() would)
    m.set("c", "3")
    assert call(ctx, "Map", "getKey", (), m) == "d"
    m.set("e", "5")
    m.delete("d")  # removed while the sorted view is stale: the cursor moves on
    assert call(ctx, "Map", "getKey", (), m) == "e"
    call(ctx, "Map", "next", (), m)
    assert call(ctx, "Map", "eof", (), m)
    m.set("f", "6")  # a cursor past the end stays past the end
    assert call(ctx, "Map", "eof", (), m)
    assert [k for k in m] == ["a", "b", "c", "e", "f"]
    call(ctx, "Map", "increaseValueForKey", ("String", "Integer"), m, "0", 1)
    assert call(ctx, "Map", "first", (), m) and call(ctx, "Map", "getVal", (), m) == "1"


def test_map_many_keys_in_random_order(ctx):
    import random as _random
    keys = [f"k{n:05d}" for n in range(3000)]
    _random.Random(1).shuffle(keys)
    m = col.Map()
    for key in keys:
        call(ctx, "Map", "insert", ("String", "String"), m, key, key[1:])
    walked = []
    while not call(ctx, "Map", "eof", (), m):
        walked.append(call(ctx, "Map", "getKey", (), m))
        call(ctx, "Map", "next", (), m)
    assert walked == sorted(keys)


def test_map_increase_value_for_key(ctx):
    m = col.map_from_text("height=25\nwidth=10\nlabel=abc")
    call(ctx, "Map", "increaseValueForKey", ("String", "Integer"), m, "height", -5)
    call(ctx, "Map", "increaseValueForKey", ("String", "Float"), m, "width", 2.5)
    call(ctx, "Map", "increaseValueForKey", ("String", "Integer"), m, "new", 3)
    call(ctx, "Map", "increaseValueForKey", ("String", "Integer"), m, "label", 1)
    call(ctx, "Map", "increaseValueForKey", ("String", "Integer"), m, "width", 1)
    assert m["height"] == "20"
    assert m["width"] == "13.500000"
    assert m["new"] == "3"
    assert m["label"] == "1"
    odd = col.map_from_text("u=1_0\nx=7kg\ne=1e2")
    for key in ("u", "x", "e"):
        call(ctx, "Map", "increaseValueForKey", ("String", "Integer"), odd, key, 1)
    assert (odd["u"], odd["x"], odd["e"]) == ("2", "8", "101.000000")


def test_map_json_round_trip(ctx):
    m = col.map_from_text("b=2\na=x\"y")
    text = call(ctx, "Map", "toJson", (), m)
    assert text == '{"a":"x\\"y","b":"2"}'
    other = col.Map()
    call(ctx, "Map", "fromJson", ("String",), other, text)
    assert other.items() == m.items()
    call(ctx, "Map", "fromJson", ("String",), other,
         '{"n": 1.50, "i": 3, "t": true, "z": null, "o": {"k": [1]}}')
    assert other["n"] == "1.50" and other["i"] == "3" and other["t"] == "true"
    assert other["z"] == "" and other["o"] == '{"k":[1]}'
    assert other["a"] == 'x"y'  # fromJson adds to what is there


@pytest.mark.parametrize("bad", ["{", "[1, 2]", "", "{'a': 1}", "NaN"])
def test_map_from_json_rejects_bad_input(ctx, bad):
    with pytest.raises(CRMScriptRuntimeError, match="Map.fromJson"):
        call(ctx, "Map", "fromJson", ("String",), col.Map(), bad)


def test_map_default_is_a_fresh_empty_map():
    make = LIBRARY.classes["Map"].default
    first, second = make(), make()
    assert first is not second and len(first) == 0


# -- Vector --------------------------------------------------------------------


def test_vector_members(ctx):
    v = call(ctx, "Vector", "Vector", ())
    call(ctx, "Vector", "pushBack", ("String",), v, "a")
    call(ctx, "Vector", "pushBack", ("String",), v, "b")
    assert call(ctx, "Vector", "size", (), v) == 2
    assert call(ctx, "Vector", "get", ("Integer",), v, 1) == "b"
    call(ctx, "Vector", "set", ("Integer", "String"), v, 0, "z")
    assert call(ctx, "Vector", "buildString", ("String",), v, ", ") == "z, b"
    call(ctx, "Vector", "removeAt", ("Integer",), v, 0)
    assert list(v) == ["b"]
    for method, types, args in [("get", ("Integer",), (5,)), ("set", ("Integer", "String"), (-1, "x")),
                                ("removeAt", ("Integer",), (1,))]:
        with pytest.raises(CRMScriptRuntimeError, match="out of range for a vector of length 1"):
            call(ctx, "Vector", method, types, v, *args)


def test_vector_conversions(ctx):
    v = call(ctx, "Vector", "Vector", ("Integer[]",), col.Array(int, [4, -2]))
    assert list(v) == ["4", "-2"]
    call(ctx, "Vector", "parseString", ("String", "String"), v, "1;x; 7;;", ";")
    assert list(v) == ["1", "x", " 7", "", ""]
    ints = call(ctx, "Vector", "toIntegerArray", (), v)
    assert ints == [1, 0, 7, 0, 0] and isinstance(ints, col.Array)
    strings = call(ctx, "Vector", "toStringArray", (), v)
    assert strings == list(v) and strings is not v
    strings.append("more")
    assert call(ctx, "Vector", "size", (), v) == 5
    call(ctx, "Vector", "parseString", ("String", "String"), v, "", ",")
    assert list(v) == []
    call(ctx, "Vector", "parseString", ("String", "String"), v, "a,b", "")
    assert list(v) == ["a,b"]


# -- robustness: no Python exception escapes any member of these families -------------


MY_MODULES = {"engine.runtime.collections", "engine.runtime.datetimes", "engine.runtime.jsonxml"}
INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
TEXT = st.one_of(st.text(max_size=30), st.sampled_from(
    ["2020-02-29 10:00:00", "2021-13-01", "12:30", "0", "{\"a\": [1, {\"b\": null}]}",
     "<a x=\"1\"><b>t</b></a>", "a=1\nb=2", "a.0.b", "HH12:MI2 AMPM WDAY MONTH ISOWY4",
     "\u0662\u0660\u0662\u0660-01-01", "a.\u00b2", "1_0"]))


def _json_builder():
    jb = _jsonxml.JSONBuilder()
    jb.push("", is_object=True)
    return jb


STRATEGIES = {
    "Integer": INT32,
    "Float": st.floats(allow_nan=True, allow_infinity=True),
    "Bool": st.booleans(),
    "String": TEXT,
    "T": INT32,
    "Array": st.lists(INT32, max_size=5).map(lambda items: col.Array(int, items)),
    "Integer[]": st.lists(INT32, max_size=5).map(lambda items: col.Array(int, items)),
    "Map": st.dictionaries(TEXT, TEXT, max_size=4).map(lambda d: col.Map.from_pairs(d.items())),
    "Vector": st.lists(TEXT, max_size=4).map(col.Vector),
    "Date": st.one_of(st.just(_dates.Date()), st.dates().map(_dates.Date)),
    "DateTime": st.one_of(st.just(_dates.DateTime()), st.datetimes().map(_dates.DateTime)),
    "Time": st.integers(0, 86399).map(_dates.Time),
    "TimeSpan": st.integers(-(2**40), 2**40).map(_dates.TimeSpan),
    "JSONBuilder": st.builds(_json_builder),
    "XMLNode": st.sampled_from(["{\"a\": [1, 2, {\"b\": \"x\"}]}", "[]", "\"s\""]).map(_jsonxml.parse_json),
    "XMLNode[]": st.builds(lambda: col.Array(_jsonxml.XMLNode, [_jsonxml.XMLNode("x")])),
}


def _my_signatures():
    sigs = [s for overloads in LIBRARY.functions.values() for s in overloads]
    for info in LIBRARY.classes.values():
        sigs += info.constructors + [s for overloads in info.methods.values() for s in overloads]
    return sorted((s for s in sigs if s.impl is not None and s.impl.__module__ in MY_MODULES
                   and s.owner != "Struct"), key=str)


@pytest.mark.parametrize("sig", _my_signatures(), ids=str)
def test_no_python_exception_escapes(sig):
    receiver = [] if sig.owner == "" or sig.is_constructor else [sig.owner]
    types = receiver + [str(p.type) for p in sig.params]

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.tuples(*(STRATEGIES[t] for t in types)))
    def run(args):
        prefix = [RunContext(limits=Limits(collection_size=1000), rng=random.Random(0))] \
            if sig.context else []
        try:
            sig.impl(*prefix, *args)
        except CRMScriptError:
            pass

    run()
