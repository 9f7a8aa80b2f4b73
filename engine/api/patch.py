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
from .shape import ANY, LIST, MAP, MODEL, Shape

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


# A patched document holds at most this many values (objects, arrays and
# scalars), and its JSON text at most the body limit (`max_size`): a 1 KB
# patch of `copy` operations doubling one member took 14.7 s and 1.18 GB.
MAX_PATCH_NODES = 100_000
# Values a whole patch may copy, compare or measure (a bound on its work).
MAX_PATCH_WORK = 1_000_000


class _Budget:
    """The patched document's size, kept up to date operation by operation."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.nodes = 0
        self.size = 0
        self.work = 0

    def measure(self, value: Any) -> tuple[int, int]:
        """(values, characters of JSON text, about) of `value`, counted as work."""
        nodes, size, stack = 0, 0, [value]
        while stack:
            item = stack.pop()
            nodes += 1
            if nodes + self.work > MAX_PATCH_WORK:
                raise _PatchFailed(f"the patch does too much work (it copies or compares more than "
                                   f"{MAX_PATCH_WORK:,} values)")
            if isinstance(item, dict):
                size += 2 + sum(len(key) + 4 for key in item)
                stack.extend(item.values())
            elif isinstance(item, list):
                size += 2 + len(item)
                stack.extend(item)
            elif isinstance(item, str):
                size += len(item) + 2
            else:
                size += 5
        self.work += nodes
        return nodes, size

    def grow(self, value: Any) -> None:
        nodes, size = self.measure(value)
        self.nodes += nodes
        self.size += size
        if self.nodes > MAX_PATCH_NODES or self.size > self.max_size:
            raise _PatchFailed(f"the patched request would be larger than a request may be "
                               f"({MAX_PATCH_NODES:,} values, {self.max_size:,} bytes)")

    def shrink(self, value: Any) -> None:
        nodes, size = self.measure(value)
        self.nodes -= nodes
        self.size -= size


def apply_json_patch(target: Any, patch: Any, *, shape: Shape | None = None, max_size: int = 1024 * 1024) -> Any:
    """RFC 6902: apply every operation in order; any failure rejects the whole
    patch. With `shape` (api/shape.py) every path must lead into the request
    model, checked before anything is applied; the document stays within
    MAX_PATCH_NODES values and `max_size` characters of JSON text."""
    if not isinstance(patch, list):
        raise bad_request("A JSON Patch body must be an array of operations")
    operations = [_checked_operation(index, operation, shape) for index, operation in enumerate(patch)]
    budget = _Budget(max_size)
    document = copy.deepcopy(target)
    budget.grow(document)
    for where, op, path, operation in operations:
        try:
            document = _apply(document, op, path, operation, budget)
        except _PatchFailed as failure:
            raise bad_request(f"{where}: {failure}") from None
    return document


def _checked_operation(index: int, operation: Any, shape: Shape | None) -> tuple[str, str, str, dict]:
    """(where, op, path, operation) of a well-formed operation whose paths lead into `shape`."""
    where = f"JSON Patch operation {index}"
    if not isinstance(operation, dict):
        raise bad_request(f"{where}: must be an object like {{\"op\": \"add\", \"path\": ..., \"value\": ...}}")
    op = operation.get("op")
    if op not in _OPERATIONS:
        raise bad_request(f"{where}: op must be one of {', '.join(_OPERATIONS)}, not {str(op)[:40]!r}")
    path = operation.get("path")
    if not isinstance(path, str):
        raise bad_request(f"{where} ({op}): needs a string \"path\"")
    where = f"{where} ({op} {path[:200]})"
    try:
        if op in ("add", "replace", "test") and "value" not in operation:
            raise _PatchFailed('needs a "value"')
        paths = [path]
        if op in ("move", "copy"):
            source = operation.get("from")
            if not isinstance(source, str):
                raise _PatchFailed('needs a string "from"')
            paths.append(source)
        if shape is not None:
            for each in paths:
                _check_in_model(_pointer(each), shape)
    except _PatchFailed as failure:
        raise bad_request(f"{where}: {failure}") from None
    return where, op, path, operation


def _check_in_model(tokens: list[str], shape: Shape) -> None:
    """The path leads to a member of the request model (a map takes any key,
    a list an index), never outside it."""
    for depth, token in enumerate(tokens):
        if shape.kind == MODEL:
            found = shape.field_named(token)
            if found is None:
                members = ", ".join(shape.fields())
                raise _PatchFailed(f"/{'/'.join(tokens[:depth + 1])[:200]} is not a member of the request "
                                   f"(members here: {members})")
            shape = found[1]
        elif shape.kind in (MAP, LIST):
            shape = shape.item
        elif shape.kind != ANY:
            raise _PatchFailed(f"/{'/'.join(tokens[:depth])[:200]} is a single value and has no members")


def _apply(document: Any, op: str, path: str, operation: dict, budget: _Budget) -> Any:
    if op == "add":
        value = operation["value"]
        budget.grow(value)
        document, replaced = _add(document, _pointer(path), copy.deepcopy(value))
        if replaced is not _NOTHING:
            budget.shrink(replaced)
        return document
    if op == "remove":
        document, removed = _remove(document, _pointer(path))
        budget.shrink(removed)
        return document
    if op == "replace":
        tokens = _pointer(path)
        document, removed = _remove(document, tokens)
        budget.shrink(removed)
        budget.grow(operation["value"])
        return _add(document, tokens, copy.deepcopy(operation["value"]))[0]
    if op == "test":
        budget.measure(operation["value"])
        if not _json_equal(_get(document, _pointer(path)), operation["value"]):
            raise _PatchFailed("the value is not the expected one")
        return document
    from_tokens = _pointer(operation["from"])
    if op == "move":
        to_tokens = _pointer(path)
        if to_tokens[:len(from_tokens)] == from_tokens and to_tokens != from_tokens:
            raise _PatchFailed("cannot move a value into itself")
        document, value = _remove(document, from_tokens)
        document, replaced = _add(document, to_tokens, value)
        if replaced is not _NOTHING:
            budget.shrink(replaced)
        return document
    value = _get(document, from_tokens)
    budget.grow(value)  # before the copy is made
    document, replaced = _add(document, _pointer(path), copy.deepcopy(value))
    if replaced is not _NOTHING:
        budget.shrink(replaced)
    return document


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
    # ASCII digits only ("²".isdigit() is true); more digits than any list
    # could have is out of range before Python is asked to convert them.
    if not (token.isascii() and token.isdigit()) or (token != "0" and token.startswith("0")):
        raise _PatchFailed(f"{token[:40]!r} is not an array index")
    if len(token) > 9:
        raise _PatchFailed(f"array index {token[:40]}... is out of range")
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


_NOTHING = object()  # what _add replaced when it replaced nothing


def _add(document: Any, tokens: list[str], value: Any) -> tuple[Any, Any]:
    """(the document with `value` added, the value it replaced or _NOTHING)."""
    if not tokens:
        return value, document
    parent, last = _parent(document, tokens), tokens[-1]
    replaced = _NOTHING
    if isinstance(parent, dict):
        replaced = parent.get(last, _NOTHING)
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_add=True), value)
    else:
        raise _PatchFailed(f"cannot add {last[:40]!r} to a {type(parent).__name__}")
    return document, replaced


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
        return len(left) == len(right) and all(_json_equal(a, b) for a, b in zip(left, right, strict=False))
    return type(left) is type(right) and left == right
