"""JSONBuilder, XMLNode, parseJSON/parseXML and the struct helpers."""

import json
import sys

import pytest
from runtime_helpers import call as call_in, signature as member

from engine.errors import CRMScriptRuntimeError
from engine.runtime import jsonxml as jx
from engine.runtime.collections import Array, new_array
from engine.runtime.context import RunContext
from engine.runtime.table import LIBRARY
from engine.types import Type


def call(owner, name, types, *args):
    return call_in(RunContext(), owner, name, types, *args)


S, INT = ("String",), ("Integer",)


def test_member_counts_match_the_reference():
    def count(owner):
        info = LIBRARY.classes[owner]
        return len(info.constructors) + sum(len(s) for s in info.methods.values())
    assert count("XMLNode") == 14
    assert count("JSONBuilder") == 11
    for name in ("parseJSON", "parseJSON2", "parseXML"):
        assert str(LIBRARY.functions[name][0].returns) == "XMLNode"


# -- JSONBuilder -----------------------------------------------------------------


def build(pretty=0):
    jb = LIBRARY.classes["JSONBuilder"].default()
    if pretty:
        call("JSONBuilder", "setPrettyPrint", INT, jb, pretty)
    return jb


def test_builder_nested_compact():
    jb = build()
    call("JSONBuilder", "pushObject", S, jb, "")
    call("JSONBuilder", "pushArray", S, jb, "people")
    for first, age in (("Ann", 41), ("Bo", 7)):
        call("JSONBuilder", "pushObject", S, jb, "")
        call("JSONBuilder", "addString", ("String", "String"), jb, "first", first)
        call("JSONBuilder", "addInteger", ("String", "Integer"), jb, "age", age)
        call("JSONBuilder", "popLevel", (), jb)
    call("JSONBuilder", "popLevel", (), jb)
    call("JSONBuilder", "addBoolean", ("String", "Bool"), jb, "ok", False)
    call("JSONBuilder", "addFloat", ("String", "Float"), jb, "rate", 2.5)
    call("JSONBuilder", "popLevel", (), jb)
    text = call("JSONBuilder", "getString", (), jb)
    assert text == ('{"people": [{"first": "Ann", "age": 41}, {"first": "Bo", "age": 7}], '
                    '"ok": false, "rate": 2.500000}')
    assert json.loads(text)["people"][1]["age"] == 7


def test_builder_pretty_print_and_finalize():
    jb = build(pretty=4)
    call("JSONBuilder", "pushObject", S, jb, "")
    call("JSONBuilder", "addString", ("String", "String"), jb, "k", "v")
    call("JSONBuilder", "pushArray", S, jb, "list")
    call("JSONBuilder", "addInteger", ("String", "Integer"), jb, "", 1)
    call("JSONBuilder", "pushObject", S, jb, "")
    call("JSONBuilder", "finalize", (), jb)
    assert call("JSONBuilder", "getString", (), jb) == (
        '{\n    "k": "v",\n    "list": [\n        1,\n        {}\n    ]\n}')


def test_builder_escapes_strings():
    jb = build()
    call("JSONBuilder", "pushArray", S, jb, "")
    call("JSONBuilder", "addString", ("String", "String"), jb, "", 'q"b\\n\nt\tå\x01')
    call("JSONBuilder", "addFloat", ("String", "Float"), jb, "", float("inf"))
    call("JSONBuilder", "popLevel", (), jb)
    text = call("JSONBuilder", "getString", (), jb)
    assert json.loads(text) == ['q"b\\n\nt\tå\x01', None]
    assert "å" in text


@pytest.mark.parametrize("steps, message", [
    ([("pushObject", ""), ("addInteger", "")], "inside an object needs a key"),
    ([("pushArray", ""), ("addInteger", "x")], "must have an empty key, not 'x'"),
    ([("popLevel",)], "no open object or array"),
    ([("pushObject", ""), ("popLevel",), ("pushObject", "")], "after the root value is closed"),
])
def test_builder_misuse_is_reported(steps, message):
    jb = build()
    with pytest.raises(CRMScriptRuntimeError, match=message):
        for step in steps:
            if step[0] == "addInteger":
                call("JSONBuilder", "addInteger", ("String", "Integer"), jb, step[1], 1)
            elif step[0] == "popLevel":
                call("JSONBuilder", "popLevel", (), jb)
            else:
                call("JSONBuilder", step[0], S, jb, step[1])


def test_builder_partial_string_and_root_name_ignored():
    jb = build()
    call("JSONBuilder", "pushObject", S, jb, "ignored")
    call("JSONBuilder", "addInteger", ("String", "Integer"), jb, "a", 1)
    assert call("JSONBuilder", "getString", (), jb) == '{"a": 1'


# -- parseJSON / XMLNode ------------------------------------------------------------


DOC = '{"shop": {"items": [{"name": "pen", "price": 1.50}, {"name": "ink"}], ' \
      '"open": true, "note": null, "count": 2, "tags": []}}'


def test_parse_json_tree_and_types():
    root = call("", "parseJSON", S, DOC)
    assert call("XMLNode", "getName", (), root) == "root"
    assert call("XMLNode", "getParameter", S, root, "type") == "object"
    shop = call("XMLNode", "getChildren", (), root)[0]
    names = [call("XMLNode", "getName", (), c) for c in call("XMLNode", "getChildren", (), shop)]
    assert names == ["items", "open", "note", "count", "tags"]
    kinds = [c.parameters["type"] for c in shop.children]
    assert kinds == ["array", "bool", "null", "number", "array"]
    assert shop.children[0].children[0].name == "item"
    assert shop.children[4].children == []  # parseJSON2 behaviour: no phantom item


@pytest.mark.parametrize("path, expected", [
    ("shop.items.1.name", "ink"),
    ("shop.items.0.price", "1.50"),
    ("shop.open", "true"),
    ("shop.count", "2"),
    ("shop.items.7.name", ""),
    ("shop.nothing", ""),
    ("shop.items.0.name.deeper", ""),
    ("shop.items.\u00b2", ""),  # a superscript two is not an index
])
def test_get_value_from_path(path, expected):
    root = call("", "parseJSON2", S, DOC)
    assert call("XMLNode", "getValueFromPath", S, root, path) == expected


def test_to_json_round_trip_and_formats():
    root = call("", "parseJSON", S, DOC)
    compact = call("XMLNode", "toJSON", INT, root, 0)
    assert compact.startswith('{ "shop": { "items": [ { "name": "pen", "price": 1.50 }')
    assert json.loads(compact) == json.loads(DOC)
    pretty = call("XMLNode", "toJSON", INT, root, 2)
    assert pretty.splitlines()[1] == '  "shop": {'
    assert json.loads(pretty) == json.loads(DOC)


def test_built_tree_to_json_and_xml():
    root = call("XMLNode", "XMLNode", S, "root")
    call("XMLNode", "setParameter", ("String", "String"), root, "type", "object")
    label = call("XMLNode", "XMLNode", S, "label")
    call("XMLNode", "setParameter", ("String", "String"), label, "type", "string")
    call("XMLNode", "setText", S, label, "a<b & \"c\"")
    amount = jx.XMLNode("amount")
    amount.parameters["type"] = "number"
    call("XMLNode", "setText", S, amount, "not a number")
    untyped = jx.XMLNode("plain", "text")
    call("XMLNode", "setChildren", ("XMLNode[]",), root, Array(jx.XMLNode, [label, amount]))
    call("XMLNode", "addChild", ("XMLNode",), root, untyped)
    assert call("XMLNode", "toJSON", INT, root, 0) == \
        '{ "label": "a<b & \\"c\\"", "amount": "not a number", "plain": "text" }'
    assert call("XMLNode", "toString", INT, root, 0) == (
        '<root type="object"><label type="string">a&lt;b &amp; "c"</label>'
        '<amount type="number">not a number</amount><plain>text</plain></root>')
    call("XMLNode", "setName", S, root, "top")
    assert call("XMLNode", "toString", INT, root, 3).splitlines()[1] == \
        '   <label type="string">a&lt;b &amp; "c"</label>'
    assert call("XMLNode", "getText", (), untyped) == "text"
    assert call("XMLNode", "getParameter", S, root, "missing") == ""


def test_copy_constructor_is_deep():
    root = call("", "parseJSON", S, '{"a": {"b": "1"}}')
    clone = call("XMLNode", "XMLNode", ("XMLNode",), root)
    clone.children[0].children[0].text = "changed"
    assert call("XMLNode", "getValueFromPath", S, root, "a.b") == "1"


def test_cycles_are_refused():
    parent, child = jx.XMLNode("p"), jx.XMLNode("c")
    call("XMLNode", "addChild", ("XMLNode",), parent, child)
    with pytest.raises(CRMScriptRuntimeError, match="its own ancestor"):
        call("XMLNode", "addChild", ("XMLNode",), child, parent)
    with pytest.raises(CRMScriptRuntimeError, match="its own ancestor"):
        call("XMLNode", "setChildren", ("XMLNode[]",), parent, Array(jx.XMLNode, [parent]))


@pytest.mark.parametrize("bad", ["{", '{"a": 1,}', "", "NaN", '{"a": Infinity}'])
def test_parse_json_errors(bad):
    with pytest.raises(CRMScriptRuntimeError, match="parseJSON: invalid JSON"):
        call("", "parseJSON", S, bad)


def test_deep_json_is_an_error_not_a_crash():
    with pytest.raises(CRMScriptRuntimeError, match="parseJSON"):
        call("", "parseJSON", S, "[" * 100_000 + "]" * 100_000)
    node = jx.XMLNode("n")
    # Deeper than Python's recursion limit, whatever earlier tests raised it to.
    for _ in range(sys.getrecursionlimit() + 1000):
        outer = jx.XMLNode("n")
        outer.children.append(node)
        node = outer
    with pytest.raises(CRMScriptRuntimeError, match="nested too deeply"):
        call("XMLNode", "toJSON", INT, node, 0)


# -- parseXML ---------------------------------------------------------------------------


def test_parse_xml():
    root = call("", "parseXML", S,
                '<?xml version="1.0"?><order id="7" xmlns:x="urn:x"><line>pen</line>'
                '<line>ink</line><x:note>hi &amp; bye</x:note><empty/></order>')
    assert root.name == "order" and root.parameters == {"id": "7"}
    assert call("XMLNode", "getValueFromPath", S, root, "line") == "pen"
    assert call("XMLNode", "getValueFromPath", S, root, "1") == "ink"
    assert call("XMLNode", "getValueFromPath", S, root, "note") == "hi & bye"
    assert root.text == ""
    same = call("XMLNode", "XMLNode", S, "  <a><b>1</b></a>")
    assert same.name == "a" and same.children[0].text == "1"


@pytest.mark.parametrize("document", [
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
    '<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><d>&b;</d>',
])
def test_parse_xml_refuses_entities(document):
    with pytest.raises(CRMScriptRuntimeError, match="refused"):
        call("", "parseXML", S, document)


@pytest.mark.parametrize("bad", ["<a>", "<a></b>", "", "plain text"])
def test_parse_xml_errors(bad):
    with pytest.raises(CRMScriptRuntimeError, match="parseXML: invalid XML"):
        call("", "parseXML", S, bad)


# -- struct helpers --------------------------------------------------------------------


class Address:
    """Stores its fields like the compiler does: field x in attribute v_x."""
    __crm_name__ = "Address"
    __crm_fields__ = (("city", Type("String")), ("zip", Type("Integer")))
    __crm_attrs__ = ("v_city", "v_zip")
    __slots__ = __crm_attrs__

    def __init__(self):
        self.v_city, self.v_zip = "", 0

    city = property(lambda self: self.v_city)
    zip = property(lambda self: self.v_zip)


class Person:
    __crm_name__ = "Person"
    __crm_fields__ = (("name", Type("String")), ("age", Type("Integer")), ("score", Type("Float")),
                      ("active", Type("Bool")), ("born", Type("DateTime")),
                      ("home", Type("Address")), ("tags", Type("String", 1)),
                      ("places", Type("Address", 1)))
    __slots__ = tuple(name for name, _ in __crm_fields__)

    def __init__(self):
        self.name, self.age, self.score, self.active = "", 0, 0.0, False
        self.born = object()  # not supported by toJson: must be skipped
        self.home = Address()
        self.tags = new_array(str, 1)
        self.places = new_array(Address, 1)


def test_struct_to_json():
    p = Person()
    p.name, p.age, p.score, p.active = "Kari", 33, 1.25, True
    p.home.v_city = "Oslo"
    p.tags.extend(["a", "b"])
    place = Address()
    place.v_zip = 5000
    p.places.append(place)
    jb = build()
    jx.struct_to_json(p, jb)
    text = jb.text()
    assert text.startswith('{"name": "Kari", "age": 33, "score": 1.250000, "active": true, '
                           '"home": {"city": "Oslo", "zip": 0}')
    assert json.loads(text)["places"] == [{"city": "", "zip": 5000}]
    assert "born" not in json.loads(text)


def test_struct_to_json_inside_an_array():
    jb = build()
    jb.push("", is_object=False)
    jx.struct_to_json(Address(), jb)
    jx.struct_to_json(Address(), jb)
    jb.pop()
    assert json.loads(jb.text()) == [{"city": "", "zip": 0}] * 2


def test_struct_from_xml_node_json_and_xml():
    p = Person()
    p.name = "unchanged?"
    root = jx.parse_json('{"age": "41", "score": 2.5, "active": true, "home": {"city": "Bergen"},'
                         ' "tags": ["x", "y"], "places": [{"zip": 7}, {"city": "Molde"}],'
                         ' "born": "2020-01-01", "name": null}')
    jx.struct_from_xml_node(p, root)
    assert (p.name, p.age, p.score, p.active) == ("unchanged?", 41, 2.5, True)
    assert p.home.city == "Bergen" and p.tags == ["x", "y"]
    assert [(a.city, a.zip) for a in p.places] == [("", 7), ("Molde", 0)]
    x = Address()
    jx.struct_from_xml_node(x, jx.parse_xml("<root><city>Tromsø</city><zip>9.7</zip></root>"))
    assert (x.city, x.zip) == ("Tromsø", 9)
    jx.struct_from_xml_node(x, jx.parse_xml("<root><zip>abc</zip></root>"))
    assert x.zip == 0


def test_struct_methods_are_registered_for_the_checker():
    to_json = member("Struct", "toJson", "JSONBuilder")
    from_node = member("Struct", "fromXMLNode", "XMLNode")
    x = Address()
    from_node.impl(x, jx.parse_json('{"city": "Alta"}'))
    jb = build()
    to_json.impl(x, jb)
    assert jb.text() == '{"city": "Alta", "zip": 0}'


# -- output size ---------------------------------------------------------------------


def test_huge_indent_hits_the_string_limit_before_allocating():
    from engine.errors import CRMScriptLimitError
    root = jx.parse_json('{"a": [1, {"b": 2}]}')
    for method in ("toString", "toJSON"):
        with pytest.raises(CRMScriptLimitError, match=f"XMLNode.{method}"):
            call("XMLNode", method, INT, root, 2**31 - 1)
    jb = build(pretty=2**31 - 1)
    call("JSONBuilder", "pushObject", S, jb, "")
    with pytest.raises(CRMScriptLimitError, match="JSONBuilder"):
        call("JSONBuilder", "addInteger", ("String", "Integer"), jb, "a", 1)


def test_output_limit_comes_from_the_running_script():
    from engine.errors import CRMScriptLimitError
    from engine.runtime.context import Limits, bind_context
    with bind_context(RunContext(limits=Limits(string_length=50))):
        jb = build()
        call("JSONBuilder", "pushArray", S, jb, "")
        with pytest.raises(CRMScriptLimitError, match="limit of 50 characters"):
            for _ in range(20):
                call("JSONBuilder", "addString", ("String", "String"), jb, "", "abcd")
        big = jx.parse_json('["' + "x" * 60 + '"]')
        with pytest.raises(CRMScriptLimitError):
            call("XMLNode", "toJSON", INT, big, 0)
    assert len(call("XMLNode", "toJSON", INT, big, 0)) > 60  # outside the run: default limit
