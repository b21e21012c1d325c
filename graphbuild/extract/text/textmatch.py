"""Small text-matching helpers shared by the intervention and antigen extractors.

* `trie_regex` turns a lexicon's names into one regex whose alternatives share prefixes, so a
  few hundred names cost about as much as one: Python's `re` tries alternatives one by one,
  a trie lets it give up after the first character that no name continues with.
* `clause_before` / `negated_by_history` read the words just before a match, to tell the
  trial's own therapy ("CD19 CAR-T cells will be infused") from a line of history ("relapsed
  after CD19 CAR-T", "prior blinatumomab"), which must never become a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A "gap" marker inside a lexicon name: any of hyphen, space or nothing in the text
# (KTE-C19 / KTE C19 / KTEC19). Names are normalized to use it in place of "-" and " ".
GAP = "\x00"
_GAP_PATTERN = r"[-‐‑– ]?"


def _name_units(name: str) -> list[str]:
    """A name as regex units: escaped characters, with every hyphen/space run as one GAP."""
    units: list[str] = []
    for ch in name:
        if ch in "-‐‑– ":
            if units and units[-1] != GAP:
                units.append(GAP)
        else:
            units.append(ch)
    while units and units[-1] == GAP:
        units.pop()
    return units


def _trie_to_regex(node: dict[str, dict], case_insensitive: bool) -> str:
    """Regex for the trie below `node` (the key "" marks the end of a name)."""
    ends = "" in node
    branches: list[str] = []
    for unit in sorted(k for k in node if k):
        piece = _GAP_PATTERN if unit == GAP else re.escape(unit)
        rest = _trie_to_regex(node[unit], case_insensitive)
        branches.append(piece + rest)
    if not branches:
        return ""
    # Longest first is implicit: a branch that continues is tried before the empty end.
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends else body


def trie_regex(names: Iterable[str]) -> str:
    """One regex (no flags, no boundaries) matching any of `names`, longest match preferred;
    hyphens and spaces inside a name match a hyphen, a space or nothing."""
    root: dict[str, dict] = {}
    for name in names:
        units = _name_units(name)
        if not units:
            continue
        node = root
        for unit in units:
            node = node.setdefault(unit, {})
        node[""] = {}
    return _trie_to_regex(root, False) or r"(?!x)x"


_GAPS = re.compile(r"[-‐‑– ]+")


def name_key(name: str) -> str:
    """The lookup key of a matched name: lower case, hyphens and spaces dropped, so that the
    text's "KTE C19" finds the lexicon's "KTE-C19"."""
    return _GAPS.sub("", name).casefold()


# ---------------------------------------------------------------------------------------------
# History cues: words that put a mention in the patient's past, not in the trial's plan.
# ---------------------------------------------------------------------------------------------

# The clause a mention sits in starts after the last sentence or clause break.
_CLAUSE_BREAK = re.compile(r"[.;:!?。；：]\s|[;；。\n]|\s[-–]\s")
_HISTORY = re.compile(
    # a near cue: at most three words between it and the mention ("after infusion of" is the
    # trial's own therapy, not history)
    r"\b(?:after|following)\b(?![\s-]+(?:the\s+)?(?:infusion|administration|injection|dosing)\b)"
    r"(?:[\s-]+[\w/-]+){0,3}[\s-]*$|"
    # a far cue: anywhere in the last 40 characters of the clause
    r"\b(?:prior|previous(?:ly)?|failed|fail(?:ure|ing)|refractory\s+to|resistant\s+to|"
    r"exposed|exposure|received|recent(?:ly)?|pre-?treated|progress\w*\s+(?:on|after)|intoleran\w*|"
    r"history\s+of|ineligible\s+for|unsuitable\s+for|non-?responders?\s+to)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
_WINDOW = 70


def clause_before(text: str, start: int, window: int = _WINDOW) -> str:
    """The words of the same clause just before `start` (at most `window` characters)."""
    lo = max(0, start - window)
    head = text[lo:start]
    last = None
    for last in _CLAUSE_BREAK.finditer(head):
        pass
    return head[last.end() :] if last else head


def negated_by_history(text: str, start: int) -> bool:
    """Is the mention at `start` part of the patient's history ("after CD19 CAR-T",
    "prior blinatumomab", "failed anti-CD20 therapy")?"""
    return _HISTORY.search(clause_before(text, start)) is not None
