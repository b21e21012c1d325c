"""The OWL ontology: loads in rdflib and owlready2, declares exactly the terms the graph uses,
documents each, reuses only verified external IRIs, and classifies with HermiT."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from graphbuild import model, reason
from graphbuild.rdf.namespaces import GB, GB_IRI
from graphbuild.rdf.triples import CELL_SOURCE, INTERVENTION_ROLE, MODALITY
from graphbuild.resources import ontology_path

ONTOLOGY_IRI = URIRef("https://w3id.org/graphbuild/vocab")
IAO_DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
NCIT = "http://purl.obolibrary.org/obo/NCIT_"
DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ontology_path("graphbuild.ttl"), format="turtle")


def namespace_terms() -> set[str]:
    """Every term `GB` (graphbuild/rdf/namespaces.py) declares."""
    names = {name for cls in GB.__mro__ for name in getattr(cls, "__annotations__", {})}
    return {GB_IRI + name for name in names if not name.startswith("_")}


def gb_iris_in(graph: Graph) -> set[str]:
    return {
        str(t)
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(GB_IRI)
    }


def test_loads_in_rdflib_with_version(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert str(onto.value(ONTOLOGY_IRI, OWL.versionIRI)).startswith(str(ONTOLOGY_IRI) + "/")


def test_loads_in_owlready2() -> None:
    world = reason.owlready_world()
    try:
        gb = world.get_namespace(GB_IRI)
        assert gb.Trial is not None and gb.TargetAntigen is not None
        assert gb.CARTTrial.equivalent_to, "the defined class keeps its definition"
        assert gb.directedAt.property_chain, "the property chain survives the N-Triples route"
        assert gb.CarT in list(gb.Modality.instances())
    finally:
        world.close()


def test_every_namespace_term_is_declared_and_nothing_else(onto: Graph) -> None:
    declared = {
        str(s)
        for s, _, t in onto.triples((None, RDF.type, None))
        if t in DECLARATION_TYPES and str(s).startswith(GB_IRI)
    }
    used = namespace_terms()
    assert used - declared == set(), "terms the graph uses but the ontology does not declare"
    assert declared - used == set(), "terms the ontology declares but namespaces.py does not name"
    assert gb_iris_in(onto) <= used, "a gb: IRI in the ontology that namespaces.py does not name"


@pytest.mark.parametrize("term", sorted(namespace_terms()), ids=lambda t: t[len(GB_IRI) :])
def test_every_term_has_label_and_definition(onto: Graph, term: str) -> None:
    node = URIRef(term)
    labels = [
        o for o in onto.objects(node, RDFS.label) if isinstance(o, Literal) and str(o).strip()
    ]
    definitions = [
        o
        for p in (SKOS.definition, IAO_DEFINITION)
        for o in onto.objects(node, p)
        if str(o).strip()
    ]
    assert len(labels) == 1, f"{term}: exactly one rdfs:label"
    assert definitions, f"{term}: a skos:definition"


def test_kinds_match_the_data(onto: Graph) -> None:
    """Properties whose values are nodes are object properties, literals datatype ones."""
    object_props = {
        "hasIntervention",
        "studiesDisease",
        "hasEndpoint",
        "directedAt",
        "modality",
        "cellSource",
        "interventionRole",
        "targetsAntigen",
        "measuresConcept",
        "hasTimeFrame",
        "hasEvidence",
    }
    for name in object_props:
        assert (GB[name], RDF.type, OWL.ObjectProperty) in onto, name
    for name in ("trialId", "hgncId", "meshId", "minDays", "basis", "quote", "startOffset"):
        assert (GB[name], RDF.type, OWL.DatatypeProperty) in onto, name


@pytest.mark.parametrize(
    ("enum", "mapping", "cls"),
    [
        pytest.param(model.Modality, MODALITY, GB.Modality, id="modality"),
        pytest.param(model.CellSource, CELL_SOURCE, GB.CellSource, id="cell-source"),
        pytest.param(model.InterventionRole, INTERVENTION_ROLE, GB.InterventionRole, id="role"),
    ],
)
def test_enum_individuals_match_the_model(onto: Graph, enum, mapping, cls) -> None:
    """Each model enum value is a named individual of its class whose skos:notation is the
    value, and it is the individual the triples stage writes for it."""
    individuals = set(onto.subjects(RDF.type, cls))
    assert len(individuals) == len(enum)
    for member in enum:
        node = URIRef(mapping[member].value)
        assert node in individuals
        assert (node, RDF.type, OWL.NamedIndividual) in onto
        assert onto.value(node, SKOS.notation) == Literal(member.value)


def test_reused_vocabulary_terms_exist(onto: Graph) -> None:
    """PROV, SKOS and DCTERMS terms are checked against rdflib's closed namespaces (an unknown
    attribute raises), never recalled."""
    for ns in (PROV, SKOS, DCTERMS):
        base = str(ns)
        for iri in {
            str(t)
            for triple in onto
            for t in triple
            if isinstance(t, URIRef) and str(t).startswith(base)
        }:
            getattr(ns, iri[len(base) :])  # raises AttributeError for a term the namespace lacks


def test_ncit_classes_are_verified(onto: Graph, vocab_dir: Path) -> None:
    """Every NCIt class the ontology reuses has that code and label in the CDISC tables."""
    known: dict[str, set[str]] = {}
    for table in vocab_dir.glob("cdisc_*.tsv"):
        with table.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                known.setdefault(row["code"], set()).update(
                    {row["nci_preferred_term"], row["submission_value"]}
                )
    used = {
        t for triple in onto for t in triple if isinstance(t, URIRef) and str(t).startswith(NCIT)
    }
    assert used, "the ontology reuses NCIt classes"
    for iri in used:
        code = str(iri)[len(NCIT) :]
        assert code in known, f"{code} not in shared/vocab CDISC tables"
        assert str(onto.value(iri, RDFS.label)) in known[code]


def test_hermit_classifies_the_terminology() -> None:
    """HermiT finds every class satisfiable and proves what nobody asserted: every CAR-T
    trial is a cell therapy trial."""
    terminology = reason.classify()
    news = set(terminology.inferred_subsumptions)
    assert (str(GB.CARTTrial), str(GB.CellTherapyTrial)) in news
    assert (str(GB.AntibodyTrial), str(GB.CellTherapyTrial)) not in news
    assert str(GB.CARTTrial) in terminology.subs_of_class(str(GB.Trial))
    assert str(SKOS.broader) in terminology.subs_of_property(str(SKOS.broaderTransitive))


def test_rule_heads_are_the_reasoner_filled_terms() -> None:
    heads = {rule.head for rule in reason.compile_rules()}
    assert heads == {
        str(GB.CARTTrial),
        str(GB.CellTherapyTrial),
        str(GB.AntibodyTrial),
        str(GB.directedAt),
        str(SKOS.broaderTransitive),
    }
