"""SHACL over the trial graphs, a chunk at a time: pyrudof (a kept session per process, a small
pool of processes for large graphs) or pyshacl (an rdflib Graph per chunk); trial graphs a
build's workers already checked are only read back for their results."""

from __future__ import annotations

import io
import multiprocessing
import os
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from graphbuild.rdf.namespaces import GBR, INFERRED_GRAPH
from graphbuild.reason import ontology_graph, oxigraph_store, short
from graphbuild.resources import ontology_path
from graphbuild.validate.report import Violation, trial_id_of_graph, violation_order
from graphbuild.validate.rudof import RawResult, ShaclSpec, check_graph
from graphbuild.validate.shapes import default_shapes, shape_messages, shapes_graph

# pyrudof: ~3.2 ms of CPU a trial in chunks of 10, ~5.9 in chunks of 100 (and ~2 MiB a trial)
DEFAULT_CHUNK_SIZE = 10
PYSHACL_CHUNK_SIZE = 100  # pyshacl: a fixed cost per run, so larger chunks
# SHACL engines: pyrudof (Rust, the default) and pyshacl (pure Python, ~5x slower per trial;
# kept as a cross-check: both give the same violations on the corpus and the broken test graphs)
SHACL_ENGINES = ("rudof", "pyshacl")
DEFAULT_SHACL_ENGINE = "rudof"
_TRIAL_IRI_PREFIX = str(GBR["trial/"])
SHAPES_IRI = "https://w3id.org/graphbuild/shapes#"
_INFERRED = ox.NamedNode(str(INFERRED_GRAPH))
_SEVERITIES = {str(SH.Violation): "Violation", str(SH.Warning): "Warning", str(SH.Info): "Info"}


def _rdflib_term(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(
            term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype)
        )
    raise TypeError(f"unsupported RDF term {term!r}")


def _hierarchy(ontology: Graph) -> list[tuple]:
    """The ontology's rdfs:subClassOf triples: all SHACL needs of it for class targets."""
    return list(ontology.triples((None, RDFS.subClassOf, None)))


@dataclass
class _Chunk:
    """Some graphs' triples as one rdflib Graph (for pyshacl) or as N-Triples (for pyrudof),
    and which trial graphs hold each subject."""

    graph: Graph | None
    trials_of: dict[str, set[str]]
    names: set[Any]
    ntriples: bytes = b""
    triples: int = 0


class _TrialsOf(dict):
    """subject IRI -> the chunk's trial graphs that hold it, looked up when first asked (only
    the focus nodes of violations ever are), not built for every triple of the chunk."""

    def __init__(self, store: ox.Store, names: set[Any]) -> None:
        super().__init__()
        self.store = store
        self.names = names

    def get(self, node: str, default: Any = None) -> Any:  # type: ignore[override]
        if node not in self:
            graphs = {
                q.graph_name
                for q in self.store.quads_for_pattern(ox.NamedNode(node), None, None, None)
            }
            self[node] = {t for g in graphs & self.names if (t := trial_id_of_graph(g)) is not None}
        return super().get(node, default)


def _load_chunk_ntriples(store: ox.Store, graphs: list[Any]) -> _Chunk:
    """The graphs' triples as N-Triples, written by Oxigraph graph by graph (no Python object
    per triple, no rdflib Graph in between). The class hierarchy is not added: the checking
    session holds it (`ShaclSpec.base`)."""
    buffer = io.BytesIO()
    for name in graphs:
        store.dump(buffer, ox.RdfFormat.N_TRIPLES, from_graph=name)
    data = buffer.getvalue()
    names = set(graphs)
    return _Chunk(None, _TrialsOf(store, names), names, data, data.count(b"\n"))


def _load_chunk(store: ox.Store, graphs: list[Any], hierarchy: list[tuple]) -> _Chunk:
    data = Graph()
    trials_of: dict[str, set[str]] = {}
    for name in graphs:
        trial = trial_id_of_graph(name)
        for quad in store.quads_for_pattern(None, None, None, name):
            data.add(
                (
                    _rdflib_term(quad.subject),
                    _rdflib_term(quad.predicate),
                    _rdflib_term(quad.object),
                )
            )
            if trial is not None:
                trials_of.setdefault(str(_rdflib_term(quad.subject)), set()).add(trial)
    for triple in hierarchy:
        data.add(triple)
    return _Chunk(data, trials_of, set(graphs))


_XSD_PREFIX = "xsd:"
_RUDOF_LITERAL = re.compile(r'^"(.*)"(?:\^\^(\S+)|@([A-Za-z0-9-]+))?$', re.DOTALL)


def _rudof_term(text: str | None) -> Any:
    """A term as pyrudof prints it (an IRI bare, a literal in quotes with ^^datatype or @lang,
    a boolean bare as in Turtle, `_:b0` for a blank node) as the rdflib term pyshacl would have
    given."""
    if text is None:
        return None
    if text in ("true", "false"):  # never an IRI: pyrudof's IRIs are absolute
        return Literal(text, datatype=XSD.boolean)
    literal = _RUDOF_LITERAL.match(text)
    if literal:
        value, datatype, language = literal.groups()
        if language:
            return Literal(value, lang=language)
        if datatype:
            datatype = datatype.strip("<>")
            if datatype.startswith(_XSD_PREFIX):
                datatype = str(XSD) + datatype[len(_XSD_PREFIX) :]
            return Literal(
                value, datatype=None if datatype == str(XSD.string) else URIRef(datatype)
            )
        return Literal(value)
    if text.startswith("_:"):
        return BNode(text[2:])
    return URIRef(text.strip("<>"))


def _rudof_violations(
    raw: list[RawResult], chunk: _Chunk, store: ox.Store, messages: Mapping[str, str]
) -> Iterator[Violation]:
    """pyrudof's results for one chunk as Violations, named as pyshacl's would be, with the
    shape's own sh:message (`messages`) where it has one."""
    for focus_text, path_text, value_text, shape, component, message_text, severity in raw:
        focus = _rudof_term(focus_text)
        path = _rudof_term(path_text)
        value = _rudof_term(value_text)
        if shape.startswith(SHAPES_IRI):
            rule = "gbsh:" + shape[len(SHAPES_IRI) :]
        elif shape and not shape.startswith("_:"):
            rule = short(shape)
        else:  # an anonymous shape: name it by its constraint instead
            rule = short(component)
        message = messages.get(shape) or _rudof_term(message_text)
        text = str(message) if message is not None else rule
        yield from _violations(store, chunk, focus, path, value, rule, text, severity)


# Chunks of N-Triples checked by pyrudof in this many processes at once when a graph has more
# than PARALLEL_MIN_CHUNKS chunks: the main process reads the next chunks out of the store
# while the others are checked (pyrudof holds the GIL, so threads would not help).
PARALLEL_MIN_CHUNKS = 3


def _rudof_chunks(
    store: ox.Store, chunks: list[list[Any]], spec: ShaclSpec, *, parallel: bool
) -> Iterator[tuple[_Chunk, list[RawResult]]]:
    """Each chunk with pyrudof's results: in-process for a few chunks, else in a small pool
    of processes with a bounded number of chunks in flight (memory stays flat)."""
    if not parallel or len(chunks) < PARALLEL_MIN_CHUNKS or (os.cpu_count() or 1) < 2:
        for graphs in chunks:
            chunk = _load_chunk_ntriples(store, graphs)
            yield chunk, check_graph(spec, chunk.ntriples)
        return
    workers = min(os.cpu_count() or 1, 4)
    context = multiprocessing.get_context("spawn")  # a clean process: no store, no threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque = deque()
        for graphs in chunks:
            chunk = _load_chunk_ntriples(store, graphs)
            pending.append((chunk, pool.submit(check_graph, spec, chunk.ntriples)))
            chunk.ntriples = b""  # handed over; keep only what naming the trials needs
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def _violations(
    store: ox.Store,
    chunk: _Chunk,
    focus: Any,
    path: Any,
    value: Any,
    rule: str,
    text: str,
    severity: str,
) -> Iterator[Violation]:
    """One SHACL result as a Violation per trial it belongs to (one for the vocabulary)."""
    path_text = short(str(path)) if isinstance(path, URIRef) else None
    trials = _trials_for(store, chunk, focus, path, value)
    if not trials and isinstance(focus, URIRef):
        text += _users(store, focus)
    for trial in trials or [None]:
        yield Violation(
            trial,
            str(focus),
            path_text,
            rule,
            text,
            severity,
            None if value is None else str(value),
        )


def _shacl_chunk(chunk: _Chunk, shapes: Graph, store: ox.Store) -> Iterator[Violation]:
    import pyshacl

    _, results, _ = pyshacl.validate(
        chunk.graph,
        shacl_graph=shapes,
        inference="none",
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
        advanced=False,
    )
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        shape = results.value(result, SH.sourceShape)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        severity = _SEVERITIES.get(str(results.value(result, SH.resultSeverity)), "Violation")
        if isinstance(shape, BNode):  # an anonymous shape: name it by its constraint instead
            rule = short(str(results.value(result, SH.sourceConstraintComponent)))
        elif str(shape).startswith(SHAPES_IRI):
            rule = "gbsh:" + str(shape)[len(SHAPES_IRI) :]
        else:
            rule = short(str(shape))
        text = str(message) if message is not None else rule
        yield from _violations(store, chunk, focus, path, value, rule, text, severity)


def _users(store: ox.Store, node: URIRef) -> str:
    """` (used by 3 trial(s): A, B, C)`: the trials pointing at a shared node, so a problem in
    the vocabulary graph still leads to the trials whose answers it affects."""
    users = {
        trial_id_of_graph(q.graph_name)
        for q in store.quads_for_pattern(None, None, ox.NamedNode(str(node)), None)
    }
    users.discard(None)
    if not users:
        return ""
    listed = sorted(users)  # type: ignore[arg-type]
    more = ", ..." if len(listed) > 3 else ""
    return f" (used by {len(listed)} trial(s): {', '.join(listed[:3])}{more})"


def _trials_for(store: ox.Store, chunk: _Chunk, focus: Any, path: Any, value: Any) -> list[str]:
    """The trials a result belongs to: the one the focus IRI is scoped to
    (`gbr:trial/{id}/...`); else, for a shared node (antigen, disease), the chunk's trial
    graphs that hold the offending triple itself, or failing that every trial graph of the
    chunk describing the node (none in the vocabulary chunk: the result is the vocabulary's)."""
    node = str(focus)
    if node.startswith(_TRIAL_IRI_PREFIX):
        return [unquote(node[len(_TRIAL_IRI_PREFIX) :].split("/", 1)[0])]
    if isinstance(focus, URIRef) and isinstance(path, URIRef) and value is not None:
        term = _oxigraph_term(value)
        if term is not None:
            quads = store.quads_for_pattern(ox.NamedNode(node), ox.NamedNode(str(path)), term, None)
            in_chunk = [q.graph_name for q in quads if q.graph_name in chunk.names]
            if in_chunk:
                return sorted({t for t in map(trial_id_of_graph, in_chunk) if t is not None})
    return sorted(chunk.trials_of.get(node, ()))


def _oxigraph_term(term: Any) -> ox.NamedNode | ox.Literal | None:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    return None


def hierarchy_ntriples() -> bytes:
    """`_hierarchy` as N-Triples, what each pyrudof chunk gets: from the on-disk artifact
    cache (`graphbuild.cache`), keyed by the ontology and graphbuild's source, so validating a
    few trials (`graphbuild add`) does not parse the ontology with rdflib every time."""
    from graphbuild.cache import cached

    def compute() -> bytes:
        graph = Graph()
        for triple in _hierarchy(ontology_graph()):
            graph.add(triple)
        return graph.serialize(format="nt", encoding="utf-8")

    return cached("shacl-hierarchy", [ontology_path("graphbuild.ttl")], compute)


def shacl_spec(shapes: Path | None = None) -> ShaclSpec:
    """What a process needs to check graphs with pyrudof on its own (`graphbuild.validate.rudof`):
    the shapes file and the ontology's rdfs:subClassOf triples as N-Triples."""
    return ShaclSpec(str(shapes or default_shapes()), hierarchy_ntriples())


Checked = Mapping[str, tuple[Sequence[RawResult], int]]
"""Trial graphs already checked with pyrudof (a build's workers check each trial graph they
serialize): graph IRI -> (raw results, triples checked)."""


def _rudof_pass(
    store: ox.Store,
    chunks: list[list[Any]],
    spec: ShaclSpec,
    messages: Mapping[str, str],
    progressed: tuple[Callable[[int, int], None] | None, int, int],
    *,
    parallel: bool,
) -> tuple[set[Violation], int]:
    """pyrudof over every chunk: (violations, triples checked). `progressed` is (listener,
    chunks already done, chunks in all): the listener hears about each chunk from there on, so a
    pass started again after a broken pool reports the same steps again."""
    progress, done, total = progressed
    found: set[Violation] = set()
    triples = 0
    for step, (chunk, raw) in enumerate(
        _rudof_chunks(store, chunks, spec, parallel=parallel), start=done + 1
    ):
        triples += chunk.triples
        found.update(_rudof_violations(raw, chunk, store, messages))
        if progress is not None:
            progress(step, total)
    return found, triples


def shacl_violations(
    store: Any,
    *,
    chunk_size: int | None = None,
    shapes: Path | None = None,
    engine: str = DEFAULT_SHACL_ENGINE,
    progress: Callable[[int, int], None] | None = None,
    checked: Checked | None = None,
    trials_only: bool = False,
) -> tuple[list[Violation], int, int, int]:
    """SHACL over every graph but the inferred one, `chunk_size` trial graphs at a time (the
    other graphs, such as the vocabulary, form one more chunk, unless `trials_only`), with
    `engine` (`rudof` or `pyshacl`; `chunk_size` None: the engine's own default). Returns
    (violations, trials, chunks, triples). `progress(chunks done, chunks)` is called after each
    chunk.

    `checked` (rudof only): trial graphs whose results are already known, each one chunk of
    its own (chunking does not change the answer); only the others are read out of the store.
    Each is checked against the same shapes and hierarchy (`shacl_spec`) as here."""
    if engine not in SHACL_ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r}; known: {', '.join(SHACL_ENGINES)}")
    if checked is not None and engine != "rudof":
        raise ValueError("checked trial graphs come from pyrudof; use engine='rudof'")
    ox_store = oxigraph_store(store)
    names = sorted((g for g in ox_store.named_graphs() if g != _INFERRED), key=lambda g: g.value)
    trial_graphs = [g for g in names if trial_id_of_graph(g) is not None]
    shared = [g for g in names if trial_id_of_graph(g) is None] + [ox.DefaultGraph()]
    known = checked or {}
    messages = shape_messages(shapes)
    unchecked = [g for g in trial_graphs if g.value not in known]
    size = chunk_size or (PYSHACL_CHUNK_SIZE if engine == "pyshacl" else DEFAULT_CHUNK_SIZE)
    chunks = [unchecked[i : i + size] for i in range(0, len(unchecked), size)]
    if not trials_only:
        chunks.append(shared)
    found: set[Violation] = set()
    triples = 0
    total = len(chunks) + (1 if known else 0)
    done = 0
    if known:
        for graph in trial_graphs:
            if graph.value in known:
                raw, count = known[graph.value]
                triples += count
                if raw:
                    chunk = _Chunk(None, _TrialsOf(ox_store, {graph}), {graph}, b"", count)
                    found.update(_rudof_violations(list(raw), chunk, ox_store, messages))
        done = 1
        if progress is not None:
            progress(done, total)
    if engine == "rudof":
        spec = shacl_spec(shapes)
        progressed = (progress, done, total)
        try:
            more, counted = _rudof_pass(ox_store, chunks, spec, messages, progressed, parallel=True)
        except BrokenProcessPool:  # e.g. a __main__ that a spawned process cannot re-import
            more, counted = _rudof_pass(ox_store, chunks, spec, messages, progressed, parallel=False)
        found |= more
        triples += counted
    else:
        shapes_g = shapes_graph(shapes)
        hierarchy = _hierarchy(ontology_graph())
        for done, graphs in enumerate(chunks, start=1):
            chunk = _load_chunk(ox_store, graphs, hierarchy)
            triples += len(chunk.graph) - len(hierarchy)
            found.update(_shacl_chunk(chunk, shapes_g, ox_store))
            if progress is not None:
                progress(done, len(chunks))
    return sorted(found, key=violation_order), len(trial_graphs), len(chunks) + len(known), triples
