"""Incremental parsing: a script is parsed one top-level statement at a time,
and a statement whose text did not change is not parsed again.

A keystroke inside one function of a 2,000-line handler re-parses that
function only (the parser is the slow part of the front end), and a syntax
error in one function leaves the rest of the script parsed, so the other
functions still have diagnostics, hover and navigation.

How a piece is parsed exactly as the whole file would be:
- pieces end where a top-level statement ends: a `;` or a closing `}` outside
  any bracket, unless `else`/`catch` follows (and a `}` takes a `;` after it);
  `#include "x"` and `#setLanguageLevel N` end after their argument;
- a piece is parsed behind as many line breaks and spaces as precede it, so
  every node and error has the position it has in the file;
- the struct names declared in earlier pieces (and brought by their
  includes) are passed as type names, which is what the parser's post-lexer
  knows at that point of the file.

Reusing nodes: the checker annotates nodes in place, so each parsed piece
keeps a copy of every node's fields as the parser left them, and those are
put back before the program is checked again. A piece reused after lines
were inserted above it has its nodes moved down (line numbers only).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .. import nodes
from ..errors import CRMScriptError
from .analysis import Sources, iter_nodes, parse_chunk
from .tokens import DIRECTIVE, NAME, PUNCT, TokenList

_OPEN = frozenset("([{")
_CLOSE = frozenset(")]}")
_CONTINUES_AFTER = frozenset({"else", "catch"})
# Where a piece stands when it replaces a piece that does not parse (for the
# checker only): far below any real line, so its errors are told apart.
SUBSTITUTE_LINE = 10_000_000


@dataclass
class Piece:
    """One top-level statement (or a few that cannot be told apart) of the text."""

    start: int  # offset of its first token
    end: int  # offset after its last token
    line: int
    column: int
    first: int  # index of its first token
    last: int  # index of its last token

    def text(self, source: str) -> str:
        return source[self.start:self.end]


def split(tokens: TokenList) -> list[Piece]:
    """The top-level statements of a text, by its tokens."""
    pieces: list[Piece] = []
    items = tokens.tokens
    i, count = 0, len(items)
    while i < count:
        first = i
        if items[i].kind == DIRECTIVE:
            i = min(i + 1, count - 1)
            if i + 1 < count and items[i + 1].text == ";":
                i += 1
        else:
            i = _statement_end(items, i)
        start_token = items[first]
        pieces.append(Piece(tokens.start(first), tokens.end(i), start_token.line, start_token.column, first, i))
        i += 1
    return pieces


def _statement_end(items: list, i: int) -> int:
    depth = 0
    count = len(items)
    while i < count:
        token = items[i]
        if token.kind == PUNCT:
            text = token.text
            if text in _OPEN:
                depth += 1
            elif text in _CLOSE:
                depth -= 1
                if depth <= 0 and text == "}":
                    if i + 1 < count and items[i + 1].text == ";":
                        i += 1
                    if not (i + 1 < count and items[i + 1].kind == NAME and items[i + 1].text in _CONTINUES_AFTER):
                        return i
                    depth = 0
                elif depth < 0:
                    return i
            elif text == ";" and depth == 0:
                if not (i + 1 < count and items[i + 1].kind == NAME and items[i + 1].text in _CONTINUES_AFTER):
                    return i
        elif token.kind == DIRECTIVE and depth == 0 and i > 0:
            return i - 1  # a directive after an unfinished statement starts its own piece
        i += 1
    return count - 1


@dataclass(eq=False)
class Parsed:
    """A parsed piece: its statements (or its error), kept for reuse."""

    body: list[nodes.Stmt]
    error: CRMScriptError | None
    line: int  # the line its nodes are at now
    file: str
    snapshots: list[tuple[nodes.Node, dict]] = field(default_factory=list)
    struct_names: frozenset[str] = frozenset()  # declared by it and its includes
    includes: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (path, text) read
    generation: int = 0  # the last analysis that used it

    def move_to(self, line: int) -> None:
        """Shift the piece's own nodes (not those of its includes) to start at `line`."""
        delta = line - self.line
        if not delta:
            return
        for node, snapshot in self.snapshots:
            if node.file == self.file:
                node.line += delta
                snapshot["line"] += delta
        if self.error is not None and self.error.file == self.file:
            self.error.line += delta
        self.line = line

    def restore(self) -> None:
        """Put back the fields as the parser left them (drop the checker's annotations)."""
        for node, snapshot in self.snapshots:
            fields = vars(node)
            if fields != snapshot:
                fields.clear()
                fields.update(snapshot)


@dataclass
class Assembly:
    """The current text as parsed pieces."""

    pieces: list[Piece]
    parsed: list[Parsed]
    substitutes: dict[int, Parsed]  # piece index -> the last good version standing in for it
    text: str = ""  # the text the pieces are of

    @property
    def errors(self) -> list[CRMScriptError]:
        return [p.error for p in self.parsed if p.error is not None]

    def piece_of(self, error: CRMScriptError) -> Piece | None:
        """The piece whose parse ended in `error`."""
        return next((piece for piece, parsed in zip(self.pieces, self.parsed, strict=True) if parsed.error is error),
                    None)

    def statements_mentioning(self, words: Iterable[str]) -> list[nodes.Stmt]:
        """The statements whose text has one of `words` (a lint that looks for
        calls of a few methods need not walk the rest)."""
        words = tuple(words)
        return [stmt for piece, parsed in zip(self.pieces, self.parsed, strict=True)
                if any(word in piece.text(self.text) for word in words) for stmt in parsed.body]

    def nodes(self) -> list[nodes.Node]:
        """Every node of the program (and of its includes), in source order."""
        found: list[nodes.Node] = []
        for index, parsed in enumerate(self.parsed):
            stand_in = self.substitutes.get(index)
            found.extend(node for node, _ in (stand_in or parsed).snapshots)
        return found

    def program(self, file: str) -> nodes.Program:
        body: list[nodes.Stmt] = []
        for index, parsed in enumerate(self.parsed):
            stand_in = self.substitutes.get(index)
            body.extend(stand_in.body if stand_in is not None else parsed.body)
        return nodes.Program(body, file=file, line=1, column=1)


class PieceCache:
    """The parsed pieces of one document, reused from one version to the next."""

    def __init__(self, file: str):
        self.file = file
        self._parsed: dict[tuple, Parsed] = {}
        self._last_good: dict[tuple, Parsed] = {}  # piece identity -> last version that parsed
        self._generation = 0

    def assemble(self, tokens: TokenList, sources: Sources, folders: tuple[Path, ...],
                 extra_type_names: frozenset[str]) -> Assembly:
        self._generation += 1
        text = tokens.text
        pieces = split(tokens)
        parsed_pieces: list[Parsed] = []
        substitutes: dict[int, Parsed] = {}
        struct_names: set[str] = set()
        seen: Counter = Counter()
        identities: Counter = Counter()
        for index, piece in enumerate(pieces):
            piece_text = piece.text(text)
            names = _names_in(tokens, piece)
            seen[piece_text] += 1
            key = (piece_text, piece.column, frozenset(names & struct_names), seen[piece_text])
            parsed = self._parsed.get(key)
            if parsed is not None and parsed.includes and not sources.still_valid(folders, parsed.includes):
                parsed = None
            if parsed is not None and parsed.error is not None and parsed.line != piece.line:
                parsed = None  # an error's message may name lines (`the string at line 18`)
            if parsed is None:
                parsed = self._parse(text, piece, sources, folders, extra_type_names | struct_names)
                self._parsed[key] = parsed
            else:
                parsed.move_to(piece.line)
            parsed.generation = self._generation
            identity = _identity(tokens, piece, identities)
            if parsed.error is None:
                self._last_good[identity] = parsed
            else:
                stand_in = self._last_good.get(identity)
                if stand_in is not None and stand_in.generation != self._generation:
                    substitutes[index] = stand_in
            struct_names |= parsed.struct_names
            parsed_pieces.append(parsed)
        for offset, stand_in in enumerate(substitutes.values()):
            stand_in.generation = self._generation
            stand_in.move_to(SUBSTITUTE_LINE + 100_000 * offset)
        self._forget_old()
        for parsed in {id(p): p for p in (*parsed_pieces, *substitutes.values())}.values():
            parsed.restore()
        return Assembly(pieces, parsed_pieces, substitutes, text)

    def _parse(self, text: str, piece: Piece, sources: Sources, folders: tuple[Path, ...],
               type_names: frozenset[str]) -> Parsed:
        # Blank out everything before the piece (keeping the line breaks), so
        # positions are those of the file.
        padding = "\n" * (piece.line - 1) + " " * (piece.column - 1)
        used: dict[str, tuple[str, str]] = {}
        resolver = sources.resolver(folders, used) if folders else None
        try:
            program = parse_chunk(padding + piece.text(text), self.file, resolver, type_names)
            body, error = program.body, None
        except CRMScriptError as problem:
            body, error = [], problem
        except RecursionError:
            body, error = [], CRMScriptError("the script nests too deeply (brackets or blocks) to be read",
                                             self.file, piece.line, piece.column)
        parsed = Parsed(body, error, piece.line, self.file, includes=used)
        structs = set()
        for node in iter_nodes(body, into_includes=True):
            parsed.snapshots.append((node, dict(vars(node))))
            if isinstance(node, nodes.StructDecl):
                structs.add(node.name)
        parsed.struct_names = frozenset(structs)
        return parsed

    def _forget_old(self) -> None:
        """Keep what this analysis and the one before used, and the last good versions."""
        keep = self._generation - 1
        self._parsed = {k: p for k, p in self._parsed.items() if p.generation >= keep}
        if len(self._last_good) > 4 * max(len(self._parsed), 64):
            self._last_good = {k: p for k, p in self._last_good.items() if p.generation >= keep}


def _names_in(tokens: TokenList, piece: Piece) -> set[str]:
    return {t.text for t in tokens.tokens[piece.first:piece.last + 1] if t.kind == NAME}


def _identity(tokens: TokenList, piece: Piece, counter: Counter) -> tuple:
    """What stays the same while a piece is edited: its first tokens
    (`Integer total(`, `struct Row`, `if (`), numbered among equals."""
    head = tuple(t.text for t in tokens.tokens[piece.first:min(piece.first + 3, piece.last + 1)])
    counter[head] += 1
    return head, counter[head]
