"""`--record-http FILE`: real requests to a server the test starts on 127.0.0.1,
written as fixture entries; replayed with the server stopped, the EventData is the same."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from engine.cli import app


class _Erp(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        length = int(self.headers.get("Content-Length", 0))
        order = json.loads(self.rfile.read(length) or b"{}")
        self._answer(201, {"orderNo": f"O-{order.get('sale')}", "token": self.headers.get("Authorization", "")[-4:]})

    def do_GET(self) -> None:  # noqa: N802
        if self.path.startswith("/missing"):
            self._answer(404, {"error": "no such thing"})
        else:
            self._answer(200, {"path": self.path})

    def _answer(self, status: int, data: dict) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", "session=secret")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    erp = ThreadingHTTPServer(("127.0.0.1", 0), _Erp)
    thread = threading.Thread(target=erp.serve_forever, daemon=True)
    thread.start()
    yield erp
    erp.shutdown()
    erp.server_close()


HANDLER = """\
EventData ed = getEventData();
HTTP h;
h.addHeader("Authorization", "Bearer s3cr3t-abcd");
h.addHeader("Content-Type", "application/json");
h.setOption("parameters", " {\\"sale\\": " + ed.getInputValue("SaleEntity.SaleId") + "}");
ed.setOutputValue("order", String(h.post("BASE/orders")));
ed.setOutputValue("status", h.getValue("statusCode"));
HTTP g;
g.setValue("q", "a b");
ed.setOutputValue("found", String(g.get("BASE/find")));
HTTP m;
m.get("BASE/missing");
ed.setOutputValue("missing", m.getValue("statusCode") + " " + m.getErrorMessage());
"""


def test_record_then_replay_with_the_server_stopped(server, tmp_path: Path):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    tree = tmp_path / "handlers"
    (tree / "SalesAfterSaveSale").mkdir(parents=True)
    (tree / "SalesAfterSaveSale" / "10-order.crm").write_text(HANDLER.replace("BASE", base))
    (tmp_path / "crm.yaml").write_text("now: '2026-05-04T10:00:00'\n")
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"EventData": {"Type": "SalesAfterSaveSale", "InputValues": {"SaleEntity.SaleId": "7"}}}))
    recorded = tmp_path / "recorded.yaml"

    runner = CliRunner()
    first = runner.invoke(app, ["fire", str(request), "--handlers", str(tree), "--fixture", str(tmp_path / "crm.yaml"),
                                "--record-http", str(recorded)])
    assert first.exit_code == 0, first.output
    live = json.loads(first.stdout)
    assert live["OutputValues"]["order"] == '{"orderNo": "O-7", "token": "abcd"}'
    assert live["OutputValues"]["found"] == '{"path": "/find?q=a+b"}'
    assert live["OutputValues"]["missing"].startswith("404 The requested URL returned error: 404")

    text = recorded.read_text()
    assert "s3cr3t" not in text and "session=secret" not in text  # secrets are masked
    entries = yaml.safe_load(text)["http"]
    assert [(e["request"]["method"], e["response"]["status"]) for e in entries] == [("POST", 201), ("GET", 200), ("GET", 404)]
    assert entries[0]["request"]["headers"]["Authorization"] == "***"
    assert entries[1]["request"]["query"] == {"q": "a b"}

    server.shutdown()
    server.server_close()
    replay = runner.invoke(app, ["fire", str(request), "--handlers", str(tree), "--fixture", str(recorded)])
    assert replay.exit_code == 0, replay.output
    assert json.loads(replay.stdout) == live


def test_record_http_on_run_and_test(server, tmp_path: Path):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    script = tmp_path / "a.crm"
    script.write_text(f'HTTP h; print(String(h.get("{base}/x")));\n')
    recorded = tmp_path / "run.yaml"
    result = CliRunner().invoke(app, ["run", str(script), "--record-http", str(recorded)])
    assert result.exit_code == 0 and result.stdout == '{"path": "/x"}'
    assert yaml.safe_load(recorded.read_text())["http"][0]["request"] == {"method": "GET", "url": f"{base}/x"}

    tree = tmp_path / "handlers" / "SalesAfterSaveSale"
    tree.mkdir(parents=True)
    (tree / "10-a.crm").write_text(f'HTTP h; getEventData().setOutputValue("x", String(h.get("{base}/y")));\n')
    (tree / "a.cases.yaml").write_text('cases:\n  - name: live\n    expect: {OutputValues: {x: \'{"path": "/y"}\'}}\n')
    recorded = tmp_path / "test.yaml"
    result = CliRunner().invoke(app, ["test", str(tree), "--record-http", str(recorded)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(recorded.read_text())["http"][0]["response"]["body"] == '{"path": "/y"}'


def test_a_recording_that_cannot_be_written_is_exit_2(tmp_path: Path):
    script = tmp_path / "a.crm"
    script.write_text('print("x");\n')
    result = CliRunner().invoke(app, ["run", str(script), "--record-http", str(tmp_path / "no" / "such" / "dir.yaml")])
    assert result.exit_code == 2
    assert "crmscript run: --record-http: cannot write" in result.output
