"""Validation: SHACL shapes plus the `queries/*-violation.rq` checks, one report.

Two kinds of checks, because each is good at a different thing:

* `ontology/shapes.ttl` (SHACL core, run with pyshacl): what each node must have, with what
  datatype, pattern or value list: per node, closed world.
* `queries/*-violation.rq` (ODK style: a query that returns rows only when the graph is wrong):
  rules across nodes and graphs that SHACL core cannot say briefly, e.g. an edge with no reified
  link beside it, an edge to a node the vocabulary does not describe, offsets that do not fit
  the quote, a trial id used twice. They run unchanged in any SPARQL tool over the union of the
  graphs; each selects `?trial_id ?node ?message`.

A violation names the trial, the node and the rule. The trial comes from the named graph the
offending triples sit in (`gbr:graph/trial/{trial_id}`) or from a trial-scoped IRI
(`gbr:trial/{trial_id}/...`). Antigens, diseases and concepts are described once, in the
vocabulary graph (docs/graph-model.md); a problem there belongs to no single trial, so its
violation has no trial and its message lists the trials that point at the node.

Cost. SHACL runs per chunk of `chunk_size` trial graphs (default 10), each with the
ontology's rdfs:subClassOf triples beside it (so a shape targeting a class also sees its
sub-classes' instances); memory stays bounded by one chunk and time grows linearly with the
trials. Chunking does not change the answer (a test checks chunks of 1 against the default).
The default engine, pyrudof (Rust), takes the chunk as N-Triples that Oxigraph writes (~1.5 ms
a trial to read back out of an on-disk store) and checks it in a session each process keeps
(`graphbuild.validate.rudof.Checker`: ~3 ms of CPU a trial, no fixed cost per chunk), in a small
pool of processes for large graphs. A build does better still: its workers check each trial
graph on the quads they have just made, with the shapes compiled into plain checks
(`graphbuild.validate.compiled`: ~0.6 ms a trial, the same results as pyrudof), and pass the
results in (`checked=`), so only the vocabulary and the other shared graphs are read here. pyshacl (`engine="pyshacl"`, pure Python, an rdflib Graph
per chunk) takes ~17 ms a trial and finds the same violations. The violation queries run on one
thread per core; those marked `# scope: graph` (every pattern inside one named graph) are run
by a build's workers on the trial graphs they make (`graphbuild.validate.scoped`) and here only
on the other graphs (`query_violations(..., checked=...)`). For a quick check of a large graph,
`validate(..., shacl=False)` (CLI `--no-shacl`) runs the queries alone.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Public names and the module that holds each. Loaded on first use (PEP 562), so that a process
# that only checks graphs (`graphbuild.validate.rudof`, imported by a build's workers and by the
# parallel SHACL pool) imports no rdflib through this package.
_EXPORTS = {
    "query_header": "queries",
    "query_violations": "queries",
    "run_violation_query": "queries",
    "violation_queries": "queries",
    "TRIAL_GRAPH_PREFIX": "report",
    "ValidationReport": "report",
    "Violation": "report",
    "trial_id_of_graph": "report",
    "violation_order": "report",
    "validate": "run",
    "DEFAULT_CHUNK_SIZE": "shacl",
    "DEFAULT_SHACL_ENGINE": "shacl",
    "SHACL_ENGINES": "shacl",
    "Checked": "shacl",
    "hierarchy_ntriples": "shacl",
    "shacl_spec": "shacl",
    "shacl_violations": "shacl",
    "default_shapes": "shapes",
    "shapes_graph": "shapes",
}
__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_SHACL_ENGINE",
    "SHACL_ENGINES",
    "TRIAL_GRAPH_PREFIX",
    "Checked",
    "ValidationReport",
    "Violation",
    "default_shapes",
    "hierarchy_ntriples",
    "query_header",
    "query_violations",
    "run_violation_query",
    "shacl_spec",
    "shacl_violations",
    "shapes_graph",
    "trial_id_of_graph",
    "validate",
    "violation_order",
    "violation_queries",
]  # the keys of _EXPORTS


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once: later lookups do not come back here
    return value


if TYPE_CHECKING:
    from graphbuild.validate.queries import (
        query_header,
        query_violations,
        run_violation_query,
        violation_queries,
    )
    from graphbuild.validate.report import (
        TRIAL_GRAPH_PREFIX,
        ValidationReport,
        Violation,
        trial_id_of_graph,
        violation_order,
    )
    from graphbuild.validate.run import validate
    from graphbuild.validate.shacl import (
        DEFAULT_CHUNK_SIZE,
        DEFAULT_SHACL_ENGINE,
        SHACL_ENGINES,
        Checked,
        hierarchy_ntriples,
        shacl_spec,
        shacl_violations,
    )
    from graphbuild.validate.shapes import default_shapes, shapes_graph
