"""Flow analyses of the AST: what the checker and the compiler ask about
control flow and calls, written once over `nodes.walk`.

* `can_complete_normally`: can control fall off the end of a statement (the
  checker's "missing return" warning, docs/checker.md);
* `has_own_break` / `has_own_continue`: does a loop body leave or restart
  its own loop (the checker's endless-loop rule, the compiler's `for` update);
* `assigned_symbols`: what a statement may change (the compiler's counted loop);
* `recursive_functions`: which functions can reach themselves through calls
  (only those pay for the step and depth checks, docs/compiler.md).
"""

from __future__ import annotations

from . import nodes as N
from .symbols import Symbol

# Statements that start a new owner of `break` / `continue`: a break inside
# them belongs to them, not to the loop around.
_OWNS_BREAK = (N.While, N.For, N.Foreach, N.FunctionDecl, N.StructDecl)
_CALLS = (N.Call, N.MethodCall, N.Construct)


def can_complete_normally(stmt: N.Stmt | None) -> bool:
    """Java's rule, simplified: can control fall off the end of `stmt`?"""
    if stmt is None:
        return True
    if isinstance(stmt, (N.Return, N.Throw)):
        return False
    if isinstance(stmt, N.Block):
        return all(can_complete_normally(s) for s in stmt.body)
    if isinstance(stmt, N.If):
        return stmt.else_ is None or can_complete_normally(stmt.then) or can_complete_normally(stmt.else_)
    if isinstance(stmt, N.While):
        return not (is_true_literal(stmt.cond) and not has_own_break(stmt.body))
    if isinstance(stmt, N.For):
        endless = stmt.cond is None or is_true_literal(stmt.cond)
        return not (endless and not has_own_break(stmt.body))
    if isinstance(stmt, N.Try):
        return can_complete_normally(stmt.body) or can_complete_normally(stmt.handler)
    return True


def is_true_literal(expr: N.Expr | None) -> bool:
    return isinstance(expr, N.BoolLit) and expr.value is True


def _same_loop(node: N.Node) -> bool:
    return not isinstance(node, _OWNS_BREAK)


def has_own_break(body: N.Stmt) -> bool:
    """Does the loop body `body` hold a `break` that leaves this loop?"""
    return any(isinstance(node, N.Break) for node in N.walk(body, enter=_same_loop))


def has_own_continue(body: N.Stmt) -> bool:
    """Does the loop body `body` hold a `continue` that restarts this loop?"""
    return any(isinstance(node, N.Continue) for node in N.walk(body, enter=_same_loop))


def assigned_symbols(stmt: N.Stmt) -> list[Symbol | None]:
    """Symbols that `stmt` may change: declarations, assignment and ++/--
    targets, receivers of mutating members (String.append). What is passed
    to a script function is not a concern: Integers are passed by value."""
    out: list[Symbol | None] = []
    for node in N.walk(stmt, includes=True):
        if isinstance(node, N.VarDecl):
            out.append(node.symbol)
            continue
        if isinstance(node, (N.Assign, N.IncDec)):
            target = node.target
        elif isinstance(node, N.MethodCall) and getattr(node.target, "mutates", False):
            target = node.obj
        else:
            continue
        if isinstance(target, N.Name):
            out.append(target.symbol)
    return out


def called_functions(node: N.Node) -> set[int]:
    """ids of the script functions and methods called under `node`."""
    return {id(n.target) for n in N.walk(node, includes=True)
            if isinstance(n, _CALLS) and isinstance(n.target, N.FunctionDecl)}


def recursive_functions(decls: list[N.Stmt]) -> set[int]:
    """ids of the script functions and methods that can reach themselves
    through calls. If a struct field's initial value calls a script function,
    constructing a struct can call functions too: then every function counts
    as recursive (rare, and always safe)."""
    functions = [d for d in decls if isinstance(d, N.FunctionDecl)]
    structs = [d for d in decls if isinstance(d, N.StructDecl)]
    for struct in structs:
        functions.extend(struct.methods)
        if any(f.init is not None and called_functions(f.init) for f in struct.fields):
            return {id(f) for f in functions}
    calls = {id(f): called_functions(f.body) for f in functions}
    return {id(f) for f in functions if _reaches(id(f), calls)}


def _reaches(start: int, calls: dict[int, set[int]]) -> bool:
    """Does the function `start` reach itself through the call graph `calls`?"""
    seen: set[int] = set()
    stack = list(calls[start])
    while stack:
        current = stack.pop()
        if current == start:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(calls.get(current, ()))
    return False
