"""Record -> InterventionInfo: product code, modality, cell source, role and MeSH ids of each
intervention, with the words each reading rests on.

An intervention is first read from its own words (name, other names, description), then
sharpened by the trial's words when its own are generic: seed 000 writes its product as
`OTHER: Biological` while its title and summary say "CT0594CP CAR-T Cells", so the product code
and the modality come from there, and the evidence points there. Roles come last, because they
depend on the other interventions (fludarabine is lymphodepletion next to a CAR-T, and the
investigational agent of a transplant trial).

Rules worth knowing (each documented where it is applied):
* a generic cell product ("RD13-02 cell infusion", "Biological", "Dose Level 1") takes the
  engineered-cell kind the trial's titles / summary name (CAR-T, CAR-NK, TCR-T);
* a T-cell product named without its engineering ("SENL103 Autologous T Cell Injection") whose
  trial monitors cytokine release syndrome / ICANS is read as CAR-T (the evidence quotes both);
* in a trial of an engineered cell therapy, fludarabine / cyclophosphamide / bendamustine are
  lymphodepletion, tocilizumab / dexamethasone supportive, and an antibody the titles and summary
  never name (rituximab as a CAR-T safety switch) supportive; so is such an antibody given with
  a transplant (alemtuzumab or rituximab in the conditioning), and anti-CD25 (daclizumab)
  against rejection / GVHD whenever a transplant is given;
* placebo, sham, standard of care, and interventions given only in comparator arms are comparators.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphbuild.extract.interventions.modality import (
    ANTIBODIES,
    CELL_BASED,
    ENGINEERED,
    find_codes,
    find_crs,
    find_engineered,
    find_t_cell_product,
    is_ancillary,
    is_placebo,
    is_standard_care,
    read_cell_source,
    read_modality,
    type_fallback,
)
from graphbuild.extract.interventions.products import Product, find_products, product_by_name
from graphbuild.extract.text import keywords
from graphbuild.extract.text.fields import match_evidence, text_fields
from graphbuild.extract.text.textmatch import negated_by_history
from graphbuild.model import (
    CellSource,
    Evidence,
    InterventionInfo,
    InterventionRole,
    Modality,
    Record,
)

# A description names the therapy in its first sentences; the rest is schedule and dosing.
_DESCRIPTION_HEAD = 400
_BESIDE = 25  # characters between a product code and the cell-therapy word that names it
_TRIAL_FIELDS = ("brief_title", "official_title", "acronym", "brief_summary")
_TYPE_DECIDES = frozenset({"DEVICE", "BEHAVIORAL", "DIAGNOSTIC_TEST"})
_NOT_PRODUCT_TYPES = frozenset(
    {"PROCEDURE", "DEVICE", "DIAGNOSTIC_TEST", "BEHAVIORAL", "RADIATION", "DIETARY_SUPPLEMENT"}
)
_SHARPENABLE_TYPES = frozenset(
    {"", "BIOLOGICAL", "GENETIC", "OTHER", "DRUG", "COMBINATION_PRODUCT"}
)
_COMPARATOR_ARMS = frozenset(
    {"ACTIVE_COMPARATOR", "PLACEBO_COMPARATOR", "SHAM_COMPARATOR", "NO_INTERVENTION"}
)
_PLACEHOLDER = re.compile(
    r"(?i:(?:\s*(?:dose|level|group|cohort|arm|part|stage|step|treatment|experimental|biologic(?:al)?|"
    r"product|injection|infusion|high|low|medium|[A-Z](?![A-Za-z])|\d+|[-:+,.()])(?![A-Za-z]))+)"
)
_LYMPHODEPLETION_WORDS = re.compile(r"(?i:lympho-?deplet)")
_SUPPORTIVE_WORDS = re.compile(
    r"(?i:premedicat|pre-medicat|prophyla(?:xis|ctic)|antiemetic|anti-emetic|supportive\s+care|"
    r"\brescue\b|management\s+of\s+(?:CRS|cytokine))"
)


@dataclass(slots=True)
class _Draft:
    """An intervention being read (mutable while the passes run)."""

    index: int
    name: str
    type: str
    modality: Modality | None = None
    product: Product | None = None
    generic: bool = True  # its own words name no definite therapy
    code: str | None = None
    cell_source: CellSource | None = None
    role: InterventionRole = InterventionRole.INVESTIGATIONAL
    mesh_ids: tuple[str, ...] = ()
    evidence: list[Evidence] = field(default_factory=list)

    def cite(self, item: Evidence) -> None:
        if item not in self.evidence:
            self.evidence.append(item)

    def freeze(self) -> InterventionInfo:
        return InterventionInfo(
            index=self.index,
            name=self.name,
            type=self.type,
            product_code=self.code,
            modality=self.modality,
            cell_source=self.cell_source,
            role=self.role,
            mesh_ids=self.mesh_ids,
            evidence=tuple(self.evidence),
        )


def _own_fields(record: Record, index: int) -> Iterator[tuple[str, str]]:
    """An intervention's own words: name, other names, description (in that order)."""
    intervention = record.interventions[index]
    yield f"interventions[{index}].name", intervention.name
    for j, other in enumerate(intervention.other_names):
        yield f"interventions[{index}].other_names[{j}]", other
    if intervention.description:
        yield f"interventions[{index}].description", intervention.description


def _trial_fields(record: Record) -> Iterator[tuple[str, str]]:
    for name in _TRIAL_FIELDS:
        value = getattr(record, name)
        if value:
            yield name, value


# ---------------------------------------------------------------------------------------------
# Pass 1: each intervention's own words
# ---------------------------------------------------------------------------------------------


def _read_own(record: Record, index: int) -> _Draft:
    intervention = record.interventions[index]
    draft = _Draft(index=index, name=intervention.name, type=intervention.type.upper())
    own = list(_own_fields(record, index))
    for path, text in own:
        reading = read_modality(text[:_DESCRIPTION_HEAD] if path.endswith("description") else text)
        if reading is None:
            continue
        draft.modality = reading.modality
        draft.product = reading.product
        draft.generic = reading.generic_cells
        draft.cite(Evidence(path, text[reading.start : reading.end], reading.start, reading.end))
        break
    if (
        draft.type in _TYPE_DECIDES
        or draft.modality is None
        or (draft.generic and draft.type in _NOT_PRODUCT_TYPES)
    ):
        # a DEVICE is a device (CliniMACS "Cell Processing System"); "Red blood cell
        # transfusion" and "T-cell depletion" are procedures, whatever cells they name
        draft.modality = type_fallback(draft.type) or draft.modality
        draft.generic = draft.modality is None
    for path, text in own[:-1] if intervention.description else own:  # codes: names only
        codes = find_codes(text)
        if codes:
            draft.code = codes[0].group("code")
            draft.cite(match_evidence(path, codes[0], "code"))
            break
    _read_own_cell_source(draft, own)
    return draft


def _read_own_cell_source(draft: _Draft, own: list[tuple[str, str]]) -> None:
    if draft.modality not in CELL_BASED and not draft.generic:
        return
    transplant = draft.modality is Modality.STEM_CELL_TRANSPLANT
    for path, text in own:
        found = read_cell_source(text, own=True, transplant=transplant)
        if found:
            draft.cell_source = found[0]
            draft.cite(match_evidence(path, found[1]))
            return


# ---------------------------------------------------------------------------------------------
# Pass 2: what the trial's own words add to generic interventions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TrialKind:
    """The engineered-cell therapy a trial's titles / summary name, with the words."""

    modality: Modality
    evidence: tuple[Evidence, ...]


def trial_kind(record: Record) -> _TrialKind | None:
    """CAR-T / CAR-NK / TCR-T as the trial's titles, summary, description or, last, its outcomes
    name it (not as history: "relapsed after CAR-T"); failing that, a T-cell product in a trial
    that monitors cytokine release syndrome or ICANS, which is read as CAR-T."""
    fields = list(_trial_fields(record))
    if record.detailed_description:
        fields.append(("detailed_description", record.detailed_description))
    outcome_fields = [
        (path, text)
        for path, text in text_fields(record)
        if path.startswith("outcomes[") and not path.endswith("time_frame")
    ]
    for path, text in fields + outcome_fields:
        found = find_engineered(text)
        if found and not negated_by_history(text, found[1].start()):
            return _TrialKind(found[0], (match_evidence(path, found[1]),))
    for path, text in fields[:-1] if record.detailed_description else fields:
        product = find_t_cell_product(text)
        if product is None:
            continue
        for crs_path, crs_text in text_fields(record):
            crs = find_crs(crs_text)
            if crs:
                return _TrialKind(
                    Modality.CAR_T, (match_evidence(path, product), match_evidence(crs_path, crs))
                )
        return None
    return None


def _sharpenable(record: Record, draft: _Draft) -> bool:
    """Is this intervention a generic stand-in for the trial's cell product?"""
    if not draft.generic or draft.type not in _SHARPENABLE_TYPES:
        return False
    name = draft.name
    if is_ancillary(name) or is_placebo(name) or is_standard_care(name):
        return False
    if draft.type == "DRUG" and draft.modality is None:
        # a drug named by a placeholder ("Dose level 1 group") stands for the trial's product;
        # one named only by a code is the cell product only if the titles name that code (or
        # its stem: NW-301V / NW-301D in a trial of "NW-301 TCR-T")
        if draft.code is None:
            return _PLACEHOLDER.fullmatch(name) is not None
        return _code_beside_cue(record, draft.code)
    return True


def _code_beside_cue(record: Record, code: str) -> bool:
    """Do the titles / summary name `code` (or its stem) right next to an engineered-cell word
    ("NW-301 TCR-T", "FLT3 CAR-T AMG 553"), as opposed to a drug given alongside the cells
    ("JCAR017 in combination with CC-122")?"""
    for _, text in _trial_fields(record):
        for match in find_codes(text):
            other = match.group("code")
            if not (code.startswith(other) or other.startswith(code)):
                continue
            window = text[max(0, match.start() - _BESIDE) : match.end() + _BESIDE]
            if find_engineered(window):
                return True
    return False


def _trial_code(record: Record) -> Evidence | None:
    """The product code the titles and summary use most (first seen on ties)."""
    seen: list[Evidence] = []
    for path, text in _trial_fields(record):
        seen.extend(match_evidence(path, m, "code") for m in find_codes(text))
    if not seen:
        return None
    counts = Counter(item.text for item in seen)
    best = max(counts.values())
    return next(item for item in seen if counts[item.text] == best)


def _trial_cell_source(record: Record) -> tuple[CellSource, Evidence] | None:
    for path, text in _trial_fields(record):
        found = read_cell_source(text, own=False)
        if found and not negated_by_history(text, found[1].start()):
            return found[0], match_evidence(path, found[1])
    return None


def _sharpen(record: Record, drafts: list[_Draft]) -> None:
    candidates = [d for d in drafts if _sharpenable(record, d)]
    if not candidates:
        return
    kind = trial_kind(record)
    if kind is None:
        # no engineered cells in the trial's words: only generic cell products ("cell
        # injection") can still take the trial's product code and cell source
        candidates = [d for d in candidates if d.modality is Modality.OTHER_CELL_THERAPY]
        if not candidates:
            return
    code = _trial_code(record)
    source = _trial_cell_source(record)
    for draft in candidates:
        if kind is not None:
            draft.modality = kind.modality
            for item in kind.evidence:
                draft.cite(item)
        if draft.code is None and code is not None:
            draft.code = code.text
            draft.cite(code)
        if draft.cell_source is None and source is not None and draft.modality in CELL_BASED:
            draft.cell_source = source[0]
            draft.cite(source[1])


# ---------------------------------------------------------------------------------------------
# Pass 3: roles
# ---------------------------------------------------------------------------------------------


def _arm_types(record: Record, index: int) -> set[str]:
    """Types of the arms that give intervention `index` (by the intervention's arm labels or
    the arms' "Type: name" intervention lists)."""
    intervention = record.interventions[index]
    labels = set(intervention.arm_labels)
    name = intervention.name.casefold()
    types = set()
    for arm in record.arms:
        listed = any(n.split(":", 1)[-1].strip().casefold() == name for n in arm.intervention_names)
        if arm.label in labels or listed:
            types.add(arm.type.upper())
    return types


def _named_in_trial(record: Record, draft: _Draft) -> bool:
    """Do the titles or brief summary name this intervention (or its product)?"""
    names = {draft.name.casefold()}
    if draft.product is not None:
        names.add(draft.product.name.casefold())
    text = " ".join(text for _, text in _trial_fields(record)).casefold()
    if any(n and n in text for n in names):
        return True
    return draft.product is not None and any(p is draft.product for p, _, _ in find_products(text))


def _role_hint(draft: _Draft) -> str:
    """The lexicon's role hint, if the intervention is that agent alone ("Fludarabine and
    cyclophosphamide" yes; "Folinic acid, fluorouracil and oxaliplatin" - FOLFOX - no)."""
    if draft.product is None:
        return ""
    roles = {product.role for product, _, _ in find_products(draft.name)}
    return draft.product.role if roles <= {draft.product.role} else ""


def _with_transplant(others: list[_Draft]) -> bool:
    """Is the agent given with a transplant: is another intervention one? (A title's transplant
    may be the patients' history: "... Who Received or Did Not Qualify for Autologous SCT".)"""
    return any(d.modality is Modality.STEM_CELL_TRANSPLANT for d in others)


def _is_supportive(record: Record, draft: _Draft, drafts: list[_Draft], engineered: bool) -> bool:
    """Premedication, prophylaxis, rescue or CRS care rather than a therapy under test."""
    hint = _role_hint(draft)
    others = [d for d in drafts if d is not draft]
    if hint == "supportive":  # mesna, G-CSF, antiemetics: when the trial gives something else
        return any(not (d.product and d.product.role == "supportive") for d in others)
    if hint == "supportive_with_cell_therapy":  # tocilizumab, dexamethasone next to a CAR-T
        return engineered
    if hint == "supportive_with_transplant":  # daclizumab against rejection / GVHD
        return _with_transplant(others)
    if draft.modality in ANTIBODIES and (
        engineered or (_with_transplant(others) and draft.modality is Modality.MONOCLONAL_ANTIBODY)
    ):
        # rituximab as a CAR-T safety switch; alemtuzumab / rituximab in a transplant's
        # conditioning: an antibody the titles and summary never name is not what is tested.
        # Not a conjugate or an engager given with a transplant (gemtuzumab in an AML
        # protocol): those are made to kill the tumour, never to condition or deplete.
        return not _named_in_trial(record, draft)
    own_text = " ".join(text for _, text in _own_fields(record, draft.index))
    return (
        bool(others)
        and draft.modality not in CELL_BASED
        and bool(keywords.search(_SUPPORTIVE_WORDS, own_text))
    )


def _is_lymphodepletion(record: Record, draft: _Draft, engineered: bool) -> bool:
    """Fludarabine / cyclophosphamide / bendamustine before engineered cells, or any agent
    its own words call lymphodepleting."""
    if draft.modality in CELL_BASED:
        return False
    if _role_hint(draft) == "lymphodepletion" and engineered:
        return True
    own_text = " ".join(text for _, text in _own_fields(record, draft.index))
    return keywords.search(_LYMPHODEPLETION_WORDS, own_text) is not None


def _is_comparator(record: Record, draft: _Draft) -> bool:
    """Placebo, sham or standard care, or given only in comparator arms of a trial that has some
    other arm (when every arm is typed a comparator, as in trials comparing two schedules of one
    treatment, the types say nothing of which agent is studied)."""
    if is_placebo(draft.name) or is_standard_care(draft.name):
        return True
    arm_types = _arm_types(record, draft.index)
    studied = any(arm.type and arm.type not in _COMPARATOR_ARMS for arm in record.arms)
    return bool(arm_types) and arm_types <= _COMPARATOR_ARMS and studied


def _assign_roles(record: Record, drafts: list[_Draft]) -> None:
    engineered = any(d.modality in ENGINEERED for d in drafts)
    for draft in drafts:
        if _is_comparator(record, draft):
            draft.role = InterventionRole.COMPARATOR
        elif _is_lymphodepletion(record, draft, engineered):
            draft.role = InterventionRole.LYMPHODEPLETION
        elif _is_supportive(record, draft, drafts, engineered):
            draft.role = InterventionRole.SUPPORTIVE


# ---------------------------------------------------------------------------------------------
# Pass 4: MeSH ids
# ---------------------------------------------------------------------------------------------


def _has_phrase(text: str, phrase: str) -> bool:
    """Does `phrase` occur in `text` as whole words ("fludarabine" in "fludarabine phosphate",
    not "cytarabine" in "liposomal cytarabine-daunorubicin" ... yes, and not "ara" in "para")?"""
    start = text.find(phrase)
    while start != -1:
        end = start + len(phrase)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "-") and not (after.isalnum() or after == "-"):
            return True
        start = text.find(phrase, start + 1)
    return False


def _assign_mesh(record: Record, drafts: list[_Draft]) -> None:
    terms = [t for t in record.intervention_mesh if t.id and not t.ancestor]
    for draft in drafts:
        intervention = record.interventions[draft.index]
        names = [n.casefold() for n in (intervention.name, *intervention.other_names) if n]
        ids: list[str] = []
        for term in terms:
            key = term.term.casefold()
            same_product = draft.product is not None and product_by_name(term.term) is draft.product
            if same_product or any(_has_phrase(n, key) for n in names):
                ids.append(term.id)
        if draft.product is not None and draft.product.mesh_id:
            ids.append(draft.product.mesh_id)
        draft.mesh_ids = tuple(dict.fromkeys(ids))


# ---------------------------------------------------------------------------------------------


def extract_interventions(record: Record) -> tuple[InterventionInfo, ...]:
    """One InterventionInfo per `record.interventions[i]`, in order."""
    drafts = [_read_own(record, i) for i in range(len(record.interventions))]
    if not drafts:
        return ()
    _sharpen(record, drafts)
    _assign_roles(record, drafts)
    _assign_mesh(record, drafts)
    return tuple(draft.freeze() for draft in drafts)
