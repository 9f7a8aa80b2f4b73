"""Acceptance over the extracted public corpus: the syntax check, or the full check.

Runs the same check as `crmscript check --syntax-only` (default) or the full
`crmscript check` (`--full`: parse, names, types) over every *.crm file under
a folder (default /work/corpus/out, as written by tools/corpus.py), prints
the acceptance rate per part (api-reference, markdown, library) and every
failure with its message. An error outside the CRMScriptError family is an
internal error: it is listed apart and makes the exit status 2.

Two counts: every file, and the distinct snippets (files of one part with
the same text counted once: the reference repeats some examples on several
pages, e.g. one example for all 31 triggers of a kind). Issue 12 quotes the
distinct count (7,564 of the 7,718 files).

The public library's examples (library/Library/Examples) include the
library's scripts by name (`#include "lib-string"`), which the CRM stores as
scripts; the check finds them in library/Library, as a CRM that has the
library installed does.

    python tools/corpus_check.py [FOLDER] [--full] [--min-rate 99]

Exit status: 0 when the overall rate (of the files) reaches --min-rate
(default 99) and no internal error happened, 1 below the rate, 2 on an
internal error.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from engine.cli.check import _load_checker, check_file, script_files  # noqa: E402

DEFAULT_CORPUS = Path("/work/corpus/out")


def part_of(path: Path, root: Path) -> str:
    relative = path.relative_to(root).parts
    return relative[0] if len(relative) > 1 else "."


def library_folders(root: Path) -> list[tuple[str, Path]]:
    """Where the library's `#include "lib-..."` scripts are (shown as `Library/<file>`)."""
    folder = root / "library" / "Library"
    return [("Library", folder)] if folder.is_dir() else []


class Tally:
    def __init__(self) -> None:
        self.total: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()

    def add(self, part: str, ok: bool) -> None:
        self.total[part] += 1
        self.accepted[part] += ok

    def rate(self, part: str | None = None) -> tuple[int, int, float]:
        total = self.total[part] if part else sum(self.total.values())
        ok = self.accepted[part] if part else sum(self.accepted.values())
        return ok, total, (100 * ok / total if total else 100.0)


def main(argv: list[str]) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("folder", nargs="?", type=Path, default=DEFAULT_CORPUS)
    options.add_argument("--full", action="store_true", help="the full check (names, types), not only the syntax")
    options.add_argument("--min-rate", type=float, default=99.0, help="required acceptance in percent")
    args = options.parse_args(argv)
    root: Path = args.folder
    if not root.is_dir():
        print(f"corpus_check: {root}: no such folder (extract it with tools/corpus.py)", file=sys.stderr)
        return 2

    checker = _load_checker() if args.full else None
    includes = library_folders(root) if args.full else []
    files, distinct = Tally(), Tally()
    seen: set[tuple[str, str]] = set()
    failures: list[str] = []
    internal: list[str] = []
    started = time.perf_counter()
    for path in script_files([root]):
        part = part_of(path, root)
        try:
            errors, _source = check_file(path, syntax_only=not args.full, checker=checker,
                                         extra_include_folders=includes)
        except Exception as exc:  # anything outside CRMScriptError is our bug
            internal.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        internal.extend(str(e) for e in errors if "internal error" in e.message)
        failures.extend(str(error) for error in errors)
        files.add(part, not errors)
        key = (part, hashlib.sha256(path.read_bytes()).hexdigest())
        if key not in seen:
            seen.add(key)
            distinct.add(part, not errors)
    elapsed = time.perf_counter() - started

    print(f"{'full check' if args.full else 'syntax check'} of {root}")
    print("part              accepted    files    rate   |  distinct snippets accepted    rate")
    for part in sorted(files.total):
        ok, total, rate = files.rate(part)
        d_ok, d_total, d_rate = distinct.rate(part)
        print(f"{part:<16} {ok:>9} {total:>8} {rate:>7.2f}%  | {d_ok:>9} of {d_total:>5} {d_rate:>13.2f}%")
    ok, total, rate = files.rate()
    d_ok, d_total, d_rate = distinct.rate()
    print(f"{'all':<16} {ok:>9} {total:>8} {rate:>7.2f}%  | {d_ok:>9} of {d_total:>5} {d_rate:>13.2f}%"
          f"   ({elapsed:.1f} s)")
    if failures:
        print(f"\nfailures ({len(failures)}):")
        for line in failures:
            print("  " + line)
    if internal:
        print(f"\nINTERNAL ERRORS ({len(internal)}):")
        for line in internal:
            print("  " + line)
        return 2
    return 0 if rate >= args.min_rate else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
