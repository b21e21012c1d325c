"""The graph's vocabulary: every term graphbuild writes, declared once.

`GB` is the ontology (classes and properties, defined in `ontology/graphbuild.ttl`);
`GBR` is where instance IRIs live. Antigens, diseases and NCIt concepts use the IRIs others
already use, so graphs join: HGNC via identifiers.org, MeSH via id.nlm.nih.gov, MONDO and
NCIt via OBO PURLs. The shape of the graph is described in `docs/graph-model.md`.
"""

from __future__ import annotations

from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from graphbuild.rdf.prefixes import (
    CTGOV_IRI,
    GB_IRI,
    GBR_IRI,
    HGNC_IRI,
    MESH_IRI,
    OBO_IRI,
)

GBR = Namespace(GBR_IRI)
HGNC = Namespace(HGNC_IRI)
MESH = Namespace(MESH_IRI)
OBO = Namespace(OBO_IRI)
CTGOV = Namespace(CTGOV_IRI)


class GB(DefinedNamespace):
    """graphbuild ontology terms. An undeclared attribute raises, so a typo fails early."""

    _NS = Namespace(GB_IRI)
    _fail = True

    # classes
    Trial: URIRef
    Intervention: URIRef
    TargetAntigen: URIRef
    Disease: URIRef
    Endpoint: URIRef
    EndpointConcept: URIRef
    TimeFrame: URIRef
    Evidence: URIRef
    ExtractedLink: URIRef  # an rdf:Statement about an extracted edge, with basis + evidence
    Modality: URIRef
    CellSource: URIRef
    InterventionRole: URIRef
    Build: URIRef
    # classes the reasoner fills (never asserted by the triples stage)
    CellTherapyTrial: URIRef
    CARTTrial: URIRef
    AntibodyTrial: URIRef

    # trial
    trialId: URIRef
    nctId: URIRef
    officialTitle: URIRef
    acronym: URIRef
    briefSummary: URIRef
    detailedDescription: URIRef
    phase: URIRef  # literal: PHASE1, PHASE2, EARLY_PHASE1, NA
    studyType: URIRef
    overallStatus: URIRef
    enrollment: URIRef
    sponsor: URIRef
    startDate: URIRef
    primaryCompletionDate: URIRef
    completionDate: URIRef
    sourceFormat: URIRef
    targetStatus: URIRef  # literal: stated, product_lexicon, inferred, unspecified, not_applicable
    openLabel: URIRef
    singleArm: URIRef
    randomized: URIRef
    doseEscalation: URIRef
    centers: URIRef  # literal: single / multi
    phaseBasis: URIRef
    conditionText: URIRef  # the conditions as written
    hasIntervention: URIRef
    studiesDisease: URIRef  # Trial -> Disease
    hasEndpoint: URIRef
    directedAt: URIRef  # Trial -> TargetAntigen (trial-level links, and by reasoning)
    # Trial -> TargetAntigen, one per basis of the links behind it (reasoning step only)
    directedAtStated: URIRef
    directedAtByProductLexicon: URIRef
    directedAtInferred: URIRef
    productCodeList: URIRef  # its interventions' product codes joined as text (reasoning step only)
    diseaseLabelList: URIRef  # its MeSH diseases' labels joined as text (reasoning step only)
    # aggregate nodes the reasoning step writes (graphbuild/reason/aggregates.py)
    cellAntigen: URIRef  # antigen x disease cell -> its antigen
    cellDisease: URIRef  # antigen x disease cell -> its disease
    pairAntigen: URIRef  # antigen pair -> each of its two antigens
    trialCount: URIRef  # literal: trials of a cell or pair
    trialIdList: URIRef  # literal: their ids, sorted, joined with " "
    # the trial-id index on shared nodes (reasoning step only): node -> id of each of its trials
    targetedByTrialId: URIRef  # TargetAntigen -> id of a trial directed at it
    studiedByTrialId: URIRef  # Disease -> id of a trial that studies it
    measuredByTrialId: URIRef  # EndpointConcept -> id of a trial with an endpoint measuring it
    antigenTrialRow: URIRef  # TargetAntigen -> one trial's row of trials_for_antigen (tab-joined)
    # per (trial, antigen) summaries (reasoning step only; graphbuild/reason/target_summaries.py)
    targetSummary: URIRef  # Trial -> its summary node for one antigen
    summaryAntigen: URIRef  # summary -> the antigen
    strongestBasis: URIRef  # literal: stated, product_lexicon or inferred
    evidenceList: URIRef  # literal: "field: quote" items of its links of that basis
    # group nodes (reasoning step only; graphbuild/reason/group_summaries.py), literal keys
    groupKind: URIRef  # phase, antigen-phase, modality, product-antigen, ..., phase-category
    groupPhase: URIRef
    groupAntigenSymbol: URIRef
    groupModality: URIRef
    groupCellSource: URIRef
    groupProductCode: URIRef
    groupBasis: URIRef
    groupCategory: URIRef
    withinGroup: URIRef  # per-basis product group -> its product-antigen group
    endpointCount: URIRef  # literal: primary endpoints of a (phase, category) group

    # intervention
    interventionType: URIRef
    productCode: URIRef
    modality: URIRef  # -> a Modality individual
    cellSource: URIRef  # -> a CellSource individual
    interventionRole: URIRef  # -> an InterventionRole individual
    targetsAntigen: URIRef  # Intervention -> TargetAntigen
    otherName: URIRef

    # antigen, disease, concept
    hgncSymbol: URIRef
    hgncId: URIRef
    meshId: URIRef
    qualifier: URIRef  # on an ExtractedLink for studiesDisease: relapsed, refractory, CD7-positive
    qualifierList: URIRef  # the qualifiers joined as text (reasoning step only)
    quoteList: URIRef  # a link's evidence quotes joined as text (reasoning step only)
    category: URIRef  # literal: safety, efficacy, pharmacokinetics, ...

    # endpoint and time frame
    role: URIRef  # literal: primary / secondary / other
    measure: URIRef
    description: URIRef
    measuresConcept: URIRef  # Endpoint -> EndpointConcept
    hasTimeFrame: URIRef
    criterion: URIRef
    criterionList: URIRef  # the criteria joined as text (reasoning step only)
    method: URIRef
    methodList: URIRef  # the methods joined as text (reasoning step only)
    text: URIRef
    minDays: URIRef
    maxDays: URIRef
    timePointDays: URIRef
    timePointList: URIRef  # the time points joined as text (reasoning step only)
    antigenCount: URIRef  # an intervention's distinct target antigens (reasoning step only)
    antigenSymbolList: URIRef  # their HGNC symbols joined with " + " (reasoning step only)
    reachDays: URIRef  # max of maxDays and timePointDays (reasoning step only)
    anchor: URIRef

    # extracted links and evidence
    basis: URIRef  # literal: stated, product_lexicon, inferred, source_mesh, lexicon, title
    hasEvidence: URIRef
    sourceField: URIRef
    quote: URIRef
    startOffset: URIRef
    endOffset: URIRef

    # individuals: modalities
    CarT: URIRef
    CarNK: URIRef
    TcrT: URIRef
    OtherCellTherapy: URIRef
    MonoclonalAntibody: URIRef
    BispecificAntibody: URIRef
    AntibodyDrugConjugate: URIRef
    SmallMolecule: URIRef
    Chemotherapy: URIRef
    StemCellTransplant: URIRef
    Procedure: URIRef
    Radiation: URIRef
    Device: URIRef
    Behavioral: URIRef
    Vaccine: URIRef
    OtherModality: URIRef
    # individuals: cell sources and roles
    Autologous: URIRef
    Allogeneic: URIRef
    Investigational: URIRef
    Lymphodepletion: URIRef
    Supportive: URIRef
    Comparator: URIRef


# Named graphs that are not per trial.
VOCABULARY_GRAPH = GBR["graph/vocabulary"]  # antigen, disease (with hierarchy), concept nodes
INFERRED_GRAPH = GBR["graph/inferred"]  # what the reasoner adds; rebuilt, never edited
BUILD_GRAPH = GBR["graph/build"]  # PROV-O: the build, its inputs with checksums, tool version


def id_segment(value: str) -> str:
    """`value` as one IRI path segment. NCT numbers and file stems pass through unchanged;
    anything else (spaces, slashes, non-ASCII) is percent-encoded so the IRI stays valid."""
    return quote(value, safe="-._~")


def trial_graph(trial_id: str) -> URIRef:
    """The named graph that holds exactly one trial's triples (replaced as a whole)."""
    return GBR[f"graph/trial/{id_segment(trial_id)}"]
