"""Generate the template variables of NSDocumentAgent.SubstituteTemplateVariables
(engine/crm/data/template_variables.json) from the public SuperOffice docs.

    python tools/gen_template_variables.py CHECKOUT [--commit SHA] [OUTPUT]

CHECKOUT is a copy of SuperOfficeDocs/superoffice-docs (MIT), or any folder
with its common/includes/variable/generated/<list>-variables.md files: one
markdown table per list (| Property Name | Tag | Description |), and a second
one of user-defined fields. This tool carries over the facts only: each
list's tags and the property each stands for; the descriptions stay in the
docs. The source repository and commit (git's, or --commit for a copy that
is not a checkout) are recorded in the output.

Which database field a property reads is this simulator's decision, written
down here (FIELDS) and checked against the schema (engine/crm/data/schema.json):
a SearchEngine path from the list's table (`name`, `category_idx.name`), and
`:date` for the date part of a DateTime. Properties without a field (phones,
e-mail addresses, addresses, formatted and computed values, user-defined
fields, the client's environment) are listed with none: docs/netserver.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gen_schema import markdown_rows, source_commit  # tools/: the same parsing and attribution

SOURCE_REPOSITORY = "https://github.com/SuperOfficeDocs/superoffice-docs"
LICENSE = "MIT"
LISTS_PATH = "common/includes/variable/generated"
HEADER = "| Property Name | Tag | Description |"
UDEF_HEADING = "## User Defined Fields"
REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = REPO_ROOT / "engine" / "crm" / "data" / "schema.json"
DATA_FILE = REPO_ROOT / "engine" / "crm" / "data" / "template_variables.json"

# Each list: the table its record is read from, and which argument (or the
# logged-in user's associate) gives the record's id. The lists are tried in
# this order where a tag is in several (`city`: the company's first).
LISTS: dict[str, tuple[str, str]] = {
    "company": ("contact", "contactId"),
    "current-person": ("person", "personId"),
    "appointment": ("appointment", "appointmentId"),
    "document": ("document", "documentId"),
    "sale": ("sale", "saleId"),
    "project": ("project", "projectId"),
    "selection": ("selection", "selectionId"),
    "current-user": ("associate", "user"),
    "system": ("associate", "user"),
}

_STAMPS = {"UpdatedCount": "updatedCount"}
FIELDS: dict[str, dict[str, str]] = {
    "company": {"Name": "name", "Deparment": "department", "Code": "number1", "Number": "number2",
                "OrganisationNumber": "orgNr", "Category": "category_idx.name", "Business": "business_idx.name",
                "Country": "country_id.name", "CountryEnglish": "country_id.english_name",
                "OurContact": "associate_id.name", "SupportPersonId": "supportPersonId"},
    "current-person": {"Id": "person_id", "FirstName": "firstname", "MiddleName": "middleName",
                       "LastName": "lastname", "MrMrs": "mrmrs", "Title": "title", "Number": "person_number",
                       "Position": "position_idx.name", "Department": "department", "Salutation": "salutation",
                       "Business": "business_idx.name", "Category": "category_idx.name",
                       "Country": "country_id.name"},
    "appointment": {"AppointmentId": "appointment_id", "ContactName": "contact_id.name",
                    "ProjectName": "project_id.name", "Description": "text_id.text", "Location": "location",
                    "Type": "task_idx.name", "Priority": "priority_idx.name", "StartDate": "do_by:date",
                    "EndDate": "endDate:date", "CreationDate": "registered:date", "UpdatedDate": "updated:date",
                    "SuggestedAppointmentId": "suggestedAppointmentId", **_STAMPS},
    "document": {"Id": "document_id", "Header": "header", "FileName": "name", "OurReference": "our_ref",
                 "YourReference": "your_ref", "Attention": "attention", "Description": "text_id.text",
                 "AppointmentId": "appointment_id", "SerialNumber": "snum",
                 "SuggestedDocumentId": "appointment_id.suggestedDocumentId"},
    "sale": {"Id": "sale_id", "Title": "heading", "Number": "number1", "Amount": "amount", "Earning": "earning",
             "EarningPercent": "earning_percent", "Saleprobability": "probability", "InfoText": "text_id.text",
             "Saledate": "saledate:date", "Salenextduedate": "nextDueDate:date", "Registered": "registered:date",
             "Currency": "currency_id.name", "SaleType": "saleType_id.name", "SaleSource": "source_id.name",
             "Salecompetitor": "comptr_id.name", "Salecredited": "credited_id.name", "Salereason": "reason_id.name",
             "CreatedASsociateId": "registered_associate_id"},
    "project": {"Id": "project_id", "Name": "name", "Number": "project_number", "Type": "type_idx.name",
                "Status": "status_idx.name", "InfoText": "text_id.text", "ProjectEndDate": "endDate:date",
                "NextMilestoneDate": "nextMilestoneDate:date", "NextMilestoneAppointmentId": "nmdAppointment_id"},
    "selection": {"Id": "selection_id", "Name": "name"},
    "current-user": {"AssociateId": "associate_id", "UserId": "name", "PersonId": "person_id",
                     "MrMrs": "person_id.mrmrs", "Title": "person_id.title", "PersonNumber": "person_id.person_number",
                     "PersonPosition": "person_id.position_idx.name", "OwnerCompanyId": "person_id.contact_id",
                     "Name": "person_id.contact_id.name", "OrgNumber": "person_id.contact_id.orgNr"},
    "system": {"LoggedInUserId": "associate_id", "LoggedInUserFirstName": "person_id.firstname",
               "LoggedInUserMiddleName": "person_id.middleName", "LoggedInUserLastName": "person_id.lastname"},
}


def parse_list(path: Path) -> list[tuple[str, str]]:
    """(property, tag) of each row of the list and of its user-defined fields."""
    found = []
    for part in path.read_text(encoding="utf-8").split(UDEF_HEADING):
        for cells in markdown_rows(part, HEADER):
            found.append((cells[0].strip(), cells[1].strip()))
    return found


def check_field(tables: dict, table: str, path: str) -> None:
    """Fail unless each step of `path` is a column (a foreign key but for the last)."""
    *hops, last = path.split(":", 1)[0].split(".")
    for hop in hops:
        column = next((f for f in tables[table]["fields"] if f[0] == hop), None)
        if column is None or column[1] != "FK" or column[2] is None:
            raise SystemExit(f"{table}.{hop} is not a foreign key (in {path})")
        table = column[2]
    if not any(f[0] == last for f in tables[table]["fields"]):
        raise SystemExit(f"{table} has no column {last} (in {path})")


def generate(checkout: Path, commit: str | None = None) -> dict:
    tables = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))["tables"]
    tags: dict[str, list] = {}
    for name, (table, _) in LISTS.items():
        fields = FIELDS.get(name, {})
        listed = parse_list(checkout / LISTS_PATH / f"{name}-variables.md")
        unknown = set(fields) - {prop for prop, _ in listed}
        if unknown:
            raise SystemExit(f"{name}: FIELDS names properties the list does not have: {sorted(unknown)}")
        for prop, tag in listed:
            field = fields.get(prop)
            if field is not None:
                check_field(tables, table, field)
            tags.setdefault(tag, []).append([name, prop, field])
    return {
        "source": {"repository": SOURCE_REPOSITORY, "commit": commit or source_commit(checkout), "license": LICENSE,
                   "path": f"{LISTS_PATH}/<list>-variables.md",
                   "note": "Facts only (lists, tags, property names); the descriptions are in the docs. The fields "
                           "are this simulator's reading of the database reference."},
        "lists": {name: {"table": table, "id": key} for name, (table, key) in LISTS.items()},
        "tags": dict(sorted(tags.items())),
    }


def write(data: dict, out: Path) -> None:
    lines = ['{"source": ' + json.dumps(data["source"]) + ",", '"lists": ' + json.dumps(data["lists"]) + ",",
             '"tags": {']
    items = list(data["tags"].items())
    for index, (tag, entries) in enumerate(items):
        lines.append(f"{json.dumps(tag)}: {json.dumps(entries)}" + ("," if index < len(items) - 1 else ""))
    lines.append("}}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    args = list(argv)
    commit = None
    if "--commit" in args:
        at = args.index("--commit")
        commit = args[at + 1]
        del args[at:at + 2]
    if not args:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 2
    out = Path(args[1]) if len(args) > 1 else DATA_FILE
    data = generate(Path(args[0]), commit)
    write(data, out)
    mapped = sum(1 for entries in data["tags"].values() if any(e[2] for e in entries))
    print(f"{len(data['tags'])} tags, {mapped} read from a field -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
