"""The build: seeds and corpus into a graph, order independence, re-ingest, atomic outputs,
rejects that never stop the batch."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from graphbuild.build import build, ingest, process, run, stream
from graphbuild.rdf.namespaces import BUILD_GRAPH
from graphbuild.report import BuildReport
from graphbuild.store import GraphStore

SEEDS = ("000_9c2a9c0863e88fc2", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599")
TITLE = "http://purl.org/dc/terms/title"


def _without_build_graph(nquads: str) -> str:
    """Sorted N-Quads minus the build graph (the one place a timestamp lives)."""
    build = f"<{BUILD_GRAPH}> .\n"
    return "".join(sorted(line for line in nquads.splitlines(keepends=True) if not line.endswith(build)))


def _staging_dirs(out: Path) -> list[Path]:
    return list(out.glob(".graphbuild-staging-*"))


@pytest.fixture(scope="module")
def seeds_build(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> tuple[Path, BuildReport]:
    out = tmp_path_factory.mktemp("seeds")
    return out, build([examples_dir], out, workers=1, turtle=True)


def test_seeds_build_into_store_nquads_turtle_and_report(seeds_build: tuple[Path, BuildReport]) -> None:
    out, report = seeds_build
    assert report.rejects == [] and report.exit_code == 0
    assert report.records_read == report.trials_loaded == 3
    for name in ("graph.nq", "graph.ttl", "report.json", "report.md"):
        assert (out / name).is_file(), name
    assert not _staging_dirs(out)

    with GraphStore.read_only(out / "store") as store:
        trials = {row["id"].value for row in store.query("SELECT ?id WHERE { ?t a gb:Trial ; gb:trialId ?id }")}
        assert trials == set(SEEDS)
        # graph.nq is exactly the store
        loaded = GraphStore.in_memory()
        loaded.ox.load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        assert loaded.canonical_nquads() == store.canonical_nquads()
        assert report.quads == store.count()
        # the store was compacted beside the outputs, after its last write
        assert report.timings["store compaction (beside the outputs)"] >= 0
        named = {g.value for g in store.graphs()}
        assert {f"https://w3id.org/graphbuild/id/graph/trial/{s}" for s in SEEDS} <= named
        assert {"https://w3id.org/graphbuild/id/graph/vocabulary", str(BUILD_GRAPH)} <= named

        (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
        distinct_triples = int(row["n"].value)

    turtle = rdflib.Graph().parse(out / "graph.ttl", format="turtle")  # the merged graph
    assert len(turtle) == distinct_triples
    assert len(set(turtle.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/graphbuild/vocab#Trial")))) == 3

    data = json.loads((out / "report.json").read_text())
    assert data["node_counts"]["trials"] == 3 and data["exit_code"] == 0
    assert data["node_counts"]["endpoints"] > 0 and data["node_counts"]["diseases"] > 0
    assert {s["path"].rsplit("/", 1)[-1] for s in data["sources"]} == {f"{s}.txt" for s in SEEDS}
    assert all(len(s["sha256"]) == 64 for s in data["sources"])
    markdown = (out / "report.md").read_text()
    assert "## Nodes" in markdown and "| trials | 3 |" in markdown


def test_seeds_graph_passes_shacl(seeds_build: tuple[Path, BuildReport]) -> None:
    pytest.importorskip("graphbuild.validate", reason="the validation stage has not landed")
    _, report = seeds_build
    assert report.validation["ran"], report.validation
    assert report.validation["conforms"], report.validation.get("text")
    # each trial graph was checked where it was serialized, none read back out of the store
    assert report.worker_seconds["shacl (trial graphs)"] > 0
    assert "in 3 trial(s)" in report.validation["text"]


def test_a_failed_early_shacl_check_is_validated_out_of_the_store(
    tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers' SHACL check is an early start, not a gate: when it fails (here: every
    time), the records still land and the validation step checks the graphs out of the store."""
    from graphbuild.build import process

    def broken(spec):  # noqa: ANN001, ANN202
        raise RuntimeError("the shapes could not be read")

    monkeypatch.setattr(process, "compiled_shapes", broken)
    report = build([examples_dir], tmp_path, memory=True, reason=False, workers=1)
    assert report.rejects == [] and report.trials_loaded == 3
    assert report.validation["ran"] and report.validation["conforms"], report.validation
    assert "in 3 trial(s)" in report.validation["text"]


def test_builds_of_the_same_inputs_in_any_order_are_identical(tmp_path: Path, examples_dir: Path) -> None:
    files = sorted(examples_dir.glob("*.txt"))
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(files[1], copy / files[1].name)  # the same trial id twice: one must win, always the same
    forward = build([*files, copy], tmp_path / "a", memory=True, reason=False, validate=False, workers=1)
    backward = build([copy, *reversed(files)], tmp_path / "b", memory=True, reason=False, validate=False, workers=1)
    assert len(forward.duplicates) == len(backward.duplicates) == 1
    assert forward.duplicates[0].kept == backward.duplicates[0].kept

    a = _without_build_graph((tmp_path / "a" / "graph.nq").read_text())
    b = _without_build_graph((tmp_path / "b" / "graph.nq").read_text())
    assert a and a == b  # sorted N-Quads are canonical: graphbuild writes no blank nodes
    assert f"<{BUILD_GRAPH}> .\n" in (tmp_path / "a" / "graph.nq").read_text()
    assert not (tmp_path / "a" / "store").exists()  # --memory writes no store directory


def test_reingest_changed_record_replaces_exactly_its_triples(tmp_path: Path, examples_dir: Path) -> None:
    from graphbuild.extract.trial import extract_trial
    from graphbuild.readers.inputs import read_inputs

    out = tmp_path / "build"
    build([examples_dir], out, workers=1, validate=False)
    record = next(r for r in read_inputs([examples_dir]) if r.trial_id == SEEDS[1])
    old_title = record.brief_title
    changed = replace(record, brief_title=old_title + " (amended protocol)")
    graph = f"https://w3id.org/graphbuild/id/graph/trial/{SEEDS[1]}"

    with GraphStore.open(out / "store") as store:
        before = {g.value: store.canonical_nquads([g]) for g in store.graphs()}
        ingest(store, [extract_trial(changed)])
        after = {g.value: store.canonical_nquads([g]) for g in store.graphs()}
        titles = {row["t"].value for row in store.query(f"SELECT ?t WHERE {{ ?s <{TITLE}> ?t }}")}

    assert old_title not in titles and changed.brief_title in titles
    assert set(after) == set(before)
    assert after[graph] != before[graph]
    for name in before:
        if name != graph:
            assert after[name] == before[name], f"{name} changed"


def test_failed_build_leaves_previous_build_intact(
    tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "build"
    build([examples_dir], out, reason=False, validate=False, workers=1, turtle=True)
    files = {name: (out / name).read_bytes() for name in ("graph.nq", "graph.ttl", "report.json", "report.md")}
    with GraphStore.read_only(out / "store") as store:
        expected = store.canonical_nquads()

    def broken(store: GraphStore) -> dict[str, int]:
        raise OSError("disk full")

    monkeypatch.setattr(run, "link_counts", broken)  # fails after the store is loaded
    one_seed = sorted(examples_dir.glob("*.txt"))[:1]
    with pytest.raises(OSError, match="disk full"):
        build(one_seed, out, reason=False, validate=False, workers=1)

    assert {name: (out / name).read_bytes() for name in files} == files
    with GraphStore.read_only(out / "store") as store:
        assert store.canonical_nquads() == expected
    assert not _staging_dirs(out)


def test_a_record_whose_extraction_raises_becomes_a_reject(
    tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = process._extract

    def flaky(record):
        if record.trial_id == SEEDS[0]:
            raise ValueError("unparseable outcome")
        return real(record)

    monkeypatch.setattr(process, "_extract", flaky)
    seen: list[tuple[int, int]] = []
    report = build([examples_dir], tmp_path, memory=True, reason=False, validate=False, workers=1,
                   progress=lambda done, rejected: seen.append((done, rejected)))
    assert report.exit_code == 1 and report.trials_loaded == 2
    (reject,) = report.rejects
    assert reject.file.endswith(f"{SEEDS[0]}.txt") and SEEDS[0] in reject.record
    assert reject.field == "(extraction)" and reject.reason == "ValueError: unparseable outcome"
    assert seen[-1] == (3, 1)
    assert "unparseable outcome" in (tmp_path / "report.md").read_text()


def test_the_build_directory_inside_an_input_folder_is_not_read(tmp_path: Path, examples_dir: Path) -> None:
    folder = tmp_path / "records"
    shutil.copytree(examples_dir, folder)
    for _ in range(2):  # the second build finds the first one's report.json under the input
        report = build([folder], folder / "output", memory=True, reason=False, validate=False, workers=1)
        assert (report.records_read, report.rejects) == (3, [])
    assert (folder / "output" / "report.json").is_file()


def test_process_stream_keeps_input_order_through_the_pool(examples_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphbuild.readers.inputs import read_inputs

    records = list(read_inputs([examples_dir]))
    # enough records to start the pool (ids renamed so each is distinct)
    many = [replace(r, trial_id=f"{r.trial_id}-{i}") for i in range(40) for r in records]
    monkeypatch.setattr(stream, "POOL_THRESHOLD", 50)
    monkeypatch.setattr(stream, "CHUNK_SIZE", 7)
    results = list(stream.process_stream(many, workers=2))
    assert [p.trial_id for p in results] == [r.trial_id for r in many]
    sequential = [process.process_record(r) for r in many[:5]]
    assert [p.nquads for p in results[:5]] == [p.nquads for p in sequential]


@pytest.mark.corpus
@pytest.mark.slow
def test_every_corpus_record_builds(corpus_graph: Path) -> None:
    # the session's one corpus build (conftest.py); its report as the build wrote it
    report = json.loads((corpus_graph / "report.json").read_text())
    assert report["rejects"] == [], report["rejects"][:5]
    assert report["records_read"] >= 1500
    assert report["trials_loaded"] == report["records_read"] - len(report["duplicates"])
    assert report["node_counts"]["trials"] == report["trials_loaded"]
    assert report["node_counts"]["endpoints"] > report["trials_loaded"]
    # graph.nq (written from what the workers serialized, minus replaced duplicates) is the store
    with GraphStore.read_only(corpus_graph / "store") as store, GraphStore.in_memory() as loaded:
        loaded.ox.bulk_load(path=str(corpus_graph / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        assert loaded.count() == store.count()
        assert loaded.canonical_nquads() == store.canonical_nquads()
        (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    turtle = {(t.subject, t.predicate, t.object) for t in ox.parse(path=str(corpus_graph / "graph.ttl"))}
    assert len(turtle) == int(row["n"].value)


def test_graph_ttl_only_when_asked(tmp_path: Path, examples_dir: Path) -> None:
    """graph.ttl costs the workers a second serialization of every trial: written with
    `turtle=True` only, and a later build without it leaves no stale graph.ttl link behind."""
    out = tmp_path / "build"
    build([examples_dir], out, reason=False, validate=False, workers=1, turtle=True)
    assert (out / "graph.ttl").is_file()
    report = build([examples_dir], out, reason=False, validate=False, workers=1)
    assert not (out / "graph.ttl").exists() and not (out / "graph.ttl").is_symlink()
    assert "graph.ttl" not in report.outputs
    assert (out / "graph.nq").is_file()
