"""NetServer agents, carriers and enums on the simulated CRM (docs/netserver.md).

Nothing is registered member by member: a provider (runtime/unsimulated.py)
gives each documented NetServer member its implementation when the checker
first resolves it, so a run that uses no NetServer class never reads the
reference for them. Enums need nothing here: the checker reads their
constants from the reference.

- carriers.py: carriers as records (typed Get/Set, defaults, nesting)
- mapping.py: where a carrier's properties live in the database
- entities.py: loading, saving, deleting carriers on the run's database
- agents.py: each agent method (canned answer, behaviour, or a stop)
- specific.py: the behaviours beyond the generic families
- documents.py: template variables, document URLs, checkout state
- canned.py: the fixture's `netserver:` section
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ...runtime.table import Signature
from ...runtime.unsimulated import Provider, add_provider


def _kind(name: str) -> str:
    from ...reference import reference

    found = reference().cls(name)
    return found.kind if found is not None and found.namespace == "NetServer" else ""


def implementation(sig: Signature) -> Signature | None:
    if not sig.owner.startswith("NS"):
        return None
    kind = _kind(sig.owner)
    if kind == "carrier":
        from . import carriers

        if sig.is_constructor:
            return replace(sig, impl=carriers.carrier_class(sig.owner))
        return carriers.implementation(sig)
    if kind == "agent":
        from . import agents

        load_behaviours()

        if sig.is_constructor:
            return replace(sig, impl=agents.agent_class(sig.owner))
        return agents.implementation(sig)
    return None


def load_behaviours() -> None:
    """Import the modules whose behaviours fill agents.SPECIFIC."""
    from . import archive, documents, find, quotes, specific  # noqa: F401


def default(name: str) -> Callable[[], object] | None:
    if not name.startswith("NS"):
        return None
    kind = _kind(name)
    if kind == "carrier":
        from .carriers import carrier_class

        return carrier_class(name)
    if kind == "agent":
        from .agents import agent_class

        return agent_class(name)
    return None


def runs(sig: Signature) -> bool:
    """A carrier's Get/Set, or an agent method with a behaviour of its own."""
    if not sig.owner.startswith("NS"):
        return False
    found = implementation(sig)
    if found is None:
        return False
    if _kind(sig.owner) == "agent" and not sig.is_constructor:
        from .agents import simulated

        return simulated(sig)
    return True


add_provider(Provider(implementation, default, runs))
