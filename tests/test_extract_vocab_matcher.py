"""The endpoint vocabulary's tree-shaped alternation (`graphbuild.extract.text.vocab_matcher`).

The tree walks the names' letters as far as their patterns are plain literals. It must match
exactly what a one-level tree (names grouped by their first three letters, longest first, the
layout the matcher had before) matches: same span, same key, at every position of every text.
That layout is rebuilt here, in a few lines, as the reference."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from graphbuild.extract.endpoints import patterns as concept_patterns
from graphbuild.extract.text import vocab_matcher
from graphbuild.extract.text.synonyms import _BEFORE, _Alternative
from graphbuild.extract.text.vocab_matcher import _UNICODE_FOLDS, _fold_set, _peel, _top_level
from graphbuild.model import Record
from graphbuild.readers.inputs import read_inputs

_TRICKY = [
    "Complete Remission with incomplete hematologic recovery (CRi)",
    "COMPLETE RESPONSE and Overall-Survival",
    "\u017ftable di\u017fea\u017fe",  # long s: (?i:s) matches it, [sS] does not
    "\u212aINETICS of CAR-T cells",  # Kelvin sign
    "\u0130nfection and s\u0131de effects",  # dotted / dotless i
    "adverse  -  events related to drug",
    "time to neutrophil   recovery",
    "CRs and CRis, VGPRs, sCR, pCR, CR1",
    "graft-vs.-host disease; graft versus host",
    "standard deviation (SD), mean \u00b1 SD",
    "Cmax, AUC0-inf, AUClast, Tmax of IL-6",
    "duration of response (DOR) after CR or PR",
    "percentage of participants who proceed to allogeneic HSCT",
]


def _one_level(alternatives: list[_Alternative]) -> re.Pattern[str]:
    """The reference layout: a tree of first letters (up to the three of a name's head), each
    head's names longest first, names with a longer head before those with a shorter one."""
    ordered = sorted(alternatives, key=lambda a: -a.weight)
    root: dict = {}
    for n, alternative in enumerate(ordered):
        node = root
        for ch in alternative.head.lower():
            node = node.setdefault(ch, {})
        check = (
            ""
            if alternative.fold or not alternative.head
            else f"(?<={re.escape(alternative.head)})"
        )
        node.setdefault("", []).append((n, check, alternative.pattern))
    names = iter(range(1 << 30))

    def emit(node: dict) -> str:
        branches = [
            vocab_matcher._char_class(ch) + "(?:" + emit(node[ch]) + ")" for ch in node if ch
        ]
        branches += [
            f"{check}(?P<g{n}_{next(names)}>{pattern})" for n, check, pattern in node.get("", [])
        ]
        return "|".join(branches)

    branches = [f"(?P<g{n}_{next(names)}>{pattern})" for n, _, pattern in root.get("", [])]
    branches += [re.escape(c) + "(?:" + emit(root[c]) + ")" for c in root if c]
    branches += [
        re.escape(c.upper()) + "(?:" + emit(root[c]) + ")" for c in root if c and c.upper() != c
    ]
    return re.compile(_BEFORE + "(?:" + "|".join(branches) + ")")


def _key(keys: tuple, match: re.Match[str] | None) -> tuple | None:
    if match is None:
        return None
    return match.span(), keys[int(match.lastgroup[1:].partition("_")[0])]  # type: ignore[index]


def _texts(examples_dir: Path, limit: int = 400) -> list[str]:
    texts = list(_TRICKY)
    shared = Path(os.environ.get("GRAPHBUILD_SHARED", examples_dir.parents[1] / "shared"))
    xml = shared / "corpus" / "ctgov_xml_2018"
    sources = [examples_dir] + ([xml] if xml.is_dir() else [])
    for record in read_inputs(sources):
        if isinstance(record, Record):
            texts += [t for o in record.outcomes for t in (o.measure, o.description) if t]
    return texts[:limit]


def test_tree_matches_what_the_one_level_tree_matches(examples_dir: Path) -> None:
    alternatives = concept_patterns._alternatives()
    reference = _one_level(alternatives)
    tree = vocab_matcher._compile(alternatives)
    keys = tuple(a.key for a in sorted(alternatives, key=lambda a: -a.weight))
    assert tree.keys == keys
    alnum = re.compile(r"[A-Za-z0-9]")
    differences = []
    for text in _texts(examples_dir):
        for pos in range(len(text)):
            if pos and alnum.match(text, pos - 1):
                continue  # the look-behind fails for both
            expected = _key(keys, reference.match(text, pos))
            found = _key(keys, tree.regex.match(text, pos))
            if found != expected:
                differences.append((text[pos : pos + 40], expected, found))
    assert differences == []


def test_unicode_fold_table_is_what_re_folds() -> None:
    """`(?i:c)` in a str pattern matches exactly `_fold_set(c)` (the tree writes it as a class)."""
    candidates = re.compile(r"(?i)[a-z0-9]")
    matched: dict[str, set[str]] = {}
    for code in range(0x110000):
        ch = chr(code)
        if candidates.fullmatch(ch):
            for c in "abcdefghijklmnopqrstuvwxyz0123456789":
                if re.fullmatch(f"(?i:{c})", ch):
                    matched.setdefault(c, set()).add(ch)
    assert {c: "".join(sorted(s)) for c, s in matched.items()} == {
        c: "".join(sorted(_fold_set(c))) for c in matched
    }
    assert set(_UNICODE_FOLDS) == {c for c, s in matched.items() if len(s) > len({c, c.upper()})}


def test_peel_takes_plain_letters_and_separators_only() -> None:
    sep = r"[\s\-\u2010\u2011\u2013]+"
    units, rest = _peel(f"(?i:plete{sep}responses?(?![A-Za-z0-9]))", True)
    assert "".join(u[1] if len(u) > 1 else "_" for u in units) == "plete_response"
    assert rest == "(?i:s?(?![A-Za-z0-9]))"
    units, rest = _peel(f"(?i:verse{sep}events?{sep}related)", True)
    assert [u for u in units if len(u) == 1] == [("sep",), ("sqsep",)]
    assert _peel("(?i:a|b)", True) == ((), "(?i:a|b)")  # an alternation is not a sequence
    assert _peel("Rs?(?![A-Za-z0-9])", False) == ((("x", "R"),), "s?(?![A-Za-z0-9])")
    assert _peel(r"\s+with", False) == ((), r"\s+with")


@pytest.mark.parametrize(
    ("body", "single"),
    [
        ("abc", True),
        ("a|b", False),
        ("(?:a|b)c", True),
        ("[|]x", True),
        (r"\|x", True),
        ("a)|(b", False),
    ],
)
def test_top_level(body: str, single: bool) -> None:
    assert _top_level(body) is single


def test_warm_up_compiles_what_records_need() -> None:
    from graphbuild.extract.diseases import matcher as disease_matcher
    from graphbuild.extract.trial import warm_up

    warm_up()
    assert concept_patterns._matcher.cache_info().currsize == 1
    assert disease_matcher.matcher.cache_info().currsize == 1
