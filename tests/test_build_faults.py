"""Faults: a build killed with SIGKILL at any point leaves the previous build consistent and
no process of it alive; a second build into a busy folder is refused; the same inputs in any
order give a byte-identical graph.nq (apart from the build graph's times and id)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphbuild.build import build
from graphbuild.build.commit import BuildLocked, current_build, locked
from graphbuild.cli import main
from graphbuild.rdf.namespaces import BUILD_GRAPH
from graphbuild.store import GraphStore

TRIAL_GRAPH = "https://w3id.org/graphbuild/id/graph/trial/"
AML_CSV = "ctgov_csv_export/johnNoxas_mrd_AML_ctg-studies.csv"

# The killed build, run in a child process: `point` says where it stops to be killed (it
# writes `marker` and sleeps there), the patches only add that pause.
CHILD = r"""
import os, sys, time, pathlib
from graphbuild.build import build, commit, run, stream

point, out, marker, *inputs = sys.argv[1:]
stream.POOL_THRESHOLD = 20  # the pool starts even for this small batch


def pause():
    pathlib.Path(marker).write_text(str(os.getpid()))
    time.sleep(600)


progress = None
if point == "extracting":  # workers busy, the store half loaded
    def progress(done, rejected):
        if done == 60:
            pause()
elif point == "outputs-written":  # every file of the new build written, not yet current
    real_commit = run.commit
    def hooked(build_dir, out_dir):
        pause()
        real_commit(build_dir, out_dir)
    run.commit = hooked
elif point == "link-made":  # between the final steps: new link made, not yet renamed
    real_replace = os.replace
    def replace(src, dst, **kw):
        if str(dst).endswith("/current"):
            pause()
        return real_replace(src, dst, **kw)
    commit.os.replace = replace
elif point == "switched":  # the new build is current, the old one not yet deleted
    real_link = commit._link_outputs
    def linked(out_dir):
        pause()
        real_link(out_dir)
    commit._link_outputs = linked
build(inputs, out, workers=2, reason=False, validate=False, progress=progress)
"""


def _consistent(out: Path) -> dict[str, int]:
    """The build `out` shows agrees with itself: the same trials in the store, graph.nq and
    report.json, the same number of quads. Returns those counts."""
    report = json.loads((out / "report.json").read_text())
    nq_lines = (out / "graph.nq").read_text().splitlines()
    nq_trials = {line.rsplit("<", 1)[1].rstrip("> .") for line in nq_lines if f"<{TRIAL_GRAPH}" in line.rsplit(" ", 2)[-2]}
    with GraphStore.from_build(out) as store:
        store_trials = {g.value for g in store.graphs() if g.value.startswith(TRIAL_GRAPH)}
        quads = store.count()
    assert store_trials == nq_trials
    assert report["trials_loaded"] == len(store_trials) == report["node_counts"]["trials"]
    assert report["quads"] == quads == len(nq_lines)
    return {"trials": len(store_trials), "quads": quads}


def _alive(group: int) -> list[str]:
    """Processes of a process group that still run (zombies are dead)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name_end = text.rindex(")")
        fields = text[name_end + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state != "Z":
            found.append(text[: name_end + 1])
    return found


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("point", ["extracting", "outputs-written", "link-made", "switched"])
def test_a_build_killed_at_any_point_leaves_a_consistent_build_and_no_process(
    tmp_path: Path, examples_dir: Path, corpus_dir: Path, point: str
) -> None:
    out = tmp_path / "out"
    before = build([examples_dir], out, workers=1, reason=False, validate=False)
    previous = _consistent(out)
    assert previous["trials"] == before.trials_loaded == 3

    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, point, str(out), str(marker), str(corpus_dir / AML_CSV)],
        start_new_session=True,  # its own process group: every process it starts is findable
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert child.poll() is None, child.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
        assert time.monotonic() < deadline, f"the build never reached {point}"
        time.sleep(0.2)
    if point == "extracting":
        assert len(_alive(child.pid)) >= 3, "the pool is running (forkserver and workers)"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    deadline = time.monotonic() + 30
    while (left := _alive(child.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not left, f"processes of the killed build still run: {left}"

    after = _consistent(out)
    if point == "switched":  # the kill came after the switch: the new build is in force
        assert after["trials"] > 200
    else:
        assert after == previous
    # the folder is not left locked, and the next build clears what the killed one left
    build([examples_dir], out, workers=1, reason=False, validate=False)
    assert _consistent(out) == previous
    assert [p.resolve() for p in (out / "builds").iterdir()] == [current_build(out)]


def test_a_second_build_into_a_busy_folder_is_refused(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    build([examples_dir], out, workers=1, reason=False, validate=False)
    report_before = (out / "report.json").read_bytes()
    with locked(out):  # as a running build holds it
        with pytest.raises(BuildLocked, match=f"pid {os.getpid()}") as refused:
            build([examples_dir], out, workers=1, reason=False, validate=False)
        assert str(out) in str(refused.value) and "another graphbuild build" in str(refused.value)
        code = main(["build", str(examples_dir), "-o", str(out), "--no-reason", "--no-validate", "-q"])
        assert code == 3
        assert "is being written by another graphbuild build" in capsys.readouterr().err
    assert (out / "report.json").read_bytes() == report_before  # the refused builds wrote nothing
    assert len(list((out / "builds").iterdir())) == 1
    build([examples_dir], out, workers=1, reason=False, validate=False)  # free again


def test_the_lock_is_held_by_a_running_build(tmp_path: Path, examples_dir: Path) -> None:
    """While a build runs, the folder is locked for everyone else (checked from inside it)."""
    out = tmp_path / "out"
    seen: list[str] = []

    def progress(done: int, rejected: int) -> None:
        if done == 1:
            with pytest.raises(BuildLocked) as refused, locked(out):
                pass
            seen.append(str(refused.value))

    build([examples_dir], out, workers=1, reason=False, validate=False, progress=progress)
    assert seen and f"pid {os.getpid()}" in seen[0]


def _without_build_graph(data: bytes) -> bytes:
    build_graph = f"<{BUILD_GRAPH}> .\n".encode()
    return b"".join(line for line in data.splitlines(keepends=True) if not line.endswith(build_graph))


@pytest.mark.corpus
def test_the_same_inputs_in_any_order_give_a_byte_identical_graph(
    tmp_path: Path, examples_dir: Path, corpus_dir: Path
) -> None:
    files = [
        *sorted(examples_dir.glob("*.txt")),
        *sorted((corpus_dir / "ctgov_xml_2018").glob("*.xml"))[:12],
        corpus_dir / "ctgov_api_v2_json" / "aact_fixture_single_study_NCT03418623.json",
    ]
    dup = tmp_path / "dup"
    dup.mkdir()
    shutil.copy(files[4], dup / files[4].name)  # one trial twice: the same record must win
    orders = {"forward": [*files, dup], "backward": [dup, *reversed(files)], "shuffled": [*files[5:], dup, *files[:5]]}
    graphs = {}
    for name, inputs in orders.items():
        build(inputs, tmp_path / name, memory=True, reason=True, validate=False, workers=1)
        graphs[name] = (tmp_path / name / "graph.nq").read_bytes()
    trials = _without_build_graph(graphs["forward"])
    assert trials.count(b"\n") > 1000
    # byte-identical as written, not merely after sorting
    assert _without_build_graph(graphs["backward"]) == trials
    assert _without_build_graph(graphs["shuffled"]) == trials
    lines = graphs["forward"].splitlines()
    assert len(lines) > len(trials.splitlines())  # the build graph is there, and only it differs


def test_a_page_whose_queries_fail_leaves_the_build_whole(
    tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The landscape page's queries run on a thread beside the outputs: their failure is logged
    and the page left out; the graph and every other output are written and committed."""

    def failing(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the page's queries failed")

    monkeypatch.setattr("graphbuild.landscape.data.collect", failing)
    out = tmp_path / "out"
    report = build([examples_dir], out, workers=1, report_html=True)
    assert report.trials_loaded == 3
    assert "report.html not written: RuntimeError: the page's queries failed" in caplog.text
    assert not (out / "report.html").exists()
    assert (out / "graph.nq").stat().st_size > 0 and (out / "report.json").is_file()
    assert "report.html queries (beside the outputs)" not in report.timings
