"""The pytest plugin: case files become pytest items; other YAML files are left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_entry_point_is_declared():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["pytest11"]["crmscript"] == "engine.testing.pytest_plugin"


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    # Load the plugin explicitly (and nothing else) so the test does not
    # depend on how the package was installed into this environment.
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", COLUMNS="250")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "engine.testing.pytest_plugin", "-p", "no:cacheprovider",
         "-q", "-rA", "--rootdir", str(folder), str(folder), *args],
        capture_output=True, text=True, env=env, cwd=folder, timeout=120,
    )


def test_plain_pytest_collects_case_files_only(tmp_path):
    handlers = tmp_path / "handlers" / "SalesBeforeSaveSale"
    handlers.mkdir(parents=True)
    (handlers / "10-limit.crm").write_text(textwrap.dedent("""\
        if (getEventData().getInputValue("amount").toInteger() > 1000)
          getEventData().setMessage("Too big");
    """), encoding="utf-8")
    (handlers / "limit.cases.yaml").write_text(textwrap.dedent("""\
        cases:
          - name: small
            input: {amount: 10}
            expect: {message: ""}
          - name: big ${amount}
            params: [{amount: 2000}, {amount: 3000}]
            input: {amount: "${amount}"}
            expect: {message: "Amount too large"}
          - name: later
            skip: waiting for the spec
    """), encoding="utf-8")
    # YAML that is not a case file must never be collected (it is not even valid YAML).
    (tmp_path / "settings.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    (tmp_path / "handlers" / "notes.yml").write_text("cases: nonsense\n", encoding="utf-8")

    result = run_pytest(tmp_path)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "2 failed, 1 passed, 1 skipped" in out
    assert "PASSED handlers/SalesBeforeSaveSale/limit.cases.yaml::small" in out
    assert 'FAILED handlers/SalesBeforeSaveSale/limit.cases.yaml::big 2000 - Message: expected "Amount too large"' in out
    assert '- expected: "Amount too large"' in out and '+ actual:   "Too big"' in out
    assert "settings.yaml" not in out and "notes.yml" not in out

    lcov = tmp_path / "cov.info"
    only = run_pytest(tmp_path, "-k", "small", "--crmscript-lcov", str(lcov))
    assert only.returncode == 0 and "1 passed" in only.stdout
    assert "SalesBeforeSaveSale/10-limit.crm" in only.stdout and "50.0%" in only.stdout  # the `if` ran, its body not
    assert "DA:1,1" in lcov.read_text() and "DA:2,0" in lcov.read_text()


def test_a_broken_case_file_is_a_collection_error_naming_the_field(tmp_path):
    folder = tmp_path / "handlers" / "TicketSave"
    folder.mkdir(parents=True)
    (folder / "x.cases.yaml").write_text("cases:\n  - name: a\n    expect: {blok: true}\n", encoding="utf-8")
    result = run_pytest(tmp_path)
    assert result.returncode == 2, result.stdout
    assert "x.cases.yaml:3:1: case file error: case 'a': field expect.blok" in result.stdout
