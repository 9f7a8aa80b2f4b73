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
    INPUT_KEY_METHODS,
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
    nodes: list[nodes.Node] = field(default_factory=list, repr=False)  # of the program and its includes
    analyser: Analyser | None = field(default=None, repr=False)

    @property
    def parses(self) -> bool:
        return not self.assembly.errors

    @cached_property
    def index(self) -> SymbolIndex:
        return build_index(self.nodes, self.tokens_for)

    def tokens_for(self, file: str) -> TokenList | None:
        if file == self.file:
            return self.tokens
        return self.analyser.tokens_of(file) if self.analyser is not None else None

    @cached_property
    def _structs(self) -> dict[str, nodes.StructDecl]:
        found: dict[str, nodes.StructDecl] = {}
        for node in self.top_level(into_includes=True, stand_ins=True):
            if isinstance(node, nodes.StructDecl):
                found.setdefault(node.name, node)
        return found

    def structs(self) -> dict[str, nodes.StructDecl]:
        """The structs the program declares (its own and its includes')."""
        return self._structs

    def functions(self) -> dict[str, list[nodes.FunctionDecl]]:
        found: dict[str, list[nodes.FunctionDecl]] = {}
        for node in self.top_level(into_includes=True, stand_ins=True):
            if isinstance(node, nodes.FunctionDecl):
                found.setdefault(node.name, []).append(node)
        return found

    def top_level(self, *, into_includes: bool = False, stand_ins: bool = False) -> list[nodes.Stmt]:
        """The top-level statements, those of the included scripts in place of
        their #include; with `stand_ins`, also the last good versions standing
        in for statements that do not parse now (a struct being edited)."""
        found: list[nodes.Stmt] = []

        def visit(body: list[nodes.Stmt]) -> None:
            for stmt in body:
                if isinstance(stmt, nodes.Include) and into_includes:
                    if stmt.program is not None:
                        visit(stmt.program.body)
                elif stand_ins or stmt.line < SUBSTITUTE_LINE:
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
        previous = self.documents.get(uri)
        tokens = TokenList(script_text(text), previous.tokens if previous is not None else None)
        pieces = self._pieces.get(file)
        if pieces is None or pieces.file != file:
            pieces = self._pieces[file] = PieceCache(file)
        assembly = pieces.assemble(tokens, self.sources, context.include_folders, self.type_names)
        program = assembly.program(file)
        document = Document(uri, file, version, text, tokens, context, program, assembly, analyser=self,
                            nodes=assembly.nodes())
        problems: list[CRMScriptError] = list(assembly.errors)
        complete = all(i in assembly.substitutes for i, p in enumerate(assembly.parsed) if p.error is not None)
        checked = check(program, self.library)
        if complete:
            problems += [p for p in checked if not (p.file == file and p.line >= SUBSTITUTE_LINE)]
            if document.parses:
                problems += input_key_warnings(assembly.statements_mentioning(INPUT_KEY_METHODS), file,
                                               context.trigger)
        document.include_files = frozenset(node.program.file for node in document.nodes
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
                for inner in iter_nodes([stmt.program], into_includes=True):
                    if isinstance(inner, nodes.Include) and inner.program is not None:
                        sites.setdefault(inner.program.file, stmt)
    return sites


def _include_target(stmt: nodes.Include) -> str:
    return stmt.program.file if stmt.program is not None else ""


def unused_variable_hints(document: Document) -> list[Problem]:
    """A variable the document declares in a function or block and never uses."""
    used: set[int] = set()
    declared: list[nodes.Node] = []
    for node in document.nodes:
        if isinstance(node, nodes.Name) and node.symbol is not None:
            used.add(id(node.symbol))
        elif isinstance(node, (nodes.VarDecl, nodes.Foreach)) and node.file == document.file \
                and node.symbol is not None and node.symbol.kind != GLOBAL:
            declared.append(node)
    hints = []
    for node in declared:
        if id(node.symbol) in used:
            continue
        name = node.symbol.name
        start_ref = node.var_type if isinstance(node, nodes.Foreach) else node.type_ref
        start = document.tokens.index_at(start_ref.line, start_ref.column)
        at = document.tokens.find_name(start, name, skip_first=True) if start is not None else None
        if at is None:
            continue
        token = document.tokens[at]
        hints.append(Problem(token.line, token.column, "hint", f"'{name}' is never used",
                             token.line, token.column + len(token.text), unnecessary=True))
    return hints
