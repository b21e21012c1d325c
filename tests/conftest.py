"""Shared test fixtures: where the bundled examples and the shared corpus live, and the corpus
graph, built once per session for every test that needs it (the build takes most of a minute)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
SHARED = Path(os.environ.get("GRAPHBUILD_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"
VOCAB = SHARED / "vocab"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


@pytest.fixture(scope="session")
def vocab_dir() -> Path:
    if not VOCAB.is_dir():
        pytest.skip("../shared/vocab is absent")
    return VOCAB


@pytest.fixture(scope="session")
def corpus_graph(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """A build folder (`store/`, `graph.nq`, `graph.ttl`, `report.json`) of the whole shared
    corpus, built by the pipeline with reasoning and without validation. At least two workers,
    so the build goes through the process pool as a real corpus build does. Tests read its
    report from `report.json`; they must not write to it."""
    from graphbuild.build import build

    out = tmp_path_factory.mktemp("corpus-graph")
    report = build([corpus_dir], out, workers=max(2, os.cpu_count() or 1), validate=False, turtle=True)
    assert report.trials_loaded > 1000, report.rejects[:5]
    return out


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path):
    """The seed examples' build (made once per session by tests/test_export_seed.py), opened
    read-only for one test module: the graph every export test reads."""
    from test_export_seed import open_seed

    with open_seed(tmp_path_factory, examples_dir) as store:
        yield store
