"""Extract the public CRMScript corpus into a local folder of .crm files.

The corpus itself is never committed: point this at checkouts of the public
repositories SuperOfficeDocs/crmscript and SuperOffice/CRMScripts and it writes
one file per example into OUT (default .corpus/, git-ignored).

    python tools/corpus.py DOCS_CHECKOUT SCRIPTS_CHECKOUT [OUT]

(The class names the parser knows as types, engine/data/type_names.txt, come
from the reference's signature table: tools/gen_reference.py.)
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path

import yaml

PRE_CODE = re.compile(r"<pre><code[^>]*>(.*?)</code></pre>", re.S)
FENCE = re.compile(r"^```crmscript(!?)[^\n]*\n(.*?)^```", re.S | re.M)


def _strings(node):
    """Every string inside a loaded YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def extract(docs: Path, scripts: Path, out: Path) -> dict[str, int]:
    if out.exists():
        shutil.rmtree(out)
    counts = {"api-reference": 0, "markdown": 0, "markdown-runnable": 0, "library": 0}
    api_out = out / "api-reference"
    api_out.mkdir(parents=True)
    for yml in sorted((docs / "docs" / "api-reference").glob("*.yml")):
        text = yml.read_text(encoding="utf-8")
        # A few reference pages hold control characters that YAML refuses.
        text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
        document = yaml.safe_load(text)
        n = 0
        for text in _strings(document):
            for match in PRE_CODE.finditer(text):
                code = html.unescape(match.group(1))
                n += 1
                (api_out / f"{yml.stem}.{n:04d}.crm").write_text(code + "\n", encoding="utf-8")
        counts["api-reference"] += n
    md_out = out / "markdown"
    md_out.mkdir(parents=True)
    for md in sorted((docs / "docs").rglob("*.md")):
        rel = md.relative_to(docs / "docs").with_suffix("")
        stem = str(rel).replace("/", "__")
        for n, match in enumerate(FENCE.finditer(md.read_text(encoding="utf-8")), 1):
            runnable = match.group(1) == "!"
            suffix = ".run.crm" if runnable else ".crm"
            (md_out / f"{stem}.{n:03d}{suffix}").write_text(match.group(2), encoding="utf-8")
            counts["markdown"] += 1
            counts["markdown-runnable"] += runnable
    lib_out = out / "library"
    for crm in sorted(scripts.rglob("*.crm")):
        target = lib_out / crm.relative_to(scripts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(crm, target)
        counts["library"] += 1
    return counts


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[2]) if len(argv) > 2 else Path(".corpus")
    counts = extract(Path(argv[0]), Path(argv[1]), out)
    for key, value in counts.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
