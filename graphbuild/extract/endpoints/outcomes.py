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

from collections.abc import Iterable

from graphbuild.extract.endpoints.scan import (
    Hit,
    _Scan,
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
