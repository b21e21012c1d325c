"""Read one text (a condition or a title): its disease mentions and its qualifiers.

Rules 3, 4, 6 and 7 of `diseases` live here: attributes give way to a named disease and never
overlap a qualifier; age groups inside a name are passed over; "non-" negates a mention and a
bare head noun after an unknown word is the tail of a name we cannot ground; a disease named
after "arising from" is history; CML in a named phase is the phase descriptor. Pure, and
cached per text: conditions repeat across records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graphbuild.extract.diseases.classes import _CML, _CML_PHASES, is_attribute, is_generic
from graphbuild.extract.diseases.matcher import _SEPARATORS, Mention, _Hit, matcher
from graphbuild.extract.diseases.qualifiers import find_qualifiers
from graphbuild.vocab import mesh


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
