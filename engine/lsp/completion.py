"""Completion and signature help, from the current text (which may not
parse) and the last analysis.

- after `expr.`: the members of the expression's static type (`ed.` the
  EventData methods, a struct's fields and methods, an array's methods);
- in a name: the variables declared before the cursor, the script's and
  the library's functions, the types, the statement keywords;
- in `getInputValue("`: the input keys of the file's trigger;
- in `#include "`: the scripts of the include folders.
"""

from __future__ import annotations

from lsprotocol import types

from .. import nodes
from ..runtime.table import Signature
from ..types import Type
from .analysis import STATEMENT_KEYWORDS, LibraryView, input_keys, library_scripts
from .describe import callable_label, function_label, function_params, signature_markdown, signature_params, struct_text
from .document import Document
from .scope import Scope, call_at, chain_start, expression_type, function_type, place_at, scope_at, struct_methods
from .tokens import TokenList

Kind = types.CompletionItemKind


def scope_for(document: Document, tokens: TokenList, index: int) -> Scope:
    """The names visible before token `index` of the current text, with the
    last analysis's structs, functions and the included scripts' globals."""
    include_globals = {}
    for stmt in document.top_level(into_includes=True):
        if isinstance(stmt, nodes.VarDecl) and stmt.file != document.file:
            include_globals[stmt.name] = stmt.type_ref.type
    return scope_at(tokens, index, document.analyser.view, document.structs(), document.functions(),
                    include_globals)


def complete(document: Document, tokens: TokenList, offset: int) -> list[types.CompletionItem]:
    place = place_at(tokens, offset)
    view = document.analyser.view
    if place.kind == "include":
        return [types.CompletionItem(name, kind=Kind.Module, detail=str(path))
                for name, path in library_scripts(document.context)]
    if place.kind == "input_key":
        trigger = document.context.trigger or "the trigger"
        return [types.CompletionItem(key, kind=Kind.Constant, detail=f"input key of {trigger}")
                for key in input_keys(document.context.trigger)]
    if place.kind in ("comment", "string", "none"):
        return []
    index = tokens.index_before(place.prefix_start)
    scope = scope_for(document, tokens, index + 1)
    if place.kind == "member":
        start = chain_start(tokens, place.receiver_end) if place.receiver_end >= 0 else None
        receiver = expression_type(tokens, start, place.receiver_end, scope, view) if start is not None else None
        if receiver is not None:
            return member_items(receiver, scope, view)
        if start == place.receiver_end and tokens[start].text not in scope.variables:
            return enum_items(tokens[start].text, view)  # `ActivityStatus.`: a NetServer enum's constants
        return []
    return name_items(scope, view)


def member_items(receiver: Type, scope: Scope, view: LibraryView) -> list[types.CompletionItem]:
    struct = scope.structs.get(receiver.name) if not receiver.dims else None
    items = []
    if struct is not None:
        items += [types.CompletionItem(f.name, kind=Kind.Field, detail=f"{f.type_ref.type} {struct.name}.{f.name}")
                  for f in struct.fields]
    for name, overloads in sorted(view.methods(receiver, struct_methods(struct)).items()):
        items.append(types.CompletionItem(name, kind=Kind.Method, detail=_detail(overloads, receiver, view),
                                          data={"receiver": [receiver.name, receiver.dims], "name": name}))
    return items


def enum_items(enum: str, view: LibraryView) -> list[types.CompletionItem]:
    return [types.CompletionItem(c.name, kind=Kind.EnumMember, detail=f"{enum}.{c.name} = {c.value}")
            for c in view.enum_constants(enum)]


def name_items(scope: Scope, view: LibraryView) -> list[types.CompletionItem]:
    items = [types.CompletionItem(name, kind=Kind.Variable, detail=f"{t} {name}")
             for name, t in sorted(scope.variables.items())]
    if scope.struct is not None:
        items.append(types.CompletionItem("this", kind=Kind.Keyword, detail=f"{scope.struct} this"))
    for name, decls in sorted(scope.functions.items()):
        items.append(types.CompletionItem(name, kind=Kind.Function, detail=function_label(decls[0])))
    for name, overloads in sorted(view.functions.items()):
        if name not in scope.functions:
            items.append(types.CompletionItem(name, kind=Kind.Function, detail=_detail(overloads, None, view),
                                              data={"function": name}))
    for name in sorted(scope.structs):
        items.append(types.CompletionItem(name, kind=Kind.Struct, detail=struct_text(scope.structs[name])))
    for name in view.class_names():
        if name not in scope.structs:
            items.append(types.CompletionItem(name, kind=Kind.Class, detail=f"class {name}"))
    items += [types.CompletionItem(word, kind=Kind.Keyword) for word in STATEMENT_KEYWORDS]
    return items


def _detail(overloads: list, receiver: Type | None, view: LibraryView) -> str:
    """The first overload's declaration, how many more there are, and
    whether crmscript-sim runs it."""
    others = len(overloads) - 1
    more = f" (+{others} overload{'s' if others > 1 else ''})" if others else ""
    simulated = any(not isinstance(o, Signature) or view.simulated(o) for o in overloads)
    return callable_label(overloads[0], receiver) + more + ("" if simulated else " (not simulated)")


def resolve(item: types.CompletionItem, view: LibraryView) -> types.CompletionItem:
    """Add the documentation (with the reference's link) to a library item
    the editor shows in detail: asked for one item at a time."""
    data = item.data if isinstance(item.data, dict) else {}
    overloads, receiver = [], None
    if isinstance(data.get("function"), str):
        overloads = view.functions.get(data["function"], [])
    elif isinstance(data.get("receiver"), list) and isinstance(data.get("name"), str):
        try:
            name, dims = data["receiver"]
            receiver = Type(str(name), int(dims))
        except (TypeError, ValueError):  # not the data this server sent
            return item
        overloads = [o for o in view.methods(receiver).get(data["name"], []) if isinstance(o, Signature)]
    if overloads:
        item.documentation = types.MarkupContent(types.MarkupKind.Markdown,
                                                 signature_markdown(overloads, receiver, view))
    return item


def _documentation(overloads: list, receiver: Type | None, view: LibraryView) -> types.MarkupContent | None:
    if not any(isinstance(o, Signature) for o in overloads):
        return None
    return types.MarkupContent(types.MarkupKind.Markdown, signature_markdown(overloads, receiver, view))


# ------------------------------------------------------------ signature help


def signature_help(document: Document, tokens: TokenList, offset: int) -> types.SignatureHelp | None:
    call = call_at(tokens, offset)
    if call is None:
        return None
    view = document.analyser.view
    scope = scope_for(document, tokens, call.open_paren)
    receiver = None
    if call.receiver_end >= 0:
        start = chain_start(tokens, call.receiver_end)
        receiver = expression_type(tokens, start, call.receiver_end, scope, view) if start is not None else None
        if receiver is None:
            return None
        struct = scope.structs.get(receiver.name) if not receiver.dims else None
        overloads = view.methods(receiver, struct_methods(struct)).get(call.name, [])
    else:
        overloads = list(scope.functions.get(call.name, [])) + view.functions.get(call.name, [])
        if not overloads and function_type(call.name, scope, view) is not None:
            overloads = view.constructors(call.name)
    if not overloads:
        return None
    signatures = [_signature_information(o, receiver, view) for o in overloads]
    active = next((i for i, o in enumerate(overloads) if _arity(o) > call.argument), 0)
    return types.SignatureHelp(signatures, active_signature=active, active_parameter=call.argument)


def _arity(target: object) -> int:
    return len(target.params)


def _signature_information(target: object, receiver: Type | None, view: LibraryView) -> types.SignatureInformation:
    if isinstance(target, nodes.FunctionDecl):
        params = function_params(target)
        label = function_label(target)
        doc = None
    else:
        params = signature_params(target, receiver)
        label = callable_label(target, receiver)
        doc = _documentation([target], receiver, view)
    # Each parameter as its [start, end) in the label: `Integer a` may also
    # be part of an earlier parameter's text.
    offsets, start = [], label.index("(") + 1
    for param in params:
        offsets.append(types.ParameterInformation((start, start + len(param))))
        start += len(param) + 2
    return types.SignatureInformation(label, documentation=doc, parameters=offsets)
