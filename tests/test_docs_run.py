"""tools/docs_run.py: how it reads the output a docs page states (own texts, no corpus)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import docs_run  # noqa: E402


def stated(after: str, code: str = "Integer count = 3;") -> list[str] | None:
    snippets, whole = docs_run.stated_output(after, code)
    assert not whole
    return snippets


def test_emphasis_after_the_verb_is_output():
    assert stated("This will print *Office*.") == ["Office"]
    assert stated("The first output will be *true*. The next call will return **false**.") == ["true", "false"]


def test_the_because_part_talks_about_the_code():
    assert stated("The output will be `true` because `cöunt` is not set yet.") == ["true"]


def test_values_in_this_case():
    assert stated('The output will be the sum, 12 in this case, then the text, "66" here.') == ["12", "66"]


def test_prose_emphasis_and_identifiers_are_not_output():
    assert stated("We call `toString()` *on the number* to get printable text.") is None
    assert stated("This prints `count` twice.") is None


def test_unparsable_script_naming_a_non_tier1_class_is_not_tier1():
    outcome = docs_run.run_one("x.crm", 'NSContactAgent agent;\nprintLine("oops);\n')
    assert not outcome.tier1 and "NSContactAgent" in outcome.reason
    outcome = docs_run.run_one("y.crm", 'printLine("oops);\n')
    assert outcome.tier1 and not outcome.ran and "does not compile" in outcome.reason


def test_a_run_that_stops_at_a_member_not_simulated_is_not_tier1():
    outcome = docs_run.run_one("z.crm", 'printLine("a");\nDbiControl dc;\ndc.getParameter("ticket.id");\n')
    assert not outcome.tier1 and not outcome.ran
    assert "'DbiControl.getParameter' is part of CRMScript but not simulated yet" in outcome.reason
