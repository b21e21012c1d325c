"""Neo4j bulk-import CSVs: a folder that `neo4j-admin database import full` loads as is.

The same folder also holds `load_csv.cypher`: `LOAD CSV` statements over these files, for a
database that is running (copy the CSVs into its import folder, then run the script with
cypher-shell). It MERGEs on `iri`, so it can be run again; the header types decide the
conversions (`toInteger`, `toFloat`, `split` on `;`, `= 'true'`). For a running database the
`cypher` export (a self-contained script) does the same without copying files.

One `nodes_<Label>.csv` per node kind and one `relationships_<TYPE>.csv` per edge type, with
the typed headers of neo4j-admin (`iri:ID`, `:LABEL`, `phase:string[]`, `enrollment:long`,
`:START_ID`, `:END_ID`, `:TYPE`), plus `import.sh` and `README.md` holding the command. The
headers come from the property-graph schema, not from the data, so they are the same for
every build and every file exists even when a build has no node of its kind.

Node ids are IRIs in one id space, stored as the `iri` property. A node's `:LABEL` holds its
kind and any class the reasoner put it in (`Trial;CARTTrial;CellTherapyTrial`). Lists use
`;` between elements (neo4j-admin's default, passed explicitly in the command); an element's
own `;` is written as `,`, since the import format has no escape for it. Text keeps its line
breaks, hence `--multiline-fields=true`.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import IO

from graphbuild.export.atomic import atomic_directory
from graphbuild.export.property_graph import (
    EDGE_KINDS,
    NODE_KINDS,
    Edge,
    Node,
    Value,
    transfer,
)
from graphbuild.export.registry import register
from graphbuild.store import GraphStore

__all__ = [
    "ARRAY_DELIMITER",
    "Neo4jSink",
    "import_command",
    "load_csv_statements",
    "node_header",
    "relationship_header",
]

ARRAY_DELIMITER = ";"
ID_FIELD = "iri:ID"


def node_file(label: str) -> str:
    return f"nodes_{label}.csv"


def relationship_file(type_: str) -> str:
    return f"relationships_{type_}.csv"


def _field(name: str, type_: str) -> str:
    return f"{name}:{type_}"


def node_header(label: str) -> list[str]:
    kind = next(k for k in NODE_KINDS if k.label == label)
    return [ID_FIELD, ":LABEL", *(_field(p.name, p.type) for p in kind.props)]


def relationship_header(type_: str) -> list[str]:
    kind = next(k for k in EDGE_KINDS if k.type == type_)
    return [":START_ID", ":END_ID", ":TYPE", *(_field(n, t) for n, t in kind.props)]


def _cell(value: Value | None) -> str:
    """One CSV field: empty for absent (neo4j-admin then sets no property)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ARRAY_DELIMITER.join(str(v).replace(ARRAY_DELIMITER, ",") for v in value)
    return str(value)


def import_command(database: str = "neo4j") -> str:
    """The neo4j-admin (Neo4j 5) command that loads this folder, run from inside it."""
    lines = [
        f"neo4j-admin database import full {database}",
        "--overwrite-destination",
        "--id-type=string",
        f"--array-delimiter='{ARRAY_DELIMITER}'",
        "--multiline-fields=true",
        *(f"--nodes={node_file(k.label)}" for k in NODE_KINDS),
        *(f"--relationships={relationship_file(k.type)}" for k in EDGE_KINDS),
    ]
    return " \\\n  ".join(lines)


def _read(column: str, type_: str) -> str:
    """The Cypher expression reading one CSV column of a neo4j-admin type."""
    cell = f"row.`{column}`"
    scalar = type_.removesuffix("[]")
    convert = {
        "long": "toInteger({})",
        "int": "toInteger({})",
        "double": "toFloat({})",
        "float": "toFloat({})",
        "boolean": "({} = 'true')",
    }.get(scalar, "{}")
    if type_.endswith("[]"):
        return (
            f"CASE WHEN {cell} IS NULL OR {cell} = '' THEN null ELSE "
            f"[x IN split({cell}, '{ARRAY_DELIMITER}') | {convert.format('x')}] END"
        )
    return convert.format(cell)  # an empty cell reads as null (absent) in Neo4j and FalkorDB


def load_csv_statements(extra_labels: dict[str, set[str]] | None = None) -> list[str]:
    """`LOAD CSV` statements (one a line) over this folder's files, nodes first. A node's extra
    labels (the reasoner's classes, in the `:LABEL` column) are set with FOREACH, one per
    class the build holds, since Cypher has no portable way to set a label read from data."""
    extra_labels = extra_labels or {}
    lines = []
    for kind in NODE_KINDS:
        props = ", ".join(
            [f"iri: row.`{ID_FIELD}`"]
            + [f"{p.name}: {_read(_field(p.name, p.type), p.type)}" for p in kind.props]
        )
        labels = "".join(
            f" FOREACH (_ IN CASE WHEN '{extra}' IN split(row.`:LABEL`, '{ARRAY_DELIMITER}') "
            f"THEN [1] ELSE [] END | SET n:{extra})"
            for extra in sorted(extra_labels.get(kind.label, ()))
        )
        lines.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{node_file(kind.label)}' AS row "
            f"MERGE (n:{kind.label} {{iri: row.`{ID_FIELD}`}}) SET n = {{{props}}}{labels};"
        )
    for kind in EDGE_KINDS:
        props = ", ".join(f"{name}: {_read(_field(name, t), t)}" for name, t in kind.props)
        lines.append(
            f"LOAD CSV WITH HEADERS FROM 'file:///{relationship_file(kind.type)}' AS row "
            f"MATCH (a:{kind.source} {{iri: row.`:START_ID`}}) "
            f"MATCH (b:{kind.target} {{iri: row.`:END_ID`}}) "
            f"MERGE (a)-[r:{kind.type}]->(b) SET r = {{{props}}};"
        )
    return lines


_IMPORT_SH = """#!/bin/sh
# Load this folder into a Neo4j 5 database (stopped; its content is replaced).
# Usage: ./import.sh [DATABASE]   (default: neo4j), with neo4j-admin on PATH.
set -eu
cd "$(dirname "$0")"
{command}
"""

_README = """# graphbuild export for Neo4j

Bulk-import CSVs with `neo4j-admin` headers: one `nodes_<Label>.csv` per node kind, one
`relationships_<TYPE>.csv` per relationship type. Node ids are IRIs (`iri:ID`, kept as the
`iri` property); list properties are `string[]` with `;` between elements.

Load into a stopped Neo4j 5 database (`./import.sh [DATABASE]` does the same):

```sh
{command}
```

Or, into a running database: copy the CSVs into its import folder and run
`cypher-shell -f load_csv.cypher` (MERGE on `iri`: safe to run again).

Then, for example:

```cypher
MATCH (t:Trial)-[:HAS_INTERVENTION]->(:Intervention)-[r:TARGETS_ANTIGEN]->(a:TargetAntigen)
RETURN t.trial_id, a.hgnc_symbol, r.basis ORDER BY t.trial_id
```
"""


class Neo4jSink:
    """Writes rows as they come, one open CSV per node kind and relationship type."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._handles: list[IO[str]] = []
        self._nodes = {
            k.label: self._open(node_file(k.label), node_header(k.label)) for k in NODE_KINDS
        }
        self._props = {k.label: [p.name for p in k.props] for k in NODE_KINDS}
        self._edges = {
            k.type: self._open(relationship_file(k.type), relationship_header(k.type))
            for k in EDGE_KINDS
        }
        self._edge_props = {k.type: [name for name, _ in k.props] for k in EDGE_KINDS}
        self._extra_labels: dict[str, set[str]] = {}

    def _open(self, name: str, header: list[str]) -> csv._writer:
        # closed in finalize/abort: a sink's files stay open across write_node/write_edge calls
        handle = open(self.folder / name, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._handles.append(handle)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        return writer

    def write_node(self, node: Node) -> None:
        props = node.properties
        self._extra_labels.setdefault(node.label, set()).update(node.labels[1:])
        self._nodes[node.label].writerow(
            [
                node.id,
                ";".join(node.labels),
                *(_cell(props.get(n)) for n in self._props[node.label]),
            ]
        )

    def write_edge(self, edge: Edge) -> None:
        props = edge.properties
        self._edges[edge.type].writerow(
            [
                edge.source,
                edge.target,
                edge.type,
                *(_cell(props.get(n)) for n in self._edge_props[edge.type]),
            ]
        )

    def finalize(self) -> None:
        self._close()
        command = import_command()
        script = self.folder / "import.sh"
        script.write_text(
            _IMPORT_SH.format(command=import_command('"${1:-neo4j}"')), encoding="utf-8"
        )
        os.chmod(script, 0o755)
        (self.folder / "README.md").write_text(_README.format(command=command), encoding="utf-8")
        (self.folder / "load_csv.cypher").write_text(
            "".join(line + "\n" for line in load_csv_statements(self._extra_labels)),
            encoding="utf-8",
        )

    def abort(self) -> None:
        self._close()

    def _close(self) -> None:
        for handle in self._handles:
            handle.close()
        self._handles.clear()


@register(
    "neo4j",
    "Neo4j: neo4j-admin import CSVs, one per label and type, + import.sh and load_csv.cypher",
    output="directory",
)
def write_neo4j(store: GraphStore, path: Path) -> None:
    with atomic_directory(path) as folder:
        transfer(store, Neo4jSink(folder))
