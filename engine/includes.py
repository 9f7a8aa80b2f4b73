"""Finding the script that `#include "name";` names, and naming it.

An include resolver is any callable name -> (source text, file name) or None
(see engine.parser.IncludeResolver). `IncludePath` is the standard one: it
searches a list of folders, in order, for `name.crm` and `name.crmscript`
(and `name` itself when it ends so): it reads script files only, so no
other file of the host is reachable. The handler tree keeps its includes in
`DIR/lib/`.

The file name an include gets is what every error, `errorLocation`, trace
and coverage report shows. By default it is the path found (the compiler's
cache stats it to notice a changed include). A folder may instead be given
a name (`IncludePath(folders, names=[...])`): then a file found there is
`<name>/<relative path>`, e.g. `lib/util.crm` for the handler tree's lib/
and `<plugin>/util.crm` for a plugin's folder, the same whatever the
current folder is, so no host path reaches a response (docs/handlers.md, chain
rule 2). Whoever names folders notices changed files by itself (the handler
registry stats them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .textfile import UnreadableFile, read_script_text

INCLUDE_SUFFIXES = ("", ".crm", ".crmscript")
SCRIPT_SUFFIXES = (".crm", ".crmscript")  # the only files an include reads: no host file is a script
LIB_DIR = "lib"


def valid_include_name(name: str) -> bool:
    """An include name is a script name, never a path out of the folders."""
    return bool(name) and "\0" not in name and not Path(name).is_absolute() and ".." not in Path(name).parts


class IncludePath:
    """Resolve include names against folders, first match wins."""

    def __init__(self, folders: Iterable[str | os.PathLike], names: Sequence[str | None] | None = None):
        self.folders = [Path(folder) for folder in folders]
        # How a file found in each folder is named: None = its path; "" = the
        # bare relative name; "lib" = "lib/<relative name>".
        self.names: list[str | None] = list(names) if names is not None else [None] * len(self.folders)
        if len(self.names) != len(self.folders):
            raise ValueError("IncludePath: one name per folder")

    def candidates(self, name: str) -> Iterator[tuple[int, Path]]:
        """(folder index, path) of every file `name` could refer to, in search order."""
        for index, folder in enumerate(self.folders):
            for suffix in INCLUDE_SUFFIXES:
                if (name + suffix).endswith(SCRIPT_SUFFIXES):
                    yield index, folder / (name + suffix)

    def locate(self, name: str) -> tuple[Path, str] | None:
        """The file `name` refers to and the name it is shown by, or None."""
        if not valid_include_name(name):
            return None
        for index, candidate in self.candidates(name):
            if candidate.is_file():
                return candidate, self.shown_name(index, candidate)
        return None

    def find(self, name: str) -> Path | None:
        """The file `name` refers to, or None."""
        found = self.locate(name)
        return found[0] if found is not None else None

    def shown_name(self, index: int, path: Path) -> str:
        prefix = self.names[index]
        if prefix is None:
            return str(path)
        relative = path.relative_to(self.folders[index]).as_posix()
        return f"{prefix}/{relative}" if prefix else relative

    def __call__(self, name: str) -> tuple[str, str] | None:
        found = self.locate(name)
        if found is None:
            return None
        path, shown = found
        try:
            return read_script_text(path, shown), shown
        except UnreadableFile as problem:
            raise problem.reason from None  # the parser names the #include that wanted it

    def __repr__(self) -> str:
        return f"IncludePath({[str(f) for f in self.folders]!r})"


def include_folders_for(script: str | os.PathLike) -> list[Path]:
    """Where a script's includes are looked for: its own folder, then the
    `lib/` folder beside it or one level up (the handler tree layout:
    DIR/<EventType>/handler.crm includes from DIR/lib/). The search never
    leaves the script's project: no folder further up, and never the
    `lib/` of the file system's root (a script in /tmp once read
    /usr/lib/os-release through /lib)."""
    folder = Path(script).resolve().parent
    folders = [folder]
    for candidate_parent in (folder, folder.parent):
        if candidate_parent.parent == candidate_parent:  # the file system's root
            break
        lib = candidate_parent / LIB_DIR
        if lib.is_dir():
            if lib != folder:
                folders.append(lib)
            break
    return folders


def resolver_for(script: str | os.PathLike) -> IncludePath:
    """An include resolver for a script file, naming included files by their
    path (so the compile cache notices when one changes)."""
    return IncludePath(include_folders_for(script))


def tree_include_path(tree: str | os.PathLike, plugin_folders: Iterable[tuple[str, Path]] = ()) -> IncludePath:
    """What a handler of `tree` includes from: `tree/lib/`, then the plugins'
    folders; files named `lib/<name>` and `<plugin>/<name>`."""
    plugin_folders = list(plugin_folders)
    return IncludePath([Path(tree) / LIB_DIR, *(path for _, path in plugin_folders)],
                       names=[LIB_DIR, *(label for label, _ in plugin_folders)])


def script_include_path(script: str | os.PathLike,
                        plugin_folders: Iterable[tuple[str, Path]] = ()) -> IncludePath:
    """What `crmscript check` and `run` resolve a script's includes with: its
    own folder, the nearest lib/ (include_folders_for), then the plugins'
    folders. Files are named relative to the tree holding that lib/
    (`lib/util.crm`, as the handler chain names them), else by their name
    in the script's folder."""
    folders = include_folders_for(script)
    tree = folders[-1].parent if folders[-1].name == LIB_DIR else None
    names: list[str | None] = []
    for folder in folders:
        if tree is not None and folder.is_relative_to(tree):
            relative = folder.relative_to(tree).as_posix()
            names.append("" if relative == "." else relative)
        else:
            names.append("")
    plugin_folders = list(plugin_folders)
    return IncludePath([*folders, *(path for _, path in plugin_folders)],
                       names=[*names, *(label for label, _ in plugin_folders)])
