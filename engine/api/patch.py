"""Patch bodies: JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7396).

The WebAPI accepts both content types for its POST methods. A POST has no
stored resource to patch, so the patch is applied to the *empty request* of
the method (e.g. `{"EventData": {"Type": "", "InputValues": {}, ...}}`, every
member at its empty value) and the result is the request. That way
`{"op": "add", "path": "/EventData/InputValues/SaleId", "value": "12"}` works
without first creating the map.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import bad_request

_OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")


class _PatchFailed(Exception):
    pass


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge member by member, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = apply_merge_patch(result.get(name), value)
    return result


def apply_json_patch(target: Any, patch: Any) -> Any:
    """RFC 6902: apply every operation in order; any failure rejects the whole patch."""
    if not isinstance(patch, list):
        raise bad_request("A JSON Patch body must be an array of operations")
    document = copy.deepcopy(target)
    for index, operation in enumerate(patch):
        where = f"JSON Patch operation {index}"
        if not isinstance(operation, dict):
            raise bad_request(f"{where}: must be an object like {{\"op\": \"add\", \"path\": ..., \"value\": ...}}")
        op = operation.get("op")
        if op not in _OPERATIONS:
            raise bad_request(f"{where}: op must be one of {', '.join(_OPERATIONS)}, not {op!r}")
        path = operation.get("path")
        if not isinstance(path, str):
            raise bad_request(f"{where} ({op}): needs a string \"path\"")
        where = f"{where} ({op} {path})"
        try:
            document = _apply(document, op, path, operation)
        except _PatchFailed as failure:
            raise bad_request(f"{where}: {failure}") from None
    return document


def _apply(document: Any, op: str, path: str, operation: dict) -> Any:
    if op in ("add", "replace", "test") and "value" not in operation:
        raise _PatchFailed('needs a "value"')
    if op in ("move", "copy"):
        source = operation.get("from")
        if not isinstance(source, str):
            raise _PatchFailed('needs a string "from"')
    if op == "add":
        return _add(document, _pointer(path), copy.deepcopy(operation["value"]))
    if op == "remove":
        return _remove(document, _pointer(path))[0]
    if op == "replace":
        tokens = _pointer(path)
        document, _ = _remove(document, tokens)
        return _add(document, tokens, copy.deepcopy(operation["value"]))
    if op == "test":
        if not _json_equal(_get(document, _pointer(path)), operation["value"]):
            raise _PatchFailed("the value is not the expected one")
        return document
    from_tokens = _pointer(operation["from"])
    if op == "move":
        to_tokens = _pointer(path)
        if to_tokens[:len(from_tokens)] == from_tokens and to_tokens != from_tokens:
            raise _PatchFailed("cannot move a value into itself")
        document, value = _remove(document, from_tokens)
        return _add(document, to_tokens, value)
    return _add(document, _pointer(path), copy.deepcopy(_get(document, from_tokens)))


def _pointer(path: str) -> list[str]:
    """RFC 6901: "" is the whole document; "/a~1b/c~0d" -> ["a/b", "c~d"]."""
    if path == "":
        return []
    if not path.startswith("/"):
        raise _PatchFailed(f"{path!r} is not a JSON Pointer (it must start with '/')")
    return [token.replace("~1", "/").replace("~0", "~") for token in path[1:].split("/")]


def _index(container: list, token: str, *, for_add: bool) -> int:
    if for_add and token == "-":
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise _PatchFailed(f"{token!r} is not an array index")
    index = int(token)
    if index > len(container) or (index == len(container) and not for_add):
        raise _PatchFailed(f"array index {index} is out of range")
    return index


def _parent(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens[:-1]:
        node = _child(node, token)
    return node


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        if token not in node:
            raise _PatchFailed(f"there is no member {token!r}")
        return node[token]
    if isinstance(node, list):
        return node[_index(node, token, for_add=False)]
    raise _PatchFailed(f"cannot look up {token!r} inside a {type(node).__name__}")


def _get(document: Any, tokens: list[str]) -> Any:
    node = document
    for token in tokens:
        node = _child(node, token)
    return node


def _add(document: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent, last = _parent(document, tokens), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_add=True), value)
    else:
        raise _PatchFailed(f"cannot add {last!r} to a {type(parent).__name__}")
    return document


def _remove(document: Any, tokens: list[str]) -> tuple[Any, Any]:
    """(document without the value, the value)."""
    if not tokens:
        return None, document
    parent, last = _parent(document, tokens), tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _PatchFailed(f"there is no member {last!r}")
        return document, parent.pop(last)
    if isinstance(parent, list):
        return document, parent.pop(_index(parent, last, for_add=False))
    raise _PatchFailed(f"cannot remove {last!r} from a {type(parent).__name__}")


def _json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON means it: true is not 1, 1 is 1.0, order matters in arrays only."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right))
    return type(left) is type(right) and left == right
