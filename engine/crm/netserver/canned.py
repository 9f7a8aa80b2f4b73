"""The fixture's `netserver:` section: canned answers for agent methods (docs/netserver.md).

    netserver:
      - method: NSQuoteAgent.GetQuoteEntity
        args: [1]                        # optional: without it any arguments match
        result: {QuoteId: 1, SaleId: 4}  # in the carrier's property names

A canned answer wins over the simulated behaviour (fake the message you
need); an entry is checked against the reference when the fixture loads
(method, number of arguments, property names), with file:line:col.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from ...types import Type
from ..schema import suggest
from .model import is_carrier, properties


@dataclass(frozen=True)
class Canned:
    method: str  # 'NSQuoteAgent.GetQuoteEntity'
    args: tuple[str, ...] | None  # as text; None: any arguments
    result: Any  # plain data (dicts, lists, text), made into values per call
    returns: Type


def _reference():
    from ...reference import reference

    return reference()


def read_entries(reader: Any, node: yaml.Node) -> list[Canned]:
    """The `netserver:` list, checked (reader: fixture._Reader, for file:line:col)."""
    if not isinstance(node, yaml.SequenceNode):
        raise reader.error(node, "netserver is a list of {method: Agent.Method, args: [...], result: ...}")
    return [_entry(reader, item) for item in node.value]


def _entry(reader: Any, node: yaml.Node) -> Canned:
    entry = reader.mapping(node, "a netserver entry is a mapping {method: ..., args: [...], result: ...}")
    for key, (key_node, _) in entry.items():
        if key not in ("method", "args", "result"):
            raise reader.error(key_node, f"unknown key '{key}' in a netserver entry{suggest(key, ['method', 'args', 'result'])}"
                                         " (method, args, result)")
    if "method" not in entry:
        raise reader.error(node, "a netserver entry needs method: Agent.Method")
    method_node = entry["method"][1]
    method = reader.scalar(method_node, "method") or ""
    overloads = _overloads(reader, method_node, method)
    args = None
    if "args" in entry:
        args_node = entry["args"][1]
        if not isinstance(args_node, yaml.SequenceNode):
            raise reader.error(args_node, "args is a list of the call's arguments")
        args = tuple(_plain(n) for n in args_node.value)
        counts = sorted({len(m.params) for m in overloads})
        if len(args) not in counts:
            raise reader.error(args_node, f"{method} takes {' or '.join(map(str, counts))} arguments, "
                                          f"not {len(args)}")
    returns = overloads[0].returns
    result = None
    if "result" in entry:
        result_node = entry["result"][1]
        _check(reader, result_node, returns)
        result = _plain(result_node)
    return Canned(method, args, result, returns)


def _overloads(reader: Any, node: yaml.Node, method: str) -> tuple:
    ref = _reference()
    owner, _, name = method.partition(".")
    cls = ref.cls(owner)
    if cls is None or cls.kind != "agent":
        agents = ref.class_names("agent")
        raise reader.error(node, f"'{owner}' is not a NetServer agent{suggest(owner, agents)} "
                                 "(method: NSContactAgent.GetContactEntity)")
    found = ref.methods(owner, name)
    if not found:
        raise reader.error(node, f"{owner} has no method '{name}'{suggest(name, list(cls.methods))}")
    return found


def _check(reader: Any, node: yaml.Node, kind: Type) -> None:
    """A result fits the return type: a carrier is a mapping of its properties,
    an array a list."""
    if kind.dims:
        if not isinstance(node, yaml.SequenceNode):
            raise reader.error(node, f"the result is a {kind}: a list")
        for item in node.value:
            _check(reader, item, Type(kind.name, kind.dims - 1))
        return
    if is_carrier(kind.name):
        known = properties(kind.name)
        for prop, (key_node, value_node) in reader.mapping(
                node, f"the result is a {kind.name}: a mapping of its properties").items():
            if prop not in known:
                raise reader.error(key_node, f"{kind.name} has no property '{prop}'{suggest(prop, list(known))}")
            _check(reader, value_node, known[prop])
    elif kind.name == "Map":
        reader.mapping(node, "the result is a Map: a mapping")
    elif kind.name != "Void":
        reader.scalar(node, f"a {kind.name}")


def _plain(node: yaml.Node) -> Any:
    return yaml.safe_load(yaml.serialize(node, Dumper=yaml.SafeDumper)) if not isinstance(node, yaml.ScalarNode) \
        else node.value


def argument_text(value: Any) -> Any:
    """A call's argument as an entry's `args` compare it: text, a list, or for
    a carrier a mapping of the properties it holds."""
    fields = getattr(value, "fields", None)
    if isinstance(fields, dict):
        return {prop: argument_text(item) for prop, item in fields.items() if not hasattr(item, "load")}
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [argument_text(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(wanted: Any, given: Any) -> bool:
    if isinstance(wanted, dict):  # a carrier: the properties written must match
        return isinstance(given, dict) and all(prop in given and _same(value, given[prop])
                                               for prop, value in wanted.items())
    if isinstance(wanted, list):
        return isinstance(given, list) and len(wanted) == len(given) and all(map(_same, wanted, given))
    return str(wanted).lower() == str(given).lower() if isinstance(wanted, str | bool) else wanted == given


def find(entries: list[Canned], method: str, args: tuple) -> Canned | None:
    given = None
    for entry in entries:
        if entry.method != method:
            continue
        if entry.args is None:
            return entry
        given = given if given is not None else [argument_text(a) for a in args]
        if all(_same(w, g) for w, g in zip(entry.args, given, strict=False)) and len(entry.args) == len(given):
            return entry
    return None


def suggestion(method: str, params: tuple, returns: Type, args: tuple) -> str:
    """The `netserver:` entry that would answer this call."""
    shown = ", ".join(_shown(a) for a in args)
    lines = ["  netserver:", f"    - method: {method}"]
    if params:
        lines.append(f"      args: [{shown}]")
    if returns.name != "Void":
        lines.append(f"      result: {_sample(returns)}")
    return "\n".join(lines)


def _shown(value: Any) -> str:
    if hasattr(value, "__crm_name__"):  # a carrier
        return "{...}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    text = argument_text(value)
    return text if text and text.replace(".", "").replace("-", "").isalnum() else f'"{text}"'


def _sample(kind: Type) -> str:
    if kind.dims:
        return f"[{_sample(Type(kind.name, kind.dims - 1))}]"
    if is_carrier(kind.name):
        props = list(properties(kind.name).items())[:3]
        return "{" + ", ".join(f"{p}: {_scalar_sample(t)}" for p, t in props) + (", ..." if props else "") + "}"
    return _scalar_sample(kind)


def _scalar_sample(kind: Type) -> str:
    if kind.dims or is_carrier(kind.name):
        return "..."
    return {"Integer": "1", "Float": "1.0", "Bool": "true", "String": '"text"',
            "DateTime": '"2026-05-04 10:00:00"', "Map": "{key: value}"}.get(kind.name, "...")


