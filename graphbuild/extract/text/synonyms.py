"""Synonym syntax -> regex: how a name of a vocabulary (`ontology/vocab/endpoint_concepts.tsv`,
assessment criteria, assay methods) is matched in text. See the header of
endpoint_concepts.tsv for the syntax: phrases fold case and plurals, abbreviations are exact,
`~` stands for up to four words, a trailing `*` lets a word run on.

Each name becomes an `_Alternative`: a literal head (what `vocab_matcher` dispatches on) and
the regex for the rest of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graphbuild.vocab.lexicon import split_multi

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


def _lexicon_alternatives(rows: Iterable[Mapping[str, str]]) -> list[_Alternative]:
    return [
        _synonym_alternative(row["key"], synonym)
        for row in rows
        for synonym in split_multi(row.get("synonyms", ""))
    ]
