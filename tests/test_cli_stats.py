"""`graphbuild stats` and the `graph_summary` query: the diseases the trials name, counted
apart from the MeSH ancestors the vocabulary graph holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphbuild.cli import main
from graphbuild.queries import open_graph, run_query

# tests/gold (v2 conventions: one descriptor per stated condition, title diseases beside them):
# seed 000 studies D009101 and D007952, 001 D009101, 002 its four stated classes (D009369,
# D019337, D009371, D006402) and D054218 from its title
SEED_DISEASES = 7


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("stats-seed")
    assert (
        main(
            ["build", str(examples_dir), "-o", str(out), "--no-validate", "--no-report-html", "-q"]
        )
        == 0
    )
    return out


def test_graph_summary_counts_named_diseases_apart_from_ancestors(seed_graph: Path) -> None:
    counts = {r["kind"]: r["n"] for r in run_query(open_graph(seed_graph), "graph_summary")}
    assert counts["diseases"] == SEED_DISEASES
    assert counts["disease classes with MeSH ancestors"] > SEED_DISEASES  # the hierarchy's
    assert counts["trials"] == 3 and counts["target antigens"] == 2
    report = json.loads((seed_graph / "report.json").read_text())
    assert report["node_counts"]["diseases"] == counts["diseases"]  # the build says the same


def test_stats_json_counts_and_top_lists(
    seed_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--graph", str(seed_graph), "--format", "json", "--top", "3"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["counts"]["diseases"] == SEED_DISEASES
    assert stats["top"]["target antigens"] == [["CD7", 1], ["TNFRSF17", 1]]
    assert stats["top"]["diseases"][0] == ["Multiple Myeloma", 2]  # seeds 000 and 001
    assert len(stats["top"]["endpoint concepts"]) == 3
    # OS is measured by all three seeds (tests/gold); every other concept by at most two
    assert stats["top"]["endpoint concepts"][0] == ["OS", 3]
    assert all(n == 2 for _, n in stats["top"]["endpoint concepts"][1:])


def test_stats_text(seed_graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--graph", str(seed_graph)]) == 0
    out = capsys.readouterr().out
    assert "top target antigens (trials)" in out and "TNFRSF17" in out
    line = next(l for l in out.splitlines() if l.strip().startswith("diseases "))
    assert line.split()[-1] == str(SEED_DISEASES)


@pytest.mark.corpus
def test_corpus_disease_count_matches_the_build_report(corpus_graph: Path) -> None:
    counts = {r["kind"]: r["n"] for r in run_query(open_graph(corpus_graph), "graph_summary")}
    report = json.loads((corpus_graph / "report.json").read_text())
    assert counts["diseases"] == report["node_counts"]["diseases"]
    assert counts["diseases"] < counts["disease classes with MeSH ancestors"]
