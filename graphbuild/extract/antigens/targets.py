"""Record + interventions -> target antigen links and the trial's target status.

Three ways to a link, strongest first (`Basis`):

* STATED: the record's words state the target ("CD7 CAR-T", "anti-BCMA", "targeted to PD-L1";
  see `antigen_text` for the grammar);
* PRODUCT_LEXICON: the record names a product whose target is curated knowledge
  (`ontology/vocab/products.tsv`: tisagenlecleucel -> CD19, teclistamab -> BCMA);
* INFERRED: only when neither gives anything for a trial of a targeted therapy (engineered
  cells or an antibody) - an antigen its pharmacodynamic outcomes measure ("BCMA+ plasma
  cells", "free BCMA" in seed 001).

Where the words are decides how much they count. Titles, the acronym, the interventions' own
names and descriptions and the arm labels are *primary*: they describe the trial's own
therapy. Summaries, descriptions, arm descriptions, keywords and outcomes are *secondary*:
they also tell the patients' history and the background. Secondary words strengthen (and add
evidence to) an antigen the primary words give, and stand on their own only when the primary
words give none and the trial has an investigational intervention they can be about (a
targeted or cell therapy, or a drug the lexicons do not know: "MHB088C" with "anti-B7-H3").
Conditions are never read (they name biomarkers: "CD7-positive T-ALL").

Which intervention a link belongs to (`intervention_index`): the one whose own words give it;
for a product named in a title, the intervention that is that product; for a statement in
trial-level text, the only investigational intervention of the kind the statement names
(cells for "CAR", antibodies for "antibody", either for "anti-" / "targeting"); otherwise
None (a trial-level link). Inferred links go to the only targeted investigational
intervention, else the trial. Agents in a lymphodepleting or supportive role never carry a
target (tocilizumab for CRS is not a trial of IL-6R).

A product the words name as what the patients receive ("Hospital-at-Home for People Receiving
Tarlatamab") that no intervention is, in a trial whose interventions could not be it (only
procedures, devices, care models or known untargeted agents), is the patients' background
therapy, not a target; a regimen a title names beside its listed drug ("Brexucabtagene
Autoleucel Plus Dasatinib") still counts.

Target status: the strongest basis among the links; else UNSPECIFIED when the trial tests a
targeted therapy (CAR-T, CAR-NK, TCR-T, antibody, bispecific, ADC) whose target it never
names (seed 000); else NOT_APPLICABLE (chemotherapy, transplant, procedures, small molecules).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphbuild.extract.antigens.mentions import (
    ANTIBODY,
    ANY,
    CELL,
    antigen_entries,
    antigen_for,
    find_engager_arms,
    find_ligand_statements,
    find_measured,
    find_statements,
)
from graphbuild.extract.interventions.modality import ANTIBODIES, ENGINEERED, TARGETED
from graphbuild.extract.interventions.products import Product, find_products
from graphbuild.extract.text.fields import field_text, text_fields
from graphbuild.extract.text.textmatch import negated_by_history
from graphbuild.model import (
    Basis,
    Evidence,
    InterventionInfo,
    InterventionRole,
    Modality,
    Record,
    TargetLink,
    TargetStatus,
)

MAX_EVIDENCE = 6  # per link: enough to show where, without copying every repetition
_NEAR = 150  # characters around a summary's antigen in which an unknown drug must be named

_RANK = {Basis.STATED: 0, Basis.PRODUCT_LEXICON: 1, Basis.INFERRED: 2}
_STATUS = {
    Basis.STATED: TargetStatus.STATED,
    Basis.PRODUCT_LEXICON: TargetStatus.PRODUCT_LEXICON,
    Basis.INFERRED: TargetStatus.INFERRED,
}
_ACTIVE_ROLES = frozenset({InterventionRole.INVESTIGATIONAL})
_FAMILY_MODALITIES = {
    CELL: ENGINEERED | {Modality.OTHER_CELL_THERAPY},
    ANTIBODY: ANTIBODIES,
    ANY: TARGETED | {Modality.OTHER_CELL_THERAPY},
}
# Modalities that can carry a target; a statement in the words of anything else (a
# procedure's description) is read as trial-level text.
_BEARERS = TARGETED | {Modality.OTHER_CELL_THERAPY, None}

_UNKNOWN_AGENT_TYPES = frozenset({"BIOLOGICAL", "GENETIC", "DRUG", "COMBINATION_PRODUCT"})
_INTERVENTION_PATH = re.compile(r"^interventions\[(\d+)\]\.(name|other_names|description)")
_PRIMARY_PATH = re.compile(
    r"^(?:brief_title|official_title|acronym|interventions\[\d+\]\.(?:name|other_names\[\d+\]|"
    r"description)|arms\[\d+\]\.label)$"
)
_SKIPPED_PATH = re.compile(r"^(?:conditions\[|outcomes\[\d+\]\.time_frame)")
_PD_OUTCOME = re.compile(
    r"(?i:pharmacodynamic|\bPD\s+(?:index|indicators?|markers?|parameters?|endpoints?|"
    r"analys[ie]s|profiles?|assessments?|evaluations?|effects?)\b|\bPK/PD\b|\bPD/PK\b)"
)


@dataclass(frozen=True, slots=True)
class _Claim:
    """One piece of evidence for one antigen."""

    symbol: str
    label: str
    basis: Basis
    evidence: Evidence
    index: int | None
    primary: bool


# ---------------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------------


def _own_index(path: str) -> int | None:
    match = _INTERVENTION_PATH.match(path)
    return int(match.group(1)) if match else None


def _active(info: InterventionInfo) -> bool:
    return info.role in _ACTIVE_ROLES


def _only(candidates: Iterable[InterventionInfo]) -> int | None:
    found = [info.index for info in candidates]
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=4096)
def _path_kind(path: str) -> bool | None:
    """None: not read; True: primary; False: secondary (paths repeat, hence the cache)."""
    if _SKIPPED_PATH.match(path):
        return None
    return _PRIMARY_PATH.match(path) is not None


def _readable_fields(record: Record) -> Iterator[tuple[str, str, bool]]:
    for path, text in text_fields(record):
        kind = _path_kind(path)
        if kind is not None:
            yield path, text, kind


def _stated_claims(
    interventions: tuple[InterventionInfo, ...], fields: list[tuple[str, str, bool]]
) -> Iterator[_Claim]:
    for path, text, primary in fields:
        statements = find_statements(text) + find_ligand_statements(text) + find_engager_arms(text)
        if not statements:
            continue
        own = _own_index(path)
        if own is not None and not (
            _active(interventions[own]) and interventions[own].modality in _BEARERS
        ):
            own = None  # a fludarabine description that mentions the CAR-T it precedes
        for statement in statements:
            index = own
            if index is None:
                allowed = _FAMILY_MODALITIES[statement.family]
                index = _only(i for i in interventions if _active(i) and i.modality in allowed)
            evidence = Evidence(
                path, text[statement.start : statement.end], statement.start, statement.end
            )
            basis = Basis.INFERRED if statement.inferred else Basis.STATED
            for mention in statement.mentions:
                yield _Claim(mention.symbol, mention.label, basis, evidence, index, primary)


def _same_product(record: Record, index: int, product: Product) -> bool:
    intervention = record.interventions[index]
    return any(
        p is product
        for text in (intervention.name, *intervention.other_names)
        for p, _, _ in find_products(text)
    )


# Words that make a product the patients' therapy rather than the trial's ("people receiving X").
_BACKGROUND_CUE = re.compile(
    r"(?i:\b(?:receiving|received|receive|treated\s+with|undergoing|on|after|following|post|previously)"
    r"[\s-]+(?:[\w-]+\s+){0,2}$)"
)


def _background(text: str, start: int, interventions: tuple[InterventionInfo, ...]) -> bool:
    """A product no intervention is, named as what the patients receive, in a trial whose
    interventions could not be it (procedures, devices, care models, known untargeted agents)."""
    return (
        bool(interventions)
        and not _open_slot(interventions)
        and _BACKGROUND_CUE.search(text[max(0, start - 40) : start]) is not None
    )


def _product_claims(
    record: Record, interventions: tuple[InterventionInfo, ...], fields: list[tuple[str, str, bool]]
) -> Iterator[_Claim]:
    for path, text, primary in fields:
        for product, start, end in find_products(text):
            if not product.targeted or negated_by_history(text, start):
                continue
            own = _own_index(path)
            if own is None:
                own = next(
                    (i.index for i in interventions if _same_product(record, i.index, product)),
                    None,
                )
            if own is not None and not _active(interventions[own]):
                continue  # tocilizumab for CRS, rituximab as a safety switch
            if own is None and _background(text, start, interventions):
                continue  # "Hospital-at-Home for People Receiving Tarlatamab"
            evidence = Evidence(path, text[start:end], start, end)
            for symbol in product.antigens:
                yield _Claim(
                    symbol, _display_label(symbol), Basis.PRODUCT_LEXICON, evidence, own, primary
                )


def _display_label(symbol: str) -> str:
    """The common name of an antigen (BCMA for TNFRSF17, CD20 for MS4A1), for product links
    where the record itself never writes one."""
    names = antigen_entries()[symbol].names
    return names[1] if len(names) > 1 else symbol


# ---------------------------------------------------------------------------------------------
# Claims -> links
# ---------------------------------------------------------------------------------------------


def _link(index: int | None, claims: list[_Claim]) -> TargetLink:
    claims = sorted(claims, key=lambda c: _RANK[c.basis])  # stable: text order within a basis
    best = claims[0]
    evidence = tuple(dict.fromkeys(c.evidence for c in claims))[:MAX_EVIDENCE]
    return TargetLink(
        antigen=antigen_for(best.symbol, best.label),
        basis=best.basis,
        evidence=evidence,
        intervention_index=index,
    )


def _merge(claims: list[_Claim]) -> tuple[TargetLink, ...]:
    """One link per (antigen, intervention); a trial-level claim for an antigen that an
    intervention already carries joins that intervention's link."""
    groups: dict[tuple[str, int | None], list[_Claim]] = {}
    for claim in claims:
        groups.setdefault((claim.symbol, claim.index), []).append(claim)
    for (symbol, index), group in list(groups.items()):
        if index is not None:
            continue
        owner = next((key for key in groups if key[0] == symbol and key[1] is not None), None)
        if owner is not None:
            groups[owner].extend(group)
            del groups[(symbol, index)]
    links = [_link(index, group) for (_, index), group in groups.items()]
    return tuple(
        sorted(
            links,
            key=lambda l: (_RANK[l.basis], l.intervention_index is None, l.intervention_index or 0),
        )
    )


def _inferred(
    record: Record, interventions: tuple[InterventionInfo, ...]
) -> tuple[TargetLink, ...]:
    """Antigens the pharmacodynamic outcomes measure, for a targeted therapy with no named
    target. Outcome text only: that is where a PD read-out is defined."""
    targeted = [i for i in interventions if _active(i) and i.modality in TARGETED]
    if not targeted:
        return ()
    index = _only(targeted)
    claims: list[_Claim] = []
    for k, outcome in enumerate(record.outcomes):
        if not (_PD_OUTCOME.search(outcome.measure) or _PD_OUTCOME.search(outcome.description)):
            continue
        for part in ("measure", "description"):
            text = getattr(outcome, part)
            for mention, start, end in find_measured(text):
                evidence = Evidence(f"outcomes[{k}].{part}", text[start:end], start, end)
                claims.append(
                    _Claim(mention.symbol, mention.label, Basis.INFERRED, evidence, index, False)
                )
    return _merge(claims)


def _open_slot(interventions: tuple[InterventionInfo, ...]) -> bool:
    """Is there an investigational intervention that could be what a summary's antigen or
    product is about: a targeted or cell therapy, or a drug / biological the lexicons do not
    know? Without one, secondary words are background ("rituximab has improved outcomes",
    "recent rituximab use") and make no link."""
    return any(
        _active(i)
        and (
            i.modality in TARGETED
            or i.modality is Modality.OTHER_CELL_THERAPY
            or (i.modality is None and i.type.upper() in _UNKNOWN_AGENT_TYPES)
        )
        for i in interventions
    )


def _known_slot(interventions: tuple[InterventionInfo, ...]) -> bool:
    return any(
        _active(i) and (i.modality in TARGETED or i.modality is Modality.OTHER_CELL_THERAPY)
        for i in interventions
    )


def _near_unknown_agent(
    record: Record, interventions: tuple[InterventionInfo, ...], evidence: Evidence
) -> bool:
    """With only unknown drugs to be about, a summary's antigen must sit next to one of them
    ("MHB088C ... anti-B7-H3"), not in the description of the patients' other therapy."""
    text = field_text(record, evidence.field)
    window = text[max(0, evidence.start - _NEAR) : evidence.end + _NEAR].casefold()
    for info in interventions:
        if _active(info) and info.modality is None:
            words = [info.product_code or "", record.interventions[info.index].name]
            if any(w and w.casefold() in window for w in words):
                return True
    return False


def _status(
    links: tuple[TargetLink, ...], interventions: tuple[InterventionInfo, ...]
) -> TargetStatus:
    if links:
        return _STATUS[min((l.basis for l in links), key=_RANK.__getitem__)]
    if any(_active(i) and i.modality in TARGETED for i in interventions):
        return TargetStatus.UNSPECIFIED
    return TargetStatus.NOT_APPLICABLE


def extract_targets(
    record: Record, interventions: tuple[InterventionInfo, ...]
) -> tuple[tuple[TargetLink, ...], TargetStatus]:
    """The trial's target antigens, each with basis and evidence, and its target status."""
    fields = list(_readable_fields(record))
    primary = [f for f in fields if f[2]]
    secondary = [f for f in fields if not f[2]]
    claims = [
        *_stated_claims(interventions, primary),
        *_product_claims(record, interventions, primary),
    ]
    if claims:
        # Secondary words can only strengthen what the primary words give ("targeted to PD-L1"
        # for durvalumab); read them only when there is something to strengthen.
        if any(c.basis is not Basis.STATED for c in claims):
            symbols = {c.symbol for c in claims}
            claims += [c for c in _stated_claims(interventions, secondary) if c.symbol in symbols]
    elif _open_slot(interventions):
        claims = [
            *_stated_claims(interventions, secondary),
            *_product_claims(record, interventions, secondary),
        ]
        if not _known_slot(interventions):
            claims = [c for c in claims if _near_unknown_agent(record, interventions, c.evidence)]
    links = _merge(claims) if claims else _inferred(record, interventions)
    return links, _status(links, interventions)
