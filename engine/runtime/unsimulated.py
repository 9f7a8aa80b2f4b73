"""What the generated code calls for a documented member the simulator does not simulate yet.

The checker accepts every member of the public reference (engine/reference.py);
where the signature table (runtime/table.py) has no implementation, the
compiler calls the member's stub, which stops the run with a
CRMScriptNotSimulatedError (a `catch` does not catch it). A declared variable
of a documented class without a simulation (`NSContactAgent agent;`) holds a
`NotSimulated` placeholder: declaring it is fine, calling its members stops.

A plugin (or a later runtime module) that registers the member with
`@builtin` replaces the stub: the checker finds the implementation first.
A *provider* (`add_provider`) answers whole families of documented members
without registering each one (the NetServer agents and carriers,
engine/crm/netserver): asked when the checker resolves a documented member,
it gives the Signature an implementation, and gives a documented class the
value of its declaration.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import CRMScriptNotSimulatedError
from .table import Signature

PLUGINS_PAGE = "docs/plugins.md"


def not_simulated_message(name: str) -> str:
    """What stopping at `name` ('SearchEngine.addField', 'Ticket(Integer)') says."""
    return f"'{name}' is part of CRMScript but not simulated yet: answer it with a plugin ({PLUGINS_PAGE})"


@functools.cache
def stub(name: str) -> Callable[..., None]:
    """The implementation of a documented member without one: it takes the
    receiver and the arguments (already evaluated, as for a real call) and
    stops the run. One stub per name, so a script's namespace holds each once."""

    def not_simulated(*_values: object) -> None:
        raise CRMScriptNotSimulatedError(not_simulated_message(name))

    not_simulated.__qualname__ = f"not_simulated[{name}]"
    return not_simulated


class NotSimulated:
    """The value of `Name x;` for a documented class the simulator does not
    simulate: an instance of a subclass per class, whose `__crm_name__` is the
    class name (what getTypeName() and a Generic's checks read, as for a struct)."""

    __slots__ = ()
    __crm_name__ = ""

    def __repr__(self) -> str:
        return f"<{self.__crm_name__}, not simulated>"


@functools.cache
def value_class(class_name: str) -> type[NotSimulated]:
    """The Python class of the values of a documented class without a simulation."""
    return type(class_name, (NotSimulated,), {"__slots__": (), "__crm_name__": class_name})


@dataclass(frozen=True)
class Provider:
    """Implementations for documented members the signature table lacks.

    `implementation(sig)` returns `sig` with an implementation (and `context`
    as it needs), or None; `default(class_name)` returns what makes the value
    of `Name x;`, or None; `runs(sig)` says whether the implementation answers
    by itself (not only from a fixture's canned answers): what
    `crmscript check --list-simulated` counts."""

    implementation: Callable[[Signature], Signature | None]
    default: Callable[[str], Callable[[], object] | None]
    runs: Callable[[Signature], bool]


_PROVIDERS: list[Provider] = []


def add_provider(provider: Provider) -> None:
    _PROVIDERS.append(provider)


def provided(sig: Signature) -> Signature:
    """`sig` (a documented member without an implementation) as a provider
    implements it, or unchanged (its call stops the run)."""
    for provider in _PROVIDERS:
        found = provider.implementation(sig)
        if found is not None:
            return found
    return sig


def runs(sig: Signature) -> bool:
    """Whether a provider answers `sig` by itself."""
    return any(provider.runs(sig) for provider in _PROVIDERS)


def default(class_name: str) -> Callable[[], object]:
    """What makes the declaration default of a documented class without a
    simulation in the signature table: a provider's, else a placeholder."""
    for provider in _PROVIDERS:
        found = provider.default(class_name)
        if found is not None:
            return found
    return value_class(class_name)
