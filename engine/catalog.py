"""The trigger catalog: every documented event type with its numeric id,
phase and the input keys that trigger sends.

The facts live in `engine/data/events.json` (built from the team spec's
events.json; see docs/handlers.md, "Trigger catalog"). The catalog drives
`getType()` (the numeric id, 0 when unknown), `crmscript events`, and the
warnings about requests that do not fit the trigger: those are warnings,
never failures, because real installations send extra keys.

Input key patterns (as documented, normalised in the data file):
- `SaleEntity.Associate.*`: any key starting with `SaleEntity.Associate.`;
- `SaleEntity.VisibleFor[].*`, `LocalizedAddress[*].length`: `[]`/`[*]`
  stand for any index (`[0]`, `[12]`) or none;
- `*.value`: ServiceScreen triggers send one `<element>.value` per HTML element;
- `open: true`: the trigger also sends free-form keys (form fields, UI
  variables), so no key is ever unexpected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .suggestions import closest


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """`A.B[].*` -> a regex matching the keys the pattern stands for."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("[*]", i):
            out.append(r"(?:\[[^\]]*\])?")
            i += 3
        elif pattern.startswith("[]", i):
            out.append(r"(?:\[[^\]]*\])?")
            i += 2
        elif pattern[i] == "*":
            out.append(r".+")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class EventType:
    """One trigger of the catalog."""

    name: str
    id: int | None  # None: the reference documents no number for it
    phase: str  # before | after | load | other
    input_keys: tuple[str, ...]
    open: bool = False  # also sends free-form keys
    _exact: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_data(cls, data: dict) -> EventType:
        keys = tuple(data.get("input_keys", ()))
        wild = [k for k in keys if "*" in k or "[" in k]
        return cls(
            name=data["name"],
            id=data.get("id"),
            phase=data.get("phase", "other"),
            input_keys=keys,
            open=bool(data.get("open", False)),
            _exact=frozenset(k for k in keys if k not in wild),
            _patterns=tuple(_pattern_regex(k) for k in wild),
        )

    @property
    def type_id(self) -> int:
        """What getType() returns: the numeric id, 0 when none is documented."""
        return self.id if self.id is not None else 0

    def receives(self, key: str) -> bool:
        """Does this trigger (as documented) ever send input key `key`?"""
        if self.open or key in self._exact:
            return True
        return any(p.match(key) for p in self._patterns)


class Catalog:
    """All event types by name. Names are unique; ids may repeat (113, 1002, 1011)."""

    def __init__(self, types: list[EventType]):
        self._by_name = {t.name: t for t in types}
        if len(self._by_name) != len(types):
            raise ValueError("event catalog: duplicate event type names")

    @classmethod
    def from_json(cls, text: str) -> Catalog:
        return cls([EventType.from_data(item) for item in json.loads(text)])

    def __iter__(self) -> Iterator[EventType]:
        return iter(sorted(self._by_name.values(), key=lambda t: t.name))

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> EventType | None:
        return self._by_name.get(name)

    def type_id(self, name: str) -> int:
        """getType(): the event type's numeric id; 0 when unknown or undocumented."""
        event_type = self._by_name.get(name)
        return event_type.type_id if event_type is not None else 0

    def names_for_id(self, type_id: int) -> list[str]:
        return sorted(t.name for t in self._by_name.values() if t.id == type_id)

    def suggest(self, name: str) -> str | None:
        """The catalog name `name` most likely misspells (a case slip or a typo), if any."""
        return _closest_name(name, tuple(self._by_name))

    def warnings_for(self, event_type: str, input_keys) -> list[str]:
        """Why a request does not fit the catalog (never a failure)."""
        known = self._by_name.get(event_type)
        if known is None:
            if not event_type:
                return ["event has no Type: no handler can run and getType() returns 0"]
            hint = self.suggest(event_type)
            extra = f" (did you mean {hint}?)" if hint else ""
            return [f"unknown event type {event_type!r}{extra}: getType() returns 0"]
        return [self.unsent_key_message(known, key) for key in input_keys if not known.receives(key)]

    def unsent_key(self, event_type: str, key: str) -> str | None:
        """Why `key` does not fit `event_type` (with a did-you-mean), or None
        when the trigger sends it or is not in the catalog."""
        known = self._by_name.get(event_type)
        if known is None or known.receives(key):
            return None
        return self.unsent_key_message(known, key)

    @staticmethod
    def unsent_key_message(trigger: EventType, key: str) -> str:
        hint = _closest_key(key, trigger.input_keys)
        extra = f" (did you mean {hint!r}?)" if hint else ""
        return f"input key {key!r} is never sent by {trigger.name}{extra}"


@lru_cache(maxsize=1024)  # warnings_for runs per event: a client repeats its unknown types
def _closest_name(name: str, known: tuple[str, ...]) -> str | None:
    return closest(name, known)


@lru_cache(maxsize=1024)  # warnings_for runs per event: a client repeats its unexpected keys
def _closest_key(key: str, known: tuple[str, ...]) -> str | None:
    """The documented key `key` most likely misspells (a case slip or a typo)."""
    return closest(key, [k for k in known if "*" not in k and "[" not in k])


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The catalog shipped with the package (engine/data/events.json), loaded once."""
    text = resources.files("engine").joinpath("data/events.json").read_text(encoding="utf-8")
    return Catalog.from_json(text)
