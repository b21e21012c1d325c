"""A blood level is pharmacokinetics only when it is the level of what the trial gives. "Serum
MMP14 concentration", "blood glucose is the concentration of glucose", "C-reactive protein ...
its blood concentrations" measure the patient, not the drug. The concept matcher reads one
outcome at a time and cannot tell, so this rule, which needs the trial's interventions, runs over
the trial's endpoints afterwards (as the cell-kinetics and disease-response rules do).

A PK link is dropped only when every word it rests on is a bare concentration wording (plasma /
serum / blood ... concentration) and its outcome names neither one of the trial's interventions
(name or other name) nor a drug in general words (drug, study treatment, pharmacokinetic,
exposure, the infused cells or their vector). Trough levels, Cmin, "PK" and the like are never
dropped."""

from __future__ import annotations

import re

from graphbuild.extract.endpoints.pruning import drop_concepts
from graphbuild.model import ConceptLink, Endpoint, Record

# what the matcher's bare level wordings read: "plasma concentration", "serum ~ concentration"
_LEVEL_WORDS = re.compile(r"^(?:plasma|serum|blood)\b.*\bconcentrations?$", re.IGNORECASE | re.DOTALL)
_DRUG_WORDS = re.compile(
    r"\bdrugs?\b|\bstudy\s+(?:treatment|medication|product|intervention|agent)|pharmacokinetic|\bPK\b|\bexposure\b"
    r"|\bdos(?:e|es|ing)\b|\binfus|\bCAR\b|CAR-?T|\bcells?\b|transgene|vector|\bmetabolites?\b"
    r"|\bC(?:av|avg|ss)\b|steady[\s-]state|\btrough\b",
    re.IGNORECASE,
)
# Words of an intervention's name that say nothing of which product it is
_NAME_STOPWORDS = frozenset({
    "tablet", "tablets", "capsule", "capsules", "injection", "injections", "infusion", "oral",
    "placebo", "therapy", "treatment", "group", "blood", "drawn", "additional", "tubes", "with",
    "from", "each", "will", "dose", "doses", "daily", "standard", "care", "cells", "solution",
    "cream", "film", "coated", "cell", "week", "weeks", "days", "high", "plus", "only", "test",
    "arms",
})
_NAME_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _name_words(record: Record) -> set[str]:
    """The words that name what the trial gives: each word of 4 characters or more of its
    interventions' names and other names ("btct4465a", "mosunetuzumab", "atra"), generic words
    aside."""
    words: set[str] = set()
    for intervention in record.interventions:
        for name in (intervention.name, *intervention.other_names):
            words.update(
                w for w in _NAME_TOKEN.findall(name.lower()) if len(w) >= 4 and w not in _NAME_STOPWORDS
            )
    return words


def without_patient_levels(record: Record, endpoints: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
    """The endpoints with the PK links that rest only on a concentration of something the trial
    does not give taken out."""
    names: set[str] | None = None  # read from the interventions at the first bare level only

    def drop(endpoint: Endpoint, link: ConceptLink) -> bool:
        nonlocal names
        if link.concept != "PK" or not all(_LEVEL_WORDS.match(ev.text.strip()) for ev in link.evidence):
            return False
        text = f"{endpoint.measure}\n{endpoint.description}"
        if _DRUG_WORDS.search(text):
            return False
        if names is None:
            names = _name_words(record)
        return not names.intersection(_NAME_TOKEN.findall(text.lower()))  # not what the trial gives

    return drop_concepts(endpoints, drop)
