"""The typed data that flows through graphbuild: a read `Record`, an extracted `Trial`.

Plain frozen dataclasses, no I/O and no imports from the rest of the package, so that every
stage (readers, extract, rdf, export) can depend on this module and on nothing else upstream.

Two layers:

* `Record` is what a source file says, field by field, with where each field came from.
  Readers produce it; nothing in it is interpreted beyond light normalization (whitespace,
  enum casing), so it can be compared across formats.
* `Trial` is what the record means: interventions with modality and role, target antigens,
  grounded diseases, endpoints with concepts and parsed time frames, design. Every extracted
  link carries `Evidence` (the field, the words, their offsets) and a `basis` saying how it
  was made, so nothing in the graph is an unmarked guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping


class StrEnum(str, Enum):
    """A str-valued enum (Python 3.10 has no enum.StrEnum)."""

    def __str__(self) -> str:
        return self.value


# --------------------------------------------------------------------------------------------
# Records: what the source says
# --------------------------------------------------------------------------------------------


class SourceFormat(StrEnum):
    FLAT = "flat"
    CSV = "csv"
    JSON = "json"
    XML = "xml"


class OutcomeRole(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: the file (as given, or `member` inside an archive) and the
    record's locator inside it (`0`-based index, or `line N` for line-oriented formats)."""

    file: str
    record: str
    member: str | None = None  # path inside a zip archive, when read from one

    def __str__(self) -> str:
        where = f"{self.file}!{self.member}" if self.member else self.file
        return f"{where} [record {self.record}]"


@dataclass(frozen=True, slots=True)
class Intervention:
    """One intervention as the record states it. `type` is upper case (DRUG, BIOLOGICAL,
    OTHER, DEVICE, PROCEDURE, GENETIC, RADIATION, BEHAVIORAL, DIETARY_SUPPLEMENT,
    COMBINATION_PRODUCT, DIAGNOSTIC_TEST) whatever casing the source used."""

    type: str
    name: str
    description: str = ""
    other_names: tuple[str, ...] = ()
    arm_labels: tuple[str, ...] = ()
    source_field: str = ""


@dataclass(frozen=True, slots=True)
class Arm:
    label: str
    type: str = ""  # EXPERIMENTAL, ACTIVE_COMPARATOR, ... (upper case)
    description: str = ""
    intervention_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """An outcome measure as stated: the three parts ClinicalTrials.gov keeps apart."""

    role: OutcomeRole
    measure: str
    description: str = ""
    time_frame: str = ""
    source_field: str = ""


@dataclass(frozen=True, slots=True)
class MeshTerm:
    """A MeSH term the source itself assigned (ClinicalTrials.gov condition/intervention
    browse). `id` is the canonical descriptor id (`D009101`; the API's zero-padded
    `D000009101` is normalized). `ancestor` marks terms given as ancestors, not as matches."""

    id: str
    term: str
    ancestor: bool = False


@dataclass(frozen=True, slots=True)
class Record:
    """One trial record, as read. Text fields are stripped; absent fields are empty.

    `origins` maps a model field name (`brief_title`, `outcomes`, ...) to the source field it
    was read from (`line 1`, `Study Title`, `protocolSection.identificationModule.briefTitle`).
    """

    trial_id: str
    source: SourceRef
    format: SourceFormat
    nct_id: str | None = None
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""
    brief_summary: str = ""
    detailed_description: str = ""
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    arms: tuple[Arm, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    phases: tuple[str, ...] = ()  # PHASE1, PHASE2, EARLY_PHASE1, ... or NA
    study_type: str = ""  # INTERVENTIONAL, OBSERVATIONAL, EXPANDED_ACCESS
    status: str = ""  # RECRUITING, COMPLETED, ... (upper case with underscores)
    start_date: str = ""  # ISO-8601 prefix as precise as the source: 2016, 2016-04, 2016-04-01
    primary_completion_date: str = ""
    completion_date: str = ""
    enrollment: int | None = None
    sponsor: str = ""
    collaborators: tuple[str, ...] = ()
    allocation: str = ""  # RANDOMIZED, NON_RANDOMIZED, NA
    intervention_model: str = ""  # SINGLE_GROUP, PARALLEL, ...
    masking: str = ""  # NONE, SINGLE, DOUBLE, ...
    primary_purpose: str = ""
    condition_mesh: tuple[MeshTerm, ...] = ()
    intervention_mesh: tuple[MeshTerm, ...] = ()
    origins: Mapping[str, str] = field(default_factory=dict)

    def outcomes_by_role(self, role: OutcomeRole) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.role is role)


@dataclass(frozen=True, slots=True)
class Reject:
    """A record (or a whole file) that could not be read. Names the file, the record and the
    field, so a user can find and fix it; the rest of the batch goes on."""

    file: str
    record: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: record {self.record}: field {self.field}: {self.reason}"


# --------------------------------------------------------------------------------------------
# Trials: what the record means
# --------------------------------------------------------------------------------------------


class Basis(StrEnum):
    """How an extracted link was made. The contract query `trial_antigens` reports it."""

    STATED = "stated"  # the words are in the record (product name, title, summary, ...)
    PRODUCT_LEXICON = "product_lexicon"  # a named product whose target is curated knowledge
    INFERRED = "inferred"  # indirect: e.g. the antigen appears only in PD outcomes
    SOURCE_MESH = "source_mesh"  # the source's own MeSH assignment (diseases)
    LEXICON = "lexicon"  # matched against a curated lexicon (diseases, endpoint concepts)
    TITLE = "title"  # a narrower disease the title names beside a generic stated condition


class TargetStatus(StrEnum):
    """The trial-level answer to 'what does it target', strongest basis first."""

    STATED = "stated"
    PRODUCT_LEXICON = "product_lexicon"
    INFERRED = "inferred"
    UNSPECIFIED = "unspecified"  # a targeted therapy whose target the text never names
    NOT_APPLICABLE = "not_applicable"  # no targeted agent (chemotherapy only, procedures, ...)


class Modality(StrEnum):
    CAR_T = "CAR-T"
    CAR_NK = "CAR-NK"
    TCR_T = "TCR-T"
    OTHER_CELL_THERAPY = "other cell therapy"
    MONOCLONAL_ANTIBODY = "monoclonal antibody"
    BISPECIFIC_ANTIBODY = "bispecific antibody"
    ANTIBODY_DRUG_CONJUGATE = "antibody-drug conjugate"
    SMALL_MOLECULE = "small molecule"
    CHEMOTHERAPY = "chemotherapy"
    STEM_CELL_TRANSPLANT = "stem cell transplant"
    PROCEDURE = "procedure"
    RADIATION = "radiation"
    DEVICE = "device"
    BEHAVIORAL = "behavioral"
    VACCINE = "vaccine"
    OTHER = "other"


class CellSource(StrEnum):
    AUTOLOGOUS = "autologous"
    ALLOGENEIC = "allogeneic"


class InterventionRole(StrEnum):
    INVESTIGATIONAL = "investigational"
    LYMPHODEPLETION = "lymphodepletion"  # fludarabine / cyclophosphamide before cell infusion
    SUPPORTIVE = "supportive"  # premedication, prophylaxis, rescue
    COMPARATOR = "comparator"  # active comparator or placebo arm


class EndpointCategory(StrEnum):
    SAFETY = "safety"
    EFFICACY = "efficacy"
    PHARMACOKINETICS = "pharmacokinetics"
    PHARMACODYNAMICS = "pharmacodynamics"
    QUALITY_OF_LIFE = "quality of life"
    FEASIBILITY = "feasibility"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Evidence:
    """The words an extracted link rests on. `field` is a path into the Record
    (`brief_title`, `interventions[0].name`, `outcomes[3].description`); `start`/`end` are
    character offsets of `text` in that field's value, so `value[start:end] == text`."""

    field: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Antigen:
    """A target antigen grounded in HGNC: symbol (TNFRSF17) and id (HGNC:11913)."""

    symbol: str
    hgnc_id: str
    label: str = ""  # the common name used in the field (BCMA), for display


@dataclass(frozen=True, slots=True)
class TargetLink:
    """An intervention (or, with `intervention_index` None, the trial) is directed at an
    antigen. `basis` says how that was established; `evidence` is never empty."""

    antigen: Antigen
    basis: Basis
    evidence: tuple[Evidence, ...]
    intervention_index: int | None = None


@dataclass(frozen=True, slots=True)
class InterventionInfo:
    """What an intervention is: the extracted reading of `Record.interventions[index]`."""

    index: int
    name: str
    type: str
    product_code: str | None = None
    modality: Modality | None = None
    cell_source: CellSource | None = None
    role: InterventionRole = InterventionRole.INVESTIGATIONAL
    mesh_ids: tuple[str, ...] = ()  # MeSH (D...) or SCR (C...) ids for the agent, when known
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class DiseaseLink:
    """A condition grounded to a MeSH descriptor. `condition_text` is the condition as the
    record wrote it; `qualifiers` are kept apart from the disease (relapsed, refractory,
    CD7-positive, pediatric, ...). `basis` is SOURCE_MESH or LEXICON."""

    mesh_id: str
    label: str  # the MeSH descriptor name
    condition_text: str
    basis: Basis
    evidence: tuple[Evidence, ...]
    qualifiers: tuple[str, ...] = ()
    mondo_ids: tuple[str, ...] = ()  # verified cross-references, MONDO:nnnnnnn
    ncit_ids: tuple[str, ...] = ()  # NCIT:Cnnnn


@dataclass(frozen=True, slots=True)
class ConceptLink:
    """An endpoint measures a normalized concept (a key of ontology/vocab/endpoint_concepts.tsv,
    such as ORR, CR, DLT, CRS, CMAX)."""

    concept: str
    category: EndpointCategory
    evidence: tuple[Evidence, ...]
    basis: Basis = Basis.LEXICON


@dataclass(frozen=True, slots=True)
class TimeFrame:
    """A time frame: the original text always; bounds in days only where the text gives them.
    `time_points_days` are the named assessment points ("at 4, 8 and 12 weeks" -> 28, 56, 84).
    `anchor` is what the times count from (infusion, first dose, randomization, ...)."""

    text: str
    min_days: float | None = None
    max_days: float | None = None
    time_points_days: tuple[float, ...] = ()
    anchor: str | None = None

    @property
    def parsed(self) -> bool:
        return self.min_days is not None or self.max_days is not None or bool(self.time_points_days)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An outcome measure of the record (`Record.outcomes[index]`) with what it measures."""

    index: int
    role: OutcomeRole
    measure: str
    description: str
    time_frame: TimeFrame
    concepts: tuple[ConceptLink, ...] = ()
    criteria: tuple[str, ...] = ()  # assessment criteria named: IMWG, iwCLL, CTCAE v5.0, ASTCT
    methods: tuple[str, ...] = ()  # assay methods named: flow cytometry, qPCR, ddPCR, NGS


@dataclass(frozen=True, slots=True)
class Design:
    """Study design. Each flag is None when the record does not say."""

    phases: tuple[str, ...] = ()
    phase_basis: str | None = None  # "structured" or "text"
    open_label: bool | None = None
    single_arm: bool | None = None
    randomized: bool | None = None
    dose_escalation: bool | None = None
    centers: str | None = None  # "single" or "multi"
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Trial:
    """The extracted model of one record. `record` is kept so the graph can carry the text."""

    trial_id: str
    record: Record
    interventions: tuple[InterventionInfo, ...] = ()
    targets: tuple[TargetLink, ...] = ()
    target_status: TargetStatus = TargetStatus.NOT_APPLICABLE
    diseases: tuple[DiseaseLink, ...] = ()
    ungrounded_conditions: tuple[str, ...] = ()  # conditions that name no disease we know
    endpoints: tuple[Endpoint, ...] = ()
    design: Design = field(default_factory=Design)
    # the build report's worklist, like `ungrounded_conditions`: what the lexicons do not cover
    interventions_without_modality: tuple[str, ...] = ()  # intervention names
    outcomes_without_concept: tuple[str, ...] = ()  # outcome measures
