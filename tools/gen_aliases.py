"""Generate the record classes' field aliases (engine/crm/data/aliases.json)
from the reference tables of the public CRMScript docs.

    python tools/gen_aliases.py /work/ref/crmscript [engine/crm/data/aliases.json]

The pages requests/tickets.md, requests/messages.md and
persons-and-organizations/{customer,company,user}.md of SuperOfficeDocs/crmscript
(MIT) each end with reference tables `| Parameter | Db field | Description |`:
the names getValue/setValue take (`ownedBy`) and the database field they
stand for (`owned_by`). This tool carries over those two facts per class
(the descriptions stay in the reference), with the source repository and
commit. engine/crm/records.py maps a documented field the current database
schema names differently to its column (docs/crm-records.md).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from gen_schema import source_commit  # tools/: the same attribution of a checkout

SOURCE_REPOSITORY = "https://github.com/SuperOfficeDocs/crmscript"
LICENSE = "MIT"
PAGES = {
    "Ticket": "docs/requests/tickets.md",
    "Message": "docs/requests/messages.md",
    "Customer": "docs/persons-and-organizations/customer.md",
    "Company": "docs/persons-and-organizations/company.md",
    "User": "docs/persons-and-organizations/user.md",
}
HEADER = re.compile(r"^\|\s*Parameter\s*\|\s*Db field\s*\|", re.I)


def alias_rows(text: str) -> list[tuple[str, str]]:
    """(alias, db field) of every row of every `| Parameter | Db field |` table;
    a cell `a<br>b` names two aliases."""
    rows: list[tuple[str, str]] = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if not HEADER.match(line):
            continue
        for row in lines[number + 2:]:
            if not row.startswith("|"):
                break
            cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
            field = cells[1].replace("\\_", "_")
            for alias in re.split(r"<br\s*/?>", cells[0]):
                if alias.strip():
                    rows.append((alias.strip().replace("\\_", "_"), field))
    return rows


def generate(checkout: Path) -> dict:
    classes = {}
    for name, page in PAGES.items():
        rows = alias_rows((checkout / page).read_text(encoding="utf-8"))
        classes[name] = {"page": page, "aliases": dict(rows)}
    return {"source": {"repository": SOURCE_REPOSITORY, "commit": source_commit(checkout), "license": LICENSE,
                       "path": ", ".join(PAGES.values()),
                       "note": "Facts only (parameter name -> database field); the descriptions are in the reference."},
            "classes": classes}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    checkout = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else \
        Path(__file__).resolve().parents[1] / "engine" / "crm" / "data" / "aliases.json"
    data = generate(checkout)
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    count = sum(len(c["aliases"]) for c in data["classes"].values())
    print(f"{out}: {count} aliases of {len(data['classes'])} classes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
