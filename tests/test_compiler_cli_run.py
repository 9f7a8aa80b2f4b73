"""`crmscript run`: output on stdout, handler summary on stderr, exit 0/1/2."""

from __future__ import annotations

from conftest import assert_one_clean_line, invoke_cli
from typer.testing import CliRunner

from engine.cli import app

runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["run", *args])


def test_prints_what_the_script_prints(tmp_path):
    script = tmp_path / "hello.crm"
    script.write_text('printLine("hello"); print("world");')
    result = invoke(str(script))
    assert result.exit_code == 0
    assert result.stdout == "hello\nworld"


def test_runs_as_a_handler_with_inputs_and_states(tmp_path):
    script = tmp_path / "h.crm"
    script.write_text(
        'EventData ed = getEventData();\n'
        'ed.setOutputValue("seen", ed.getInputValue("a") + ed.getStateValue("s"));\n'
        'ed.setMessage("type " + ed.getType().toString());\n'
        'ed.setBlockExecution(true);\n')
    result = invoke(str(script), "--event", "SalesBeforeSaveSale", "--input", "a=x=1", "--state", "s=2")
    assert result.exit_code == 0
    assert "seen = x=12" in result.stderr
    assert "Message: type 1008" in result.stderr
    assert "BlockExecution: true" in result.stderr


def test_uncaught_error_exits_1_with_location(tmp_path):
    script = tmp_path / "bad.crm"
    script.write_text('print("partial");\nInteger z;\nInteger r = 1 / z;\n')
    result = invoke(str(script))
    assert result.exit_code == 1
    assert result.stdout == "partial"
    assert f"{script}:3:" in result.stderr and "error: Division by zero" in result.stderr


def test_compile_error_exits_1(tmp_path):
    script = tmp_path / "syntax.crm"
    script.write_text('printLine("no semicolon")')
    result = invoke(str(script))
    assert result.exit_code == 1
    assert f"{script}:1:" in result.stderr


def test_missing_file_and_bad_pairs_exit_2(tmp_path):
    assert invoke(str(tmp_path / "missing.crm")).exit_code == 2
    script = tmp_path / "ok.crm"
    script.write_text('print("x");')
    assert invoke(str(script), "--input", "novalue").exit_code == 2
    assert invoke(str(script), "--state", "=v").exit_code == 2


def test_includes_resolve_from_a_lib_folder_above(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "util.crm").write_text('String shout(String s) { return s + "!"; }\n')
    (tmp_path / "Handlers").mkdir()
    script = tmp_path / "Handlers" / "main.crm"
    script.write_text('#include "util";\nprint(shout("hi"));\n')
    result = invoke(str(script))
    assert result.exit_code == 0 and result.stdout == "hi!"


def test_limit_error_exits_1(tmp_path):
    script = tmp_path / "loop.crm"
    script.write_text("Void down() {\n  down();\n}\ndown();\n")
    result = invoke(str(script))
    assert result.exit_code == 1
    assert f"{script}:" in result.stderr and "limit" in result.stderr


# ------------------------ regressions found by review (was: tests/test_cli_qa.py)


def test_run_on_a_folder_says_so(seen_tree):
    assert_one_clean_line(invoke_cli("run", str(seen_tree)), "is a folder, not a script file")


def test_run_non_utf8_script_names_line_and_column_not_the_codec(tmp_path):
    script = tmp_path / "latin.crm"
    script.write_bytes(b'printLine("ok");\nprint("\xe6");\n')
    result = invoke_cli("run", str(script))
    assert_one_clean_line(result, "latin.crm", "not UTF-8 text (line 2, column 8)")
    assert "codec" not in result.stderr and "Errno" not in result.stderr


def test_run_piped_into_a_reader_that_stops_early_is_quiet(tmp_path):
    # `crmscript run x.crm | head -1`: was "error: internal error: BrokenPipeError".
    import subprocess
    import sys

    script = tmp_path / "many.crm"
    script.write_text('for (Integer i = 0; i < 200000; i++) { printLine("line " + i.toString()); }\n')
    process = subprocess.Popen([sys.executable, "-c", "from engine.cli import main; main()", "run", str(script)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"line 0\n"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert stderr == "", stderr


def test_run_as_a_handler_warns_about_input_keys_the_trigger_never_sends(seen_tree):
    handler = seen_tree / "SalesBeforeSaveSale" / "10-seen.crm"
    result = invoke_cli("run", str(handler), "--event", "SalesBeforeSaveSale",
                    "--input", "who=x", "--input", "SaleEntity.Amount=5")
    assert result.exit_code == 0
    assert "warning: input key 'who' is never sent by SalesBeforeSaveSale" in result.stderr
    assert "SaleEntity.Amount" not in result.stderr.split("event SalesBeforeSaveSale:")[0]
