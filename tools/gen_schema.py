"""Generate the CRM database schema (engine/crm/data/schema.json) from the
public SuperOffice database reference.

    python tools/gen_schema.py /work/ref/database [engine/crm/data/schema.json]

The reference (SuperOfficeDocs/database, MIT) documents every table in one
generated markdown file, docs/tables/<table>.md, with one uniform table of
fields (| Name | Description | Type | Null |) and one of indexes, and every
enum in docs/tables/enums/<enum>.md (| Name | Value | Description |). This
tool carries over the facts only: table names and numbers, field names,
types, foreign-key targets, enum links, nullability, indexes and enum
values. The descriptions stay in the reference. The source repository and
commit are recorded in the output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

SOURCE_REPOSITORY = "https://github.com/SuperOfficeDocs/database"
LICENSE = "MIT"

TABLE_HEADING = re.compile(r"^# (?P<name>\S+) Table \((?P<number>\d+)\)", re.M)
ENUM_HEADING = re.compile(r"^# (?P<name>\S+) Enum", re.M)
LINK = re.compile(r"^(?P<kind>FK|Enum) \[[^\]]*\]\((?:enums/)?(?P<file>[^)]+)\.md\)$")
NULLABLE_MARK = "&#x25CF;"


def markdown_rows(text: str, header: str) -> list[list[str]]:
    """The cells of the rows of the markdown table that starts with `header`
    (up to the first non-table line). A cell may hold an escaped pipe (\\|)."""
    start = text.find(header)
    if start < 0:
        return []
    rows = []
    for line in text[start:].splitlines()[2:]:  # the header and the |---| line
        if not line.startswith("|"):
            break
        cells = [c.replace("\x00", "|") for c in line.replace("\\|", "\x00").strip().strip("|").split("|")]
        rows.append(cells)
    return rows


def unescape(name: str) -> str:
    return name.replace("\\_", "_").strip()


def parse_table(path: Path) -> dict | None:
    text = path.read_text(encoding="utf-8")
    heading = TABLE_HEADING.search(text)
    if heading is None:
        return None
    fields = []
    for cells in markdown_rows(text, "| Name | Description | Type | Null |"):
        name, type_text, null = unescape(cells[0]), cells[-2].strip(), cells[-1].strip()
        link = LINK.match(type_text)
        if link:
            field = [name, link["kind"], link["file"]]  # resolved to a table / enum name below
        else:
            field = [name, type_text, None]
        field.append(1 if null == NULLABLE_MARK else 0)
        fields.append(field)
    indexes = []
    for cells in markdown_rows(text, "| Fields | Types | Description |"):
        columns = [unescape(c) for c in cells[0].split(",")]
        indexes.append([columns, cells[-1].strip()])
    return {"name": unescape(heading["name"]), "number": int(heading["number"]),
            "fields": fields, "indexes": indexes}


def parse_enum(path: Path) -> tuple[str, dict[str, int]] | None:
    text = path.read_text(encoding="utf-8")
    heading = ENUM_HEADING.search(text)
    if heading is None:
        return None
    values: dict[str, int] = {}
    for cells in markdown_rows(text, "| Name | Value | Description |"):
        try:
            values[unescape(cells[0])] = int(cells[1].strip())
        except ValueError:
            continue  # a value that is not a number is no fact we can use
    return unescape(heading["name"]), values


def source_commit(checkout: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def generate(checkout: Path) -> dict:
    tables_dir = checkout / "docs" / "tables"
    enum_files: dict[str, tuple[str, dict[str, int]]] = {}
    for path in sorted((tables_dir / "enums").glob("*.md")):
        parsed = parse_enum(path)
        if parsed is not None:
            enum_files[path.stem] = parsed
    parsed_tables = {}
    for path in sorted(tables_dir.glob("*.md")):
        table = parse_table(path)
        if table is not None:
            parsed_tables[path.stem] = table
    tables = {}
    for table in parsed_tables.values():
        for field in table["fields"]:
            if field[1] == "FK":
                target = parsed_tables.get(field[2])
                field[2] = target["name"] if target else None
            elif field[1] == "Enum":
                enum = enum_files.get(field[2])
                field[2] = enum[0] if enum else None
        tables[table["name"]] = {"number": table["number"], "fields": table["fields"],
                                 "indexes": table["indexes"]}
    return {
        "source": {
            "repository": SOURCE_REPOSITORY,
            "commit": source_commit(checkout),
            "license": LICENSE,
            "path": "docs/tables/*.md, docs/tables/enums/*.md",
            "note": "Facts only (names, types, keys, indexes, enum values); "
                    "the descriptions are in the reference.",
        },
        "tables": dict(sorted(tables.items(), key=lambda item: item[0].lower())),
        "enums": dict(sorted((name, values) for name, values in enum_files.values())),
    }


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    checkout = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else \
        Path(__file__).resolve().parents[1] / "engine" / "crm" / "data" / "schema.json"
    schema = generate(checkout)
    out.parent.mkdir(parents=True, exist_ok=True)
    # One table or enum a line: small diffs when the reference changes.
    lines = ['{"source": ' + json.dumps(schema["source"]) + ",", '"tables": {']
    lines.append(",\n".join(json.dumps(name) + ": " + json.dumps(table, separators=(",", ":"))
                            for name, table in schema["tables"].items()))
    lines.append('},\n"enums": {')
    lines.append(",\n".join(json.dumps(name) + ": " + json.dumps(values, separators=(",", ":"))
                            for name, values in schema["enums"].items()))
    lines.append("}}\n")
    out.write_text("\n".join(lines), encoding="utf-8")
    fields = sum(len(t["fields"]) for t in schema["tables"].values())
    keys = sum(1 for t in schema["tables"].values() for f in t["fields"] if f[1] == "FK")
    print(f"{out}: {len(schema['tables'])} tables, {fields} fields, {keys} foreign keys, "
          f"{len(schema['enums'])} enums", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
