"""`crmscript run`: output on stdout, handler summary on stderr, exit 0/1/2."""

from __future__ import annotations

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
