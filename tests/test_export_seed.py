"""The seed graph every export test reads: built once per session from `examples/`, then
opened read-only. The tests here pin what the other export tests rely on, so a change in the
build shows up as one clear failure rather than as puzzling export diffs.

Other export test modules define their fixtures with `seed_build` and `open_seed` from here;
the build is memoized, so it runs once per session whichever module asks first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from graphbuild.build import build
from graphbuild.store import GraphStore

GB = "https://w3id.org/graphbuild/vocab#"
TRIAL_002 = "https://w3id.org/graphbuild/id/trial/002_2917b9526c9dc599"
TRIAL_001 = "https://w3id.org/graphbuild/id/trial/001_5b0f834bc6f69eca"
CD7 = "https://identifiers.org/hgnc:1695"
TNFRSF17 = "https://identifiers.org/hgnc:11913"

_BUILT: dict[str, object] = {}


def seed_build(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    """A `graphbuild build` of the seed examples (with reasoning, so directedAt exists)."""
    if "dir" not in _BUILT:
        out = tmp_path_factory.mktemp("export-seed")
        _BUILT["report"] = build([examples_dir], out, validate=False, workers=1)
        _BUILT["dir"] = out
    return _BUILT["dir"]  # type: ignore[return-value]


@contextmanager
def open_seed(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Iterator[GraphStore]:
    """The seed build's store, read-only (any number of modules may hold it at once)."""
    store = GraphStore.from_build(seed_build(tmp_path_factory, examples_dir), read_only=True)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    return seed_build(tmp_path_factory, examples_dir)


@pytest.fixture(scope="module")
def seed_store(
    tmp_path_factory: pytest.TempPathFactory, examples_dir: Path
) -> Iterator[GraphStore]:
    with open_seed(tmp_path_factory, examples_dir) as store:
        yield store


def sparql_count(store: GraphStore, where: str) -> int:
    """COUNT(*) of a group pattern over the union graph."""
    rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
    return int(rows[0]["n"].value)


def test_seed_build_is_what_the_export_tests_expect(seed_dir: Path, seed_store: GraphStore) -> None:
    report = _BUILT["report"]
    assert report.trials_loaded == 3 and not report.rejects
    assert report.reasoning.get("ran") is True
    assert (seed_dir / "store").is_dir()
    # the trial-level antigen links the Neo4j test questions exist, and how they are stored:
    # 002 states CD7 on its intervention; 001's TNFRSF17 rests on an *inferred* intervention
    # link, and the trial-level gb:directedAt comes from the reasoner (inferred graph).
    assert (
        sparql_count(seed_store, f"<{TRIAL_002}> gb:hasIntervention/gb:targetsAntigen <{CD7}>") == 1
    )
    assert (
        sparql_count(
            seed_store,
            f"""?link rdf:predicate gb:targetsAntigen ; rdf:object <{TNFRSF17}> ; gb:basis "inferred" ;
                  rdf:subject ?i . <{TRIAL_001}> gb:hasIntervention ?i""",
        )
        == 1
    )
    assert (
        sparql_count(
            seed_store,
            f"GRAPH <https://w3id.org/graphbuild/id/graph/inferred> {{ <{TRIAL_001}> gb:directedAt <{TNFRSF17}> }}",
        )
        == 1
    )
