"""The fixture's `site:` and `files:` sections (docs/globals.md).

`site:` describes the web server around the script: its base URL (what
getProgram() and friends answer), the request's CGI variables, cookies,
headers and body, the session's variables, the environment variables, the
values common to the web applications (getCurrent) and the language
variables. `files:` is the File class's virtual file area: path -> text (or
`{base64: ...}` for bytes). Nothing here ever reads the host.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import yaml

from .schema import suggest

# key -> what its value is: "text", "map" (name -> text), "multi" (name -> text or list of texts),
# "language" (name -> text, or language code -> text)
SITE_KEYS = {
    "url": "text", "external_url": "text", "method": "text", "content": "text",
    "cgi": "multi", "cookies": "map", "headers": "map", "session": "map", "env": "map",
    "current": "map", "warnings": "map", "language": "language", "programs": "map", "screen": "screen",
}
SCREEN_ELEMENT_KEYS = ("name", "type", "id", "value", "config")


def read_site(reader: Any, node: yaml.Node) -> dict[str, Any]:
    entries = reader.mapping(node, f"site is a mapping ({', '.join(SITE_KEYS)})")
    site: dict[str, Any] = {}
    for key, (key_node, value_node) in entries.items():
        kind = SITE_KEYS.get(key)
        if kind is None:
            raise reader.error(key_node, f"unknown key '{key}' in site{suggest(key, list(SITE_KEYS))}: "
                                         f"site has {', '.join(SITE_KEYS)}")
        if kind == "text":
            site[key] = reader.scalar(value_node, f"site.{key}") or ""
            if key == "method" and site[key].upper() not in ("GET", "POST"):
                raise reader.error(value_node, f"site.method: '{site[key]}' is not GET or POST")
            continue
        if kind == "screen":
            site[key] = _screen(reader, value_node)
            continue
        site[key] = {name: _value(reader, value, f"site.{key}.{name}", kind)
                     for name, (_, value) in reader.mapping(value_node, f"site.{key} is a mapping").items()}
    return site


def _value(reader: Any, node: yaml.Node, what: str, kind: str) -> Any:
    if kind == "multi" and isinstance(node, yaml.SequenceNode):
        return [reader.scalar(item, what) or "" for item in node.value]
    if kind == "language" and isinstance(node, yaml.MappingNode):
        return {code.lower(): reader.scalar(value, f"{what}.{code}") or ""
                for code, (_, value) in reader.mapping(node, what).items()}
    return reader.scalar(node, what) or ""


def _screen(reader: Any, node: yaml.Node) -> list[dict[str, Any]]:
    """site.screen: the ServiceScreen's elements, [{name, type, id, value, config}]."""
    if not isinstance(node, yaml.SequenceNode):
        raise reader.error(node, "site.screen is a list of elements {name, type, id, value, config}")
    elements = []
    for item in node.value:
        entry = reader.mapping(item, "a screen element is a mapping {name, type, id, value, config}")
        for key, (key_node, _) in entry.items():
            if key not in SCREEN_ELEMENT_KEYS:
                raise reader.error(key_node, f"unknown key '{key}' in a screen element"
                                             f"{suggest(key, list(SCREEN_ELEMENT_KEYS))}")
        if "name" not in entry:
            raise reader.error(item, "a screen element needs a name")
        element: dict[str, Any] = {"name": reader.scalar(entry["name"][1], "name") or ""}
        for key in ("type", "id"):
            if key in entry:
                text = reader.scalar(entry[key][1], key) or "0"
                if not text.lstrip("-").isdigit():
                    raise reader.error(entry[key][1], f"screen element {key}: '{text}' is not a number")
                element[key] = int(text)
        if "value" in entry:
            element["value"] = reader.scalar(entry["value"][1], "value") or ""
        if "config" in entry:
            element["config"] = {k: reader.scalar(v, k) or ""
                                 for k, (_, v) in reader.mapping(entry["config"][1], "config").items()}
        elements.append(element)
    return elements


def read_files(reader: Any, node: yaml.Node) -> dict[str, bytes]:
    """path -> the file's bytes (text is stored as UTF-8)."""
    files: dict[str, bytes] = {}
    for path, (_, value_node) in reader.mapping(node, "files is a mapping path -> text").items():
        if isinstance(value_node, yaml.MappingNode):
            entry = reader.mapping(value_node, f"files.{path}")
            if set(entry) != {"base64"}:
                raise reader.error(value_node, f"files.{path}: give the text, or {{base64: ...}} for bytes")
            text = reader.scalar(entry["base64"][1], f"files.{path}.base64") or ""
            try:
                files[path] = base64.b64decode("".join(text.split()), validate=True)
            except (binascii.Error, ValueError):
                raise reader.error(entry["base64"][1], f"files.{path}: not valid base64") from None
        else:
            files[path] = (reader.scalar(value_node, f"files.{path}") or "").encode("utf-8")
    return files
