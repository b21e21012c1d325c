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
5. Title rule. Conditions are sometimes only class headings: seed 002 lists "Neoplasms |
   Hematologic Neoplasms | Neoplasms by Site | Hematologic Diseases" for a CD7 CAR-T trial in
   T-ALL/T-LBL. When no condition grounds, or every grounded condition is a class heading the
   title's diseases specify, the diseases the brief title (else the official title) names are
   grounded, basis LEXICON unless the source assigned them, evidence in the title; otherwise
   only title diseases that refine a class heading among the conditions are (see
   `_title_diseases`). Class headings are broad headings (a root or more than 20
   descendants: Neoplasms, Leukemia, Lymphoma, Non-Hodgkin) and the family headings of
   `_CLASS_HEADINGS` (Lymphoma, B-Cell; ALL; Leukemia, Myeloid; ...).
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
8. One link per disease the record denotes, most specific first: a class heading with a
   descendant among the links is superseded ("Leukemia | Leukemia, Myeloid | AML" is AML), and
   so are uninformative headings once the title named a disease of their MeSH category;
   superseded links are kept
   in `ground_conditions(...).superseded` for the report. Two entities are both kept even when
   MeSH files one under the other (Multiple Myeloma and Plasma Cell Leukemia, seed 000).
   These conventions are those of the hand-annotated gold set (tests/gold/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from graphbuild.extract import mesh
from graphbuild.extract.fields import evidence
from graphbuild.extract.lexicon import load_lexicon, split_multi
from graphbuild.model import Basis, DiseaseLink, Evidence, Record

# --------------------------------------------------------------------------------------------
# The matcher
# --------------------------------------------------------------------------------------------

_MAX_TOKENS = 16  # longest key we look for (the longest MeSH disease names are ~12 tokens)
_SEPARATORS = frozenset(",/();:&+")
_NEOPLASM_NAME = re.compile(r"^(?:(?P<a>[^,]+?) Neoplasms?|Neoplasms?, (?P<b>[^,]+))$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A disease named in some text: the descriptor, the span, and qualifiers the term itself
    implies (RRMM: relapsed, refractory)."""

    ui: str
    start: int
    end: int
    implied: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Hit:
    """A mention with the indices of its first and last token and of the tokens passed over."""

    mention: Mention
    first: int
    last: int
    skipped: tuple[int, ...] = ()


class DiseaseMatcher:
    """Leftmost-longest lookup of normalized token n-grams in one dictionary.

    Built once; `find` is a loop of dict / set lookups, no regex per term. Every key is the
    `mesh.name_key` of a term; text is looked up both with acronyms kept (so "ALL" is not
    "all") and fully lower-cased (so a title in capitals still matches)."""

    def __init__(self, entries: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        self._entries = dict(entries)
        prefixes: set[str] = set()
        for key in self._entries:
            parts = key.split(" ")
            for n in range(1, len(parts) + 1):
                prefixes.add(" ".join(parts[:n]))
        self._prefixes = frozenset(prefixes)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, text: str) -> tuple[Mention, ...]:
        return tuple(hit.mention for hit in self.find_tokens(mesh.tokenize(text)))

    def find_tokens(
        self, tokens: tuple[mesh.Token, ...], skippable: frozenset[int] = frozenset()
    ) -> list[_Hit]:
        """Leftmost-longest mentions. Tokens in `skippable` (age qualifiers) may be passed over
        inside a name: "B-cell Adult Acute Lymphoblastic Leukemia" is B-ALL in an adult."""
        found: list[_Hit] = []
        i = 0
        while i < len(tokens):
            hit = None if tokens[i].cased in _SEPARATORS else self._longest(tokens, i, skippable)
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit.last + 1
        return found

    def _longest(
        self, tokens: tuple[mesh.Token, ...], i: int, skippable: frozenset[int]
    ) -> _Hit | None:
        """The longest key starting at token i. Two keys grow side by side: acronyms kept
        ("t ALL") and all lower case ("t all"); each stops when no dictionary key starts with
        it (None)."""
        entries, prefixes = self._entries, self._prefixes
        cased: str | None = tokens[i].cased
        lower: str | None = tokens[i].lower
        best: _Hit | None = None
        skipped: list[int] = []
        j = i
        while True:
            entry = entries.get(cased) if cased is not None else None
            if entry is None and lower is not None and lower != cased:
                entry = entries.get(lower)
            if entry is not None:
                mention = Mention(entry[0], tokens[i].start, tokens[j].end, entry[1])
                best = _Hit(mention, i, j, tuple(skipped))
            if cased is not None and cased not in prefixes:
                cased = None
            if lower is not None and lower not in prefixes:
                lower = None
            if cased is None and lower is None:
                return best
            j += 1
            while (
                j < len(tokens) and j in skippable and not self._continues(cased, lower, tokens[j])
            ):
                skipped.append(j)
                j += 1
            if j >= len(tokens) or j - i >= _MAX_TOKENS:
                return best
            if cased is not None:
                cased = f"{cased} {tokens[j].cased}"
            if lower is not None:
                lower = f"{lower} {tokens[j].lower}"

    def _continues(self, cased: str | None, lower: str | None, token: mesh.Token) -> bool:
        return (cased is not None and f"{cased} {token.cased}" in self._prefixes) or (
            lower is not None and f"{lower} {token.lower}" in self._prefixes
        )


def _cancer_variants() -> Iterable[tuple[str, str]]:
    """("X Cancer", ui) for every name or entry term "X Neoplasms" / "Neoplasms, X"."""
    for d in mesh.descriptors():
        for name in (d.name, *d.entry_terms):
            m = _NEOPLASM_NAME.match(name)
            if m:
                yield f"{m.group('a') or m.group('b')} Cancer", d.ui


_JOINED_WORDS = re.compile(r"(?<=[A-Za-z]{4})-(?=[A-Za-z]{4})")


def _slash_variants() -> Iterable[tuple[str, str]]:
    """ "Leukemia/Lymphoma" for "Leukemia-Lymphoma": a slash inside a term is otherwise read
    as a list separator, but trial conditions write two-disease names both ways."""
    for d in mesh.descriptors():
        for name in (d.name, *d.entry_terms):
            if _JOINED_WORDS.search(name):
                yield _JOINED_WORDS.sub("/", name), d.ui


@lru_cache(maxsize=1)
def curated_lexicon() -> tuple[dict[str, str], ...]:
    """Rows of ontology/vocab/diseases.tsv."""
    return load_lexicon("diseases")


@lru_cache(maxsize=1)
def matcher() -> DiseaseMatcher:
    """The one matcher: MeSH names and entry terms, cancer variants, then the curated lexicon
    (later sources win)."""
    entries: dict[str, tuple[str, tuple[str, ...]]] = {
        key: (ui, ()) for key, ui in mesh.name_index().items()
    }
    for term, ui in (*_cancer_variants(), *_slash_variants()):
        entries.setdefault(mesh.name_key(term), (ui, ()))
    for row in curated_lexicon():
        entries[mesh.name_key(row["term"])] = (row["mesh_id"], split_multi(row["qualifiers"]))
    return DiseaseMatcher(entries)


# --------------------------------------------------------------------------------------------
# Qualifiers
# --------------------------------------------------------------------------------------------

_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}

# (label, pattern); a few labels are computed from the match (rr, risk, marker, phase,
# stage, grade). Order matters only where one pattern starts another ("locally advanced"
# before "advanced"); qualifiers are reported in the order the text gives them.
_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("rr", r"r\s*/\s*r"),
    ("relapsed", r"relaps(?:ed|es|e|ing)|in\s+relapse"),
    ("refractory", r"refractory|resistant"),
    ("recurrent", r"recurren(?:t|ce)"),
    ("newly diagnosed", r"newly[\s-]+diagnosed"),
    ("previously untreated", r"(?:previously\s+)?untreated|treatment[\s-]+na[iï]ve"),
    ("previously treated", r"previously\s+treated|pretreated|pre-treated"),
    ("de novo", r"de\s+novo"),
    ("secondary", r"secondary"),
    ("therapy-related", r"(?:therapy|treatment)[\s-]+related"),
    ("transformed", r"transformed"),
    ("smoldering", r"smou?ldering"),
    ("locally advanced", r"locally\s+advanced"),
    ("advanced", r"advanced"),
    ("metastatic", r"metastatic"),
    ("unresectable", r"unresectable"),
    ("aggressive", r"aggressive"),
    ("indolent", r"indolent"),
    ("pediatric", r"p(?:a)?ediatrics?|childhood|child(?:ren)?|infants?|infantile"),
    ("adolescent and young adult", r"adolescents?\s+and\s+young\s+adults?|AYA"),
    ("adolescent", r"adolescents?"),
    ("young adult", r"young\s+adults?"),
    ("older adult", r"elderly|older\s+(?:adults?|patients)"),
    ("adult", r"adults?"),
    ("risk", r"(?P<risk>very\s+high|high|intermediate|standard|low)[\s-]+risk"),
    ("marker+", r"(?P<pos>CD\d+[a-z]?)\s*(?:\+|[\s-]*positive|[\s-]*pos(?![a-z]))"),
    ("marker-", r"(?P<neg>CD\d+[a-z]?)[\s-]*negative"),
    (
        "Philadelphia chromosome-positive",
        r"Ph1?\s*\+|Ph1?[\s-]*positive|Philadelphia[\s-]+(?:chromosome[\s-]+)?positive",
    ),
    (
        "Philadelphia chromosome-negative",
        r"Ph1?[\s-]*negative|Philadelphia[\s-]+(?:chromosome[\s-]+)?negative|Ph\s*-(?=[\s,)]|$)",
    ),
    ("Ph-like", r"Ph[\s-]+like"),
    ("BCR-ABL1-positive", r"BCR[\s:-]*ABL1?[\s-]*(?:\+|positive)"),
    ("MRD-positive", r"MRD[\s-]*(?:\+|positive|positivity)"),
    ("MRD-negative", r"MRD[\s-]*negative"),
    ("in remission", r"in\s+(?:first\s+|second\s+|1st\s+|2nd\s+)?(?:complete\s+)?remission|CR[12]"),
    (
        "phase",
        (
            r"(?P<phase>chronic|accelerated|blast)(?:ic)?[\s-]+phase"
            r"|(?P<crisis>blast(?:ic)?\s+(?:crisis|transformation))"
        ),
    ),
    (
        "stage",
        r"stage\s+(?P<stage>(?:IV|III|II|I|0|[1-4])[ABC]?(?:\s*/\s*(?:IV|III|II|I|[1-4])[ABC]?)?)",
    ),
    ("grade", r"grade\s+(?P<grade>III|II|I|[1-3])(?P<gsub>[AB]?)"),
)
# Whole words only: no letter or digit just before, and none just after unless the match
# itself ended in punctuation ("CD7+", "Ph+").
_QUALIFIER_RE = re.compile(
    "(?<![A-Za-z0-9])(?:"
    + "|".join(f"(?P<q{i}>{pattern})" for i, (_, pattern) in enumerate(_QUALIFIERS))
    + ")(?:(?<![A-Za-z0-9])|(?![A-Za-z0-9]))",
    re.IGNORECASE,
)


def _qualifier_label(match: re.Match[str]) -> tuple[str, ...]:
    index = int(match.lastgroup[1:])  # type: ignore[index]
    label = _QUALIFIERS[index][0]
    g = match.groupdict()
    if label == "rr":
        return ("relapsed", "refractory")
    if label == "risk":
        return (f"{' '.join(g['risk'].lower().split())}-risk",)
    if label == "marker+":
        return (f"{g['pos'].upper()}-positive",)
    if label == "marker-":
        return (f"{g['neg'].upper()}-negative",)
    if label == "phase":
        return ("blast phase",) if g["crisis"] else (f"{g['phase'].lower()} phase",)
    if label == "stage":
        parts = [p.strip().upper() for p in g["stage"].split("/")]
        return (
            "stage "
            + "/".join(_ROMAN.get(p[0], p[0]) + p[1:] if p[0] in _ROMAN else p for p in parts),
        )
    if label == "grade":
        grade = g["grade"].upper()
        return (f"grade {_ROMAN.get(grade, grade)}{g['gsub'].upper()}",)
    return (label,)


def find_qualifiers(text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Qualifier words in `text`: (start, end, labels), whole words only."""
    return tuple((m.start(), m.end(), _qualifier_label(m)) for m in _QUALIFIER_RE.finditer(text))


# --------------------------------------------------------------------------------------------
# Classes of descriptors
# --------------------------------------------------------------------------------------------

_ATTRIBUTE_ROOTS = ("C23.550.291", "C23.550.727", "C23.550.210")
_BROAD_DEPTH = 1  # category roots: Neoplasms (C04), Infections (C01), ...
_BROAD_DESCENDANTS = 20
# Headings that name a family of diseases rather than one, beyond what `is_broad` computes.
# In trial conditions they stand for "some disease of this family": a member named next to
# them (by another condition or by the title) supersedes them. AML is not one of them: it has
# subtypes in MeSH, but "AML + acute monocytic leukemia" names two entities (gold guide).
_HEMATOLOGIC_NEOPLASMS = "D019337"  # filed by site, with only two children
_CLASS_HEADINGS = frozenset(
    {
        _HEMATOLOGIC_NEOPLASMS,
        "D054219",  # Neoplasms, Plasma Cell
        "D007945",  # Leukemia, Lymphoid
        "D007951",  # Leukemia, Myeloid
        "D054198",  # Precursor Cell Lymphoblastic Leukemia-Lymphoma (ALL: B- or T-lineage)
        "D015448",  # Leukemia, B-Cell
        "D015458",  # Leukemia, T-Cell
        "D016393",  # Lymphoma, B-Cell
        "D016399",  # Lymphoma, T-Cell
    }
)
# CML in a named phase is a descriptor of its own (MeSH children of D015464).
_CML = "D015464"
_CML_PHASES = {"blast phase": "D001752", "accelerated phase": "D015465", "chronic phase": "D015466"}


@cache
def is_attribute(ui: str) -> bool:
    """A descriptor that describes a disease rather than names one (Recurrence, Neoplasm
    Metastasis, Philadelphia Chromosome, Acute Disease, ...): all its trees under MeSH's
    Disease Attributes, Neoplastic Processes or Chromosome Aberrations."""
    trees = mesh.tree_numbers(ui)
    return bool(trees) and all(t.startswith(_ATTRIBUTE_ROOTS) for t in trees)


# Descriptors whose names are bare head nouns: "Cancer", "Tumor", "Infection", "Disease".
_HEAD_NOUNS = frozenset({"D009369", "D007239", "D004194", "D013577"})


def is_generic(ui: str) -> bool:
    """Neoplasms, Infections, Disease, Syndrome: a one-word mention of these is usually the
    head noun of a longer name ("Helicobacter Pylori Infection")."""
    return ui in _HEAD_NOUNS


@cache
def is_broad(ui: str) -> bool:
    """A category heading of the disease tree: a root (Neoplasms, Hemic and Lymphatic
    Diseases) or a descriptor with more than 20 descendants (Neoplasms by Site, Hematologic
    Diseases, Leukemia, Lymphoma, Lymphoma, Non-Hodgkin). Depth alone is no guide: Restless
    Legs Syndrome sits at depth 2."""
    if not mesh.is_disease(ui):
        return False
    return mesh.depth(ui) <= _BROAD_DEPTH or len(mesh.descendants_or_self(ui)) > _BROAD_DESCENDANTS


def is_class(ui: str) -> bool:
    """A heading that stands for a family of diseases (broad, or one of `_CLASS_HEADINGS`)."""
    return ui in _CLASS_HEADINGS or is_broad(ui)


# --------------------------------------------------------------------------------------------
# Cross-references
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiseaseInfo:
    """What the RDF stage needs about a descriptor besides the link itself."""

    mesh_id: str
    label: str | None
    mondo_ids: tuple[str, ...]
    ncit_ids: tuple[str, ...]
    parents: tuple[str, ...]


@lru_cache(maxsize=1)
def _xrefs() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    mondo: dict[str, list[str]] = {}
    ncit: dict[str, list[str]] = {}
    for row in load_lexicon("disease_xrefs"):
        mondo.setdefault(row["mesh_id"], []).append(row["mondo_id"])
        if row["ncit_id"] and row["ncit_id"] not in ncit.setdefault(row["mesh_id"], []):
            ncit[row["mesh_id"]].append(row["ncit_id"])
    return {ui: (tuple(ids), tuple(ncit.get(ui, ()))) for ui, ids in mondo.items()}


def disease_info(mesh_id: str) -> DiseaseInfo:
    """Label, verified MONDO / NCIt cross-references and MeSH parents of a descriptor."""
    mondo_ids, ncit_ids = _xrefs().get(mesh_id, ((), ()))
    return DiseaseInfo(mesh_id, mesh.label(mesh_id), mondo_ids, ncit_ids, mesh.parents(mesh_id))


# --------------------------------------------------------------------------------------------
# Grounding a record
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiseaseGrounding:
    """The links of a record; the conditions that could not be grounded; and the class
    headings grounded as written but superseded by a more specific link (rule 8). The last two
    are for the build report: nothing is dropped silently."""

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


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one text says: its disease mentions (attributes dropped where something better is
    there) and its qualifier labels outside those mentions, in text order."""

    mentions: tuple[Mention, ...]
    qualifiers: tuple[str, ...]


_NEGATIONS = frozenset({"non", "not", "no", "without"})
_FUNCTION_WORDS = frozenset(
    {
        *("a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "and", "or", "by"),
        *("from", "due", "after", "before", "during", "including", "associated", "related"),
        *("other", "patient", "subject", "participant", "people"),
    }
)


def _keep(hit: _Hit, tokens: tuple[mesh.Token, ...], covered: list[tuple[int, int]]) -> bool:
    """Rule 6: what the word before a mention (qualifiers passed over) says about it."""
    before = next(
        (
            t
            for t in reversed(tokens[: hit.first])
            if not any(s <= t.start and t.end <= e for s, e in covered)
        ),
        None,
    )
    if before is None:
        return True
    if before.lower in _NEGATIONS:
        return False  # "Non-hematologic Malignancy" is not a hematologic neoplasm
    if not is_generic(hit.mention.ui) or hit.last > hit.first:
        return True
    # "Chronic Hepatitis B Infection", "Dendritic Cell Neoplasm": a head noun, not the disease
    return before.cased in _SEPARATORS or before.lower in _FUNCTION_WORDS


_AGE_GROUPS = frozenset(
    {"adult", "pediatric", "adolescent", "young adult", "older adult", "adolescent and young adult"}
)


@lru_cache(maxsize=1 << 15)
def read_text(text: str) -> _Reading:
    """Disease mentions and qualifiers of one text (pure, so cached: conditions repeat)."""
    tokens = mesh.tokenize(text)
    found = find_qualifiers(text)
    covered = [(start, end) for start, end, _ in found]
    age_spans = [(start, end) for start, end, labels in found if _AGE_GROUPS.issuperset(labels)]
    skippable = frozenset(
        k for k, t in enumerate(tokens) if any(s <= t.start and t.end <= e for s, e in age_spans)
    )
    hits = [
        hit
        for hit in matcher().find_tokens(tokens, skippable)
        if not (is_attribute(hit.mention.ui) and _overlaps(hit.mention, covered))
        and _keep(hit, tokens, covered)
    ]
    if any(not is_attribute(hit.mention.ui) for hit in hits):
        hits = [hit for hit in hits if not is_attribute(hit.mention.ui)]
    hits = _drop_history(text, hits)
    # the words a mention stands on: its tokens except the qualifiers passed over
    words = [
        (tokens[k].start, tokens[k].end)
        for hit in hits
        for k in range(hit.first, hit.last + 1)
        if k not in hit.skipped
    ]
    labels: list[str] = []
    for start, end, names in found:
        if not any(start < e and s < end for s, e in words):
            labels.extend(names)
    for hit in hits:
        labels.extend(hit.mention.implied)
    mentions, labels = _cml_phase([hit.mention for hit in hits], list(dict.fromkeys(labels)))
    return _Reading(tuple(mentions), tuple(labels))


_HISTORY = re.compile(
    r"\b(?:(?:arising|evolving|evolved|transformed|progressed|progressing)\s+(?:from|out\s+of)"
    r"|following|after|secondary\s+to|due\s+to|from\s+(?:a\s+)?(?:previous|prior|antecedent))\b",
    re.IGNORECASE,
)


def _drop_history(text: str, hits: list[_Hit]) -> list[_Hit]:
    """A disease named after "arising from", "following", "due to" ... once the text has named
    its disease is where that disease came from, not a condition of the trial: "AML Arising
    From Previous Myelodysplastic Syndrome" is AML."""
    kept: list[_Hit] = []
    for hit in hits:
        if kept and _HISTORY.search(text, kept[-1].mention.end, hit.mention.start):
            continue
        kept.append(hit)
    return kept


def _cml_phase(mentions: list[Mention], labels: list[str]) -> tuple[list[Mention], list[str]]:
    """CML in a named phase is MeSH's phase descriptor: "Blastic Phase CML" is Blast Crisis,
    "CML in Lymphoid Blast Crisis" too (the phase descriptor supersedes CML)."""
    if not any(m.ui == _CML for m in mentions):
        return mentions, labels
    phases = set(_CML_PHASES.values())
    if any(m.ui in phases for m in mentions):
        return [m for m in mentions if m.ui != _CML], labels
    named = [label for label in labels if label in _CML_PHASES]
    if len(named) != 1:
        return mentions, labels
    phase = _CML_PHASES[named[0]]
    refined = [Mention(phase, m.start, m.end, m.implied) if m.ui == _CML else m for m in mentions]
    return refined, [label for label in labels if label != named[0]]


def _overlaps(mention: Mention, spans: list[tuple[int, int]]) -> bool:
    return any(start < mention.end and mention.start < end for start, end in spans)


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
    """Rule 5: which diseases the title names add to what the conditions say.

    * no condition grounds: all of them;
    * every condition is a class heading that the title's diseases specify (an ancestor of one
      of them, or as uninformative as Neoplasms or Hematologic Neoplasms, which MeSH files by
      site and so is nobody's ancestor: seed 002): all of them but uninformative ones, they
      replace the headings;
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
        return new
    return [m for m in new if any(is_class(c) and c in mesh.ancestors(m.ui) for c in drafts)]


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
    return tuple(dict.fromkeys(m.ui for m in wanted))


def _superseded(drafts: dict[str, _Draft], from_title: tuple[str, ...]) -> set[str]:
    """Rule 8: class headings that a more specific link stands for. A class heading with a
    descendant among the links goes ("Leukemia + AML" is AML); so does an uninformative
    heading among the conditions once the title has named a disease of the same MeSH
    category (seed 002: "Neoplasms | Hematologic Neoplasms | Neoplasms by Site | Hematologic
    Diseases" and a title naming T-ALL/T-LBL is T-ALL/T-LBL; but "Leukemia" stays next to a
    title's Graft vs Host Disease, an immune disease)."""
    out = {
        ui for ui in drafts if is_class(ui) and any(ui in mesh.ancestors(other) for other in drafts)
    }
    titled = {root for ui in from_title for root in _roots(ui)}
    out |= {
        ui
        for ui, draft in drafts.items()
        if draft.from_conditions and _is_uninformative(ui) and _roots(ui) & titled
    }
    return out


def _roots(ui: str) -> set[str]:
    """The MeSH categories a descriptor is filed under (C04, C15, C20, ...)."""
    return {tn.split(".", 1)[0] for tn in mesh.tree_numbers(ui)}


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
    for draft in drafts.values():
        draft.from_conditions = True

    from_title: tuple[str, ...] = ()
    for path in ("brief_title", "official_title"):  # the official title only if needed
        text = getattr(record, path)
        mentions = (
            tuple(m for m in read_text(text).mentions if _names_disease(m.ui)) if text else ()
        )
        from_title = _add_title(drafts, path, text, mentions, source) if mentions else ()
        if from_title:
            break

    dropped = _superseded(drafts, from_title)
    links = tuple(_link(d) for ui, d in drafts.items() if ui not in dropped)
    superseded = tuple(_link(d) for ui, d in drafts.items() if ui in dropped)
    return DiseaseGrounding(links, tuple(ungrounded), superseded)


def _link(draft: _Draft) -> DiseaseLink:
    info = disease_info(draft.ui)
    return DiseaseLink(
        mesh_id=draft.ui,
        label=draft.label,
        condition_text=draft.condition_text,
        basis=Basis.SOURCE_MESH if draft.source else Basis.LEXICON,
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
