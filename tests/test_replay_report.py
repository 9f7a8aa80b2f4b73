"""`crmscript replay --report`: a self-contained page, checked in a real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app

CHECK = """\
EventData ed = getEventData();
Integer amount = ed.getInputValue("amount").toInteger();
if (amount < 0)
  ed.setBlockExecution(true);
"""
CHECK_V2 = CHECK + 'if (amount > 50) {\n  ed.setBlockExecution(true);\n  ed.setMessage("<b>over 50</b>");\n}\n'
NOTE = 'EventData ed = getEventData();\ned.setOutputValue("note", "<b>" + ed.getInputValue("amount") + "</b>");\n'


def make_tree(root: Path, check: str) -> Path:
    for name, source in (("10-check.crm", check), ("20-note.crm", NOTE)):
        folder = root / "SalesBeforeSaveSale"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, str]:
    """A report of a run against a baseline where amounts over 50 now block."""
    folder = tmp_path_factory.mktemp("report")
    events = folder / "events.jsonl"
    events.write_text("".join(json.dumps({"EventData": {"Type": "SalesBeforeSaveSale",
                                                        "InputValues": {"amount": str(n - 20)}}}) + "\n"
                              for n in range(100)) + "oops\n", encoding="utf-8")
    runner = CliRunner()
    baseline = folder / "baseline.jsonl"
    runner.invoke(app, ["replay", str(events), "--handlers", str(make_tree(folder / "v1", CHECK)),
                        "--timings", "--out", str(baseline)])
    page = folder / "report.html"
    result = runner.invoke(app, ["replay", str(events), "--handlers", str(make_tree(folder / "v2", CHECK_V2)),
                                 "--baseline", str(baseline), "--out", str(folder / "current.jsonl"),
                                 "--report", str(page), "--workers", "2", "--partition-size", "1k"])
    assert result.exit_code == 1 and f"report: {page}" in result.stderr
    return page, page.read_text(encoding="utf-8")


def test_the_page_needs_nothing_from_outside(report):
    _, html = report
    assert not re.search(r"""(?:src|href)\s*=|@import|url\(|https?:|//[a-z]""", html, re.IGNORECASE)
    assert "<script>" in html and "<style>" in html  # inline, not linked


def test_the_page_has_the_diff_the_timings_and_the_slowest_events(report):
    _, html = report
    assert "29 differ" in re.sub(r"<[^>]+>", "", html)  # amounts 51..79
    assert "<td>BlockExecution</td><td class=\"num\">29</td><td>29 false → true</td>" in html
    for handler in ("SalesBeforeSaveSale/10-check.crm", "SalesBeforeSaveSale/20-note.crm"):
        chart = re.search(rf'<svg [^>]*data-handler="{re.escape(handler)}".*?</svg>', html, re.S)
        assert chart and 'class="curve-baseline"' in chart.group() and 'class="curve-current"' in chart.group()
    assert html.count('<tr><td>') >= 20 and 'id="slowest-table"' in html
    assert "&quot;&lt;b&gt;over 50&lt;/b&gt;&quot;" in html and "<b>over" not in html  # escaped


def chromium() -> str | None:
    return next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


def headless(*args: str) -> subprocess.CompletedProcess:
    binary = chromium()
    if binary is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium)")
    # Nothing may be fetched: an unreachable proxy for every request. A profile
    # of its own: two Chromiums on one profile (pytest -n 2) hand over to each other.
    with tempfile.TemporaryDirectory(prefix="crmscript-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9",
                   "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.found.append((tag, dict(attrs)))


def test_chromium_runs_the_page_script_and_draws_every_chart(report):
    page, _ = report
    result = headless("--dump-dom", page.as_uri())
    dom = Elements()
    dom.feed(result.stdout)
    html = [attrs for tag, attrs in dom.found if tag == "html"]
    assert html and html[0].get("data-ready") == "yes", result.stderr[-2000:]  # the script ran to its end
    tables = [attrs for tag, attrs in dom.found if tag == "table"]
    assert len(tables) == 3 and all(attrs.get("data-sortable") == "ready" for attrs in tables)
    assert sum(tag == "svg" for tag, _ in dom.found) == 2
    assert sum(tag == "path" for tag, _ in dom.found) == 4  # baseline and current, per handler


def test_chromium_screenshot_shows_a_page(report, tmp_path):
    page, _ = report
    shot = tmp_path / "report.png"
    headless("--window-size=1200,1600", "--hide-scrollbars", f"--screenshot={shot}", page.as_uri())
    width, height, pixels = png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    assert len(set(pixels)) > 50  # text, tables and charts in colour, not a blank page


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the (filtered) pixel bytes of a PNG: enough to tell a drawn page from a blank one."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunks.setdefault(kind, []).append(data[position + 8:position + 8 + length])
        position += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][0][:8])
    return width, height, zlib.decompress(b"".join(chunks[b"IDAT"]))


def test_a_report_without_baseline_shows_this_run_only(tmp_path):
    events = tmp_path / "e.jsonl"
    events.write_text("".join(json.dumps({"EventData": {"Type": "SalesBeforeSaveSale",
                                                        "InputValues": {"amount": str(n)}}}) + "\n"
                              for n in range(30)) + json.dumps({"EventData": {"Type": "TicketSave"}}) + "\n")
    page = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["replay", str(events), "--handlers", str(make_tree(tmp_path / "t", CHECK)),
                                      "--out", str(tmp_path / "o.jsonl"), "--report", str(page)])
    assert result.exit_code == 0, result.stderr
    assert "handler (µs)" in result.stderr and "base p50" not in result.stderr
    html = page.read_text(encoding="utf-8")
    assert "No baseline given" in html and 'class="curve-current"' in html and "curve-baseline" not in html
    assert "<b>31</b> events" in html
