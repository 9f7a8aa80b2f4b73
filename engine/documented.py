"""The documented library beside the simulated one.

The checker looks every library name up in the signature table first
(`runtime.table.Library`: what the simulator runs, plugins included) and
only then in the public reference (`engine.reference`: everything
documented). A documented member the table lacks still type-checks with its
documented parameter and return types; its Signature has `impl=None`, so the
compiler calls its "not simulated" stub (runtime/unsimulated.py). The
reference is read only when a name is not in the table: a script that uses
only simulated members never loads it.

The same comparison answers `crmscript check --list-simulated` (which
documented members run, which only type-check) and checks a plugin's
registrations against the documented signatures (a contradiction is a setup
error naming both).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .parser import is_known_type_name
from .runtime.table import GLOBAL, ClassInfo, Library, Signature
from .runtime.unsimulated import provided, runs
from .types import Type

# The documented global functions' names (generated beside the table): whether
# a plugin's function may be documented is answered without reading the table.
FUNCTION_NAMES_FILE = Path(__file__).resolve().parent / "data" / "function_names.txt"


def _reference():
    from .reference import reference  # read on first use only (cold start)

    return reference()


@functools.cache
def _signature(member) -> Signature:
    """The Signature of a documented overload (one object per overload); a
    provider's implementation where one answers it (runtime/unsimulated.py)."""
    return provided(member.signature())


def _param_types(sig) -> tuple[Type, ...]:
    return tuple(p.type for p in sig.params)


class DocumentedLookup:
    """What the signature table lacks and the reference documents, for one library."""

    def __init__(self, library: Library) -> None:
        self.library = library

    # ---------------------------------------------------------------- types

    @staticmethod
    def is_type(name: str) -> bool:
        """A documented type a script can declare (value type, class, agent, carrier)."""
        return _reference().is_type(name)

    @staticmethod
    def is_enum(name: str) -> bool:
        found = _reference().cls(name)
        return found is not None and found.kind == "enum"

    @staticmethod
    def enum_constant(enum: str, name: str):
        """The documented constant `enum.name` (an EnumConstant), or None."""
        return next((c for c in _reference().constants(enum) if c.name == name), None)

    @staticmethod
    def enum_constant_names(enum: str) -> list[str]:
        return [c.name for c in _reference().constants(enum)]

    @staticmethod
    def type_names() -> list[str]:
        """Every documented class and enum name (did-you-mean candidates)."""
        return _reference().class_names()

    # -------------------------------------------------------------- members

    def more_functions(self, name: str) -> list[Signature]:
        """Overloads of the global function `name` beyond `library.functions[name]`:
        the table's under the documented spelling, then the documented ones it lacks."""
        documented = _reference().functions(name)
        return self._more(self.library.functions, name, documented)

    def more_methods(self, owner: str, name: str) -> list[Signature]:
        """As more_functions, for the method `name` of the class `owner`."""
        documented = _reference().methods(owner, name)
        info = self.library.classes.get(owner)
        return self._more(info.methods if info else {}, name, documented)

    def more_constructors(self, owner: str) -> list[Signature]:
        """The documented constructors of `owner` the table lacks."""
        info = self.library.classes.get(owner)
        simulated = {_param_types(s) for s in info.constructors} if info else set()
        return [_signature(m) for m in _reference().constructors(owner) if _param_types(m) not in simulated]

    @staticmethod
    def _more(table: dict[str, list[Signature]], name: str, documented: tuple) -> list[Signature]:
        if not documented:
            return []
        spelling = documented[0].name  # the documented name, where `name` is its other spelling
        found = list(table.get(spelling, ())) if spelling != name else []
        simulated = {_param_types(s) for s in (*table.get(name, ()), *found)}
        return found + [_signature(m) for m in documented if _param_types(m) not in simulated]

    @staticmethod
    def function_names() -> list[str]:
        return _reference().function_names()

    @staticmethod
    def method_names(owner: str) -> list[str]:
        found = _reference().cls(owner)
        return list(found.methods) if found else []


def documented_member(sig: Signature):
    """The reference's entry (a reference.Member: text, types, url) of a
    resolved call target, simulated or not, or None for an undocumented one
    (a plugin's own, the language's Array and Struct members): what an
    editor's hover shows for `Call.target` / `MethodCall.target`."""
    ref = _reference()
    if sig.owner == GLOBAL:
        overloads = ref.functions(sig.name)
    elif sig.is_constructor:
        overloads = ref.constructors(sig.owner)
    else:
        overloads = ref.methods(sig.owner, sig.name)
    return next((m for m in overloads if _param_types(m) == _param_types(sig)), None)


# ------------------------------------------------------------ what is simulated


@dataclass(frozen=True)
class MemberStatus:
    """One documented member name: how many of its overloads run."""

    name: str  # 'addField'; 'SearchEngine(...)' for the constructors
    documented: int  # overloads
    simulated: int  # overloads the signature table implements

    @property
    def runs(self) -> bool:
        return self.simulated > 0


@dataclass(frozen=True)
class ClassStatus:
    """A documented class (or the global functions, name "") and its members."""

    name: str
    kind: str  # 'value type', 'class', 'agent', 'carrier'; 'functions' for the global functions
    url: str
    members: tuple[MemberStatus, ...]

    @property
    def simulated(self) -> int:
        return sum(1 for m in self.members if m.runs)


def _simulated_types(overloads: Iterable[Signature]) -> set[tuple[Type, ...]]:
    return {_param_types(s) for s in overloads if s.impl is not None}


def _status(name: str, documented: tuple, overloads: list[Signature]) -> MemberStatus:
    simulated = _simulated_types(overloads)
    return MemberStatus(name, len(documented), sum(1 for m in documented
                                                   if _param_types(m) in simulated or runs(_signature(m))))


def simulation_table(library: Library) -> Iterator[ClassStatus]:
    """Per documented class, which members the library runs and which only type-check."""
    ref = _reference()
    functions = [
        _status(name, ref.functions(name), [*library.functions.get(name, ()),
                                            *(s for a in _aliases(ref.functions(name)) for s in library.functions.get(a, ()))])
        for name in ref.function_names()]
    yield ClassStatus(GLOBAL, "functions", "", tuple(functions))
    for cls in ref.classes():
        if not cls.is_type or not cls.documented:
            continue
        info = library.classes.get(cls.name) or ClassInfo(cls.name)
        members = [_status(f"{cls.name}(...)", cls.constructors, info.constructors)] if cls.constructors else []
        for name, overloads in cls.methods.items():
            implemented = [*info.methods.get(name, ()),
                           *(s for a in _aliases(overloads) for s in info.methods.get(a, ()))]
            members.append(_status(name, overloads, implemented))
        yield ClassStatus(cls.name, cls.kind, cls.url, tuple(members))


def _aliases(overloads: tuple) -> set[str]:
    return {alias for m in overloads for alias in m.aliases}


# ---------------------------------------------------- registrations vs the reference


@functools.cache
def documented_function_names() -> frozenset[str]:
    text = FUNCTION_NAMES_FILE.read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def may_be_documented(sig: Signature) -> bool:
    """False when the reference surely does not document `sig`'s member (a
    plugin's own function or class): then the table need not be read."""
    if sig.owner == GLOBAL:
        return sig.name in documented_function_names()
    return is_known_type_name(sig.owner)  # a documented class, or an NS... name


def contradiction(sig: Signature) -> str | None:
    """Why `sig` contradicts the reference, or None when it agrees or is not documented.

    A registration agrees when a documented overload of the same member has
    the same parameter types and return type. A member the reference does not
    document is an extension (a plugin's own function or class); so is a
    constructor without parameters (it makes the value `Name x;` has)."""
    if not may_be_documented(sig):
        return None
    ref = _reference()
    if sig.owner == GLOBAL:
        documented = ref.functions(sig.name)
    elif sig.is_constructor:
        if not sig.params:
            return None
        documented = ref.constructors(sig.owner)
    else:
        documented = ref.methods(sig.owner, sig.name)
    if not documented:
        return None
    same = [m for m in documented if _param_types(m) == _param_types(sig)]
    if same and same[0].returns == sig.returns:
        return None
    shown = same or documented
    listed = " and ".join(f"'{m.text}'" for m in shown)
    return f"'{sig}' contradicts the CRMScript reference, which documents {listed} ({shown[0].url})"


def contradictions(signatures: Iterable[Signature]) -> list[str]:
    return [found for found in map(contradiction, signatures) if found is not None]


def signatures_of(library: Library) -> Iterator[Signature]:
    """Every Signature of a table: global functions, then each class's constructors and methods."""
    for overloads in library.functions.values():
        yield from overloads
    for info in library.classes.values():
        yield from info.constructors
        for overloads in info.methods.values():
            yield from overloads


def added_signatures(library: Library, base: Library) -> list[Signature]:
    """The signatures `library` (a copy of `base`, extended) has and `base` has not."""
    known = {id(s) for s in signatures_of(base)}
    return [s for s in signatures_of(library) if id(s) not in known]


# ------------------------------------------------------------------ the listing

_KIND_ORDER = {"functions": 0, "value type": 1, "class": 2, "agent": 3, "carrier": 4}


def simulation_listing(library: Library, width: int = 100) -> list[str]:
    """`crmscript check --list-simulated`: per class, the members that run and
    those that only type-check (a call stops the run as "not simulated")."""
    import textwrap

    table = sorted(simulation_table(library), key=lambda c: (_KIND_ORDER[c.kind], c.name))
    members = [m for cls in table for m in cls.members]
    running = sum(1 for m in members if m.runs)
    lines = [f"{running} of {len(members)} documented members run in the simulator; the others type-check,",
             "and a call to one stops the run: 'X' is part of CRMScript but not simulated yet.",
             "A plugin answers them (docs/plugins.md). A member runs when one of its overloads does.", ""]

    def names(group: list[MemberStatus]) -> str:
        return ", ".join(m.name if m.simulated in (0, m.documented) else
                         f"{m.name} ({m.simulated} of {m.documented} overloads)" for m in group)

    for cls in table:
        title = "global functions" if cls.kind == "functions" else f"{cls.name} ({cls.kind})"
        runs = [m for m in cls.members if m.runs]
        checked = [m for m in cls.members if not m.runs]
        if not runs:
            lines.append(f"{title}: none of its {len(cls.members)} members runs")
            continue
        lines.append(f"{title}: {len(runs)} of {len(cls.members)} members run")
        for label, group in (("runs", runs), ("type-checks only", checked)):
            if group:
                lines.extend(textwrap.wrap(names(group), width, initial_indent=f"  {label}: ",
                                           subsequent_indent="    "))
    return lines
