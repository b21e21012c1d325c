"""Diseases: ground each condition of a record to a MeSH descriptor, qualifiers kept apart.

How a condition is grounded (one `DiseaseLink` per descriptor, all its mentions as evidence):

1. Mentions. One compiled dictionary matcher (`DiseaseMatcher`) reads the condition: MeSH
   names and entry terms of the disease tree (`mesh_diseases.tsv`), "X Cancer" for every
   "X Neoplasms" (MeSH keeps those entry terms in concepts our table lacks), "A/B" for
   "A-B" ("Adult T-Cell Leukemia/Lymphoma"), and the curated
   lexicon (`diseases.tsv`: AML, T-ALL, DLBCL, ...), which wins over MeSH. Matching is
   leftmost-longest over token n-grams, so "T-ALL/T-LBL" is two mentions of D054218 and
   "Refractory Anemia" is the MDS subtype, not "Anemia" with a qualifier.
2. Basis. A mention whose descriptor the source itself assigned (API v2 JSON
   `conditionBrowseModule`, legacy XML `condition_browse`) is SOURCE_MESH; otherwise LEXICON.
   A condition our matcher cannot read but that equals one of the source's own terms by name
   is grounded to that term (SOURCE_MESH). Source terms no condition mentions are not emitted:
   ClinicalTrials.gov adds ancestors and attributes ("Leukemia" next to "Leukemia, Myeloid,
   Acute"; "Acute Disease" for "Acute Leukaemias") that no one wrote as a condition.
3. Attributes. Descriptors that describe a disease rather than name one (MeSH Disease
   Attributes, Neoplastic Processes and Chromosome Aberrations: Recurrence, Neoplasm
   Metastasis, Philadelphia Chromosome, ...) only ground a condition that names nothing else,
   never overlap a qualifier, and are never taken from a title.
4. Qualifiers (relapsed, refractory, CD7-positive, pediatric, Philadelphia chromosome-positive,
   stage IV, ...) are read from the words of the condition outside the disease mention. An
   age group inside a name is passed over by the matcher and kept as a qualifier ("B-cell
   Adult Acute Lymphoblastic Leukemia" is B-ALL, adult).
5. Title rule. Each stated condition keeps its own grounding (gold conventions v2): "Lymphoma"
   is Lymphoma even when the title names DLBCL. A narrower disease the title names is added as
   a link of its own, basis TITLE, never in place of a condition: where no condition grounds,
   every disease the brief title (else the official title) names; otherwise those that refine
   a class heading among the conditions (see `_title_diseases`). Class headings are broad
   headings (a root or more than 20 descendants: Neoplasms, Leukemia, Lymphoma, Non-Hodgkin)
   and the family headings of `_CLASS_HEADINGS` (Lymphoma, B-Cell; ALL; Leukemia, Myeloid; ...).
6. Words before a mention: "non-" negates it ("Non-hematologic Malignancy" names no
   hematologic neoplasm), and a bare head noun ("Cancer", "Tumor", "Infection", "Disease",
   "Syndrome": one word grounding to Neoplasms, Infections, Disease or Syndrome) preceded by
   a word the matcher does not know is the tail of a more specific name we cannot ground
   ("Gastroesophageal Cancer", "Helicobacter Pylori Infection", "Chronic Hepatitis B
   Infection"), so it is not taken for the disease. Qualifiers and function words before it
   do not count ("Advanced Cancer", "Patients With Cancer" are Neoplasms).
7. Never invent: a condition with no mention is reported by `ground_conditions(...).ungrounded`
   and gets no link. A disease named after "arising from", "following", "due to" is history,
   not a condition ("AML Arising From Previous MDS" is AML). CML in a named phase is MeSH's
   phase descriptor (blast phase -> Blast Crisis).
8. One link per descriptor: two conditions grounding to the same descriptor give it once.
   Nothing is superseded any more (v1 dropped a class heading next to a narrower condition):
   "Leukemia | Leukemia, Myeloid | AML" gives all three. Two entities are kept even when MeSH
   files one under the other (Multiple Myeloma and Plasma Cell Leukemia, seed 000).
9. Site-specific lymphomas ground to the histology and the site: "Testicular Lymphoma" is
   Lymphoma + Testicular Neoplasms, "Primary CNS Lymphoma" Lymphoma + Central Nervous System
   Neoplasms (`_SITE_NEOPLASMS`), unless MeSH has a descriptor for the pair (cutaneous T-cell
   lymphoma).
   These conventions are those of the hand-annotated gold set (tests/gold/README.md and the
   v2 delta).

Where each part lives (this module grounds a record; the names below stay importable from
here): `disease_matcher` (rule 1's dictionary matcher), `qualifiers` (rule 4's words),
`disease_reading` (one text: rules 3, 4, 6, 7), `disease_classes` (attributes, broad and
class headings, CML phases), `disease_xrefs` (`disease_info`), `mesh` (the MeSH tree).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from graphbuild.extract.diseases.classes import (
    _CLASS_HEADINGS,  # noqa: F401  (tests read it here)
    _CML,  # noqa: F401
    _CML_PHASES,  # noqa: F401
    _HEAD_NOUNS,  # noqa: F401
    _HEMATOLOGIC_NEOPLASMS,
    is_attribute,
    is_broad,
    is_class,
    is_generic,
)
from graphbuild.extract.diseases.matcher import DiseaseMatcher, Mention, curated_lexicon, matcher
from graphbuild.extract.diseases.qualifiers import find_qualifiers
from graphbuild.extract.diseases.reading import read_text
from graphbuild.extract.text.fields import evidence
from graphbuild.model import Basis, DiseaseLink, Evidence, Record
from graphbuild.vocab import mesh
from graphbuild.vocab.disease_xrefs import DiseaseInfo, disease_info

__all__ = [
    "DiseaseGrounding",
    "SITE_NEOPLASM_IDS",
    "DiseaseInfo",
    "DiseaseMatcher",
    "Mention",
    "curated_lexicon",
    "disease_info",
    "extract_diseases",
    "find_qualifiers",
    "ground_conditions",
    "is_attribute",
    "is_broad",
    "is_class",
    "is_generic",
    "matcher",
    "read_text",
    "source_terms",
    "ungrounded_conditions",
]

# --------------------------------------------------------------------------------------------
# Grounding a record
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiseaseGrounding:
    """The links of a record and the conditions that could not be grounded (for the build
    report: nothing is dropped silently). `superseded` stays for callers of the v1 rule 8; it is
    always empty now that each stated condition keeps its grounding."""

    links: tuple[DiseaseLink, ...]
    ungrounded: tuple[str, ...]
    superseded: tuple[DiseaseLink, ...] = ()


@dataclass(slots=True)
class _Draft:
    ui: str
    label: str
    condition_text: str
    source: bool
    evidence: list[Evidence]
    qualifiers: list[str]
    from_conditions: bool = False
    from_title: bool = False


def source_terms(record: Record) -> dict[str, str]:
    """The record's own condition MeSH terms (not the ancestors it lists), ui -> term. Legacy
    XML gives names only; they are looked up in the MeSH table."""
    out: dict[str, str] = {}
    for term in record.condition_mesh:
        if term.ancestor:
            continue
        ui = mesh.canonical_id(term.id) if term.id else mesh.lookup(term.term)
        if ui:
            out.setdefault(ui, term.term)
    return out


def _add(
    drafts: dict[str, _Draft],
    ui: str,
    label: str,
    condition_text: str,
    source: bool,
    ev: Evidence,
    qualifiers: list[str],
) -> None:
    draft = drafts.get(ui)
    if draft is None:
        drafts[ui] = _Draft(ui, label, condition_text, source, [ev], list(qualifiers))
        return
    draft.source = draft.source or source
    if ev not in draft.evidence:
        draft.evidence.append(ev)
    draft.qualifiers.extend(q for q in qualifiers if q not in draft.qualifiers)


def _names_disease(ui: str) -> bool:
    """Titles are prose: only descriptors outside C23 (Pathological Conditions, Signs and
    Symptoms: Body Weight, Syndrome, Recurrence, ...) count as a disease named there."""
    trees = mesh.tree_numbers(ui)
    return bool(trees) and not all(t.startswith("C23") for t in trees)


def _title_diseases(mentions: tuple[Mention, ...], drafts: dict[str, _Draft]) -> list[Mention]:
    """Rule 5: which diseases the title names are added (basis TITLE) beside the conditions.

    * no condition grounds: all of them;
    * every condition is a class heading that the title's diseases specify (an ancestor of one
      of them, or as uninformative as Neoplasms or Hematologic Neoplasms, which MeSH files by
      site and so is nobody's ancestor: seed 002): all of them but uninformative ones;
    * otherwise those that refine a class heading among the conditions (Non-Hodgkin Lymphoma
      next to CLL, and a title naming B-cell lymphoma).
    Never one the conditions already name or specify."""
    if not drafts:
        return list(mentions)
    new = [
        m
        for m in mentions
        if m.ui not in drafts
        and not _is_uninformative(m.ui)
        and not any(m.ui in mesh.ancestors(other) for other in drafts)
    ]
    named = {m.ui for m in mentions}
    if all(
        is_class(c) and (_is_uninformative(c) or any(c in mesh.ancestors(t) for t in named))
        for c in drafts
    ):
        # narrower than a heading: under it, or in the same MeSH category as an uninformative
        # one (Hematologic Neoplasms is filed by site, nobody's ancestor); Graft vs Host
        # Disease in a title is no narrower kind of the condition "Leukemia"
        return [
            m
            for m in new
            if any(c in mesh.ancestors(m.ui) or (_is_uninformative(c) and _roots(c) & _roots(m.ui)) for c in drafts)
        ]
    return [m for m in new if any(is_class(c) and c in mesh.ancestors(m.ui) for c in drafts)]


def _roots(ui: str) -> set[str]:
    """The MeSH categories a descriptor is filed under (C04, C15, C20, ...)."""
    return {tn.split(".", 1)[0] for tn in mesh.tree_numbers(ui)}


def _is_uninformative(ui: str) -> bool:
    """As generic as a condition gets: a broad heading or Hematologic Neoplasms."""
    return is_broad(ui) or ui == _HEMATOLOGIC_NEOPLASMS


def _add_title(
    drafts: dict[str, _Draft],
    path: str,
    text: str,
    mentions: tuple[Mention, ...],
    source: dict[str, str],
) -> tuple[str, ...]:
    """Add the title's wanted diseases. The condition text of such a link is the title's words
    from its first to its last mention ("T-ALL/T-LBL"). Returns the descriptors added."""
    wanted = _title_diseases(mentions, drafts)
    ids = {m.ui for m in wanted}
    wanted = [m for m in wanted if not any(m.ui in mesh.ancestors(other) for other in ids)]
    qualifiers = list(read_text(text).qualifiers)
    for ui in dict.fromkeys(m.ui for m in wanted):
        own = [m for m in wanted if m.ui == ui]
        surface = text[own[0].start : own[-1].end]
        for m in own:
            ev = evidence(path, text, m.start, m.end)
            _add(drafts, ui, mesh.label(ui) or ui, surface, ui in source, ev, qualifiers)
        drafts[ui].from_title = True
    return tuple(dict.fromkeys(m.ui for m in wanted))


# Rule 9: a lymphoma (or a germ cell tumour) of a site is the histology and a neoplasm of that site.
_SITE_NEOPLASMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\btesti(?:s|cular|cle)\b", re.I), "D013736"),  # Testicular Neoplasms
    (re.compile(r"\b(?:CNS|central\s+nervous\s+system|cerebral|brain|intracranial)\b", re.I), "D016543"),
    (re.compile(r"\b(?:intestin\w*|bowel|colonic|small[\s-]+intestine)\b", re.I), "D007414"),  # Intestinal Neoplasms
    (re.compile(r"\b(?:gastric|stomach)\b", re.I), "D013274"),  # Stomach Neoplasms
    (re.compile(r"\b(?:skin|cutaneous)\b", re.I), "D012878"),  # Skin Neoplasms
    (re.compile(r"\b(?:breast)\b", re.I), "D001943"),  # Breast Neoplasms
    (re.compile(r"\b(?:bone)\b(?!\s+marrow)", re.I), "D001859"),  # Bone Neoplasms
    (re.compile(r"\b(?:splen\w*|spleen)\b", re.I), "D013160"),  # Splenic Neoplasms
    (re.compile(r"\b(?:thyroid)\b", re.I), "D013964"),  # Thyroid Neoplasms
    (re.compile(r"\b(?:ocular|intraocular|eye|vitreoretinal|retinal|conjunctival|uveal)\b", re.I), "D005134"),  # Eye Neoplasms
    (re.compile(r"\b(?:orbit|orbital)\b", re.I), "D009918"),  # Orbital Neoplasms
    (re.compile(r"\b(?:lung|pulmonary)\b", re.I), "D008175"),  # Lung Neoplasms
    (re.compile(r"\b(?:hepatic|liver)\b", re.I), "D008113"),  # Liver Neoplasms
    (re.compile(r"\b(?:renal|kidney)\b", re.I), "D007680"),  # Kidney Neoplasms
    (re.compile(r"\b(?:ovar(?:y|ian))\b", re.I), "D010051"),  # Ovarian Neoplasms
    # not primary mediastinal (thymic) large B-cell lymphoma: an entity of its own, DLBCL (R7)
    (re.compile(r"\bmediastin(?:al|um)\b(?!\s+(?:\(thymic\)\s+)?(?:large\s+)?B[\s-]*cell)", re.I), "D008479"),
)
# Histologies that say nothing of the site, so a site word beside them is a second fact:
# lymphomas and germ cell tumours ("Testicular Germ Cell Tumor" is Testicular Neoplasms too).
_SITELESS = ("D008223", "D009373")  # Lymphoma; Neoplasms, Germ Cell and Embryonal

SITE_NEOPLASM_IDS = frozenset(site for _, site in _SITE_NEOPLASMS)


def _site_neoplasms(text: str, uis: Iterable[str]) -> list[str]:
    """Rule 9: the site neoplasms a lymphoma or germ cell tumour condition names ("Primary CNS
    Lymphoma", "Ovarian Germ Cell Tumor"), when it grounds to such a histology and not already
    to a neoplasm of that site."""
    uis = list(uis)
    if not any(ui == top or top in mesh.ancestors(ui) for ui in uis for top in _SITELESS):
        return []
    out = []
    for pattern, site in _SITE_NEOPLASMS:
        if pattern.search(text) and mesh.descriptor(site) is not None:
            if not any(site == ui or site in mesh.ancestors(ui) for ui in uis):
                out.append(site)
    return out


_BY_SITE = "C04.588."  # Neoplasms by Site
# R6 of the gold conventions: a carcinoma of a site with no descriptor of its own ("Esophageal
# Adenocarcinoma", read as Esophageal Neoplasms) is the histology too, as a lymphoma of a site is.
_HISTOLOGY_ENDINGS = (("adenocarcinoma", "D000230"), ("carcinoma", "D002277"))


def _site_histologies(text: str, mentions: Iterable[Mention]) -> list[tuple[Mention, str]]:
    """The histology (Adenocarcinoma, Carcinoma) of each mention read as a site's neoplasm from
    words that name the histology, unless a mention already grounds to it or below it."""
    mentions = list(mentions)
    out: list[tuple[Mention, str]] = []
    for m in mentions:
        words = text[m.start : m.end].lower().rstrip("s")
        if not any(t.startswith(_BY_SITE) for t in mesh.tree_numbers(m.ui)):
            continue
        histology = next((ui for ending, ui in _HISTOLOGY_ENDINGS if words.endswith(ending)), None)
        if histology is None or any(h == histology for _, h in out) or mesh.descriptor(histology) is None:
            continue
        if any(o.ui == histology or histology in mesh.ancestors(o.ui) for o in mentions):
            continue
        out.append((m, histology))
    return out


# Words between two mentions that make them two diseases ("Multiple Myeloma and Plasma Cell
# Neoplasm", "Leukemia or Lymphoma"), not one disease named twice ("NHL, with B cell lymphomas").
_COORDINATION = re.compile(r"^\s*(?:,?\s*(?:and|or|and/or|&)|/|;)\s*$", re.I)


def _most_specific(text: str, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """Within one condition, a mention whose descriptor is an ancestor of another mention's is
    dropped (the most specific descriptor the words fit), unless the two are coordinated: a
    condition naming two diseases gives both, even when MeSH files one under the other."""
    def coordinated(a: Mention, b: Mention) -> bool:
        first, second = (a, b) if a.start <= b.start else (b, a)
        return first.end <= second.start and _COORDINATION.match(text[first.end : second.start]) is not None

    # "Gastric Cancer Adenocarcinoma" keeps both: the histology is a second fact (R6)
    return tuple(
        m
        for m in mentions
        if not any(
            o.ui != m.ui and m.ui in mesh.ancestors(o.ui) and not coordinated(m, o) for o in mentions
        )
    )


# "Non-Hodgkin Lymphoma, B-Cell", "Non-hodgkin Lymphoma,B Cell": a MeSH-style inverted name, the
# qualifier after one comma (a few words, no coordination)
_INVERTED = re.compile(r"^(?P<head>[^,;()]+),\s*(?P<tail>[^,;()\s]+(?:[\s-][^,;()\s]+){0,2})\s*$")
_NOT_A_QUALIFIER = re.compile(r"\b(?:and|or|with|without|not|nos)\b", re.I)


def _uninverted(text: str, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """An inverted name read in its natural order ("B-Cell Non-Hodgkin Lymphoma") when that
    reading is narrower than the words read as written (B-cell lymphoma under NHL): the comma
    hides the qualifier from the matcher. Otherwise the mentions as they were."""
    match = _INVERTED.match(text)
    if match is None or _NOT_A_QUALIFIER.search(match["tail"]):
        return mentions
    natural = read_text(f"{match['tail']} {match['head']}").mentions
    narrower = tuple(
        Mention(n.ui, 0, len(text), n.implied)
        for n in natural
        if any(m.ui != n.ui and m.ui in mesh.ancestors(n.ui) for m in mentions)
    )
    return narrower or mentions


def ground_conditions(record: Record) -> DiseaseGrounding:
    """Ground every condition of the record (and, by rule 5, its title); pure."""
    source = source_terms(record)
    source_keys = {mesh.name_key(term): ui for ui, term in source.items()}
    drafts: dict[str, _Draft] = {}
    ungrounded: list[str] = []

    for i, text in enumerate(record.conditions):
        path = f"conditions[{i}]"
        reading = read_text(text)
        mentions, qualifiers = reading.mentions, list(reading.qualifiers)
        if not mentions and source_keys and mesh.name_key(text) in source_keys:
            mentions = (Mention(source_keys[mesh.name_key(text)], 0, len(text)),)
        if not mentions:
            ungrounded.append(text)
            continue
        # the most specific descriptor the condition's own words fit: "NHL, with CD19+ B cell
        # lymphomas" is B-cell lymphoma; two entities of one condition are both kept
        mentions = _most_specific(text, mentions)
        mentions = _uninverted(text, mentions)
        for m in mentions:
            label = mesh.label(m.ui) or source.get(m.ui, m.ui)
            _add(
                drafts,
                m.ui,
                label,
                text,
                m.ui in source,
                evidence(path, text, m.start, m.end),
                qualifiers,
            )
        for site in _site_neoplasms(text, (m.ui for m in mentions)):  # rule 9
            _add(drafts, site, mesh.label(site) or site, text, site in source,
                 evidence(path, text, 0, len(text)), qualifiers)
        for m, histology in _site_histologies(text, mentions):  # R6
            _add(drafts, histology, mesh.label(histology) or histology, text, histology in source,
                 evidence(path, text, m.start, m.end), qualifiers)
    for draft in drafts.values():
        draft.from_conditions = True

    from_title: tuple[str, ...] = ()
    # A title only adds diseases where no condition grounds or a class heading is among the
    # grounded ones (`_title_diseases`); otherwise it is not read at all (titles are the
    # longest texts this module reads).
    titles = ("brief_title", "official_title") if not drafts or any(map(is_class, drafts)) else ()
    for path in titles:  # the official title only if needed
        text = getattr(record, path)
        mentions = (
            tuple(m for m in read_text(text).mentions if _names_disease(m.ui)) if text else ()
        )
        from_title = _add_title(drafts, path, text, mentions, source) if mentions else ()
        if from_title:
            break

    links = tuple(_link(d) for d in drafts.values())
    return DiseaseGrounding(links, tuple(ungrounded))


def _link(draft: _Draft) -> DiseaseLink:
    info = disease_info(draft.ui)
    if draft.from_title and not draft.from_conditions:
        basis = Basis.TITLE
    else:
        basis = Basis.SOURCE_MESH if draft.source else Basis.LEXICON
    return DiseaseLink(
        mesh_id=draft.ui,
        label=draft.label,
        condition_text=draft.condition_text,
        basis=basis,
        evidence=tuple(draft.evidence),
        qualifiers=tuple(draft.qualifiers),
        mondo_ids=info.mondo_ids,
        ncit_ids=info.ncit_ids,
    )


def extract_diseases(record: Record) -> tuple[DiseaseLink, ...]:
    """The record's conditions grounded to MeSH descriptors (see the module docstring)."""
    return ground_conditions(record).links


def ungrounded_conditions(record: Record) -> tuple[str, ...]:
    """Conditions of the record that name no disease the vocabularies know."""
    return ground_conditions(record).ungrounded
