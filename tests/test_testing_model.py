"""The case-file format: YAML loading, validation errors, parameters, discovery, -k."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from engine.errors import CRMScriptError
from engine.testing.discovery import UsageError, find_case_files, keyword_matcher
from engine.testing.model import CaseFileError, load_case_file


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_scalars_stay_the_text_written(tmp_path):
    file = write(tmp_path / "h" / "SalesBeforeSaveSale" / "a.cases.yaml", """
        cases:
          - name: numbers are text
            input: {code: 007, price: 1.50, flag: yes, octal: 010, date: 2024-01-02}
            expect:
              OutputValues: {total: 12}
    """)
    [case] = load_case_file(file)
    assert case.input == {"code": "007", "price": "1.50", "flag": "yes", "octal": "010", "date": "2024-01-02"}
    assert case.expect.output == {"total": "12"}


def test_event_and_tree_default_to_the_folders(tmp_path):
    file = write(tmp_path / "tree" / "TicketSave" / "x.cases.yaml", "cases: [{name: one}]\n")
    [case] = load_case_file(file)
    assert case.event == "TicketSave"
    assert case.handlers == (tmp_path / "tree").resolve()


def test_tests_folder_needs_an_event_and_can_name_another_tree(tmp_path):
    file = write(tmp_path / "tree" / "tests" / "x.cases.yaml", """
        event: SalesBeforeSaveSale
        cases:
          - name: default tree
          - name: other tree
            event: TicketSave
            handlers: ../../other
    """)
    first, second = load_case_file(file)
    assert (first.event, first.handlers) == ("SalesBeforeSaveSale", (tmp_path / "tree").resolve())
    assert (second.event, second.handlers) == ("TicketSave", (tmp_path / "other").resolve())

    missing = write(tmp_path / "tree" / "tests" / "y.cases.yaml", "cases: [{name: lost}]\n")
    with pytest.raises(CaseFileError, match="case 'lost': field event: no event type"):
        load_case_file(missing)


def error_of(path: Path) -> CaseFileError:
    with pytest.raises(CaseFileError) as info:
        load_case_file(path)
    error = info.value
    assert isinstance(error, CRMScriptError)
    assert error.file == str(path)
    return error


def test_schema_error_names_file_case_and_field(tmp_path):
    file = write(tmp_path / "h" / "TicketSave" / "bad.cases.yaml", """
        cases:
          - name: fine
          - name: typo in expect
            expect:
              blok: true
    """)
    error = error_of(file)
    assert error.line == 6  # the line of the unknown key
    assert "case 'typo in expect'" in error.message
    assert "field expect.blok" in error.message
    assert str(error).startswith(f"{file}:6:1: case file error:")


def test_wrong_types_are_named(tmp_path):
    bad_bool = write(tmp_path / "h" / "T" / "a.cases.yaml", "cases:\n  - name: b\n    expect: {BlockExecution: maybe}\n")
    assert "field expect.BlockExecution" in error_of(bad_bool).message
    nested = write(tmp_path / "h" / "T" / "b.cases.yaml", "cases:\n  - name: n\n    input: {a: [1, 2]}\n")
    assert "value of 'a' must be text" in error_of(nested).message
    empty = write(tmp_path / "h" / "T" / "c.cases.yaml", "cases:\n  - name: e\n    input: {a: }\n")
    assert "write \"\" for an empty string" in error_of(empty).message
    no_name = write(tmp_path / "h" / "T" / "d.cases.yaml", "cases:\n  - input: {a: b}\n")
    message = error_of(no_name).message
    assert "case #1" in message and "field name" in message
    bad_regex = write(tmp_path / "h" / "T" / "e.cases.yaml", "cases:\n  - name: r\n    expect: {message: '/(/'}\n")
    assert "bad regular expression" in error_of(bad_regex).message


def test_not_yaml_and_not_a_mapping(tmp_path):
    broken = write(tmp_path / "h" / "T" / "a.cases.yaml", "cases:\n  - name: [unclosed\n")
    error = error_of(broken)
    assert "not valid YAML" in error.message and error.line >= 2
    listing = write(tmp_path / "h" / "T" / "b.cases.yaml", "- name: x\n")
    assert "mapping with a `cases:` list" in error_of(listing).message
    duplicate = write(tmp_path / "h" / "T" / "c.cases.yaml", "cases: [{name: same}, {name: same}]\n")
    assert "already used" in error_of(duplicate).message


def test_parameter_rows_substitute_text_and_whole_values(tmp_path):
    file = write(tmp_path / "h" / "SalesBeforeSaveSale" / "p.cases.yaml", """
        cases:
          - name: amount
            params:
              - {amount: 10, blocked: false}
              - {amount: 5000, blocked: true, id: big}
            input: {amount: "${amount}", note: "sale of ${amount} NOK"}
            expect:
              block: ${blocked}
              message: "/${amount}/"
    """)
    small, big = load_case_file(file)
    assert small.name == "amount[10-false]" and big.name == "amount[big]"
    assert small.input == {"amount": "10", "note": "sale of 10 NOK"}
    assert small.expect.block is False and big.expect.block is True
    assert big.expect.message.matches("over 5000 here") and not big.expect.message.matches("10")


def test_parameter_table_and_its_errors(tmp_path):
    file = write(tmp_path / "h" / "T" / "t.cases.yaml", """
        cases:
          - name: "rate ${rate}"
            params:
              columns: [rate, expected]
              rows: [[1, "0.1"], [2, "0.2"]]
            input: {rate: "${rate}"}
            expect: {OutputValues: {tax: "${expected}"}}
    """)
    cases = load_case_file(file)
    assert [c.name for c in cases] == ["rate 1", "rate 2"]
    assert cases[1].expect.output == {"tax": "0.2"}

    unknown = write(tmp_path / "h" / "T" / "u.cases.yaml", """
        cases:
          - name: u
            params: [{a: 1}]
            input: {x: "${b}"}
    """)
    assert "no parameter named 'b'" in error_of(unknown).message
    ragged = write(tmp_path / "h" / "T" / "r.cases.yaml", """
        cases:
          - name: r
            params: {columns: [a, b], rows: [[1]]}
    """)
    assert "row 1 has 1 values for 2 columns" in error_of(ragged).message


def test_discovery_takes_only_case_files(tmp_path):
    write(tmp_path / "h" / "T" / "a.cases.yaml", "cases: []\n")
    write(tmp_path / "h" / "T" / "b.cases.yml", "cases: []\n")
    write(tmp_path / "h" / "T" / "config.yaml", "not: a case file\n")
    write(tmp_path / "h" / ".hidden" / "c.cases.yaml", "cases: []\n")
    found = find_case_files([tmp_path / "h"])
    assert [p.name for p in found] == ["a.cases.yaml", "b.cases.yml"]
    with pytest.raises(UsageError, match="no such file or folder"):
        find_case_files([tmp_path / "missing"])
    with pytest.raises(UsageError, match="not a case file"):
        find_case_files([tmp_path / "h" / "T" / "config.yaml"])


@pytest.mark.parametrize("expression, matches", [
    ("amount", {"big amount", "small amount"}),
    ("AMOUNT and not small", {"big amount"}),
    ("small or ticket", {"small amount", "ticket closed"}),
    ("not (amount or closed)", {"other"}),
    ("(big or ticket) and not closed", {"big amount"}),
])
def test_keyword_expressions(expression, matches):
    names = ["big amount", "small amount", "ticket closed", "other"]
    predicate = keyword_matcher(expression)
    assert {name for name in names if predicate(name)} == matches


@pytest.mark.parametrize("expression", ["and", "a or", "(a", "a b", "a )"])
def test_bad_keyword_expressions(expression):
    with pytest.raises(UsageError, match=re.escape(repr(expression))):
        keyword_matcher(expression)


def test_request_extras_and_a_hint_for_expectations_written_at_case_level(tmp_path):
    file = write(tmp_path / "h" / "T" / "r.cases.yaml", """
        cases:
          - name: caller values
            InputValues: {a: "1"}
            request: {OutputValues: {pre: x}, Message: hi, block: true}
    """)
    [case] = load_case_file(file)
    assert case.input == {"a": "1"}
    assert (case.request.output, case.request.message, case.request.block) == ({"pre": "x"}, "hi", True)
    misplaced = write(tmp_path / "h" / "T" / "m.cases.yaml", "cases:\n  - name: m\n    block: true\n")
    error = error_of(misplaced)
    assert "field block: Extra inputs are not permitted (what the handlers must leave goes under `expect:`" in error.message
    assert error.line == 3
