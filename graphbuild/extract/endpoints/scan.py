"""Finding concepts, criteria and methods in one text: the matcher's hits after guards, the
bracket rule and the correlation rule; criteria with their version when stated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from graphbuild.extract.endpoints.guards import _GUARDS_BY_KEY, _guarded
from graphbuild.extract.endpoints.patterns import _CRITERION, _METHOD, _matcher
from graphbuild.extract.endpoints.vocab import (
    VocabularyEntry,
    _criteria_vocabulary,
    _method_vocabulary,
)
from graphbuild.extract.text import keywords


def _is_concept(key: str) -> bool:
    return not key.startswith((_CRITERION, _METHOD))


class Hit(NamedTuple):
    """A concept (or, with key None, a stop phrase) found at text[start:end]. (A named tuple:
    texts make many of them, and it is the cheapest immutable record.)"""

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
# Sentences about correlates: "will be correlated with", "Association between innate CD8+ T
# cells and the molecular response", "analysed in relation to treatment response", "markers of
# response and resistance", "predictive of relapse".
_CORRELATION = re.compile(
    r"\bcorrelat\w*|\bassociation\s+(?:between|of)\b|(?<=\bin\s)relation\s+to\b"
    r"|\bbiomarkers?\s+(?:of|for)\b|\bmarkers?\s+(?:of|for)\b|\bpredict(?:ive|ors?)\s+(?:of|for)\b",
    re.I,
)
_CORRELATION_WORDS = ("correlat", "association", "relation", "marker", "predict")


def _speaks_of_correlation(text: str) -> bool:
    """`_CORRELATION` searched only in texts that have one of its words (most have not)."""
    lowered = keywords.folded(text)
    return (lowered is None or any(w in lowered for w in _CORRELATION_WORDS)) and (
        _CORRELATION.search(text) is not None
    )


def _in_correlation_sentences(text: str, hits: Iterable[Hit]) -> frozenset[int]:
    """Hits standing in a sentence that speaks of correlation: those concepts are correlates
    of what is measured ("outcomes including OS, EFS will be correlated with CD123")."""
    spans = [m.span() for m in _SENTENCE.finditer(text) if _CORRELATION.search(m.group())]
    return frozenset(h.start for h in hits if any(a <= h.start < b for a, b in spans))


@lru_cache(maxsize=4096)
def _scan(text: str) -> _Scan:
    """What one text names (cached: measures such as "Overall survival" repeat)."""
    if not text:
        return _EMPTY
    hits: list[Hit] = []
    criteria: dict[str, str] = {}
    methods: dict[str, None] = {}
    matcher = _matcher()
    search, by_group, pos = matcher.regex.search, matcher.by_group, 0
    # a match a guard turns down does not consume its words: the search goes on from its
    # next character ("Incidence of Relapse-free Survival" is not CIR, and its "Relapse-free
    # Survival" is still found)
    while (match := search(text, pos)) is not None:
        key = by_group[match.lastgroup]  # type: ignore[index]
        start, end = match.span()
        if key is None:
            hits.append(Hit(None, start, end, text[start:end]))
        elif key in _GUARDS_BY_KEY and _is_concept(key) and _guarded(key, text, match):
            pos = start + 1
            continue
        elif key.startswith(_CRITERION):
            name = key[len(_CRITERION):]
            display = _criterion_display(name, text, match)
            if name not in criteria or (display != criteria[name] and criteria[name] == _criteria_vocabulary()[name].label):
                criteria[name] = display
        elif key.startswith(_METHOD):
            methods[_method_vocabulary()[key[len(_METHOD):]].label] = None
        else:
            hits.append(Hit(key, start, end, text[start:end]))
        pos = end
    if "(" in text or "[" in text:  # the bracket rule needs an opening bracket
        hits = _resolve_brackets(text, hits)
    concepts = tuple(hit for hit in hits if hit.key is not None)
    correlates = _in_correlation_sentences(text, concepts) if _speaks_of_correlation(text) else frozenset()
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
