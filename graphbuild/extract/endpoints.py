"""Outcomes -> Endpoints: what each outcome measures, by what criteria and method, and when.

Every `record.outcomes[i]` becomes one `Endpoint` with its role, text, parsed time frame and the
concepts it measures (keys of `ontology/vocab/endpoint_concepts.tsv`), each `ConceptLink`
pointing at the words in `outcomes[i].measure` or `outcomes[i].description`.

Why the matching is built the way it is:

* One compiled regex for all the vocabularies (concepts, criteria, methods), names ordered
  longest first, so that at any position the most specific name wins: "complete remission with
  incomplete ... recovery" is CRi, not CR; "dose-limiting toxicity" is DLT, not AE; a criteria
  name swallows the concept words inside it ("Common Terminology Criteria for Adverse Events"
  is no AE endpoint). See `_compile` for how it stays fast.
* Abbreviations are case-sensitive whole words: "CR" is not found in "CRS", "CRi", "CR1" or
  "pCR"; "PR" not in "PRO"; "OS" not inside words; "MR" not in "MRI"/"MRD"; "AE" not in "TEAE".
  Some words also need context (`_GUARDS`): "SD" after "mean ±" is a standard deviation, "PR
  interval" an ECG reading, "first complete remission" a disease state, "expansion" without
  cells nearby is no cell expansion. A match a guard turns down does not consume its words.
* Stop phrases (`_STOP_PHRASES`) consume words that look like a concept but are not one ("dose
  expansion cohort", "area under the ROC curve", "standard deviation (SD)").

What an outcome measures (the rules the gold set, tests/gold/README.md, is annotated by):

1. Every concept the measure or the description names counts, also inside a definition ("DLT
   is defined as adverse events related to the drug" is DLT, AE and TRAE; "DOR: time from CR/CRi
   or PR to relapse" is DOR, CR, CRI and PR), except in a description sentence that speaks of
   correlation ("... will be correlated with occurrence of infections").
2. A qualified adverse event is an adverse event too: TEAE, TRAE, SAE and AESI add AE.
3. Generic concepts (PK: "pharmacokinetics" with no parameter; FEASIBILITY) are dropped when a
   specific concept of their category is named ("Pharmacokinetics (Tmax)" is TMAX).
4. In an outcome about response, cytopenias and count recovery are thresholds of the response
   criteria, not endpoints; so is "neutrophil recovery" in an engraftment outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Mapping

from graphbuild.extract.lexicon import load_lexicon, split_multi
from graphbuild.extract.timeframes import parse_time_frame
from graphbuild.model import (
    Basis,
    ConceptLink,
    Endpoint,
    EndpointCategory,
    Evidence,
    Outcome,
    Record,
)

__all__ = [
    "ConceptInfo",
    "VocabularyEntry",
    "concept_info",
    "concept_vocabulary",
    "criterion_info",
    "extract_endpoint",
    "extract_endpoints",
    "find_concepts",
    "find_criteria",
    "find_methods",
    "method_info",
    "synonym_pattern",
]

# --------------------------------------------------------------------------------------------
# Synonym syntax -> regex (see the header of ontology/vocab/endpoint_concepts.tsv)
# --------------------------------------------------------------------------------------------

_BEFORE = r"(?<![A-Za-z0-9])"
_AFTER = r"(?![A-Za-z0-9])"
_SEP = r"[\s\-\u2010\u2011\u2013]+"  # words of a name: spaces and/or hyphens between
_TILDE = r"(?:\S+\s+){0,4}?"
_WORD_SPLIT = re.compile(r"[\s\-\u2010\u2011\u2013]+")


def _is_abbreviation(synonym: str) -> bool:
    """A capitalised token without spaces (ORR, sCR, Cmax, IFN-γ) is matched exactly."""
    return " " not in synonym and any(ch.isupper() for ch in synonym)


def _word_pattern(word: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"[\w\-]*"
    escaped = re.escape(word)
    if len(word) >= 4 and word[-1].isalpha():
        if word.endswith("y") and word[-2] not in "aeiou":
            return re.escape(word[:-1]) + "(?:y|ies)"
        if word.endswith(("s", "x", "ch", "sh")):
            return escaped + "(?:es)?"
        return escaped + "s?"
    return escaped


_HEAD_LENGTH = 3


def _literal_head(text: str) -> str:
    """The leading letters/digits of a name, at most `_HEAD_LENGTH` (what the compiler
    dispatches on)."""
    head = ""
    for ch in text[:_HEAD_LENGTH]:
        if not ch.isalnum():
            break
        head += ch
    return head


def _synonym_parts(synonym: str) -> tuple[str, str, bool]:
    """(literal head, regex tail, case-insensitive) of a synonym: the head is its first
    letters when they are plain literals (so the compiler can dispatch on them), else ''."""
    if _is_abbreviation(synonym):
        raw = synonym[:-1] if synonym.endswith("*") else synonym
        run_on = r"[A-Za-z0-9\-]*" if synonym.endswith("*") else ("s?" if raw[-1].isupper() else "")
        head = _literal_head(raw)
        return head, re.escape(raw[len(head):]) + run_on + _AFTER, False
    parts: list[str] = []
    previous_tilde = True  # no separator before the first word
    for word in _WORD_SPLIT.split(synonym.strip()):
        if word == "~":
            parts.append(_SEP + _TILDE if parts else _TILDE)
            previous_tilde = True
            continue
        parts.append(("" if previous_tilde else _SEP) + _word_pattern(word))
        previous_tilde = False
    body = "".join(parts)
    head = _literal_head(synonym)
    while head and not body.startswith(head):
        head = head[:-1]
    return head, body[len(head):] + _AFTER, True


def synonym_pattern(synonym: str) -> str:
    """The full regex (with word boundaries) that a lexicon synonym stands for."""
    head, tail, fold = _synonym_parts(synonym)
    body = re.escape(head) + tail
    return "(?i:" + _BEFORE + body + ")" if fold else _BEFORE + body


def _weight(synonym: str) -> int:
    """Longer names first; a `~` can stand for several words, so it counts for more."""
    return len(synonym.replace("~", "")) + 8 * synonym.count("~")


@dataclass(frozen=True, slots=True)
class _Alternative:
    """One name of a vocabulary: a literal `head` (what `_compile` dispatches on, matched
    case-insensitively when `fold`) and the regex `pattern` for the rest of it. With no head,
    `pattern` is the whole regex."""

    key: str | None  # None: a stop phrase, matched only to be ignored
    pattern: str
    weight: int
    head: str = ""
    fold: bool = True


def _synonym_alternative(key: str | None, synonym: str) -> _Alternative:
    head, tail, fold = _synonym_parts(synonym)
    if not head:
        return _Alternative(key, synonym_pattern(synonym), _weight(synonym))
    return _Alternative(key, f"(?i:{tail})" if fold else tail, _weight(synonym), head, fold)


@dataclass(frozen=True, slots=True)
class _Matcher:
    """One compiled alternation; group `g{n}_{m}` of a match names `keys[n]`."""

    regex: re.Pattern[str]
    keys: tuple[str | None, ...]

    def finditer(self, text: str) -> Iterable[tuple[str | None, re.Match[str]]]:
        for match in self.regex.finditer(text):
            yield self.keys[int(match.lastgroup[1:].partition("_")[0])], match  # type: ignore[union-attr]

    def scan(
        self, text: str, reject: Callable[[str | None, re.Match[str]], bool]
    ) -> Iterator[tuple[str | None, re.Match[str]]]:
        """Like `finditer`, but a match that `reject` turns down does not consume its words:
        the search goes on from its next character ("Incidence of Relapse-free Survival" is
        not CIR, and its "Relapse-free Survival" is still found)."""
        search, pos = self.regex.search, 0
        while (match := search(text, pos)) is not None:
            key = self.keys[int(match.lastgroup[1:].partition("_")[0])]  # type: ignore[union-attr]
            if reject(key, match):
                pos = match.start() + 1
                continue
            yield key, match
            pos = match.end()


# Branches are tried in order and fail on their first character, so the letters words most
# often start with (in this corpus) go first; further down, the commonest letters.
_FIRST_LETTERS = "taoipcsdbrmwfelnhg1uv20q534k6789yjzx"
_LETTERS = "eaiornstlcuhdpmgybfvkwzxjq0123456789"


def _branch_order(ch: str, depth: int) -> int:
    order = _FIRST_LETTERS if depth == 0 else _LETTERS
    index = order.find(ch)
    return index if index >= 0 else len(order)


def _char_class(ch: str) -> str:
    variants = dict.fromkeys((ch.lower(), ch.upper()))
    return re.escape(ch) if len(variants) == 1 else "[" + "".join(re.escape(v) for v in variants) + "]"


def _compile(alternatives: Iterable[_Alternative]) -> _Matcher:
    """One regex for a whole vocabulary, fast enough for thousands of records a second.

    Python's `re` tries the branches of an alternation one by one, but skips at once a branch
    that starts with a character (class) the text does not have. So names sit in a tree keyed
    by their first letters (`[cC](?:[oO](?:[mM](?:plete response|...))|...)`), each position
    costing a few character tests instead of hundreds of attempts. Abbreviations share the
    case-folded tree and check their exact spelling with a lookbehind (`(?<=CRS)`). All names
    that can match at one position share its first letters, so ordering each leaf longest
    first keeps the longest-match rule."""
    ordered = sorted(alternatives, key=lambda a: -a.weight)
    keys = tuple(a.key for a in ordered)
    root: dict = {}
    for n, alternative in enumerate(ordered):
        node = root
        for ch in alternative.head.lower():
            node = node.setdefault(ch, {})
        check = "" if alternative.fold or not alternative.head else f"(?<={re.escape(alternative.head)})"
        node.setdefault("", []).append((n, check, alternative.pattern))
    names = iter(range(1 << 30))

    def emit(node: dict, depth: int) -> str:
        children = sorted((ch for ch in node if ch), key=lambda ch: _branch_order(ch, depth))
        branches = [_char_class(ch) + "(?:" + emit(node[ch], depth + 1) + ")" for ch in children]
        branches += [f"{check}(?P<g{n}_{next(names)}>{pattern})" for n, check, pattern in node.get("", [])]
        return "|".join(branches)

    # At the root, where every word start is tried, a plain literal is the cheapest test the
    # engine has, so each first letter gets a branch per case (the subtree is written twice).
    roots = sorted((ch for ch in root if ch), key=lambda ch: _branch_order(ch, 0))
    cases = [c for c in roots] + [c.upper() for c in roots if c.upper() != c]
    branches = [f"(?P<g{n}_{next(names)}>{pattern})" for n, _, pattern in root.get("", [])]  # no literal head
    branches += [re.escape(c) + "(?:" + emit(root[c.lower()], 1) + ")" for c in cases]
    return _Matcher(re.compile(_BEFORE + "(?:" + "|".join(branches) + ")"), keys)


def _lexicon_alternatives(rows: Iterable[Mapping[str, str]]) -> list[_Alternative]:
    return [
        _synonym_alternative(row["key"], synonym)
        for row in rows
        for synonym in split_multi(row.get("synonyms", ""))
    ]


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConceptInfo:
    key: str
    label: str
    category: EndpointCategory
    ncit_code: str | None


@dataclass(frozen=True, slots=True)
class VocabularyEntry:
    """A criteria set or an assay method: key, display label, NCIt code (None if unverified)."""

    key: str
    label: str
    ncit_code: str | None
    version_style: str = ""
    version_codes: Mapping[str, str] | None = None


@lru_cache(maxsize=None)
def concept_vocabulary() -> Mapping[str, ConceptInfo]:
    """Every endpoint concept by key, in file order (for the RDF stage and reports)."""
    return {
        row["key"]: ConceptInfo(
            key=row["key"],
            label=row["label"],
            category=EndpointCategory(row["category"]),
            ncit_code=row.get("ncit_code") or None,
        )
        for row in load_lexicon("endpoint_concepts")
    }


def concept_info(key: str) -> tuple[str, EndpointCategory, str | None]:
    """(label, category, NCIt code or None) of a concept key; KeyError for an unknown key."""
    info = concept_vocabulary()[key]
    return info.label, info.category, info.ncit_code


@lru_cache(maxsize=None)
def _criteria_vocabulary() -> Mapping[str, VocabularyEntry]:
    entries = {}
    for row in load_lexicon("assessment_criteria"):
        codes = dict(pair.split("=", 1) for pair in split_multi(row.get("version_codes", "")))
        entries[row["key"]] = VocabularyEntry(
            row["key"], row["label"], row.get("ncit_code") or None, row.get("version_style", ""), codes
        )
    return entries


@lru_cache(maxsize=None)
def _method_vocabulary() -> Mapping[str, VocabularyEntry]:
    return {
        row["key"]: VocabularyEntry(row["key"], row["label"], row.get("ncit_code") or None)
        for row in load_lexicon("assay_methods")
    }


def criterion_info(name: str) -> VocabularyEntry | None:
    """The criteria set behind an `Endpoint.criteria` string ("CTCAE v5.0", "iwCLL 2018"),
    with the version's own NCIt code when the lexicon has one."""
    for entry in _criteria_vocabulary().values():
        if name == entry.label or name.startswith(entry.label + " "):
            version = name[len(entry.label):].strip().lstrip("v")
            code = (entry.version_codes or {}).get(version, entry.ncit_code)
            return VocabularyEntry(entry.key, entry.label, code, entry.version_style, entry.version_codes)
    return None


def method_info(name: str) -> VocabularyEntry | None:
    """The assay method behind an `Endpoint.methods` string ("qPCR", "flow cytometry")."""
    for entry in _method_vocabulary().values():
        if name == entry.label:
            return entry
    return None


# --------------------------------------------------------------------------------------------
# Structural patterns, stop phrases and guards
# --------------------------------------------------------------------------------------------

_STOP_PHRASES = (
    "standard deviation",
    "cytogenetic response", "complete cytogenetic response", "major cytogenetic response",
    "hematologic response", "haematologic response",
    "complete hematologic response", "complete haematologic response",
    "pathologic complete response", "pathological complete response",
    "dose expansion", "expansion cohort", "expansion phase", "expansion part", "expansion stage",
    "expansion arm", "cohort expansion", "ex vivo expansion", "clonal expansion",
    "time to progression", "time to treatment failure",
    "composite complete remission", "composite complete response", "composite CR",
    "infusion-related reaction", "target toxicity rate", "target toxicity level",
    "area under the receiver ~ curve", "area under the ROC curve", "area under the ROC", "AUC-ROC", "ROC AUC",
    "cytogenetic remission", "complete cytogenetic remission", "hematologic remission",
)

_TRANSPLANT = (
    r"(?:(?:an?|the|subsequent|consolidative|consolidation|allogeneic|allogenic|autologous|allo|auto"
    r"|haematopoietic|hematopoietic|haemopoietic|stem|cells?|bone|marrow|blood|peripheral|progenitor)[\s-]+){0,6}"
    r"(?:allo-?|auto-?)?(?:HSCT|HCT|SCT|BMT|ASCT|transplant(?:ation|s)?)"
)
_GVHD_REST = r"(?:(?<=graft)[\s-]*(?:versus|vs\.?)[\s-]*host[\s-]*disease)?(?:\s*\(\s*GVHD\s*\))?"
_GRFS_REST = r"[\s-]*free[\s,/-]*(?:and\s+)?relapse[\s-]*free(?:[\s-]*survival)?" + _AFTER
_RECOVERY = r"\s+with\s+(?:an?\s+)?{kind}\s+(?:[\w-]+\s+){{0,3}}?recovery" + _AFTER
_WITHOUT_RECOVERY = r"\s+without\s+(?:[\w-]+\s+){0,3}?recovery" + _AFTER
_AE_WORDS = r"(?:adverse\s+(?:events?|reactions?|effects?)|toxicit(?:y|ies)|AEs?)"
# an AE said to be caused by the treatment, later in the same sentence ("toxicity possibly
# attributed to CART22", "adverse events, meeting the DLT definition, related to BG1805")
_CAUSED_AHEAD = (
    r"(?=(?:(?![.;]|\bnot\b|\bwhether\b|\bregardless\b|\bunrelated\b).){0,80}?"
    r"\b(?:related|attributed|attributable)\s+to\b)"
)
_INCOMPLETE = r"(?:incomplete|inadequate)(?!\s+platelet)"
_NOT_CRI = r"(?:partial|(?:incomplete|inadequate)(?=\s+platelet))"
_RESPONSE_AHEAD = (
    r"(?=\s+(?:(?-i:CR|sCR|CRi|VGPR|PR|MRD)|complete\s+(?:response|remission)|partial\s+(?:response|remission)"
    r"|stringent\s+complete|very\s+good\s+partial|minimal\s+residual)(?![A-Za-z0-9]))"
)
_WHO = r"(?:with|who\s+(?:receive|received|underwent|undergo|proceed(?:ed)?\s+to))"
# (key, lead words, what follows them, case-insensitive): each lead word becomes one
# alternative dispatched on its first two letters, like the lexicon's names.
_STRUCTURAL: tuple[tuple[str | None, tuple[str, ...], str, bool], ...] = (
    # receipt of a transplant: "patients who receive hematopoietic stem cell transplantation"
    ("HSCT_RATE", ("receiv", "proceed", "undergo", "underwent", "bridg", "went on", "go on", "going on",
                   "eligib", "transition", "referr", "consolidat"),
     r"\w*[\s-]+(?:to|for|with|into)?[\s-]*" + _TRANSPLANT + _AFTER, True),
    ("HSCT_RATE", ("rate", "proportion", "percentage", "number", "incidence"),
     r"s?\s+of\s+(?:participants|patients|subjects)\s+" + _WHO + r"\s+" + _TRANSPLANT + _AFTER, True),
    ("HSCT_RATE", ("rate", "proportion", "percentage"), r"s?\s+of\s+" + _TRANSPLANT + _AFTER, True),
    # CR with incomplete haematological recovery is CRi; with partial (CRh) or incomplete
    # platelet (CRp) recovery it is neither CRi nor CR, and has no key (key None: words consumed)
    ("CRI", ("complete",), r"\s+(?:remission|response)s?" + _RECOVERY.format(kind=_INCOMPLETE), True),
    ("CRI", ("CR",), _RECOVERY.format(kind=_INCOMPLETE), False),
    ("CRI", ("complete",), r"\s+(?:remission|response)s?" + _WITHOUT_RECOVERY, True),
    ("CRI", ("CR",), _WITHOUT_RECOVERY, False),
    (None, ("complete",), r"\s+(?:remission|response)s?" + _RECOVERY.format(kind=_NOT_CRI), True),
    (None, ("CR",), _RECOVERY.format(kind=_NOT_CRI), False),
    # "complete or partial response": both are named
    ("CR", ("complete",), r"(?=\s+(?:or|and|/)\s+partial\s+(?:response|remission))", True),
    ("PR", ("partial",), r"(?=\s+(?:or|and|/)\s+complete\s+(?:response|remission))", True),
    # treatment-caused adverse events: "CAR T related adverse events", "AEs attributed to ..."
    ("TRAE", ("related",), r"[\s-]+" + _AE_WORDS + _AFTER, True),
    ("TRAE", ("adverse",), r"\s+(?:events?|reactions?|effects?)" + _AFTER + _CAUSED_AHEAD, True),
    ("TRAE", ("toxicit",), r"(?:y|ies)" + _AFTER + _CAUSED_AHEAD, True),
    ("TRAE", ("AE",), r"s?" + _AFTER + _CAUSED_AHEAD, False),
    # antibodies against the product: "anti-axicabtagene ciloleucel antibodies", "CAR123-specific antibody"
    ("IMMUNOGENICITY", ("anti",), r"-?\s?(?:\S+\s+){0,2}?(?:\S*leucel|\S*CAR\S*|\S*mab|drug|product)\s+antibod\w*", True),
    ("IMMUNOGENICITY", ("CAR",), r"\S*-specific\s+antibod\w*", False),
    ("IMMUNOGENICITY", ("antibod",), r"\w*\s+(?:\S+\s+){0,5}?(?:to|against)\s+(?:the\s+)?(?:JCAR\S*|\S*CAR\S*|\S*leucel|\S*mab|product|drug)", True),
    # levels of the cell product: "Levels of anti-CD19 CAR T cells in blood"
    ("PK", ("level", "concentration", "rate", "number", "quantity", "amount", "percentage", "frequency", "copies"),
     r"s?\s+of\s+(?:\S+\s+){0,3}?(?:CAR[\s-]*(?:positive\s+|\+\s*)?T\S*(?:\s+cells?)?|CART\S*|\S+-CAR\S*"
     r"|CAR\s+(?:copies|copy\s+numbers?|transgenes?))" + _AFTER + r"(?!\s+products?)", True),
    # "duration of CR", "time to CR": DOR / TTR, and the CR is named as well
    ("DOR", ("duration",), r"\s+of" + _RESPONSE_AHEAD, True),
    ("TTR", ("time",), r"\s+to(?:\s+(?:first|achieve|achieving|reach|reaching))?" + _RESPONSE_AHEAD, True),
    # engraftment of the infused CAR / ARTEMIS T cells is their persistence
    ("PERSISTENCE", ("engraftment",), r"\s+of\s+(?:the\s+)?(?:\S+\s+){0,4}?(?:T[\s-]*cells?|CAR\S*|ARTEMIS\S*)" + _AFTER, True),
    # GVHD-free, relapse-free survival, however the words are bracketed or hyphenated
    ("GRFS", ("GVHD", "graft"), _GVHD_REST + _GRFS_REST, True),
    # interleukins: IL-6, IL6, IL-1β
    ("CYTOKINES", ("IL",), r"-?\s?\d{1,2}[A-Za-z\u03b1\u03b2]?" + _AFTER, False),
)


def _led(key: str | None, leads: Iterable[str], rest: str, weight: int, fold: bool) -> list[_Alternative]:
    """Alternatives for a pattern that starts with one of some literal words."""
    alternatives = []
    for word in leads:
        head = _literal_head(word)
        body = re.escape(word[len(head):]).replace(r"\ ", r"\s+") + rest
        alternatives.append(_Alternative(key, f"(?i:{body})" if fold else body, weight, head, fold))
    return alternatives


@lru_cache(maxsize=None)
def _antigen_names() -> tuple[str, ...]:
    """Names of the antigens a pharmacodynamic outcome may count (ontology/vocab/antigens.tsv,
    rows with infer=yes), longest first. Falls back to the common CAR-T targets if that
    lexicon is missing, so that endpoint extraction never depends on it being present."""
    try:
        rows = load_lexicon("antigens")
    except FileNotFoundError:
        rows = ()
    names: set[str] = set()
    for row in rows:
        if row.get("infer", "yes") != "yes":
            continue
        names.add(row.get("symbol", ""))
        names.update(split_multi(row.get("synonyms", "")))
        names.update(split_multi(row.get("common_names", "")))
    names.discard("")
    if not names:
        names = {"CD19", "CD20", "CD22", "BCMA", "CD7", "CD5", "CD30", "CD33", "CD38", "CD123", "CLL-1", "GPRC5D"}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def _antigen_patterns() -> list[_Alternative]:
    """Antigen-positive cells ("BCMA+ plasma cells", "CD19 expression") and soluble antigen
    ("free BCMA", "sBCMA"), one alternative per first letter of the antigen names."""
    positive = r"(?:\s*\+|\s*\(\+\)|[\s-]*positive|[\s-]*expressing|\^\+)"
    cells = r"(?:cells?|blasts?|lymphocytes|population|plasma\s+cells|B[\s-]+cells?|T[\s-]+cells?)"
    suffix = (
        "(?:" + positive + r"(?:\s*/\s*\w+\+?)*\s*(?:[\w-]+\s+){0,3}?" + cells
        + r"|[\s-]+(?:(?:antigen|receptor|protein|surface|cell[\s-]surface)\s+)?(?:expression|loss|escape|density)"
        + r"|[\s-]*negative\s+(?:relapse|escape|disease|recurrence))" + _AFTER
    )
    by_head: dict[str, list[str]] = {}
    for name in _antigen_names():
        head = _literal_head(name)[:2]  # fewer, larger groups: the suffix is written once per head
        if head:
            by_head.setdefault(head, []).append(re.escape(name[len(head):]))
    alternatives = [
        _Alternative("ANTIGEN_POSITIVE_CELLS", "(?:" + "|".join(rest) + ")" + suffix, 200, head, False)
        for head, rest in by_head.items()
    ]
    soluble: dict[str, list[str]] = {}
    for name in _antigen_names():
        head = "s" + _literal_head(name)[:1]
        if len(head) == 2:
            soluble.setdefault(head, []).append(re.escape(name[1:]))
    alternatives += [
        _Alternative("SOLUBLE_ANTIGEN", "(?:" + "|".join(rest) + ")" + _AFTER, 150, head, False)
        for head, rest in soluble.items()
    ]
    every = "(?:" + "|".join(re.escape(name) for name in _antigen_names()) + ")"
    alternatives += _led(  # "loss or diminished expression of CD19"
        "ANTIGEN_POSITIVE_CELLS", ("loss", "expression", "downregulation", "down-regulation", "density"),
        r"\s+of\s+(?:the\s+)?(?:(?:target\s+)?antigens?\s+)?(?-i:" + every + _AFTER + ")", 200, True
    )
    alternatives += _led(
        "SOLUBLE_ANTIGEN", ("soluble", "free", "serum", "circulating", "plasma"), r"(?-i:\s+" + every + _AFTER + ")", 200, True
    )
    return alternatives


@dataclass(frozen=True, slots=True)
class _Guard:
    """A match of `key` is dropped when the words before/after it read like another sense."""

    key: str
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None
    text: re.Pattern[str] | None = None  # only for matches whose own words fit this
    require: re.Pattern[str] | None = None  # kept only if this is found within 80 characters


# Words that put cell kinetics ("expansion", "persistence") in a cell-therapy context.
_CELL_CONTEXT = re.compile(
    r"\bCAR|CART|T[\s-]?cells?|\bNK\b|\bcells?\b|transgene|vector|infus|engraft|in\s+vivo|CTL\d|leucel\b|\bproducts?\b", re.I
)
_GUARDS: tuple[_Guard, ...] = (
    _Guard("SD", before=re.compile(r"(?:\u00b1|\+/-|\bmean\b[^.;]{0,15}|\bmedian\b[^.;]{0,15})\s*$", re.I),
           after=re.compile(r"^(?:\s*[=:]\s*\d|\s+of\s+(?:\d|the\s+mean|mean)|-[A-Za-z])")),
    _Guard("PR", after=re.compile(r"^\s+(?:interval|prolongation|segment)", re.I)),
    # ROC curves, glucose curves: an area under a curve that is not a drug's exposure
    _Guard("AUC", before=re.compile(r"(?:\bROC\b|receiver|operating\s+characteristic|discriminat\w*|diagnostic|predictive"
                                    r"|prediction|accuracy|glucose|insulin)[^.;]{0,60}$", re.I),
           after=re.compile(r"^\s*(?:-\s*ROC|\(?\s*ROC|of\s+(?:the\s+)?ROC|for\s+(?:the\s+)?(?:model|prediction|diagnos))", re.I)),
    _Guard("CYTOPENIA", before=re.compile(r"\bimmune\s+$", re.I)),
    _Guard("EXPANSION", text=re.compile(r"^amplif", re.I), before=re.compile(r"\bPCR\)?\s*$")),
    _Guard("TMAX", text=re.compile(r"^time", re.I),
           after=re.compile(r"^\s+(?:glucose|sensory|perfusion|enhancement|flow|velocity|effect)", re.I)),
    _Guard("PK", text=re.compile(r"^clearance", re.I), before=re.compile(r"(?:creatinine|MRD|disease|tumou?r|vir\w*|blasts?)\)?\s*$", re.I),
           after=re.compile(r"^\s+of\s+(?:\S+\s+){0,3}?\S*(?:\+|positive|cells?\b|blasts|MRD|disease|vir)", re.I)),
    # "dose-limiting (DLT) toxicity" is DLT only; "toxicity-evaluable" patients are a population
    _Guard("AE", before=re.compile(r"(?:dose[\s-]*limiting|\bDLTs?\)?)\s*$", re.I), after=re.compile(r"^-?\s*evaluable", re.I)),
    # follow-up logistics: "followed until treatment-related toxicities have stabilized"
    *(
        _Guard(key, before=re.compile(r"\buntil\s+(?:\S+\s+){0,3}$", re.I),
               after=re.compile(r"^\s+(?:have|has)\s+(?:stabili[sz]ed|resolved)", re.I))
        for key in ("AE", "TRAE", "SAE", "TEAE")
    ),
    _Guard("CIR", after=re.compile(r"^[\s-]*free", re.I)),  # "incidence of relapse-free survival"
    # bare "survival" is OS, but not "metastasis-free survival", "survival curves", "followed for survival"
    _Guard("OS", text=re.compile(r"^survival$", re.I),
           before=re.compile(r"(?:\b(?:for|of\s+cell|cells?)\s+|[\w)]+[\s-]*(?:free|specific|related)[\s/-]*(?:\w+\s+)?)$", re.I),
           after=re.compile(r"^[\s-]+(?:curves?|regression|analys[ie]s|distributions?|endpoints?|follow-?up|status"
                            r"|models?|differences?|data)\b", re.I)),
    # a patient subset, not an endpoint: "participants who do not undergo ... transplantation",
    # "For treatment population that subsequently proceeds to HSCT"
    _Guard("HSCT_RATE", before=re.compile(r"(?:\bnot|\bnever|\bwithout|\bfor\s+(?:the\s+)?(?:\S+\s+){0,3}(?:that|who)"
                                          r"(?:\s+subsequently)?)\s+$", re.I)),
    # IL3 as a CAR ligand is no cytokine read-out
    _Guard("CYTOKINES", after=re.compile(r"^[\s-]*(?:CAR|zetakine|ligand)", re.I)),
    _Guard("PK", text=re.compile(r"^cell", re.I), after=re.compile(r"^\s+of\s+(?:\S+\s+){0,2}?\S*(?:positive|\+)", re.I)),
    # Tmax / AUC / Cmax of cytokines are pharmacodynamics (the cytokine is matched on its own)
    *(
        _Guard(key, after=re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:of|for)\s+(?:the\s+)?(?:serum\s+|plasma\s+)?"
                                     r"(?:cytokines?|IL-?\d|interleukin|IFN|TNF|interferon)", re.I),
               before=re.compile(r"\bcytokines?\b[^.;]{0,120}$", re.I))
        for key in ("TMAX", "AUC", "CMAX")
    ),
    # cell kinetics words mean something else without cells nearby ("infarct expansion")
    _Guard("EXPANSION", require=_CELL_CONTEXT),
    _Guard("PK", text=re.compile(r"^(?:copy|transgene|vector)", re.I), before=re.compile(r"variation\s*$", re.I),
           require=re.compile(r"\bCAR\b|CAR-?T|T[\s-]?cells?|NK\b|transgene|vector|infus", re.I)),
    _Guard("PERSISTENCE", require=_CELL_CONTEXT),
    _Guard("MR", before=re.compile(r"(?:mitral|tricuspid|aortic)\s*(?:valve\s*)?$", re.I),
           after=re.compile(r"^\s*(?:angiograph|imaging|spectroscop|elastograph|enterograph|\(\s*[<>])", re.I)),
    _Guard("CR", before=re.compile(r"\b(?:in|achieved|reached)\s+(?:a\s+)?(?:first|second|third|1st|2nd|3rd)\s+$", re.I)),
    _Guard("ORR", text=re.compile(r"^response\s+rates?$", re.I),
           before=re.compile(r"(?:better|above|higher|greater|\bor|\band|negative|positive|cytogenetic|molecular|hematologic"
                             r"|haematologic|metabolic|patholog\w*|serologic\w*|biochemical|immune|antibody|vaccine|tumou?r"
                             r"|MRD|VGPR|CR|PR|sCR|CRi|\+|/)\s*$", re.I)),
    _Guard("INFECTION", before=re.compile(r"(?:\bHIV|hepatitis\s+[BC]|\bHBV|\bHCV|\bHPV)[\s-]*(?:\w+[\s-]+)?$", re.I)),
    _Guard("EXPANSION", before=re.compile(r"manufactur\w*(?:\s+\S+){0,3}\s+$", re.I)),  # ex vivo, in production
    _Guard("EXPANSION", before=re.compile(r"(?:escalation|run-?in|safety|part\s*\w+|phase\s*\w+)\s*(?:and|/|&|:|,)?\s*$|\(\s*$", re.I),
           after=re.compile(r"^\s*(?:cohorts?|phases?|parts?|stages?|arms?|portion|period)\b", re.I)),
    _Guard("PERSISTENCE", before=re.compile(r"(?:\bMRD|disease|leuka?emia|blasts?)[\s-]*$", re.I),
           after=re.compile(r"^\s+of\s+(?:MRD|minimal|measurable|disease|leuka?emi|blasts|the\s+disease)", re.I)),
)


def _is_concept(key: str) -> bool:
    return not key.startswith((_CRITERION, _METHOD))


def _guarded(key: str, text: str, match: re.Match[str]) -> bool:
    for guard in _GUARDS:
        if guard.key != key:
            continue
        if guard.text is not None and not guard.text.search(match.group(0)):
            continue
        if guard.before is not None and guard.before.search(text[max(0, match.start() - 40):match.start()]):
            return True
        if guard.after is not None and guard.after.search(text[match.end():match.end() + 30]):
            return True
        if guard.require is not None and not guard.require.search(text[max(0, match.start() - 80):match.end() + 80]):
            return True
    return False


_CRITERION = "criterion:"
_METHOD = "method:"


def _tagged(prefix: str, rows: Iterable[Mapping[str, str]]) -> list[Mapping[str, str]]:
    return [{**row, "key": prefix + row["key"]} for row in rows]


@lru_cache(maxsize=None)
def _matcher() -> _Matcher:
    """Concepts, stop phrases, criteria and methods in one tree, so each text is read once.
    Criteria and methods carry a prefixed key; a criteria name wins over the concept words
    inside it ("Common Terminology Criteria for Adverse Events" is not an AE endpoint)."""
    alternatives = _lexicon_alternatives(load_lexicon("endpoint_concepts"))
    stops = [_synonym_alternative(None, phrase) for phrase in _STOP_PHRASES]
    alternatives += [replace(stop, weight=stop.weight + 100) for stop in stops]  # a stop phrase must win
    for key, leads, rest, fold in _STRUCTURAL:
        alternatives += _led(key, leads, rest, 300, fold)
    alternatives += _antigen_patterns()
    alternatives += _lexicon_alternatives(_tagged(_CRITERION, load_lexicon("assessment_criteria")))
    alternatives += _lexicon_alternatives(_tagged(_METHOD, load_lexicon("assay_methods")))
    return _compile(alternatives)


# --------------------------------------------------------------------------------------------
# Finding concepts, criteria and methods in one text
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A concept (or, with key None, a stop phrase) found at text[start:end]."""

    key: str | None
    start: int
    end: int
    text: str


_OPEN = re.compile(r"[(\[]\s*$")
_CLOSE = re.compile(r"^\s*[)\]]")


def _bracketed(text: str, hit: Hit) -> bool:
    return bool(_OPEN.search(text[max(0, hit.start - 3):hit.start]) and _CLOSE.match(text[hit.end:hit.end + 3]))


def _resolve_brackets(text: str, hits: list[Hit]) -> list[Hit]:
    """An abbreviation in brackets right after a stop phrase names that phrase, not a concept:
    'standard deviation (SD)' is no stable disease. (After a concept phrase both count: a
    garbled 'Relapse free survival (PFS)' names RFS and PFS.)"""
    dropped: set[int] = set()
    for n in range(1, len(hits)):
        hit, previous = hits[n], hits[n - 1]
        if not _bracketed(text, hit):
            continue
        gap = text[previous.end:hit.start]
        if len(gap) > 4 or not _OPEN.search(gap):
            continue
        if previous.key is None:
            dropped.add(n)  # "standard deviation (SD)"
    return [hit for n, hit in enumerate(hits) if n not in dropped]


@dataclass(frozen=True, slots=True)
class _Scan:
    """What one text names: concept hits (after guards and the bracket rule), criteria
    (display names, versioned where stated) and methods (labels), each in order."""

    concepts: tuple[Hit, ...]
    criteria: tuple[str, ...]
    methods: tuple[str, ...]
    correlates: frozenset[int] = frozenset()  # starts of hits in a sentence about correlation


_EMPTY = _Scan((), (), ())
_SENTENCE = re.compile(r"[^.;\n]+")
_CORRELATION = re.compile(r"\bcorrelat\w*", re.I)


def _in_correlation_sentences(text: str, hits: Iterable[Hit]) -> frozenset[int]:
    """Hits standing in a sentence that speaks of correlation: those concepts are correlates
    of what is measured ("outcomes including OS, EFS will be correlated with CD123")."""
    spans = [m.span() for m in _SENTENCE.finditer(text) if _CORRELATION.search(m.group())]
    return frozenset(h.start for h in hits if any(a <= h.start < b for a, b in spans))


def _scan(text: str) -> _Scan:
    if not text:
        return _EMPTY
    hits: list[Hit] = []
    criteria: dict[str, str] = {}
    methods: dict[str, None] = {}
    for key, match in _matcher().scan(text, lambda key, match: key is not None and _is_concept(key) and _guarded(key, text, match)):
        if key is None:
            hits.append(Hit(None, match.start(), match.end(), match.group(0)))
        elif key.startswith(_CRITERION):
            name = key[len(_CRITERION):]
            display = _criterion_display(name, text, match)
            if name not in criteria or (display != criteria[name] and criteria[name] == _criteria_vocabulary()[name].label):
                criteria[name] = display
        elif key.startswith(_METHOD):
            methods[_method_vocabulary()[key[len(_METHOD):]].label] = None
        else:
            hits.append(Hit(key, match.start(), match.end(), match.group(0)))
    concepts = tuple(hit for hit in _resolve_brackets(text, hits) if hit.key is not None)
    correlates = _in_correlation_sentences(text, concepts) if _CORRELATION.search(text) else frozenset()
    return _Scan(concepts, tuple(criteria.values()), tuple(methods), correlates)


def find_concepts(text: str) -> list[Hit]:
    """Concept mentions in one text, in order, after guards, bracket rule and criteria names."""
    return list(_scan(text).concepts)


_V_VERSION = re.compile(
    r"^[\s)\]]*[,(\[]?\s*(?:(?:version|ver\.?|v\.?)\s*(?:\(v\)\s*)?(\d+(?:\.\d+)*)|(\d+\.\d+))", re.I
)
_YEAR_AFTER = re.compile(
    r"^[\s)\]]*[,(\[]?\s*(?:(?:response\s+)?(?:criteria|guidelines?|classification|recommendations?|consensus)\s*[,(]?\s*)?"
    r"((?:19|20)\d\d)\b", re.I
)
_YEAR_BEFORE = re.compile(r"\b((?:19|20)\d\d)[\s-]*$")


def _version(entry: VocabularyEntry, text: str, match: re.Match[str]) -> str | None:
    after = text[match.end():match.end() + 40]
    if entry.version_style == "v":
        found = _V_VERSION.match(after)
        if found:
            version = found.group(1) or found.group(2)
            return version if "." in version else version + ".0"
    elif entry.version_style == "year":
        found = _YEAR_AFTER.match(after) or _YEAR_BEFORE.search(text[max(0, match.start() - 12):match.start()])
        if found:
            return found.group(1)
    return None


def _criterion_display(key: str, text: str, match: re.Match[str]) -> str:
    entry = _criteria_vocabulary()[key]
    version = _version(entry, text, match)
    if version and entry.version_style == "v":
        return f"{entry.label} v{version}"
    if version:
        return f"{entry.label} {version}"
    return entry.label


def find_criteria(text: str) -> list[str]:
    """Criteria sets named in a text, with their version when stated ("CTCAE v5.0")."""
    return list(_scan(text).criteria)


def find_methods(text: str) -> list[str]:
    """Assay or imaging methods named in a text, by label, in order of first mention."""
    return list(_scan(text).methods)


# --------------------------------------------------------------------------------------------
# From hits to an outcome's concepts, and the Endpoint
# --------------------------------------------------------------------------------------------

# Generic concepts give way to a specific one of their category (rule 3).
_GENERIC = frozenset({"PK", "FEASIBILITY"})
# Qualified adverse events are adverse events too (rule 2): "treatment-emergent AEs" is AE + TEAE.
_QUALIFIED_AE = frozenset({"SAE", "TEAE", "TRAE", "AESI"})
# In an outcome about response, counts and recovery are thresholds of the response criteria
# ("CRi: ... with residual neutropenia", "recovery of ANC > 1.0"), not endpoints (rule 4).
_RESPONSE = frozenset({"ORR", "CR", "SCR", "CRI", "VGPR", "PR", "MR", "SD", "BOR"})
_RESPONSE_THRESHOLDS = frozenset({"CYTOPENIA", "ENGRAFTMENT"})


def _outcome_concepts(index: int, measure: _Scan, description: _Scan) -> tuple[ConceptLink, ...]:
    """The concepts of one outcome: everything its measure and description name, in order of
    first mention, after the module's rules 2-4."""
    vocabulary = concept_vocabulary()
    evidence: dict[str, list[Evidence]] = {}
    for field, scan in ((f"outcomes[{index}].measure", measure), (f"outcomes[{index}].description", description)):
        for hit in scan.concepts:
            if scan is description and hit.start in description.correlates:
                continue  # "... will be correlated with occurrence of infections": not measured
            item = Evidence(field, hit.text, hit.start, hit.end)
            if hit.key in _QUALIFIED_AE and "AE" not in evidence:
                evidence["AE"] = []
            if hit.key in _QUALIFIED_AE:
                evidence["AE"].append(item)
            evidence.setdefault(hit.key, []).append(item)  # type: ignore[arg-type]
    present = set(evidence)
    links = []
    for key, items in evidence.items():
        category = vocabulary[key].category
        if key in _GENERIC and any(
            other != key and other not in _GENERIC and vocabulary[other].category is category for other in present
        ):
            continue  # rule 3: "Pharmacokinetics (Tmax)" is TMAX
        if key in _RESPONSE_THRESHOLDS and present & _RESPONSE:
            continue  # rule 4
        if key == "CYTOPENIA" and "ENGRAFTMENT" in present and all("recover" in ev.text.lower() for ev in items):
            continue  # rule 4: "neutrophil recovery" defines engraftment
        links.append(ConceptLink(concept=key, category=category, evidence=tuple(items), basis=Basis.LEXICON))
    return tuple(links)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def extract_endpoint(index: int, outcome: Outcome) -> Endpoint:
    """One outcome as an Endpoint (pure; `index` is the outcome's place in the record)."""
    measure, description = _scan(outcome.measure), _scan(outcome.description)
    return Endpoint(
        index=index,
        role=outcome.role,
        measure=outcome.measure,
        description=outcome.description,
        time_frame=parse_time_frame(outcome.time_frame),
        concepts=_outcome_concepts(index, measure, description),
        criteria=_merge_criteria((measure.criteria, description.criteria)),
        methods=_unique(measure.methods + description.methods),
    )


def _merge_criteria(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    """Criteria from measure and description, one per criteria set, a versioned name winning."""
    merged: dict[str, str] = {}
    for group in groups:
        for name in group:
            entry = criterion_info(name)
            key = entry.key if entry else name
            versioned = entry is not None and name != entry.label
            if key not in merged or (versioned and entry is not None and merged[key] == entry.label):
                merged[key] = name
    return tuple(merged.values())


def extract_endpoints(record: Record) -> tuple[Endpoint, ...]:
    """Every outcome of the record as an Endpoint, in the record's order."""
    return tuple(extract_endpoint(i, outcome) for i, outcome in enumerate(record.outcomes))
