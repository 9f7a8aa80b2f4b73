"""Finding the script that `#include "name";` names.

An include resolver is any callable name -> (source text, file name) or None
(see engine.parser.IncludeResolver). `IncludePath` is the standard one: it
searches a list of folders, in order, for `name`, `name.crm` and
`name.crmscript`. The handler tree keeps its includes in `DIR/lib/`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional, Union

from .textfile import UnreadableFile, read_script_text

INCLUDE_SUFFIXES = ("", ".crm", ".crmscript")


class IncludePath:
    """Resolve include names against folders, first match wins."""

    def __init__(self, folders: Iterable[Union[str, os.PathLike]]):
        self.folders = [Path(folder) for folder in folders]

    def find(self, name: str) -> Optional[Path]:
        """The file `name` refers to, or None."""
        # An include name is a script name, never a path out of the folders.
        if not name or "\0" in name or Path(name).is_absolute() or ".." in Path(name).parts:
            return None
        for folder in self.folders:
            for suffix in INCLUDE_SUFFIXES:
                candidate = folder / (name + suffix)
                if candidate.is_file():
                    return candidate
        return None

    def __call__(self, name: str) -> Optional[tuple[str, str]]:
        path = self.find(name)
        if path is None:
            return None
        shown = str(path)
        try:
            return read_script_text(path, shown), shown
        except UnreadableFile as problem:
            raise problem.reason from None  # the parser names the #include that wanted it

    def __repr__(self) -> str:
        return f"IncludePath({[str(f) for f in self.folders]!r})"


def include_folders_for(script: Union[str, os.PathLike]) -> list[Path]:
    """Where a script's includes are looked for: its own folder, then the
    nearest `lib/` folder beside it or above it (handler tree convention:
    DIR/<EventType>/handler.crm includes from DIR/lib/)."""
    folder = Path(script).resolve().parent
    folders = [folder]
    for candidate_parent in (folder, *folder.parents):
        lib = candidate_parent / "lib"
        if lib.is_dir():
            if lib != folder:
                folders.append(lib)
            break
    return folders


def resolver_for(script: Union[str, os.PathLike]) -> IncludePath:
    """The include resolver `crmscript check` uses for a script file."""
    return IncludePath(include_folders_for(script))
