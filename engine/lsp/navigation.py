"""Go to definition, find references, rename and the document's outline,
all read from the checked program's index (engine/lsp/index.py)."""

from __future__ import annotations

import re

from lsprotocol import types

from .. import nodes
from ..runtime.table import Signature
from ..symbols import GLOBAL, Symbol
from .analysis import is_reserved
from .describe import function_label
from .document import Document
from .index import IncludeKey, Occurrence
from .positions import Locator, uri_of
from .tokens import NAME, PUNCT, STRING, TokenList

_IDENTIFIER = re.compile(r"[^\W\d]\w*\Z")


class RenameRefused(Exception):
    """Why the name under the cursor cannot be renamed (said to the user)."""


def occurrence_at(document: Document, line: int, column: int) -> Occurrence | None:
    offset = document.tokens.offset(line, column)
    at = document.tokens.token_at(offset)
    if at is None:
        return None
    token = document.tokens[at]
    if token.kind not in (NAME, STRING):
        return None
    return document.index.at(document.file, token.line, token.column)


def definition(document: Document, line: int, column: int, locator: Locator) -> list[types.Location]:
    occurrence = occurrence_at(document, line, column)
    if occurrence is None:
        return []
    if isinstance(occurrence.key, IncludeKey):
        start = types.Position(0, 0)
        return [types.Location(uri_of(occurrence.key.path), types.Range(start, start))]
    declared = document.index.definition(occurrence.key)
    if declared is None:
        return []
    return [locator.location(declared.file, declared.line, declared.column, declared.length)]


def same_thing(document: Document, occurrence: Occurrence) -> list[Occurrence]:
    """Every occurrence of what `occurrence` names (all overloads of a library member)."""
    key = occurrence.key
    if isinstance(key, Signature):
        return [o for found in document.index.by_key.values() for o in found
                if isinstance(o.key, Signature) and o.key.qualified_name == key.qualified_name]
    return document.index.occurrences(key)


def references(document: Document, line: int, column: int, with_declaration: bool,
               locator: Locator) -> list[types.Location]:
    occurrence = occurrence_at(document, line, column)
    if occurrence is None or isinstance(occurrence.key, IncludeKey):
        return []
    found = sorted(same_thing(document, occurrence), key=lambda o: (o.file != document.file, o.file, o.line, o.column))
    return [locator.location(o.file, o.line, o.column, o.length) for o in found
            if with_declaration or not o.definition]


# ------------------------------------------------------------------ rename


def rename_target(document: Document, line: int, column: int, included_elsewhere: bool) -> Occurrence:
    """The occurrence to rename at the cursor; RenameRefused says why not."""
    occurrence = occurrence_at(document, line, column)
    if occurrence is None or isinstance(occurrence.key, IncludeKey):
        raise RenameRefused("there is no variable, function, struct or field to rename here")
    key = occurrence.key
    if not isinstance(key, (Symbol, nodes.FunctionDecl, nodes.StructDecl, nodes.VarDecl)):
        raise RenameRefused("a name of the CRMScript library cannot be renamed")
    if isinstance(key, Symbol) and document.index.definition(key) is None:
        raise RenameRefused(f"'{key.name}' is set by catch and cannot be renamed")
    everywhere = document.index.occurrences(key)
    if any(o.file != document.file for o in everywhere):
        raise RenameRefused(f"'{_name_of(key)}' is declared in an included script: rename it there")
    local = isinstance(key, Symbol) and key.kind != GLOBAL
    if not local and included_elsewhere:
        raise RenameRefused(f"'{_name_of(key)}' belongs to a script other scripts include: "
                            "renaming it here would break them")
    return occurrence


def rename(document: Document, occurrence: Occurrence, new_name: str, locator: Locator) -> types.WorkspaceEdit:
    key = occurrence.key
    _check_new_name(document, key, new_name)
    edits = [types.TextEdit(locator.span(o.file, o.line, o.column, o.length), new_name)
             for o in document.index.occurrences(key)]
    return types.WorkspaceEdit(changes={document.uri: edits})


def _check_new_name(document: Document, key: object, new_name: str) -> None:
    view = document.analyser.view
    if not _IDENTIFIER.match(new_name):
        raise RenameRefused(f"'{new_name}' is not a CRMScript name")
    if is_reserved(new_name) or new_name in view.class_names():
        raise RenameRefused(f"'{new_name}' is a reserved word or a type name")
    if new_name == _name_of(key):
        return
    # Refuse any name that could capture a use or be captured: another
    # variable of the same function (or a global), or a function or type.
    for found in document.index.by_key.values():
        other = found[0].key
        if _name_of(other) != new_name or other is key:
            continue
        if isinstance(other, Symbol) and isinstance(key, Symbol) and key.kind != GLOBAL \
                and other.kind != GLOBAL and other.function is not key.function:
            continue  # a variable of another function
        raise RenameRefused(f"'{new_name}' is already the name of something the script uses")
    if isinstance(key, nodes.FunctionDecl) and new_name in view.functions:
        raise RenameRefused(f"'{new_name}' is a function of the CRMScript library")


def _name_of(key: object) -> str:
    return getattr(key, "name", "")


# ------------------------------------------------------------------ outline


def document_symbols(document: Document, locator: Locator) -> list[types.DocumentSymbol]:
    outline = []
    for stmt in document.top_level():
        if isinstance(stmt, nodes.Include):
            continue
        symbol = _outline_entry(document, stmt, locator)
        if symbol is not None:
            outline.append(symbol)
    return outline


def _outline_entry(document: Document, node: nodes.Node, locator: Locator) -> types.DocumentSymbol | None:
    tokens = document.tokens
    start = tokens.index_at(node.line, node.column)
    if start is None:
        return None
    kind, name, detail, children = None, getattr(node, "name", None), None, None
    if isinstance(node, nodes.FunctionDecl):
        kind = types.SymbolKind.Method if node.struct is not None else types.SymbolKind.Function
        detail = function_label(node)
    elif isinstance(node, nodes.StructDecl):
        kind = types.SymbolKind.Struct
        children = [c for c in (_outline_entry(document, m, locator) for m in [*node.fields, *node.methods]) if c]
    elif isinstance(node, nodes.VarDecl):
        kind = types.SymbolKind.Field if _is_field(document, node) else types.SymbolKind.Variable
        detail = str(node.type_ref.type)
    if kind is None or name is None:
        return None
    name_at = tokens.find_name(start, name, skip_first=True)
    if name_at is None:
        return None
    end = _end_of_declaration(tokens, start, brace=not isinstance(node, nodes.VarDecl))
    if isinstance(node, nodes.StructDecl) and end + 1 < len(tokens) and tokens[end + 1].text == ";":
        end += 1  # `};`: the semicolon belongs to the struct
    name_token = tokens[name_at]
    full = locator.range(document.file, tokens[start].line, tokens[start].column,
                         *tokens.end_position(end))
    selection = locator.span(document.file, name_token.line, name_token.column, len(name_token.text))
    return types.DocumentSymbol(name, kind, full, selection, detail=detail, children=children)


def _is_field(document: Document, decl: nodes.VarDecl) -> bool:
    return any(decl in s.fields for s in document.structs().values())


def _end_of_declaration(tokens: TokenList, start: int, *, brace: bool) -> int:
    """Index of the last token of the declaration starting at `start`: its
    block's `}` (a function or struct), or its `;` (a variable)."""
    depth = 0
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token.kind != PUNCT:
            continue
        if brace and token.text == "{":
            closing = tokens.matching_close(i)
            return closing if closing is not None else len(tokens) - 1
        if token.text in "([":
            depth += 1
        elif token.text in ")]":
            depth -= 1
        elif token.text == ";" and depth <= 0:
            return i
    return len(tokens) - 1
