"""Problems a new handler author met with the CLI and the case files (QA pass).

One test per problem found; each failed before its fix. The scripts and case
files are made up here.
"""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app

HANDLER = 'EventData ed = getEventData();\ned.setOutputValue("seen", ed.getInputValue("who"));\n'


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / "SalesBeforeSaveSale").mkdir(parents=True)
    (root / "SalesBeforeSaveSale" / "10-seen.crm").write_text(HANDLER)
    return root


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def write_cases(tree: Path, text: str) -> Path:
    path = tree / "SalesBeforeSaveSale" / "seen.cases.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def assert_one_clean_line(result, *fragments: str) -> None:
    """A usage error: exit 2, one line on stderr, no traceback, no `:0:0`."""
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message, message
    assert ":0:0" not in message, message
    for fragment in fragments:
        assert fragment in message, message


# --- error lines without a position printed a meaningless `:0:0` ----------


def test_missing_test_path_has_no_zero_position(tmp_path):
    assert_one_clean_line(invoke("test", str(tmp_path / "nope")), "no such file or folder", "nope")


def test_bad_k_expression_does_not_name_a_script(tree):
    result = invoke("test", str(tree), "-k", "(")
    assert_one_clean_line(result, "-k '('")
    assert "<script>" not in result.stderr


def test_fire_unreadable_request_has_no_zero_position(tmp_path):
    assert_one_clean_line(invoke("fire", str(tmp_path / "missing.json")), "missing.json: ", "cannot read request")


# --- a --handlers the user typed that does not exist ----------------------


@pytest.mark.parametrize("command", [["fire"], ["events", "--scripts"]])
def test_missing_handlers_option_is_a_usage_error(tmp_path, command):
    request = tmp_path / "request.json"
    request.write_text('{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    args = [*command, "--handlers", str(tmp_path / "typo")] + ([str(request)] if command == ["fire"] else [])
    assert_one_clean_line(invoke(*args), "--handlers: no such folder", "typo")


# --- case files ------------------------------------------------------------


def test_duplicate_key_in_a_case_file_is_an_error_at_its_line(tree):
    path = write_cases(tree, "cases:\n  - name: a\n    input: {who: ann, who: bob}\n")
    assert_one_clean_line(invoke("test", str(path)), f"{path}:3:", "'who' is written twice")


def test_non_utf8_case_file_names_line_and_column(tree):
    path = write_cases(tree, b"cases:\n  - name: a\n    input: {who: \"\xe6\"}\n")
    result = invoke("test", str(path))
    assert_one_clean_line(result, f"{path}:3:19:", "not UTF-8")
    assert "codec" not in result.stderr


@pytest.mark.parametrize("text, line, field, suggestion", [
    ("cases:\n  - name: a\n    inptu: {who: x}\n", 3, "field inptu", "did you mean input?"),
    ("cases:\n  - name: a\n    expect:\n      mesage: x\n", 4, "field expect.mesage", "did you mean message?"),
    ("case:\n  - name: a\n", 1, "field case:", "did you mean cases?"),
])
def test_misspelt_field_is_named_with_a_suggestion(tree, text, line, field, suggestion):
    path = write_cases(tree, text)
    assert_one_clean_line(invoke("test", str(path)), f"{path}:{line}:", field, suggestion)


@pytest.mark.parametrize("header, wanted", [
    ("event: SalesBeforeSaveSael\n", "did you mean SalesBeforeSaveSale?"),
    ("event: NoSuchTrigger\n", "unknown event type 'NoSuchTrigger'"),
])
def test_unknown_event_type_in_a_case_is_an_error_not_a_silent_pass(tree, header, wanted):
    path = write_cases(tree, header + "cases:\n  - name: nothing expected\n")
    assert_one_clean_line(invoke("test", str(path)), str(path), "field event", wanted)


def test_event_type_of_a_tree_folder_outside_the_catalog_still_runs(tree):
    (tree / "MyCustomTrigger").mkdir()
    (tree / "MyCustomTrigger" / "10-seen.crm").write_text(HANDLER)
    path = write_cases(tree, "event: MyCustomTrigger\ncases:\n  - name: a\n    input: {who: ann}\n"
                             "    expect: {OutputValues: {seen: ann}}\n")
    result = invoke("test", str(path))
    assert result.exit_code == 0, result.output


# --- run / check: files that are not scripts --------------------------------


def test_run_on_a_folder_says_so(tree):
    assert_one_clean_line(invoke("run", str(tree)), "is a folder, not a script file")


def test_run_non_utf8_script_names_line_and_column_not_the_codec(tmp_path):
    script = tmp_path / "latin.crm"
    script.write_bytes(b'printLine("ok");\nprint("\xe6");\n')
    result = invoke("run", str(script))
    assert_one_clean_line(result, "latin.crm", "not UTF-8 text (line 2, column 8)")
    assert "codec" not in result.stderr and "Errno" not in result.stderr


def test_check_non_utf8_script_points_at_the_byte(tmp_path):
    script = tmp_path / "latin.crm"
    script.write_bytes(b'Integer a = 1;\nString s = "\xe6";\n')
    result = invoke("check", str(script))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{script}:2:13: error: the file is not UTF-8 text (save it as UTF-8)"


def test_an_include_that_is_not_utf8_is_reported_at_its_bad_byte_not_at_1_1(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "latin.crm").write_bytes(b'Integer a = 1;\nString s = "\xe6";\n')
    (tmp_path / "TicketSave").mkdir()
    (tmp_path / "TicketSave" / "x.crm").write_text('#include "latin";\n')
    result = invoke("check", str(tmp_path / "TicketSave" / "x.crm"))
    assert result.exit_code == 1
    assert "latin.crm:2:13: error: the file is not UTF-8 text (save it as UTF-8)" in result.stderr, result.stderr


def test_a_byte_order_mark_does_not_shift_the_column_of_a_bad_byte(tmp_path):
    script = tmp_path / "bom.crm"
    script.write_bytes(b'\xef\xbb\xbfString s = "\xe6";\n')
    result = invoke("check", str(script))
    assert result.stderr.strip() == f"{script}:1:13: error: the file is not UTF-8 text (save it as UTF-8)"


def test_check_a_folder_without_scripts_is_a_usage_error_not_a_clean_pass(tmp_path):
    (tmp_path / "notes.txt").write_text("not a script")
    assert_one_clean_line(invoke("check", str(tmp_path)), "no CRMScript files")


@pytest.mark.parametrize("command, usage", [
    ("run", "{FILE}"), ("check", "[PATH]..."), ("fire", "[REQUEST.json]"),
    ("test", "[PATH]..."), ("replay", "{EVENTS}..."),
])
def test_usage_line_names_the_arguments_in_capitals(command, usage):
    result = invoke(command, "--help")
    assert usage in result.output, result.output


# --- -k and the failure report ------------------------------------------------


def test_k_with_two_words_in_a_row_says_how_to_join_them(tree):
    write_cases(tree, "cases:\n  - name: big sale\n")
    assert_one_clean_line(invoke("test", str(tree), "-k", "big sale"), "join words with and/or: -k 'big and sale'")
    assert invoke("test", str(tree), "-k", "big and sale").exit_code == 0


def test_unexpected_exception_label_has_no_nested_parentheses(tree):
    (tree / "SalesBeforeSaveSale" / "20-fails.crm").write_text('throw "no";\n')
    write_cases(tree, "cases:\n  - name: a\n")
    result = invoke("test", str(tree))
    assert result.exit_code == 1
    assert "(a handler failed; add `exception:` to expect it)" in result.output, result.output


# --- the default tree -----------------------------------------------------------


def test_default_tree_is_the_current_folders_handlers_else_the_repositorys(tree, monkeypatch):
    # docs/handlers.md: ./handlers when the current folder has one, else the repository's handlers/.
    from engine.cli.common import DEFAULT_HANDLERS, resolve_handlers_dir

    project = tree.parent
    monkeypatch.chdir(project)
    assert resolve_handlers_dir(None) == DEFAULT_HANDLERS
    tree.rename(project / "handlers")
    assert resolve_handlers_dir(None) == Path("handlers")


def own_project_without_a_repository_tree(tree, monkeypatch):
    """An installed package (no repository handlers/) and a project whose
    handlers/ holds one case of its own; returns the project folder."""
    monkeypatch.setattr("engine.cli.common.DEFAULT_HANDLERS", tree.parent / "no-repository-tree")
    project = tree.parent
    tree.rename(project / "handlers")
    write_cases(project / "handlers", "cases:\n  - name: mine\n    input: {who: me}\n"
                                      "    expect: {OutputValues: {seen: me}}\n")
    return project


def test_without_a_repository_tree_the_default_is_the_current_projects(tree, monkeypatch):
    # An installed package has no handlers/ of its own: then the nearest one is used.
    project = own_project_without_a_repository_tree(tree, monkeypatch)
    monkeypatch.chdir(project)
    result = invoke("test")
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output  # only this project's case, not the repository's examples
    fired = CliRunner().invoke(app, ["fire"], input='{"EventData": {"Type": "SalesBeforeSaveSale", '
                                                  '"InputValues": {"who": "me"}}}')
    assert '"seen": "me"' in fired.stdout


# --- replay ----------------------------------------------------------------------


@pytest.mark.parametrize("workers", ["1", "2"])
def test_replay_non_utf8_line_is_one_bad_line_not_the_end_of_the_run(tree, tmp_path, workers):
    events = tmp_path / "events.jsonl"
    good = b'{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"who": "ann"}}}\n'
    events.write_bytes(good + b'{"EventData": {"Type": "\xff"}}\n' + good)
    result = invoke("replay", str(events), "--handlers", str(tree), "--workers", workers)
    assert result.exit_code == 1
    responses = result.stdout.splitlines()
    assert len(responses) == 3 and '"Line": 2' in responses[1] and '"seen": "ann"' in responses[2]
    assert f"{events}:2: bad request: request body is not UTF-8 text" in result.stderr


def test_output_and_state_values_take_patterns_like_message(tree):
    path = write_cases(tree, "cases:\n  - name: pattern matches\n    input: {who: ann-42}\n"
                             "    expect: {OutputValues: {seen: '/^ann-\\d+$/'}}\n"
                             "  - name: pattern differs\n    input: {who: bob}\n"
                             "    expect: {OutputValues: {seen: '/^ann/'}}\n")
    result = invoke("test", str(path))
    assert result.exit_code == 1
    assert "1 passed, 1 failed" in result.output, result.output
    assert "- expected: /^ann/" in result.output
    bad = write_cases(tree, "cases:\n  - name: a\n    expect: {StateValues: {s: '/(/'}}\n")
    assert_one_clean_line(invoke("test", str(bad)), "field expect.StateValues: bad regular expression /(/")


def test_unknown_time_zone_in_case_settings_is_a_case_file_error(tree):
    path = write_cases(tree, "cases:\n  - name: a\n    settings: {timezone: Europe/Olso}\n")
    assert_one_clean_line(invoke("test", str(path)), f"{path}:3:", "field settings.timezone",
                          "'Europe/Olso' is not a known time zone")
    write_cases(tree, "cases:\n  - name: a\n    settings: {timezone: Europe/Oslo}\n")
    assert invoke("test", str(path)).exit_code == 0


# --- events -------------------------------------------------------------------------


def test_events_shows_the_input_keys_of_one_trigger():
    import json

    result = invoke("events", "SalesBeforeSaveSale")
    assert result.exit_code == 0, result.output
    assert "id 1008" in result.stdout and "\n  SaleEntity.Amount\n" in result.stdout
    keys = json.loads(invoke("events", "SalesBeforeSaveSale", "--json").stdout)["input_keys"]
    assert "SaleEntity.Amount" in keys
    assert_one_clean_line(invoke("events", "SalesBeforeSaveSael"), "did you mean SalesBeforeSaveSale?")


# --- handlers that do not compile ---------------------------------------------------


def test_non_utf8_handler_is_named_at_the_bad_byte(tree):
    (tree / "SalesBeforeSaveSale" / "20-latin.crm").write_bytes(b'Integer a = 1;\nprint("\xe6");\n')
    result = CliRunner().invoke(app, ["fire", "--handlers", str(tree)],
                                input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert result.exit_code == 1
    assert '"Exception": "SalesBeforeSaveSale/20-latin.crm:2:8: error: handler file is not UTF-8 text' in result.stdout


@pytest.mark.parametrize("broken", [b"Integer x = ;\n", b'print("\xe6");\n'])
def test_coverage_of_a_handler_that_does_not_parse_is_zero_not_a_hundred(tree, tmp_path, broken):
    (tree / "SalesBeforeSaveSale" / "05-broken.crm").write_bytes(broken)
    write_cases(tree, "cases:\n  - name: a\n    expect: {exception: /05-broken/}\n")
    lcov = tmp_path / "cov.info"
    result = invoke("test", str(tree), "--coverage", "--coverage-lcov", str(lcov))
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "05-broken.crm" in line)
    assert "0.0%" in row and "does not compile" in row and "100.0%" not in row
    total = next(line for line in result.stdout.splitlines() if "total" in line)
    assert "100.0%" not in total
    assert "SF:" + str(tree / "SalesBeforeSaveSale" / "05-broken.crm") + "\nDA:1,0\n" in lcov.read_text()


def test_fire_without_a_request_at_a_terminal_says_what_to_give_instead_of_waiting(monkeypatch):
    import io
    import sys

    from engine.cli.common import describe
    from engine.cli.fire import _read_request
    from engine.errors import CRMScriptError

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(CRMScriptError) as caught:
        _read_request(None)
    assert describe(caught.value).startswith("crmscript fire: error: no request: give a REQUEST.json file")


def test_check_with_a_glob_skips_the_case_files_beside_the_handlers(tree):
    cases = write_cases(tree, "cases:\n  - name: a\n")
    handler = tree / "SalesBeforeSaveSale" / "10-seen.crm"
    result = invoke("check", str(handler), str(cases))
    assert result.exit_code == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if ": warning: input key 'who'" not in line]
    assert problems == [f"crmscript check: {cases}: skipped, a case file (crmscript test runs it)"]


def test_unwritable_coverage_file_is_one_plain_line(tree, tmp_path):
    write_cases(tree, "cases:\n  - name: a\n")
    target = tmp_path / "missing-folder" / ("x" * 80) / "cov.info"  # longer than a terminal line
    result = invoke("test", str(tree), "--coverage-lcov", str(target))
    assert result.exit_code == 2
    using, *last = result.stderr.strip().splitlines()
    assert using.startswith("using handlers: ")
    assert last == [f"crmscript test: cannot write {target}: No such file or directory"], last


def test_a_type_folder_outside_the_catalog_is_warned_about_by_crmscript_test(tree):
    typo = tree / "SalesBeforSaveSale"
    typo.mkdir()
    (typo / "10-seen.crm").write_text(HANDLER)
    (typo / "a.cases.yaml").write_text("cases:\n  - name: a\n    input: {who: x}\n    expect: {OutputValues: {seen: x}}\n")
    result = invoke("test", str(typo))
    assert result.exit_code == 0, result.output  # a warning, not a failure
    assert "handlers for 'SalesBeforSaveSale', which is not an event type of the catalog" in result.stderr


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


def test_printed_differing_only_in_the_final_newline_is_explained(tree):
    (tree / "SalesBeforeSaveSale" / "20-print.crm").write_text('printLine("hello");\nprintLine("world");\n')
    write_cases(tree, 'cases:\n  - name: a\n    expect: {printed: "hello\\nworld"}\n')
    result = invoke("test", str(tree))
    assert result.exit_code == 1
    assert "only the line endings differ" in result.output, result.output
    assert '+ actual:   "hello\\nworld\\n"' in result.output


def test_a_case_file_in_lib_needs_an_event_type(tree):
    (tree / "lib").mkdir()
    path = tree / "lib" / "x.cases.yaml"
    path.write_text("cases:\n  - name: a\n")
    assert_one_clean_line(invoke("test", str(path)), "lib/ holds include scripts", "event: <EventType>")
    path.write_text("event: SalesBeforeSaveSale\ncases:\n  - name: a\n")
    assert invoke("test", str(path)).exit_code == 0


def test_from_inside_a_type_folder_the_default_tree_is_used_and_named(tree, monkeypatch):
    # docs/handlers.md looks for ./handlers only; the tree in use is named, so a
    # user standing in handlers/<EventType>/ sees which one ran.
    project = own_project_without_a_repository_tree(tree, monkeypatch)
    monkeypatch.chdir(project / "handlers" / "SalesBeforeSaveSale")
    result = CliRunner().invoke(app, ["fire"], input='{"EventData": {"Type": "SalesBeforeSaveSale"}}')
    assert "using handlers: " + str(project / "no-repository-tree") + " (the default: no ./handlers" in result.stderr


def test_run_as_a_handler_warns_about_input_keys_the_trigger_never_sends(tree):
    handler = tree / "SalesBeforeSaveSale" / "10-seen.crm"
    result = invoke("run", str(handler), "--event", "SalesBeforeSaveSale",
                    "--input", "who=x", "--input", "SaleEntity.Amount=5")
    assert result.exit_code == 0
    assert "warning: input key 'who' is never sent by SalesBeforeSaveSale" in result.stderr
    assert "SaleEntity.Amount" not in result.stderr.split("event SalesBeforeSaveSale:")[0]


def test_event_type_check_uses_the_handlers_option_tree(tree, tmp_path):
    other = tmp_path / "other"
    (other / "MyCustomTrigger").mkdir(parents=True)
    (other / "MyCustomTrigger" / "10-seen.crm").write_text(HANDLER)
    path = write_cases(tree, "event: MyCustomTrigger\ncases:\n  - name: a\n    input: {who: me}\n"
                             "    expect: {OutputValues: {seen: me}}\n")
    assert invoke("test", str(path)).exit_code == 2  # not a type of its own tree
    result = invoke("test", str(path), "--handlers", str(other))
    assert result.exit_code == 0, result.output


def test_only_accepts_the_handler_name_as_traces_show_it(tree):
    (tree / "SalesBeforeSaveSale" / "20-other.crm").write_text('getEventData().setMessage("other ran");\n')
    path = write_cases(tree, "cases:\n  - name: a\n    only: SalesBeforeSaveSale/10-seen.crm\n    input: {who: x}\n"
                             "    expect: {OutputValues: {seen: x}, message: ''}\n")
    result = invoke("test", str(path))
    assert result.exit_code == 0, result.output


def test_usage_errors_are_plain_text_when_piped(tree):
    # Was a rich box (╭─ Error ─╮) in CI logs and `2>&1 | grep` too.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from engine.cli import main; main()", "run",
                           str(tree / "SalesBeforeSaveSale" / "10-seen.crm"), "--input", "who"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Error: Invalid value for --input: 'who' is not KEY=VALUE" in done.stderr
    assert "╭" not in done.stderr and "\x1b[" not in done.stderr
