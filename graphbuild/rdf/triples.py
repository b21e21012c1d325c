"""Trial -> quads: one trial's facts in its own named graph, plus build provenance.

The shape is docs/graph-model.md. Three choices make the output safe to build in parallel and
to replace piecemeal:

* every IRI comes from `graphbuild.rdf.iris` (content, never a counter), so the same record
  gives the same quads in any process and in any input order;
* a trial graph holds exactly the trial's own facts: its nodes (trial, interventions,
  endpoints, time frames, links, evidence) and its edges to shared nodes. The antigen, disease
  and concept nodes are described once, in the vocabulary graph (`rdf/vocabulary.py`), never
  repeated per trial: Oxigraph's union default graph has bag semantics, so a label copied into
  k trial graphs comes back k times from every join through it, and cross-trial queries turn
  quadratic (the stored antigen x disease query took 59 s instead of 0.01 s on 200 trials);
* the only time-dependent triples (the build's start and end) go to `BUILD_GRAPH` alone.

Quads are pyoxigraph objects, built directly (no rdflib terms on the hot path). No blank nodes
are written anywhere, so sorted N-Quads are a canonical form of any part of the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Iterator

import pyoxigraph as ox

from graphbuild.model import (
    CellSource,
    Evidence,
    InterventionRole,
    Modality,
    Trial,
)
from graphbuild.rdf import iris
from graphbuild.rdf.iris import T
from graphbuild.rdf.namespaces import BUILD_GRAPH

__all__ = [
    "SourceFile",
    "build_quads",
    "trial_quads",
    "vocabulary_quads",
    "decimal_literal",
    "date_literal",
]

MODALITY: dict[Modality, ox.NamedNode] = {
    Modality.CAR_T: T.gb.CarT,
    Modality.CAR_NK: T.gb.CarNK,
    Modality.TCR_T: T.gb.TcrT,
    Modality.OTHER_CELL_THERAPY: T.gb.OtherCellTherapy,
    Modality.MONOCLONAL_ANTIBODY: T.gb.MonoclonalAntibody,
    Modality.BISPECIFIC_ANTIBODY: T.gb.BispecificAntibody,
    Modality.ANTIBODY_DRUG_CONJUGATE: T.gb.AntibodyDrugConjugate,
    Modality.SMALL_MOLECULE: T.gb.SmallMolecule,
    Modality.CHEMOTHERAPY: T.gb.Chemotherapy,
    Modality.STEM_CELL_TRANSPLANT: T.gb.StemCellTransplant,
    Modality.PROCEDURE: T.gb.Procedure,
    Modality.RADIATION: T.gb.Radiation,
    Modality.DEVICE: T.gb.Device,
    Modality.BEHAVIORAL: T.gb.Behavioral,
    Modality.VACCINE: T.gb.Vaccine,
    Modality.OTHER: T.gb.OtherModality,
}
CELL_SOURCE: dict[CellSource, ox.NamedNode] = {
    CellSource.AUTOLOGOUS: T.gb.Autologous,
    CellSource.ALLOGENEIC: T.gb.Allogeneic,
}
INTERVENTION_ROLE: dict[InterventionRole, ox.NamedNode] = {
    InterventionRole.INVESTIGATIONAL: T.gb.Investigational,
    InterventionRole.LYMPHODEPLETION: T.gb.Lymphodepletion,
    InterventionRole.SUPPORTIVE: T.gb.Supportive,
    InterventionRole.COMPARATOR: T.gb.Comparator,
}

_DATE_TYPES = {4: T.xsd.gYear, 7: T.xsd.gYearMonth, 10: T.xsd.date}
_ISO_PREFIX = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")


def date_literal(value: str) -> ox.Literal:
    """An ISO date prefix typed as precisely as the source gives it: `2016` xsd:gYear,
    `2016-04` xsd:gYearMonth, `2016-04-01` xsd:date. Anything else stays a plain string, so
    a reader bug is visible in the graph (and to SHACL) instead of silently dropped."""
    if _ISO_PREFIX.fullmatch(value):
        return ox.Literal(value, datatype=_DATE_TYPES[len(value)])
    return ox.Literal(value)


def decimal_literal(value: float) -> ox.Literal:
    """xsd:decimal in Oxigraph's canonical form (`28`, `1.5`), so the quads written here and
    the quads read back from the store serialize identically."""
    number = Decimal(repr(float(value)))
    if number == number.to_integral_value():
        lexical = str(int(number))
    else:
        lexical = format(number.normalize(), "f")
    return ox.Literal(lexical, datatype=T.xsd.decimal)


class _TrialWriter:
    """Accumulates one trial's quads; a small object so each part of the trial is one method."""

    def __init__(self, trial: Trial) -> None:
        self.trial = trial
        self.tid = trial.trial_id
        self.graph = ox.NamedNode(iris.trial_graph_iri(trial.trial_id))
        self.node = ox.NamedNode(iris.trial_iri(trial.trial_id))
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(s, p, o, self.graph))

    def text(self, s: ox.NamedNode, p: ox.NamedNode, value: str | None) -> None:
        if value:
            self.quads.append(ox.Quad(s, p, ox.Literal(value), self.graph))

    # -- the trial node ----------------------------------------------------------------------

    def trial_node(self) -> None:
        trial, record, s, gb = self.trial, self.trial.record, self.node, T.gb
        self.add(s, T.rdf.type, gb.Trial)
        self.text(s, gb.trialId, trial.trial_id)
        self.text(s, T.rdfs.label, record.brief_title or trial.trial_id)
        self.text(s, T.dcterms.title, record.brief_title)
        if record.nct_id:
            self.text(s, gb.nctId, record.nct_id)
            self.add(s, T.rdfs.seeAlso, ox.NamedNode(iris.ctgov_iri(record.nct_id)))
        self.text(s, gb.officialTitle, record.official_title)
        self.text(s, gb.acronym, record.acronym)
        self.text(s, gb.briefSummary, record.brief_summary)
        self.text(s, gb.detailedDescription, record.detailed_description)
        for condition in record.conditions:
            self.text(s, gb.conditionText, condition)
        for phase in trial.design.phases or record.phases:
            self.text(s, gb.phase, phase)
        self.text(s, gb.phaseBasis, trial.design.phase_basis)
        self.text(s, gb.studyType, record.study_type)
        self.text(s, gb.overallStatus, record.status)
        self.text(s, gb.sponsor, record.sponsor)
        for prop, value in (
            (gb.startDate, record.start_date),
            (gb.primaryCompletionDate, record.primary_completion_date),
            (gb.completionDate, record.completion_date),
        ):
            if value:
                self.add(s, prop, date_literal(value))
        if record.enrollment is not None:
            self.add(s, gb.enrollment, ox.Literal(int(record.enrollment)))
        self.text(s, gb.sourceFormat, str(record.format))
        self.text(s, gb.targetStatus, str(trial.target_status))
        design = trial.design
        for prop, flag in (
            (gb.openLabel, design.open_label),
            (gb.singleArm, design.single_arm),
            (gb.randomized, design.randomized),
            (gb.doseEscalation, design.dose_escalation),
        ):
            if flag is not None:
                self.add(s, prop, ox.Literal(bool(flag)))
        self.text(s, gb.centers, design.centers)
        source = ox.NamedNode(iris.source_iri(record.source.file, record.source.member))
        self.add(s, T.prov.wasDerivedFrom, source)

    # -- interventions ---------------------------------------------------------------------

    def interventions(self) -> None:
        gb, record = T.gb, self.trial.record
        described: set[int] = set()
        for info in self.trial.interventions:
            node = ox.NamedNode(iris.intervention_iri(self.tid, info.index))
            described.add(info.index)
            self.add(self.node, gb.hasIntervention, node)
            self.add(node, T.rdf.type, gb.Intervention)
            self.text(node, T.rdfs.label, info.name)
            self.text(node, gb.interventionType, info.type)
            self.text(node, gb.productCode, info.product_code)
            if info.modality is not None:
                modality = MODALITY[info.modality]
                self.add(node, gb.modality, modality)
                if info.evidence:  # why we call it CAR-T: the words, like any extracted edge
                    self.link(node, gb.modality, modality, "stated", info.evidence)
            if info.cell_source is not None:
                self.add(node, gb.cellSource, CELL_SOURCE[info.cell_source])
            self.add(node, gb.interventionRole, INTERVENTION_ROLE[info.role])
            for mesh_id in info.mesh_ids:  # not gb:meshId: its domain is gb:Disease
                self.add(node, T.rdfs.seeAlso, ox.NamedNode(iris.disease_iri(mesh_id)))
            if 0 <= info.index < len(record.interventions):
                stated = record.interventions[info.index]
                self.text(node, gb.description, stated.description)
                for other in stated.other_names:
                    self.text(node, gb.otherName, other)
        # Interventions the extractor skipped still exist in the trial: keep them, unread.
        for index, stated in enumerate(record.interventions):
            if index in described:
                continue
            node = ox.NamedNode(iris.intervention_iri(self.tid, index))
            self.add(self.node, gb.hasIntervention, node)
            self.add(node, T.rdf.type, gb.Intervention)
            self.text(node, T.rdfs.label, stated.name)
            self.text(node, gb.interventionType, stated.type)

    # -- targets, diseases ---------------------------------------------------------------------

    def targets(self) -> None:
        gb = T.gb
        for target in self.trial.targets:
            node = ox.NamedNode(iris.antigen_iri(target.antigen.hgnc_id))
            if target.intervention_index is None:
                subject, predicate = self.node, gb.directedAt
            else:
                subject = ox.NamedNode(iris.intervention_iri(self.tid, target.intervention_index))
                predicate = gb.targetsAntigen
            self.add(subject, predicate, node)
            self.link(subject, predicate, node, str(target.basis), target.evidence)

    def diseases(self) -> None:
        gb = T.gb
        for disease in self.trial.diseases:
            node = ox.NamedNode(iris.disease_iri(disease.mesh_id))
            self.add(self.node, gb.studiesDisease, node)
            self.link(
                self.node, gb.studiesDisease, node, str(disease.basis), disease.evidence,
                qualifiers=disease.qualifiers,
            )

    # -- endpoints and time frames -------------------------------------------------------------

    def endpoints(self) -> None:
        gb = T.gb
        for endpoint in self.trial.endpoints:
            node = ox.NamedNode(iris.endpoint_iri(self.tid, endpoint.index))
            self.add(self.node, gb.hasEndpoint, node)
            self.add(node, T.rdf.type, gb.Endpoint)
            self.text(node, gb.role, str(endpoint.role))
            self.text(node, gb.measure, endpoint.measure)
            self.text(node, T.rdfs.label, endpoint.measure)
            self.text(node, gb.description, endpoint.description)
            for criterion in endpoint.criteria:
                self.text(node, gb.criterion, criterion)
            for method in endpoint.methods:
                self.text(node, gb.method, method)
            for concept in endpoint.concepts:
                target = ox.NamedNode(iris.concept_iri(concept.concept))
                self.add(node, gb.measuresConcept, target)
                self.link(node, gb.measuresConcept, target, str(concept.basis), concept.evidence)
            frame = endpoint.time_frame
            if frame.text or frame.parsed:
                tf = ox.NamedNode(iris.time_frame_iri(self.tid, endpoint.index))
                self.add(node, gb.hasTimeFrame, tf)
                self.add(tf, T.rdf.type, gb.TimeFrame)
                self.text(tf, gb.text, frame.text)
                if frame.min_days is not None:
                    self.add(tf, gb.minDays, decimal_literal(frame.min_days))
                if frame.max_days is not None:
                    self.add(tf, gb.maxDays, decimal_literal(frame.max_days))
                for days in frame.time_points_days:
                    self.add(tf, gb.timePointDays, decimal_literal(days))
                self.text(tf, gb.anchor, frame.anchor)

    # -- reified links ----------------------------------------------------------------------

    def link(
        self,
        subject: ox.NamedNode,
        predicate: ox.NamedNode,
        obj: ox.NamedNode,
        basis: str,
        evidence: Iterable[Evidence],
        *,
        qualifiers: Iterable[str] = (),
    ) -> None:
        """The rdf:Statement / gb:ExtractedLink about one extracted edge, with its evidence."""
        gb = T.gb
        link_value = iris.link_iri(self.tid, subject.value, predicate.value, obj.value, basis)
        link = ox.NamedNode(link_value)
        self.add(link, T.rdf.type, T.rdf.Statement)
        self.add(link, T.rdf.type, gb.ExtractedLink)
        self.add(link, T.rdf.subject, subject)
        self.add(link, T.rdf.predicate, predicate)
        self.add(link, T.rdf.object, obj)
        self.text(link, gb.basis, basis)
        for qualifier in qualifiers:
            self.text(link, gb.qualifier, qualifier)
        for item in evidence:
            node = ox.NamedNode(
                iris.evidence_iri(self.tid, link_value, item.field, item.start, item.end)
            )
            self.add(link, gb.hasEvidence, node)
            self.add(node, T.rdf.type, gb.Evidence)
            self.text(node, gb.sourceField, item.field)
            self.add(node, gb.quote, ox.Literal(item.text))
            self.add(node, gb.startOffset, ox.Literal(int(item.start)))
            self.add(node, gb.endOffset, ox.Literal(int(item.end)))


def trial_quads(trial: Trial) -> Iterator[ox.Quad]:
    """All of one trial's facts, in its named graph (`iris.trial_graph_iri`), each quad once.

    Deterministic: the same Trial gives the same quads in the same order, in any process."""
    writer = _TrialWriter(trial)
    writer.trial_node()
    writer.interventions()
    writer.targets()
    writer.diseases()
    writer.endpoints()
    # An edge asserted twice (two links to one antigen with different bases) is kept once.
    return iter(dict.fromkeys(writer.quads))


# --------------------------------------------------------------------------------------------
# Build provenance (BUILD_GRAPH only: the one place time enters the graph)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file (or archive member) of a build, with its SHA-256 and record count."""

    path: str
    sha256: str
    member: str | None = None
    records: int = 0


def build_quads(
    *, started: str, ended: str, version: str, sources: Iterable[SourceFile]
) -> Iterator[ox.Quad]:
    """PROV-O for one build: a prov:Activity (also gb:Build) with its time span, associated
    with the graphbuild software agent at `version`, using one prov:Entity per source file.
    `started`/`ended` are ISO-8601 date-times with a time zone."""
    g = ox.NamedNode(str(BUILD_GRAPH))
    prov, rdf, rdfs = T.prov, T.rdf, T.rdfs
    build = ox.NamedNode(iris.build_iri(started))
    agent = ox.NamedNode(iris.agent_iri(version))
    yield ox.Quad(build, rdf.type, prov.Activity, g)
    yield ox.Quad(build, rdf.type, T.gb.Build, g)
    yield ox.Quad(build, rdfs.label, ox.Literal(f"graphbuild build {started}"), g)
    yield ox.Quad(build, prov.startedAtTime, ox.Literal(started, datatype=T.xsd.dateTime), g)
    yield ox.Quad(build, prov.endedAtTime, ox.Literal(ended, datatype=T.xsd.dateTime), g)
    yield ox.Quad(build, prov.wasAssociatedWith, agent, g)
    yield ox.Quad(agent, rdf.type, prov.SoftwareAgent, g)
    yield ox.Quad(agent, rdfs.label, ox.Literal(f"graphbuild {version}"), g)
    yield ox.Quad(agent, T.dcterms.hasVersion, ox.Literal(version), g)
    for source in sorted(set(sources), key=lambda s: (s.path, s.member or "")):
        entity_value = iris.source_iri(source.path, source.member)
        entity = ox.NamedNode(entity_value)
        checksum = ox.NamedNode(f"{entity_value}/sha256")
        location = f"{source.path}!{source.member}" if source.member else source.path
        # a file name with bytes that are not UTF-8: shown escaped (`\xff`), never dropped
        location = location.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        yield ox.Quad(build, prov.used, entity, g)
        yield ox.Quad(entity, rdf.type, prov.Entity, g)
        yield ox.Quad(entity, rdfs.label, ox.Literal(location), g)
        yield ox.Quad(entity, T.spdx.checksum, checksum, g)
        yield ox.Quad(checksum, rdf.type, T.spdx.Checksum, g)
        yield ox.Quad(checksum, T.spdx.algorithm, T.spdx.checksumAlgorithm_sha256, g)
        yield ox.Quad(checksum, T.spdx.checksumValue, ox.Literal(source.sha256), g)


def vocabulary_quads(trials_or_ids: Iterable[object]) -> Iterator[ox.Quad]:
    """The shared vocabulary graph for the nodes these trials (or node IRIs) reference;
    see `graphbuild.rdf.vocabulary`."""
    from graphbuild.rdf.vocabulary import vocabulary_quads as _vocabulary_quads

    return _vocabulary_quads(trials_or_ids)
