"""The reference table (engine/reference.py, engine/data/reference.json.gz).

The first part reads only the committed data. The second compares it with
the YAML pages of the public reference and needs a checkout of
SuperOfficeDocs/crmscript (/work/ref/crmscript) or its git directory
(/work/.mirror/SuperOfficeDocs+crmscript/repo); without either it is skipped.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import engine.runtime  # noqa: F401  (fills the built-in table)
from engine.catalog import default_catalog
from engine.parser import KNOWN_TYPE_NAMES, is_known_type_name
from engine.reference import KINDS, NAMESPACES, reference
from engine.runtime.table import GLOBAL
from engine.types import Type

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tools"))

import gen_reference  # noqa: E402


@pytest.fixture(scope="module")
def ref():
    return reference()


def types_of(member):
    return [str(p.type) for p in member.params]


# ----------------------------------------------------------- the data alone


def test_the_data_names_its_source_and_licence(ref):
    assert ref.source.repository == "SuperOfficeDocs/crmscript"
    assert ref.source.path == "docs/api-reference"
    assert re.fullmatch(r"[0-9a-f]{40}", ref.source.commit)
    assert ref.source.licence == "MIT License"
    assert "SuperOffice" in ref.source.copyright
    assert ref.source.commit[:12] in ref.source.attribution


def test_every_kind_of_class_is_there(ref):
    counts = {kind: len(ref.class_names(kind)) for kind in KINDS}
    assert counts["value type"] == 8  # Bool Byte Date DateTime Float Integer String Time
    assert counts["class"] == 54
    assert counts["agent"] == 47
    assert counts["enum"] == 109
    assert counts["carrier"] >= 313
    for cls in ref.classes():
        assert cls.namespace == NAMESPACES[cls.kind]


def test_a_method_with_overloads(ref):
    overloads = ref.methods("SearchEngine", "addField")
    assert [m.text for m in overloads] == [
        "Void SearchEngine.addField(String field)",
        "Void SearchEngine.addField(String field, String function)",
    ]
    first = overloads[0]
    assert first.uid == "CRMScript.Native.SearchEngine.addField(String)"
    assert first.url == ("https://docs.superoffice.com/en/automation/crmscript/reference/"
                         "CRMScript.Native.SearchEngine.html#CRMScript_Native_SearchEngine_addField_String_")
    assert ref.cls("SearchEngine").url.endswith("/CRMScript.Native.SearchEngine.html")


def test_constructors_global_functions_and_value_types(ref):
    assert [m.text for m in ref.constructors("SearchEngine")] == ["SearchEngine()"]
    assert "DateTime(Integer year, Integer month, Integer mday, Integer hour, Integer min, Integer sec)" in [
        m.text for m in ref.constructors("DateTime")]
    (print_line,) = ref.functions("printLine")
    assert print_line.owner == GLOBAL and print_line.returns == Type("Void")
    assert types_of(print_line) == ["String"]
    assert ref.cls("String").kind == "value type"
    assert ref.methods("String", "split")[0].returns == Type("String", 1)


def test_the_generic_page_holds_global_functions(ref):
    (get_type_name,) = ref.functions("getTypeName")
    assert get_type_name.text == "String getTypeName(Generic value)"
    assert "CRMScript.Native.Generic.html#" in get_type_name.url
    assert ref.cls("Generic").is_type and not ref.cls("Generic").methods


def test_netserver_agents_carriers_and_enums(ref):
    agent = ref.cls("NSContactAgent")
    assert agent.kind == "agent"
    assert ref.methods("NSContactAgent", "GetContact")[0].returns == Type("NSContact")
    assert ref.cls("NSContact").kind == "carrier"
    status = ref.cls("ActivityStatus")
    assert status.kind == "enum" and not status.is_type and not ref.is_type("ActivityStatus")
    assert [(c.name, c.value) for c in status.constants] == [
        ("Unknown", 0), ("NotStarted", 1), ("Started", 2), ("Completed", 3)]
    assert status.constants[3].text == "ActivityStatus.Completed = 3"
    assert status.constants[3].url.endswith("#CRMScript_NetServer_ActivityStatus_Completed")


def test_both_spellings_of_a_member_find_it(ref):
    assert ref.functions("SetVariable") == ref.functions("setVariable")
    assert ref.functions("setVariable")[0].aliases == ("SetVariable",)
    assert ref.methods("SearchEngine", "SetLimit") == ref.methods("SearchEngine", "setLimit")
    assert ref.methods("SearchEngine", "nosuch") == ()
    assert ref.functions("nosuch") == () and ref.cls("Nosuch") is None


def test_members_lists_a_class_for_completion(ref):
    members = ref.cls("Vector").members()
    assert members[0].is_constructor
    names = [m.name for m in members[1:]]
    assert names == sorted(names) and "pushBack" in names


def test_a_member_becomes_a_documented_not_simulated_signature(ref):
    member = ref.methods("SearchEngine", "addField")[0]
    signature = member.signature()
    assert signature.impl is None
    assert (signature.owner, signature.name, signature.url) == ("SearchEngine", "addField", member.url)
    assert signature.params == member.params and signature.returns == Type("Void")
    assert ref.functions("setVariable")[0].signature("SetVariable").name == "SetVariable"


def test_every_type_in_a_signature_is_a_documented_type(ref):
    for member in ref.members():
        for type_ in [member.returns, *(p.type for p in member.params)]:
            assert ref.is_type(type_.name), f"{member.uid}: {type_}"


def test_triggers_agree_with_the_event_catalog(ref):
    catalog = default_catalog()
    assert {t.name for t in ref.triggers} == {t.name for t in catalog}
    for trigger in ref.triggers:
        assert trigger.id == catalog.get(trigger.name).id, trigger.name
        assert trigger.url.startswith("https://docs.superoffice.com/en/automation/trigger/reference/")


def test_the_repairs_name_each_defect_of_the_pages(ref):
    found = {(r.uid, r.what, r.found, r.used) for r in ref.repairs}
    assert ("CRMScript.Event.Trigger.yml", "page text", "control character U+007F", "removed") in found
    assert ("CRMScript.NetServer.NSContactEntity.SSetCategory(NSCategory)", "member name",
            "SSetCategory", "SetCategory") in found
    assert ("CRMScript.Native.DBWrite.addWhereId(Integer)", "return type (declaration)", "Vodi", "Void") in found
    assert ("CRMScript.NetServer.NSKbCategory.GetSortOrder()", "return type (parameter table)",
            "CRMScript.Global.Integer'", "Integer") in found
    assert ("CRMScript.NetServer.NSContactAgent.GetAddress(Integer)",
            "declaration: return type and name run together",
            "LocalizedField[][]GetAddress", "LocalizedField[][] GetAddress") in found
    missing_returns = [r for r in ref.repairs if r.what == "return type (parameter table)" and r.found == "(none)"]
    assert len(missing_returns) >= 26
    assert ref.methods("NSContactEntity", "SetCategory") and not ref.methods("NSContactEntity", "SSetCategory")
    # The page says NSLocalizedField[][]; NetServer's ContactAgent returns the Address carrier.
    assert ("CRMScript.NetServer.NSContactAgent.GetAddress(Integer)", "return type: NetServer's carrier differs",
            "CRMScript.NetServer.LocalizedField[][]", "NSAddress") in found
    assert ref.methods("NSContactAgent", "GetAddress")[0].returns == Type("NSAddress")
    assert [types_of(m) for m in ref.methods("NSRecurrenceInfo", "SetDayPattern")] == [["NSRecurrenceDayPattern"]]


def test_a_contradicting_page_gives_every_reading(ref):
    # The parameter table says (String, String, String), the declaration and
    # the examples (String, String): both type-check.
    assert sorted(types_of(m) for m in ref.methods("User", "setValue")) == [
        ["String", "String"], ["String", "String", "String"]]


def test_the_parser_knows_every_declarable_documented_type(ref):
    for cls in ref.classes():
        assert is_known_type_name(cls.name) == cls.is_type, cls.name
    text = (REPO_ROOT / "engine" / "data" / "type_names.txt").read_text(encoding="utf-8")
    listed = {line for line in text.splitlines() if line and not line.startswith("#")}
    expected = {c.name for c in ref.classes() if c.kind in ("value type", "class")} | {"Void"}
    assert listed == expected
    assert listed <= KNOWN_TYPE_NAMES


def test_a_run_does_not_read_the_reference():
    code = ("import sys, engine; s = engine.compile_script('printLine(\"x\");', name='x.crm'); s.run(); "
            "print('engine.reference' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().endswith("False")


# ----------------------------------------------------------- against the YAML


@pytest.fixture(scope="module")
def pages():
    source = gen_reference.find_source()
    if source is None:
        pytest.skip("no checkout of SuperOfficeDocs/crmscript at /work/ref/crmscript and no git "
                    "directory at /work/.mirror/SuperOfficeDocs+crmscript/repo")
    commit = source.commit()
    if commit != reference().source.commit:
        pytest.fail(f"the table was generated from {reference().source.commit}, the checkout is at "
                    f"{commit}: run tools/gen_reference.py")
    repairs = gen_reference.Repairs()
    return source, gen_reference.load_pages(source, repairs), repairs


def test_every_documented_item_is_in_the_table(ref, pages):
    _source, loaded, _repairs = pages
    member_uids = {m.uid for m in ref.members()}
    constant_uids = {f"{c.url.rsplit('#', 1)[1]}" for e in ref.classes("enum") for c in e.constants}
    triggers = {t.name for t in ref.triggers}
    counted = {"member": 0, "constant": 0, "trigger": 0, "class": 0}
    for stem, items in loaded.items():
        for item in items:
            uid, kind = item["uid"], item["type"]
            if kind in ("Method", "Constructor") and stem == "CRMScript.Event.Trigger":
                assert uid.rsplit(".", 1)[1] in triggers, uid
                counted["trigger"] += 1
            elif kind in ("Method", "Constructor"):
                assert uid in member_uids, uid
                counted["member"] += 1
            elif kind == "Field":
                assert re.sub(r"\W", "_", uid) in constant_uids, uid
                counted["constant"] += 1
            elif kind in ("Class", "Enum") and stem not in gen_reference.FUNCTION_PAGES:
                if stem != "CRMScript.Event.Trigger":
                    assert ref.cls(uid.rsplit(".", 1)[1]) is not None, uid
                    counted["class"] += 1
    # 8 value types, 53 Native classes (the Generic page is one of functions), 361 NetServer
    # classes and 108 enums; the methods and constructors of every page but the triggers'.
    assert counted == {"member": 8655, "constant": 886, "trigger": 96, "class": 530}
    # The 8,660 documented members: distinct names of methods and constructors per class.
    names = {(s, i["uid"].split("(")[0].rsplit(".", 1)[1]) for s, items in loaded.items()
             for i in items if i["type"] in ("Method", "Constructor")}
    assert len(names) == 8660


def test_clean_items_keep_their_documented_types(ref, pages):
    """Where a page agrees with itself, the table says exactly what the page says."""
    _source, loaded, _repairs = pages
    repaired = {r.uid for r in ref.repairs}
    by_uid = {}
    for member in ref.members():
        by_uid.setdefault(member.uid, []).append(member)
    checked = 0
    for stem, items in loaded.items():
        for item in items:
            if item["type"] != "Method" or item["uid"] in repaired or stem == "CRMScript.Event.Trigger":
                continue
            syntax = item["syntax"]
            documented = [p["type"].rsplit(".", 1)[1] for p in syntax.get("parameters") or []]
            (member,) = by_uid[item["uid"]]
            assert types_of(member) == documented, item["uid"]
            assert str(member.returns) == syntax["return"]["type"].rsplit(".", 1)[1], item["uid"]
            assert member.name == item["uid"].split("(")[0].rsplit(".", 1)[1]
            checked += 1
    assert checked > 8000


def test_the_committed_files_are_what_the_generator_makes(pages):
    source, loaded, repairs = pages
    table = gen_reference.build_table(loaded, gen_reference.Repairs(list(repairs.entries)),
                                      source.commit(), source.licence())
    for path, data in gen_reference.outputs(table, gen_reference.DOCS_FILE).items():
        assert path.read_bytes() == data, f"{path.name} is out of date: run tools/gen_reference.py"
