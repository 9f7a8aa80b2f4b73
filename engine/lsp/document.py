"""One analysis of one version of a document: parsed (incrementally),
checked, linted and indexed, with its problems located in the document.

`Analyser` is the long-lived part (per server): the script sources (open
documents over the files on disk), the library with the plugins', the
parsed pieces of each document. `Analyser.analyse` makes a `Document`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .. import nodes
from ..errors import CRMScriptError, CRMScriptSyntaxError
from ..symbols import GLOBAL
from .analysis import (
    FileContext,
    LibraryView,
    Sources,
    check,
    file_context,
    input_key_warnings,
    is_warning,
    iter_nodes,
    load_plugins,
    script_text,
)
from .chunks import SUBSTITUTE_LINE, Assembly, PieceCache
from .index import SymbolIndex, build_index
from .tokens import TokenList

# U+FFFD stands for bytes a reader could not decode, and a lone UTF-16
# surrogate is no character at all: either way the file was not UTF-8.
UNREADABLE = re.compile("[\ufffd\ud800-\udfff]")
UNREADABLE_MESSAGE = "the text holds a character that could not be read: is the file saved as UTF-8?"


@dataclass(frozen=True)
class Problem:
    """A diagnostic of the document: where it is shown and what it says."""

    line: int  # 1-based, in the document
    column: int
    severity: str  # error | warning | hint
    message: str
    end_line: int = 0  # 0: the end of the token at (line, column)
    end_column: int = 0
    unnecessary: bool = False  # an unused name (editors fade it)
    related: tuple[tuple[str, int, int, str], ...] = ()  # (file, line, column, message)


@dataclass(eq=False)
class Document:
    uri: str
    file: str  # the name nodes and errors carry: the absolute path (or the uri)
    version: int | None
    text: str
    tokens: TokenList
    context: FileContext
    program: nodes.Program
    assembly: Assembly
    problems: list[Problem] = field(default_factory=list)
    include_files: frozenset[str] = frozenset()  # every script it includes, directly or not
    analyser: Analyser | None = field(default=None, repr=False)

    @property
    def parses(self) -> bool:
        return not self.assembly.errors

    @cached_property
    def index(self) -> SymbolIndex:
        return build_index(self.program, self.tokens_for)

    def tokens_for(self, file: str) -> TokenList | None:
        if file == self.file:
            return self.tokens
        return self.analyser.tokens_of(file) if self.analyser is not None else None

    def structs(self) -> dict[str, nodes.StructDecl]:
        return self.index.structs

    def functions(self) -> dict[str, list[nodes.FunctionDecl]]:
        found: dict[str, list[nodes.FunctionDecl]] = {}
        for node in self.top_level(into_includes=True):
            if isinstance(node, nodes.FunctionDecl):
                found.setdefault(node.name, []).append(node)
        return found

    def top_level(self, *, into_includes: bool = False) -> list[nodes.Stmt]:
        """The top-level statements, those of the included scripts in place of their #include."""
        found: list[nodes.Stmt] = []

        def visit(body: list[nodes.Stmt]) -> None:
            for stmt in body:
                if isinstance(stmt, nodes.Include) and into_includes:
                    if stmt.program is not None:
                        visit(stmt.program.body)
                elif stmt.line < SUBSTITUTE_LINE:
                    found.append(stmt)

        visit(self.program.body)
        return found


class Analyser:
    """Analyses documents; keeps what one analysis can reuse from the last."""

    def __init__(self, *, plugins: bool = True):
        self.sources = Sources()
        library, self.plugin_folders, self.startup_problems = load_plugins(enabled=plugins)
        self.library = library
        self.view = LibraryView(library)
        # Classes a plugin adds are type names for the parser too (`Thing("x")` constructs).
        self.type_names = frozenset(self.view.class_names()) & frozenset(library.classes)
        self._pieces: dict[str, PieceCache] = {}
        self._tokens: dict[str, tuple[str, TokenList]] = {}
        self.documents: dict[str, Document] = {}  # uri -> its last analysis

    def context_for(self, path: Path | None) -> FileContext:
        return file_context(path, self.plugin_folders)

    def tokens_of(self, file: str) -> TokenList | None:
        """Tokens of an included script (as last read)."""
        try:
            text = self.sources.text(Path(file))
        except CRMScriptError:
            return None
        cached = self._tokens.get(file)
        if cached is None or cached[0] is not text and cached[0] != text:
            cached = (text, TokenList(text))
            self._tokens[file] = cached
        return cached[1]

    def analyse(self, uri: str, path: Path | None, text: str, version: int | None = None) -> Document:
        file = str(path) if path is not None else uri
        context = self.context_for(path)
        tokens = TokenList(script_text(text))
        pieces = self._pieces.get(file)
        if pieces is None or pieces.file != file:
            pieces = self._pieces[file] = PieceCache(file)
        assembly = pieces.assemble(tokens, self.sources, context.include_folders, self.type_names)
        program = assembly.program(file)
        document = Document(uri, file, version, text, tokens, context, program, assembly, analyser=self)
        problems: list[CRMScriptError] = list(assembly.errors)
        complete = all(i in assembly.substitutes for i, p in enumerate(assembly.parsed) if p.error is not None)
        checked = check(program, self.library)
        if complete:
            problems += [p for p in checked if not (p.file == file and p.line >= SUBSTITUTE_LINE)]
            if document.parses:
                problems += input_key_warnings(program, context.trigger)
        document.include_files = frozenset(
            node.program.file for node in iter_nodes(program, into_includes=True)
            if isinstance(node, nodes.Include) and node.program is not None)
        document.problems = self._locate(document, problems)
        if document.parses:
            document.problems += unused_variable_hints(document)
        unreadable = UNREADABLE.search(text)
        if unreadable is not None:
            line, column = tokens.position(unreadable.start())
            document.problems.append(Problem(line, column, "warning", UNREADABLE_MESSAGE))
        self.documents[uri] = document
        return document

    def forget(self, uri: str, path: Path | None) -> None:
        self.documents.pop(uri, None)
        self._pieces.pop(str(path) if path is not None else uri, None)

    def _locate(self, document: Document, problems: list[CRMScriptError]) -> list[Problem]:
        """Each problem where the document shows it: its own, at their place;
        those of an included script at the #include that brings it in."""
        located: list[Problem] = []
        seen: set[tuple] = set()
        sites = _include_sites(document.program, document.file)
        for problem in problems:
            severity = "warning" if is_warning(problem) else "error"
            if problem.file == document.file:
                entry = Problem(max(problem.line, 1), max(problem.column, 1), severity, problem.message)
            else:
                site = _include_site_of(document, sites, problem)
                if site is None:
                    continue
                line, column, name = site
                kind = "syntax error" if isinstance(problem, CRMScriptSyntaxError) else severity
                where = f"{Path(problem.file).name}:{problem.line}:{problem.column}"
                entry = Problem(line, column, severity,
                                f"in the include '{name}' ({where}): {kind}: {problem.message}",
                                related=((problem.file, problem.line, problem.column, problem.message),))
            key = (entry.line, entry.column, entry.message)
            if key not in seen:
                seen.add(key)
                located.append(entry)
        return located


def _include_site_of(document: Document, sites: dict[str, nodes.Include],
                     problem: CRMScriptError) -> tuple[int, int, str] | None:
    """(line, column, include name) of the document's #include that a
    problem of another script comes through: the include that brings that
    script in, or the #include whose parse failed in it."""
    site = sites.get(problem.file)
    if site is not None:
        return site.line, site.column, site.name
    piece = document.assembly.piece_of(problem)
    if piece is None:
        return None
    tokens = document.tokens
    name = tokens[piece.first + 1].text.strip("\"'") if piece.first + 1 <= piece.last else ""
    return piece.line, piece.column, name


def _include_sites(program: nodes.Program, file: str) -> dict[str, nodes.Include]:
    """For every script the document includes (directly or not), the
    document's own #include that brings it in."""
    sites: dict[str, nodes.Include] = {}
    for stmt in program.body:
        if isinstance(stmt, nodes.Include) and stmt.file == file:
            sites.setdefault(_include_target(stmt), stmt)
            if stmt.program is not None:
                for inner in iter_nodes(stmt.program, into_includes=True):
                    if isinstance(inner, nodes.Include) and inner.program is not None:
                        sites.setdefault(inner.program.file, stmt)
    return sites


def _include_target(stmt: nodes.Include) -> str:
    return stmt.program.file if stmt.program is not None else ""


def unused_variable_hints(document: Document) -> list[Problem]:
    """A variable the document declares in a function or block and never uses."""
    hints = []
    for occurrences in document.index.by_key.values():
        declaration = next((o for o in occurrences if o.definition), None)
        if declaration is None or declaration.kind != "variable" or declaration.file != document.file:
            continue
        if getattr(declaration.key, "kind", GLOBAL) == GLOBAL or len(occurrences) > 1:
            continue
        hints.append(Problem(declaration.line, declaration.column, "hint",
                             f"'{declaration.key.name}' is never used",
                             declaration.line, declaration.column + declaration.length, unnecessary=True))
    return hints
