"""Cheap keyword tests that let an extractor skip a regex a text cannot match.

Most regexes of the extractors need some literal word ("phase", "dose", "CAR") to match at
all, and most texts have none of them: a substring test on the lower-cased text is a hundred
times cheaper than the regex search it spares. The test must never skip a text the regex
would match, so it is exact only where lower-casing folds the way a case-insensitive regex
does: in a `str` pattern `(?i:s)` also matches "ſ" (long s), `(?i:i)` "İ" and "ı", and
`str.lower` leaves those alone. A text holding one of them is never skipped.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Characters that a case-insensitive `re` pattern folds to an ASCII letter but `str.lower`
# does not (Kelvin sign included for safety: it lowers to "k" anyway).
_ODD_FOLDS = frozenset("\u0130\u0131\u017f\u212a")


def folded(text: str) -> str | None:
    """`text.lower()`, or None when a substring test on it would not be exact (see above).
    Not memoized: lower-casing runs at memory speed, hashing a long text for a cache costs
    as much."""
    if text.isascii() or _ODD_FOLDS.isdisjoint(text):
        return text.lower()
    return None


def may_match(text: str, *needs: tuple[str, ...]) -> bool:
    """False only if, for one of `needs`, `text` contains none of its words (lower case) in
    any case: then no regex that needs one word of each, case-insensitively, can match it."""
    lowered = folded(text)
    if lowered is None:
        return True
    contains = lowered.__contains__
    for words in needs:
        if not any(map(contains, words)):
            return False
    return True


# --------------------------------------------------------------------------------------------
# Words a regex needs, read off the regex itself
# --------------------------------------------------------------------------------------------

try:  # the regex parser of the standard library (re._parser since 3.11, sre_parse before)
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_ZERO_WIDTH = frozenset({"AT", "ASSERT", "ASSERT_NOT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_MIN_WORD = 3  # shorter words ("t", "cd") are in most texts: no use as a gate


def _leading_words(items: list, i: int = 0) -> set[str] | None:
    """Words (lower case) one of which every match of `items[i:]` starts with, zero-width
    assertions aside; None when a match can start otherwise."""
    prefix = ""
    while i < len(items):
        op, av = items[i]
        name = str(op)
        if name == "LITERAL" and chr(av).isascii():
            prefix += chr(av).lower()
            i += 1
            continue
        if name in _ZERO_WIDTH:
            i += 1
            continue
        if name == "SUBPATTERN":
            inner = _leading_words(list(av[-1]))
        elif name == "BRANCH":
            inner = set()
            for branch in av[1]:
                found = _leading_words(list(branch))
                if found is None:
                    inner = None
                    break
                inner |= found
        elif name in _REPEATS and av[0] >= 1:
            inner = _leading_words(list(av[2]))  # the first repetition starts here
        elif name in _REPEATS and not prefix:
            body, rest = _leading_words(list(av[2])), _leading_words(items, i + 1)
            inner = None if body is None or rest is None else body | rest
        else:
            inner = None
        if inner is None:
            return {prefix} if prefix else None
        return {prefix + word for word in inner}
    return {prefix} if prefix else None


@lru_cache(maxsize=None)
def needed_words(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Words (lower case) one of which every match of `pattern` contains, in any case; None
    if the pattern has no such words. Read from the parsed pattern, so the gate stays right
    when the pattern is edited."""
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - an unknown parser: no gate, the regex decides
        return None
    words = _leading_words(list(parsed))
    if not words or min(map(len, words)) < _MIN_WORD:
        return None
    return tuple(sorted(words))


def search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped when the text lacks every word the pattern needs."""
    words = needed_words(pattern)
    if words is not None and not may_match(text, words):
        return None
    return pattern.search(text)
