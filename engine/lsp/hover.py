"""Hover: what the name under the cursor is, in CRMScript words.

A library function, method or constructor shows every overload with its
documentation and its page in the public reference; a script function its
declaration and the comment above it; a variable its static type (and a
struct's fields); a type its members. `getInputValue` and the key written
in it show the input keys the file's trigger is documented to send.
"""

from __future__ import annotations

from lsprotocol import types

from .. import nodes
from ..runtime.table import Signature
from ..symbols import Symbol
from ..types import Type
from .analysis import input_keys, trigger_is_open, trigger_sends
from .describe import (
    code_block,
    function_label,
    leading_comment,
    signature_markdown,
    struct_text,
    symbol_kind_words,
    variable_text,
)
from .document import Document
from .index import ClassKey, IncludeKey, Occurrence
from .positions import Locator
from .scope import chain_start, expression_type
from .tokens import NAME, STRING

# Input keys, methods or constants listed in a hover; more are counted.
MAX_KEYS_SHOWN = 40
MAX_LISTED = 40
KIND_WORDS = {"value type": "value type", "class": "class", "agent": "NetServer agent",
              "carrier": "NetServer carrier", "enum": "enum"}


def hover(document: Document, line: int, column: int, locator: Locator) -> types.Hover | None:
    offset = document.tokens.offset(line, column)
    at = document.tokens.token_at(offset)
    if at is None:
        return None
    token = document.tokens[at]
    if token.kind == STRING:
        text = _input_key_hover(document, at)
    elif token.kind == NAME:
        occurrence = document.index.at(document.file, token.line, token.column)
        if occurrence is not None:
            text = _describe(document, occurrence)
        else:
            text = (enum_constant_hover(document, at) or _unchecked_call_hover(document, at)
                    or _class_hover(document, token.text))
    else:
        return None
    if not text:
        return None
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text),
                       locator.span(document.file, token.line, token.column, len(token.text)))


def _describe(document: Document, occurrence: Occurrence) -> str:
    key = occurrence.key
    view = document.analyser.view
    if isinstance(key, Symbol):
        return _variable_hover(document, key)
    if isinstance(key, Signature):
        owner = view.methods(occurrence.receiver).get(key.name, []) if occurrence.receiver is not None \
            and not key.is_constructor else []
        overloads = owner or (view.constructors(key.owner) if key.is_constructor
                              else view.functions.get(key.name, [key]))
        text = signature_markdown(overloads or [key], occurrence.receiver, view, chosen=key)
        if key.owner == "EventData" and key.name == "getInputValue":
            text += "\n\n" + _trigger_keys(document)
        return text
    if isinstance(key, nodes.FunctionDecl):
        comment = _comment_above(document, key)
        return code_block(function_label(key)) + (f"\n\n{comment}" if comment else "")
    if isinstance(key, nodes.StructDecl):
        return code_block(struct_text(key))
    if isinstance(key, nodes.VarDecl):  # a struct field
        owner = next((s.name for s in document.structs().values() if key in s.fields), "")
        return code_block(f"{key.type_ref.type} {owner}.{key.name}") + "\n\nfield"
    if isinstance(key, ClassKey):
        return _class_hover(document, key.name)
    if isinstance(key, IncludeKey):
        return f"`#include` of `{key.path}`"
    return ""


def _variable_hover(document: Document, symbol: Symbol) -> str:
    text = code_block(variable_text(symbol)) + f"\n\n{symbol_kind_words(symbol)}"
    struct = document.structs().get(symbol.type.name) if not symbol.type.dims else None
    if struct is not None:
        text += "\n\n" + code_block(struct_text(struct))
    if symbol.type.name == "EventData" and document.context.trigger:
        count = len(input_keys(document.context.trigger))
        text += f"\n\nthe event of {document.context.trigger} ({count} documented input keys)"
    return text


def _class_hover(document: Document, name: str) -> str:
    view = document.analyser.view
    struct = document.structs().get(name)
    if struct is not None:
        return code_block(struct_text(struct))
    constants = view.enum_constants(name)
    if constants:
        listed = "\n".join(f"{c.name} = {c.value}" for c in constants[:MAX_LISTED])
        more = f"\n... {len(constants) - MAX_LISTED} more" if len(constants) > MAX_LISTED else ""
        return _with_link(code_block(f"enum {name}\n{listed}{more}") +
                          "\n\nNetServer enum: its values are Integers.", name, view.class_url(name))
    if name not in view.class_names():
        return ""
    parts = [code_block(f"{KIND_WORDS.get(view.class_kind(name), 'class')} {name}")]
    methods = sorted(view.methods(Type(name)))
    if methods:
        shown = ", ".join(f"`{m}`" for m in methods[:MAX_LISTED])
        more = f" and {len(methods) - MAX_LISTED} more" if len(methods) > MAX_LISTED else ""
        parts.append(f"methods: {shown}{more}")
    return _with_link("\n\n".join(parts), name, view.class_url(name))


def _unchecked_call_hover(document: Document, at: int) -> str:
    """A call the checker did not resolve (a documented member crmscript-sim
    does not run, code that does not check): read from the text."""
    from .completion import scope_for  # (completion reads the same scope)

    tokens = document.tokens
    if at + 1 >= len(tokens) or tokens[at + 1].text != "(":
        return ""
    view = document.analyser.view
    name = tokens[at].text
    if at >= 2 and tokens[at - 1].text == ".":
        scope = scope_for(document, tokens, at)
        start = chain_start(tokens, at - 2)
        receiver = expression_type(tokens, start, at - 2, scope, view) if start is not None else None
        overloads = view.methods(receiver).get(name, []) if receiver is not None else []
    else:
        receiver, overloads = None, view.functions.get(name, [])
    overloads = [o for o in overloads if isinstance(o, Signature)]
    return signature_markdown(overloads, receiver, view) if overloads else ""


def _with_link(text: str, name: str, url: str) -> str:
    return f"{text}\n\n[{name} in the CRMScript reference]({url})" if url else text


def enum_constant_hover(document: Document, at: int) -> str:
    """`ActivityStatus.Completed`: the constant's value and page."""
    tokens = document.tokens
    if at < 2 or tokens[at - 1].text != ".":
        return ""
    enum = tokens[at - 2].text
    constant = next((c for c in document.analyser.view.enum_constants(enum) if c.name == tokens[at].text), None)
    if constant is None:
        return ""
    return _with_link(code_block(f"{enum}.{constant.name} = {constant.value}") + "\n\nNetServer enum constant",
                      f"{enum}.{constant.name}", constant.url)


def _trigger_keys(document: Document) -> str:
    trigger = document.context.trigger
    if not trigger:
        return "The trigger is not known: put the script in a handler tree folder named after its event type."
    keys = input_keys(trigger)
    shown = ", ".join(f"`{k}`" for k in keys[:MAX_KEYS_SHOWN])
    more = f" and {len(keys) - MAX_KEYS_SHOWN} more" if len(keys) > MAX_KEYS_SHOWN else ""
    extra = " It also sends keys of its own (form fields, variables)." if trigger_is_open(trigger) else ""
    if not keys:
        return f"{trigger} documents no input keys.{extra}"
    return f"Input keys of {trigger} ({len(keys)}): {shown}{more}.{extra}"


def _input_key_hover(document: Document, at: int) -> str:
    tokens = document.tokens
    if at < 2 or tokens[at - 1].text != "(" or tokens[at - 2].text != "getInputValue":
        return ""
    key = tokens[at].text[1:-1]
    trigger = document.context.trigger
    if not trigger:
        return _trigger_keys(document)
    if trigger_sends(trigger, key):
        return f"`{key}`: an input key {trigger} sends."
    return f"`{key}`: {trigger} never sends this input key.\n\n{_trigger_keys(document)}"


def _comment_above(document: Document, decl: nodes.FunctionDecl) -> str:
    if decl.file == document.file:
        text = document.text
    else:
        tokens = document.tokens_for(decl.file)
        text = tokens.text if tokens is not None else ""
    return leading_comment(text.split("\n"), decl.line)
