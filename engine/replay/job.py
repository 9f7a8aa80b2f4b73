"""The replay job: everything a worker needs to build its Engine, shipped once.

Local worker processes share the machine with the command, so they open the
handler tree where it is. Workers of a Dask cluster may run anywhere and
need no copy of the project's files: the job carries the tree's files (its
handlers, its `lib/` includes, anything else in it, such as a
`fixture.yaml`), the names of the installed plugins to load (each plugin's
code and include folders come with it, installed on the worker like the
engine), the content of the `--plugin` files (each file alone: what it
imports must be installed on the worker) and the fixture file. A worker
writes the tree into a folder of its own and builds one Engine per job,
reused for every partition it runs (`engine_for`).

Messages name handlers and included files relative to the tree
(`lib/util.crm`), wherever a worker wrote it: a run on a cluster answers
byte for byte like a local one.

The simulated CRM's fixture (`--fixture`, docs/crm.md) travels as
`fixture` (the path on the command's machine) plus its bytes for remote
workers; `_engine_options` is the one place that hands it to the Engine.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from ..hookspecs import ENTRY_POINT_GROUP
from .compare import CompareOptions
from .inputs import ReplayError

# A replay runs against the tree as it is when it starts: the engine looks
# at the handler files once per event type, not before every event.
FILES_CHECKED_EVERY_SECONDS = float("inf")
MAX_SHIPPED_BYTES = 64 * 1024 * 1024  # a handler tree is scripts; more than this is a mistake (a data folder)
ENGINES_KEPT = 2  # jobs a long-lived worker keeps an Engine for


@dataclass(frozen=True)
class ShippedTree:
    files: tuple[tuple[str, bytes], ...]  # (path relative to the tree, posix; content)


@dataclass(frozen=True)
class ReplayJob:
    key: str  # workers keep one Engine per key
    handlers_dir: str  # the tree on the command's machine
    tree: ShippedTree | None = None  # its files, for workers elsewhere
    plugins: tuple[str, ...] | None = None  # entry-point names to load; None: every installed one
    plugin_files: tuple[str, ...] = ()  # --plugin files on the command's machine
    plugin_sources: tuple[tuple[str, bytes], ...] | None = None  # ... and their (name, content), for workers elsewhere
    fixture: str | None = None  # the simulated CRM's fixture file on the command's machine
    fixture_data: bytes | None = None  # ... and its content, for workers elsewhere
    timings: bool = False  # measure each handler (--timings, --baseline, --report)
    write_timings: bool = False  # and write them into each response line (--timings)
    compare: CompareOptions | None = None  # compare with a baseline (--baseline)
    slowest: int = 20  # slowest events kept for the report


def build_job(handlers_dir: os.PathLike | str, *, ship: bool = False, fixture: os.PathLike | str | None = None,
              plugin_files: Sequence[os.PathLike | str] = (), timings: bool = False, write_timings: bool = False,
              compare: CompareOptions | None = None, slowest: int = 20) -> ReplayJob:
    """A job for `handlers_dir`; builds an Engine here first, so a broken tree
    or plugin fails once, in the command, not in every worker. With `ship`,
    the tree's files, the --plugin files and the fixture go with the job
    (for a Dask cluster)."""
    job = ReplayJob(uuid.uuid4().hex, str(handlers_dir), fixture=None if fixture is None else str(fixture),
                    plugin_files=tuple(str(file) for file in plugin_files), timings=timings or write_timings,
                    write_timings=write_timings, compare=compare, slowest=slowest)
    engine = engine_for(job)
    if not ship:
        return job
    return replace(job, tree=ship_tree(Path(handlers_dir)), plugins=tuple(_entry_point_names(engine)),
                   plugin_sources=tuple((Path(file).name, _read_shipped(file, "plugin file"))
                                        for file in job.plugin_files),
                   fixture_data=_read_shipped(job.fixture, "fixture") if job.fixture is not None else None)


def ship_tree(root: Path) -> ShippedTree:
    """Every file of the tree (hidden ones left out)."""
    files: list[tuple[str, bytes]] = []
    total = 0
    for path in sorted(root.rglob("*")) if root.is_dir() else ():
        relative = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        data = path.read_bytes()
        total += len(data)
        if total > MAX_SHIPPED_BYTES:
            raise ReplayError(f"the handler tree holds more than {MAX_SHIPPED_BYTES // 2**20} MiB of files "
                              "to send to the workers; keep only scripts (and a fixture) in it", str(root))
        files.append((relative.as_posix(), data))
    return ShippedTree(tuple(files))


def _read_shipped(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ReplayError(f"cannot read the {what}: {error.strerror}", path) from None


def _entry_point_names(engine: Any) -> list[str]:
    """The plugins the Engine loaded through entry points, in load order."""
    manager = engine.plugin_manager
    return [manager.get_name(plugin) for plugin, _ in manager.list_plugin_distinfo()]


# ---------------------------------------------------------------- workers

_engines: dict[str, Any] = {}
_folders: dict[str, str] = {}  # job key -> the folder its shipped tree was written to
_lock = threading.Lock()


def engine_for(job: ReplayJob) -> Any:
    """This process's Engine for `job`, built on first use."""
    engine = _engines.get(job.key)
    if engine is not None:
        return engine
    with _lock:
        engine = _engines.get(job.key)
        if engine is None:
            engine = _build_engine(job)
            while len(_engines) >= ENGINES_KEPT:
                _forget(next(iter(_engines)))
            _engines[job.key] = engine
    return engine


def _forget(key: str) -> None:
    _engines.pop(key, None)
    folder = _folders.pop(key, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@atexit.register
def _remove_folders() -> None:
    for key in list(_folders):
        _forget(key)


def _build_engine(job: ReplayJob) -> Any:
    from ..chain import Engine

    handlers_dir, fixture, plugin_files = job.handlers_dir, job.fixture, list(job.plugin_files)
    if job.tree is not None:
        handlers_dir, fixture, plugin_files = _write_job_folder(job)
    plugins = [*(_load_plugins(job.plugins) if job.plugins is not None else ()), *plugin_files]
    options: dict[str, Any] = {"plugins": plugins, "load_entry_points": job.plugins is None,
                               "on_warning": _ignore, "check_interval": FILES_CHECKED_EVERY_SECONDS}
    return Engine(handlers_dir, **options, **_engine_options(fixture))


def _ignore(message: str) -> None:
    """Warnings about the tree were shown once, by the command (build_job)."""


def _engine_options(fixture: str | None) -> dict[str, Any]:
    """The simulated CRM every event starts from (docs/crm.md): `--fixture`, else
    (None) the tree's fixture.yaml or the demo CRM, as the Engine decides."""
    return {"fixture": fixture}


def _write_job_folder(job: ReplayJob) -> tuple[str, str | None, list[str]]:
    """Write the shipped tree, fixture and plugin files into a folder of this
    worker's; (handler tree, fixture, plugin files) there."""
    assert job.tree is not None
    folder = tempfile.mkdtemp(prefix="crmscript-replay-")
    _folders[job.key] = folder
    root = Path(folder) / "handlers"
    root.mkdir()
    for relative, data in job.tree.files:
        parts = PurePosixPath(relative).parts
        if PurePosixPath(relative).is_absolute() or ".." in parts:
            raise ReplayError("a shipped file lies outside the handler tree", relative)
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    fixture = None
    if job.fixture is not None and job.fixture_data is not None:
        target = Path(folder) / "fixture" / Path(job.fixture).name
        target.parent.mkdir()
        target.write_bytes(job.fixture_data)
        fixture = str(target)
    plugin_files = []
    for number, (name, data) in enumerate(job.plugin_sources or ()):
        # a folder each: two plugin files of one name stay apart, and each keeps its name (stem)
        target = Path(folder) / "plugins" / str(number) / PurePosixPath(name).name
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        plugin_files.append(str(target))
    return str(root), fixture, plugin_files


def _load_plugins(names: tuple[str, ...]) -> list[Any]:
    found = {point.name: point for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    plugins = []
    for name in names:
        if name not in found:
            raise ReplayError(f"plugin {name!r} (entry point group {ENTRY_POINT_GROUP!r}) is not installed "
                              "on this worker; install it where the workers run", name)
        plugins.append(found[name].load())
    return plugins
