"""The VS Code extension's own client (editors/vscode/extension.js) against
a real `crmscript lsp`: Node runs the extension with a stand-in for the VS
Code API (editors/vscode/test/fake-vscode.js), opens a handler, edits it,
and asks each feature through the providers VS Code would call."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_harness import REPO, SERVER_COMMAND, WAIT_SECONDS

NODE = shutil.which("node")
SESSION = REPO / "editors" / "vscode" / "test" / "session.js"


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_the_vscode_extension_drives_the_server(tmp_path):
    handler = tmp_path / "handlers" / "SalesBeforeSaveSale" / "10-count.crm"
    handler.parent.mkdir(parents=True)
    handler.write_text('Integer count = 1;\nprintLine(count.toString());\nEventData ed = getEventData();\n'
                       'ed.setOutputValue("k", "v");\n', encoding="utf-8")
    environment = {**os.environ, "CRMSCRIPT_COMMAND": sys.executable, "CRMSCRIPT_ARGS": json.dumps(SERVER_COMMAND[1:])}
    result = subprocess.run([NODE, str(SESSION), str(handler)], cwd=str(REPO), env=environment,
                            capture_output=True, text=True, timeout=WAIT_SECONDS * 2)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["opened"] == []
    error = 0  # vscode.DiagnosticSeverity.Error
    assert seen["changed"] == [[[0, 16, 0, 19], "a String cannot be assigned to the Integer variable 'count'", error]]
    assert seen["hover"] == ["```crmscript\nInteger count\n```\n\nglobal variable", [1, 10, 1, 15]]
    assert "getInputValue" in seen["completion"] and "setOutputValue" in seen["completion"]
    assert seen["resolved"].startswith("```crmscript\nString EventData.getInputValue(String field)\n```")
    assert seen["signature"] == [["Void EventData.setOutputValue(String name, String value)"], 0]
    assert seen["definition"] == [[0, 8, 0, 13]]
    assert seen["references"] == [[0, 8, 0, 13], [1, 10, 1, 15]]
    assert seen["symbols"] == [["count", 12], ["ed", 12]]  # vscode.SymbolKind.Variable
    assert seen["prepare"] == [0, 8, 0, 13]
    assert seen["rename"] == [[[0, 8, 0, 13], "total"], [[1, 10, 1, 15], "total"]]
    assert Path(handler).read_text(encoding="utf-8").startswith("Integer count")  # the server never writes files
