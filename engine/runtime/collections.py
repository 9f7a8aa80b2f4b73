"""Arrays, Map and Vector: the built-in collections of CRMScript.

Arrays (`T[]`, `T[n][m]`) are `Array` objects: a `list` subclass that knows
how to make a fresh element (the element type's default value), so
`pushBack()` without an argument and `Integer[5] a;` both work. A
multi-dimensional array is an Array of Arrays.

The compiler uses three helpers instead of indexing lists directly, because
CRMScript indexes are never negative and an index out of range is a runtime
error the script can catch:

    new_array(element_default, dims, sizes, limit)   `T[3][4] a;`
    array_get(a, i)                                  `a[i]`
    array_set(a, i, value)                           `a[i] = value`

Map is ordered by key (the docs: "the elements in a map are automatically
sorted on their keys", like a C++ std::map<string, string>) and carries the
first/next/eof cursor. Vector is a list of strings.

Growing operations receive the RunContext so they can enforce
`ctx.limits.collection_size` (a CRMScriptLimitError, which `catch` never
swallows). Decisions the reference leaves open are in docs/library-collections.md.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..errors import CRMScriptLimitError, CRMScriptRuntimeError
from .datetimes import TemporalValue
from .limits import check_deadline, string_limit_error
from .numbers import parse_integer
from .table import LIBRARY, builtin

ElementFactory = Callable[[], Any]


def _copy_value(value: Any) -> Any:
    """Date/DateTime/Time/TimeSpan are values: a collection stores its own copy."""
    if isinstance(value, TemporalValue):
        return value.copy()
    return value


def check_collection_size(ctx: Any, new_length: int, what: str = "collection") -> None:
    """Raise the sandbox limit error when a collection would grow past the limit."""
    limit = ctx.limits.collection_size if ctx is not None else None
    if limit is not None and new_length > limit:
        raise CRMScriptLimitError(
            f"{what} would hold {new_length} elements; the limit is {limit}")


def _index_error(index: int, length: int, kind: str = "array") -> CRMScriptRuntimeError:
    return CRMScriptRuntimeError(
        f"index {index} is out of range for {'an' if kind[0] in 'aeiou' else 'a'} "
        f"{kind} of length {length}")


# ---------------------------------------------------------------------------
# Arrays
# ---------------------------------------------------------------------------


class Array(list):
    """A CRMScript array: a list plus the factory for its element type's default."""

    __slots__ = ("element_default",)

    def __init__(self, element_default: ElementFactory = lambda: None,
                 items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.element_default = element_default

    def new_element(self) -> Any:
        return self.element_default()

    def __repr__(self) -> str:
        return f"Array({list.__repr__(self)})"


def new_array(element_default: ElementFactory, dims: int = 1,
              sizes: Sequence[int] = (), limit: int | None = None) -> Array:
    """The value of a declaration `T[s1][s2]... a;` with `dims` pairs of brackets.

    `element_default` makes one default value of the base type T (0, "", a
    struct instance, ...). `sizes` are the declared lengths, outermost first;
    levels without a size start empty. `limit` is ctx.limits.collection_size.
    """
    if dims < 1:
        raise ValueError("new_array needs at least one dimension")
    if len(sizes) > dims:
        raise ValueError("more sizes than array dimensions")
    total = 1  # a nested array counts as one collection: all its elements
    for size in sizes:
        if size < 0:
            raise CRMScriptRuntimeError(f"array size {size} is negative")
        total *= size
        if limit is not None and total > limit:
            raise CRMScriptLimitError(
                f"the array would hold {total} elements; the limit is {limit}")
    return _build_array(element_default, dims, tuple(sizes))


def _build_array(element_default: ElementFactory, dims: int, sizes: tuple[int, ...]) -> Array:
    if dims == 1:
        inner_default = element_default
    else:
        def inner_default() -> Array:  # a new, empty (or sized) sub-array
            return _build_array(element_default, dims - 1, sizes[1:])
    array = Array(inner_default)
    if sizes:
        array.extend(inner_default() for _ in range(sizes[0]))
    return array


def array_get(array: list, index: int) -> Any:
    """`a[i]`: out of range (also negative) is a runtime error."""
    if 0 <= index < len(array):
        return array[index]
    raise _index_error(index, len(array))


def array_set(array: list, index: int, value: Any) -> Any:
    """`a[i] = value`; returns the stored value."""
    if 0 <= index < len(array):
        array[index] = value = _copy_value(value)
        return value
    raise _index_error(index, len(array))


def index_fail(index: int, array: list) -> Any:
    """The failing branch of the compiler's inline `a[i]` bounds check."""
    raise _index_error(index, len(array))


def _empty_error(method: str) -> CRMScriptRuntimeError:
    return CRMScriptRuntimeError(f"{method}() on an empty array: index 0 is out of range")


@builtin("Integer Array.length()")
def array_length(self: Array) -> int:
    return len(self)


@builtin("Void Array.pushBack(T value)", context=True)
def array_push_back(ctx, self: Array, value: Any) -> None:
    check_collection_size(ctx, len(self) + 1, "the array")
    self.append(_copy_value(value))


@builtin("Void Array.pushBack()", context=True)
def array_push_back_default(ctx, self: Array) -> None:
    check_collection_size(ctx, len(self) + 1, "the array")
    self.append(self.new_element())


@builtin("Void Array.pushFront(T value)", context=True)
def array_push_front(ctx, self: Array, value: Any) -> None:
    check_collection_size(ctx, len(self) + 1, "the array")
    self.insert(0, _copy_value(value))


@builtin("Void Array.pushFront()", context=True)
def array_push_front_default(ctx, self: Array) -> None:
    check_collection_size(ctx, len(self) + 1, "the array")
    self.insert(0, self.new_element())


@builtin("T Array.popBack()")
def array_pop_back(self: Array) -> Any:
    if not self:
        raise _empty_error("popBack")
    return self.pop()


@builtin("T Array.popFront()")
def array_pop_front(self: Array) -> Any:
    if not self:
        raise _empty_error("popFront")
    return self.pop(0)


@builtin("Void Array.insert(Integer index, T value)", context=True)
def array_insert(ctx, self: Array, index: int, value: Any) -> None:
    # Inserting at length() appends; anything past that is out of range.
    if not 0 <= index <= len(self):
        raise CRMScriptRuntimeError(
            f"insert position {index} is out of range for an array of length {len(self)}")
    check_collection_size(ctx, len(self) + 1, "the array")
    self.insert(index, _copy_value(value))


@builtin("T Array.first()")
def array_first(self: Array) -> Any:
    if not self:
        raise _empty_error("first")
    return self[0]


@builtin("T Array.last()")
def array_last(self: Array) -> Any:
    if not self:
        raise CRMScriptRuntimeError("last() on an empty array: index -1 is out of range")
    return self[-1]


@builtin("Void Array.clear()")
def array_clear(self: Array) -> None:
    self.clear()


LIBRARY.register_class("Array", Array)


# ---------------------------------------------------------------------------
# Map
# ---------------------------------------------------------------------------


def _format_number(value: float) -> str:
    """A Float as CRMScript writes it into a Map value: C's "%f"."""
    return f"{value:f}"


# The leading number of a Map value, read the way C's strtol/strtod would
# (ASCII digits only: Python's int() would also take "1_0" and other scripts' digits).
_LEADING_NUMBER = re.compile(r"\s*([+-]?\d+)(\.\d*)?([eE][+-]?\d+)?", re.ASCII)


def _parse_number(text: str) -> int | float:
    """The numeric value of a Map value for increaseValueForKey: an Integer
    when it is written as one, else a Float; 0 when it is not a number."""
    match = _LEADING_NUMBER.match(text)
    if match is None:
        return 0
    if match.group(2) is None and match.group(3) is None:
        return int(match.group(1))
    number = float(match.group(0))
    return number if math.isfinite(number) else 0


_AT_END = object()  # cursor marker: past the last element (eof)


class Map:
    """String keys to String values, ordered by key, with an internal cursor.

    The sorted key list is built lazily: adding keys only marks it stale, so
    filling a map costs O(n log n) in total, not a list insertion per key.
    While the list is stale the cursor is remembered by key (`_cursor_key`:
    None = the first element, _AT_END = eof, else the key it is on), the way a
    std::map iterator stays on its element when other keys are added.
    """

    __slots__ = ("_values", "_keys", "_pos", "_cursor_key")

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._keys: list[str] | None = []  # sorted; None when stale
        self._pos = 0  # cursor: index into _keys; == len(_keys) means eof
        self._cursor_key: Any = None

    # -- the sorted view and the cursor ---------------------------------
    def sorted_keys(self) -> list[str]:
        keys = self._keys
        if keys is None:
            keys = self._keys = sorted(self._values)
            where = self._cursor_key
            if where is None:
                self._pos = 0
            elif where is _AT_END:
                self._pos = len(keys)
            else:  # the key it was on, or the next one if that was removed
                self._pos = bisect.bisect_left(keys, where)
        return keys

    def _mark_stale(self) -> None:
        if self._keys is not None:
            if not self._keys:  # an empty map's cursor starts on what is added
                self._cursor_key = None
            elif self._pos >= len(self._keys):
                self._cursor_key = _AT_END
            else:
                self._cursor_key = self._keys[self._pos]
            self._keys = None

    def rewind(self) -> bool:
        """Cursor to the first element; False when the map is empty."""
        self._keys = self.sorted_keys()
        self._pos = 0
        return bool(self._values)

    def reset_cursor(self) -> None:
        if self._keys is None:
            self._cursor_key = None
        else:
            self._pos = 0

    def at_end(self) -> bool:
        keys = self.sorted_keys()  # first: rebuilding may move _pos
        return self._pos >= len(keys)

    def current_key(self) -> str | None:
        keys = self.sorted_keys()
        return keys[self._pos] if self._pos < len(keys) else None

    def advance(self) -> bool:
        keys = self.sorted_keys()
        if self._pos < len(keys):
            self._pos += 1
        return self._pos < len(keys)

    # -- Python-side helpers (used by other runtime modules and tests) --
    def items(self) -> list[tuple[str, str]]:
        return [(k, self._values[k]) for k in self.sorted_keys()]

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self):
        return iter(list(self.sorted_keys()))

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __repr__(self) -> str:
        return f"Map({self.items()!r})"

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Map:
        m = cls()
        for key, value in pairs:
            m.set(key, value)
        return m

    def get(self, key: str, default: str = "") -> str:
        return self._values.get(key, default)

    def set(self, key: str, value: str) -> None:
        """Insert or overwrite without moving the cursor off its element."""
        if key not in self._values:
            self._mark_stale()
        self._values[key] = value

    def delete(self, key: str) -> None:
        if key not in self._values:
            return
        del self._values[key]
        if self._keys is not None:
            index = bisect.bisect_left(self._keys, key)
            del self._keys[index]
            # Keep the cursor on the same element; removing the current one
            # moves it to the next (like std::map::erase returning the next).
            if index < self._pos:
                self._pos -= 1
        # stale: the remembered cursor key finds its place (or the next) later

    def clear_all(self) -> None:
        self._values.clear()
        self._keys = []
        self._pos = 0
        self._cursor_key = None


def map_from_text(text: str) -> Map:
    """Map("key=value\\nkey=value"): one pair a line, split at the first '='.

    Keys and values are trimmed, blank lines skipped, and a line without '='
    is a key with an empty value.
    """
    result = Map()
    for line in text.split("\n"):
        if not line.strip():
            continue
        key, _, value = line.partition("=")
        result.set(key.strip(), value.strip())
    return result


@builtin("Map Map()")
def map_new() -> Map:
    return Map()


@builtin("Map Map(String value)", context=True)
def map_new_from_text(ctx, value: str) -> Map:
    # One pair a line: more lines than the limit is refused before the Python loop over them.
    check_collection_size(ctx, value.count("\n") + 1, "the map")
    check_deadline(ctx)
    return map_from_text(value)


@builtin("Map Map.insert(String key, String value)", context=True)
def map_insert(ctx, self: Map, key: str, value: str) -> Map:
    # Map.set + reset_cursor written out: this is the hot path of filling a map.
    values = self._values
    if key in values:
        values[key] = value
        self.reset_cursor()  # documented: insert() resets the iterator
        return self
    if len(values) >= ctx.limits.collection_size:
        check_collection_size(ctx, len(values) + 1, "the map")
    values[key] = value
    self._keys = None  # a new key: the sorted view is stale...
    self._cursor_key = None  # ...and the reset cursor starts on the first key
    return self


@builtin("Bool Map.exists(String key)")
def map_exists(self: Map, key: str) -> bool:
    return key in self._values


@builtin("Integer Map.size()")
def map_size(self: Map) -> int:
    return len(self._values)


@builtin("String Map.get(String key)")
def map_get(self: Map, key: str) -> str:
    return self._values.get(key, "")


def map_set(mapping: Map, key: str, value: str, limit: int | None = None) -> str:
    """`m[key] = value`; returns the stored value. `limit` is the run's
    collection size limit (the generated code passes it): a new key must not
    pass it."""
    if limit is not None and len(mapping._values) >= limit and key not in mapping._values:
        raise CRMScriptLimitError(f"the map would hold {len(mapping._values) + 1} elements; the limit is {limit}")
    mapping.set(key, value)
    return value


@builtin("String Map.getKey()")
def map_get_key(self: Map) -> str:
    key = self.current_key()
    return "" if key is None else key


@builtin("String Map.getVal()")
def map_get_val(self: Map) -> str:
    key = self.current_key()
    return "" if key is None else self._values[key]


@builtin("Void Map.increaseValueForKey(String key, Integer value)", context=True)
def map_increase_by_integer(ctx, self: Map, key: str, value: int) -> None:
    current = _parse_number(self._values.get(key, "0"))
    total = current + value
    new_text = str(total) if isinstance(total, int) else _format_number(total)
    if key not in self._values:
        check_collection_size(ctx, len(self) + 1, "the map")
    self.set(key, new_text)


@builtin("Void Map.increaseValueForKey(String key, Float value)", context=True)
def map_increase_by_float(ctx, self: Map, key: str, value: float) -> None:
    current = _parse_number(self._values.get(key, "0"))
    if key not in self._values:
        check_collection_size(ctx, len(self) + 1, "the map")
    self.set(key, _format_number(current + value))


@builtin("Void Map.remove(String key)")
def map_remove(self: Map, key: str) -> None:
    self.delete(key)


@builtin("Void Map.clear()")
def map_clear(self: Map) -> None:
    self.clear_all()


@builtin("Bool Map.eof()")
def map_eof(self: Map) -> bool:
    return self.at_end()


@builtin("Bool Map.first()")
def map_first(self: Map) -> bool:
    return self.rewind()


@builtin("Bool Map.next()")
def map_next(self: Map) -> bool:
    return self.advance()


@builtin("String Map.toJson()")
def map_to_json(self: Map) -> str:
    # Compact and ordered by key, like the docs' fromJson sample.
    return json.dumps(dict(self.items()), ensure_ascii=False, separators=(",", ":"))


class _JsonNumber(str):
    """A JSON number kept as its source text ("12.500000" stays as written)."""


def _compact_json(value: Any) -> str:
    if isinstance(value, _JsonNumber):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _compact_json(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_compact_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _json_value_as_text(value: Any) -> str:
    """A JSON member's value as a Map value: strings as they are, null as "",
    numbers and booleans as their JSON text, objects/arrays as compact JSON."""
    if isinstance(value, _JsonNumber):
        return str(value)
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return _compact_json(value)


@builtin("Void Map.fromJson(String json)", context=True)
def map_from_json(ctx, self: Map, json_text: str) -> None:
    # Every JSON value but the first follows a '[', ',' or ':': more than the
    # limit is refused before json.loads builds them.
    check_collection_size(ctx, 1 + json_text.count("[") + json_text.count(",") + json_text.count(":"), "the map")
    check_deadline(ctx)
    try:
        data = json.loads(json_text, parse_float=_JsonNumber, parse_int=_JsonNumber,
                          parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise CRMScriptRuntimeError(f"Map.fromJson: invalid JSON: {_json_error(exc)}") from None
    if not isinstance(data, dict):
        raise CRMScriptRuntimeError("Map.fromJson: the JSON must be an object of key-value pairs")
    new_keys = sum(1 for key in data if key not in self._values)
    check_collection_size(ctx, len(self) + new_keys, "the map")
    for key, value in data.items():
        self.set(key, _json_value_as_text(value))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _json_error(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


LIBRARY.register_class("Map", Map, default=Map)


# ---------------------------------------------------------------------------
# Vector
# ---------------------------------------------------------------------------


class Vector(list):
    """A list of Strings."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Vector({list.__repr__(self)})"


def _vector_index(self: Vector, index: int) -> None:
    if not 0 <= index < len(self):
        raise _index_error(index, len(self), "vector")


@builtin("Vector Vector()")
def vector_new() -> Vector:
    return Vector()


@builtin("Vector Vector(Integer[] value)")
def vector_from_integers(value: list) -> Vector:
    return Vector(str(v) for v in value)


@builtin("Void Vector.parseString(String text, String delimiter)", context=True)
def vector_parse_string(ctx, self: Vector, text: str, delimiter: str) -> None:
    # Replaces the contents; no escapes (documented). An empty text is no field.
    if text == "":
        fields: list[str] = []
    elif delimiter == "":
        fields = [text]
    else:
        check_collection_size(ctx, text.count(delimiter) + 1, "the vector")  # before splitting
        fields = text.split(delimiter)
    self[:] = fields


@builtin("Void Vector.pushBack(String element)", context=True)
def vector_push_back(ctx, self: Vector, element: str) -> None:
    check_collection_size(ctx, len(self) + 1, "the vector")
    self.append(element)


@builtin("Void Vector.set(Integer index, String value)")
def vector_set(self: Vector, index: int, value: str) -> None:
    _vector_index(self, index)
    self[index] = value


@builtin("String Vector.get(Integer index)")
def vector_get(self: Vector, index: int) -> str:
    _vector_index(self, index)
    return self[index]


@builtin("Integer Vector.size()")
def vector_size(self: Vector) -> int:
    return len(self)


@builtin("Integer[] Vector.toIntegerArray()")
def vector_to_integer_array(self: Vector) -> Array:
    # "Invalid values will be represented as null": an Integer's null is 0 here.
    return Array(int, (parse_integer(v) for v in self))


@builtin("String[] Vector.toStringArray()")
def vector_to_string_array(self: Vector) -> Array:
    return Array(str, self)


@builtin("String Vector.buildString(String delimiter)", context=True)
def vector_build_string(ctx, self: Vector, delimiter: str) -> str:
    """The elements joined; the length is known (and checked) before the text is made."""
    length = sum(map(len, self)) + len(delimiter) * max(len(self) - 1, 0)
    if length > ctx.limits.string_length:
        raise string_limit_error(ctx.limits)
    return delimiter.join(self)


@builtin("Void Vector.removeAt(Integer index)")
def vector_remove_at(self: Vector, index: int) -> None:
    _vector_index(self, index)
    del self[index]


LIBRARY.register_class("Vector", Vector, default=Vector)
