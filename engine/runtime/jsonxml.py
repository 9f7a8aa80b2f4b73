"""JSONBuilder, XMLNode, parseJSON/parseJSON2/parseXML and the struct helpers.

XMLNode is the one tree CRMScript has for both XML and JSON: parseJSON turns
a JSON document into nodes whose `type` parameter says what each was
("object", "array", "string", "number", "bool", "null"); array items are
nodes named "item"; the root is named "root". toJSON() reads the same
parameters back.

XML is parsed with defusedxml: entity declarations and external references
are refused (no XXE, no "billion laughs").

The compiler calls two helpers for the built-in struct methods:
    struct_to_json(obj, builder)        s.toJson(jb)
    struct_from_xml_node(obj, node)     s.fromXMLNode(node)

Output formats the reference leaves open are in docs/library-collections.md.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from ..errors import CRMScriptLimitError, CRMScriptRuntimeError
from .collections import Array, check_collection_size
from .context import Limits, active_context
from .limits import check_deadline
from .numbers import parse_float, parse_integer
from .table import LIBRARY, builtin

# ---------------------------------------------------------------------------
# Output size
# ---------------------------------------------------------------------------


# Nodes (or pieces of text) handled between two looks at the run's deadline.
DEADLINE_EVERY = 4096


class _NodeBudget:
    """Counts the nodes a parse or a copy makes: at most the run's collection
    size limit (a tree is a collection), with a look at the deadline every
    DEADLINE_EVERY nodes."""

    __slots__ = ("ctx", "left", "countdown", "what")

    def __init__(self, what: str) -> None:
        self.ctx = active_context()
        self.left = (self.ctx.limits if self.ctx is not None else Limits()).collection_size
        self.countdown = DEADLINE_EVERY
        self.what = what

    def take(self, count: int = 1) -> None:
        self.left -= count
        if self.left < 0:
            raise self.too_many()
        self.countdown -= count
        if self.countdown <= 0:
            self.countdown = DEADLINE_EVERY
            check_deadline(self.ctx)

    def too_many(self) -> CRMScriptLimitError:
        limit = (self.ctx.limits if self.ctx is not None else Limits()).collection_size
        return CRMScriptLimitError(f"{self.what}: the tree would hold more than {limit:,} nodes "
                                   "(the collection size limit)")


class _TextOutput:
    """Collects output text and stops at the String length limit, before a
    huge indent or a deep tree could allocate the text; looks at the run's
    deadline every DEADLINE_EVERY pieces (a tree whose nodes are shared
    writes each share again: its text can be far longer than the tree)."""

    __slots__ = ("parts", "size", "limit", "what", "ctx", "countdown")

    def __init__(self, what: str) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.ctx = active_context()
        self.limit = (self.ctx.limits if self.ctx is not None else Limits()).string_length
        self.what = what
        self.countdown = DEADLINE_EVERY

    def _grow(self, count: int) -> None:
        self.size += count
        if self.size > self.limit:
            raise CRMScriptLimitError(
                f"{self.what}: the text would be longer than the limit of {self.limit} characters")
        self.countdown -= 1
        if not self.countdown:
            self.countdown = DEADLINE_EVERY
            check_deadline(self.ctx)

    def add(self, text: str) -> None:
        self._grow(len(text))
        self.parts.append(text)

    def add_line_break(self, indent_spaces: int) -> None:
        self._grow(1 + indent_spaces)  # checked before the spaces are made
        self.parts.append("\n" + " " * indent_spaces)

    def text(self) -> str:
        return "".join(self.parts)


# ---------------------------------------------------------------------------
# XMLNode
# ---------------------------------------------------------------------------


class XMLNode:
    """One element: a name, parameters (attributes, in insertion order), text, children.

    XMLNode is a reference type: one node may be the child of several
    (a DAG). `attached` is set once a node has been made someone's child:
    a node that never was cannot be inside another's subtree, which makes
    the usual addChild (a new node under its parent, or a finished subtree
    under a new node) constant-time."""

    __slots__ = ("name", "parameters", "text", "children", "attached")

    def __init__(self, name: str = "", text: str = "") -> None:
        self.name = name
        self.parameters: dict[str, str] = {}
        self.text = text
        self.children: list[XMLNode] = []
        self.attached = False

    def deep_copy(self) -> XMLNode:
        """A copy of the whole tree, made once per distinct node: a node
        shared in the original is shared in the copy (a DAG of 40 levels,
        each node under two parents, is 41 nodes, not 2**40)."""
        budget = _NodeBudget("XMLNode")
        copies: dict[int, XMLNode] = {}
        pairs: list[tuple[XMLNode, XMLNode]] = []
        stack = [self]
        while stack:  # first every distinct node gets its copy...
            node = stack.pop()
            if id(node) in copies:
                continue
            budget.take()
            clone = copies[id(node)] = XMLNode(node.name, node.text)
            clone.parameters = dict(node.parameters)
            clone.attached = node is not self
            pairs.append((node, clone))
            stack.extend(node.children)
        for original, clone in pairs:  # ...then the copies are linked
            clone.children = [copies[id(child)] for child in original.children]
        return copies[id(self)]

    def walk(self) -> Iterator[XMLNode]:
        """Every distinct node of the tree once (a shared node is not walked again)."""
        seen: set[int] = set()
        stack = [self]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            stack.extend(node.children)

    def child(self, name: str) -> XMLNode | None:
        for node in self.children:
            if node.name == name:
                return node
        return None

    def __repr__(self) -> str:
        return f"XMLNode({self.name!r}, {len(self.children)} children)"


def _too_deep(what: str) -> CRMScriptRuntimeError:
    return CRMScriptRuntimeError(f"{what}: the document is nested too deeply")


# -- XML text ----------------------------------------------------------------

_XML_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def xml_to_string(node: XMLNode, indent: int) -> str:
    """toString(indent): indent > 0 puts each child on its own line, indented
    by `indent` spaces a level; 0 writes everything on one line."""
    out = _TextOutput("XMLNode.toString")
    _write_xml(node, max(indent, 0), 0, out)
    return out.text()


# An XML name: a letter, '_' or ':' first, then letters, digits, '.', '-', '_', ':'.
_XML_NAME = re.compile(r"[^\W\d][\w.:-]*\Z|:[\w.:-]*\Z")


def _xml_name(name: str, what: str) -> str:
    """`name` if it can be written as an XML element or attribute name; a
    name that cannot (JSON keys may be anything) is an error rather than
    markup written into the document (`XMLNode("a><b")`)."""
    if not _XML_NAME.match(name):
        raise CRMScriptRuntimeError(f"XMLNode.toString: {name[:80]!r} is not a valid XML {what} name")
    return name


def _write_xml(node: XMLNode, indent: int, level: int, out: _TextOutput) -> None:
    name = _xml_name(node.name, "element")
    attributes = "".join(f' {_xml_name(k, "attribute")}="{v.translate(_XML_ATTR_ESCAPES)}"'
                         for k, v in node.parameters.items())
    out.add(f"<{name}{attributes}")
    if not node.text and not node.children:
        out.add("/>")
        return
    out.add(">" + node.text.translate(_XML_TEXT_ESCAPES))
    if node.children:
        for child in node.children:
            if indent:
                out.add_line_break(indent * (level + 1))
            _write_xml(child, indent, level + 1, out)
        if indent:
            out.add_line_break(indent * level)
    out.add(f"</{name}>")


def _local_name(tag: str) -> str:
    """'{namespace}name' (ElementTree's form) -> 'name'."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _from_element(element: Element, budget: _NodeBudget) -> XMLNode:
    budget.take()
    node = XMLNode(_local_name(element.tag))
    node.parameters = {_local_name(k): v for k, v in element.attrib.items()}
    text = element.text or ""
    tails = [child.tail for child in element if child.tail and child.tail.strip()]
    if len(element) and not text.strip():
        text = ""
    node.text = text + "".join(tails)
    node.children = [_from_element(child, budget) for child in element]
    for child in node.children:
        child.attached = True
    return node


def parse_xml(text: str) -> XMLNode:
    """parseXML: the document element as an XMLNode tree (entities refused)."""
    budget = _NodeBudget("parseXML")
    if text.count("<") > budget.left:  # every element has its '<': refused before parsing
        raise budget.too_many()
    check_deadline(budget.ctx)
    try:
        element = _safe_fromstring(text)
    except DefusedXmlException as exc:
        raise CRMScriptRuntimeError(
            f"parseXML: the document is refused: {type(exc).__name__} "
            "(entity declarations and external references are not allowed)") from None
    except ParseError as exc:
        line, column = exc.position
        raise CRMScriptRuntimeError(
            f"parseXML: invalid XML at line {line} column {column + 1}: "
            f"{str(exc).split(':')[0]}") from None
    except (RecursionError, ValueError) as exc:
        raise CRMScriptRuntimeError(f"parseXML: invalid XML: {exc}") from None
    try:
        return _from_element(element, budget)
    except RecursionError:
        raise _too_deep("parseXML") from None


# -- JSON text ---------------------------------------------------------------


class _JsonNumber(str):
    """A JSON number kept as written in the document ("1.50" stays "1.50")."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _json_to_node(name: str, value: Any, budget: _NodeBudget) -> XMLNode:
    budget.take()
    node = XMLNode(name)
    if isinstance(value, _Pairs):  # before list: _Pairs is a list of (key, value)
        node.parameters["type"] = "object"
        node.children = [_json_to_node(k, v, budget) for k, v in value]
    elif isinstance(value, list):
        node.parameters["type"] = "array"
        node.children = [_json_to_node("item", v, budget) for v in value]
    elif isinstance(value, _JsonNumber):
        node.parameters["type"] = "number"
        node.text = str(value)
    elif isinstance(value, str):
        node.parameters["type"] = "string"
        node.text = value
    elif isinstance(value, bool):
        node.parameters["type"] = "bool"
        node.text = "true" if value else "false"
    else:
        node.parameters["type"] = "null"
        node.text = "null"
    for child in node.children:
        child.attached = True
    return node


def json_value_bound(text: str) -> int:
    """At least as many as the values in the JSON document `text`: every
    value but the first follows a '[', a ',' or a ':' (those inside strings
    only make the bound looser). Counted before parsing."""
    return 1 + text.count("[") + text.count(",") + text.count(":")


class _Pairs(list):
    """A JSON object's members in document order (duplicates kept)."""


def parse_json(text: str, function: str = "parseJSON") -> XMLNode:
    """parseJSON: a tree of XMLNodes under a node named "root"."""
    budget = _NodeBudget(function)
    if json_value_bound(text) > budget.left:
        raise budget.too_many()
    check_deadline(budget.ctx)
    try:
        value = json.loads(text, object_pairs_hook=_Pairs, parse_float=_JsonNumber,
                           parse_int=_JsonNumber, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise CRMScriptRuntimeError(
            f"{function}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise _too_deep(function) from None
    except ValueError as exc:
        raise CRMScriptRuntimeError(f"{function}: invalid JSON: {exc}") from None
    try:
        return _json_to_node("root", value, budget)
    except RecursionError:
        raise _too_deep(function) from None


_JSON_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?\Z", re.ASCII)


def _node_kind(node: XMLNode) -> str:
    kind = node.parameters.get("type", "")
    if kind in ("object", "array", "string", "number", "bool", "null"):
        return kind
    return "object" if node.children else "string"


def _scalar_json(node: XMLNode, kind: str) -> str:
    text = node.text
    if kind == "number":
        stripped = text.strip()
        return stripped if _JSON_NUMBER.match(stripped) else json.dumps(text, ensure_ascii=False)
    if kind == "bool":
        return "true" if text.strip().lower() in ("true", "1") else "false"
    if kind == "null":
        return "null"
    return json.dumps(text, ensure_ascii=False)


def xml_to_json(node: XMLNode, indent: int) -> str:
    """toJSON(indent): indent 0 gives one line ('{ "a": 1, "b": [ 2 ] }'),
    indent > 0 one member a line, indented by `indent` spaces a level."""
    out = _TextOutput("XMLNode.toJSON")
    _write_json(node, max(indent, 0), 0, out)
    return out.text()


def _write_json(node: XMLNode, indent: int, level: int, out: _TextOutput) -> None:
    kind = _node_kind(node)
    if kind not in ("object", "array"):
        out.add(_scalar_json(node, kind))
        return
    opening, closing = ("{", "}") if kind == "object" else ("[", "]")
    if not node.children:
        out.add(opening + closing)
        return
    out.add(opening)
    for position, child in enumerate(node.children):
        if position:
            out.add(",")
        if indent:
            out.add_line_break(indent * (level + 1))
        else:
            out.add(" ")
        if kind == "object":
            out.add(json.dumps(child.name, ensure_ascii=False) + ": ")
        _write_json(child, indent, level + 1, out)
    if indent:
        out.add_line_break(indent * level)
    else:
        out.add(" ")
    out.add(closing)


def value_from_path(node: XMLNode, path: str) -> str:
    """getValueFromPath: dot-separated child names or indexes; "" when the
    path leads nowhere."""
    current: XMLNode | None = node
    for step in path.split(".") if path else []:
        if current is None:
            break
        if step.isascii() and step.isdigit():
            index = int(step)
            current = current.children[index] if index < len(current.children) else None
        else:
            current = current.child(step)
    return current.text if current is not None else ""


@builtin("XMLNode XMLNode(XMLNode value)")
def xmlnode_copy(value: XMLNode) -> XMLNode:
    try:
        return value.deep_copy()
    except RecursionError:
        raise _too_deep("XMLNode") from None


@builtin("XMLNode XMLNode(String value)")
def xmlnode_from_string(value: str) -> XMLNode:
    # The docs' examples pass a tag name (XMLNode("root")); text that starts
    # with '<' is an XML document and is parsed.
    if value.lstrip().startswith("<"):
        return parse_xml(value)
    return XMLNode(value)


@builtin("String XMLNode.toString(Integer indent)")
def xmlnode_to_string(self: XMLNode, indent: int) -> str:
    try:
        return xml_to_string(self, indent)
    except RecursionError:
        raise _too_deep("XMLNode.toString") from None


@builtin("String XMLNode.toJSON(Integer indent)")
def xmlnode_to_json(self: XMLNode, indent: int) -> str:
    try:
        return xml_to_json(self, indent)
    except RecursionError:
        raise _too_deep("XMLNode.toJSON") from None


def _check_no_cycle(parent: XMLNode, child: XMLNode) -> None:
    """Adding `child` under `parent` must not make a node its own ancestor.
    Only possible when `parent` is inside `child`'s subtree: never when
    `child` has no children or `parent` was never made anyone's child
    (the usual cases, constant time); else the subtree is walked once per
    distinct node."""
    if child is parent or (child.children and parent.attached and _contains(child, parent)):
        raise CRMScriptRuntimeError(
            f"XMLNode: adding '{child.name}' under '{parent.name}' would make a node its own ancestor")


def _contains(root: XMLNode, wanted: XMLNode) -> bool:
    ctx = active_context()
    for count, node in enumerate(root.walk(), 1):
        if node is wanted:
            return True
        if not count % DEADLINE_EVERY:
            check_deadline(ctx)
    return False


@builtin("Void XMLNode.addChild(XMLNode node)", context=True)
def xmlnode_add_child(ctx, self: XMLNode, node: XMLNode) -> None:
    _check_no_cycle(self, node)
    check_collection_size(ctx, len(self.children) + 1, "the node's children")
    self.children.append(node)
    node.attached = True


@builtin("XMLNode[] XMLNode.getChildren()")
def xmlnode_get_children(self: XMLNode) -> Array:
    return Array(XMLNode, self.children)


@builtin("Void XMLNode.setChildren(XMLNode[] children)", context=True)
def xmlnode_set_children(ctx, self: XMLNode, children: list) -> None:
    check_collection_size(ctx, len(children), "the node's children")
    for child in children:
        _check_no_cycle(self, child)
    self.children = list(children)
    for child in children:
        child.attached = True


@builtin("String XMLNode.getName()")
def xmlnode_get_name(self: XMLNode) -> str:
    return self.name


@builtin("Void XMLNode.setName(String name)")
def xmlnode_set_name(self: XMLNode, name: str) -> None:
    self.name = name


@builtin("String XMLNode.getParameter(String name)")
def xmlnode_get_parameter(self: XMLNode, name: str) -> str:
    return self.parameters.get(name, "")


@builtin("Void XMLNode.setParameter(String name, String value)")
def xmlnode_set_parameter(self: XMLNode, name: str, value: str) -> None:
    self.parameters[name] = value


@builtin("String XMLNode.getText()")
def xmlnode_get_text(self: XMLNode) -> str:
    return self.text


@builtin("Void XMLNode.setText(String text)")
def xmlnode_set_text(self: XMLNode, text: str) -> None:
    self.text = text


@builtin("String XMLNode.getValueFromPath(String path)")
def xmlnode_get_value_from_path(self: XMLNode, path: str) -> str:
    return value_from_path(self, path)


LIBRARY.register_class("XMLNode", XMLNode, default=XMLNode)


@builtin("XMLNode parseJSON(String jsonDocument)")
def parse_json_global(jsonDocument: str) -> XMLNode:
    """The reference says parseJSON keeps one child for an empty array; this
    simulator does not reproduce that bug, so parseJSON == parseJSON2."""
    return parse_json(jsonDocument, "parseJSON")


@builtin("XMLNode parseJSON2(String jsonDocument)")
def parse_json2_global(jsonDocument: str) -> XMLNode:
    return parse_json(jsonDocument, "parseJSON2")


@builtin("XMLNode parseXML(String xmlDocument)")
def parse_xml_global(xmlDocument: str) -> XMLNode:
    return parse_xml(xmlDocument)


# ---------------------------------------------------------------------------
# JSONBuilder
# ---------------------------------------------------------------------------


class _Level:
    __slots__ = ("is_object", "count")

    def __init__(self, is_object: bool) -> None:
        self.is_object = is_object
        self.count = 0


class JSONBuilder:
    """Writes JSON as the script pushes and adds; getString() returns what is written.

    Without pretty printing members are separated by ", " and keys by ": "
    (the docs' struct example prints {"who": "World"}); with setPrettyPrint(n)
    every member goes on its own line, indented n spaces a level.
    """

    __slots__ = ("_out", "_levels", "_indent", "_has_root")

    def __init__(self) -> None:
        self._out = _TextOutput("JSONBuilder")
        self._levels: list[_Level] = []
        self._indent = 0
        self._has_root = False

    def _begin_value(self, key: str, what: str) -> None:
        if not self._levels:
            if self._has_root:
                raise CRMScriptRuntimeError(
                    f"JSONBuilder: cannot add {what} after the root value is closed")
            self._has_root = True  # a name at the root has nowhere to go: ignored
            return
        level = self._levels[-1]
        if level.is_object and key == "":
            raise CRMScriptRuntimeError(f"JSONBuilder: {what} inside an object needs a key")
        if not level.is_object and key != "":
            raise CRMScriptRuntimeError(
                f"JSONBuilder: {what} inside an array must have an empty key, not '{key}'")
        if level.count:
            self._out.add(",")
        if self._indent:
            self._out.add_line_break(self._indent * len(self._levels))
        elif level.count:
            self._out.add(" ")
        if level.is_object:
            self._out.add(json.dumps(key, ensure_ascii=False) + ": ")
        level.count += 1

    def add_raw(self, key: str, text: str, what: str) -> None:
        self._begin_value(key, what)
        self._out.add(text)

    def push(self, key: str, is_object: bool) -> None:
        self._begin_value(key, "an object" if is_object else "an array")
        self._out.add("{" if is_object else "[")
        self._levels.append(_Level(is_object))

    def pop(self) -> None:
        if not self._levels:
            raise CRMScriptRuntimeError("JSONBuilder: popLevel() with no open object or array")
        level = self._levels.pop()
        if self._indent and level.count:
            self._out.add_line_break(self._indent * len(self._levels))
        self._out.add("}" if level.is_object else "]")

    def finalize(self) -> None:
        while self._levels:
            self.pop()

    def text(self) -> str:
        return self._out.text()


def _float_json(value: float) -> str:
    return f"{value:f}" if math.isfinite(value) else "null"


@builtin("JSONBuilder JSONBuilder()")
def jsonbuilder_new() -> JSONBuilder:
    return JSONBuilder()


@builtin("Void JSONBuilder.addBoolean(String key, Bool value)")
def jsonbuilder_add_boolean(self: JSONBuilder, key: str, value: bool) -> None:
    self.add_raw(key, "true" if value else "false", "a value")


@builtin("Void JSONBuilder.addFloat(String key, Float value)")
def jsonbuilder_add_float(self: JSONBuilder, key: str, value: float) -> None:
    self.add_raw(key, _float_json(value), "a value")


@builtin("Void JSONBuilder.addInteger(String key, Integer value)")
def jsonbuilder_add_integer(self: JSONBuilder, key: str, value: int) -> None:
    self.add_raw(key, str(value), "a value")


@builtin("Void JSONBuilder.addString(String key, String value)")
def jsonbuilder_add_string(self: JSONBuilder, key: str, value: str) -> None:
    self.add_raw(key, json.dumps(value, ensure_ascii=False), "a value")


@builtin("Void JSONBuilder.finalize()")
def jsonbuilder_finalize(self: JSONBuilder) -> None:
    self.finalize()


@builtin("String JSONBuilder.getString()")
def jsonbuilder_get_string(self: JSONBuilder) -> str:
    return self.text()


@builtin("Void JSONBuilder.popLevel()")
def jsonbuilder_pop_level(self: JSONBuilder) -> None:
    self.pop()


@builtin("Void JSONBuilder.pushArray(String array)")
def jsonbuilder_push_array(self: JSONBuilder, array: str) -> None:
    self.push(array, is_object=False)


@builtin("Void JSONBuilder.pushObject(String object)")
def jsonbuilder_push_object(self: JSONBuilder, object: str) -> None:
    self.push(object, is_object=True)


@builtin("Void JSONBuilder.setPrettyPrint(Integer indent)")
def jsonbuilder_set_pretty_print(self: JSONBuilder, indent: int) -> None:
    self._indent = max(indent, 0)


LIBRARY.register_class("JSONBuilder", JSONBuilder, default=JSONBuilder)


# ---------------------------------------------------------------------------
# Struct helpers: s.toJson(jb) and s.fromXMLNode(node)
# ---------------------------------------------------------------------------
#
# The docs support Bool, Float, Integer, String and nested structs; members of
# other types (Date, DateTime, Map, ...) are skipped. Arrays of those types are
# written as JSON arrays and read back from array nodes (an extension: the
# reference is silent on arrays).


def _is_struct(value: Any) -> bool:
    return hasattr(type(value), "__crm_fields__")


def _struct_members(obj: Any) -> Iterator[tuple[str, Any, str]]:
    """(field name, Type, Python attribute) of each member. The compiler
    stores field `x` in attribute `__crm_attrs__[i]` (e.g. "v_x"); without
    that tuple the attribute is the field name."""
    cls = type(obj)
    fields = cls.__crm_fields__
    attrs = getattr(cls, "__crm_attrs__", None) or tuple(name for name, _ in fields)
    for (name, field_type), attr in zip(fields, attrs, strict=False):
        yield name, field_type, attr


def _write_member(builder: JSONBuilder, key: str, type_name: str, dims: int, value: Any) -> None:
    if dims:
        builder.push(key, is_object=False)
        for item in value:
            _write_member(builder, "", type_name, dims - 1, item)
        builder.pop()
    elif _is_struct(value):
        struct_to_json(value, builder, key)
    elif type_name == "Bool":
        builder.add_raw(key, "true" if value else "false", "a value")
    elif type_name in ("Integer", "Byte"):
        builder.add_raw(key, str(int(value)), "a value")
    elif type_name == "Float":
        builder.add_raw(key, _float_json(float(value)), "a value")
    elif type_name == "String":
        builder.add_raw(key, json.dumps(value, ensure_ascii=False), "a value")
    # anything else is not supported by toJson and is left out


def struct_to_json(obj: Any, builder: JSONBuilder, key: str = "") -> None:
    """`s.toJson(jb)`: the struct as one JSON object, written into `jb`."""
    builder.push(key, is_object=True)
    for name, field_type, attr in _struct_members(obj):
        value = getattr(obj, attr)
        if field_type.dims or _supported(field_type.name) or _is_struct(value):
            _write_member(builder, name, field_type.name, field_type.dims, value)
    builder.pop()


def _supported(type_name: str) -> bool:
    return type_name in ("Bool", "Integer", "Byte", "Float", "String")


def _scalar_from_node(type_name: str, node: XMLNode, current: Any) -> Any:
    text = node.text
    if type_name == "Bool":
        return text.strip().lower() in ("true", "1")
    if type_name == "Integer":
        return parse_integer(text)
    if type_name == "Byte":
        return parse_integer(text) & 0xFF
    if type_name == "Float":
        return parse_float(text)
    if type_name == "String":
        return text
    return current


def _read_member(type_name: str, dims: int, node: XMLNode, current: Any, budget: _NodeBudget) -> Any:
    budget.take()
    if dims:
        if not isinstance(current, Array):
            return current
        items = []
        for child in node.children:
            items.append(_read_member(type_name, dims - 1, child, current.new_element(), budget))
        current[:] = items
        return current
    if _is_struct(current):
        _read_struct(current, node, budget)
        return current
    if node.parameters.get("type") == "null":
        return current
    return _scalar_from_node(type_name, node, current)


def struct_from_xml_node(obj: Any, node: XMLNode) -> None:
    """`s.fromXMLNode(node)`: each member takes the text of the child node of
    the same name (converted to the member's type); members without a child
    node keep their value. The values read count against the collection
    limit (a node shared under many parents is read again each time)."""
    try:
        _read_struct(obj, node, _NodeBudget("fromXMLNode"))
    except RecursionError:
        raise _too_deep("fromXMLNode") from None


def _read_struct(obj: Any, node: XMLNode, budget: _NodeBudget) -> None:
    for name, field_type, attr in _struct_members(obj):
        child = node.child(name)
        if child is None:
            continue
        setattr(obj, attr, _read_member(field_type.name, field_type.dims, child, getattr(obj, attr), budget))


# The checker finds the methods every struct has under the owner "Struct".
@builtin("Void Struct.toJson(JSONBuilder builder)")
def struct_to_json_method(self: Any, builder: JSONBuilder) -> None:
    struct_to_json(self, builder)


@builtin("Void Struct.fromXMLNode(XMLNode node)")
def struct_from_xml_node_method(self: Any, node: XMLNode) -> None:
    struct_from_xml_node(self, node)
