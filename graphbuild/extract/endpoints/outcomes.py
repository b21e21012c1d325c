"""Outcomes -> Endpoints: what each outcome measures, by what criteria and method, and when.

Every `record.outcomes[i]` becomes one `Endpoint` with its role, text, parsed time frame and the
concepts it measures (keys of `ontology/vocab/endpoint_concepts.tsv`), each `ConceptLink`
pointing at the words in `outcomes[i].measure` or `outcomes[i].description`.

Why the matching is built the way it is:

* One compiled regex for all the vocabularies (concepts, criteria, methods), names ordered
  longest first, so that at any position the most specific name wins: "complete remission with
  incomplete ... recovery" is CRi, not CR; "dose-limiting toxicity" is DLT, not AE; a criteria
  name swallows the concept words inside it ("Common Terminology Criteria for Adverse Events"
  is no AE endpoint). See `vocab_matcher._compile` for how it stays fast.
* Abbreviations are case-sensitive whole words: "CR" is not found in "CRS", "CRi", "CR1" or
  "pCR"; "PR" not in "PRO"; "OS" not inside words; "MR" not in "MRI"/"MRD"; "AE" not in "TEAE".
  Some words also need context (`endpoint_guards`): "SD" after "mean ±" is a standard deviation, "PR
  interval" an ECG reading, "first complete remission" a disease state, "expansion" without
  cells nearby is no cell expansion. A match a guard turns down does not consume its words.
* Stop phrases (`concept_patterns._STOP_PHRASES`) consume words that look like a concept but are not one ("dose
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
5. A definition is not a list of further endpoints (gold conventions v2): when the measure
   names a construct (DLT, MTD, ORR, DOR, EFS, MRD, ...), the concepts its definition is made of
   (AE, GVHD, ICANS for a DLT; CR, CRi, PR for an ORR) are dropped from the description, and
   from the measure where they follow the construct after a defining word ("ORR (CR + PR)",
   "anti-tumor activity, calculated as the sum of SD, PR and CR"). The same holds inside one
   text for a construct and a definition that follows it ("Objective response, defined as a CR
   or PR"). Concepts listed side by side ("ORR, CR rate, DOR") all count.
6. Generic wordings of a measure: a measure that names no concept but speaks of response or
   remission ("Response", "Hematological disease response to ...") is ORR; one that speaks of
   relapse is CIR.

Where each part lives (this module keeps rules 2-4 and the Endpoint; the names below stay
importable from here):

* `synonyms`: the synonym syntax of the lexicons as regex alternatives;
* `vocab_matcher`: one tree-shaped alternation for a whole vocabulary;
* `concept_patterns`: stop phrases, structural and antigen patterns, and the matcher built
  from them and the lexicons;
* `endpoint_guards`: the context guards;
* `endpoint_scan`: one text's concepts, criteria and methods (`find_concepts`, ...);
* `endpoint_vocab`: concepts, criteria and methods as data (`concept_info`, ...);
* `timeframes`: the time frame parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from graphbuild.extract.endpoints.scan import (
    Hit,
    _Scan,
    _speaks_of_correlation,
    _scan,
    find_concepts,
    find_criteria,
    find_methods,
)
from graphbuild.extract.endpoints.timeframes import parse_time_frame
from graphbuild.extract.endpoints.vocab import (
    ConceptInfo,
    VocabularyEntry,
    concept_info,
    concept_vocabulary,
    criterion_info,
    method_info,
)
from graphbuild.extract.text.synonyms import synonym_pattern
from graphbuild.model import (
    Basis,
    ConceptLink,
    Endpoint,
    Evidence,
    Outcome,
    Record,
)

__all__ = [
    "ConceptInfo",
    "Hit",
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


# Rule 5: a construct and the concepts a definition of it is made of.
_SAFETY_PARTS = frozenset(
    {"AE", "SAE", "TEAE", "TRAE", "AESI", "CRS", "ICANS", "GVHD", "TRM", "INFECTION", "CYTOPENIA", "LAB_ABNORMALITIES"}
)
_RESPONSE_PARTS = frozenset(
    {"CR", "CRI", "PR", "SD", "VGPR", "SCR", "MR", "BOR", "ORR", "MRD", "CIR", "LAB_ABNORMALITIES"}
)
_DEFINED_BY: dict[str, frozenset[str]] = {
    "DLT": _SAFETY_PARTS,
    "MTD": _SAFETY_PARTS | {"DLT"},
    "RP2D": _SAFETY_PARTS | {"DLT", "MTD"},
    **{key: _RESPONSE_PARTS for key in ("ORR", "BOR", "DOR", "TTR", "OS", "CIR", "MRD")},
    # the events of an event-free survival ("an event or toxicity or progression")
    **{key: _RESPONSE_PARTS | {"AE", "SAE"} for key in ("EFS", "PFS", "RFS", "DFS", "LFS")},
    "FEASIBILITY": _SAFETY_PARTS,
    "CR": frozenset({"CRI", "MRD", "LAB_ABNORMALITIES"}),
    "CRI": frozenset({"CR", "MRD", "LAB_ABNORMALITIES"}),
    "GRFS": _RESPONSE_PARTS | {"GVHD"},
    "TRM": frozenset({"CIR"}),
    "HSCT_RATE": _RESPONSE_PARTS,
    "ENGRAFTMENT": frozenset({"CYTOPENIA", "LAB_ABNORMALITIES"}),
    "CYTOKINES": frozenset({"CRS"}),
}
# CR / CRi written together in a measure are both counted ("complete remission (CR + CRi)");
# only a description defines them away.
_MEASURE_CONSTRUCTS = frozenset(_DEFINED_BY) - {"CR", "CRI"}
# Words that open a definition of what precedes them, within one sentence.
_DEFINING = re.compile(
    r"[:=]|\b(?:defin\w*|calculat\w*|determin\w*|includ\w*|consist\w*|compris\w*|i\.\s?e\.|means?|"
    r"sum\s+of|proportion\s+of|percentage\s+of|percent\s+of|achiev\w*|from)\b",
    re.I,
)
# Measures whose construct has no key but is defined by response categories ("Disease Control
# Rate: CR, PR or SD"; "Composite Complete Remission (CRc)"), and response categories that have
# no key of their own (gold conventions: CRh, CRp, MLFS; a pathologic CR is a CR): such a measure names its
# response, so it is no generic "response" (rule 6 gives it no ORR).
_UNKEYED_RESPONSE_CONSTRUCT = re.compile(
    r"\b(?:disease\s+control|clinical\s+benefit|composite\s+complete|no\s+evidence\s+of\s+disease|DCR|CBR|CRc|NED"
    r"|(?-i:CRh|CRp|MLFS)|(?:morphologic(?:al)?\s+)?leuka?emia[\s-]free\s+state"
    r"|(?:response|remission)\s+with\s+(?:partial|incomplete\s+platelet)\s+(?:\w+\s+){0,3}?recovery)\b",
    re.I,
)
_SURVIVALS = frozenset({"EFS", "PFS", "RFS", "DFS", "LFS", "GRFS"})
# An ORR named only by a generic wording (rule 6 and the lexicon's "anti-tumor activity").
_SPECIFIC_ORR = re.compile(r"overall|objective|\bORR|response\s+rate|remission\s+rate", re.I)
# Rule 6: generic wordings of a measure that names no concept.
_GENERIC_RESPONSE = re.compile(
    r"(?<![\w-])(?<!immune )(?<!antibody )(?<!serologic )(?<!serological )(?<!humoral )(?<!cellular )(?<!vaccine )"
    r"(?<!dose )(?<!dose-)(?<!inflammatory )(?<!T cell )(?<!T-cell )(?<!virologic )(?<!metabolic )(?<!molecular )"
    r"(?<!cytogenetic )(?<!glycemic )"
    r"(?:responses?|responders?)\b",
    re.I,
)
_GENERIC_RELAPSE = re.compile(r"(?<![\w-])relapses?\b(?![\s-]*free)", re.I)


_SENTENCE_END = re.compile(r"\.(?:\s|$)")


def _in_bracket_after(text: str, end: int, start: int) -> bool:
    """Is text[start] inside a bracket that opens right after a construct ending at `end`
    ("ORR (CR + PR)"), not in a later one ("CR (complete remission) rate and CRi")?"""
    opened = text.find("(", end, end + 4)
    if opened < 0:
        opened = text.find("[", end, end + 4)
    if opened < 0 or opened > start:
        return False
    return not re.search(r"[)\]]", text[opened:start])


def _defined_parts(scan: _Scan, text: str, constructs: frozenset[str]) -> set[int]:
    """Starts of hits that follow a construct of the same text after a defining word (or inside
    the bracket right after it), in the same sentence, and are parts of that construct."""
    parts: set[int] = set()
    hits = scan.concepts
    for n, construct in enumerate(hits):
        if construct.key not in constructs:
            continue
        allowed = _DEFINED_BY[construct.key]
        listed = False  # another endpoint came first: a list, not the construct's bracket
        for hit in hits[n + 1:]:
            if hit.key not in allowed or hit.key == construct.key:
                listed = listed or hit.start >= construct.end + 4
                continue
            between = text[construct.end:hit.start]
            if _SENTENCE_END.search(between.replace("i.e.", "ie")):
                break
            if not listed and (_in_bracket_after(text, construct.end, hit.start) or _DEFINING.search(between)):
                parts.add(hit.start)
    return parts


def _outcome_concepts(
    index: int, measure: _Scan, description: _Scan, texts: tuple[str, str] = ("", "")
) -> tuple[ConceptLink, ...]:
    """The concepts of one outcome: everything its measure and description name, in order of
    first mention, after the module's rules 2-6."""
    vocabulary = concept_vocabulary()
    evidence: dict[str, list[Evidence]] = {}
    measure_text, description_text = texts
    in_measure = {h.start for h in measure.concepts}
    dropped_in_measure = _defined_parts(measure, measure_text, _MEASURE_CONSTRUCTS) if measure_text else set()
    constructs = {h.key for h in measure.concepts if h.start not in dropped_in_measure}
    description_parts = frozenset().union(*(_DEFINED_BY.get(k or "", frozenset()) for k in constructs))
    unkeyed_match = (
        _UNKEYED_RESPONSE_CONSTRUCT.search(measure_text)
        # only then can it change anything (rule 5, or rule 6 on a measure about response)
        if measure_text and (description.concepts or measure.concepts or "espon" in measure_text)
        else None
    )
    unkeyed = unkeyed_match is not None
    unkeyed_at = unkeyed_match.end() if unkeyed_match is not None else None
    if unkeyed:
        description_parts |= _RESPONSE_PARTS
    description_parts -= constructs
    dropped_in_description = (
        _defined_parts(description, description_text, frozenset(_DEFINED_BY)) if description_text else set()
    )
    generic_orr = {
        h.start for h in description.concepts if h.key == "ORR" and not _SPECIFIC_ORR.search(h.text)
    }
    other_than_generic = any(h.key != "ORR" for h in (*measure.concepts, *description.concepts))
    for field, scan in ((f"outcomes[{index}].measure", measure), (f"outcomes[{index}].description", description)):
        for hit in scan.concepts:
            if hit.start in scan.correlates:
                continue  # "... will be correlated with occurrence of infections": not measured
            if scan is measure and hit.start in dropped_in_measure:
                continue  # rule 5: "ORR (CR + PR)"
            if scan is measure and unkeyed_at is not None and hit.key in _RESPONSE_PARTS and hit.start > unkeyed_at \
                    and _DEFINING.search(measure_text, unkeyed_at, hit.start):
                continue  # rule 5: "CBR is defined as ... CR or PR or SD"
            if scan is description and hit.key == "OS" and hit.text.lower() == "survival" and constructs & _SURVIVALS:
                continue  # "GRFS is defined as survival with no ...": the construct's own word
            if scan is description and (hit.key in description_parts or hit.start in dropped_in_description):
                continue  # rule 5: the description defines the measure
            if scan is description and hit.start in generic_orr and (in_measure or other_than_generic):
                continue  # "Evidence of anti-leukemic activity" explaining a CR measure
            item = Evidence(field, hit.text, hit.start, hit.end)
            if hit.key in _QUALIFIED_AE and "AE" not in evidence:
                evidence["AE"] = []
            if hit.key in _QUALIFIED_AE:
                evidence["AE"].append(item)
            evidence.setdefault(hit.key, []).append(item)  # type: ignore[arg-type]
    if measure_text:
        _overall_response(evidence, measure, measure_text, index)
        _time_to_event(evidence, measure_text, index)
    if "TTR" in evidence and all(ev.text == "TTR" for ev in evidence["TTR"]) and _TIME_TO_RELAPSE.search(measure_text):
        del evidence["TTR"]  # "Time To Relapse" described as "TTR": the relapse measure's abbreviation
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
    if not links and measure_text and not unkeyed and not _speaks_of_correlation(measure_text):
        # rule 6: only when nothing else is named, and not of a correlate ("markers of response")
        lowered = measure_text.lower()
        for key, pattern, word in (("ORR", _GENERIC_RESPONSE, "respon"), ("CIR", _GENERIC_RELAPSE, "relaps")):
            found = pattern.search(measure_text) if word in lowered else None
            if found and key not in evidence:
                item = Evidence(f"outcomes[{index}].measure", found.group(), found.start(), found.end())
                links.insert(0, ConceptLink(concept=key, category=vocabulary[key].category, evidence=(item,), basis=Basis.LEXICON))
                break
    return tuple(links)


_TIME_TO_RELAPSE = re.compile(r"\btime\s+to\s+relapse\b", re.I)

# Rule 8: a time-to-event measure written out as its definition, with no name ("Time from the
# first documented CR or CRh until relapse or death"): the interval's start and its events say
# which survival or duration it is. (key, pattern, the keys its words name on the way, which the
# definition replaces)
_FROM = r"\b(?:time|interval|duration)\b[^.;]{0,40}?\bfrom\s+"
_RESPONSE_START = (
    r"(?:the\s+)?(?:first|initial|earliest)\s+(?:(?:documented|documentation|evidence|of|objective)\s+)*"
    r"[^.;]{0,80}?\b(?:respon\w*|remissions?|CR\w*|PR|MLFS)\b[^.;]{0,80}?"
)
_TIME_TO_EVENT: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...] = (
    (
        "DOR",
        re.compile(_FROM + _RESPONSE_START + r"\b(?:until|to)\b[^.;]{0,40}?\b(?:relapse|progression|recurrence)\b", re.I),
        _RESPONSE_PARTS | {"OS"},
    ),
    (
        "EFS",
        re.compile(
            _FROM + r"[^.;]{0,80}?\b(?:until|to)\b[^.;]{0,60}?\b(?:relapse|progression)\s*,\s*"
            r"(?:treatment\s+failure|induction\s+failure|refractory\s+disease)\s*,?\s+or\s+death\b",
            re.I,
        ),
        _RESPONSE_PARTS | {"OS"},
    ),
    (
        "OS",
        re.compile(
            _FROM + r"(?![^.;]*\b(?:relapse|progression|recurrence|failure|event)\b)[^.;]{0,80}?"
            r"\b(?:until|to)\s+(?:the\s+date\s+of\s+)?death\s+(?:due\s+to|from|of)\s+any\s+cause\b",
            re.I,
        ),
        frozenset(),
    ),
)


def _time_to_event(evidence: dict[str, list[Evidence]], measure_text: str, index: int) -> None:
    """Rule 8: a measure that defines a time to event names that event's concept, and the
    response and relapse words of its definition are not endpoints of their own."""
    if any(key in evidence for key, _, _ in _TIME_TO_EVENT) or evidence.keys() & _SURVIVALS:
        return  # named already ("DOR, defined as the time from ...")
    for key, pattern, replaced in _TIME_TO_EVENT:
        found = pattern.search(measure_text)
        if found is None:
            continue
        for other in replaced & evidence.keys():
            del evidence[other]
        evidence[key] = [Evidence(f"outcomes[{index}].measure", found.group(), found.start(), found.end())]
        return


_RESPONSE_WORD = re.compile(r"\brespon\w*", re.I)


def _overall_response(
    evidence: dict[str, list[Evidence]], measure: _Scan, measure_text: str, index: int
) -> None:
    """Rule 7: a response measure that names complete and partial response together as its kinds
    ("Confirmed Response [CR and PR]", "Best Overall Response of CR or PR", "Response profile,
    defined to be a CR or PR") is one overall response: ORR (or the BOR it names), not CR + PR.
    Only when the measure's own words say "response" outside the CR and PR it names."""
    kinds = [h for h in measure.concepts if h.key in ("CR", "PR")]
    if {h.key for h in kinds} != {"CR", "PR"}:
        return
    spans = [(h.start, h.end) for h in kinds]
    word = next(
        (m for m in _RESPONSE_WORD.finditer(measure_text)
         if not any(a <= m.start() < b for a, b in spans) and m.start() < max(a for a, _ in spans)),
        None,
    )
    if word is None:
        return
    overall = [Evidence(f"outcomes[{index}].measure", word.group(), word.start(), word.end())]
    named = "ORR" in evidence or "BOR" in evidence
    kept: dict[str, list[Evidence]] = {}
    for key, items in evidence.items():  # in order of first mention: ORR where CR or PR was
        if key in ("CR", "PR"):
            items = [ev for ev in items if not ev.field.endswith(".measure")]
            if not named:
                kept.setdefault("ORR", overall)
            if not items:
                continue
        kept[key] = items
    evidence.clear()
    evidence.update(kept)


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
        concepts=_outcome_concepts(index, measure, description, (outcome.measure, outcome.description)),
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
