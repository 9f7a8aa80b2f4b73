"""The plugin manager: finds plugins and calls the hooks of engine/hookspecs.py.

Plugins come from the entry-point group `crmscript_sim` (importlib.metadata,
through pluggy) and from `Engine(plugins=[...])`: module objects, or paths
of Python files (`--plugin my_plugin.py`, a case file's `plugins:`), which
are imported here and registered under their file's name, as an entry
point is under its name: a plugin needs no packaging. A plugin that fails
to load or whose setup hook raises becomes a PluginError (a CRMScriptError
naming the plugin), never a bare traceback.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .errors import CRMScriptError
from .handlers import HandlerSource
from .hookspecs import ENTRY_POINT_GROUP, PROJECT_NAME


class PluginError(CRMScriptError):
    """A plugin failed to load, or one of its hooks raised."""

    kind = "plugin error"

    def __str__(self) -> str:
        return f"{self.file}: {self.kind}: {self.message}"


def plugin_label(plugin: Any) -> str:
    return getattr(plugin, "__name__", None) or type(plugin).__name__


def make_plugin_manager(plugins: Iterable[Any] | None = None, *,
                        load_entry_points: bool = True) -> pluggy.PluginManager:
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    if load_entry_points:
        try:
            manager.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        except Exception as error:  # an installed plugin that does not import
            raise PluginError(f"cannot load an entry point of group {ENTRY_POINT_GROUP!r}: "
                              f"{type(error).__name__}: {error}", ENTRY_POINT_GROUP) from error
    for plugin in plugins or ():
        name = None
        if isinstance(plugin, (str, os.PathLike)):
            name, plugin = Path(plugin).stem, load_plugin_file(plugin)
        if manager.is_registered(plugin):
            continue  # also installed through its entry point, or given twice
        try:
            manager.register(plugin, name=name if name and not manager.has_plugin(name) else None)
        except (pluggy.PluginValidationError, ValueError) as error:
            raise PluginError(str(error), plugin_label(plugin)) from error
    return manager


_loaded_files: dict[str, ModuleType] = {}
_loading = threading.Lock()


def load_plugin_file(path: str | os.PathLike) -> ModuleType:
    """Import a plugin from a Python file (once per process and file).

    Its module gets a private name (`crmscript_sim_plugin_<stem>_<hash>`), so
    a file called `json.py` shadows nothing; it is registered under its stem."""
    file = Path(path)
    key = str(file.resolve())
    with _loading:
        if key in _loaded_files:
            return _loaded_files[key]
        if not file.is_file():
            raise PluginError("no such plugin file" if not file.exists() else "a plugin is a Python file", str(path))
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        module_name = f"crmscript_sim_plugin_{file.stem}_{digest}"
        spec = importlib.util.spec_from_file_location(module_name, file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # dataclasses and pickling look modules up here
        try:
            spec.loader.exec_module(module)
        except SyntaxError as error:
            del sys.modules[module_name]
            raise PluginError(f"line {error.lineno}: {error.msg}", str(path)) from None
        except Exception as error:  # whatever the plugin's own code raises on import
            del sys.modules[module_name]
            raise PluginError(f"cannot load it: {type(error).__name__}: {error}", str(path)) from error
        _loaded_files[key] = module
        return module


def call_setup_hook(manager: pluggy.PluginManager, name: str, **kwargs: Any) -> list[Any]:
    """Call one setup hook, turning a plugin's exception into a PluginError."""
    hook = getattr(manager.hook, name)
    try:
        return hook(**kwargs)
    except CRMScriptError:
        raise
    except Exception as error:
        raise PluginError(f"hook {name} raised {type(error).__name__}: {error}", PROJECT_NAME) from error


def plugin_library(manager: pluggy.PluginManager) -> Any:
    """A copy of the built-in table extended by the plugins, or None when no
    plugin extends it (scripts then use the shared table)."""
    if not has_hook_impls(manager, "crmscript_library"):
        return None
    from .runtime import table  # importing the runtime package fills the table

    library = table.LIBRARY.copy()
    call_setup_hook(manager, "crmscript_library", library=library)
    check_against_reference(library, table.LIBRARY)
    return library


def check_against_reference(library: Any, base: Any) -> None:
    """A plugin's member that the CRMScript reference documents replaces its
    "not simulated" stub, but only with the documented signature: another one
    is a setup error naming both (engine/documented.py)."""
    from .documented import added_signatures, contradiction

    for sig in added_signatures(library, base):
        found = contradiction(sig)
        if found is not None:
            code = getattr(sig.impl, "__code__", None)
            raise PluginError(found, code.co_filename if code is not None else PROJECT_NAME)


def plugin_handlers(manager: pluggy.PluginManager) -> list[HandlerSource]:
    """Every handler the plugins register, validated."""
    found: list[HandlerSource] = []
    for batch in call_setup_hook(manager, "crmscript_handlers"):
        for item in batch or ():
            if isinstance(item, tuple) and len(item) == 3:
                item = HandlerSource(*item)
            if not (isinstance(item, HandlerSource) and all(
                    isinstance(v, str) for v in (item.event_type, item.name, item.source))):
                raise PluginError(f"crmscript_handlers returned {item!r}; expected "
                                  "HandlerSource(event_type, name, source)", PROJECT_NAME)
            if not item.event_type or "/" in item.name or not item.name:
                raise PluginError(f"bad handler name {item.event_type!r}/{item.name!r}", PROJECT_NAME)
            found.append(item)
    return found


def plugin_name(manager: pluggy.PluginManager, plugin: Any) -> str:
    """What a plugin is called in file names and messages: its entry-point
    name (`example`), else its module or class name."""
    name = manager.get_name(plugin)
    return name if name and not name.isdigit() else plugin_label(plugin)


def plugin_include_folders(manager: pluggy.PluginManager) -> list[tuple[str, Path]]:
    """(plugin name, folder) of every include folder the plugins add, in
    registration order. Files found there are named `<plugin>/<file>`."""
    folders: list[tuple[str, Path]] = []
    for impl in manager.hook.crmscript_include_paths.get_hookimpls():  # registration order
        try:
            batch = impl.function()
        except CRMScriptError:
            raise
        except Exception as error:
            raise PluginError(f"hook crmscript_include_paths raised {type(error).__name__}: {error}",
                              plugin_name(manager, impl.plugin)) from error
        folders.extend((plugin_name(manager, impl.plugin), Path(item)) for item in batch or ())
    return folders


def has_hook_impls(manager: pluggy.PluginManager, name: str) -> bool:
    return bool(getattr(manager.hook, name).get_hookimpls())
