"""A Cypher script for a database that is running: Neo4j (cypher-shell, Browser) or FalkorDB.

`neo4j-admin import` needs the database stopped and replaces all of it; this script instead
MERGEs the property graph into whatever the database holds, so it can be run again after a
re-build. One statement per line, each ending in `;`:

1. uniqueness constraints on `iri` per label (Neo4j 5 syntax; FalkorDB wants
   `CREATE INDEX FOR (n:Label) ON (n.iri)` instead, see `FALKORDB_INDEXES`);
2. the trials whose graph changed since the script that loaded them (their `graph_hash`
   differs) are removed with the nodes they own (interventions, endpoints, time frames), so a
   link or a node the new build dropped does not linger;
3. nodes, then relationships, in batches: `UNWIND [ {..}, .. ] AS row MERGE ... SET n = row.p`,
   the parameters inlined as Cypher literals so the file needs no driver to run.

Running it twice gives the same graph; after a re-build, unchanged trials are matched and left
as they are. A trial that a later build no longer holds is not removed (the script only knows
what the build holds).

Strings keep their text; line breaks, tabs, quotes and backslashes are escaped, other control
characters (never meaningful in a record) are dropped, and non-ASCII characters are written as
they are, since FalkorDB reads no `\\u` escapes.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from graphbuild import __version__
from graphbuild.export.atomic import atomic_file
from graphbuild.export.property_graph import EDGE_KINDS, NODE_KINDS, Edge, Node, Value, transfer
from graphbuild.export.registry import register
from graphbuild.rdf.iris import trial_graph_iri
from graphbuild.rdf.namespaces import GB_IRI
from graphbuild.store import GraphStore, canonical_ntriples

__all__ = [
    "BATCH_ROWS",
    "CypherSink",
    "FALKORDB_INDEXES",
    "constraints",
    "literal",
    "trial_hashes",
]

BATCH_ROWS = 500  # rows per UNWIND statement: large enough to be fast, small enough to parse
OWNED_BY_TRIAL = ("HAS_INTERVENTION", "HAS_ENDPOINT")  # ... and their HAS_TIME_FRAME nodes

_ESCAPES = {"\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SPECIAL = re.compile(r"[\\'\"\n\r\t]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _escape(match: re.Match[str]) -> str:
    return _ESCAPES.get(match.group(0), "")


def literal(value: object) -> str:
    """A Cypher literal for a property value: string, integer, float, boolean, null, list or
    map. Non-finite floats have no literal and are refused rather than written wrong."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no Cypher literal for {value!r}")
        return repr(value)
    if isinstance(value, str):
        return "'" + _SPECIAL.sub(_escape, value) + "'"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _key(name: str) -> str:
    return name if _NAME.match(name) else "`" + name.replace("`", "``") + "`"


def constraints() -> list[str]:
    """Neo4j 5: one uniqueness constraint on `iri` per node label (also its index)."""
    return [
        f"CREATE CONSTRAINT graphbuild_{kind.label.lower()}_iri IF NOT EXISTS "
        f"FOR (n:{kind.label}) REQUIRE n.iri IS UNIQUE;"
        for kind in NODE_KINDS
    ]


# What FalkorDB runs in place of `constraints()` (its constraint command is not Cypher).
FALKORDB_INDEXES = [f"CREATE INDEX FOR (n:{kind.label}) ON (n.iri);" for kind in NODE_KINDS]


def trial_hashes(store: object) -> dict[str, str]:
    """Trial IRI -> SHA-256 of its named graph (`canonical_ntriples`, as `graphbuild push`
    hashes graphs): the same trial graph gives the same hash in every build, a changed one a
    different hash."""
    oxstore = store if isinstance(store, ox.Store) else store.ox  # type: ignore[attr-defined]
    out: dict[str, str] = {}
    trial_id = ox.NamedNode(f"{GB_IRI}trialId")
    for quad in oxstore.quads_for_pattern(None, trial_id, None, None):
        if not isinstance(quad.subject, ox.NamedNode) or quad.subject.value in out:
            continue
        graph = canonical_ntriples(oxstore, trial_graph_iri(quad.object.value))
        out[quad.subject.value] = hashlib.sha256(graph).hexdigest()
    return out


def _rows(rows: Sequence[Mapping[str, object]]) -> str:
    return "[" + ", ".join(literal(row) for row in rows) + "]"


class CypherSink:
    """Writes the script: nodes batched per label set, relationships batched per type."""

    def __init__(self, out: TextIO, hashes: Mapping[str, str]) -> None:
        self.out = out
        self.hashes = hashes
        self._labels: dict[str, str] = {}  # node IRI -> its kind's label, for MATCH by label
        self._batch: list[dict[str, object]] = []
        self._batch_key: tuple[str, ...] = ()
        self._write_header()

    def _write_header(self) -> None:
        w = self.out.write
        w(f"// graphbuild {__version__}: the property graph as idempotent Cypher (MERGE).\n")
        w("// Neo4j: cypher-shell -f graph.cypher  (or paste into Neo4j Browser).\n")
        w("// FalkorDB: run each line; in place of CREATE CONSTRAINT run\n")
        w("//   CREATE INDEX FOR (n:Label) ON (n.iri);\n")
        w("// One statement per line. Running it again after a re-build replaces the trials\n")
        w("// whose graph changed (graph_hash) and leaves the others as they are.\n")
        for line in constraints():
            w(line + "\n")
        changed = [{"iri": iri, "hash": h} for iri, h in sorted(self.hashes.items())]
        owned = "|".join(OWNED_BY_TRIAL)
        for start in range(0, len(changed), BATCH_ROWS):
            w(
                f"UNWIND {_rows(changed[start:start + BATCH_ROWS])} AS row "
                "MATCH (t:Trial {iri: row.iri}) WHERE t.graph_hash <> row.hash "
                f"OPTIONAL MATCH (t)-[:{owned}]->(o) OPTIONAL MATCH (o)-[:HAS_TIME_FRAME]->(f) "
                "DETACH DELETE f, o, t;\n"
            )

    # -- batching ---------------------------------------------------------------------------

    def _add(self, key: tuple[str, ...], row: dict[str, object]) -> None:
        if key != self._batch_key or len(self._batch) >= BATCH_ROWS:
            self._flush()
            self._batch_key = key
        self._batch.append(row)

    def _flush(self) -> None:
        if not self._batch:
            return
        rows, key = _rows(self._batch), self._batch_key
        if key[0] == "node":
            label, *extra = key[1:]
            add_labels = f" SET n:{':'.join(extra)}" if extra else ""
            self.out.write(
                f"UNWIND {rows} AS row MERGE (n:{label} {{iri: row.iri}}) "
                f"SET n = row.p{add_labels};\n"
            )
        else:
            type_, source, target = key[1:]
            self.out.write(
                f"UNWIND {rows} AS row MATCH (a:{source} {{iri: row.s}}) "
                f"MATCH (b:{target} {{iri: row.t}}) MERGE (a)-[r:{type_}]->(b) SET r = row.p;\n"
            )
        self._batch = []

    # -- the Sink protocol ------------------------------------------------------------------

    def write_node(self, node: Node) -> None:
        props: dict[str, Value | str] = {"iri": node.id, **node.properties}
        if node.label == "Trial" and node.id in self.hashes:
            props["graph_hash"] = self.hashes[node.id]
        self._labels[node.id] = node.label
        self._add(("node", *node.labels), {"iri": node.id, "p": props})

    def write_edge(self, edge: Edge) -> None:
        kind = _EDGE_KIND[edge.type]
        self._add(
            ("edge", edge.type, kind.source, kind.target),
            {"s": edge.source, "t": edge.target, "p": dict(edge.properties)},
        )

    def finalize(self) -> None:
        self._flush()

    def abort(self) -> None:
        self._batch = []


_EDGE_KIND = {kind.type: kind for kind in EDGE_KINDS}


@register(
    "cypher",
    "Cypher script (idempotent MERGE) for a running Neo4j or FalkorDB",
    suffix=".cypher",
)
def write_cypher(store: GraphStore, path: Path) -> None:
    hashes = trial_hashes(store)
    with atomic_file(path, "w") as handle:
        transfer(store, CypherSink(handle, hashes))
