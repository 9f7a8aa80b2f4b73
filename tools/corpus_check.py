"""Syntax acceptance over the extracted public corpus.

Runs the same syntax check as `crmscript check --syntax-only` over every
*.crm file under a folder (default /work/corpus/out, as written by
tools/corpus.py), prints the acceptance rate per part (api-reference,
markdown, library) and every failure with its message. An error outside the
CRMScriptError family is an internal error: it is listed apart and makes the
exit status 2.

    python tools/corpus_check.py [FOLDER] [--min-rate 99]

Exit status: 0 when the overall rate reaches --min-rate (default 99) and no
internal error happened, 1 below the rate, 2 on an internal error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from engine.cli.check import check_file, script_files  # noqa: E402

DEFAULT_CORPUS = Path("/work/corpus/out")


def part_of(path: Path, root: Path) -> str:
    relative = path.relative_to(root).parts
    return relative[0] if len(relative) > 1 else "."


def main(argv: list[str]) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("folder", nargs="?", type=Path, default=DEFAULT_CORPUS)
    options.add_argument("--min-rate", type=float, default=99.0, help="required acceptance in percent")
    args = options.parse_args(argv)
    root: Path = args.folder
    if not root.is_dir():
        print(f"corpus_check: {root}: no such folder (extract it with tools/corpus.py)", file=sys.stderr)
        return 2

    totals: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    failures: list[str] = []
    internal: list[str] = []
    started = time.perf_counter()
    for path in script_files([root]):
        part = part_of(path, root)
        totals[part] += 1
        try:
            errors, _source = check_file(path, syntax_only=True, checker=None)
        except Exception as exc:  # anything outside CRMScriptError is our bug
            internal.append(f"{path}: {type(exc).__name__}: {exc}")
            continue
        if errors:
            failures.extend(str(error) for error in errors)
        else:
            accepted[part] += 1
    elapsed = time.perf_counter() - started

    print("part              accepted    total    rate")
    for part in sorted(totals):
        print(f"{part:<16} {accepted[part]:>9} {totals[part]:>8} {100 * accepted[part] / totals[part]:>7.2f}%")
    total, ok = sum(totals.values()), sum(accepted.values())
    rate = 100 * ok / total if total else 100.0
    print(f"{'all':<16} {ok:>9} {total:>8} {rate:>7.2f}%   ({elapsed:.1f} s)")
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
