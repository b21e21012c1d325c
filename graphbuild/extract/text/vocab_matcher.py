"""One compiled alternation for a whole vocabulary, and the scan that reads a text with it.

Why one regex: Python's `re` reads a text once for all names, in C; a loop over names in
Python would read it hundreds of times. How the regex is laid out so that this stays fast
is `_compile`'s docstring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from graphbuild.extract.text.synonyms import _BEFORE, _SEP, _Alternative


@dataclass(frozen=True, slots=True)
class _Matcher:
    """One compiled alternation; group `g{n}_{m}` of a match names `keys[n]`, and
    `by_group[match.lastgroup]` is that key."""

    regex: re.Pattern[str]
    keys: tuple[str | None, ...]
    by_group: Mapping[str, str | None] = field(default_factory=dict)  # group name -> key

    @classmethod
    def build(cls, regex: re.Pattern[str], keys: tuple[str | None, ...]) -> _Matcher:
        by_group = {name: keys[int(name[1:].partition("_")[0])] for name in regex.groupindex}
        return cls(regex, keys, by_group)


# Branches are tried in order and fail on their first character, so the letters words most
# often start with (in this corpus) go first; further down, the commonest letters.
_FIRST_LETTERS = "taoipcsdbrmwfelnhg1uv20q534k6789yjzx"
_LETTERS = "eaiornstlcuhdpmgybfvkwzxjq0123456789"


def _branch_order(ch: str, depth: int) -> int:
    order = _FIRST_LETTERS if depth == 0 else _LETTERS
    index = order.find(ch)
    return index if index >= 0 else len(order)


def _char_class(ch: str) -> str:
    variants = dict.fromkeys((ch.lower(), ch.upper()))
    return (
        re.escape(ch) if len(variants) == 1 else "[" + "".join(re.escape(v) for v in variants) + "]"
    )


# --------------------------------------------------------------------------------------------
# Units: the steps of the tree. A name's literal head is walked one unit at a time; what
# follows the head is the name's own regex.
# --------------------------------------------------------------------------------------------

# ("r", c): a first letter (root); ("a", c): a letter of the name's head
# (both ASCII cases, as `_char_class`); ("u", c): a letter peeled off a case-insensitive
# pattern (every character `(?i:c)` matches); ("x", c): a letter peeled off a case-sensitive
# pattern; ("sep",): a run of name separators; ("sqsep",): an optional plural "s" and a run of
# separators.
_Unit = tuple[str, ...]

_SEP_TEXT = _SEP
_SQSEP_TEXT = "s?" + _SEP
# Characters other than a letter's two ASCII cases that `(?i:letter)` matches in a str pattern
# (`tests/test_extract_vocab_matcher.py` checks this table against `re` over all of Unicode).
_UNICODE_FOLDS = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}
_SEPARATOR = "\x00"  # stands for "any separator character" in a unit's first-character set
_QUANTIFIERS = frozenset("?*+{")


def _unit_regex(unit: _Unit) -> str:
    kind = unit[0]
    if kind == "a":
        return _char_class(unit[1])
    if kind == "u":
        return "[" + "".join(re.escape(ch) for ch in _fold_set(unit[1])) + "]"
    if kind == "x":
        return re.escape(unit[1])
    if kind == "sep":
        return _SEP_TEXT
    return "[" + "".join(_fold_set("s")) + "]?" + _SEP_TEXT  # sqsep


def _root_regex(ch: str) -> str:
    """A first letter in either case: a class, or two literals where the upper case is longer
    ("ß" / "SS")."""
    if len(ch.upper()) == 1:
        return _char_class(ch)
    return f"(?:{re.escape(ch)}|{re.escape(ch.upper())})"


def _chain_regex(units: list[_Unit]) -> str:
    """Units in sequence, the letters that fold like `(?i:...)` does merged into one
    case-insensitive literal run."""
    out: list[str] = []
    run = ""
    for unit in units:
        if unit[0] == "u" or (
            unit[0] == "a" and unit[1].isascii() and unit[1] not in _UNICODE_FOLDS
        ):
            run += re.escape(unit[1])
            continue
        if run:
            out.append(f"(?i:{run})")
            run = ""
        out.append(_unit_regex(unit))
    if run:
        out.append(f"(?i:{run})")
    return "".join(out)


def _fold_set(ch: str) -> str:
    return "".join(dict.fromkeys(ch.lower() + ch.upper() + _UNICODE_FOLDS.get(ch.lower(), "")))


@lru_cache(maxsize=None)
def _first_chars(unit: _Unit) -> frozenset[str]:
    """What the first character of a text must be for `unit` to match it."""
    kind = unit[0]
    if kind == "r":
        return frozenset(unit[1].lower() + unit[1].upper()[0])
    if kind == "a":
        return frozenset(unit[1].lower() + unit[1].upper())
    if kind == "u":
        return frozenset(_fold_set(unit[1]))
    if kind == "x":
        return frozenset(unit[1])
    if kind == "sep":
        return frozenset(_SEPARATOR)
    return frozenset(_fold_set("s") + _SEPARATOR)


def _peelable(text: str, i: int) -> bool:
    """Is text[i] a plain ASCII letter or digit of a regex, not quantified?"""
    return (
        i < len(text)
        and text[i].isascii()
        and text[i].isalnum()
        and (i + 1 == len(text) or text[i + 1] not in _QUANTIFIERS)
    )


def _top_level(body: str) -> bool:
    """Does `body` read as one sequence: no `|` outside groups, no group closing early?"""
    depth, i = 0, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 1
            if i < len(body) and body[i] == "^":
                i += 1
            if i < len(body) and body[i] == "]":
                i += 1
            while i < len(body) and body[i] != "]":
                i += 2 if body[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
        elif ch == "|" and depth == 0:
            return False
        i += 1
    return depth == 0


def _peel(pattern: str, fold: bool) -> tuple[tuple[_Unit, ...], str]:
    """The literal letters (and separators between words) at the start of an alternative's
    pattern as units, and the pattern that is left. Only what the tree can walk exactly is
    peeled: letters not followed by a quantifier, and a separator run (with an optional plural
    "s" before it) only when a letter follows it, so that the shared greedy run never has to
    give characters back."""
    if fold:
        if not (pattern.startswith("(?i:") and pattern.endswith(")")):
            return (), pattern
        body = pattern[4:-1]
    else:
        body = pattern
    if not _top_level(body):
        return (), pattern
    units: list[_Unit] = []
    i = 0
    while True:
        if fold and body.startswith(_SEP_TEXT, i) and _peelable(body, i + len(_SEP_TEXT)):
            units.append(("sep",))
            i += len(_SEP_TEXT)
        elif fold and body.startswith(_SQSEP_TEXT, i) and _peelable(body, i + len(_SQSEP_TEXT)):
            units.append(("sqsep",))
            i += len(_SQSEP_TEXT)
        elif _peelable(body, i):
            units.append(("u", body[i].lower()) if fold else ("x", body[i]))
            i += 1
        else:
            break
    rest = body[i:]
    return tuple(units), (f"(?i:{rest})" if fold and rest else rest)


# --------------------------------------------------------------------------------------------
# The tree
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Entry:
    """An alternative placed in the tree: its group number `n`, its `rank` (the order in which
    alternatives that can match at one position must be tried), the units of its head, the
    lookbehind that checks an abbreviation's exact spelling, and the rest of its pattern."""

    n: int
    rank: int
    units: tuple[_Unit, ...]
    check: str
    pattern: str


def _ranks(ordered: list[_Alternative]) -> list[int]:
    """The order of trial the names must keep: names without a literal head first, then, along
    a path of first letters (up to three), the names of the longer head first, each head's
    names heaviest (longest) first. The longest-match rule rests on this order; deeper trees
    may only reorder names that can never match at the same position."""
    root: dict = {}
    for n, alternative in enumerate(ordered):
        node = root
        for ch in alternative.head.lower()[:3]:
            node = node.setdefault(ch, {})
        node.setdefault("", []).append(n)
    ranks = [0] * len(ordered)
    counter = iter(range(len(ordered)))
    for n in root.get("", []):
        ranks[n] = next(counter)

    def walk(node: dict, depth: int) -> None:
        for ch in sorted((c for c in node if c), key=lambda c: _branch_order(c, depth)):
            walk(node[ch], depth + 1)
        if depth:
            for n in node.get("", []):
                ranks[n] = next(counter)

    walk(root, 0)
    return ranks


def _entries(ordered: list[_Alternative]) -> list[_Entry]:
    ranks = _ranks(ordered)
    entries = []
    for n, alternative in enumerate(ordered):
        head = alternative.head
        units: list[_Unit] = [
            ("r", ch.lower()) if d == 0 else ("a", ch.lower()) for d, ch in enumerate(head)
        ]
        peeled, rest = (
            _peel(alternative.pattern, alternative.fold) if head else ((), alternative.pattern)
        )
        units += peeled
        check = ""
        if head and not alternative.fold:
            check = f"(?<={re.escape(head + ''.join(u[1] for u in peeled))})"
        entries.append(_Entry(n, ranks[n], tuple(units), check, rest))
    entries.sort(key=lambda e: e.rank)
    return entries


def _blocks(entries: list[_Entry], depth: int) -> list[_Entry | tuple[_Unit, list[_Entry]]]:
    """The branches at one node of the tree, in an order that keeps the rank order of every
    two names that can match at the same position: names ending here are leaves (they can
    match wherever the others can); names going on join an earlier branch on the same unit
    only if no branch in between could match the same character."""
    blocks: list[_Entry | tuple[_Unit, list[_Entry]]] = []
    for entry in entries:
        if len(entry.units) == depth:
            blocks.append(entry)
            continue
        unit = entry.units[depth]
        chars = _first_chars(unit)
        target = None
        for block in reversed(blocks):
            if isinstance(block, _Entry):
                break
            if block[0] == unit:
                target = block
                break
            if chars & _first_chars(block[0]):
                break
        if target is not None:
            target[1].append(entry)
        else:
            blocks.append((unit, [entry]))
    return _sort_runs(blocks, depth)


def _sort_runs(blocks: list, depth: int) -> list:
    """Within a run of branches that no two can match the same character, the commonest
    letters go first (the engine tries branches in order)."""
    out: list = []
    run: list = []

    def flush() -> None:
        units = [b[0] for b in run]
        disjoint = all(
            not (_first_chars(a) & _first_chars(b))
            for i, a in enumerate(units)
            for b in units[i + 1 :]
        )
        out.extend(sorted(run, key=lambda b: _order_key(b[0], depth)) if disjoint else run)
        run.clear()

    for block in blocks:
        if isinstance(block, _Entry):
            flush()
            out.append(block)
        else:
            run.append(block)
    flush()
    return out


def _order_key(unit: _Unit, depth: int) -> int:
    return _branch_order(unit[1].lower(), depth) if len(unit) > 1 else len(_LETTERS)


def _group(branches: list[str]) -> str:
    """Branches as one item of a sequence: a lone branch bare, else in a non-capturing group
    (fewer groups: faster compilation)."""
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _compile(alternatives: Iterable[_Alternative]) -> _Matcher:
    """One regex for a whole vocabulary, fast enough for thousands of records a second.

    Python's `re` tries the branches of an alternation one by one, but skips at once a branch
    that starts with a character (class) the text does not have. So names sit in a tree keyed
    by their letters (`[cC](?:[oO](?:[mM](?:[pP](?:[lL]...))|...)`), and the separators and
    plural "s" between their words, as far as their patterns are plain literals: at a word
    of the text only the names spelled like it are attempted, each position costing a few
    character tests instead of hundreds of attempts. Abbreviations share the case-folded tree
    and check their exact spelling with a lookbehind (`(?<=CRS)`). The longest-match rule
    rests on the order of trial (`_ranks`), which the tree keeps for every two names that can
    match at the same position (`_blocks`)."""
    ordered = sorted(alternatives, key=lambda a: -a.weight)
    keys = tuple(a.key for a in ordered)
    names = iter(range(1 << 30))

    def leaf(entry: _Entry) -> str:
        return f"{entry.check}(?P<g{entry.n}_{next(names)}>{entry.pattern})"

    def emit(blocks: list, depth: int) -> list[str]:
        branches = []
        for block in blocks:
            if isinstance(block, _Entry):
                branches.append(leaf(block))
                continue
            # a branch tests its first unit with a character class (the engine skips a branch
            # whose first class fails without entering it); the units of a chain that follows
            # (nodes with one way on) are plain case-insensitive literals, cheaper to compile
            unit, below = block
            chain: list[_Unit] = []
            inner = _blocks(below, depth + 1)
            while len(inner) == 1 and not isinstance(inner[0], _Entry):
                chain.append(inner[0][0])
                inner = _blocks(inner[0][1], depth + 1 + len(chain))
            branches.append(
                _unit_regex(unit)
                + _chain_regex(chain)
                + _group(emit(inner, depth + 1 + len(chain)))
            )
        return branches

    branches: list[str] = []
    for block in _blocks(_entries(ordered), 0):
        if isinstance(block, _Entry):
            branches.append(leaf(block))  # no literal head
        else:
            branches.append(_root_regex(block[0][1]) + _group(emit(_blocks(block[1], 1), 1)))
    return _Matcher.build(re.compile(_BEFORE + "(?:" + "|".join(branches) + ")"), keys)
