"""The graph store: embedded Oxigraph, on disk by default, with an rdflib view.

Oxigraph does the heavy lifting (bulk loading, SPARQL over the union of named graphs); rdflib
is offered as a view over the *same* store (oxrdflib) for code that wants the rdflib API, so
there is one copy of the data, never two that can drift apart.

Writes come in two shapes: `bulk_load` (a whole build, fast, not transactional) and
`replace_graph` (one trial re-ingested: its named graph cleared and refilled, nothing else
touched).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Mapping

import pyoxigraph as ox

from graphbuild.rdf.prefixes import GBR_IRI, PREFIXES

# Output formats `dump` knows, by name and by file suffix.
FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
}
_QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}
_TRIAL_GRAPH_PREFIX = f"{GBR_IRI}graph/trial/"

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def oxigraph_store(store: object) -> ox.Store:
    """The pyoxigraph Store behind `store`: a pyoxigraph.Store itself, or anything that keeps
    one as `.ox` (a `GraphStore`). What the layers above take, so they accept either."""
    inner = getattr(store, "ox", store)
    if not isinstance(inner, ox.Store):
        raise TypeError(f"expected a pyoxigraph.Store or a GraphStore, not {type(store).__name__}")
    return inner


def _graph_node(graph: object) -> ox.NamedNode | ox.DefaultGraph:
    if isinstance(graph, (ox.NamedNode, ox.DefaultGraph)):
        return graph
    return ox.NamedNode(str(graph))


class GraphStore:
    """One Oxigraph store (`.ox`), opened on a directory or in memory."""

    def __init__(self, store: ox.Store, path: Path | None = None, *, read_only: bool = False) -> None:
        self.ox: ox.Store = store
        self.path = path
        self.read_only = read_only

    # -- opening and closing -------------------------------------------------------------------

    @classmethod
    def open(cls, directory: str | os.PathLike[str]) -> "GraphStore":
        """The store in `directory` (created when absent), read-write."""
        path = Path(directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(ox.Store(str(path)), path)

    @classmethod
    def read_only(cls, directory: str | os.PathLike[str]) -> "GraphStore":
        """A read-only view of a store on disk (for query and serve)."""
        path = Path(directory)
        if not path.is_dir():
            raise FileNotFoundError(f"no graph store at {path}")
        return cls(ox.Store.read_only(str(path)), path, read_only=True)

    @classmethod
    def in_memory(cls) -> "GraphStore":
        return cls(ox.Store(), None)

    @classmethod
    def from_build(cls, directory: str | os.PathLike[str], *, read_only: bool = True) -> "GraphStore":
        """The graph a `graphbuild build` wrote into `directory`: its Oxigraph store, or,
        for a `--memory` build (no `store/`), its `graph.nq` loaded into memory. The folder's
        `current` link is resolved once, so a build committed meanwhile is never half seen."""
        path = Path(directory)
        if (path / "current").is_symlink():
            path = (path / "current").resolve()
        if (path / "store").is_dir():
            return cls.read_only(path / "store") if read_only else cls.open(path / "store")
        if (path / "graph.nq").is_file():
            store = cls.in_memory()
            store.ox.bulk_load(path=str(path / "graph.nq"), format=ox.RdfFormat.N_QUADS)
            return store
        raise FileNotFoundError(f"{path} holds no graphbuild build (no store/ and no graph.nq)")

    def close(self) -> None:
        """Flush and release the store (RocksDB holds a lock on its directory until then)."""
        store = getattr(self, "ox", None)
        if store is None:
            return
        if self.path is not None and not self.read_only:
            store.flush()
        self.ox = None  # type: ignore[assignment]
        del store
        gc.collect()  # pyoxigraph closes the database when the last reference goes

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------------

    def bulk_load(self, quads: Iterable[ox.Quad] | bytes) -> None:
        """Add many quads at once: an iterable of Quads (`bulk_extend`) or N-Quads bytes
        (Oxigraph's parser, the fastest path when quads were serialized by a worker)."""
        if isinstance(quads, (bytes, bytearray)):
            if quads:
                self.ox.bulk_load(bytes(quads), ox.RdfFormat.N_QUADS)
            return
        self.ox.bulk_extend(quads)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add a few quads in one transaction (all or nothing)."""
        self.ox.extend(quads)

    def replace_graph(self, graph: object, quads: Iterable[ox.Quad] | bytes) -> None:
        """Make `graph` hold exactly `quads`: clear it, then insert. Quads of other graphs are
        rejected, so a caller cannot leak a trial's facts outside its graph."""
        name = _graph_node(graph)
        if isinstance(quads, (bytes, bytearray)):
            quads = list(ox.parse(bytes(quads), ox.RdfFormat.N_QUADS))
        else:
            quads = list(quads)
        for quad in quads:
            if quad.graph_name != name:
                raise ValueError(f"quad outside {name}: {quad}")
        if isinstance(name, ox.DefaultGraph):
            self.ox.clear_graph(name)
        else:
            self.ox.remove_graph(name)
        self.ox.extend(quads)

    def remove_graph(self, graph: object) -> None:
        self.ox.remove_graph(_graph_node(graph))

    def optimize(self) -> None:
        """Compact the store on disk (RocksDB's full compaction of every index). A bulk load
        ingests its sorted files beside the earlier ones, so after a build every index lookup
        searches many overlapping files; compacted, the stored queries run 1.1-2x faster at
        100,000 trials (README, "Stored queries at scale"). Oxigraph holds no GIL meanwhile, so
        a build runs it beside its outputs. A no-op for a store in memory or opened read-only."""
        if self.path is not None and not self.read_only:
            self.ox.optimize()

    # -- reading ---------------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        union: bool = True,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run SPARQL; by default the default graph is the union of all named graphs, as
        docs/graph-model.md promises. `bindings` pre-bind variables (SEP-0007 substitution)."""
        substitutions = {ox.Variable(k): _term(v) for k, v in (bindings or {}).items()}
        return self.ox.query(
            sparql,
            use_default_graph_as_union=union,
            substitutions=substitutions or None,
            prefixes=PREFIXES,
        )

    def update(self, sparql: str) -> None:
        self.ox.update(sparql, prefixes=PREFIXES)

    def graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        """The named graphs, sorted by IRI."""
        return sorted(self.ox.named_graphs(), key=lambda g: g.value)

    def quads(self, graph: object | None = None) -> Iterator[ox.Quad]:
        name = None if graph is None else _graph_node(graph)
        return self.ox.quads_for_pattern(None, None, None, name)

    def count(self, graph: object | None = None) -> int:
        """Quads in the store, or in one graph (counted by Oxigraph: no Python object per quad,
        1.9 million of them in the inferred graph of a 100,000-trial build)."""
        if graph is None:
            return len(self.ox)
        name = _graph_node(graph)
        if isinstance(name, ox.DefaultGraph):
            return sum(1 for _ in self.quads(graph))
        rows = self.ox.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    def canonical_nquads(self, graphs: Iterable[object] | None = None) -> str:
        """Sorted N-Quads of the given graphs (all when None). graphbuild writes no blank
        nodes, so this is a canonical form: equal strings iff equal datasets."""
        selected = self.graphs() if graphs is None else [_graph_node(g) for g in graphs]
        lines: list[str] = []
        for name in selected:
            lines.extend(f"{quad} ." for quad in self.quads(name))
        lines.sort()
        return "".join(line + "\n" for line in lines)

    # -- writing out -----------------------------------------------------------------------------

    def dump(self, path: str | os.PathLike[str], format: str | ox.RdfFormat | None = None) -> None:
        """Write the store to `path`. N-Quads and TriG keep the named graphs; Turtle and
        N-Triples get the merged graph (the union, each triple once), streamed graph by graph
        so memory stays flat however big the store."""
        fmt = _format(path, format)
        with open(path, "wb") as handle:
            if fmt in _QUAD_FORMATS:
                prefixes = PREFIXES if fmt is ox.RdfFormat.TRIG else None
                self.ox.dump(handle, fmt, prefixes=prefixes)
            else:
                self.write_merged(handle, fmt)

    def write_quads(self, handle: BinaryIO, graphs: Iterable[object]) -> None:
        """N-Quads of the given graphs, appended to an open binary file."""
        for graph in graphs:  # (Store.dump with from_graph would drop the graph name)
            quads = self.ox.quads_for_pattern(None, None, None, _graph_node(graph))
            ox.serialize(quads, handle, ox.RdfFormat.N_QUADS)

    def write_sorted_quads(self, handle: BinaryIO, graph: object, scratch: Path) -> None:
        """One graph's N-Quads appended to `handle`, lines sorted (graph.nq's canonical
        order), in bounded memory: runs spilled under `scratch` and merged
        (`graphbuild.linesort`)."""
        from graphbuild.linesort import SortedLines

        sink = SortedLines(handle, scratch)
        try:
            self.write_quads(sink, [graph])  # type: ignore[arg-type]
        except BaseException:
            sink.discard()
            raise
        sink.close()

    def write_merged(
        self, handle: BinaryIO, fmt: ox.RdfFormat, *, trial_graphs: bool = True, header: bool = True
    ) -> None:
        """The union of all graphs as triples (Turtle or N-Triples), to an open binary file.
        Trial graphs are disjoint by construction (every subject is one of the trial's own
        nodes), so each is written as is; a triple of any other graph is written only if no
        trial graph and no earlier graph holds it. `trial_graphs=False` leaves the trial
        graphs out (the pipeline writes them from what its workers serialized);
        `header=False` leaves out the Turtle @prefix lines (already written)."""
        prefixes = PREFIXES if fmt is ox.RdfFormat.TURTLE else None
        if prefixes and header:
            handle.write(turtle_header())
        graphs = self.graphs()
        others: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            g for g in graphs if not g.value.startswith(_TRIAL_GRAPH_PREFIX)
        ]
        others.append(ox.DefaultGraph())
        if trial_graphs:
            for graph in graphs:
                if graph.value.startswith(_TRIAL_GRAPH_PREFIX):
                    data = self.ox.dump(format=fmt, from_graph=graph, prefixes=prefixes)
                    handle.write(without_prefixes(data))
        written: set[object] = set()
        for graph in others:
            triples = [
                ox.Triple(q.subject, q.predicate, q.object)
                for q in self.ox.quads_for_pattern(None, None, None, graph)
                if not self._held_elsewhere(q, written)
            ]
            if triples:
                handle.write(without_prefixes(ox.serialize(triples, format=fmt, prefixes=prefixes)))
            written.add(graph)

    def _held_elsewhere(self, quad: ox.Quad, written: set[object]) -> bool:
        for other in self.ox.quads_for_pattern(quad.subject, quad.predicate, quad.object, None):
            name = other.graph_name
            if name in written or (
                isinstance(name, ox.NamedNode) and name.value.startswith(_TRIAL_GRAPH_PREFIX)
            ):
                return True
        return False

    def rdflib_dataset(self):  # -> rdflib.Dataset (imported lazily: rdflib is slow to import)
        """An rdflib `Dataset` over this very store (oxrdflib): rdflib's API, Oxigraph's data.
        Its default graph is the union of the named graphs, like `query`."""
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        dataset = Dataset(store=OxigraphStore(store=self.ox), default_union=True)
        for prefix, namespace in PREFIXES.items():
            dataset.bind(prefix, namespace)
        return dataset


def canonical_ntriples(store: ox.Store, graph: str) -> bytes:
    """One named graph as N-Triples, lines sorted: the same graph gives the same bytes in every
    build (a build has no blank nodes), so their SHA-256 says whether a graph changed."""
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return b"".join(sorted(data.splitlines(keepends=True)))


def turtle_header() -> bytes:
    """The @prefix lines every Turtle file graphbuild writes starts with."""
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items()).encode()


def without_prefixes(data: bytes | None) -> bytes:
    """A Turtle chunk minus its leading `@prefix` lines (written once, at the top), so chunks
    serialized one graph (or one trial) at a time concatenate into one document."""
    if not data:
        return b""
    position = 0
    while data.startswith(b"@prefix ", position):
        position = data.index(b"\n", position) + 1
    return data[position:]


def _format(path: str | os.PathLike[str], format: str | ox.RdfFormat | None) -> ox.RdfFormat:
    if isinstance(format, ox.RdfFormat):
        return format
    key = (format or Path(path).suffix.lstrip(".")).lower()
    if key not in FORMATS:
        raise ValueError(f"unknown RDF format {key!r}; known: {', '.join(sorted(FORMATS))}")
    return FORMATS[key]


def _term(value: object) -> Term:
    if isinstance(value, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return value
    # rdflib terms: URIRef -> NamedNode, Literal -> Literal; anything else as a string literal
    from rdflib import Literal as RdfLiteral
    from rdflib import URIRef

    if isinstance(value, URIRef):
        return ox.NamedNode(str(value))
    if isinstance(value, RdfLiteral):
        if value.language:
            return ox.Literal(str(value), language=value.language)
        if value.datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
        return ox.Literal(str(value))
    if isinstance(value, (bool, int, float)):
        return ox.Literal(value)
    return ox.Literal(str(value))
