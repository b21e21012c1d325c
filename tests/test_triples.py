"""Trial -> quads: the shape of docs/graph-model.md, deterministic IRIs, typed literals,
reified links with evidence, self-contained trial graphs, vocabulary and build provenance."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

import pyoxigraph as ox
import pytest

from graphbuild.model import (
    Antigen,
    Basis,
    CellSource,
    ConceptLink,
    Design,
    DiseaseLink,
    Endpoint,
    EndpointCategory,
    Evidence,
    Intervention,
    InterventionInfo,
    InterventionRole,
    Modality,
    Outcome,
    OutcomeRole,
    Record,
    SourceFormat,
    SourceRef,
    TargetLink,
    TargetStatus,
    TimeFrame,
    Trial,
)
from graphbuild.rdf import iris
from graphbuild.rdf.namespaces import BUILD_GRAPH, GB_IRI, VOCABULARY_GRAPH, trial_graph
from graphbuild.rdf.triples import (
    SourceFile,
    build_quads,
    date_literal,
    decimal_literal,
    trial_quads,
    vocabulary_quads,
)

GB = GB_IRI
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"

TITLE = "CD7 CAR-T cells (RD13-02) for relapsed CD7+ T-ALL"
CONDITION = "Relapsed CD7+ T-cell Acute Lymphoblastic Leukemia"


def _ev(field: str, value: str, words: str) -> Evidence:
    start = value.index(words)
    return Evidence(field=field, text=words, start=start, end=start + len(words))


def make_trial(trial_id: str = "002_2917b9526c9dc599", title: str = TITLE) -> Trial:
    """A hand-built trial that touches every part of the model (seed 002 in spirit)."""
    record = Record(
        trial_id=trial_id,
        source=SourceRef(file=f"examples/{trial_id}.txt", record="line 1"),
        format=SourceFormat.FLAT,
        brief_title=title,
        brief_summary="An open-label, single arm study of RD13-02.",
        conditions=(CONDITION,),
        interventions=(
            Intervention(type="BIOLOGICAL", name="RD13-02 CAR-T cells", other_names=("CD7 UCAR-T",)),
            Intervention(type="DRUG", name="Fludarabine", description="30 mg/m2 days -5 to -3"),
        ),
        outcomes=(
            Outcome(OutcomeRole.PRIMARY, "Dose-limiting toxicity (DLT)", "DLT per CTCAE v5.0", "28 days after infusion"),
            Outcome(OutcomeRole.SECONDARY, "Overall response rate", "", "at 4, 8 and 12 weeks"),
            Outcome(OutcomeRole.SECONDARY, "Quality of life", "", "until the end of study"),
        ),
        phases=("PHASE1",),
        start_date="2021",
        primary_completion_date="2023-06",
        completion_date="2024-01-15",
        enrollment=30,
        status="RECRUITING",
    )
    cd7 = Antigen(symbol="CD7", hgnc_id="HGNC:1695", label="CD7")
    return Trial(
        trial_id=trial_id,
        record=record,
        interventions=(
            InterventionInfo(
                index=0, name="RD13-02 CAR-T cells", type="BIOLOGICAL", product_code="RD13-02",
                modality=Modality.CAR_T, cell_source=CellSource.ALLOGENEIC,
                evidence=(_ev("interventions[0].name", "RD13-02 CAR-T cells", "CAR-T"),),
            ),
            InterventionInfo(
                index=1, name="Fludarabine", type="DRUG", modality=Modality.CHEMOTHERAPY,
                role=InterventionRole.LYMPHODEPLETION, mesh_ids=("D000071197",),
            ),
        ),
        targets=(
            TargetLink(cd7, Basis.STATED, (_ev("brief_title", title, "CD7"),), intervention_index=0),
            TargetLink(cd7, Basis.STATED, (_ev("brief_title", title, "CD7"),), intervention_index=None),
        ),
        target_status=TargetStatus.STATED,
        diseases=(
            DiseaseLink(
                mesh_id="D054218",
                label="Precursor T-Cell Lymphoblastic Leukemia-Lymphoma",
                condition_text=CONDITION,
                basis=Basis.LEXICON,
                evidence=(_ev("conditions[0]", CONDITION, "T-cell Acute Lymphoblastic Leukemia"),),
                qualifiers=("relapsed", "CD7-positive"),
            ),
        ),
        endpoints=(
            Endpoint(
                0, OutcomeRole.PRIMARY, "Dose-limiting toxicity (DLT)", "DLT per CTCAE v5.0",
                TimeFrame("28 days after infusion", 28.0, 28.0, anchor="infusion"),
                concepts=(ConceptLink("DLT", EndpointCategory.SAFETY,
                                      (_ev("outcomes[0].measure", "Dose-limiting toxicity (DLT)", "DLT"),)),),
                criteria=("CTCAE v5.0",),
            ),
            Endpoint(
                1, OutcomeRole.SECONDARY, "Overall response rate", "",
                TimeFrame("at 4, 8 and 12 weeks", 28.0, 84.0, time_points_days=(28.0, 56.0, 84.0)),
                concepts=(ConceptLink("ORR", EndpointCategory.EFFICACY,
                                      (_ev("outcomes[1].measure", "Overall response rate", "Overall response rate"),)),),
            ),
            Endpoint(2, OutcomeRole.SECONDARY, "Quality of life", "", TimeFrame("until the end of study")),
        ),
        design=Design(phases=("PHASE1",), phase_basis="structured", open_label=True, single_arm=True),
    )


def _objects(quads: list[ox.Quad], subject: str, predicate: str) -> list[ox.NamedNode | ox.Literal]:
    return [q.object for q in quads if q.subject.value == subject and q.predicate.value == predicate]


def _links(quads: list[ox.Quad]) -> dict[str, dict[str, list]]:
    """Reified link IRI -> {predicate IRI: [objects]}."""
    links = {q.subject.value for q in quads if q.predicate.value == RDF + "type" and q.object.value == GB + "ExtractedLink"}
    out: dict[str, dict[str, list]] = {link: {} for link in links}
    for q in quads:
        if q.subject.value in out:
            out[q.subject.value].setdefault(q.predicate.value, []).append(q.object)
    return out


@pytest.fixture(scope="module")
def trial() -> Trial:
    return make_trial()


@pytest.fixture(scope="module")
def quads(trial: Trial) -> list[ox.Quad]:
    return list(trial_quads(trial))


def test_every_quad_is_in_the_trial_graph_once(quads: list[ox.Quad], trial: Trial) -> None:
    graph = ox.NamedNode(str(trial_graph(trial.trial_id)))  # the same IRI for NCT ids and stems
    assert quads and all(q.graph_name == graph for q in quads)
    assert len(set(quads)) == len(quads)


def test_no_blank_nodes_so_sorted_nquads_are_canonical(quads: list[ox.Quad]) -> None:
    for q in quads:
        assert not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)


def test_same_trial_gives_same_quads_and_iris_come_from_content(trial: Trial) -> None:
    first = list(trial_quads(trial))
    again = list(trial_quads(make_trial()))
    assert first == again
    # The link IRI is a SHA-1 of subject, predicate, object and basis: no counter, no hash().
    s = iris.trial_iri(trial.trial_id)
    o = "http://id.nlm.nih.gov/mesh/D054218"
    digest = hashlib.sha1("\x1f".join((s, GB + "studiesDisease", o, "lexicon")).encode()).hexdigest()[:16]
    assert f"{s}/link/{digest}" in _links(first)


def test_trial_literals_are_typed(quads: list[ox.Quad], trial: Trial) -> None:
    s = iris.trial_iri(trial.trial_id)
    assert _objects(quads, s, RDF + "type") == [ox.NamedNode(GB + "Trial")]
    assert _objects(quads, s, "http://purl.org/dc/terms/title") == [ox.Literal(TITLE)]
    assert _objects(quads, s, GB + "startDate") == [ox.Literal("2021", datatype=ox.NamedNode(XSD + "gYear"))]
    assert _objects(quads, s, GB + "primaryCompletionDate") == [
        ox.Literal("2023-06", datatype=ox.NamedNode(XSD + "gYearMonth"))
    ]
    assert _objects(quads, s, GB + "completionDate") == [
        ox.Literal("2024-01-15", datatype=ox.NamedNode(XSD + "date"))
    ]
    assert _objects(quads, s, GB + "enrollment") == [ox.Literal("30", datatype=ox.NamedNode(XSD + "integer"))]
    assert _objects(quads, s, GB + "openLabel") == [ox.Literal(True)]
    assert _objects(quads, s, GB + "randomized") == []  # None: the record does not say
    assert _objects(quads, s, GB + "phase") == [ox.Literal("PHASE1")]
    assert _objects(quads, s, GB + "targetStatus") == [ox.Literal("stated")]
    assert _objects(quads, s, PROV + "wasDerivedFrom") == [
        ox.NamedNode(iris.source_iri(trial.record.source.file))
    ]


@pytest.mark.parametrize(
    ("value", "datatype"),
    [
        pytest.param("2016", "gYear", id="year"),
        pytest.param("2016-04", "gYearMonth", id="month"),
        pytest.param("2016-04-01", "date", id="day"),
        pytest.param("April 2016", None, id="not-iso-kept-as-string"),
        pytest.param("2016-13", None, id="bad-month"),
    ],
)
def test_date_literal_is_as_precise_as_the_source(value: str, datatype: str | None) -> None:
    literal = date_literal(value)
    expected = XSD + (datatype or "string")
    assert literal.value == value and literal.datatype.value == expected


@pytest.mark.parametrize(
    ("value", "lexical"),
    [(28.0, "28"), (1.5, "1.5"), (0.25, "0.25"), (365.25, "365.25"), (1e-05, "0.00001")],
)
def test_decimal_literal_is_oxigraph_canonical(value: float, lexical: str) -> None:
    literal = decimal_literal(value)
    assert literal.value == lexical and literal.datatype.value == XSD + "decimal"
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), literal))
    assert next(iter(store)).object == literal


def test_interventions_have_type_code_and_individuals(quads: list[ox.Quad], trial: Trial) -> None:
    car_t = iris.intervention_iri(trial.trial_id, 0)
    flu = iris.intervention_iri(trial.trial_id, 1)
    assert ox.NamedNode(car_t) in _objects(quads, iris.trial_iri(trial.trial_id), GB + "hasIntervention")
    assert _objects(quads, car_t, GB + "productCode") == [ox.Literal("RD13-02")]
    assert _objects(quads, car_t, GB + "modality") == [ox.NamedNode(GB + "CarT")]
    assert _objects(quads, car_t, GB + "cellSource") == [ox.NamedNode(GB + "Allogeneic")]
    assert _objects(quads, car_t, GB + "otherName") == [ox.Literal("CD7 UCAR-T")]
    assert _objects(quads, flu, GB + "interventionRole") == [ox.NamedNode(GB + "Lymphodepletion")]
    assert _objects(quads, flu, GB + "description") == [ox.Literal("30 mg/m2 days -5 to -3")]
    assert _objects(quads, flu, GB + "meshId") == []  # gb:meshId's domain is gb:Disease


def test_every_extracted_edge_is_reified_with_evidence_that_quotes_the_record(
    quads: list[ox.Quad], trial: Trial
) -> None:
    from graphbuild.extract.text.fields import field_text

    asserted = {(q.subject.value, q.predicate.value, q.object.value) for q in quads}
    links = _links(quads)
    by_predicate: dict[str, int] = {}
    for link, props in links.items():
        assert {n.value for n in props[RDF + "type"]} == {RDF + "Statement", GB + "ExtractedLink"}
        (s,), (p,), (o,) = props[RDF + "subject"], props[RDF + "predicate"], props[RDF + "object"]
        assert (s.value, p.value, o.value) in asserted  # the edge itself is in the graph too
        assert len(props[GB + "basis"]) == 1
        by_predicate[p.value] = by_predicate.get(p.value, 0) + 1
        assert props[GB + "hasEvidence"]
        for evidence in props[GB + "hasEvidence"]:
            (field,) = _objects(quads, evidence.value, GB + "sourceField")
            (quote,) = _objects(quads, evidence.value, GB + "quote")
            (start,) = _objects(quads, evidence.value, GB + "startOffset")
            (end,) = _objects(quads, evidence.value, GB + "endOffset")
            assert field_text(trial.record, field.value)[int(start.value) : int(end.value)] == quote.value
    assert by_predicate == {
        GB + "targetsAntigen": 1,
        GB + "directedAt": 1,
        GB + "studiesDisease": 1,
        GB + "measuresConcept": 2,
        GB + "modality": 1,  # CAR-T, with the words it was read from
    }
    disease_link = next(p for p in links.values() if p[RDF + "predicate"][0].value == GB + "studiesDisease")
    assert sorted(q.value for q in disease_link[GB + "qualifier"]) == ["CD7-positive", "relapsed"]
    assert disease_link[GB + "basis"] == [ox.Literal("lexicon")]


def test_shared_nodes_are_pointed_at_never_described_in_a_trial_graph(quads: list[ox.Quad]) -> None:
    """Antigens, diseases and concepts are described once, in the vocabulary graph: a copy
    per trial graph would come back once per trial from every join (Oxigraph's union default
    graph keeps duplicates), making cross-trial queries quadratic."""
    shared = ("https://identifiers.org/hgnc:", "http://id.nlm.nih.gov/mesh/", iris.concept_iri(""))
    pointed_at = {q.object.value for q in quads if q.object.value.startswith(shared)}
    assert "https://identifiers.org/hgnc:1695" in pointed_at
    assert iris.disease_iri("D054218") in pointed_at and iris.concept_iri("DLT") in pointed_at
    assert not [q for q in quads if q.subject.value.startswith(shared)]


def test_endpoints_and_time_frames(quads: list[ox.Quad], trial: Trial) -> None:
    e0, e1, e2 = (iris.endpoint_iri(trial.trial_id, i) for i in range(3))
    assert _objects(quads, e0, GB + "role") == [ox.Literal("primary")]
    assert _objects(quads, e0, GB + "criterion") == [ox.Literal("CTCAE v5.0")]
    assert _objects(quads, e0, GB + "measuresConcept") == [ox.NamedNode(iris.concept_iri("DLT"))]
    tf0, tf1, tf2 = (iris.time_frame_iri(trial.trial_id, i) for i in range(3))
    assert _objects(quads, e0, GB + "hasTimeFrame") == [ox.NamedNode(tf0)]
    assert _objects(quads, tf0, GB + "minDays") == [decimal_literal(28)]
    assert _objects(quads, tf0, GB + "anchor") == [ox.Literal("infusion")]
    assert sorted(float(x.value) for x in _objects(quads, tf1, GB + "timePointDays")) == [28, 56, 84]
    assert _objects(quads, tf1, GB + "maxDays") == [decimal_literal(84)]
    # Unparsed: the text is kept, and no bounds are made up.
    assert _objects(quads, tf2, GB + "text") == [ox.Literal("until the end of study")]
    assert _objects(quads, tf2, GB + "minDays") == _objects(quads, tf2, GB + "maxDays") == []


def test_unextracted_interventions_still_appear(trial: Trial) -> None:
    partial = replace(trial, interventions=trial.interventions[:1], targets=())
    quads = list(trial_quads(partial))
    flu = iris.intervention_iri(trial.trial_id, 1)
    assert _objects(quads, flu, RDFS + "label") == [ox.Literal("Fludarabine")]
    assert _objects(quads, flu, GB + "modality") == []


def test_odd_trial_ids_make_valid_iris() -> None:
    odd = make_trial(trial_id="my trial/ü#1")
    quads = list(trial_quads(odd))
    assert quads[0].subject.value == "https://w3id.org/graphbuild/id/trial/my%20trial%2F%C3%BC%231"
    assert quads[0].graph_name.value == "https://w3id.org/graphbuild/id/graph/trial/my%20trial%2F%C3%BC%231"
    # and they survive a round trip through N-Quads
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert list(ox.parse(data, ox.RdfFormat.N_QUADS)) == quads


# -- vocabulary ----------------------------------------------------------------------------------


def test_vocabulary_describes_the_shared_nodes_with_the_disease_hierarchy(trial: Trial) -> None:
    from graphbuild.vocab import mesh

    quads = list(vocabulary_quads([trial]))
    graph = ox.NamedNode(str(VOCABULARY_GRAPH))
    assert quads and all(q.graph_name == graph for q in quads)
    broader = {(q.subject.value, q.object.value) for q in quads if q.predicate.value == SKOS + "broader"}
    # every ancestor of the disease is present, labelled, and linked to each of its parents
    ancestors = mesh.closure(["D054218"])
    assert len(ancestors) > 3
    for ui in ancestors:
        assert _objects(quads, iris.disease_iri(ui), RDFS + "label") == [ox.Literal(mesh.label(ui))]
        assert _objects(quads, iris.disease_iri(ui), GB + "meshId") == [ox.Literal(ui)]
        for parent in mesh.parents(ui):
            assert (iris.disease_iri(ui), iris.disease_iri(parent)) in broader
    assert (iris.disease_iri("D054218"), iris.disease_iri("D054198")) in broader
    dlt, orr = iris.concept_iri("DLT"), iris.concept_iri("ORR")
    assert _objects(quads, dlt, RDFS + "label") == [ox.Literal("dose-limiting toxicity")]
    assert _objects(quads, dlt, GB + "category") == [ox.Literal("safety")]
    assert _objects(quads, orr, GB + "category") == [ox.Literal("efficacy")]
    cd7 = "https://identifiers.org/hgnc:1695"
    assert _objects(quads, cd7, RDF + "type") == [ox.NamedNode(GB + "TargetAntigen")]
    assert _objects(quads, cd7, GB + "hgncSymbol") == [ox.Literal("CD7")]
    assert _objects(quads, cd7, GB + "hgncId") == [ox.Literal("HGNC:1695")]


def test_vocabulary_takes_synonyms_and_cross_references_from_the_curated_tables() -> None:
    myeloma, bcma = iris.disease_iri("D009101"), "https://identifiers.org/hgnc:11913"
    quads = list(vocabulary_quads([myeloma, bcma]))
    assert set(_objects(quads, myeloma, SKOS + "exactMatch")) == {
        ox.NamedNode("http://purl.obolibrary.org/obo/MONDO_0009693"),
        ox.NamedNode("http://purl.obolibrary.org/obo/NCIT_C3242"),
    }
    assert _objects(quads, bcma, GB + "hgncSymbol") == [ox.Literal("TNFRSF17")]
    assert ox.Literal("BCMA") in _objects(quads, bcma, SKOS + "altLabel")


def test_vocabulary_falls_back_on_what_the_trial_says(trial: Trial) -> None:
    unknown = replace(trial.diseases[0], mesh_id="D999999", label="Some disease", mondo_ids=("MONDO:0000001",))
    quads = list(vocabulary_quads([replace(trial, diseases=(unknown,))]))
    node = iris.disease_iri("D999999")
    assert _objects(quads, node, RDFS + "label") == [ox.Literal("Some disease")]
    assert _objects(quads, node, SKOS + "exactMatch") == [ox.NamedNode("http://purl.obolibrary.org/obo/MONDO_0000001")]


def test_vocabulary_is_the_same_from_trials_or_iris_in_any_order(trial: Trial) -> None:
    from_trial = list(vocabulary_quads([trial]))
    nodes = [
        iris.disease_iri("D054218"), iris.concept_iri("DLT"), iris.concept_iri("ORR"),
        ox.NamedNode("https://identifiers.org/hgnc:1695"),
    ]
    shuffled = nodes[:]
    random.Random(4).shuffle(shuffled)
    assert list(vocabulary_quads(shuffled)) == list(vocabulary_quads(nodes)) == from_trial
    with pytest.raises(ValueError):
        list(vocabulary_quads(["http://example.org/not-a-node"]))


# -- build provenance ----------------------------------------------------------------------------


def test_build_quads_are_prov_and_confined_to_the_build_graph() -> None:
    sources = [SourceFile("b.txt", "ab" * 32, records=2), SourceFile("a.zip", "cd" * 32, member="x.json")]
    quads = list(build_quads(started="2024-01-01T00:00:00+00:00", ended="2024-01-01T00:01:00+00:00",
                             version="0.1.0", sources=sources))
    assert all(q.graph_name == ox.NamedNode(str(BUILD_GRAPH)) for q in quads)
    build = next(q.subject for q in quads if q.object.value == PROV + "Activity")
    assert _objects(quads, build.value, PROV + "startedAtTime") == [
        ox.Literal("2024-01-01T00:00:00+00:00", datatype=ox.NamedNode(XSD + "dateTime"))
    ]
    used = _objects(quads, build.value, PROV + "used")
    assert {u.value for u in used} == {iris.source_iri("b.txt"), iris.source_iri("a.zip", "x.json")}
    values = {q.object.value for q in quads if q.predicate.value == "http://spdx.org/rdf/terms#checksumValue"}
    assert values == {"ab" * 32, "cd" * 32}
    (agent,) = _objects(quads, build.value, PROV + "wasAssociatedWith")
    assert _objects(quads, agent.value, "http://purl.org/dc/terms/hasVersion") == [ox.Literal("0.1.0")]
