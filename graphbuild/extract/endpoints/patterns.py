"""What the endpoint matcher looks for besides the lexicon synonyms, and the matcher itself.

* Stop phrases: words that look like a concept but are not one ("dose expansion cohort",
  "standard deviation"); matched with key None so they consume their words.
* Structural patterns: concepts whose wording is a construction rather than a name (receipt
  of a transplant, CR with incomplete recovery, treatment-related AEs, antibodies against the
  product, levels of the cell product, DOR / TTR of a named response, GRFS, interleukins).
* Antigen patterns: antigen-positive cells and soluble antigen (pharmacodynamic read-outs).

`_matcher()` puts all of them, the concept synonyms, the criteria and the methods into one
`vocab_matcher` alternation, so each text is read once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import lru_cache

from graphbuild.extract.text.synonyms import (
    _AFTER,
    _Alternative,
    _lexicon_alternatives,
    _literal_head,
    _synonym_alternative,
)
from graphbuild.extract.text.vocab_matcher import _compile, _Matcher
from graphbuild.vocab.lexicon import load_lexicon, split_multi

_STOP_PHRASES = (
    "standard deviation",
    "cytogenetic response", "complete cytogenetic response", "major cytogenetic response",
    "hematologic response", "haematologic response",
    "complete hematologic response", "complete haematologic response",
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
# words between a cause / onset qualifier and the AE ("treatment-related serious adverse events",
# "treatment-emergent grade >= 3 adverse events"), and the AE abbreviations a qualifier can precede
_AE_QUALIFIER = (
    r"(?:(?:serious|severe|non-?serious|grade\s*(?:[≥>=]+\s*)?\d(?:\s*(?:-|to|or|and)\s*\d)?"
    r"(?:\s+or\s+(?:higher|greater|above))?|treatment[\s-]emergent|immune[\s-]related),?\s+)"
)
_AE_ABBREVIATIONS = r"(?-i:(?:TE|S|TES)AEs?)"
_AE_WORDS_ALL = r"(?:adverse\s+(?:events?|reactions?|effects?)|toxicit(?:y|ies)|(?-i:(?:TE|S|TES)?AEs?))"
# an AE said to be caused by the treatment, later in the same sentence ("toxicity possibly
# attributed to CART22", "adverse events, meeting the DLT definition, related to BG1805")
_CAUSED_AHEAD = (
    r"(?=(?:(?![.;]|\bnot\b|\bwhether\b|\bregardless\b|\bunrelated\b).){0,80}?"
    r"\b(?:related|attributed|attributable)\s+to\b)"
)
_INCOMPLETE = r"(?:incomplete|inadequate)(?!\s+platelet)"
_NOT_CRI = r"(?:partial|(?:incomplete|inadequate)(?=\s+platelet))"
_RESPONSE_AHEAD = (
    r"(?=\s+(?:molecular\s+)?(?:(?-i:CR|sCR|CRi|VGPR|PR|MRD)|complete\s+(?:response|remission)|partial\s+(?:response|remission)"
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
    # ... and across qualifiers or before an AE abbreviation ("treatment-related serious adverse
    # events", "treatment-related TEAEs"): only the cause word is consumed, so that the AE words
    # still give their own keys (SAE, TEAE)
    ("TRAE", ("related",), r"(?=[\s-]+(?:" + _AE_QUALIFIER + r"){1,3}" + _AE_WORDS_ALL + _AFTER + ")", True),
    ("TRAE", ("related",), r"(?=[\s-]+" + _AE_ABBREVIATIONS + _AFTER + ")", True),
    # "treatment-emergent serious adverse events": TEAE across a qualifier (SAE is named too)
    ("TEAE", ("treatment-emergent", "treatment emergent"),
     r"(?=\s+(?:" + _AE_QUALIFIER + r"){1,3}" + _AE_WORDS_ALL + _AFTER + ")", True),
    ("TEAE", ("treatment-emergent", "treatment emergent"), r"(?=\s+(?-i:S?AEs?)" + _AFTER + ")", True),
    ("TRAE", ("adverse",), r"\s+(?:events?|reactions?|effects?)" + _AFTER + _CAUSED_AHEAD, True),
    ("TRAE", ("toxicit",), r"(?:y|ies)" + _AFTER + _CAUSED_AHEAD, True),
    ("TRAE", ("AE",), r"s?" + _AFTER + _CAUSED_AHEAD, False),
    # antibodies against the product: "anti-axicabtagene ciloleucel antibodies", "CAR123-specific antibody"
    ("IMMUNOGENICITY", ("anti",), r"-?\s?(?:\S+\s+){0,2}?(?:\S*leucel|\S*CAR\S*|\S*mab|drug|product)\s+antibod\w*", True),
    ("IMMUNOGENICITY", ("CAR",), r"\S*-specific\s+antibod\w*", False),
    ("IMMUNOGENICITY", ("antibod",), r"\w*\s+(?:\S+\s+){0,5}?(?:to|against)\s+(?:the\s+)?(?:JCAR\S*|\S*CAR\S*|\S*leucel|\S*mab|product|drug)", True),
    # levels of the cell product: "Levels of anti-CD19 CAR T cells in blood"
    ("PK", ("level", "concentration", "rate", "number", "quantity", "amount", "percentage", "frequency", "copies"),
     r"s?\s+of\s+(?:(?!manufactur)\S+\s+){0,3}?(?:CAR[\s-]*(?:positive\s+|\+\s*)?T\S*(?:\s+cells?)?|CART\S*|\S+-CAR\S*"
     r"|CAR\s+(?:copies|copy\s+numbers?|transgenes?))" + _AFTER
     + r"(?!\s+(?:products?|infusions?|therap\w+|treatments?|administration))", True),
    # "duration of CR", "time to CR": DOR / TTR, and the CR is named as well
    ("DOR", ("duration",), r"\s+of" + _RESPONSE_AHEAD, True),
    ("TTR", ("time",), r"\s+to(?:\s+(?:first|achieve|achieving|reach|reaching))?" + _RESPONSE_AHEAD, True),
    # "the highest dose ... estimated to result in grade 3 toxicity": the MTD, its toxicity
    # words consumed (they define the dose, they are no AE endpoint)
    ("MTD", ("highest dose", "maximum dose", "highest dose level", "maximal dose"),
     r"(?:(?![.;]).){0,150}?(?:grade\s*(?:[≥>=]+\s*)?[3-5]\s+)?(?:toxicit(?:y|ies)|DLTs?|dose[\s-]limiting\s+toxicit(?:y|ies)"
     r"|adverse\s+events?)" + _AFTER, True),
    # engraftment of the infused CAR / ARTEMIS T cells is their persistence
    ("PERSISTENCE", ("engraftment",), r"\s+of\s+(?:the\s+)?(?:\S+\s+){0,4}?(?:T[\s-]*cells?|CAR\S*|ARTEMIS\S*)" + _AFTER, True),
    # survival of the infused cells is their persistence, never OS: "Survival of CD19.CAR-ATLs"
    ("PERSISTENCE", ("survival",), r"\s+of\s+(?:the\s+)?(?:\S+\s+){0,3}?\S*(?:CAR\S*|ATLs?\b|CTLs?\b|T[\s-]*cells?)" + _AFTER, True),
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
        + r"|[\s-]+(?i:(?:antigen|receptor|protein|surface|cell[\s-]surface)\s+)?(?i:expression|loss|escape|density)"
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


_CRITERION = "criterion:"
_METHOD = "method:"


def _tagged(prefix: str, rows: Iterable[Mapping[str, str]]) -> list[Mapping[str, str]]:
    return [{**row, "key": prefix + row["key"]} for row in rows]


def _alternatives() -> list[_Alternative]:
    """Concepts, stop phrases, structural and antigen patterns, criteria and methods, as
    alternatives of one alternation."""
    alternatives = _lexicon_alternatives(load_lexicon("endpoint_concepts"))
    stops = [_synonym_alternative(None, phrase) for phrase in _STOP_PHRASES]
    alternatives += [replace(stop, weight=stop.weight + 100) for stop in stops]  # a stop phrase must win
    for key, leads, rest, fold in _STRUCTURAL:
        alternatives += _led(key, leads, rest, 300, fold)
    alternatives += _antigen_patterns()
    alternatives += _lexicon_alternatives(_tagged(_CRITERION, load_lexicon("assessment_criteria")))
    alternatives += _lexicon_alternatives(_tagged(_METHOD, load_lexicon("assay_methods")))
    return alternatives


@lru_cache(maxsize=None)
def _matcher() -> _Matcher:
    """Concepts, stop phrases, criteria and methods in one tree, so each text is read once.
    Criteria and methods carry a prefixed key; a criteria name wins over the concept words
    inside it ("Common Terminology Criteria for Adverse Events" is not an AE endpoint)."""
    return _compile(_alternatives())
