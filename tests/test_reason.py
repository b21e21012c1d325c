"""Reasoning shows in answers: a broader disease finds trials recorded with a narrower one, CAR-T
trials are found though no record says so, and both engines (HermiT on the compact view, the
compiled SPARQL rules) derive exactly the same facts."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphbuild import reason
from graphbuild.cli import main
from graphbuild.rdf.namespaces import GB, INFERRED_GRAPH
from graphbuild.store import GraphStore

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_graph.trig"
PREFIXES = """PREFIX gb: <https://w3id.org/graphbuild/vocab#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX mesh: <http://id.nlm.nih.gov/mesh/>
PREFIX hgnc: <https://identifiers.org/hgnc:>
"""
INFERRED = ox.NamedNode(str(INFERRED_GRAPH))


def load_mini() -> ox.Store:
    store = ox.Store()
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture()
def mini() -> ox.Store:
    return load_mini()


def trial_ids(store: ox.Store, where: str) -> set[str]:
    query = PREFIXES + f"SELECT DISTINCT ?id WHERE {{ {where} ?t gb:trialId ?id }}"
    return {row["id"].value for row in store.query(query, use_default_graph_as_union=True)}


def under(mesh_id: str) -> str:
    return f"?t gb:studiesDisease/skos:broaderTransitive mesh:{mesh_id} ."


def test_car_t_trials_are_found_though_no_record_asserts_the_class(mini: ox.Store) -> None:
    assert trial_ids(mini, "?t a gb:CARTTrial .") == set()
    reason.materialize(mini)
    assert trial_ids(mini, "?t a gb:CARTTrial .") == {"NCT90000101"}
    # CAR-NK is a cell therapy, not a CAR-T; a stem cell transplant is neither
    assert trial_ids(mini, "?t a gb:CellTherapyTrial .") == {"NCT90000101", "NCT90000103"}
    # only an investigational antibody counts: not supportive tocilizumab, not a comparator
    assert trial_ids(mini, "?t a gb:AntibodyTrial .") == {"NCT90000102"}


def test_broader_disease_finds_trials_recorded_with_a_narrower_one(mini: ox.Store) -> None:
    # D054219 "Neoplasms, Plasma Cell" is the MeSH parent of Multiple Myeloma (D009101)
    assert trial_ids(mini, under("D054219")) == set()
    reason.materialize(mini)
    assert trial_ids(mini, under("D054219")) == {"NCT90000101", "NCT90000102"}
    assert trial_ids(mini, under("D007938")) == {"NCT90000103"}  # Leukemia, three levels up
    assert trial_ids(mini, under("D009369")) == {
        "NCT90000101",
        "NCT90000102",
        "NCT90000103",
        "local_record_7",
    }


def test_mini_graph_hierarchy_is_true_mesh(vocab_dir: Path) -> None:
    """Every skos:broader edge of the mini graph is a tree-number parent in MeSH 2024."""
    trees: dict[str, list[str]] = {}
    with (vocab_dir / "mesh_descriptors.tsv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            trees[row["ui"]] = row["tree_numbers"].split("|")
    store = load_mini()
    edges = list(
        store.query(
            PREFIXES + "SELECT ?n ?b { ?n skos:broader ?b }", use_default_graph_as_union=True
        )
    )
    assert edges
    for row in edges:
        narrow, broad = (row[k].value.rsplit("/", 1)[1] for k in ("n", "b"))
        parents = {t.rsplit(".", 1)[0] for t in trees[narrow] if "." in t}
        assert parents & set(trees[broad]), f"{narrow} is not directly under {broad} in MeSH"


def test_directed_at_chain_adds_only_new_facts(mini: ox.Store) -> None:
    report = reason.materialize(mini)
    inferred = reason.inferred_facts(mini)
    directed = {(s, o) for s, p, o in inferred if p == str(GB.directedAt)}
    base = "https://w3id.org/graphbuild/id/trial/"
    hgnc = "https://identifiers.org/hgnc:"
    assert directed == {
        (base + "NCT90000102", hgnc + "11913"),
        (base + "NCT90000102", hgnc + "1674"),
        (base + "NCT90000103", hgnc + "1633"),
    }
    # NCT90000101's directedAt BCMA is asserted (title), so it is not repeated, yet answers hold
    assert report.already_asserted == 1
    assert trial_ids(mini, "?t gb:directedAt hgnc:11913 .") == {"NCT90000101", "NCT90000102"}
    assert report.inferred == {
        "gb:CARTTrial": 1,
        "gb:CellTherapyTrial": 2,
        "gb:AntibodyTrial": 1,
        "gb:directedAt": 3,
        "skos:broaderTransitive": 26,
        # shortcuts for the stored queries: every trial-antigen pair with its links' basis,
        # whether the trial-level edge was asserted (101) or inferred through the chain
        "gb:directedAtStated": 4,
        # per-node values the streaming listings read (time frames, disease links)
        "gb:timePointList": 1,
        "gb:reachDays": 5,
        "gb:qualifierList": 1,
        "gb:quoteList": 4,
        # the three interventions with a target antigen: one antigen each
        "gb:antigenCount": 3,
        "gb:antigenSymbolList": 3,
        "gb:diseaseLabelList": 4,  # one per trial with a MeSH disease (no product codes here)
    }
    stated = {(s, o) for s, p, o in inferred if p == str(GB.directedAtStated)}
    assert stated == directed | {(base + "NCT90000101", hgnc + "11913")}
    assert report.trials == 4 and "gb:CARTTrial ⊑ gb:CellTherapyTrial" in str(report)


def test_inferred_graph_is_rebuilt_not_edited(mini: ox.Store) -> None:
    stale = ox.Quad(
        ox.NamedNode(str(GB.Trial)),
        ox.NamedNode(str(GB.directedAt)),
        ox.NamedNode("urn:stale"),
        INFERRED,
    )
    mini.add(stale)
    reason.materialize(mini)
    first = reason.inferred_facts(mini)
    assert stale not in set(mini.quads_for_pattern(None, None, None, INFERRED))
    reason.materialize(mini)
    assert reason.inferred_facts(mini) == first
    # a trial that loses its CAR-T intervention loses the class on the next run
    mini.update(PREFIXES + "DELETE WHERE { GRAPH ?g { ?i gb:modality gb:CarT } }")
    reason.materialize(mini)
    assert trial_ids(mini, "?t a gb:CARTTrial .") == set()


def test_hermit_and_sparql_engines_agree_across_chunks(mini: ox.Store) -> None:
    """HermiT realizing the compact view in three runs (the vocabulary, then 3 + 1 trial
    graphs) derives exactly what the compiled SPARQL rules derive."""
    hermit = reason.materialize(mini, engine="hermit", chunk_size=3)
    by_hermit = reason.inferred_facts(mini)
    sparql = reason.materialize(mini, engine="sparql")
    assert hermit.chunks == 3
    assert reason.inferred_facts(mini) == by_hermit
    assert hermit.inferred == sparql.inferred and hermit.already_asserted == sparql.already_asserted


def test_accepts_a_graph_store() -> None:
    store = GraphStore.in_memory()
    store.ox.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    report = reason.materialize(store)
    # entailments, antigen shortcuts, per-node values (time points, time frames and disease
    # links 10, interventions' antigen counts and lists 6), disease-label lists
    assert report.total == 33 + 4 + 1 + 10 + 6 + 4
    assert report.total + report.statistics + report.aggregates == store.count(INFERRED_GRAPH)
    assert report.statistics == 3 * 13 + 3  # VoID: 13 classes with instances, 1 property
    # three antigen x disease cells, one antigen pair; the trial-id index: 4 + 4 + 4 entries,
    # and a trial row on each of the four (trial, antigen) pairs; four (trial, antigen)
    # summaries (BCMA; BCMA and CD3E; CD19) of four triples each and 16 groups (3 phases, 4
    # antigen-phase, 5 modality, 4 phase-category) in 81 triples
    assert report.aggregates == 4 * 4 + 12 + 4 + 4 * 4 + 81


def test_aggregates_count_each_cell_and_pair_from_the_shortcut_edges(mini: ox.Store) -> None:
    """NCT90000101 (BCMA CAR-T) and NCT90000102 (a BCMA x CD3 bispecific) study multiple
    myeloma; NCT90000103 (CD19 CAR-NK) B-ALL: three antigen x disease cells, one antigen pair,
    and each shared node indexed by the ids of its trials."""
    reason.materialize(mini)
    rows = mini.query(
        """PREFIX gb: <https://w3id.org/graphbuild/vocab#>
        SELECT ?a ?b ?n ?ids WHERE {
          { ?x gb:cellAntigen ?a ; gb:cellDisease ?b } UNION
          { ?x gb:pairAntigen ?a, ?b FILTER(STR(?a) < STR(?b)) }
          ?x gb:trialCount ?n ; gb:trialIdList ?ids }""",
        use_default_graph_as_union=True,
    )
    hgnc, mesh = "https://identifiers.org/hgnc:", "http://id.nlm.nih.gov/mesh/"
    got = {(r["a"].value, r["b"].value, int(r["n"].value), r["ids"].value) for r in rows}
    assert got == {
        (hgnc + "11913", mesh + "D009101", 2, "NCT90000101 NCT90000102"),
        (hgnc + "1674", mesh + "D009101", 1, "NCT90000102"),
        (hgnc + "1633", mesh + "D015452", 1, "NCT90000103"),
        (hgnc + "11913", hgnc + "1674", 1, "NCT90000102"),
    }
    # the trial-id index: each antigen, disease and concept -> the ids of the trials reaching it
    index = mini.query(
        """PREFIX gb: <https://w3id.org/graphbuild/vocab#>
        SELECT ?p ?x ?id WHERE {
          VALUES ?p { gb:targetedByTrialId gb:studiedByTrialId gb:measuredByTrialId }
          ?x ?p ?id }""",
        use_default_graph_as_union=True,
    )
    entries = {(r["p"].value.split("#")[1], r["x"].value.rsplit("/", 1)[-1], r["id"].value)
               for r in index}
    assert entries == {
        ("targetedByTrialId", "hgnc:11913", "NCT90000101"),
        ("targetedByTrialId", "hgnc:11913", "NCT90000102"),
        ("targetedByTrialId", "hgnc:1674", "NCT90000102"),
        ("targetedByTrialId", "hgnc:1633", "NCT90000103"),
        ("studiedByTrialId", "D009101", "NCT90000101"),
        ("studiedByTrialId", "D009101", "NCT90000102"),
        ("studiedByTrialId", "D015452", "NCT90000103"),
        ("studiedByTrialId", "D008228", "local_record_7"),  # no antigen: in no cell, yet indexed
        ("measuredByTrialId", "DLT", "NCT90000101"),
        ("measuredByTrialId", "DLT", "NCT90000103"),
        ("measuredByTrialId", "ORR", "NCT90000101"),
        ("measuredByTrialId", "ORR", "NCT90000102"),
    }


def test_rules_refuse_what_they_cannot_translate(tmp_path: Path) -> None:
    """An axiom outside the compiled fragment fails loudly instead of being skipped."""
    ontology = tmp_path / "o.ttl"
    ontology.write_text(
        """@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix ex: <http://example.org/> .
        ex:C owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:p ; owl:allValuesFrom ex:D ] .""",
        encoding="utf-8",
    )
    terminology = reason.Terminology(ontology, {}, {}, (), 0.0)
    with pytest.raises(reason.UnsupportedAxiom, match="allValuesFrom"):
        reason.compile_rules(terminology)


def test_unknown_engine_is_refused(mini: ox.Store) -> None:
    with pytest.raises(ValueError, match="engine"):
        reason.materialize(mini, engine="pellet")


def test_cli_reason_rebuilds_the_inferred_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with GraphStore.open(tmp_path / "store") as store:
        store.ox.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    assert main(["reason", "--graph", str(tmp_path)]) == 0
    assert "gb:CARTTrial: 1" in capsys.readouterr().out
    with GraphStore.open(tmp_path / "store") as store:
        assert trial_ids(store.ox, "?t a gb:CARTTrial .") == {"NCT90000101"}
    assert main(["reason", "--graph", str(tmp_path / "missing")]) == 2


def test_cli_defaults_mirror_the_module() -> None:
    from graphbuild.cli import reason as cli_reason

    assert cli_reason.ENGINES == reason.ENGINES
    assert cli_reason.DEFAULT_ENGINE == reason.DEFAULT_ENGINE
    assert cli_reason.DEFAULT_CHUNK_SIZE == reason.DEFAULT_CHUNK_SIZE


def test_statistics_use_only_real_void_terms() -> None:
    """The VoID terms the statistics rule writes exist in rdflib's closed VOID namespace (an
    unknown attribute raises), never recalled."""
    import re

    from rdflib.namespace import VOID

    used = set(re.findall(re.escape(reason.VOID) + r"(\w+)", reason.statistics_rule().sparql))
    assert used == {"classPartition", "class", "entities", "propertyPartition", "property",
                    "distinctObjects"}
    for name in used:
        assert str(VOID[name]) == reason.VOID + name  # raises for a term VOID lacks


@pytest.mark.corpus
def test_aggregates_made_side_by_side_are_those_made_one_by_one(
    corpus_graph: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The aggregates (cells, pairs, summaries, groups, the trial-id index) are made on a
    thread per core (`graphbuild.cores`), then loaded: the inferred graph of the whole corpus
    and every count of the report are those made one after another."""
    asserted = b"".join(
        line
        for line in (corpus_graph / "graph.nq").read_bytes().splitlines(keepends=True)
        if not line.rstrip().endswith(f"<{INFERRED.value}> .".encode())
    )

    def inferred(threads: int) -> tuple[set[tuple[str, str, str]], dict[str, int], int]:
        monkeypatch.setattr("graphbuild.cores.MAX_THREADS", threads)
        store = ox.Store()
        store.bulk_load(asserted, ox.RdfFormat.N_QUADS)
        report = reason.materialize(store)
        return reason.inferred_facts(store), report.inferred, report.aggregates

    side_by_side, one_by_one = inferred(4), inferred(1)
    assert side_by_side[0] == one_by_one[0]
    assert len(one_by_one[0]) > 30_000  # entailments, shortcuts and aggregates of 1,559 trials
    assert side_by_side[1:] == one_by_one[1:]
    assert one_by_one[1]["gb:directedAtStated"] > 100
