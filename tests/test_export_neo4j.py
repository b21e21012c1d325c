"""The Neo4j export, loaded into a real Cypher engine (kuzu, embedded) and questioned.

kuzu has no neo4j-admin, so the loader here reads each file's neo4j-admin header (`iri:ID`,
`:LABEL`, `name:type`, `name:type[]`, `:START_ID`, `:END_ID`, `:TYPE`) and derives the kuzu
table schemas *from that header*: a wrong name or type in a header fails the queries below.
Scalar columns go in with kuzu's `COPY FROM` (a headerless copy of the CSV); list columns,
which kuzu's CSV reader spells differently (`[a,b]`), are split on neo4j's `;` and set with
parameterized Cypher.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_export_seed import sparql_count

from graphbuild.export import neo4j, registry
from graphbuild.export import property_graph as pg
from graphbuild.store import GraphStore

kuzu = pytest.importorskip("kuzu")

NEO4J_TYPES = {"string", "int", "long", "float", "double", "boolean", "date"}
KUZU_TYPES = {
    "string": "STRING",
    "int": "INT64",
    "long": "INT64",
    "float": "DOUBLE",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
}
FIELD = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)?:(?P<type>[A-Za-z_]+(\[\])?|ID|LABEL|START_ID|END_ID|TYPE)$"
)


@dataclass
class Column:
    name: str
    type: str  # neo4j type, e.g. "string[]"; or ID / LABEL / START_ID / END_ID / TYPE

    @property
    def is_list(self) -> bool:
        return self.type.endswith("[]")

    @property
    def kuzu(self) -> str:
        base = KUZU_TYPES[self.type.removesuffix("[]")]
        return f"{base}[]" if self.is_list else base

    def convert(self, text: str) -> object:
        """A CSV cell as neo4j-admin reads it: lists split on `;`, numbers and booleans typed."""
        if self.is_list:
            scalar = Column(self.name, self.type.removesuffix("[]"))
            return [scalar.convert(part) for part in text.split(neo4j.ARRAY_DELIMITER)]
        if self.type in ("long", "int"):
            return int(text)
        if self.type in ("double", "float"):
            return float(text)
        if self.type == "boolean":
            assert text in ("true", "false"), text
            return text == "true"
        return text


def parse_header(row: list[str]) -> list[Column]:
    columns = []
    for field in row:
        match = FIELD.match(field)
        assert match, f"not a neo4j-admin header field: {field!r}"
        type_ = match.group("type")
        assert (
            type_ in {"ID", "LABEL", "START_ID", "END_ID", "TYPE"}
            or type_.removesuffix("[]") in NEO4J_TYPES
        ), field
        columns.append(Column(match.group("name") or "", type_))
    return columns


def read_csv(path: Path) -> tuple[list[Column], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return parse_header(rows[0]), rows[1:]


def q(name: str) -> str:
    return f"`{name}`"


def load_into_kuzu(folder: Path, database: Path):
    """Create kuzu tables from the neo4j-admin headers and load every file. Returns the
    connection and the multi-labels read from `:LABEL` (kuzu keeps one table per node)."""
    conn = kuzu.Connection(kuzu.Database(str(database)))
    label_of: dict[str, str] = {}  # node id -> its table
    id_name: dict[str, str] = {}  # table -> its `:ID` column
    extra_labels: dict[str, list[str]] = {}
    for path in sorted(folder.glob("nodes_*.csv")):
        table = path.stem.removeprefix("nodes_")
        columns, rows = read_csv(path)
        kinds = [c.type for c in columns]
        assert kinds.count("ID") == 1 and kinds.count("LABEL") == 1, path.name
        id_col = next(c for c in columns if c.type == "ID")
        id_name[table] = id_col.name
        props = [c for c in columns if c.type not in ("ID", "LABEL")]
        ddl = ", ".join(
            [f"{q(id_col.name)} STRING PRIMARY KEY", *(f"{q(c.name)} {c.kuzu}" for c in props)]
        )
        conn.execute(f"CREATE NODE TABLE {q(table)}({ddl})")
        _copy(conn, table, folder, columns, rows, skip={"LABEL"})
        label_index = kinds.index("LABEL")
        for row in rows:
            labels = row[label_index].split(";")
            assert labels[0] == table, (path.name, row[0], labels)
            label_of[row[0]] = table
            extra_labels[row[0]] = labels[1:]
        _set_lists(
            conn,
            f"MATCH (n:{q(table)}) WHERE n.{q(id_col.name)} = $id",
            columns,
            rows,
            lambda row: {"id": row[0]},
        )
    for path in sorted(folder.glob("relationships_*.csv")):
        rel = path.stem.removeprefix("relationships_")
        columns, rows = read_csv(path)
        assert [c.type for c in columns[:3]] == ["START_ID", "END_ID", "TYPE"], path.name
        assert {row[2] for row in rows} <= {rel}
        ends = {(label_of[row[0]], label_of[row[1]]) for row in rows}  # KeyError: dangling id
        if not ends:
            continue
        assert len(ends) == 1, (rel, ends)
        ((source, target),) = ends
        props = columns[3:]
        ddl = ", ".join(
            [f"FROM {q(source)} TO {q(target)}", *(f"{q(c.name)} {c.kuzu}" for c in props)]
        )
        conn.execute(f"CREATE REL TABLE {q(rel)}({ddl})")
        _copy(conn, rel, folder, columns, rows, skip={"TYPE"})
        _set_lists(
            conn,
            f"MATCH (a:{q(source)})-[r:{q(rel)}]->(b:{q(target)}) "
            f"WHERE a.{q(id_name[source])} = $s AND b.{q(id_name[target])} = $t",
            columns,
            rows,
            lambda row: {"s": row[0], "t": row[1]},
            var="r",
        )
    return conn, extra_labels


def _copy(
    conn, table: str, folder: Path, columns: list[Column], rows: list[list[str]], skip: set[str]
) -> None:
    """COPY a headerless CSV with the table's columns in header order: the `skip` columns
    (`:LABEL`, `:TYPE`) dropped, list cells left empty (NULL) for `_set_lists` to fill."""
    if not rows:
        return
    keep = [i for i, c in enumerate(columns) if c.type not in skip]
    plain = folder.parent / f"kuzu_{folder.name}_{table}.csv"
    with open(plain, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            ["" if columns[i].is_list else row[i] for i in keep] for row in rows
        )
    conn.execute(f"COPY {q(table)} FROM '{plain}' (header=false, parallel=false)")
    plain.unlink()


def _set_lists(
    conn, match: str, columns: list[Column], rows: list[list[str]], params, var: str = "n"
) -> None:
    for index, column in enumerate(columns):
        if not column.is_list:
            continue
        for row in rows:
            if row[index]:
                conn.execute(
                    f"{match} SET {var}.{q(column.name)} = $value",
                    {**params(row), "value": column.convert(row[index])},
                )


def rows_of(conn, cypher: str, params: dict | None = None) -> list[list]:
    result = conn.execute(cypher, params or {})
    out = []
    while result.has_next():
        out.append(result.get_next())
    return out


# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_dir(seed_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("neo4j-export") / "neo4j"
    registry.export("neo4j", seed_store, out)
    return out


@pytest.fixture(scope="module")
def cypher(export_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    conn, extra_labels = load_into_kuzu(export_dir, tmp_path_factory.mktemp("kuzu") / "db")
    yield conn, extra_labels
    conn.close()


def test_the_folder_holds_one_file_per_label_and_type_and_the_command(export_dir: Path) -> None:
    names = sorted(p.name for p in export_dir.iterdir())
    expected = sorted(
        [f"nodes_{k.label}.csv" for k in pg.NODE_KINDS]
        + [f"relationships_{k.type}.csv" for k in pg.EDGE_KINDS]
        + ["README.md", "import.sh", "load_csv.cypher"]
    )
    assert names == expected
    script = (export_dir / "import.sh").read_text(encoding="utf-8")
    readme = (export_dir / "README.md").read_text(encoding="utf-8")
    for text in (script, readme):
        assert "neo4j-admin database import full" in text
        assert "--array-delimiter=';'" in text and "--multiline-fields=true" in text
        for name in names:
            if name.startswith("nodes_"):
                assert f"--nodes={name}" in text
            elif name.startswith("relationships_"):
                assert f"--relationships={name}" in text
    assert (export_dir / "import.sh").stat().st_mode & 0o111


def test_headers_are_neo4j_admin_headers(export_dir: Path) -> None:
    columns, _ = read_csv(export_dir / "nodes_Trial.csv")
    header = {c.name or c.type: c.type for c in columns}
    assert columns[0].name == "iri" and columns[0].type == "ID"
    assert header["LABEL"] == "LABEL"
    assert header["trial_id"] == "string" and header["enrollment"] == "long"
    assert header["phase"] == "string[]" and header["open_label"] == "boolean"
    tf, _ = read_csv(export_dir / "nodes_TimeFrame.csv")
    assert {c.name: c.type for c in tf}["max_days"] == "double"
    rel, _ = read_csv(export_dir / "relationships_STUDIES_DISEASE.csv")
    assert [(c.name, c.type) for c in rel] == [
        ("", "START_ID"),
        ("", "END_ID"),
        ("", "TYPE"),
        ("basis", "string"),
        ("evidence", "string[]"),
        ("qualifiers", "string[]"),
    ]


def test_cypher_cd7_trial_targets_cd7_through_its_intervention(cypher) -> None:
    conn, _ = cypher
    rows = rows_of(
        conn,
        """
        MATCH (t:Trial)-[:HAS_INTERVENTION]->(i:Intervention)-[r:TARGETS_ANTIGEN]->(a:TargetAntigen)
        WHERE t.trial_id = '002_2917b9526c9dc599'
        RETURN a.hgnc_symbol, a.hgnc_id, r.basis, r.evidence, i.modality""",
    )
    assert len(rows) == 1
    symbol, hgnc_id, basis, evidence, modality = rows[0]
    assert (symbol, hgnc_id, basis, modality) == ("CD7", "HGNC:1695", "stated", "CarT")
    assert "brief_title: CD7 CAR-T" in evidence


def test_cypher_bcma_trial_is_directed_at_tnfrsf17_by_inference(cypher) -> None:
    """001 names no target; its TNFRSF17 link is an *inferred* intervention link (from the
    words of its PD outcomes), and the trial-level DIRECTED_AT is the reasoner's."""
    conn, _ = cypher
    rows = rows_of(
        conn,
        """
        MATCH (t:Trial)-[r:DIRECTED_AT]->(a:TargetAntigen)
        WHERE t.trial_id = '001_5b0f834bc6f69eca'
        RETURN a.hgnc_symbol, r.basis, r.origin, t.target_status""",
    )
    assert rows == [["TNFRSF17", "inferred", "reasoner", "inferred"]]
    synonyms = rows_of(
        conn, "MATCH (a:TargetAntigen) WHERE a.hgnc_symbol = 'TNFRSF17' RETURN a.synonyms"
    )
    assert "BCMA" in synonyms[0][0]


def test_cypher_node_counts_per_label_equal_sparql_counts(cypher, seed_store: GraphStore) -> None:
    conn, _ = cypher
    for kind in pg.NODE_KINDS:
        ((count,),) = rows_of(conn, f"MATCH (n:{q(kind.label)}) RETURN count(n)")
        expected = sparql_count(seed_store, f"SELECT DISTINCT ?x WHERE {{ ?x a <{kind.cls}> }}")
        assert count == expected, kind.label
    ((trials,),) = rows_of(conn, "MATCH (n:Trial) RETURN count(n)")
    assert trials == 3


def test_cypher_relationship_counts_equal_sparql_counts(cypher, seed_store: GraphStore) -> None:
    conn, _ = cypher
    kinds = {k.label: k.cls for k in pg.NODE_KINDS}
    for kind in pg.EDGE_KINDS:
        ((count,),) = rows_of(conn, f"MATCH ()-[r:{q(kind.type)}]->() RETURN count(r)")
        expected = sparql_count(
            seed_store,
            f"""SELECT DISTINCT ?s ?o WHERE {{ ?s <{kind.predicate}> ?o .
                ?s a <{kinds[kind.source]}> . ?o a <{kinds[kind.target]}> }}""",
        )
        assert count == expected > 0, kind.type


def test_cypher_lists_booleans_and_numbers_arrive_typed(cypher) -> None:
    conn, extra = cypher
    rows = rows_of(
        conn,
        """
        MATCH (t:Trial)-[r:STUDIES_DISEASE]->(d:Disease)
        WHERE t.trial_id = '002_2917b9526c9dc599'
        RETURN d.mesh_id, r.qualifiers, t.single_arm, t.phase""",
    )
    # gold conventions v2: seed 002's four stated headings plus the title's T-ALL/T-LBL
    assert len(rows) == 5
    (mesh_id, qualifiers, single_arm, phase), = [row for row in rows if row[1]]
    assert mesh_id == "D054218"
    assert {"CD7-positive", "relapsed", "refractory"} <= set(qualifiers)
    assert single_arm is True and phase == ["PHASE1"]
    days = rows_of(conn, "MATCH (f:TimeFrame) WHERE f.max_days IS NOT NULL RETURN f.max_days")
    assert days and all(isinstance(d, float) for (d,) in days)
    # the disease hierarchy is walkable: every studied disease reaches a root
    roots = rows_of(
        conn,
        """
        MATCH (:Trial)-[:STUDIES_DISEASE]->(d:Disease)-[:BROADER*1..12]->(top:Disease)
        WHERE NOT EXISTS { MATCH (top)-[:BROADER]->(:Disease) }
        RETURN DISTINCT top.label""",
    )
    assert roots
    assert Counter(label for labels in extra.values() for label in labels)["CARTTrial"] == 3


def test_array_delimiter_inside_a_value_cannot_split_it() -> None:
    assert neo4j._cell(("a;b", "c")) == "a,b;c"
    assert neo4j._cell(True) == "true" and neo4j._cell(None) == "" and neo4j._cell(1.5) == "1.5"
