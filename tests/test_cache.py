"""The on-disk artifact cache: an artifact is computed once per content of its sources, a
changed source gives a fresh key (never the stale artifact), a damaged file is recomputed,
and GRAPHBUILD_CACHE=off turns it off. The cached lexicon artifacts equal a fresh compute."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphbuild import cache


@pytest.fixture()
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRAPHBUILD_CACHE", str(folder))
    return folder


def test_computed_once_per_content_of_its_sources(cache_folder: Path, tmp_path: Path) -> None:
    source = tmp_path / "lexicon.tsv"
    source.write_text("a\tb\n", encoding="utf-8")
    calls: list[str] = []

    def compute() -> dict[str, str]:
        calls.append("x")
        return {"rows": source.read_text(encoding="utf-8")}

    assert cache.cached("thing", [source], compute) == {"rows": "a\tb\n"}
    assert cache.cached("thing", [source], compute) == {"rows": "a\tb\n"}
    assert len(calls) == 1
    source.write_text("a\tc\n", encoding="utf-8")  # an edited lexicon: a new key
    assert cache.cached("thing", [source], compute) == {"rows": "a\tc\n"}
    assert len(calls) == 2

    for path in cache_folder.glob("thing-*.pickle"):
        path.write_bytes(b"not a pickle")
    assert cache.cached("thing", [source], compute) == {"rows": "a\tc\n"}
    assert len(calls) == 3


def test_off_computes_every_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GRAPHBUILD_CACHE", "off")
    assert cache.cache_dir() is None
    calls: list[int] = []
    for _ in range(2):
        cache.cached("thing", [], lambda: calls.append(1) or len(calls))
    assert calls == [1, 1]


def test_cached_lexicon_artifacts_equal_a_fresh_compute(cache_folder: Path) -> None:
    from graphbuild.extract.diseases import matcher
    from graphbuild.vocab import mesh

    fresh_typos, fresh_index = mesh._compute_typo_map(), mesh._compute_name_index()
    fresh_matcher = matcher._compute_matcher()
    for _ in range(2):  # the first call writes the artifact, the second reads it back
        assert cache.cached("mesh-typo-map", mesh._sources("mesh_diseases", "diseases"), mesh._compute_typo_map) == fresh_typos
        assert cache.cached("mesh-name-index", mesh._sources("mesh_diseases", "diseases"), mesh._compute_name_index) == fresh_index
    assert len(fresh_matcher) > 30000
    text = "Relapsed acute myeloid leukaemia and B-cell non-Hodgkin lymphoma"
    assert matcher.matcher().find(text) == fresh_matcher.find(text)
    assert matcher.matcher().find(text)  # it finds something: the comparison is not vacuous


def test_an_edit_to_any_module_gives_a_fresh_key(tmp_path: Path) -> None:
    """A helper the computation calls may live in another module (mesh.py calls lexicon.py):
    editing it must change every key, not only editing the computing module."""
    copy = tmp_path / "graphbuild"
    shutil.copytree(cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = cache.code_fingerprint(copy)
    assert before == cache.code_fingerprint(cache.PACKAGE)
    helper = copy / "vocab" / "lexicon.py"
    helper.write_text(helper.read_text() + "\n# an edit\n")
    assert cache.code_fingerprint.__wrapped__(copy) != before
