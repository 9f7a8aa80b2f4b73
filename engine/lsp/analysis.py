"""The language server's one door into the engine.

Everything the editor features need from the front end, the library and the
handler tree goes through the functions here: parsing a piece of a script,
checking a program, the warnings, the members of a type, the trigger
catalog's input keys and where a file's includes come from. The engine's
modules are being reorganised (tree walking into nodes.py, the checker's
warnings channel, the generated public reference); when they move, this
module changes and the features do not.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import nodes
from ..catalog import default_catalog
from ..checker import ARRAY_OWNER, STRUCT_OWNER, check_program
from ..errors import CRMScriptCheckError, CRMScriptDiagnostics, CRMScriptError, CRMScriptWarning
from ..includes import IncludePath, include_folders_for
from ..inputkeys import input_key_warnings as lint_input_keys
from ..parser import KNOWN_TYPE_NAMES, _strip_ejscript_markers as _unwrap_export, parse_program
from ..reference import reference
from ..runtime.table import Library, Signature
from ..textfile import read_script_text
from ..types import ELEMENT, LANGUAGE_TYPE_NAMES, RESERVED_WORDS, Type

SCRIPT_SUFFIXES = (".crm", ".crmscript")
LIB_DIR = "lib"

# Words that start statements: offered by completion where a statement can start.
STATEMENT_KEYWORDS = ("if", "else", "while", "for", "foreach", "return", "break", "continue",
                      "try", "catch", "throw", "struct", "true", "false", "this")
Resolver = Callable[[str], "tuple[str, str] | None"]


# ------------------------------------------------------------------ the tree


def iter_nodes(body: Iterable[nodes.Node], *, into_includes: bool = False) -> Iterator[nodes.Node]:
    """Every node of `body` (statements, or one node), in source order;
    the programs of #include statements too with `into_includes`."""
    for root in body:
        yield from nodes.walk(root, includes=into_includes)


def is_reserved(name: str) -> bool:
    """A word the language reserves (never a variable, function or struct name)."""
    return name in RESERVED_WORDS or name in STATEMENT_KEYWORDS


def script_text(source: str) -> str:
    """The text the parser reads: a script exported with the ejscript
    wrapper (`%EJSCRIPT_START%` ... `%>`) has the wrapper blanked out, same
    length and lines."""
    return _unwrap_export(source)


def parse_chunk(source: str, file: str, resolver: Resolver | None, type_names: Iterable[str]) -> nodes.Program:
    """Parse (part of) a script; raises CRMScriptError. An include that is
    not found is left for the checker to report (as `crmscript check` does)."""
    return parse_program(source, file, includes=resolver, require_includes=False, type_names=type_names)


def check(program: nodes.Program, library: Library) -> list[CRMScriptError]:
    """The checker's errors and warnings for `program`, which it annotates."""
    warnings: list[CRMScriptWarning] = []
    try:
        check_program(program, library, warnings=warnings)
    except CRMScriptDiagnostics as found:
        return [*found.errors, *warnings]
    except CRMScriptError as error:
        return [error, *warnings]
    except RecursionError:
        return [CRMScriptCheckError("the script nests too deeply (expressions or blocks) to be checked",
                                    program.file, 1, 1)]
    return list(warnings)


def is_warning(problem: CRMScriptError) -> bool:
    return isinstance(problem, CRMScriptWarning) or problem.kind == "warning"


# --------------------------------------------------------------- the catalog


def input_keys(trigger: str | None) -> list[str]:
    """The input keys the trigger is documented to send (patterns as documented)."""
    event_type = default_catalog().get(trigger) if trigger else None
    return list(event_type.input_keys) if event_type is not None else []


def trigger_sends(trigger: str, key: str) -> bool:
    event_type = default_catalog().get(trigger)
    return event_type is None or event_type.receives(key)


def trigger_is_open(trigger: str | None) -> bool:
    event_type = default_catalog().get(trigger) if trigger else None
    return bool(event_type is not None and event_type.open)


# EventData methods whose first argument is one of the trigger's input keys.
INPUT_KEY_METHODS = frozenset({"getInputValue"})


def input_key_warnings(statements: list[nodes.Stmt], file: str, trigger: str | None) -> list[CRMScriptWarning]:
    """`getInputValue("Key")` in checked `statements` with a key the file's
    trigger never sends (engine/inputkeys.py, as `crmscript check` reports them)."""
    if not trigger or default_catalog().get(trigger) is None or not statements:
        return []
    return lint_input_keys(nodes.Program(statements, file=file, line=1, column=1), trigger)


# ------------------------------------------------------------- the library


class LibraryView:
    """The library as the editor sees it: what crmscript-sim runs (the
    runtime's signature table, with the installed plugins') and what the
    public reference documents (engine/reference.py), merged. A member the
    table has comes from the table (the checker accepts exactly those); a
    documented member it lacks comes from the reference (`impl` None: not
    simulated). Every member and class knows its page in the reference."""

    def __init__(self, library: Library):
        self.library = library
        self.reference = reference()
        self._methods: dict[str, dict[str, list[Signature]]] = {}
        self._urls: dict[int, str] = {}
        self._functions: dict[str, list[Signature]] | None = None

    @property
    def functions(self) -> dict[str, list[Signature]]:
        if self._functions is None:
            found = {name: list(overloads) for name, overloads in self.library.functions.items()}
            for name in self.reference.function_names():
                if name not in found:
                    found[name] = [m.signature() for m in self.reference.functions(name)]
            self._functions = found
        return self._functions

    def class_names(self) -> list[str]:
        names = set(LANGUAGE_TYPE_NAMES) | set(KNOWN_TYPE_NAMES) | set(self.library.classes)
        names |= {name for name in self.reference.class_names() if self.reference.is_type(name)}
        return sorted(names - {ARRAY_OWNER, STRUCT_OWNER})

    def is_class(self, name: str) -> bool:
        return name not in (ARRAY_OWNER, STRUCT_OWNER) and (
            name in self.library.classes or self.reference.is_type(name))

    def methods(self, receiver: Type, struct_methods: dict[str, list] | None = None) -> dict[str, list]:
        """Methods of a value of type `receiver`, by name (Signatures, and a
        struct's own FunctionDecls first when `struct_methods` is given)."""
        if receiver.dims:
            owner = ARRAY_OWNER
        elif struct_methods is not None:
            owner = STRUCT_OWNER
        else:
            owner = receiver.name
        found: dict[str, list] = {name: list(decls) for name, decls in (struct_methods or {}).items()}
        for name, signatures in self._class_methods(owner).items():
            found.setdefault(name, []).extend(signatures)
        return found

    def _class_methods(self, owner: str) -> dict[str, list[Signature]]:
        cached = self._methods.get(owner)
        if cached is None:
            info = self.library.classes.get(owner)
            cached = {name: list(overloads) for name, overloads in (info.methods.items() if info else ())}
            documented = self.reference.cls(owner)
            for name, overloads in (documented.methods.items() if documented else ()):
                if name not in cached:
                    cached[name] = [m.signature() for m in overloads]
            self._methods[owner] = cached
        return cached

    def constructors(self, name: str) -> list[Signature]:
        info = self.library.classes.get(name)
        if info is not None and info.constructors:
            return list(info.constructors)
        return [m.signature() for m in self.reference.constructors(name)]

    @staticmethod
    def simulated(signature: Signature) -> bool:
        return signature.impl is not None

    def url(self, signature: Signature) -> str:
        """The member's address in the public reference ("" when it is not documented)."""
        if getattr(signature, "url", ""):
            return signature.url
        cached = self._urls.get(id(signature))
        if cached is None:
            cached = self._urls[id(signature)] = self._documented_url(signature)
        return cached

    def _documented_url(self, signature: Signature) -> str:
        if signature.owner:
            overloads = self.reference.constructors(signature.owner) if signature.is_constructor \
                else self.reference.methods(signature.owner, signature.name)
        else:
            overloads = self.reference.functions(signature.name)
        same = [m for m in overloads if [p.type for p in m.params] == [p.type for p in signature.params]]
        found = (same or list(overloads))[:1]
        return found[0].url if found else ""

    def class_url(self, name: str) -> str:
        documented = self.reference.cls(name)
        return documented.url if documented is not None else ""

    def class_kind(self, name: str) -> str:
        documented = self.reference.cls(name)
        return documented.kind if documented is not None else "class"

    def enum_constants(self, name: str) -> tuple:
        """The constants of a documented NetServer enum (name, value, url), or ()."""
        documented = self.reference.cls(name)
        return documented.constants if documented is not None and documented.kind == "enum" else ()


def element_type(signature_type: Type, receiver: Type | None) -> Type:
    """A library type with the array placeholder `T` replaced by the receiver's element type."""
    if receiver is not None and receiver.dims and signature_type.name == ELEMENT.name:
        return Type(receiver.name, receiver.dims - 1 + signature_type.dims)
    return signature_type


def load_plugins(*, enabled: bool = True) -> tuple[Library, list[Path], list[str]]:
    """The library with the installed plugins' functions and classes, their
    include folders, and the problems loading them (then without plugins),
    as `crmscript check` sees them."""
    import engine.runtime  # noqa: F401  (importing the runtime fills the table)

    from ..runtime.table import LIBRARY

    if not enabled:
        return LIBRARY, [], []
    from ..plugins import make_plugin_manager, plugin_include_folders, plugin_library

    try:
        manager = make_plugin_manager()
        return plugin_library(manager) or LIBRARY, [path for _, path in plugin_include_folders(manager)], []
    except CRMScriptError as error:
        return LIBRARY, [], [f"plugins not loaded: {error.message}"]


# ----------------------------------------------------------- files and trees


@dataclass(frozen=True)
class FileContext:
    """Where a script sits: its handler tree and trigger, and where its
    includes come from."""

    path: Path | None
    trigger: str | None = None  # the event type of its folder in a handler tree
    tree: Path | None = None
    include_folders: tuple[Path, ...] = ()


def file_context(path: Path | None, plugin_folders: Iterable[Path] = ()) -> FileContext:
    """A handler `TREE/<EventType>/x.crm` knows its trigger and includes from
    TREE/lib/ and the plugins' folders, as the handler registry resolves them;
    a file of TREE/lib/ includes from there too; any other file from its own
    folder and the nearest lib/ (as `crmscript check`)."""
    plugin_folders = tuple(plugin_folders)
    if path is None:
        return FileContext(None, include_folders=plugin_folders)
    folder = path.parent
    if folder.name in default_catalog():
        tree = folder.parent
        return FileContext(path, folder.name, tree, (tree / LIB_DIR, *plugin_folders))
    if folder.name == LIB_DIR:
        return FileContext(path, None, folder.parent, (folder, *plugin_folders))
    return FileContext(path, None, None, (*include_folders_for(path), *plugin_folders))


def library_scripts(context: FileContext) -> list[tuple[str, Path]]:
    """The scripts `#include "name"` can name from this file, first folder wins."""
    found: dict[str, Path] = {}
    for folder in context.include_folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            stem, suffix = os.path.splitext(entry.name)
            if suffix in SCRIPT_SUFFIXES and entry.is_file() and not entry.name.startswith((".", "_")):
                if context.path is None or Path(entry.path).resolve() != context.path.resolve():
                    found.setdefault(stem, Path(entry.path))
    return sorted(found.items())


@dataclass
class Sources:
    """The text of every script the server reads: an open document's text
    (with its unsaved edits) wins over the file on disk."""

    open: dict[str, str] = field(default_factory=dict)  # absolute path -> text
    _disk: dict[str, tuple[int, int, str | CRMScriptError]] = field(default_factory=dict)

    def text(self, path: Path) -> str:
        """The text of `path`; raises CRMScriptCheckError when it cannot be read as UTF-8."""
        key = str(path)
        if key in self.open:
            return self.open[key]
        try:
            stat = os.stat(key)
        except OSError as error:
            raise CRMScriptCheckError(f"cannot read {path}: {error.strerror}", key, 1, 1) from None
        cached = self._disk.get(key)
        if cached is None or cached[:2] != (stat.st_mtime_ns, stat.st_size):
            cached = (stat.st_mtime_ns, stat.st_size, _read_script(path))
            self._disk[key] = cached
        if isinstance(cached[2], CRMScriptError):
            raise cached[2]
        return cached[2]

    def same_as_disk(self, path: Path, text: str) -> bool:
        """Is `text` what the file on disk holds?"""
        key = str(path)
        opened = self.open.pop(key, None)
        try:
            return self.text(path) == text
        except CRMScriptError:
            return False
        finally:
            if opened is not None:
                self.open[key] = opened

    def resolver(self, folders: Iterable[Path], used: dict[str, tuple[str, str]]) -> Resolver:
        """An include resolver over `folders` that records each script it
        hands out (name -> (path, text)), so a cached parse knows when to redo."""
        search = IncludePath(folders)

        def resolve(name: str) -> tuple[str, str] | None:
            path = search.find(name)
            if path is None:
                used[name] = ("", "")
                return None
            file_name = str(path.resolve())
            text = self.text(Path(file_name))
            used[name] = (file_name, text)
            return text, file_name

        return resolve

    def still_valid(self, folders: Iterable[Path], used: dict[str, tuple[str, str]]) -> bool:
        """Would resolving the recorded names again give the same scripts?"""
        search = IncludePath(folders)
        for name, (file_name, text) in used.items():
            path = search.find(name)
            if (str(path.resolve()) if path is not None else "") != file_name:
                return False
            if file_name:
                try:
                    if self.text(Path(file_name)) != text:
                        return False
                except CRMScriptError:
                    return False
        return True


def _read_script(path: Path) -> str | CRMScriptError:
    try:
        return read_script_text(path, str(path), what=f"{path.name}")
    except CRMScriptError as problem:
        return problem
