"""The whole plugin surface of crmscript-sim (pluggy, project name `crmscript_sim`).

A plugin is any object or module with functions marked `@hookimpl` whose
names are the hooks below. It reaches the engine either

- through the entry-point group `crmscript_sim` of an installed distribution
  (`[project.entry-points.crmscript_sim] myplugin = "my_pkg.plugin"`), loaded
  by every `Engine(load_entry_points=True)` (the default) and so by every
  `crmscript` command; or
- directly: `Engine(plugins=[my_plugin_module])`.

Example (see examples/plugin/ for an installable one):

    from engine.hookspecs import hookimpl, HandlerSource
    from engine.runtime.table import builtin

    @hookimpl
    def crmscript_handlers():
        return [HandlerSource("TicketSave", "audit.crm", 'print("saved");')]

    @hookimpl
    def crmscript_library(library):
        @builtin("String shout(String s)", library=library)
        def shout(s): return s.upper()

Setup hooks (crmscript_handlers, crmscript_include_paths,
crmscript_library) are called once, when the Engine is built. Run hooks are
called on every event; keep them cheap. A hook that raises is a plugin bug:
during setup it fails Engine construction with a PluginError; during a run
it stops the chain and the event's Exception names the plugin hook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pluggy

# The records the hooks pass, defined where the registry and the chain make
# them; plugins import them from here.
from .handlers import Handler, HandlerRun, HandlerSource

if TYPE_CHECKING:  # only for the annotations below
    from .eventdata import EventData
    from .runtime.context import Settings
    from .runtime.table import Library

__all__ = ["ENTRY_POINT_GROUP", "PROJECT_NAME", "Handler", "HandlerRun", "HandlerSource", "hookimpl", "hookspec"]

PROJECT_NAME = "crmscript_sim"
ENTRY_POINT_GROUP = "crmscript_sim"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# ------------------------------------------------------------------ setup


@hookspec
def crmscript_handlers() -> Sequence[HandlerSource | tuple[str, str, str]]:
    """Return handlers to register: HandlerSource(event_type, name, source)
    or plain (event_type, name, source) tuples."""


@hookspec
def crmscript_include_paths() -> Sequence[str | Path]:
    """Return folders searched by `#include "name";`, after the tree's own
    `lib/` (the first file found wins)."""


@hookspec
def crmscript_library(library: Library) -> None:
    """Add built-in functions and classes to `library`.

    `library` is a copy of the built-in table (`Library.copy()`) that only
    this Engine's scripts see. Register with
    `engine.runtime.table.builtin(decl, library=library)` or
    `library.add(Signature(...))`, and classes with
    `library.register_class(name, python_class, default)`. This is how
    simulated SearchEngine, HTTP or NetServer classes arrive.
    """


# -------------------------------------------------------------------- run


@hookspec
def crmscript_before_event(event: EventData, settings: Settings) -> None:
    """Called once per event, before its first handler (also when no handler
    exists). `event` is the chain's EventData: a change here is what every
    handler sees."""


@hookspec
def crmscript_after_event(event: EventData, runs: list[HandlerRun]) -> None:
    """Called once per event after the chain ended (normally or by an error),
    with the final EventData and one HandlerRun per handler that ran."""


@hookspec
def crmscript_before_handler(handler: Handler, event: EventData) -> None:
    """Called before each handler runs."""


@hookspec
def crmscript_after_handler(run: HandlerRun, event: EventData) -> None:
    """Called after each handler that ran to its end (not after one that failed:
    crmscript_handler_error gets that one)."""


@hookspec
def crmscript_handler_error(handler: Handler, event: EventData, error: BaseException) -> None:
    """Called when a handler fails (compile error, uncaught CRMScript error,
    limit). `event.Exception` is already set; a plugin may log or reword it."""


def hook_names() -> list[str]:
    """Every hook of the surface (for docs and tests)."""
    return sorted(name for name, value in globals().items()
                  if name.startswith("crmscript_") and callable(value))

