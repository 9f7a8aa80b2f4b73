"""Where every name of a checked program is, and what it stands for.

The checker resolves each use (a variable's Symbol, a call's function or
library Signature, a field's declaration); the parser's nodes know where
they start. The index joins the two with the tokens of each file: every
identifier that names something becomes an Occurrence (file, line, column,
length) with a key (the Symbol, FunctionDecl, StructDecl, field VarDecl,
library Signature, class name or included file) and whether it declares it.
Go to definition, find references, rename, hover and the unused-variable
hints all read this one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .. import nodes
from ..types import Type
from .tokens import NAME, PUNCT, STRING, TokenList


@dataclass(frozen=True)
class ClassKey:
    """A built-in or documented class, named in a type or a constructor."""

    name: str


@dataclass(frozen=True)
class IncludeKey:
    """The script an `#include` names."""

    path: str


@dataclass(eq=False)
class Occurrence:
    file: str
    line: int
    column: int
    length: int
    key: object
    kind: str  # variable | function | method | struct | field | library | class | include
    definition: bool = False
    node: nodes.Node | None = None
    receiver: Type | None = None  # for a method or field: the type it is reached through

    def contains(self, line: int, column: int) -> bool:
        return self.line == line and self.column <= column <= self.column + self.length


@dataclass
class SymbolIndex:
    by_position: dict[tuple[str, int, int], Occurrence] = field(default_factory=dict)
    by_key: dict[int, list[Occurrence]] = field(default_factory=dict)
    structs: dict[str, nodes.StructDecl] = field(default_factory=dict)

    def add(self, occurrence: Occurrence) -> None:
        position = (occurrence.file, occurrence.line, occurrence.column)
        if position in self.by_position:
            return  # a constructor and its type name start at the same token
        self.by_position[position] = occurrence
        self.by_key.setdefault(id(occurrence.key), []).append(occurrence)

    def at(self, file: str, line: int, column: int) -> Occurrence | None:
        return self.by_position.get((file, line, column))

    def occurrences(self, key: object) -> list[Occurrence]:
        return self.by_key.get(id(key), [])

    def definition(self, key: object) -> Occurrence | None:
        return next((o for o in self.occurrences(key) if o.definition), None)


def build_index(all_nodes: list[nodes.Node], tokens_for: Callable[[str], TokenList | None]) -> SymbolIndex:
    """The index of a checked program's nodes (with its includes');
    `tokens_for(file)` gives the tokens of each file they come from."""
    index = SymbolIndex()
    for node in all_nodes:
        if isinstance(node, nodes.StructDecl):
            index.structs.setdefault(node.name, node)
    struct_fields = {id(f) for s in index.structs.values() for f in s.fields}
    chains: dict[tuple[str, int, int], list[nodes.Expr]] = {}
    class_keys: dict[str, ClassKey] = {}
    for node in all_nodes:
        tokens = tokens_for(node.file)
        if tokens is None:
            continue
        if isinstance(node, (nodes.MethodCall, nodes.Member)):
            chains.setdefault((node.file, node.line, node.column), []).append(node)
            continue
        _index_node(index, node, tokens, struct_fields, class_keys)
    for (file, _line, _column), chain in chains.items():
        _index_chain(index, chain, tokens_for(file))
    return index


def _index_node(index: SymbolIndex, node: nodes.Node, tokens: TokenList, struct_fields: set[int],
                class_keys: dict[str, ClassKey]) -> None:
    start = tokens.index_at(node.line, node.column)
    if start is None:
        return
    if isinstance(node, (nodes.VarDecl, nodes.Param)):
        at = tokens.find_name(start, node.name, skip_first=True)
        if id(node) in struct_fields:
            _add(index, tokens, at, node, node, "field", True)
        elif node.symbol is not None:
            _add(index, tokens, at, node.symbol, node, "variable", True)
    elif isinstance(node, nodes.Foreach):
        type_at = tokens.index_at(node.var_type.line, node.var_type.column)
        if node.symbol is not None and type_at is not None:
            _add(index, tokens, tokens.find_name(type_at, node.var_name, skip_first=True), node.symbol, node,
                 "variable", True)
    elif isinstance(node, nodes.FunctionDecl):
        _add(index, tokens, tokens.find_name(start, node.name, skip_first=True), node, node, "function", True)
    elif isinstance(node, nodes.StructDecl):
        _add(index, tokens, tokens.find_name(start, node.name, skip_first=True), node, node, "struct", True)
    elif isinstance(node, nodes.Name) and node.symbol is not None:
        _add(index, tokens, start, node.symbol, node, "variable")
    elif isinstance(node, nodes.Call) and node.target is not None:
        kind = "function" if isinstance(node.target, nodes.FunctionDecl) else "library"
        _add(index, tokens, start, node.target, node, kind)
    elif isinstance(node, nodes.Construct) and node.target is not None:
        kind = {nodes.StructDecl: "struct", nodes.FunctionDecl: "function"}.get(type(node.target), "library")
        _add(index, tokens, start, node.target, node, kind)
    elif isinstance(node, (nodes.TypeRef, nodes.Construct)):
        name = node.name if isinstance(node, nodes.TypeRef) else node.type_ref.name
        struct = index.structs.get(name)
        if struct is not None:
            _add(index, tokens, start, struct, node, "struct")
        else:
            _add(index, tokens, start, class_keys.setdefault(name, ClassKey(name)), node, "class")
    elif isinstance(node, nodes.Include) and node.program is not None:
        at = start + 1 if start + 1 < len(tokens) and tokens[start + 1].kind == STRING else None
        _add(index, tokens, at, IncludeKey(node.program.file), node, "include")


def _add(index: SymbolIndex, tokens: TokenList, at: int | None, key: object, node: nodes.Node, kind: str,
         definition: bool = False, receiver: Type | None = None) -> None:
    if at is None:
        return
    token = tokens[at]
    index.add(Occurrence(node.file, token.line, token.column, len(token.text), key, kind, definition, node,
                         receiver))


def _chain_depth(node: nodes.Expr) -> int:
    """How many member accesses, calls and indexes that start at the same
    token lie inside `node` (`a.b().c` is 1 deep in `a.b().c.d()`)."""
    depth = 0
    inner = getattr(node, "obj", None)
    while isinstance(inner, (nodes.MethodCall, nodes.Member, nodes.Index)) and \
            (inner.line, inner.column) == (node.line, node.column):
        depth += 1
        inner = getattr(inner, "obj", None)
    return depth


def _index_chain(index: SymbolIndex, chain: list[nodes.Expr], tokens: TokenList | None) -> None:
    """`a.b(x).c`: the nodes of one chain start at `a`; their names are the
    `.name` tokens after it, outside any bracket, innermost first."""
    if tokens is None:
        return
    first = chain[0]
    cursor = tokens.index_at(first.line, first.column)
    if cursor is None:
        return
    for node in sorted(chain, key=_chain_depth):
        name = node.method if isinstance(node, nodes.MethodCall) else node.name
        at = _next_member_name(tokens, cursor, name)
        if at is None:
            return
        cursor = at + 1
        target = node.target
        if target is None:
            continue
        kind = "method" if isinstance(node, nodes.MethodCall) else "field"
        if isinstance(node, nodes.MethodCall) and not isinstance(target, nodes.FunctionDecl):
            kind = "library"
        _add(index, tokens, at, target, node, kind, receiver=node.obj.ctype)


def _next_member_name(tokens: TokenList, start: int, name: str, limit: int = 2000) -> int | None:
    depth = 0
    for i in range(start, min(len(tokens), start + limit)):
        token = tokens[i]
        if token.kind == PUNCT:
            if token.text in "([":
                depth += 1
            elif token.text in ")]":
                depth -= 1
            elif token.text in ";{}" and depth <= 0:
                return None
            elif token.text == "." and depth <= 0 and i + 1 < len(tokens):
                following = tokens[i + 1]
                if following.kind == NAME and following.text == name:
                    return i + 1
    return None

