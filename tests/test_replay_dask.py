"""`crmscript replay --scheduler`: a real Dask cluster on 127.0.0.1 (`dask scheduler`,
two `dask worker`s), started once for this module."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
from pathlib import Path

import pytest
from conftest import SHOUT_HANDLER, SHOUT_PLUGIN
from typer.testing import CliRunner

from engine.cli import app
from engine.replay import ReplayOptions, run_replay
from engine.replay.progress import ProgressBar

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

START_SECONDS = 60


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory) -> str:
    from engine.replay.dask_cluster import local_cluster

    # The cluster runs in a folder of its own: nothing of the project is there.
    with local_cluster(tmp_path_factory.mktemp("cluster"), workers=2, start_seconds=START_SECONDS) as address:
        yield address


INCLUDE = """\
Integer checked(Integer amount) {
  if (amount == 13)
    throw "unlucky amount";
  return amount * 2;
}
"""
HANDLER = """\
#include "util";
EventData ed = getEventData();
Integer amount = ed.getInputValue("amount").toInteger();
Integer n = 0;
for (Integer i = 0; i < 300; i++)
  n = n + i;
if (amount > 1000)
  ed.setBlockExecution(true);
ed.setOutputValue("double", checked(amount).toString());
"""


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "handlers"
    (root / "SalesBeforeSaveSale").mkdir(parents=True)
    (root / "SalesBeforeSaveSale" / "10-double.crm").write_text(HANDLER, encoding="utf-8")
    (root / "lib").mkdir()
    (root / "lib" / "util.crm").write_text(INCLUDE, encoding="utf-8")
    return root


def request(amount: int) -> str:
    return json.dumps({"EventData": {"Type": "SalesBeforeSaveSale", "InputValues": {"amount": str(amount)}}})


@pytest.fixture()
def inputs(tmp_path: Path) -> list[Path]:
    first = tmp_path / "a.jsonl"
    first.write_text("".join(request(n) + "\n" for n in range(400)) + "\n{oops\n" + request(13) + "\n")
    second = tmp_path / "b.jsonl.gz"
    with gzip.open(second, "wt") as stream:
        stream.write("".join(request(n) + "\n" for n in range(995, 1010)))
    return [first, second]


def local_output(inputs: list[Path], tree: Path) -> bytes:
    out = io.BytesIO()
    run_replay(ReplayOptions(inputs=[str(p) for p in inputs], handlers_dir=tree), out)
    return out.getvalue()


def test_a_dask_run_answers_byte_for_byte_like_a_local_one(scheduler, tree, inputs, tmp_path):
    expected = local_output(inputs, tree)
    assert b"lib/util.crm:3:5: runtime error" in expected  # an error in an include, named within the tree
    out = tmp_path / "dask.jsonl"
    result = CliRunner().invoke(app, ["replay", *map(str, inputs), "--handlers", str(tree), "--scheduler", scheduler,
                                      "--partition-size", "2k", "--out", str(out)])
    assert result.exit_code == 1, result.stderr  # the bad line
    assert out.read_bytes() == expected
    assert f"(Dask at {scheduler}, 2 workers," in result.stderr
    assert "416 events, 9 blocked, 2 with exceptions, 1 bad lines" in result.stderr


def test_workers_build_their_engine_from_the_shipped_job(scheduler, tree, inputs, monkeypatch):
    import engine.replay.runner as runner

    expected = local_output(inputs, tree)
    real_build_job = runner.build_job

    def build_then_delete_the_tree(*args, **kwargs):
        job = real_build_job(*args, **kwargs)
        for path in sorted(tree.rglob("*"), reverse=True):  # the workers cannot read it now
            path.unlink() if path.is_file() else path.rmdir()
        return job

    monkeypatch.setattr(runner, "build_job", build_then_delete_the_tree)
    out = io.BytesIO()
    summary = run_replay(ReplayOptions(inputs=[str(p) for p in inputs], handlers_dir=tree, scheduler=scheduler,
                                       partition_bytes=4096), out)
    assert not tree.exists() or not any(tree.iterdir())
    assert out.getvalue() == expected and summary.partitions > 2
    assert len(summary.stats.workers_seen) == 2  # both workers built an Engine and ran partitions


def test_a_plugin_file_travels_with_the_job(scheduler, tree, tmp_path, monkeypatch):
    import engine.replay.runner as runner

    (tree / "SalesBeforeSaveSale" / "20-seen.crm").write_text(SHOUT_HANDLER, encoding="utf-8")
    plugin = tmp_path / "elsewhere" / "my_plugin.py"
    plugin.parent.mkdir()
    plugin.write_text(SHOUT_PLUGIN, encoding="utf-8")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(request(n) + "\n" for n in range(100, 140)))
    real_build_job = runner.build_job

    def build_then_delete_the_plugin(*args, **kwargs):
        job = real_build_job(*args, **kwargs)
        plugin.unlink()  # the workers cannot read it now
        return job

    monkeypatch.setattr(runner, "build_job", build_then_delete_the_plugin)
    out = io.BytesIO()
    summary = run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=tree, scheduler=scheduler,
                                       partition_bytes=1024, plugin_files=[plugin]), out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(lines) == 40 and summary.partitions > 2 and not plugin.exists()
    assert all(line["Message"] == "FROM PLUGIN!" and line["OutputValues"]["seen"] == "MINE!" for line in lines)


def test_a_killed_worker_loses_nothing(scheduler, tree, tmp_path):
    events = tmp_path / "events.jsonl"
    events.write_text("".join(request(n) + "\n" for n in range(1500)))
    expected = local_output([events], tree)
    with distributed.Client(scheduler) as client:
        pids = client.run(os.getpid)

        class KillAWorker(ProgressBar):
            killed: list[str] = []

            def set(self, done: int) -> None:
                if done and not self.killed:  # a first partition is back: kill a worker mid-run
                    address = sorted(pids)[0]
                    self.killed.append(address)
                    os.kill(pids[address], signal.SIGKILL)

        out = io.BytesIO()
        summary = run_replay(ReplayOptions(inputs=[str(events)], handlers_dir=tree, scheduler=scheduler,
                                           partition_bytes=1024), out, KillAWorker())
        assert KillAWorker.killed and summary.workers_lost >= 1
        assert out.getvalue() == expected  # every line exactly once, in order
        assert f"{summary.workers_lost} worker" in summary.text()
        client.wait_for_workers(2, timeout=START_SECONDS)  # the nanny starts a new one: the cluster as it was


def test_an_unreachable_scheduler_is_a_usage_error(tree, inputs, monkeypatch):
    import engine.replay.dask_cluster as dask_cluster

    monkeypatch.setattr(dask_cluster, "CONNECT_SECONDS", 1)
    result = CliRunner().invoke(app, ["replay", str(inputs[0]), "--handlers", str(tree),
                                      "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
    both = CliRunner().invoke(app, ["replay", str(inputs[0]), "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"])
    assert both.exit_code == 2 and "give one" in both.stderr
