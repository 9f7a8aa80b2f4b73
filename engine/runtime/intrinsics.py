"""Library members the compiler emits inline instead of as a call.

The few members whose implementation is one Python expression and that
triggers call all the time (docs/compiler.md, "Calls"). Each entry maps the
registered implementation to a template: given the argument expressions
(`ast` nodes, the run context first for `context=True` members, then the
receiver, then the arguments) it returns the expression that does exactly
what the implementation does, using only names of the namespace contract
(runtime/namespace.py). tests/test_compiler.py and tests/test_run_fast_paths.py
check every one against its implementation.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from . import collections, eventdata, globals as global_functions, numbers, strings


def _call(name: str, *args: ast.expr) -> ast.expr:
    return ast.Call(ast.Name(name, ast.Load()), list(args), [])


def _attr(obj: ast.expr, *path: str) -> ast.expr:
    for part in path:
        obj = ast.Attribute(obj, part, ast.Load())
    return obj


def _method(obj: ast.expr, path: tuple[str, ...], *args: ast.expr) -> ast.expr:
    return ast.Call(_attr(obj, *path), list(args), [])


INTRINSICS: dict[Callable, Callable[..., ast.expr]] = {
    # The receiver is evaluated before the key, as in the library call.
    collections.map_exists: lambda m, k: _method(m, ("_values", "__contains__"), k),
    collections.map_get: lambda m, k: _method(m, ("_values", "get"), k, ast.Constant("")),
    numbers.integer_to_string: lambda x: _call("_str", x),
    strings.string_get_length: lambda s: _call("_len", s),
    strings.string_to_integer: lambda s: _call("_parse_integer", s),
    global_functions.get_event_data: lambda ctx: _call("_event_data_of", ctx),  # one call instead of two
    eventdata.eventdata_new: lambda ctx: _call("_event_data_of", ctx),
    eventdata.eventdata_get_input_value: lambda e, k: _method(e, ("inputs", "get"), k, ast.Constant("")),
    eventdata.eventdata_set_output_value: lambda e, k, v: _call("_setitem", _attr(e, "outputs"), k, v),
    eventdata.eventdata_set_message: lambda e, text: _call("_set_member", _attr(e, "event"), ast.Constant("Message"),
                                                           text),
    global_functions.print_: lambda ctx, text: _method(ctx, ("write",), text),
    global_functions.print_line: lambda ctx, text: _method(ctx, ("write",), ast.BinOp(text, ast.Add(), ast.Constant("\n"))),
}
