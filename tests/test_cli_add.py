"""`graphbuild add`: re-adding a changed record changes exactly that trial's graph (and what is
derived from all trials: vocabulary, inferred graph), a new record lands in its sorted place;
with --dumps graph.nq matches the store afterwards, without it the new build has no graph.nq
and `graphbuild export nquads` writes the same dataset."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graphbuild.build import build
from graphbuild.cli import main
from graphbuild.store import GraphStore

SEEDS = ("000_9c2a9c0863e88fc2", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599")
TRIAL_GRAPH = "https://w3id.org/graphbuild/id/graph/trial/"
DERIVED = ("https://w3id.org/graphbuild/id/graph/vocabulary", "https://w3id.org/graphbuild/id/graph/inferred")
TITLE = "http://purl.org/dc/terms/title"


def _graphs(out: Path) -> dict[str, str]:
    with GraphStore.read_only(out / "store") as store:
        return {g.value: store.canonical_nquads([g]) for g in store.graphs()}


def _nq_matches_store(out: Path) -> None:
    """graph.nq holds exactly the store's quads, trial graphs first in trial-id order."""
    lines = (out / "graph.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    with GraphStore.read_only(out / "store") as store:
        expected = store.canonical_nquads()
    assert sorted(lines) == expected.splitlines(keepends=True)
    graphs = [line.rsplit("<", 1)[1] for line in lines]
    trial_part = [g for g in graphs if g.startswith(TRIAL_GRAPH)]
    assert graphs[: len(trial_part)] == trial_part  # the trials come first ...
    order = list(dict.fromkeys(trial_part))
    assert order == sorted(order)  # ... each one block, in trial-id order


@pytest.fixture()
def seed_build(tmp_path: Path, examples_dir: Path) -> Path:
    out = tmp_path / "build"
    build([examples_dir], out, workers=1, validate=False)
    return out


def test_add_changed_record_replaces_exactly_that_trial(
    seed_build: Path, examples_dir: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "in" / f"{SEEDS[1]}.txt"
    changed.parent.mkdir()
    lines = (examples_dir / f"{SEEDS[1]}.txt").read_text(encoding="utf-8").split("\n")
    lines[0] += " (amended protocol)"  # the title: the seed layout's first line
    changed.write_text("\n".join(lines), encoding="utf-8")
    before = _graphs(seed_build)

    assert main(["add", str(changed), "--graph", str(seed_build), "-q", "--dumps"]) == 0

    after = _graphs(seed_build)
    assert set(after) == set(before)
    changed_graphs = {name for name in before if after[name] != before[name]}
    assert f"{TRIAL_GRAPH}{SEEDS[1]}" in changed_graphs
    assert changed_graphs <= {f"{TRIAL_GRAPH}{SEEDS[1]}", *DERIVED}
    assert "(amended protocol)" in after[f"{TRIAL_GRAPH}{SEEDS[1]}"]
    _nq_matches_store(seed_build)


def test_add_new_record_lands_in_its_place_and_same_record_changes_nothing(
    seed_build: Path, examples_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    new = folder / "0015_new_trial.txt"  # sorts between the first and second seed
    shutil.copy(examples_dir / f"{SEEDS[2]}.txt", new)
    assert main(["add", str(new), "--graph", str(seed_build), "-q", "--dumps"]) == 0
    graphs = _graphs(seed_build)
    assert f"{TRIAL_GRAPH}0015_new_trial" in graphs
    _nq_matches_store(seed_build)

    before = _graphs(seed_build)
    nq_before = (seed_build / "graph.nq").read_bytes()
    assert main(["add", str(examples_dir / f"{SEEDS[0]}.txt"), "--graph", str(seed_build), "-q", "--dumps"]) == 0
    assert _graphs(seed_build) == before  # the same record again: the same graph
    assert (seed_build / "graph.nq").read_bytes() == nq_before


def test_add_into_a_folder_without_a_build_fails_clearly(tmp_path: Path, examples_dir: Path, capsys) -> None:
    assert main(["add", str(examples_dir), "--graph", str(tmp_path / "nothing")]) == 1
    assert "holds no build" in capsys.readouterr().err
    assert not (tmp_path / "nothing").exists()


def test_add_without_dumps_leaves_no_stale_graph_nq_and_export_writes_it(
    seed_build: Path, examples_dir: Path, tmp_path: Path
) -> None:
    changed = tmp_path / f"{SEEDS[2]}.txt"
    text = (examples_dir / f"{SEEDS[2]}.txt").read_text(encoding="utf-8")
    changed.write_text(text.replace("\n", " (amended)\n", 1), encoding="utf-8")
    assert main(["add", str(changed), "--graph", str(seed_build), "-q"]) == 0

    assert not (seed_build / "graph.nq").exists()  # no file that disagrees with the store
    report = json.loads((seed_build / "report.json").read_text(encoding="utf-8"))
    assert "graph.nq" not in report["outputs"]
    assert report["changes"][-1]["replaced"] == [SEEDS[2]]
    assert report["changes"][-1]["dumps left out"] == ["graph.nq"]
    dump = tmp_path / "dump.nq"
    assert main(["export", "nquads", "--graph", str(seed_build), "-o", str(dump)]) == 0
    with GraphStore.read_only(seed_build / "store") as store:
        expected = store.canonical_nquads()
    assert sorted(dump.read_text(encoding="utf-8").splitlines(keepends=True)) == expected.splitlines(keepends=True)
    assert "(amended)" in expected

    # asked for, the dump comes back (from the store: the last build folder had none)
    assert main(["add", str(changed), "--graph", str(seed_build), "-q", "--dumps"]) == 0
    _nq_matches_store(seed_build)
    report = json.loads((seed_build / "report.json").read_text(encoding="utf-8"))
    assert "graph.nq" in report["outputs"] and report["changes"][-1]["dumps left out"] == []


def test_add_without_reasoning_says_so_and_leaves_no_stale_inference(
    seed_build: Path, examples_dir: Path, tmp_path: Path
) -> None:
    """--no-reason removes what was inferred from the old record (the CAR-T trial's class and
    directedAt facts) and derives nothing, and the report says which trials it left out."""
    inferred = "https://w3id.org/graphbuild/id/graph/inferred"
    trial = f"https://w3id.org/graphbuild/id/trial/{SEEDS[1]}"
    with GraphStore.read_only(seed_build / "store") as store:
        assert f"<{trial}>" in store.canonical_nquads([inferred])
    assert main(["add", str(examples_dir / f"{SEEDS[1]}.txt"), "--graph", str(seed_build), "-q",
                 "--no-reason", "--no-validate"]) == 0
    with GraphStore.read_only(seed_build / "store") as store:
        assert f"<{trial}>" not in store.canonical_nquads([inferred])
    report = json.loads((seed_build / "report.json").read_text(encoding="utf-8"))
    assert SEEDS[1] in report["reasoning"]["note"]
    assert report["changes"][-1]["inferred"]["added"] == 0 < report["changes"][-1]["inferred"]["removed"]
    md = (seed_build / "report.md").read_text(encoding="utf-8")
    assert f"--no-reason: not derived for {SEEDS[1]}" in md
