"""Keyword gates (`graphbuild.extract.text.keywords`): a text is only spared a regex it cannot
match. The gates must never change a result, so they are checked against the regexes
themselves, over all of Unicode where folding is concerned and over the corpus."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from graphbuild.extract import design
from graphbuild.extract.interventions import modality
from graphbuild.extract.text import keywords
from graphbuild.extract.text.keywords import folded, may_match, needed_words, search
from graphbuild.model import Record
from graphbuild.readers.inputs import read_inputs


def test_odd_folds_are_every_character_lower_casing_misses() -> None:
    """Every non-ASCII character a case-insensitive pattern takes for an ASCII letter either
    lower-cases to that letter or makes `folded` give up (long s, dotless i, ...)."""
    letter = re.compile(r"(?i)[a-z]")
    missed = {
        chr(code)
        for code in range(0x80, 0x110000)
        if letter.fullmatch(chr(code)) and chr(code).lower() not in string.ascii_lowercase
    }
    assert missed <= keywords._ODD_FOLDS
    assert folded("\u017fingle arm") is None  # "ſingle" matches (?i)single
    assert may_match("\u017fINGLE ARM", ("single",))
    assert folded("Open-Label") == "open-label"


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\bdose[\s-]*escalat\w*", ("dose",)),
        (r"(?<![\w-])(?P<early>early[\s-]+)?phase[\s-]*\d", ("early", "phase")),
        (r"(?i:\bplacebo|sham\b)", ("placebo", "sham")),
        (r"\bmulti-?(?:center|site)\b", ("multi",)),  # an optional part ends the word
        (r"\bnon[\s-]?randomized\b|\bnot\s+randomized\b", ("non", "not")),
        (r"(?i:\b\w{3,}mab\b|monoclonal)", None),  # a match can start with any word
        (r"\bT[-\s]?cells?\b", None),  # "t" alone is in every text: no gate
        (r"(?:once|twice)?\s*daily", None),  # may start with a space
    ],
)
def test_needed_words_are_read_off_the_pattern(pattern: str, words: tuple[str, ...] | None) -> None:
    assert needed_words(re.compile(pattern)) == words


def test_search_skips_only_texts_without_the_words() -> None:
    pattern = re.compile(r"(?i:\bplacebo\b)")
    assert search(pattern, "Matching PLACEBO tablets") is not None
    assert search(pattern, "Cyclophosphamide") is None


def _gated() -> list[tuple[str, re.Pattern[str], tuple[tuple[str, ...], ...]]]:
    """Every gate the extractors use: design's hand-written word groups and the words read
    off the modality patterns."""
    gates = [(f"design {p.pattern[:30]}", p, needs) for p, needs in design._NEEDS.items()]
    for name, value in vars(modality).items():
        if isinstance(value, re.Pattern) and needed_words(value) is not None:
            gates.append((f"modality {name}", value, (needed_words(value),)))
    return gates


@pytest.mark.corpus
def test_gates_never_skip_a_text_the_regex_matches(corpus_dir: Path, examples_dir: Path) -> None:
    texts: set[str] = set()
    for record in read_inputs([corpus_dir, examples_dir]):
        if not isinstance(record, Record):
            continue
        texts.update(
            t
            for t in (
                record.brief_title,
                record.official_title,
                record.acronym,
                record.brief_summary,
                record.detailed_description,
            )
            if t
        )
        for intervention in record.interventions:
            texts.update(t for t in (intervention.name, intervention.description) if t)
    skipped_matches = [
        (name, text[:60])
        for name, pattern, needs in _gated()
        for text in texts
        if not may_match(text, *needs) and pattern.search(text)
    ]
    assert skipped_matches == []


def test_hand_written_gates_name_the_words_their_regex_needs() -> None:
    """Gates written out by hand (hot paths) stay in step with their regex: every word the
    regex needs contains one of the gate's words."""
    from graphbuild.extract.endpoints import scan as endpoint_scan
    from graphbuild.extract.endpoints import timeframes

    def implied(pattern: re.Pattern[str], gate: tuple[str, ...]) -> bool:
        needed = needed_words(pattern)
        return needed is not None and all(any(g in word for g in gate) for word in needed)

    assert implied(endpoint_scan._CORRELATION, endpoint_scan._CORRELATION_WORDS)
    assert implied(timeframes._MONTH_TYPOS, timeframes._TYPO_GATES[2][1][1])
    for pattern, (_, gate) in zip(
        timeframes._TYPOS, (forms[0] for forms in timeframes._TYPO_GATES)
    ):
        if needed_words(pattern) is not None:
            assert implied(pattern, gate), pattern.pattern
    hints = modality._ENGINEERED_HINTS
    for text in (
        "CAR-T",
        "TCR-T",
        "STAR-T",
        "chimeric antigen receptor",
        "T-cell receptor-engineered",
    ):
        if any(p.search(text) for p in (modality._CAR_NK, modality._CAR_T, modality._TCR_T)):
            assert any(hint in text for hint in hints), text
