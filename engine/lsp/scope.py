"""What the text around the cursor says, also while it does not parse.

Completion and signature help are asked for in the middle of typing
(`se.`, `getInputValue("`, `printLine(a, `), where the parser has nothing to
offer for that statement. These functions read the current text's tokens:
what kind of place the cursor is in, which variables are declared before it
(with their written types, by block), and the static type of the expression
before a `.`, evaluated with the last analysis's structs and functions and
the library's signatures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import nodes
from ..types import Type
from .analysis import INPUT_KEY_METHODS, LibraryView, element_type
from .tokens import DIRECTIVE, NAME, NUMBER, PUNCT, STRING, TokenList

_COMMENT = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
# Tokens after which a declaration can start.
_DECLARATION_FOLLOWS = frozenset({";", "{", "}", "(", ",", ")"})
_AFTER_DECLARED_NAME = frozenset({"=", ";", ",", ")", "in"})
# What a catch block knows besides its enclosing scopes (docs/checker.md).
CATCH_VARIABLES = {"error": Type("String"), "errorLocation": Type("String")}


@dataclass
class Place:
    """Where the cursor is, for completion."""

    kind: str  # member | name | include | input_key | string | comment | none
    prefix: str = ""  # what is typed of the word (or string) so far
    receiver_end: int = -1  # member: index of the last token of the expression before the `.`
    prefix_start: int = 0  # offset where the typed prefix starts
    call: str = ""  # input_key: the method whose argument it is


def place_at(tokens: TokenList, offset: int) -> Place:
    """What the cursor at `offset` is in the middle of."""
    before = tokens.index_before(offset)
    token = tokens[before] if before >= 0 else None
    start = tokens.start(before) if before >= 0 else 0
    end = tokens.end(before) if before >= 0 else 0
    if token is not None and token.kind == STRING and offset > start and (offset < end or not token.closed):
        return _string_place(tokens, before, offset)
    if _in_comment(tokens.text[end:offset]):
        return Place("comment")
    if token is not None and token.kind in (NAME, NUMBER) and offset <= end:
        if token.kind == NUMBER:
            return Place("none")
        prefix = tokens.text[start:offset]
        dot = before - 1
        if dot >= 0 and tokens[dot].text == "." and tokens[dot].kind == PUNCT:
            return Place("member", prefix, dot - 1, start)
        return Place("name", prefix, prefix_start=start)
    if token is not None and token.kind == PUNCT and token.text == "." and offset == end:
        return Place("member", "", before - 1, offset)
    return Place("name", "", prefix_start=offset)


def _in_comment(gap: str) -> bool:
    """Does the text between the last token and the cursor end inside a comment?"""
    for match in _COMMENT.finditer(gap):
        if match.end() == len(gap):
            comment = match.group()
            return not (comment.startswith("/*") and comment.endswith("*/") and len(comment) >= 4)
    return False


def _string_place(tokens: TokenList, index: int, offset: int) -> Place:
    start = tokens.start(index) + 1
    prefix = tokens.text[start:offset]
    previous = tokens[index - 1] if index > 0 else None
    if previous is not None and previous.kind == DIRECTIVE and previous.text == "#include":
        return Place("include", prefix, prefix_start=start)
    if index >= 2 and tokens[index - 1].text == "(" and tokens[index - 2].kind == NAME:
        return Place("input_key" if tokens[index - 2].text in INPUT_KEY_METHODS else "string", prefix,
                     prefix_start=start, call=tokens[index - 2].text)
    return Place("string", prefix, prefix_start=start)


# ------------------------------------------------------------------ scope


@dataclass
class Scope:
    """Names visible at the cursor (from the current text) and what the last
    analysis knows about the script's structs and functions."""

    variables: dict[str, Type] = field(default_factory=dict)
    structs: dict[str, nodes.StructDecl] = field(default_factory=dict)
    functions: dict[str, list[nodes.FunctionDecl]] = field(default_factory=dict)
    struct: str | None = None  # the struct whose method the cursor is in (`this`)


def scope_at(tokens: TokenList, index: int, view: LibraryView, structs: dict[str, nodes.StructDecl],
             functions: dict[str, list[nodes.FunctionDecl]],
             include_globals: dict[str, Type]) -> Scope:
    """Variables declared before token `index` in enclosing blocks (a
    function's parameters in its body), the included scripts' globals,
    and the struct the cursor is inside."""
    struct_names = set(structs)
    items = tokens.tokens
    for i, token in enumerate(items[:index]):
        if token.kind == NAME and token.text in ("struct", "Struct") and i + 1 < len(items):
            struct_names.add(items[i + 1].text)
    known = set(view.class_names()) | struct_names

    scopes: list[dict[str, Type]] = [dict(include_globals)]
    pending: list[dict[str, Type]] = []  # declared inside parentheses: for the block that follows
    open_structs: list[tuple[int, str]] = []  # (scope depth, name) of `struct X {` being read
    parens = 0
    i = 0
    while i < index:
        token = items[i]
        text = token.text
        if token.kind == PUNCT:
            if text == "{":
                scopes.append(pending.pop() if pending and parens == 0 else {})
                if i >= 1 and items[i - 1].text == "catch":
                    scopes[-1].update(CATCH_VARIABLES)
                if i >= 2 and items[i - 2].text in ("struct", "Struct"):
                    open_structs.append((len(scopes), items[i - 1].text))
            elif text == "}":
                if open_structs and open_structs[-1][0] == len(scopes):
                    open_structs.pop()
                if len(scopes) > 1:
                    scopes.pop()
            elif text == "(":
                parens += 1
                if parens == 1:
                    pending = [{}]
            elif text == ")":
                parens = max(parens - 1, 0)
                if parens == 0 and pending and not (i + 1 < len(items) and items[i + 1].text == "{"):
                    scopes[-1].update(pending.pop())  # `for (Integer i ...) stmt;`
        elif token.kind == NAME and text in known:
            declared = _declaration_at(items, i, index)
            if declared is not None:
                name, declared_type, i = declared
                target = pending[-1] if parens and pending else scopes[-1]
                target[name] = declared_type
                continue
        i += 1
    variables: dict[str, Type] = {}
    for scope in scopes:
        variables.update(scope)
    return Scope(variables, structs, functions, open_structs[-1][1] if open_structs else None)


def _declaration_at(items: list, i: int, limit: int) -> tuple[str, Type, int] | None:
    """`Type[..][..] name` followed by `=`, `;`, `,`, `)` or `in` at token i:
    (name, type, index after the name); None when it is something else."""
    if i > 0 and items[i - 1].text not in _DECLARATION_FOLLOWS and items[i - 1].text != "else":
        return None
    j, dims = i + 1, 0
    while j < limit and items[j].text == "[":
        depth = 0
        while j < limit:
            if items[j].text == "[":
                depth += 1
            elif items[j].text == "]":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        dims += 1
        j += 1
    if j >= limit or items[j].kind != NAME:
        return None
    following = items[j + 1].text if j + 1 < len(items) else ";"
    if j + 1 < limit and following not in _AFTER_DECLARED_NAME:
        return None
    return items[j].text, Type(items[i].text, dims), j + 1


# ------------------------------------------------------------- expressions


def chain_start(tokens: TokenList, end: int) -> int | None:
    """Index of the first token of the postfix expression that ends at token
    `end` (`a.b(x)[2].c` ends at `c` and starts at `a`)."""
    i = end
    while i >= 0:
        token = tokens[i]
        if token.kind == PUNCT and token.text in (")", "]"):
            opening = tokens.matching_open(i)
            if opening is None:
                return None
            i = opening - 1
            if token.text == ")" and i >= 0 and tokens[i].kind == NAME:
                pass  # a call: the name belongs to it
            elif token.text == ")":
                return opening  # a parenthesised expression starts the chain
            else:
                continue  # an index: what it indexes comes before
        if i < 0 or tokens[i].kind not in (NAME, STRING, NUMBER):
            return None
        if i >= 1 and tokens[i - 1].text == "." and tokens[i - 1].kind == PUNCT:
            i -= 2
            continue
        return i
    return None


def expression_type(tokens: TokenList, start: int, end: int, scope: Scope, view: LibraryView) -> Type | None:
    """The static type of the postfix expression tokens[start..end], or None
    when it cannot be told from the text."""
    current, i = _primary_type(tokens, start, scope, view)
    while current is not None and i <= end:
        token = tokens[i]
        if token.text == "[":
            closing = tokens.matching_close(i)
            if closing is None:
                return None
            current = Type("String") if current == Type("Map") else (current.element() if current.dims else None)
            i = closing + 1
        elif token.text == "." and i + 1 <= end:
            name = tokens[i + 1].text
            is_call = i + 2 <= end and tokens[i + 2].text == "("
            current = member_type(current, name, is_call, scope, view)
            i += 2
            if is_call:
                closing = tokens.matching_close(i)
                if closing is None:
                    return None
                i = closing + 1
        else:
            return None
    return current


def _primary_type(tokens: TokenList, start: int, scope: Scope, view: LibraryView) -> tuple[Type | None, int]:
    token = tokens[start]
    if token.kind == STRING:
        return Type("String"), start + 1
    if token.kind == NUMBER:
        return Type("Float" if "." in token.text or "e" in token.text.lower() else "Integer"), start + 1
    if token.kind != NAME:
        return None, start
    name = token.text
    if name == "this":
        return (Type(scope.struct) if scope.struct else None), start + 1
    if start + 1 < len(tokens) and tokens[start + 1].text == "(":
        closing = tokens.matching_close(start + 1)
        after = closing + 1 if closing is not None else len(tokens)
        return function_type(name, scope, view), after
    return scope.variables.get(name), start + 1


def function_type(name: str, scope: Scope, view: LibraryView) -> Type | None:
    """What `name(...)` gives: a script function's, a library function's
    return type, or the type a constructor makes."""
    for decl in scope.functions.get(name, ()):
        return decl.return_type.type
    for signature in view.functions.get(name, ()):
        return signature.returns
    if name in scope.structs or view.is_class(name) or name in view.class_names():
        return Type(name)
    return None


def member_type(receiver: Type, name: str, is_call: bool, scope: Scope, view: LibraryView) -> Type | None:
    struct = scope.structs.get(receiver.name) if not receiver.dims else None
    if not is_call:
        if struct is None:
            return None
        field_decl = next((f for f in struct.fields if f.name == name), None)
        return field_decl.type_ref.type if field_decl is not None else None
    for candidate in view.methods(receiver, struct_methods(struct)).get(name, ()):
        if isinstance(candidate, nodes.FunctionDecl):
            return candidate.return_type.type
        return element_type(candidate.returns, receiver)
    return None


def struct_methods(struct: nodes.StructDecl | None) -> dict[str, list] | None:
    """A struct's own methods by name (None for a value that is no struct)."""
    if struct is None:
        return None
    found: dict[str, list] = {}
    for method in struct.methods:
        found.setdefault(method.name, []).append(method)
    return found



# --------------------------------------------------------------- calls


@dataclass
class CallSite:
    """The call whose argument list the cursor is in."""

    name: str
    open_paren: int  # token index of its `(`
    argument: int  # 0-based index of the argument the cursor is in
    receiver_end: int = -1  # a method call: last token of the receiver expression


def call_at(tokens: TokenList, offset: int) -> CallSite | None:
    """The innermost unclosed `name(` before the cursor, and which argument it is at."""
    i = tokens.index_before(offset)
    depth, commas = 0, 0
    while i >= 0:
        token = tokens[i]
        if token.kind == PUNCT:
            if token.text in (")", "]"):
                depth += 1
            elif token.text in ("(", "["):
                if depth == 0:
                    if token.text == "[":
                        return None
                    if i >= 1 and tokens[i - 1].kind == NAME:
                        receiver_end = i - 3 if i >= 3 and tokens[i - 2].text == "." else -1
                        return CallSite(tokens[i - 1].text, i, commas, receiver_end)
                    return None
                depth -= 1
            elif token.text == "," and depth == 0:
                commas += 1
            elif token.text in (";", "{", "}") and depth == 0:
                return None
        i -= 1
    return None
