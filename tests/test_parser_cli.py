"""`crmscript check`: exit codes, output format, files and folders, includes."""

from __future__ import annotations

import re

import pytest
from conftest import assert_one_clean_line, invoke_cli, write_cases
from typer.testing import CliRunner

from engine.cli import app

LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$")


@pytest.fixture
def runner():
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        return CliRunner()


def run(runner, *args):
    result = runner.invoke(app, ["check", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_exits_0_and_prints_nothing(runner, tmp_path):
    good = write(tmp_path / "good.crm", "Integer a = 1;\nprintLine(a.toString());\n")
    assert run(runner, "--syntax-only", good) == (0, "", "")


def test_syntax_error_exits_1_with_one_line_per_problem(runner, tmp_path):
    bad = write(tmp_path / "bad.crm", "Integer a = 1;\nString s = \"x\"\nprintLine(s);\n")
    code, out, err = run(runner, "--syntax-only", bad)
    assert code == 1 and out == ""
    (line,) = err.splitlines()
    match = LINE.match(line)
    assert match, line
    assert (match["path"], match["line"], match["col"]) == (str(bad), "2", "15")
    assert match["message"].startswith("expected ';' after the declaration of 's'")


def test_folders_are_searched_recursively_for_scripts_only(runner, tmp_path):
    write(tmp_path / "a" / "ok.crm", "Integer a;")
    write(tmp_path / "a" / "b" / "broken.crmscript", "Integer b")
    write(tmp_path / "a" / "notes.txt", "this is not a script")
    write(tmp_path / "c" / "also-broken.crm", "if (")
    code, _out, err = run(runner, "--syntax-only", tmp_path)
    assert code == 1
    paths = [LINE.match(line)["path"] for line in err.splitlines()]
    assert paths == [str(tmp_path / "a" / "b" / "broken.crmscript"), str(tmp_path / "c" / "also-broken.crm")]


def test_explicit_files_are_checked_whatever_their_suffix(runner, tmp_path):
    txt = write(tmp_path / "script.txt", "Integer x")
    code, _out, err = run(runner, "--syntax-only", txt)
    assert code == 1 and err.startswith(f"{txt}:1:10: error:")


def test_usage_errors_exit_2(runner, tmp_path):
    assert run(runner)[0] == 2
    code, _out, err = run(runner, tmp_path / "missing.crm")
    assert code == 2 and "no such file or folder" in err


def test_includes_resolve_from_own_folder_and_lib_above(runner, tmp_path):
    write(tmp_path / "lib" / "shapes.crm", "struct Shape { Integer sides; };")
    write(tmp_path / "SalesBeforeSaveSale" / "helper.crm", "Integer helper = 1;")
    handler = write(
        tmp_path / "SalesBeforeSaveSale" / "10-a.crm",
        '#include "shapes";\n#include "helper";\nShape s;\ns.sides = helper;\n',
    )
    assert run(runner, "--syntax-only", handler)[0] == 0
    missing = write(tmp_path / "Other" / "x.crm", '#include "nowhere";\nWidget w;\n')
    # --syntax-only judges the file's own text; the full check needs the include.
    assert run(runner, "--syntax-only", missing)[0] == 0
    code, _out, err = run(runner, missing)
    assert code == 1 and err.startswith(f"{missing}:1:1: error:") and "nowhere" in err


def test_error_inside_an_include_names_the_included_file(runner, tmp_path):
    write(tmp_path / "lib" / "broken.crm", "Integer a\n")
    handler = write(tmp_path / "Type" / "h.crm", '#include "broken";\n')
    code, _out, err = run(runner, "--syntax-only", handler)
    assert code == 1 and err.startswith("lib/broken.crm:1:10: error:")  # as the handler chain names it


def test_undecodable_file_is_an_error_not_a_crash(runner, tmp_path):
    blob = tmp_path / "blob.crm"
    blob.write_bytes(b"Integer a;\xff\xfe\x00")
    code, _out, err = run(runner, "--syntax-only", blob)
    assert code == 1 and LINE.match(err.splitlines()[0])


def test_without_syntax_only_the_checker_runs(runner, tmp_path):
    pytest.importorskip("engine.checker")
    script = write(tmp_path / "typed.crm", "Integer a = \"text\";\n")
    assert run(runner, "--syntax-only", script)[0] == 0
    code, _out, err = run(runner, script)
    assert code == 1 and err.startswith(f"{script}:1:")


def test_very_deep_nesting_is_reported_not_a_traceback(runner, tmp_path):
    pytest.importorskip("engine.checker")
    deep = write(tmp_path / "deep.crm", "Integer x = 1" + " + 1" * 20000 + ";\n")  # 5000 checks fine since 8ed57cd
    code, _out, err = run(runner, deep)
    assert code == 1 and LINE.match(err.splitlines()[0]) and "Traceback" not in err


def test_plugin_include_folders_are_searched_after_the_scripts_own(tmp_path):
    from engine.cli.check import check_file

    plugin_lib = tmp_path / "plugin-lib"
    write(plugin_lib / "extra.crm", "struct Extra { Integer n; };")
    script = write(tmp_path / "Type" / "h.crm", '#include "extra";\nExtra e;\n')
    errors, _source = check_file(script, syntax_only=False, checker=None)
    assert errors and "extra" in errors[0].message
    errors, _source = check_file(script, syntax_only=False, checker=None, extra_include_folders=[("myplugin", plugin_lib)])
    assert errors == []


def test_warnings_are_printed_and_leave_the_exit_status_alone(runner, tmp_path):
    script = write(tmp_path / "ends.crm", "Integer f(Integer n) {\n  if (n > 0) { return n; }\n}\nprintLine(f(1).toString());\n")
    code, out, err = run(runner, script)
    assert (code, out) == (0, "")
    assert err == (f"{script}:1:1: warning: missing return at the end of 'Integer f(Integer n)': "
                   "falling off the end returns the default Integer value\n")
    broken = write(tmp_path / "broken.crm", "String s() { }\nInteger x = \"1\";\n")
    code, _out, err = run(runner, broken)
    assert code == 1 and [line.split(": ")[1] for line in err.splitlines()] == ["warning", "error"]


# ------------------------ regressions found by review (was: tests/test_cli_qa.py)


def test_check_non_utf8_script_points_at_the_byte(tmp_path):
    script = tmp_path / "latin.crm"
    script.write_bytes(b'Integer a = 1;\nString s = "\xe6";\n')
    result = invoke_cli("check", str(script))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{script}:2:13: error: the file is not UTF-8 text (save it as UTF-8)"


def test_an_include_that_is_not_utf8_is_reported_at_its_bad_byte_not_at_1_1(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "latin.crm").write_bytes(b'Integer a = 1;\nString s = "\xe6";\n')
    (tmp_path / "TicketSave").mkdir()
    (tmp_path / "TicketSave" / "x.crm").write_text('#include "latin";\n')
    result = invoke_cli("check", str(tmp_path / "TicketSave" / "x.crm"))
    assert result.exit_code == 1
    assert "latin.crm:2:13: error: the file is not UTF-8 text (save it as UTF-8)" in result.stderr, result.stderr


def test_a_byte_order_mark_does_not_shift_the_column_of_a_bad_byte(tmp_path):
    script = tmp_path / "bom.crm"
    script.write_bytes(b'\xef\xbb\xbfString s = "\xe6";\n')
    result = invoke_cli("check", str(script))
    assert result.stderr.strip() == f"{script}:1:13: error: the file is not UTF-8 text (save it as UTF-8)"


def test_check_a_folder_without_scripts_is_a_usage_error_not_a_clean_pass(tmp_path):
    (tmp_path / "notes.txt").write_text("not a script")
    assert_one_clean_line(invoke_cli("check", str(tmp_path)), "no CRMScript files")


def test_check_with_a_glob_skips_the_case_files_beside_the_handlers(seen_tree):
    cases = write_cases(seen_tree, "cases:\n  - name: a\n")
    handler = seen_tree / "SalesBeforeSaveSale" / "10-seen.crm"
    result = invoke_cli("check", str(handler), str(cases))
    assert result.exit_code == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if ": warning: input key 'who'" not in line]
    assert problems == [f"crmscript check: {cases}: skipped, a case file (crmscript test runs it)"]
