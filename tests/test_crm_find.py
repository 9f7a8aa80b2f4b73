"""NSFindAgent's documented Find providers on the simulated CRM (docs/netserver.md)."""

from __future__ import annotations

import re

import pytest
from crm_helpers import printed

from engine.errors import CRMScriptRuntimeError

FIND = """\
    NSFindAgent agent;
    String[] columns = String("{columns}").split(",");
    NSArchiveRestrictionInfo[] restrictions;
    {restrictions}
    NSFindResults found = agent.FindFromRestrictionsColumns(restrictions, "{provider}", columns, {size}, 0);
    printLine(found.GetRowCount().toString());
    foreach (NSArchiveListItem row in found.GetArchiveRows()) {{
      Map m = row.GetColumnData();
      String line;
      for (m.first(); !m.eof(); m.next()) line += m.getKey() + "=" + m.getVal() + ";";
      printLine(line);
    }}
    """

WORLD = """\
    now: "2026-05-04T10:00:00"
    user: 3
    rows:
      ejuser:
        - {id: 3, username: ola}
      associate:
        - {associate_id: 2, name: OLA, ejuserid: 3, person_id: 1}
      contact:
        - {contact_id: 1, name: Acme AS, orgNr: "123", department: Sales, number1: A-1, associate_id: 2}
        - {contact_id: 2, name: Beta AS, orgNr: "456", department: Support, number1: B-2}
      person:
        - {person_id: 1, contact_id: 1, firstname: Ola, lastname: Nordmann}
      sale:
        - {sale_id: 1, contact_id: 1, person_id: 1, associate_id: 2, heading: Licences, amount: 1000, saledate: "2026-05-01", userdef_id: 1}
        - {sale_id: 2, contact_id: 2, associate_id: 0, heading: Support deal, amount: 250, saledate: "2026-06-01", userdef_id: 2}
      UDefField:  # udsalesmall is table 158: long01 is 158 * 256 + 1, long02 + 2
        - {UDefField_Id: 1, ownerTable_id: 10, columnId: 40449, fieldType: 1, progId: "SuperOffice:3", version: 1}
        - {UDefField_Id: 2, ownerTable_id: 10, columnId: 40450, fieldType: 1, progId: "SuperOffice:3", version: 2}
        - {UDefField_Id: 3, ownerTable_id: 10, columnId: 9000, fieldType: 1, progId: "Broken:1", version: 1}
      udsalesmall:
        - {udsalesmall_id: 1, long01: 7, long02: 3}
        - {udsalesmall_id: 2, long01: 3, long02: 7}
    """


def restriction(name: str, operator: str, *values: str) -> str:
    pushes = "".join(f'v.pushBack("{value}"); ' for value in values)
    return (f'{{ String[] v; {pushes}NSArchiveRestrictionInfo r; r.SetName("{name}"); r.SetOperator("{operator}"); '
            'r.SetValues(v); r.SetIsActive(true); restrictions.pushBack(r); }')


def find(provider: str, columns: str, *restrictions: str, size: int = 50, world: str | None = WORLD) -> str:
    source = FIND.format(columns=columns, provider=provider, size=size, restrictions="\n".join(restrictions))
    return printed(source, world)


def test_find_appointment_restricts_by_a_user_defined_field_of_the_demo_crm():
    # the demo's appointment udef SuperOffice:1 (Meeting room) lives in udappntsmall.string01
    assert find("FindAppointment", "date,contact/name,appointmentUdef/SuperOffice:1",
                restriction("appointmentUdef/SuperOffice:1", "=", "Havbris"), world=None) == (
        "1\nappointmentUdef/SuperOffice:1=Havbris;contact/name=Havbris Shipping AS;date=2026-05-20 09:00:00;\n")


def test_find_contact_takes_the_documented_column_names():
    assert find("FindContact", "name,orgnr,code,associateId",
                restriction("department", "begins", "Sup")) == "1\nassociateId=0;code=B-2;name=Beta AS;orgnr=456;\n"


def test_find_sale_reaches_its_contact_and_person_and_pages():
    assert find("FindSale", "heading,contact/name,person/lastName",
                restriction("associateId", "=", "2")) == (
        "1\ncontact/name=Acme AS;heading=Licences;person/lastName=Nordmann;\n")
    # RowCount counts every row, the page holds `size` of them
    assert find("FindSale", "saleId", size=1).startswith("2\nsaleId=")


def test_a_udef_prog_id_finds_the_newest_version_of_its_field():
    assert find("FindSale", "heading,saleUdef/SuperOffice:3", restriction("saleUdef/SuperOffice:3", "=", "7")) == (
        "1\nheading=Support deal;saleUdef/SuperOffice:3=7;\n")
    with pytest.raises(CRMScriptRuntimeError, match="columnId 9000, which names no column of the sale's udef"):
        find("FindSale", "saleUdef/Broken:1")


def test_get_no_rows_finds_nothing_and_get_all_rows_restricts_nothing():
    assert find("FindContact", "name", restriction("getNoRows", "=", "1")) == "0\n"
    assert find("FindContact", "name", restriction("getAllRows", "=", "1")) == "2\nname=Acme AS;\nname=Beta AS;\n"


@pytest.mark.parametrize(("provider", "columns", "message"), [
    ("FindContakt", "name", "the provider 'FindContakt' is not simulated (did you mean 'FindContact'?)"),
    ("FindContact", "nmae", "the contact has no column 'nmae' (did you mean 'name'?)"),
    ("FindAppointment", "contakt/name", "the appointment has no part 'contakt' (did you mean 'contact'?)"),
    ("FindAppointment", "appointmentUdef/SuperOffice:9", "no user-defined field 'SuperOffice:9' on the appointment"),
])
def test_what_a_find_provider_does_not_know_is_a_runtime_error_naming_it(provider, columns, message):
    with pytest.raises(CRMScriptRuntimeError, match=re.escape(message)):
        find(provider, columns)
