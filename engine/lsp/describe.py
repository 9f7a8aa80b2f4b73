"""How functions, methods, types and variables read in hovers, completion
details and signature help: CRMScript declarations, one per overload."""

from __future__ import annotations

from .. import nodes
from ..runtime.table import Signature
from ..symbols import CATCH, GLOBAL, LOCAL, PARAM, Symbol
from ..types import Type
from .analysis import LibraryView, element_type

CODE = "crmscript"
NOT_SIMULATED = "Documented in the CRMScript reference; crmscript-sim does not run it."
_SYMBOL_KINDS = {GLOBAL: "global variable", LOCAL: "local variable", PARAM: "parameter",
                 CATCH: "set by catch"}


def signature_label(signature: Signature, receiver: Type | None = None) -> str:
    """`String String.subString(Integer start, Integer length)`; an array
    method's `T` is the receiver's element type."""
    params = ", ".join(f"{element_type(p.type, receiver)} {p.name}" for p in signature.params)
    returns = element_type(signature.returns, receiver)
    if signature.is_constructor:
        return f"{signature.owner}({params})"
    owner = f"{receiver}." if receiver is not None and receiver.dims else (
        f"{signature.owner}." if signature.owner else "")
    return f"{returns} {owner}{signature.name}({params})"


def signature_params(signature: Signature, receiver: Type | None = None) -> list[str]:
    return [f"{element_type(p.type, receiver)} {p.name}" for p in signature.params]


def function_label(decl: nodes.FunctionDecl) -> str:
    params = ", ".join(f"{p.type_ref.type} {p.name}" for p in decl.params)
    owner = f"{decl.struct.name}." if decl.struct is not None else ""
    return f"{decl.return_type.type} {owner}{decl.name}({params})"


def function_params(decl: nodes.FunctionDecl) -> list[str]:
    return [f"{p.type_ref.type} {p.name}" for p in decl.params]


def callable_label(target: object, receiver: Type | None = None) -> str:
    if isinstance(target, Signature):
        return signature_label(target, receiver)
    if isinstance(target, nodes.FunctionDecl):
        return function_label(target)
    return str(target)


def struct_text(decl: nodes.StructDecl) -> str:
    lines = [f"struct {decl.name} {{"]
    lines += [f"  {f.type_ref.type} {f.name};" for f in decl.fields]
    lines += [f"  {function_label(m).replace(decl.name + '.', '', 1)};" for m in decl.methods]
    lines.append("}")
    return "\n".join(lines)


def variable_text(symbol: Symbol) -> str:
    return f"{symbol.type} {symbol.name}"


def symbol_kind_words(symbol: Symbol) -> str:
    return _SYMBOL_KINDS.get(symbol.kind, symbol.kind)


def code_block(text: str) -> str:
    return f"```{CODE}\n{text}\n```"


def signature_markdown(signatures: list, receiver: Type | None, view: LibraryView,
                       chosen: object | None = None) -> str:
    """Every overload (the one the checker chose first), the documentation
    and the link to the public reference."""
    ordered = sorted(signatures, key=lambda s: s is not chosen)
    parts = [code_block("\n".join(callable_label(s, receiver) for s in ordered))]
    first = ordered[0] if ordered else None
    if not isinstance(first, Signature):
        return parts[0]
    if first.doc:
        parts.append(first.doc)
    if not view.simulated(first):
        parts.append(NOT_SIMULATED)
    url = view.url(first)
    if url:
        parts.append(f"[{first.qualified_name} in the CRMScript reference]({url})")
    return "\n\n".join(parts)


def leading_comment(text_lines: list[str], line: int) -> str:
    """The `//` comment lines right above line `line` (1-based): a script
    function's own description."""
    found: list[str] = []
    i = line - 2
    while i >= 0 and text_lines[i].strip().startswith("//"):
        found.append(text_lines[i].strip()[2:].strip())
        i -= 1
    return "\n".join(reversed(found))
