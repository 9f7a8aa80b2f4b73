"""The handler registry: which CRMScript handlers exist for which event type.

Layout (docs/handlers.md, "The handler tree"):

    DIR/<EventType>/<file>.crm | .crmscript   one handler each, run in file-name order
    DIR/lib/<name>.crm                        what `#include "name";` finds first

Plugins add handlers (HandlerSource) and include folders searched after
DIR/lib. Decisions (docs/handlers.md):

- Handlers are compiled on first use and kept. Before an event runs, the
  registry checks (at most every `check_interval` seconds; 0 = every event)
  with one `stat` per type folder, handler file and included file whether
  anything changed (mtime in ns + size); a changed handler is recompiled, a
  changed folder re-listed. No walk of the tree per event.
- A handler that fails to compile keeps its error until its files change;
  running it stops the chain like a runtime error would.
- Ids (for ExecuteScriptAsEvent): at start-up every handler of the tree, in
  (event type, file name) order, then the plugins' handlers, get 1, 2, 3...;
  a file that appears later gets the next free number. Ids are stable while
  the process runs; `crmscript events --scripts` lists them.
- Files and folders whose names start with "." or "_" are ignored (editor
  swap files, drafts).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CRMScriptError
from .includes import LIB_DIR, IncludePath, tree_include_path, valid_include_name
from .textfile import read_script_text

HANDLER_SUFFIXES = (".crm", ".crmscript")

# (path, mtime_ns, size) of every file a compiled handler depends on; a
# missing file is recorded with mtime -1 so that its appearance is noticed.
Stamp = tuple[tuple[str, int, int], ...]

CompileFn = Callable[..., Any]  # compile_script(source, name, *, includes=, library=)


def _stat_key(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, st.st_mtime_ns, st.st_size)


def _visible(name: str) -> bool:
    return not name.startswith((".", "_"))


def is_handler_file(name: str) -> bool:
    return _visible(name) and name.endswith(HANDLER_SUFFIXES)


@dataclass(frozen=True)
class HandlerSource:
    """A handler a plugin contributes: CRMScript source for one event type.

    `name` is the file name it would have in the tree (it sorts with the
    tree's handlers of the same type: `15-audit.crm` runs between `10-…`
    and `20-…`) and is what errors and traces show, as
    `<event_type>/<name>`. Plugins import it from engine.hookspecs.
    """

    event_type: str
    name: str
    source: str


@dataclass(eq=False)
class Handler:
    """One registered handler: a file of the tree or a plugin's source."""

    id: int
    event_type: str
    file_name: str  # "10-check.crm": decides the order within the type
    path: Path | None = None  # the file; None for a plugin handler
    plugin_source: str | None = None  # the source of a plugin handler
    origin: str = "tree"  # "tree" or "plugin"
    # compile cache
    script: Any = field(default=None, repr=False)
    compile_error: CRMScriptError | None = field(default=None, repr=False)
    stamp: Stamp = field(default=(), repr=False)

    @property
    def name(self) -> str:
        """What errors, traces and listings call it: `<EventType>/<file>`
        (relative to the tree, whatever the current folder)."""
        return f"{self.event_type}/{self.file_name}"

    @property
    def sort_key(self) -> tuple[str, int]:
        return (self.file_name, 0 if self.origin == "tree" else 1)

    def read_source(self) -> str:
        if self.plugin_source is not None:
            return self.plugin_source
        assert self.path is not None
        return read_script_text(self.path, self.name, what="handler file")


@dataclass
class HandlerRun:
    """What one handler did in a chain (given to crmscript_after_handler).

    Defined beside Handler rather than in chain.py: engine.hookspecs
    re-exports it, and the chain imports the plugin manager, which imports
    hookspecs."""

    handler: Handler
    output: str  # everything it printed
    seconds: float  # wall time of the run (compile excluded)
    error: BaseException | None = None  # the error that stopped the chain, if any
    log: list[tuple[str, str]] = field(default_factory=list)  # printDebug / log / logMessage: (channel, text)

    def log_lines(self) -> list[str]:
        """What it logged, one line each: `<handler>: printDebug: text`."""
        return [f"{self.handler.name}: {log_line(channel, text)}" for channel, text in self.log]


# The runtime's log channels (engine/runtime/globals.py) by the function that writes them.
_LOG_FUNCTIONS = {"debug": "printDebug"}


def log_line(channel: str, text: str) -> str:
    """One entry of a run's log as the user wrote it: `printDebug: text`, `log: text`."""
    return f"{_LOG_FUNCTIONS.get(channel, channel)}: {text}"


def include_resolver(includes: IncludePath, stamps: list[tuple[str, int, int]]) -> Callable[[str], tuple[str, str] | None]:
    """`includes` as a resolver for one compilation that also records the stat
    of every file it looked at, so a handler is recompiled when an included
    file changes or a missing one appears. (Files are named relative to the
    tree, `lib/util.crm`, not by a path the compiler's cache could stat: a
    fresh resolver per compilation keeps that cache out of the way.)"""
    def resolve(name: str) -> tuple[str, str] | None:
        found = includes.locate(name)
        if found is None:
            if valid_include_name(name):
                stamps.extend(_stat_key(str(path)) for _, path in includes.candidates(name))
            return None
        stamps.append(_stat_key(str(found[0])))
        return includes(name)

    return resolve


class HandlerRegistry:
    """The handlers of one tree plus the plugins' handlers, compiled on demand."""

    def __init__(self, root: os.PathLike | str, *,
                 plugin_handlers: Iterable[HandlerSource] = (),
                 include_folders: Iterable[tuple[str, Path]] = (),
                 library: Any = None,
                 compile: CompileFn | None = None,
                 check_interval: float = 0.0):
        self.root = Path(root)
        # `#include` looks in lib/, then in the plugins' folders (named by plugin).
        self.includes = tree_include_path(self.root, include_folders)
        self.library = library
        self.check_interval = check_interval
        self._compile = compile
        self._lock = threading.RLock()  # listing and compiling (the API serves from threads)
        self._by_id: dict[int, Handler] = {}
        self._tree: dict[str, list[Handler]] = {}  # event type -> tree handlers
        self._plugin: dict[str, list[Handler]] = {}  # event type -> plugin handlers
        self._chains: dict[str, list[Handler]] = {}  # event type -> merged, in run order
        self._dir_stamps: dict[str, tuple[str, int, int]] = {}  # type -> stamp of its folder
        self._root_stamp: tuple[str, int, int] = ("", -1, -1)
        self._last_check: dict[str, float] = {}
        self._next_id = 1
        self.warnings: list[str] = []  # problems of the tree itself (not of a script)
        self._scan_root(initial=True)
        for source in plugin_handlers:
            handler = self._new_handler(source.event_type, source.name, None, source.source, "plugin")
            self._plugin.setdefault(source.event_type, []).append(handler)
        self._chains.clear()

    @property
    def include_paths(self) -> list[Path]:
        """The folders `#include` searches, in order."""
        return self.includes.folders

    # ------------------------------------------------------------ listing

    def _new_handler(self, event_type: str, file_name: str, path: Path | None,
                     source: str | None, origin: str) -> Handler:
        handler = Handler(self._next_id, event_type, file_name, path, source, origin)
        self._by_id[handler.id] = handler
        self._next_id += 1
        return handler

    def _scan_root(self, initial: bool = False) -> None:
        """List the type folders of the tree (once at start, again when the root changes)."""
        self._root_stamp = _stat_key(str(self.root))
        if self._root_stamp[1] < 0:
            if initial and str(self.root):
                self.warnings.append(f"handler folder {self.root} does not exist: no handlers")
            names: list[str] = []
        else:
            try:
                names = sorted(entry.name for entry in os.scandir(self.root)
                               if entry.is_dir() and _visible(entry.name) and entry.name != LIB_DIR)
            except OSError as error:
                self.warnings.append(f"cannot list handler folder {self.root}: {error.strerror}")
                names = []
        for gone in set(self._tree) - set(names):
            self._set_tree_handlers(gone, [])
            self._dir_stamps.pop(gone, None)
        for event_type in names:
            if event_type not in self._dir_stamps:
                self._scan_type(event_type)

    def _scan_type(self, event_type: str) -> None:
        """(Re)list the handler files of one type folder, keeping known handlers."""
        folder = self.root / event_type
        self._dir_stamps[event_type] = _stat_key(str(folder))
        try:
            files = sorted(entry.name for entry in os.scandir(folder)
                           if entry.is_file() and is_handler_file(entry.name))
        except OSError:
            files = []
        known = {h.file_name: h for h in self._tree.get(event_type, [])}
        handlers = [known.get(name) or self._new_handler(event_type, name, folder / name, None, "tree")
                    for name in files]
        self._set_tree_handlers(event_type, handlers)

    def _set_tree_handlers(self, event_type: str, handlers: list[Handler]) -> None:
        for old in self._tree.get(event_type, []):
            if old not in handlers:
                self._by_id.pop(old.id, None)
        if handlers:
            self._tree[event_type] = handlers
        else:
            self._tree.pop(event_type, None)
        self._chains.pop(event_type, None)

    def _check_type(self, event_type: str) -> None:
        """Cheap freshness check for one type: stat its folder (or the root)."""
        stamp = self._dir_stamps.get(event_type)
        if stamp is None:
            # No folder known for this type: has one appeared?
            if _stat_key(str(self.root)) != self._root_stamp:
                with self._lock:
                    self._scan_root()
            return
        if _stat_key(stamp[0]) != stamp:
            with self._lock:
                if stamp[1] >= 0 and _stat_key(stamp[0])[1] < 0:
                    self._scan_root()  # the folder went away
                else:
                    self._scan_type(event_type)

    def refresh(self) -> None:
        """Forget the time of the last check: the next event checks the files."""
        self._last_check.clear()

    def _maybe_check(self, event_type: str) -> bool:
        """Run the freshness check if due; True when it ran."""
        if self.check_interval > 0:
            now = time.monotonic()
            if now - self._last_check.get(event_type, -1e18) < self.check_interval:
                return False
            self._last_check[event_type] = now
        self._check_type(event_type)
        return True

    # ------------------------------------------------------------- public

    def handlers_for(self, event_type: str) -> list[Handler]:
        """The handlers of `event_type` in run order (file name; a tree file
        before a plugin handler of the same name)."""
        checked = self._maybe_check(event_type)
        chain = self._chains.get(event_type)
        if chain is None:
            chain = sorted([*self._tree.get(event_type, ()), *self._plugin.get(event_type, ())],
                           key=lambda h: h.sort_key)
            self._chains[event_type] = chain
        if checked:
            for handler in chain:
                self._check_stale(handler)
        return chain

    def has_handlers(self, event_type: str) -> bool:
        return bool(self.handlers_for(event_type))

    def handler(self, handler_id: int) -> Handler | None:
        """The handler with this id (ExecuteScriptAsEvent), or None."""
        handler = self._by_id.get(handler_id)
        if handler is not None:
            self.handlers_for(handler.event_type)  # freshness: it may be gone or changed
            handler = self._by_id.get(handler_id)
        return handler

    def all_handlers(self) -> list[Handler]:
        """Every handler, by id."""
        self._scan_root()
        for event_type in list(self._tree):
            self._check_type(event_type)
        return sorted(self._by_id.values(), key=lambda h: h.id)

    def event_types(self) -> list[str]:
        return sorted({*self._tree, *self._plugin})

    # ----------------------------------------------------------- compiling

    def _check_stale(self, handler: Handler) -> None:
        if handler.stamp and any(_stat_key(path) != (path, mtime, size)
                                 for path, mtime, size in handler.stamp):
            handler.script = None
            handler.compile_error = None
            handler.stamp = ()

    def script_for(self, handler: Handler) -> Any:
        """The compiled Script of `handler`; raises its CRMScriptError if it
        does not compile (remembered until its files change)."""
        if handler.script is not None:
            return handler.script
        with self._lock:  # one compile per handler, also when threads race for it
            if handler.script is not None:
                return handler.script
            if handler.compile_error is not None:
                raise handler.compile_error
            # Stat before reading, so an edit during compilation is seen next time.
            stamps = [_stat_key(str(handler.path))] if handler.path is not None else []
            try:
                source = handler.read_source()
                handler.script = self._compile_source(source, handler.name, include_resolver(self.includes, stamps))
                return handler.script
            except CRMScriptError as error:
                handler.compile_error = error
                raise
            finally:
                handler.stamp = tuple(stamps)

    def _compile_source(self, source: str, name: str, resolver: Callable) -> Any:
        compile_fn = self._compile
        if compile_fn is None:
            from .script import compile_script as compile_fn  # the compiler teammate's entry point
        kwargs: dict[str, Any] = {"includes": resolver}
        if self.library is not None:
            kwargs["library"] = self.library
        return compile_fn(source, name, **kwargs)
