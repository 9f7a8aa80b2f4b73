"""tools/gen_schema.py: the committed schema data is what the generator makes
from the public database reference (skipped without a checkout)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import gen_schema  # noqa: E402

from engine.crm.schema import DATA_FILE  # noqa: E402

CHECKOUT = Path("/work/ref/database")


def test_the_committed_schema_counts():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    tables = data["tables"]
    assert len(tables) == 495
    assert sum(len(t["fields"]) for t in tables.values()) == 6384
    assert sum(1 for t in tables.values() for f in t["fields"] if f[1] == "FK") == 1501
    assert len(data["enums"]) == 114
    assert data["source"]["license"] == "MIT"


def test_a_row_with_an_escaped_pipe_keeps_its_type():
    rows = gen_schema.markdown_rows("| Name | Description | Type | Null |\n|--|--|--|--|\n"
                                    "|saledate|(expected \\| lost \\| won) date|DateTime| |\n",
                                    "| Name | Description | Type | Null |")
    assert rows == [["saledate", "(expected | lost | won) date", "DateTime", " "]]


@pytest.mark.skipif(not (CHECKOUT / "docs" / "tables").is_dir(), reason="no checkout of SuperOfficeDocs/database")
def test_the_committed_schema_is_what_the_generator_makes():
    made = gen_schema.generate(CHECKOUT)
    committed = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert made["source"]["commit"] == committed["source"]["commit"], "run tools/gen_schema.py"
    assert json.loads(json.dumps(made)) == committed
