"""`crmscript replay` on this machine: responses in input order, bad lines in
place, partitions, several files, .gz, --out-dir, workers, Ctrl-C, a killed worker."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SHOUT_HANDLER, SHOUT_PLUGIN, invoke_cli
from typer.testing import CliRunner

from engine.chain import Engine
from engine.cli import app
from engine.eventdata import EventData, response_dict
from engine.replay import ReplayInterrupted, ReplayOptions, run_replay
from engine.replay.inputs import expand_inputs, plan_partitions
from engine.replay.progress import ProgressBar
from engine.testing.replay import replay

HANDLER = """\
EventData ed = getEventData();
Integer amount = ed.getInputValue("amount").toInteger();
if (amount > 1000)
  ed.setBlockExecution(true);
if (amount == 13)
  throw "unlucky";
ed.setOutputValue("double", (amount * 2).toString());
"""


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    folder = tmp_path / "handlers" / "SalesBeforeSaveSale"
    folder.mkdir(parents=True)
    (folder / "10-double.crm").write_text(HANDLER, encoding="utf-8")
    return tmp_path / "handlers"


def request(amount: int) -> str:
    return json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": str(amount)}}})


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def run(inputs: list[Path], tree: Path, **options) -> tuple[list[str], object]:
    out = io.BytesIO()
    summary = run_replay(ReplayOptions(inputs=[str(p) for p in inputs], handlers_dir=tree, **options), out)
    return out.getvalue().decode("utf-8").splitlines(), summary


def test_responses_match_the_engine_line_by_line_with_bad_lines_in_place(tree):
    lines = [request(5), request(2000), "{not json", "", request(13),
             json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": 7}}}), request(1)]
    out = io.StringIO()
    summary = replay(lines, out, tree, workers=1, partition_bytes=40)
    responses = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(responses) == 6  # the blank line is skipped, every other line answered

    engine = Engine(tree, load_entry_points=False, on_warning=lambda m: None)
    expected_ok = [engine.execute(EventData.model_validate(json.loads(lines[i])["EventData"])) for i in (0, 1, 4, 6)]
    assert [responses[i] for i in (0, 1, 3, 5)] == [response_dict(e) for e in expected_ok]
    assert responses[0]["OutputValues"] == {"double": "10"}
    assert responses[2]["Line"] == 3 and responses[2]["File"] == "lines"
    assert responses[2]["Error"].startswith("lines:3: malformed JSON")
    assert responses[4]["Line"] == 6 and "InputValues.amount" in responses[4]["Error"]
    assert (summary.count, summary.blocked, summary.exceptions) == (4, 1, 1)
    assert [(file, number) for file, number, _ in summary.bad_lines] == [("lines", 3), ("lines", 6)]


def test_partitions_start_and_end_on_line_starts(tree, tmp_path):
    events = write_lines(tmp_path / "e.jsonl", [request(n) for n in range(50)])
    data = events.read_bytes()
    for size in (1, 7, 100, 10_000):
        partitions = plan_partitions(expand_inputs([str(events)]), size)
        assert partitions[0].start == 0 and partitions[-1].end == len(data)
        for before, after in zip(partitions, partitions[1:], strict=False):
            assert before.end == after.start and data[after.start - 1:after.start] == b"\n"


def test_the_last_partitions_of_the_input_are_cut_finer(tmp_path):
    first = write_lines(tmp_path / "a.jsonl", [request(n) for n in range(300)])
    second = write_lines(tmp_path / "b.jsonl", [request(n) for n in range(100)])
    files = expand_inputs([str(first), str(second)])
    size = 2000
    tail = first.stat().st_size // 3 + second.stat().st_size  # reaches back into the first file
    partitions = plan_partitions(files, size, tail_bytes=tail)
    for file in files:
        data = Path(file.path).read_bytes()
        mine = [partition for partition in partitions if partition.file == file]
        assert mine[0].start == 0 and mine[-1].end == len(data)
        for before, after in zip(mine, mine[1:], strict=False):
            assert before.end == after.start and data[after.start - 1:after.start] == b"\n"
    line = max(len(request(n)) + 1 for n in range(300))  # cuts move to the next line start
    fine_from = files[0].size - (tail - files[1].size)  # in the first file
    before = [p.end - p.start for p in partitions if p.file == files[0] and p.end <= fine_from - line]
    after = [p.end - p.start for p in partitions if p.file == files[1] or p.start >= fine_from + line]
    assert before and all(size - line < length < size + line for length in before)  # whole partitions ...
    assert after and all(length < size // 4 + line for length in after)  # ... then quarters
    assert len(plan_partitions(files, size)) < len(partitions)


def test_same_output_for_any_partition_size_and_worker_count(tree, tmp_path):
    lines = [request(amount) for amount in range(0, 3000, 7)] + ["[]", "", "   "] + [request(13)] * 3
    events = write_lines(tmp_path / "events.jsonl", lines)
    reference, first = run([events], tree)
    assert (first.count, first.blocked, first.exceptions, first.stats.bad) == (432, 286, 3, 1)
    for workers, size in ((1, 300), (2, 1), (2, 997), (3, 4096)):
        output, summary = run([events], tree, workers=workers, partition_bytes=size)
        assert output == reference, (workers, size)
        assert summary.partitions > 1 and summary.count == first.count
    assert json.loads(reference[429]) == {"Error": f"{events}:430: request body must be a JSON object, not an array",
                                          "File": str(events), "Line": 430}


def test_several_files_globs_and_gzip_in_the_order_given(tree, tmp_path):
    a = write_lines(tmp_path / "a.jsonl", [request(1), request(2)])
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.write(request(3) + "\n" + "oops\n" + request(4) + "\n")
    write_lines(tmp_path / "c-1.jsonl", [request(5)])
    write_lines(tmp_path / "c-2.jsonl", [request(6)])
    output, summary = run([a, tmp_path / "b.jsonl.gz", Path(tmp_path / "c-*.jsonl")], tree, workers=2,
                          partition_bytes=10)
    doubles = [json.loads(line).get("OutputValues", {}).get("double") for line in output]
    assert doubles == ["2", "4", "6", None, "8", "10", "12"]
    bad = json.loads(output[3])
    assert (bad["File"], bad["Line"]) == (str(tmp_path / "b.jsonl.gz"), 2)
    assert len(summary.files) == 4


def test_missing_input_and_empty_glob_are_errors(tree, tmp_path):
    from engine.replay import ReplayError

    with pytest.raises(ReplayError, match="cannot read it"):
        run([tmp_path / "missing.jsonl"], tree)
    with pytest.raises(ReplayError, match="no file matches"):
        run([tmp_path / "*.nothing"], tree)


def test_out_dir_keeps_one_file_per_partition_and_a_manifest(tree, tmp_path):
    events = write_lines(tmp_path / "events.jsonl", [request(n) for n in range(200)])
    reference, _ = run([events], tree)
    out_dir = tmp_path / "parts"
    summary = run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=tree, workers=2, partition_bytes=1000,
                                       out_dir=out_dir))
    manifest = json.loads((out_dir / "manifest.json").read_text())
    parts = [out_dir / part["part"] for part in manifest["parts"]]
    assert len(parts) == summary.partitions > 3
    assert b"".join(part.read_bytes() for part in parts).decode().splitlines() == reference
    assert sum(part["responses"] for part in manifest["parts"]) == 200
    assert not list(out_dir.glob("*.partial"))


def test_timings_add_each_handlers_time_to_each_line(tree, tmp_path):
    events = write_lines(tmp_path / "e.jsonl", [request(1), "bad"])
    output, summary = run([events], tree, timings=True)
    timed = json.loads(output[0])
    assert list(timed)[-1] == "Timings" and set(timed["Timings"]) == {"SalesBeforeSaveSale/10-double.crm"}
    assert timed["Timings"]["SalesBeforeSaveSale/10-double.crm"] > 0
    assert "Timings" not in json.loads(output[1])
    assert summary.stats.timings.count("SalesBeforeSaveSale/10-double.crm") == 1


def test_cli_writes_the_file_and_a_summary(tree, tmp_path):
    events = write_lines(tmp_path / "events.jsonl", [request(1), "oops", request(5000)])
    out = tmp_path / "results.jsonl"
    result = CliRunner().invoke(app, ["replay", str(events), "--handlers", str(tree), "--workers", "2", "--out", str(out)])
    assert result.exit_code == 1  # a bad line
    assert f"{events}:2: bad request: malformed JSON" in result.output
    assert "2 events, 1 blocked, 0 with exceptions, 1 bad lines" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line).get("BlockExecution") for line in lines] == [False, None, True]


def test_cli_reads_stdin(tree):
    result = CliRunner().invoke(app, ["replay", "-", "--handlers", str(tree)], input=request(4) + "\n{\n")
    assert result.exit_code == 1
    assert '"double": "8"' in result.stdout and '"File": "<stdin>", "Line": 2' in result.stdout


def test_cli_usage_errors(tree, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["replay", str(tmp_path / "missing.jsonl"), "--handlers", str(tree)])
    assert missing.exit_code == 2 and "missing.jsonl: error: cannot read it" in missing.output
    events = write_lines(tmp_path / "e.jsonl", [request(1)])
    assert runner.invoke(app, ["replay", str(events), "--handlers", str(tmp_path / "nope")]).exit_code == 2
    assert runner.invoke(app, ["replay", str(events), "--workers", "0"]).exit_code == 2
    both = runner.invoke(app, ["replay", str(events), "--out", "a", "--out-dir", "b"])
    assert both.exit_code == 2 and "give one" in both.output
    size = runner.invoke(app, ["replay", str(events), "--partition-size", "lots"])
    assert size.exit_code == 2 and "--partition-size lots" in size.output
    ok = runner.invoke(app, ["replay", str(events), "--handlers", str(tree), "--partition-size", "4k"])
    assert ok.exit_code == 0 and '"double": "2"' in ok.output


def test_lone_surrogates_are_a_bad_line_and_non_ascii_survives_a_utf8_output_file(tree, tmp_path):
    # Since 4a4ba14 every reader of a request body (API, fire, replay) refuses
    # a lone UTF-16 surrogate escape, naming the field: here one bad line.
    lines = ['{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": "1", "note": "\\ud800"}}}',
             json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": "2", "note": "blåbær"}}},
                        ensure_ascii=False)]
    target = tmp_path / "out.jsonl"
    with target.open("w", encoding="utf-8") as out:
        summary = replay(lines, out, tree)
    assert summary.count == 1 and [number for _, number, _ in summary.bad_lines] == [1]
    assert "InputValues.note" in summary.bad_lines[0][2]
    first, second = target.read_text(encoding="utf-8").splitlines()
    assert json.loads(first)["Line"] == 1
    assert "blåbær" in second


# ------------------------------------------------------------ faults


SLOW_HANDLER = """\
EventData ed = getEventData();
Integer n = 0;
for (Integer i = 0; i < 3000; i++)
  n = n + i;
ed.setOutputValue("n", n.toString() + ed.getInputValue("amount"));
"""


@pytest.fixture()
def slow_tree(tmp_path: Path) -> Path:
    folder = tmp_path / "slow" / "SalesBeforeSaveSale"
    folder.mkdir(parents=True)
    (folder / "10-slow.crm").write_text(SLOW_HANDLER, encoding="utf-8")
    return tmp_path / "slow"


def test_a_killed_worker_process_loses_nothing(slow_tree, tmp_path):
    import psutil

    events = write_lines(tmp_path / "events.jsonl", [request(n) for n in range(600)])
    reference, _ = run([events], slow_tree)

    class KillAWorker(ProgressBar):
        killed: list[int] = []

        def set(self, done: int) -> None:
            if done and not self.killed:  # work under way: kill one worker process
                # (no wait(): reaping the pool's child here would hide its death from the pool)
                child = psutil.Process().children()[0]
                self.killed.append(child.pid)
                os.kill(child.pid, signal.SIGKILL)

    out = io.BytesIO()
    summary = run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=slow_tree, workers=2,
                                       partition_bytes=600), out, KillAWorker())
    assert KillAWorker.killed and summary.pool_restarts == 1
    assert out.getvalue().decode().splitlines() == reference


def test_ctrl_c_during_a_pool_run_waits_for_a_safe_point(slow_tree, tmp_path):
    """A KeyboardInterrupt raised inside concurrent.futures (wait(), submit())
    can leave the pool unable to shut down: while the pool runs, Ctrl-C only
    sets a flag, and the executor raises at its own next look at the workers."""
    events = write_lines(tmp_path / "events.jsonl", [request(n) for n in range(400)])
    handlers_seen = []

    class CtrlCOnce(ProgressBar):
        def set(self, done: int) -> None:
            if not handlers_seen:
                handlers_seen.append(signal.getsignal(signal.SIGINT))
                os.kill(os.getpid(), signal.SIGINT)  # arrives now, acted on at the next poll

    out = io.BytesIO()
    with pytest.raises(ReplayInterrupted) as stopped:
        run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=slow_tree, workers=2, partition_bytes=600),
                   out, CtrlCOnce())
    assert handlers_seen and handlers_seen[0] is not signal.default_int_handler
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back
    assert "interrupted:" in stopped.value.text() and stopped.value.events_done < 400


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_ctrl_c_stops_cleanly_and_says_how_far_it_got(slow_tree, tmp_path, stop):
    import psutil

    # far more work than runs before the signal, even on a busy machine
    events = write_lines(tmp_path / "events.jsonl", [request(n) for n in range(20_000)])
    out_dir = tmp_path / "parts"
    command = [sys.executable, "-c", "from engine.cli import main; main()", "replay", str(events),
               "--handlers", str(slow_tree), "--workers", "2", "--partition-size", "2k", "--out-dir", str(out_dir)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1])
    deadline = time.monotonic() + 60
    while not list(out_dir.glob("part-*.jsonl")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    workers = psutil.Process(process.pid).children()
    assert len(workers) == 2
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "interrupted:" in stderr and "of 20,000 lines answered" in stderr and "Traceback" not in stderr
    parts = sorted(out_dir.glob("part-*.jsonl"))
    assert parts and not list(out_dir.glob("*.partial"))
    assert f"({len(parts)} part files) holds {sum(len(p.read_text().splitlines()) for p in parts):,} of them" in stderr
    assert all(len(part.read_text().splitlines()) > 0 for part in parts)
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive  # the workers were stopped with the command


def test_the_progress_bar_is_for_terminals_not_pipes_or_ci(monkeypatch):
    from engine.replay.progress import wanted

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert wanted(Terminal()) and not wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not wanted(Terminal())


def test_a_corrupt_gzip_input_is_a_clean_error_and_leaves_nothing_behind(tree, tmp_path):
    good = gzip.compress(((request(1) + "\n") * 2000).encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(good[: len(good) // 2])
    (tmp_path / "junk.jsonl.gz").write_bytes(b"not gzip at all\n")
    for name in ("cut.jsonl.gz", "junk.jsonl.gz"):
        result = CliRunner().invoke(app, ["replay", str(tmp_path / name), "--handlers", str(tree),
                                          "--out", str(tmp_path / "out.jsonl"), "--workers", "2"])
        assert result.exit_code == 2, result.output
        assert f"{tmp_path / name}: error: cannot read it:" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.jsonl.gz", "handlers", "junk.jsonl.gz"]


def test_the_tree_and_a_fixture_travel_with_the_job(tree, tmp_path, monkeypatch):
    """The seam for the simulated CRM: a fixture file reaches the Engine of a
    worker that has no copy of it (job._engine_options hands it over)."""
    import dataclasses

    from engine.replay import job as jobs

    (tree / "lib").mkdir()
    (tree / "lib" / "util.crm").write_text("Integer one() { return 1; }\n", encoding="utf-8")
    (tree / ".git").mkdir()
    (tree / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    fixture = tmp_path / "crm.yaml"
    fixture.write_text("now: '2026-05-04T10:00:00'\n", encoding="utf-8")
    seen: list[str | None] = []
    monkeypatch.setattr(jobs, "_engine_options", lambda path: seen.append(path) or {})
    job = jobs.build_job(tree, ship=True, fixture=fixture)
    assert sorted(name for name, _ in job.tree.files) == ["SalesBeforeSaveSale/10-double.crm", "lib/util.crm"]
    assert job.fixture_data == fixture.read_bytes()
    elsewhere = dataclasses.replace(job, key="elsewhere-" + job.key)  # as a worker of a cluster builds it
    engine = jobs.engine_for(elsewhere)
    assert seen[0] == str(fixture) and seen[1] != str(fixture)
    assert Path(seen[1]).name == "crm.yaml" and Path(seen[1]).read_bytes() == fixture.read_bytes()
    assert engine.execute(EventData(Type="SalesBeforeSaveSale", InputValues={"amount": "4"})).OutputValues == {
        "double": "8"}
    assert Path(engine.handlers_dir) != tree


@pytest.mark.parametrize("workers", ["1", "2"])
def test_plugin_files_reach_every_worker(tree, tmp_path, workers):
    (tree / "SalesBeforeSaveSale" / "20-seen.crm").write_text(SHOUT_HANDLER, encoding="utf-8")
    plugin = tmp_path / "my_plugin.py"
    plugin.write_text(SHOUT_PLUGIN, encoding="utf-8")
    events = write_lines(tmp_path / "e.jsonl", [request(n) for n in range(100, 140)])
    base = ["replay", str(events), "--handlers", str(tree), "--workers", workers, "--partition-size", "256"]
    assert invoke_cli(*base, "--out", str(tmp_path / "without.jsonl")).exit_code == 0
    without = json.loads((tmp_path / "without.jsonl").read_text().splitlines()[0])
    assert "shout" in without["Exception"]  # unknown without the plugin
    result = invoke_cli(*base, "--plugin", str(plugin), "--out", str(tmp_path / "with.jsonl"))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "with.jsonl").read_text().splitlines()]
    assert len(lines) == 40 and all(line["Message"] == "FROM PLUGIN!" for line in lines)
    assert all(line["OutputValues"]["seen"] == "MINE!" and line["Exception"] == "" for line in lines)


def test_a_plugin_file_that_does_not_load_is_a_usage_error(tree, tmp_path):
    events = write_lines(tmp_path / "e.jsonl", [request(1)])
    broken = tmp_path / "broken.py"
    broken.write_text("def oops(:\n", encoding="utf-8")
    for plugin, problem in [(broken, "line 1"), (tmp_path / "missing.py", "no such plugin file")]:
        result = invoke_cli("replay", str(events), "--handlers", str(tree), "--plugin", str(plugin))
        assert result.exit_code == 2 and problem in result.stderr and "Traceback" not in result.output


def test_an_input_that_changes_during_the_run_stops_it_rather_than_give_a_short_output(tree, tmp_path, monkeypatch):
    import engine.replay.runner as runner
    from engine.replay import ReplayError

    events = write_lines(tmp_path / "e.jsonl", [request(n) for n in range(20)])
    real_plan = runner._Plan

    class PlanThenTruncate(real_plan):  # the file loses lines between the counting pass and the run
        def tasks(self, parts_dir):
            events.write_text(request(1) + "\n", encoding="utf-8")
            return super().tasks(parts_dir)

    monkeypatch.setattr(runner, "_Plan", PlanThenTruncate)
    out = tmp_path / "out.jsonl"
    with pytest.raises(ReplayError, match="changed while the replay ran"):
        run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=tree, out=out))
    assert not out.exists()


# ------------------------ regressions found by review (was: tests/test_cli_qa.py)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_replay_non_utf8_line_is_one_bad_line_not_the_end_of_the_run(seen_tree, tmp_path, workers):
    events = tmp_path / "events.jsonl"
    good = b'{"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"who": "ann"}}}\n'
    events.write_bytes(good + b'{"EventData": {"Type": "\xff"}}\n' + good)
    result = invoke_cli("replay", str(events), "--handlers", str(seen_tree), "--workers", workers)
    assert result.exit_code == 1
    responses = result.stdout.splitlines()
    assert len(responses) == 3 and '"Line": 2' in responses[1] and '"seen": "ann"' in responses[2]
    assert f"{events}:2: bad request: request body is not UTF-8 text" in result.stderr
