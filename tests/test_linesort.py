"""Sorted N-Quads in bounded memory (graphbuild/linesort.py): the same bytes as sorting every
line in memory, whatever the run size, and no spill file left behind."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphbuild.linesort import SortedLines
from graphbuild.rdf.namespaces import INFERRED_GRAPH, VOCABULARY_GRAPH
from graphbuild.store import GraphStore


def _in_memory(store: GraphStore, graph: object) -> bytes:
    buffer = io.BytesIO()
    store.write_quads(buffer, [graph])
    return b"".join(sorted(buffer.getvalue().splitlines(keepends=True)))


@pytest.mark.corpus
@pytest.mark.parametrize("run_bytes", [1, 4096, 1 << 20, 1 << 30])
def test_a_graph_of_the_corpus_build_sorts_as_in_memory(
    corpus_graph: Path, tmp_path: Path, run_bytes: int
) -> None:
    store = GraphStore(ox.Store.read_only(str(corpus_graph / "store")))
    for graph in (INFERRED_GRAPH, VOCABULARY_GRAPH):
        expected = _in_memory(store, graph)
        assert expected.count(b"\n") > 1000
        out = io.BytesIO()
        sink = SortedLines(out, tmp_path, run_bytes)
        store.write_quads(sink, [graph])  # type: ignore[arg-type]
        spilled = len(sink.runs)
        sink.close()
        assert out.getvalue() == expected, (graph, run_bytes)
        assert (spilled > 0) == (len(expected) >= run_bytes)
        assert list(tmp_path.iterdir()) == []


def test_write_sorted_quads_appends_and_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = GraphStore.in_memory()
    graph = ox.NamedNode("https://example.org/g")
    quads = [
        ox.Quad(ox.NamedNode(f"https://example.org/s{i % 7}"), ox.NamedNode("https://example.org/p"),
                ox.Literal(f"value {i}"), graph)
        for i in range(500, 0, -1)
    ]
    store.ox.extend(quads)
    out = io.BytesIO()
    out.write(b"first line\n")
    store.write_sorted_quads(out, graph, tmp_path)
    lines = out.getvalue().splitlines(keepends=True)
    assert lines[0] == b"first line\n" and lines[1:] == sorted(lines[1:]) and len(lines) == 501

    class Broken:  # an output that fails as a full disk does
        def writelines(self, lines: object) -> None:
            raise OSError("disk full")

    sink = SortedLines(Broken(), tmp_path, run_bytes=64)  # type: ignore[arg-type]
    sink.write(b"b\na\n" * 100)
    assert sink.runs and list(tmp_path.iterdir())
    with pytest.raises(OSError, match="disk full"):
        sink.close()
    assert list(tmp_path.iterdir()) == []
