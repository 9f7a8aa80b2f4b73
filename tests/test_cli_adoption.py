"""A new user's first day with the CLI (issue 10): their own project, their
own handlers and cases, every command. One test (or a few) per defect; each
failed before its fix. Handlers and cases are made up here.
"""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app

SEEN = 'EventData ed = getEventData();\ned.setOutputValue("seen", ed.getInputValue("SaleEntity.Heading"));\n'
FAILING_CASE = ("cases:\n  - name: mine fails\n    input: {SaleEntity.Heading: me}\n"
                "    expect: {OutputValues: {seen: somebody else}}\n")


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input)


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
    result = invoke("test")
    assert result.exit_code == 1, result.output
    assert "1 failed" in result.output and "passed" not in result.output  # not the repository's 26 cases
    assert "using handlers: ./handlers\n" in result.stderr


def test_fire_in_a_project_runs_its_own_handlers_and_names_them(project):
    result = invoke("fire", input='{"EventData": {"Type": "SalesBeforeSaveSale", '
                                  '"InputValues": {"SaleEntity.Heading": "mine"}}}')
    assert result.exit_code == 0, result.output
    assert '"seen": "mine"' in result.stdout
    assert result.stderr.startswith("using handlers: ./handlers\n")


def test_events_scripts_in_a_project_lists_its_own_handlers(project):
    result = invoke("events", "--scripts", "--json")
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
    result = invoke("serve")
    assert result.exit_code == 0, result.output
    assert served["tree"] == Path("handlers")
    assert "using handlers: ./handlers" in result.stderr


def test_outside_a_project_the_default_tree_is_named_as_the_default(tmp_path, monkeypatch):
    from engine.cli.common import DEFAULT_HANDLERS

    monkeypatch.chdir(tmp_path)
    result = invoke("fire", input='{"EventData": {"Type": "TicketSave"}}')
    assert f"using handlers: {DEFAULT_HANDLERS} (the default: no ./handlers in this folder)" in result.stderr
