"""XML bodies both ways, in the WebAPI's style: element names are the property names.

    <EventData xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <Type>SalesBeforeSaveSale</Type>
      <InputValues>
        <SaleId>12</SaleId>
        <Entry Key="sale amount">100</Entry>
      </InputValues>
      <BlockExecution>false</BlockExecution>
      <Message xsi:nil="true" />
      ...

Maps (InputValues, OutputValues, ...) are carried as one element per key,
named by the key. A key that is not a safe XML name (it has a space or a
colon, starts with a digit or `xml`, is not ASCII, is empty, ...) is carried as
`<Entry Key="the key">value</Entry>`: on reading, an element with a `Key`
attribute always means "the key is the attribute", whatever its name, so
both forms read back to the same map. .NET DataContract pairs
(`<KeyValueOfstringstring><Key>k</Key><Value>v</Value></…>`) are read too.

A null (an unselected member with `$select`) is `xsi:nil="true"`; on reading,
nil means "not sent". Characters XML 1.0 cannot carry at all (U+0000-U+0008,
U+000B, U+000C, U+000E-U+001F, U+FFFE, U+FFFF, lone surrogates) are written as U+FFFD.
Documents with a DTD or entity declarations are refused (defusedxml).
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from .errors import ApiError, bad_request
from .shape import LIST, MAP, MODEL, Shape, text_to_scalar

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NIL = f"{{{XSI}}}nil"
ENTRY = "Entry"
KEY_ATTRIBUTE = "Key"

# A conservative XML name: what every XML tool accepts without escaping.
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Lone surrogates (a handler can make one, e.g. from a character reference)
# are not characters either.
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# \r is escaped because XML readers turn a literal CR (and CRLF) into LF.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                    "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def is_safe_name(key: str) -> bool:
    return bool(_SAFE_NAME.fullmatch(key)) and not key.lower().startswith("xml")


# ------------------------------------------------------------------ reading


def decode(body: bytes, charset: str, shape: Shape) -> Any:
    """An XML request body -> plain Python data shaped like the JSON body would be."""
    if charset not in ("utf-8", "utf8") and not body.lstrip().startswith(b"<?xml"):
        try:
            body = body.decode(charset).encode("utf-8")
        except LookupError:
            raise ApiError(415, f"charset {charset} is not supported", source="Content-Type") from None
        except UnicodeError as error:
            raise bad_request(f"The XML body is not valid {charset} text ({getattr(error, 'reason', error)})") from None
    try:
        root = SafeET.fromstring(body)
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise bad_request(f"Malformed XML at line {line}, column {column + 1}: {reason}") from None
    except defusedxml.DefusedXmlException as error:
        raise bad_request(f"XML with DTDs or entity declarations is not accepted ({error.__class__.__name__})") from None
    except (ValueError, LookupError) as error:  # e.g. an unknown encoding in the XML declaration
        raise bad_request(f"Unreadable XML: {error}") from None
    root_name = _local_name(root.tag)
    fields = shape.fields()
    if root_name in fields and fields[root_name].kind == MODEL and not any(
            _local_name(child.tag) in fields for child in root):
        # `<EventData><Type>…` sent bare: the root is the request around it.
        raise bad_request(f"The root element <{root_name}> is taken as the request around the members, "
                          f"so <{root_name}> itself was not found; wrap it: "
                          f"<request><{root_name}>…</{root_name}></request>", root_name)
    return _element_to_data(root, shape, "")


def _local_name(tag: Any) -> str:
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _element_to_data(element: Element, shape: Shape, path: str) -> Any:
    if element.get(_NIL, "").strip() in ("true", "1"):
        return None
    children = [child for child in element if isinstance(child.tag, str)]
    text = element.text or ""
    if shape.kind in (MODEL, MAP, LIST):
        stray = text + "".join(child.tail or "" for child in children)
        if stray.strip():
            where = path or "the root element"
            raise bad_request(f"{where}: expected elements, found the text {stray.strip()[:60]!r}", path or None)
    elif children:
        raise bad_request(f"{path}: expected text, found the element <{_local_name(children[0].tag)}>", path)

    if shape.kind == MODEL:
        data: dict[str, Any] = {}
        for child in children:
            found = shape.field_named(_local_name(child.tag))
            if found is None:
                continue  # unknown members are ignored, as in JSON
            member, member_shape = found
            member_path = _join(path, member)
            if member in data:
                raise bad_request(f"{member_path}: given more than once", member_path)
            data[member] = _element_to_data(child, member_shape, member_path)
        return data
    if shape.kind == MAP:
        entries: dict[str, Any] = {}
        for child in children:
            key, value_element = _map_entry(child, path)
            entry_path = _join(path, key)
            if key in entries:
                raise bad_request(f"{entry_path}: key given more than once", entry_path)
            entries[key] = _element_to_data(value_element, shape.item, entry_path)
        return entries
    if shape.kind == LIST:
        return [_element_to_data(child, shape.item, f"{path}[{index}]") for index, child in enumerate(children)]
    return text_to_scalar(text, shape, path)


def _map_entry(child: Element, path: str) -> tuple[str, Element]:
    """(key, element holding the value) for one child of a map element."""
    if KEY_ATTRIBUTE in child.attrib:
        return child.attrib[KEY_ATTRIBUTE], child
    name = _local_name(child.tag)
    if name.startswith("KeyValueOf"):  # .NET DataContract dictionary entry
        parts = {_local_name(part.tag): part for part in child}
        if "Key" in parts and "Value" in parts:
            return parts["Key"].text or "", parts["Value"]
        raise bad_request(f"{path}: <{name}> needs <Key> and <Value>", path or None)
    return name, child


# ------------------------------------------------------------------ writing


def encode(value: Any, root: str) -> bytes:
    """Plain Python data (what the JSON answer holds) -> an XML document."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _write(out, root, value, "", root_attributes=f' xmlns:xsi="{XSI}"')
    return "".join(out).encode("utf-8")


def _text(value: str) -> str:
    return _NOT_XML_CHARS.sub("\ufffd", value).translate(_ESCAPES)


def _attribute(value: str) -> str:
    return _NOT_XML_CHARS.sub("\ufffd", value).translate(_ATTRIBUTE_ESCAPES)


def _list_item_name(item: Any) -> str:
    if isinstance(item, bool):
        return "boolean"
    if isinstance(item, int):
        return "int"
    if isinstance(item, str):
        return "string"
    return "Item"


def _write(out: list[str], name: str, value: Any, indent: str, *, key: str | None = None,
           root_attributes: str = "") -> None:
    attributes = root_attributes + (f' {KEY_ATTRIBUTE}="{_attribute(key)}"' if key is not None else "")
    if value is None:
        out.append(f'{indent}<{name}{attributes} xsi:nil="true" />\n')
    elif isinstance(value, bool):
        out.append(f"{indent}<{name}{attributes}>{'true' if value else 'false'}</{name}>\n")
    elif isinstance(value, (int, float)):
        out.append(f"{indent}<{name}{attributes}>{value}</{name}>\n")
    elif isinstance(value, str):
        out.append(f"{indent}<{name}{attributes}>{_text(value)}</{name}>\n")
    elif isinstance(value, dict):
        if not value:
            out.append(f"{indent}<{name}{attributes} />\n")
            return
        out.append(f"{indent}<{name}{attributes}>\n")
        inner = indent + "  "
        for child_key, child_value in value.items():
            if is_safe_name(child_key):
                _write(out, child_key, child_value, inner)
            else:
                _write(out, ENTRY, child_value, inner, key=child_key)
        out.append(f"{indent}</{name}>\n")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append(f"{indent}<{name}{attributes} />\n")
            return
        out.append(f"{indent}<{name}{attributes}>\n")
        for item in value:
            _write(out, _list_item_name(item), item, indent + "  ")
        out.append(f"{indent}</{name}>\n")
    else:  # not reachable with the API's models; keep the document well-formed
        out.append(f"{indent}<{name}{attributes}>{_text(str(value))}</{name}>\n")
