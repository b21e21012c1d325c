"""Shared test fixtures: where the bundled examples and the shared corpus live."""

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
