"""The template variables of NSDocumentAgent.SubstituteTemplateVariables:
tools/gen_template_variables.py and its data (docs/netserver.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import gen_template_variables  # noqa: E402


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
