"""NetServer agents: what each method does (docs/netserver.md).

Every documented agent method gets one implementation, which answers a call
in this order:

1. a canned answer of the fixture's `netserver:` section (canned.py), when
   one matches the method and the arguments;
2. the method's behaviour: a specific one (SPECIFIC, specific.py), else the
   generic families (`Get<X>Entity(id)`, `CreateDefault<X>Entity()`,
   `Save<X>Entity(e)`, `Delete<X>Entity(id)`, `Get<Carrier>(id)`,
   `Get<Carrier>List(ids)`) over the carrier-to-table mapping;
3. otherwise it stops the run (CRMScriptNotSimulatedError) naming the method
   and showing the `netserver:` entry that would answer it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ...errors import CRMScriptNotSimulatedError
from ...runtime.collections import Array
from ...runtime.table import Signature
from ...types import Type
from . import canned, entities
from .carriers import canned_value, element_factory
from .mapping import mapping
from .model import is_carrier

Behaviour = Callable[..., Any]  # (ctx, *arguments) -> result

# Behaviours written by hand, by 'Agent.Method' (specific.py fills it).
SPECIFIC: dict[str, Behaviour] = {}


class Agent:
    """The value of an agent: agents have no state (the docs: declare each once)."""

    __slots__ = ()
    __crm_name__ = ""


_AGENT_CLASSES: dict[str, type[Agent]] = {}


def agent_class(name: str) -> type[Agent]:
    found = _AGENT_CLASSES.get(name)
    if found is None:
        found = _AGENT_CLASSES[name] = type(name, (Agent,), {"__slots__": (), "__crm_name__": name})
    return found


_ENTITY = re.compile(r"^(Get|CreateDefault|Save|Delete)(\w+Entity)$")


def generic(sig: Signature) -> Behaviour | None:
    """The generic family `sig` belongs to, or None."""
    params = [p.type for p in sig.params]
    returns = sig.returns
    found = _ENTITY.match(sig.name)
    if found is not None:
        verb, carrier = found.group(1), "NS" + found.group(2)
        if mapping(carrier) is None:
            return None
        if verb == "Get" and _is_id(params):
            return lambda ctx, key: entities.load_or_empty(ctx, carrier, key)
        if verb == "CreateDefault" and not params:
            return lambda ctx: entities.create_default(ctx, carrier)
        if verb == "Save" and len(params) == 1 and params[0].name == carrier:
            return entities.save
        if verb == "Delete" and _is_id(params):
            return lambda ctx, key: entities.delete(ctx, carrier, key)
        return None
    if not sig.name.startswith("Get") or not is_carrier(returns.name) or mapping(returns.name) is None:
        return None
    carrier = returns.name
    if not returns.dims and _is_id(params):
        return lambda ctx, key: entities.load_or_empty(ctx, carrier, key)
    if returns.dims == 1 and len(params) == 1 and params[0].name == "Integer" and params[0].dims == 1:
        element = element_factory(Type(carrier))
        return lambda ctx, keys: Array(element, [entities.load_or_empty(ctx, carrier, k) for k in keys])
    return None


def _is_id(params: list) -> bool:
    return len(params) == 1 and params[0].name == "Integer" and not params[0].dims


def behaviour(sig: Signature) -> Behaviour | None:
    return SPECIFIC.get(sig.qualified_name) or generic(sig)


def implementation(sig: Signature) -> Signature:
    """The agent method `sig` with its implementation (canned, behaviour, stop)."""
    method = sig.qualified_name
    does = behaviour(sig)
    returns = sig.returns

    def call(ctx: Any, _agent: Agent, *args: Any) -> Any:
        entries = ctx.crm.netserver
        if entries:
            answer = canned.find(entries, method, args)
            if answer is not None:
                return canned_value(answer.result, returns)
        if does is not None:
            return does(ctx, *args)
        raise CRMScriptNotSimulatedError(not_simulated_message(sig, args))

    call.__qualname__ = method
    return replace(sig, impl=call, context=True)


def not_simulated_message(sig: Signature, args: tuple) -> str:
    entry = canned.suggestion(sig.qualified_name, sig.params, sig.returns, args)
    return (f"'{sig}' is part of CRMScript but not simulated yet: answer it with an entry in the "
            f"fixture's (or the case's) netserver: section (docs/netserver.md), such as\n{entry}")


def simulated(sig: Signature) -> bool:
    """Whether the method runs without a canned answer."""
    return behaviour(sig) is not None

