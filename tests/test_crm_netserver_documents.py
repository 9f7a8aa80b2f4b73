"""NSDocumentAgent's template variables, document URLs and checkout state, and the
template variable data (docs/netserver.md, "Document templates, URLs and checkout")."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from crm_helpers import printed, run

from engine.errors import CRMScriptRuntimeError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import gen_template_variables  # noqa: E402

WORLD = """\
    now: "2026-05-04T10:00:00"
    user: 3
    site: {url: "https://crm.test.example/Cust9/CS"}
    rows:
      ejuser:
        - {id: 3, username: ola}
      associate:
        - {associate_id: 2, name: OLA, ejuserid: 3, person_id: 1}
      Category:
        - {Category_id: 4, name: Customer}
      contact:
        - {contact_id: 1, name: "Smith & Sons", department: Sales, orgNr: "123", category_idx: 4}
      person:
        - {person_id: 1, contact_id: 1, firstname: Ola, lastname: Nordmann}
        - {person_id: 7, contact_id: 1, firstname: Ada, middleName: King, lastname: Lovelace}
      sale:
        - {sale_id: 5, contact_id: 1, heading: Fleet deal, amount: 1200, saledate: "2026-06-01 00:00:00"}
      project:
        - {project_id: 3, name: Rollout, project_number: P-3}
      appointment:
        - {appointment_id: 11, contact_id: 1, person_id: 7, location: Oslo}
      document:
        - {document_id: 8, name: "offer 2026.docx", header: Offer, our_ref: OLA, your_ref: Ada, appointment_id: 11}
    """


def substituted(source: str, encoding: int = 0, ids: str = "1, 7, 11, 8, 5, 0, 3", fixture: str = WORLD) -> str:
    return printed(f"""\
        NSDocumentAgent agent;
        print(agent.SubstituteTemplateVariables("{source}", {encoding}, {ids}, ""));
        """, fixture)


def test_tags_are_replaced_by_the_fields_of_the_rows_the_ids_name():
    assert substituted("<name>/<dept>/<orgn>/<cate>|<atfn> <atmn> <atln>|<sati> <saam> <sada>|"
                       "<pnam> <pnum>|<head> <file> <oref> <yref>|<bloc> <bcon>") == (
        "Smith & Sons/Sales/123/Customer|Ada King Lovelace|Fleet deal 1200 2026-06-01|"
        "Rollout P-3|Offer offer 2026.docx OLA Ada|Oslo Smith & Sons")


def test_an_id_of_0_a_missing_row_and_an_unmapped_tag_give_empty_text_an_undocumented_tag_stays():
    assert substituted("[<name>][<atfn>][<cpho>][<cspn>]", ids="0, 99, 0, 0, 0, 0, 0") == "[][][][<cspn>]"
    # a tag in two lists (`city`: company and person) and a tag without a field read nothing
    assert substituted("[<city>][<cspn>][<name>]") == "[][<cspn>][Smith & Sons]"


def test_the_current_user_and_system_tags_read_the_logged_in_users_associate():
    assert substituted("<aaid> <alid> <auid> <onam> <usfn> <usln>") == "2 OLA 1 Smith & Sons Ola Nordmann"


def test_html_and_xml_take_braced_tags_and_escape_values_url_encodings_percent_encode():
    assert substituted("<b>{name}</b> <name>", encoding=1) == "<b>Smith &amp; Sons</b> <name>"
    assert substituted("<x a='{name}'/>", encoding=2) == "<x a='Smith &amp; Sons'/>"
    assert substituted("q=<name>&d=<file>", encoding=8) == "q=Smith%20%26%20Sons&d=offer%202026.docx"
    assert substituted("q=<atmn>", encoding=9) == "q=King"


def test_an_encoding_that_needs_a_binary_document_is_a_runtime_error_naming_it():
    with pytest.raises(CRMScriptRuntimeError) as caught:
        substituted("<name>", encoding=3)
    assert "generator encoding 3 (MsWord) is not simulated" in caught.value.message


def test_the_docs_example_runs_on_the_demo_crm():
    assert printed("""\
        NSDocumentAgent agent;
        print(agent.SubstituteTemplateVariables("Hello, <cspn> at <name>", 0, 2, 0, 0, 0, 0, 0, 0, ""));
        """) == "Hello, <cspn> at Nordlys Energi AS"


def test_document_urls_live_under_the_sites_root():
    assert printed("""\
        NSDocumentAgent agent;
        printLine(agent.GetDocumentUrl(8, "", true));
        printLine(agent.GetDocumentUrl(8, "", false));
        printLine(agent.GetDocumentUrl(8, "v 2", false));
        """, WORLD) == ("https://crm.test.example/Cust9/dav/Document/8/offer%202026.docx\n"
                        "https://crm.test.example/Cust9/api/v1/Document/8/Content\n"
                        "https://crm.test.example/Cust9/api/v1/Document/8/Content?versionId=v%202\n")


@pytest.mark.parametrize("call", ["GetDocumentUrl(99, \"\", true)", "GetCheckoutState(99)"])
def test_a_document_no_row_has_is_a_runtime_error(call):
    with pytest.raises(CRMScriptRuntimeError) as caught:
        run(f"NSDocumentAgent agent; agent.{call};", WORLD)
    assert f"NSDocumentAgent.{call.split('(')[0]}: no document has id 99" in caught.value.message


def test_a_document_is_not_checked_out():
    assert printed("""\
        NSDocumentAgent agent;
        NSCheckoutInfo info = agent.GetCheckoutState(8);
        printLine(info.GetState().toString() + "|" + info.GetAssociateId().toString() + "|" + info.GetName());
        """, WORLD) == "0|0|\n"


def test_a_netserver_entry_wins_over_each_behaviour():
    canned = WORLD.rstrip(" ") + """\
    netserver:
      - method: NSDocumentAgent.GetCheckoutState
        args: [8]
        result: {State: 2, AssociateId: 5, Name: Kari}
      - method: NSDocumentAgent.GetDocumentUrl
        result: "https://files.example/8"
      - method: NSDocumentAgent.SubstituteTemplateVariables
        args: ["<name>", 0, 1, 0, 0, 0, 0, 0, 0, ""]
        result: canned
    """
    assert printed("""\
        NSDocumentAgent agent;
        NSCheckoutInfo info = agent.GetCheckoutState(8);
        printLine(info.GetState().toString() + " " + info.GetName());
        printLine(agent.GetDocumentUrl(99, "", true));
        printLine(agent.SubstituteTemplateVariables("<name>", 0, 1, 0, 0, 0, 0, 0, 0, ""));
        printLine(agent.SubstituteTemplateVariables("<name>!", 0, 1, 0, 0, 0, 0, 0, 0, ""));
        """, canned) == "2 Kari\nhttps://files.example/8\ncanned\nSmith & Sons!\n"


# ------------------------------------------------------------------ the generated data


def test_every_field_of_the_committed_data_is_a_column_path_of_the_schema():
    data = json.loads(gen_template_variables.DATA_FILE.read_text(encoding="utf-8"))
    tables = json.loads(gen_template_variables.SCHEMA_FILE.read_text(encoding="utf-8"))["tables"]
    assert data["source"]["repository"] == "https://github.com/SuperOfficeDocs/superoffice-docs"
    assert len(data["source"]["commit"]) == 40
    fields = [(entry[0], entry[2]) for entries in data["tags"].values() for entry in entries if entry[2]]
    assert len(fields) >= 90
    for name, field in fields:
        gen_template_variables.check_field(tables, data["lists"][name]["table"], field)


def test_the_generator_reads_both_tables_of_a_list_and_refuses_a_field_the_schema_lacks(tmp_path, monkeypatch):
    folder = tmp_path / gen_template_variables.LISTS_PATH
    folder.mkdir(parents=True)
    table = "| Property Name | Tag | Description |\n|---|---|---|\n"
    for name in gen_template_variables.LISTS:
        rows = "".join(f"| {prop} | t{index:03d} | x |\n"
                       for index, prop in enumerate(gen_template_variables.FIELDS.get(name, {})))
        udef = f"\n## User Defined Fields\n\n{table}| UserDefinedFieldInt1 | {name[:2]}01 | x |\n"
        (folder / f"{name}-variables.md").write_text(table + rows + udef, encoding="utf-8")
    data = gen_template_variables.generate(tmp_path, "0" * 40)
    assert data["tags"]["co01"] == [["company", "UserDefinedFieldInt1", None]]
    assert ["company", "Name", "name"] in [entry for entries in data["tags"].values() for entry in entries]
    monkeypatch.setitem(gen_template_variables.FIELDS, "company", {"Name": "nmae"})
    with pytest.raises(SystemExit, match="contact has no column nmae"):
        gen_template_variables.generate(tmp_path, "0" * 40)
