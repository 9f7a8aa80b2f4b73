"""A new user's first day with the CLI (issue 10): their own project, their
own handlers and cases, every command. One test (or a few) per defect; each
failed before its fix. Handlers and cases are made up here.
"""

from pathlib import Path

import pytest
from conftest import SHOUT_HANDLER, SHOUT_PLUGIN, assert_one_clean_line, invoke_cli, write_cases
from typer.testing import CliRunner

from engine.cli import app

SEEN = 'EventData ed = getEventData();\ned.setOutputValue("seen", ed.getInputValue("SaleEntity.Heading"));\n'
FAILING_CASE = ("cases:\n  - name: mine fails\n    input: {SaleEntity.Heading: me}\n"
                "    expect: {OutputValues: {seen: somebody else}}\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A user's folder with handlers/ of its own (one handler, one failing case), as the current folder."""
    folder = tmp_path / "myproject"
    handlers = folder / "handlers" / "SalesBeforeSaveSale"
    handlers.mkdir(parents=True)
    (handlers / "10-seen.crm").write_text(SEEN)
    (handlers / "mine.cases.yaml").write_text(FAILING_CASE)
    monkeypatch.chdir(folder)
    return folder


# --- 1. the wrong handler tree, silently -------------------------------------------


def test_test_in_a_project_runs_its_own_cases_and_fails_there(project):
    result = invoke_cli("test")
    assert result.exit_code == 1, result.output
    assert "1 failed" in result.output and "passed" not in result.output  # not the repository's 26 cases
    assert "using handlers: ./handlers\n" in result.stderr


def test_fire_in_a_project_runs_its_own_handlers_and_names_them(project):
    result = invoke_cli("fire", input='{"EventData": {"Type": "SalesBeforeSaveSale", '
                                  '"InputValues": {"SaleEntity.Heading": "mine"}}}')
    assert result.exit_code == 0, result.output
    assert '"seen": "mine"' in result.stdout
    assert result.stderr.startswith("using handlers: ./handlers\n")


def test_events_scripts_in_a_project_lists_its_own_handlers(project):
    result = invoke_cli("events", "--scripts", "--json")
    assert result.exit_code == 0, result.output
    rows = __import__("json").loads(result.stdout)
    assert [row["name"] for row in rows if row["origin"] == "tree"] == ["SalesBeforeSaveSale/10-seen.crm"]
    assert "using handlers: ./handlers" in result.stderr


def test_serve_in_a_project_serves_its_own_tree(project, monkeypatch):
    served = {}

    def fake_create_app(engine, **options):
        served["tree"] = engine.handlers_dir

    monkeypatch.setattr("engine.api.app.create_app", fake_create_app)
    monkeypatch.setattr("uvicorn.run", lambda api, **options: None)
    monkeypatch.setattr("gc.freeze", lambda: None)
    monkeypatch.setattr("engine.cli.serve.configure_logging", lambda: None)
    result = invoke_cli("serve")
    assert result.exit_code == 0, result.output
    assert served["tree"] == Path("handlers")
    assert "using handlers: ./handlers" in result.stderr


def test_outside_a_project_the_default_tree_is_named_as_the_default(tmp_path, monkeypatch):
    from engine.cli.common import DEFAULT_HANDLERS

    monkeypatch.chdir(tmp_path)
    result = invoke_cli("fire", input='{"EventData": {"Type": "TicketSave"}}')
    assert f"using handlers: {DEFAULT_HANDLERS} (the default: no ./handlers in this folder)" in result.stderr


# --- 2. host paths in Exception, errorLocation, traces and coverage -----------------


BOOM = 'Integer ratio(Integer a, Integer b) {\n  Integer r = 0;\n  r = a / b;\n  return r;\n}\n'
CALLS_BOOM = '#include "boom";\ngetEventData().setMessage(ratio(1, 0).toString());\n'


@pytest.fixture
def boom_tree(project: Path) -> Path:
    handlers = project / "handlers"
    (handlers / "lib").mkdir()
    (handlers / "lib" / "boom.crm").write_text(BOOM)
    (handlers / "SalesBeforeSaveSale" / "20-boom.crm").write_text(CALLS_BOOM)
    return handlers


@pytest.mark.parametrize("where", ["project", "tree", "elsewhere"])
def test_an_include_error_is_named_in_the_tree_from_any_current_folder(boom_tree, tmp_path, monkeypatch, where):
    import json

    folder = {"project": boom_tree.parent, "tree": boom_tree, "elsewhere": tmp_path}[where]
    monkeypatch.chdir(folder)
    options = [] if where == "project" else ["--handlers", str(boom_tree)]
    result = invoke_cli("fire", *options, input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert result.exit_code == 1
    exception = json.loads(result.stdout)["Exception"]
    assert exception == "SalesBeforeSaveSale/20-boom.crm: lib/boom.crm:3:7: runtime error: Division by zero"


def test_the_http_answer_names_no_host_path(boom_tree):
    import httpx

    from engine import Engine
    from engine.api import create_app
    from engine.api.server import serve_in_thread

    with serve_in_thread(create_app(Engine(boom_tree.resolve(), load_entry_points=False))) as url:
        answer = httpx.post(f"{url}/api/v1/Agents/CustomerService/ExecuteEventHandlers",
                            json={"EventData": {"Type": "SalesBeforeSaveSale"}}, timeout=30)
    assert answer.json()["Exception"].startswith("SalesBeforeSaveSale/20-boom.crm: lib/boom.crm:3:7: ")
    assert str(boom_tree.parent) not in answer.text


def test_error_location_in_an_include_is_named_in_the_tree(boom_tree, tmp_path, monkeypatch):
    (boom_tree / "SalesBeforeSaveSale" / "20-boom.crm").write_text(
        '#include "boom";\ntry {\n  ratio(1, 0);\n} catch {\n  getEventData().setMessage(errorLocation);\n}\n')
    monkeypatch.chdir(tmp_path)
    result = invoke_cli("fire", "--handlers", str(boom_tree), input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert '"Message": "lib/boom.crm:3"' in result.stdout, result.stdout


def test_coverage_and_trace_name_included_files_in_the_tree(boom_tree, tmp_path, monkeypatch):
    (boom_tree / "SalesBeforeSaveSale" / "mine.cases.yaml").write_text(
        "cases:\n  - name: boom\n    only: 20-boom.crm\n    expect: {exception: /Division/}\n")
    monkeypatch.chdir(tmp_path)
    result = invoke_cli("test", str(boom_tree), "--coverage", "--trace")
    assert result.exit_code == 0, result.output
    assert "\n  lib/boom.crm\n" in result.stdout  # the trace's file heading
    assert any(line.lstrip("│ ").startswith("lib/boom.crm ") for line in result.stdout.splitlines())
    assert str(tmp_path) not in result.stdout


def test_a_plugin_include_is_named_by_the_plugin(tmp_path):
    from engine import Engine, EventData
    from engine.hookspecs import hookimpl

    folder = tmp_path / "plugin_lib"
    folder.mkdir()
    (folder / "boom.crm").write_text(BOOM)
    (tmp_path / "tree" / "TicketSave").mkdir(parents=True)
    (tmp_path / "tree" / "TicketSave" / "1.crm").write_text(CALLS_BOOM)

    class Helpers:
        @hookimpl
        def crmscript_include_paths(self):
            return [folder]

    engine = Engine(tmp_path / "tree", plugins=[Helpers()], load_entry_points=False)
    out = engine.execute(EventData(Type="TicketSave"))
    assert out.Exception == "TicketSave/1.crm: Helpers/boom.crm:3:7: runtime error: Division by zero"


# --- 3. input-key typos pass silently --------------------------------------------


TYPO_HANDLER = ('EventData ed = getEventData();\n'
                'Integer amount = ed.getInputValue("SaleEntity.Amout").toInteger();\n'
                'String currency = getEventData().getInputValue("OurCurrency");\n'
                'String key = "SaleEntity.Whatever";\n'
                'String computed = ed.getInputValue(key);\n'
                'if (amount > 10) { ed.setMessage("big"); }\n')
TYPO_CASE = 'cases:\n  - name: big\n    input: {SaleEntity.Amout: "50", OurCurrency: NOK}\n    expect: {message: big}\n'


@pytest.fixture
def typo_tree(project: Path) -> Path:
    folder = project / "handlers" / "SalesBeforeSaveSale"
    (folder / "10-seen.crm").write_text(TYPO_HANDLER)
    (folder / "mine.cases.yaml").write_text(TYPO_CASE)
    return folder


def test_check_warns_about_a_literal_input_key_the_trigger_never_sends(typo_tree):
    result = invoke_cli("check", "handlers")
    assert result.exit_code == 0, result.stderr  # a warning never changes the exit status
    assert result.stderr.splitlines() == [
        "handlers/SalesBeforeSaveSale/10-seen.crm:2:35: warning: input key 'SaleEntity.Amout' is never sent by "
        "SalesBeforeSaveSale (did you mean 'SaleEntity.Amount'?)"]


def test_check_does_not_lint_include_files_or_unknown_triggers(project):
    (project / "handlers" / "lib").mkdir()
    (project / "handlers" / "lib" / "util.crm").write_text('String x = getEventData().getInputValue("nope");\n')
    (project / "handlers" / "MyOwnTrigger").mkdir()
    (project / "handlers" / "MyOwnTrigger" / "1.crm").write_text('String x = getEventData().getInputValue("nope");\n')
    result = invoke_cli("check", "handlers")
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr


def test_check_does_not_lint_an_include_through_the_functions_the_handler_calls(project):
    (project / "handlers" / "lib").mkdir()
    (project / "handlers" / "lib" / "read.crm").write_text(
        'String readIt() { return getEventData().getInputValue("NotAKey"); }\n')
    (project / "handlers" / "SalesBeforeSaveSale" / "10-calls.crm").write_text(
        '#include "read";\ngetEventData().setMessage(readIt());\n')
    result = invoke_cli("check", "handlers")
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr


def test_test_warns_about_case_inputs_the_trigger_never_sends(typo_tree):
    result = invoke_cli("test")
    assert result.exit_code == 0, result.output  # handler and case share the typo: the case passes
    assert ("handlers/SalesBeforeSaveSale/mine.cases.yaml:3:13: warning: input key 'SaleEntity.Amout' is never "
            "sent by SalesBeforeSaveSale (did you mean 'SaleEntity.Amount'?)") in result.stderr


def test_fire_names_the_key_it_probably_meant(project):
    result = invoke_cli("fire", input='{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"SaleEntity.Amout": "1"}}}')
    assert ("warning: input key 'SaleEntity.Amout' is never sent by SalesBeforeSaveSale "
            "(did you mean 'SaleEntity.Amount'?)") in result.stderr


# --- 6. printDebug, log and logMessage went nowhere ----------------------------------


LOGGING_HANDLER = ('printDebug("checking");\nlog("to the log");\nlogMessage("a message");\n'
                   'getEventData().setOutputValue("seen", "yes");\n')


@pytest.fixture
def logging_tree(project: Path) -> Path:
    (project / "handlers" / "SalesBeforeSaveSale" / "10-seen.crm").write_text(LOGGING_HANDLER)
    return project / "handlers"


def test_run_writes_the_log_on_stderr_not_stdout(logging_tree):
    result = invoke_cli("run", str(logging_tree / "SalesBeforeSaveSale" / "10-seen.crm"))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["printDebug: checking", "log: to the log", "logMessage: a message"]


def test_fire_trace_shows_what_each_handler_logged(logging_tree):
    result = invoke_cli("fire", "--trace", input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("trace: SalesBeforeSaveSale/10-seen.crm"))
    assert lines[start + 1:start + 4] == ["trace:   printDebug: checking", "trace:   log: to the log",
                                          "trace:   logMessage: a message"]


def test_test_shows_the_log_under_a_failing_case_and_in_its_trace(logging_tree):
    (logging_tree / "SalesBeforeSaveSale" / "mine.cases.yaml").write_text(
        "cases:\n  - name: mine\n    expect: {OutputValues: {seen: no}}\n")
    result = invoke_cli("test")
    assert result.exit_code == 1
    assert "logged by the handlers (printDebug, log, logMessage):" in result.stdout
    assert "| SalesBeforeSaveSale/10-seen.crm: printDebug: checking" in result.stdout
    traced = invoke_cli("test", "--trace")
    assert "logged: SalesBeforeSaveSale/10-seen.crm: logMessage: a message" in traced.stdout


def test_the_server_log_has_what_the_handlers_logged(logging_tree):
    import httpx

    from engine import Engine
    from engine.api import create_app
    from engine.api.server import serve_in_thread

    lines: list[str] = []
    api = create_app(Engine(Path("handlers"), load_entry_points=False), access_log=lines.append)
    with serve_in_thread(api) as url:
        httpx.post(f"{url}/api/v1/Agents/CustomerService/ExecuteEventHandlers",
                   json={"EventData": {"Type": "SalesBeforeSaveSale"}}, timeout=30)
    assert lines[0].startswith("POST /api/v1/Agents/CustomerService/ExecuteEventHandlers SalesBeforeSaveSale")
    assert lines[1:] == ["  SalesBeforeSaveSale/10-seen.crm: printDebug: checking",
                         "  SalesBeforeSaveSale/10-seen.crm: log: to the log",
                         "  SalesBeforeSaveSale/10-seen.crm: logMessage: a message"]


# --- 7. run --trace, run --handlers ---------------------------------------------------


def test_run_trace_shows_each_line_with_its_variables(tmp_path):
    script = tmp_path / "count.crm"
    script.write_text("Integer total = 0;\nfor (Integer i = 1; i <= 2; i++) {\n  total += i;\n}\nprint(total.toString());\n")
    result = invoke_cli("run", str(script), "--trace")
    assert result.exit_code == 0 and result.stdout == "3"
    assert "      1 Integer total = 0;   total = 0" in result.stderr
    assert "      3 total += i;   total = 3" in result.stderr


def test_run_handlers_finds_includes_in_the_trees_lib(boom_tree, tmp_path):
    script = tmp_path / "try.crm"  # outside the tree: no lib/ beside or above it
    script.write_text('#include "boom";\nprint(ratio(6, 3).toString());\n')
    assert invoke_cli("run", str(script)).exit_code == 1
    result = invoke_cli("run", str(script), "--handlers", str(boom_tree))
    assert result.exit_code == 0, result.output
    assert result.stdout == "2"
    assert "using handlers: ./handlers" in result.stderr  # cwd is the project


# --- 8. plugins without packaging ------------------------------------------------------




@pytest.fixture
def plugin_file(project: Path) -> Path:
    (project / "handlers" / "SalesBeforeSaveSale" / "10-seen.crm").write_text(SHOUT_HANDLER)
    path = project / "my_plugin.py"
    path.write_text(SHOUT_PLUGIN)
    return path


def test_fire_loads_a_plugin_file(plugin_file):
    result = invoke_cli("fire", "--plugin", "my_plugin.py", input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert result.exit_code == 0, result.output
    assert '"seen": "MINE!"' in result.stdout and '"Message": "FROM PLUGIN!"' in result.stdout


def test_check_run_and_events_take_plugin_files_too(plugin_file):
    handler = "handlers/SalesBeforeSaveSale/10-seen.crm"
    assert invoke_cli("check", handler).exit_code == 1  # shout is unknown without the plugin
    assert invoke_cli("check", "--plugin", "my_plugin.py", handler).exit_code == 0
    ran = invoke_cli("run", "--plugin", "my_plugin.py", "--event", "SalesBeforeSaveSale", handler)
    assert ran.exit_code == 0 and "seen = MINE!" in ran.stderr, ran.output
    listed = invoke_cli("events", "--scripts", "--json", "--plugin", "my_plugin.py")
    assert "SalesBeforeSaveSale/50-plugin.crm" in listed.stdout


def test_test_takes_plugin_files_from_the_command_line_and_the_case_file(plugin_file, project):
    cases = project / "handlers" / "SalesBeforeSaveSale" / "mine.cases.yaml"
    cases.write_text("cases:\n  - name: mine\n    expect: {OutputValues: {seen: MINE!}, message: FROM PLUGIN!}\n")
    assert invoke_cli("test").exit_code == 1  # without the plugin the handler does not compile
    assert invoke_cli("test", "--plugin", "my_plugin.py").exit_code == 0
    cases.write_text("plugins: [../../my_plugin.py]\n" + cases.read_text())
    result = invoke_cli("test")
    assert result.exit_code == 0, result.output


def test_serve_loads_plugin_files(plugin_file, monkeypatch):
    served = {}

    def fake_create_app(engine, **options):
        served["handlers"] = [handler.name for handler in engine.all_handlers()]

    monkeypatch.setattr("engine.api.app.create_app", fake_create_app)
    monkeypatch.setattr("uvicorn.run", lambda api, **options: None)
    monkeypatch.setattr("gc.freeze", lambda: None)
    monkeypatch.setattr("engine.cli.serve.configure_logging", lambda: None)
    assert invoke_cli("serve", "--plugin", "my_plugin.py").exit_code == 0
    assert "SalesBeforeSaveSale/50-plugin.crm" in served["handlers"]


@pytest.mark.parametrize("text, problem", [(None, "no such plugin file"),
                                            ("def broken(:\n", "line 1: "),
                                            ("raise RuntimeError('no database')\n", "RuntimeError: no database")])
def test_a_plugin_file_that_does_not_load_is_one_usage_error(project, text, problem):
    if text is not None:
        (project / "bad_plugin.py").write_text(text)
    result = invoke_cli("fire", "--plugin", "bad_plugin.py", input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert result.exit_code == 2
    assert result.stderr.startswith("crmscript fire: --plugin bad_plugin.py: plugin error: ")
    assert problem in result.stderr and "Traceback" not in result.stderr and result.stdout == ""


def test_a_case_files_missing_plugin_is_a_case_file_error(project):
    cases = project / "handlers" / "SalesBeforeSaveSale" / "mine.cases.yaml"
    cases.write_text("cases:\n  - name: mine\n    plugins: nope.py\n")
    result = invoke_cli("test")
    assert result.exit_code == 2
    assert "field plugins: no such plugin file: nope.py" in result.stderr


# --- 9. message quality ------------------------------------------------------------


def test_json_sent_as_curls_default_form_says_which_content_type_to_send(project):
    import httpx

    from engine import Engine
    from engine.api import create_app
    from engine.api.server import serve_in_thread

    with serve_in_thread(create_app(Engine(Path("handlers"), load_entry_points=False))) as url:
        answer = httpx.post(f"{url}/api/v1/Agents/CustomerService/ExecuteEventHandlers",
                            content=b'{"EventData": {"Type": "SalesBeforeSaveSale"}}',
                            headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert answer.status_code == 400
    error = answer.json()["Error"]
    assert "read as a form" in error and "it is JSON" in error
    assert "Content-Type: application/json" in error and "Field required" not in error


def test_a_misspelt_event_gets_a_did_you_mean(project):
    result = invoke_cli("run", "handlers/SalesBeforeSaveSale/10-seen.crm", "--event", "SalesBeforeSaveSales")
    assert "unknown event type 'SalesBeforeSaveSales' (did you mean SalesBeforeSaveSale?)" in result.stderr


def test_a_misspelt_type_folder_gets_a_did_you_mean(project):
    (project / "handlers" / "SalesBeforeSaveSale").rename(project / "handlers" / "SalesBeforSaveSale")
    result = invoke_cli("fire", input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert ("handlers for 'SalesBeforSaveSale', which is not an event type of the catalog "
            "(did you mean SalesBeforeSaveSale?)") in result.stderr


def test_the_serve_banner_reads_cleanly(project, monkeypatch):
    monkeypatch.setattr("uvicorn.run", lambda api, **options: None)
    monkeypatch.setattr("gc.freeze", lambda: None)
    monkeypatch.setattr("engine.cli.serve.configure_logging", lambda: None)
    result = invoke_cli("serve")
    assert result.stderr.splitlines()[-2:] == [
        "using handlers: ./handlers",
        "crmscript serve: http://127.0.0.1:8000/docs; reload on, auth open"]


def test_the_events_table_caption_is_whole():
    result = invoke_cli("events")
    assert result.stdout.rstrip().splitlines()[-1].strip() == (
        "crmscript events NAME shows one type's input keys (n+: also free-form keys)")


def test_one_broken_case_file_does_not_stop_the_others(project):
    folder = project / "handlers" / "SalesBeforeSaveSale"
    (folder / "mine.cases.yaml").write_text(
        "cases:\n  - name: mine\n    input: {SaleEntity.Heading: x}\n    expect: {OutputValues: {seen: x}}\n")
    (folder / "broken.cases.yaml").write_text("cases:\n  - name: a\n    expect: {blok: true}\n")
    result = invoke_cli("test")
    assert result.exit_code == 2, result.output
    assert "1 passed" in result.stdout
    lines = result.stderr.splitlines()
    assert lines[0].startswith("handlers/SalesBeforeSaveSale/broken.cases.yaml:3:1: case file error: ")
    assert lines[-1] == ("crmscript test: 1 case file(s) not run, see above: "
                         "handlers/SalesBeforeSaveSale/broken.cases.yaml")


# ------------------------ regressions found by review (was: tests/test_cli_qa.py)


def own_project_without_a_repository_tree(seen_tree, monkeypatch):
    """An installed package (no repository handlers/) and a project whose
    handlers/ holds one case of its own; returns the project folder."""
    monkeypatch.setattr("engine.cli.common.DEFAULT_HANDLERS", seen_tree.parent / "no-repository-tree")
    project = seen_tree.parent
    seen_tree.rename(project / "handlers")
    write_cases(project / "handlers", "cases:\n  - name: mine\n    input: {who: me}\n"
                                      "    expect: {OutputValues: {seen: me}}\n")
    return project


@pytest.mark.parametrize("command", [["fire"], ["events", "--scripts"]])
def test_missing_handlers_option_is_a_usage_error(tmp_path, command):
    request = tmp_path / "request.json"
    request.write_text('{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    args = [*command, "--handlers", str(tmp_path / "typo")] + ([str(request)] if command == ["fire"] else [])
    assert_one_clean_line(invoke_cli(*args), "--handlers: no such folder", "typo")


@pytest.mark.parametrize("command, usage", [
    ("run", "{FILE}"), ("check", "[PATH]..."), ("fire", "[REQUEST.json]"),
    ("test", "[PATH]..."), ("replay", "{EVENTS}..."),
])
def test_usage_line_names_the_arguments_in_capitals(command, usage):
    result = invoke_cli(command, "--help")
    assert usage in result.output, result.output


def test_default_tree_is_the_current_folders_handlers_else_the_repositorys(seen_tree, monkeypatch):
    # docs/handlers.md: ./handlers when the current folder has one, else the repository's handlers/.
    from engine.cli.common import DEFAULT_HANDLERS, resolve_handlers_dir

    project = seen_tree.parent
    monkeypatch.chdir(project)
    assert resolve_handlers_dir(None) == DEFAULT_HANDLERS
    seen_tree.rename(project / "handlers")
    assert resolve_handlers_dir(None) == Path("handlers")


def test_without_a_repository_tree_the_default_is_the_current_projects(seen_tree, monkeypatch):
    # An installed package has no handlers/ of its own: then the nearest one is used.
    project = own_project_without_a_repository_tree(seen_tree, monkeypatch)
    monkeypatch.chdir(project)
    result = invoke_cli("test")
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output  # only this project's case, not the repository's examples
    fired = CliRunner().invoke(app, ["fire"], input='{"EventData": {"Type": "SalesBeforeSaveSale", '
                                                  '"InputValues": {"who": "me"}}}')
    assert '"seen": "me"' in fired.stdout


def test_from_inside_a_type_folder_the_default_tree_is_used_and_named(seen_tree, monkeypatch):
    # docs/handlers.md looks for ./handlers only; the tree in use is named, so a
    # user standing in handlers/<EventType>/ sees which one ran.
    project = own_project_without_a_repository_tree(seen_tree, monkeypatch)
    monkeypatch.chdir(project / "handlers" / "SalesBeforeSaveSale")
    result = CliRunner().invoke(app, ["fire"], input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert "using handlers: " + str(project / "no-repository-tree") + " (the default: no ./handlers" in result.stderr


def test_usage_errors_are_plain_text_when_piped(seen_tree):
    # Was a rich box (╭─ Error ─╮) in CI logs and `2>&1 | grep` too.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from engine.cli import main; main()", "run",
                           str(seen_tree / "SalesBeforeSaveSale" / "10-seen.crm"), "--input", "who"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Error: Invalid value for --input: 'who' is not KEY=VALUE" in done.stderr
    assert "╭" not in done.stderr and "\x1b[" not in done.stderr
