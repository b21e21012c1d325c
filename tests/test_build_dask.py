"""The build on Dask (`graphbuild build --scheduler`): the corpus built on a 2-worker
`LocalCluster` gives the graph of the local build, also when a worker is killed mid-build; a
shard that fails on every attempt fails the build, naming the shard, with nothing committed."""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the dask extra is not installed (pip install 'graphbuild[dask]')")

import dask

from graphbuild.build import build
from graphbuild.build.cluster import EXTRA_HINT, DaskSource, ShardFailed, plan_shards
from graphbuild.cli import main

_BUILD_IRI = re.compile(rb"/id/build/[0-9a-f]+")
_DATETIME = re.compile(rb'"[^"]*"\^\^<http://www\.w3\.org/2001/XMLSchema#dateTime>')
_LABEL = re.compile(rb'"graphbuild build [^"]*"')


def graph_lines(folder: Path) -> list[bytes]:
    """graph.nq sorted, the build graph's times (and the build IRI made from them) blanked."""
    lines = (folder / "graph.nq").read_bytes().splitlines()
    out = []
    for line in lines:
        if line.endswith(b"<https://w3id.org/graphbuild/id/graph/build> ."):
            line = _LABEL.sub(b'"graphbuild build T"', _DATETIME.sub(b'"T"', _BUILD_IRI.sub(b"/id/build/X", line)))
        out.append(line)
    return sorted(out)


def report_of(folder: Path) -> dict[str, object]:
    import json

    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


def same_build(folder: Path, expected: Path) -> None:
    got, want = report_of(folder), report_of(expected)
    for key in ("records_read", "trials_loaded", "quads", "graphs", "rejects", "duplicates", "ungrounded"):
        assert got[key] == want[key], key
    assert graph_lines(folder) == graph_lines(expected)


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_on_a_local_cluster_is_the_local_graph(corpus_graph: Path, corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dask-build"
    status = main(["build", str(corpus_dir), "-o", str(out), "--scheduler", "local:2", "--no-validate", "-q"])
    assert status == (1 if report_of(corpus_graph)["rejects"] else 0)
    assert len(plan_shards([corpus_dir])) >= 4  # the work really was cut into several tasks
    same_build(out, corpus_graph)
    assert not list(out.rglob("shard-*")), "shards are removed after the build"


def _kill_a_busy_worker(source: DaskSource, shards: Path, killed: list[int], stop: threading.Event) -> None:
    """Once a shard task is writing (its temporary file exists), SIGKILL a worker process
    that has a shard task assigned."""
    client = source.client
    while not stop.is_set():
        writing = list(shards.glob("shards-*/.shard-*.tmp"))
        busy = [w for w, keys in client.processing().items() if keys]
        if writing and busy:
            pids = client.run(os.getpid, workers=[busy[0]])
            pid = pids[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
            return
        time.sleep(0.05)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_worker_killed_mid_build_is_retried_and_no_record_is_lost(
    corpus_graph: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    shards = tmp_path / "shards"
    out = tmp_path / "dask-build"
    killed: list[int] = []
    stop = threading.Event()
    with DaskSource("local:2", shard_dir=shards) as source:
        before = set(source.client.run(os.getpid).values())
        killer = threading.Thread(target=_kill_a_busy_worker, args=(source, shards, killed, stop))
        killer.start()
        try:
            build([corpus_dir], out, validate=False, source=source)
        finally:
            stop.set()
            killer.join()
        source.client.wait_for_workers(2, timeout=120)
        after = set(source.client.run(os.getpid).values())
    assert killed and killed[0] in before and killed[0] not in after  # a worker really died
    same_build(out, corpus_graph)  # every record, the same graph
    assert not list(shards.rglob("*shard-*")), "shards are removed after the build"


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_shard_failing_every_attempt_fails_the_build_naming_it(
    examples_dir: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    """No retry allowed: the killed worker's shard fails, the build stops with an error naming
    the shard, and the folder still holds the previous build, whole."""
    out = tmp_path / "out"
    build([examples_dir], out, workers=1, validate=False)
    previous = (out / "graph.nq").read_bytes()
    current = os.readlink(out / "current")

    shards = tmp_path / "shards"
    killed: list[int] = []
    stop = threading.Event()
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with DaskSource("local:2", shard_dir=shards, shard_bytes=256 << 10) as source:
            killer = threading.Thread(target=_kill_a_busy_worker, args=(source, shards, killed, stop))
            killer.start()
            try:
                with pytest.raises(ShardFailed, match=r"shard \d+ \(\d+ file\(s\), first .*ctgov_xml_2018.*KilledWorker"):
                    build([corpus_dir / "ctgov_xml_2018"], out, validate=False, source=source)
            finally:
                stop.set()
                killer.join()
    assert killed
    assert os.readlink(out / "current") == current
    assert (out / "graph.nq").read_bytes() == previous
    assert [p.name for p in (out / "builds").iterdir()] == [Path(current).name]
    assert not list(shards.rglob("*shard-*"))


def test_scheduler_without_dask_names_the_extra(
    examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were not installed
    with pytest.raises(SystemExit) as exit_info:
        main(["build", str(examples_dir), "-o", str(tmp_path / "out"), "--scheduler", "local:2"])
    assert exit_info.value.code == 2
    assert EXTRA_HINT in capsys.readouterr().err
    assert "graphbuild[dask]" in EXTRA_HINT
    assert not (tmp_path / "out").exists()


def test_shards_follow_the_reading_order(corpus_dir: Path, tmp_path: Path) -> None:
    """The plan lists every file a local build reads, in the same order, cut into shards;
    a missing input is a reject in its place."""
    from graphbuild.readers.inputs import walk

    missing = tmp_path / "absent.json"
    plan = plan_shards([corpus_dir / "ctgov_xml_2018", missing, corpus_dir / "ctgov_csv_export"], shard_bytes=256 << 10)
    files = [name for part in plan if isinstance(part, list) for _path, name in part]
    expected = [str(p) for p in walk(corpus_dir / "ctgov_xml_2018")] + [str(p) for p in walk(corpus_dir / "ctgov_csv_export")]
    assert files == expected
    rejects = [part for part in plan if not isinstance(part, list)]
    assert len(rejects) == 1 and rejects[0].file == str(missing)
    assert sum(isinstance(part, list) for part in plan) > 5


def test_build_on_a_running_scheduler_by_its_address(examples_dir: Path, tmp_path: Path) -> None:
    """`--scheduler tcp://HOST:PORT`: a scheduler and worker started apart from the build (here
    a LocalCluster on loopback); the seed builds to the local build's graph."""
    from distributed import LocalCluster

    local = tmp_path / "local"
    build([examples_dir], local, workers=1, validate=False)
    out = tmp_path / "on-cluster"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        status = main(["build", str(examples_dir), "-o", str(out), "--scheduler", address, "--no-validate", "-q"])
    assert status == 0
    same_build(out, local)


def test_turtle_is_written_on_the_cluster_too(examples_dir: Path, tmp_path: Path) -> None:
    """`build --turtle --scheduler ...`: the workers write each trial's Turtle as a local build
    does, so graph.ttl holds the same trial triples (the build graph's times aside)."""
    local = build([examples_dir], tmp_path / "local", validate=False, turtle=True)
    with DaskSource("local:2", shard_dir=tmp_path / "shards", turtle=True) as source:
        dask = build([examples_dir], tmp_path / "dask", validate=False, turtle=True, source=source)
    assert local.trials_loaded == dask.trials_loaded == 3

    def trial_lines(folder: Path) -> list[str]:
        text = (folder / "graph.ttl").read_text(encoding="utf-8")
        build_graph = ("dateTime", "graphbuild build ", "build\\/")  # its times and id
        return sorted(
            line for line in text.splitlines() if not any(mark in line for mark in build_graph)
        )

    lines = trial_lines(tmp_path / "local")
    assert any("CD7 CAR-T" in line for line in lines)
    assert trial_lines(tmp_path / "dask") == lines
