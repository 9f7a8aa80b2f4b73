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
from ..schema import quote
from . import canned, entities
from .carriers import canned_value, element_factory
from .mapping import mapping, squash
from .model import is_carrier

Behaviour = Callable[..., Any]  # (ctx, *arguments) -> result

# Behaviours written by hand, by 'Agent.Method', or by ('Agent.Method', 'Type, Type')
# for one overload (specific.py fills it).
SPECIFIC: dict[str | tuple[str, str], Behaviour] = {}


def behaviour(name: str, params: str | None = None) -> Callable[[Behaviour], Behaviour]:
    """Register the behaviour of `name` (of its overload with these parameter types)."""

    def register(fn: Behaviour) -> Behaviour:
        SPECIFIC[(name, params) if params is not None else name] = fn
        return fn

    return register


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


_ENTITY = re.compile(r"^(Get|CreateDefault|Save|Delete)(\w+)$")


def generic(sig: Signature) -> Behaviour | None:
    """The generic family `sig` belongs to, or None."""
    found = _ENTITY.match(sig.name)
    if found is None:
        return None
    verb, noun = found.groups()
    params = [p.type for p in sig.params]
    returns = sig.returns
    if verb == "CreateDefault" and not params and is_carrier(returns.name) and not returns.dims:
        return lambda ctx: entities.create_default(ctx, returns.name)
    if verb == "Save" and len(params) >= 1 and _mapped(params[0].name) and not params[0].dims \
            and noun.startswith(params[0].name[2:].removesuffix("Entity")):
        return _save_returning(returns)
    if verb == "Delete" and _is_id(params):
        carrier = next((c for c in ("NS" + noun, "NS" + noun + "Entity") if _mapped(c)), None)
        return (lambda ctx, key: entities.delete(ctx, carrier, key)) if carrier else None
    if verb != "Get" or not _mapped(returns.name):
        return None
    carrier = returns.name
    if not returns.dims and _is_id(params):
        return lambda ctx, key: entities.load_or_empty(ctx, carrier, key)
    if returns.dims == 1 and len(params) == 1 and params[0] == Type("Integer", 1):
        element = element_factory(Type(carrier))
        return lambda ctx, keys: Array(element, [entities.load_or_empty(ctx, carrier, k) for k in keys])
    if returns.dims == 1:
        return _list_getter(sig, carrier)
    return None


def _mapped(carrier: str) -> bool:
    found = mapping(carrier)
    return found is not None and bool(found.key)


def _save_returning(returns: Type) -> Behaviour:
    """Save<X>(carrier, ...): the saved carrier, or nothing for a Void method."""
    def save(ctx: Any, carrier: Any, *_options: Any) -> Any:
        saved = entities.save(ctx, carrier)
        return None if returns.name == "Void" else saved

    return save


def _list_getter(sig: Signature, carrier: str) -> Behaviour | None:
    """`Get<X>s(Integer <parent>Id)`: the rows whose column of that name is the
    id (GetQuoteLines(quoteAlternativeId), GetProjectMembers(projectId));
    `GetAll<X>(Bool includeDeleted)` and `Get<X>s()`: every row."""
    table = mapping(carrier).table
    element = element_factory(Type(carrier))
    params = sig.params
    if len(params) == 1 and params[0].type == Type("Integer"):
        column = table_column(table, params[0].name)
        if column is None:
            return None
        where = f"{quote(column)} = ?"
        return lambda ctx, key: Array(element, entities.rows(ctx, carrier, where, (key,), _order(table)))
    deleted = table.has_column("deleted")
    if not params or (len(params) == 1 and params[0].type == Type("Bool") and deleted):
        def every(ctx: Any, include_deleted: bool = False) -> Array:
            where = "1 = 1" if include_deleted or not deleted else "deleted = 0"
            return Array(element, entities.rows(ctx, carrier, where, (), _order(table)))

        return every
    return None


def table_column(table: Any, name: str) -> str | None:
    wanted = squash(name)
    return next((c.name for c in table.columns.values() if squash(c.name) == wanted), None)


def _order(table: Any) -> str:
    return "rank" if table.has_column("rank") else quote(table.key.name)


def _is_id(params: list) -> bool:
    return len(params) == 1 and params[0].name == "Integer" and not params[0].dims


def behaviour_of(sig: Signature) -> Behaviour | None:
    """The behaviour of an agent method: a specific one, else a generic family's, else None."""
    overload = (sig.qualified_name, ", ".join(str(p.type) for p in sig.params))
    return SPECIFIC.get(overload) or SPECIFIC.get(sig.qualified_name) or generic(sig)


def implementation(sig: Signature) -> Signature:
    """The agent method `sig` with its implementation (canned, behaviour, stop)."""
    method = sig.qualified_name
    does = behaviour_of(sig)
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
    return behaviour_of(sig) is not None

