"""Look up built-in implementations in the signature table by their
CRMScript declaration, so runtime tests exercise exactly what the checker
and compiler will call (without depending on the compiler)."""

from __future__ import annotations

from collections.abc import Callable

import engine.runtime  # noqa: F401  (registers every family)
from engine.runtime.table import GLOBAL, LIBRARY, Signature


def signature(owner: str, name: str, *param_types: str) -> Signature:
    """The overload of `owner.name` (GLOBAL owner for a global function)
    whose parameter types are exactly `param_types`, e.g. ("String", "Integer")."""
    if owner == GLOBAL:
        candidates = LIBRARY.functions.get(name, [])
    elif name == owner:
        candidates = LIBRARY.classes[owner].constructors
    else:
        candidates = LIBRARY.classes[owner].methods.get(name, [])
    for sig in candidates:
        if tuple(str(p.type) for p in sig.params) == tuple(param_types):
            return sig
    raise LookupError(f"no {owner}.{name}({', '.join(param_types)}) in the library; "
                      f"have: {[str(s) for s in candidates]}")


def impl(owner: str, name: str, *param_types: str) -> Callable:
    sig = signature(owner, name, *param_types)
    assert sig.impl is not None, f"{sig} is declared but not implemented"
    return sig.impl


def glob(name: str, *param_types: str) -> Callable:
    return impl(GLOBAL, name, *param_types)



def with_context(owner: str, name: str, *param_types: str, ctx=None) -> Callable:
    """The implementation, with a RunContext already passed when the member
    takes one (`context=True`), so it is called like the CRMScript member."""
    sig = signature(owner, name, *param_types)
    if not sig.context:
        return sig.impl
    from engine.runtime.context import RunContext
    run_context = ctx if ctx is not None else RunContext()
    return lambda *args: sig.impl(run_context, *args)


def call(ctx, owner: str, name: str, types: tuple, *args):
    """Call `owner.name` (overload by parameter types), passing the run
    context first when the member takes it."""
    sig = signature(owner, name, *types)
    return sig.impl(ctx, *args) if sig.context else sig.impl(*args)
