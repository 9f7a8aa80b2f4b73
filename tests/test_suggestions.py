"""The one near-miss rule (engine/suggestions.py) and the places that use it."""

from __future__ import annotations

from engine.catalog import default_catalog
from engine.suggestions import closest, did_you_mean, foreign_member_hint, foreign_type_hint, typo_distance


def test_a_case_slip_beats_a_typo_and_short_names_only_get_case_slips():
    assert closest("printline", ["printLine", "printLn"]) == "printLine"
    assert closest("lenght", ["length", "height"]) == "length"  # a swap of neighbours is one edit
    assert closest("abc", ["abd"]) is None and closest("abc", ["ABC"]) == "ABC"
    assert closest("completelyOff", ["printLine"]) is None


def test_the_candidate_in_the_same_case_wins_a_tie():
    assert closest("mesage", ["Message", "message"]) == "message"


def test_typo_distance_stops_at_its_limit():
    assert typo_distance("kitten", "sitting", 5) == 3
    assert typo_distance("kitten", "sitting", 1) == 2


def test_messages():
    assert did_you_mean("tostring", ["toString"]) == " (did you mean 'toString'?)"
    assert did_you_mean("x", ["y"]) == ""
    assert foreign_type_hint("int") == " (in CRMScript: Integer)"
    assert "declares a variable with its type" in foreign_type_hint("var")
    assert foreign_member_hint("length", ["getLength", "subString"]) == " (in CRMScript: getLength())"


def test_the_catalog_suggests_by_the_same_rule():
    catalog = default_catalog()
    assert catalog.suggest("salesbeforesavesale") == "SalesBeforeSaveSale"
    assert catalog.suggest("SalesBeforSaveSale") == "SalesBeforeSaveSale"  # a typo, not only a case slip
    assert catalog.suggest("NoSuchTrigger") is None
