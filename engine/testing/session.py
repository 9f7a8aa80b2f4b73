"""One `crmscript test` session: collect case files, select cases, run them.

Shared by the CLI and kept free of printing so tests can drive it directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .discovery import find_case_files, keyword_matcher
from .model import CaseFileError, TestCase, load_case_file


@dataclass
class Collection:
    cases: list[TestCase] = field(default_factory=list)
    deselected: int = 0
    files: list[Path] = field(default_factory=list)
    broken: list[CaseFileError] = field(default_factory=list)  # case files that could not be loaded

    @property
    def warnings(self) -> list:
        """The selected cases' warnings, each once (parametrised rows share theirs)."""
        unique = {str(w): w for case in self.cases for w in case.warnings}
        return list(unique.values())


def keywords(case: TestCase) -> str:
    """The text -k matches against: the case name, its file name and event type."""
    return f"{case.name} {case.file.name} {case.event}"


def collect(paths: Iterable[Path | str], keyword: str | None = None,
            handlers: Path | None = None, fixture: Path | None = None) -> Collection:
    """Load every case file under `paths` and keep the cases -k selects.

    `handlers` overrides the handler tree of every case (the --handlers flag);
    `fixture` is the CRM of the cases that name none (--fixture).
    A case file that cannot be loaded is kept in `broken` and the others
    are collected; a bad path or -k raises UsageError.
    """
    selects = keyword_matcher(keyword) if keyword else (lambda text: True)
    collection = Collection()
    for file in find_case_files(paths):
        collection.files.append(file)
        try:
            cases = load_case_file(file, handlers, fixture)
        except CaseFileError as error:
            collection.broken.append(error)
            continue
        for case in cases:
            if selects(keywords(case)):
                collection.cases.append(case)
            else:
                collection.deselected += 1
    return collection
