"""tools/gen_aliases.py: the committed alias table is what the generator makes
from the public CRMScript docs (skipped without a checkout)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import gen_aliases  # noqa: E402

from engine.crm.records import ALIASES_FILE  # noqa: E402

CHECKOUT = Path("/work/ref/crmscript")


def test_a_reference_table_row_with_two_names_gives_two_aliases():
    text = ("| Parameter | Db field | Description |\n|:--|:--|:--|\n"
            "| ownedBy | owned_by | who |\n| username<br>password |  | web |\n\nprose\n| a | b |\n")
    assert gen_aliases.alias_rows(text) == [("ownedBy", "owned_by"), ("username", ""), ("password", "")]


@pytest.mark.skipif(not (CHECKOUT / "docs" / "requests").is_dir(), reason="no checkout of SuperOfficeDocs/crmscript")
def test_the_committed_aliases_are_what_the_generator_makes():
    made = gen_aliases.generate(CHECKOUT)
    committed = json.loads(ALIASES_FILE.read_text(encoding="utf-8"))
    assert made["classes"] == committed["classes"]
    assert committed["source"]["license"] == "MIT"
