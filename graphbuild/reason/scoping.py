"""A rule of the compiled form bound to a few nodes, written so Oxigraph starts from them.

`scoped_sparql` puts a VALUES block with the nodes first in the rule's body: over the whole
graph that alone is exact. It is not fast: Oxigraph's optimizer does not push the block into
the branches of a UNION (each branch of the antigen shortcuts scanned every link of the graph:
3.8 s for one trial at 100,000 trials, 122 s for a trial with 56 nodes), and it starts a join
from the smallest VALUES block, which is the rule's own (`?v a ?t . VALUES ?t { 4 classes }`)
as soon as a trial has more nodes than that block has rows (3.5 s for the cell-therapy class
rule on that trial). So the body is rewritten, each step exact (the same answers about the
nodes as the rule over the whole graph):

- Each top-level UNION branch gets the block too: every row of the enclosing group has the
  variable bound from the block first in it, so Join(V, A UNION B) = Join(V, A) UNION Join(V, B).
  A branch that binds the variable in a triple pattern of its own, with no OPTIONAL, MINUS or
  BIND beside it, gets it first in its own group and is treated like the body (its own
  branches, its own VALUES); any other branch is wrapped, `{ VALUES ... { branch } }`.
- A rule's own single-variable VALUES block of IRIs in such a group becomes
  `FILTER(?t IN (...))`: the variable is bound by a triple pattern of the same group, so
  joining with the block and filtering keep the same rows (IRIs: equal only when the same
  term), and the optimizer starts from the nodes' block instead.

A group with OPTIONAL, MINUS or BIND at its top level keeps its VALUES blocks and its branches
are only wrapped: there the order of evaluation can change an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["scoped_sparql"]

_HEAD_SUBJECT = re.compile(r"^\s*CONSTRUCT\s*\{\s*(\?\w+)\s")
_WHERE = re.compile(r"\bWHERE\s*\{")
_SUBSELECT = re.compile(r"\s*SELECT\b")
# what a brace or a variable inside a group can hide in: a string, an IRI, a comment
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*'
)
_WORD = re.compile(r"[?$]?[\w:.-]*\w|\S")
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_ORDER_SENSITIVE = frozenset({"OPTIONAL", "MINUS", "BIND"})


def scoped_sparql(sparql: str, nodes: Iterable[str]) -> str:
    """The rule with the subject of its head bound to `nodes`: it derives exactly the facts
    about those nodes that it derives over the whole graph (see the module's docstring)."""
    head = _HEAD_SUBJECT.match(sparql)
    where = _WHERE.search(sparql)
    if head is None or where is None:
        raise ValueError(
            "not a rule of the compiled form (CONSTRUCT { ?s ... } WHERE { ... }): "
            f"{sparql[:80]!r}"
        )
    if _SUBSELECT.match(sparql, where.end()):
        # the body is one sub-select grouped by the head's subject: bind it inside, so the
        # grouping sees only the bound nodes (same groups for them, and no scan of the rest)
        where = _WHERE.search(sparql, where.end())
        if where is None:
            raise ValueError(f"a sub-select rule without its own WHERE: {sparql[:80]!r}")
    variable = head.group(1)
    values = f"VALUES {variable} {{ {' '.join(f'<{n}>' for n in sorted(set(nodes)))} }}"
    rest = sparql[where.end() :]
    end = _scan(rest).end
    return f"{sparql[: where.end()]}\n{_bind(rest[:end], variable, values)}{rest[end:]}"


@dataclass
class _Group:
    """The top level of a group pattern's text: its nested groups (brace to brace), the
    words and variables outside them and outside parentheses, and where the group ends."""

    groups: list[tuple[int, int]]
    words: list[tuple[str, int, int]]  # (text, start, end), variables included
    end: int


def _scan(text: str) -> _Group:
    """`text`: what follows a group's opening brace."""
    groups: list[tuple[int, int]] = []
    words: list[tuple[str, int, int]] = []
    depth = parens = start = i = 0
    while i < len(text):
        char = text[i]
        if char in "\"'<#" and (skipped := _SKIP.match(text, i)) is not None:
            if depth == parens == 0 and char == "<":
                words.append((skipped.group(), i, skipped.end()))
            i = skipped.end()
            continue
        if char == "{":
            if depth == 0:
                start = i
            depth += 1
        elif char == "}":
            if depth == 0:
                return _Group(groups, words, i)  # the group's own closing brace
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
        elif depth == 0 and char in "()":
            parens += 1 if char == "(" else -1
        elif depth == parens == 0 and not char.isspace():
            word = _WORD.match(text, i)
            assert word is not None  # \S matches any non-space
            words.append((word.group(), i, word.end()))
            i = word.end()
            continue
        i += 1
    return _Group(groups, words, len(text))


def _bind(text: str, variable: str, values: str) -> str:
    """A group's text (inside its braces) whose rows all bind `variable` (or the body, where
    the VALUES block put first binds it) with `values` first, its UNION branches bound, and
    its own VALUES blocks made filters where that is exact."""
    top = _scan(text)
    free = not any(w.upper() in _ORDER_SENSITIVE for w, _, _ in top.words)
    edits: list[tuple[int, int, str]] = []
    for start, end in _union_branches(text, top):
        inner = text[start + 1 : end - 1]
        if free and _binds(inner, variable):
            edits.append((start, end, "{ " + _bind(inner, variable, values) + " }"))
        else:
            edits.append((start, end, "{ " + values + "\n  " + text[start:end] + " }"))
    if free:
        edits += _values_as_filters(text, top, variable)
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return f"{values}\n{text}"


def _union_branches(text: str, top: _Group) -> list[tuple[int, int]]:
    """The top-level groups that are branches of a UNION."""
    joined = [
        any(w.upper() == "UNION" and a_end <= s < b_start for w, s, _ in top.words)
        and all(not (a_end <= s < b_start) or w.upper() == "UNION" for w, s, _ in top.words)
        for (_, a_end), (b_start, _) in zip(top.groups, top.groups[1:])
    ]
    return [
        group
        for k, group in enumerate(top.groups)
        if (k > 0 and joined[k - 1]) or (k < len(joined) and joined[k])
    ]


def _values_clauses(top: _Group) -> list[tuple[str, int, int, tuple[int, int]]]:
    """(variable, where `VALUES` starts, where its variable starts, its data block) of each
    single-variable VALUES at the top level."""
    found = []
    for k, (word, start, _) in enumerate(top.words[:-1]):
        name, name_start, name_end = top.words[k + 1]
        if word.upper() != "VALUES" or not name.startswith(("?", "$")):
            continue
        block = next((g for g in top.groups if g[0] >= name_end), None)
        if block is not None:
            found.append((name[1:], start, name_start, block))
    return found


def _bound(top: _Group) -> set[str]:
    """The variables of the group's top-level triple patterns (a VALUES clause's own
    variable is not one: its block may hold UNDEF)."""
    headers = {name_start for _, _, name_start, _ in _values_clauses(top)}
    return {w[1:] for w, s, _ in top.words if w[0] in "?$" and s not in headers}


def _binds(text: str, variable: str) -> bool:
    """Whether every row of the group `text` binds `variable`: it is in a triple pattern at
    the group's top level, and nothing there (OPTIONAL, MINUS, BIND) can change an answer
    when the group is evaluated with the variable already bound."""
    top = _scan(text)
    if any(w.upper() in _ORDER_SENSITIVE for w, _, _ in top.words):
        return False
    return variable[1:] in _bound(top)


def _values_as_filters(text: str, top: _Group, variable: str) -> list[tuple[int, int, str]]:
    """Edits turning each of the group's own single-variable VALUES blocks of distinct IRIs
    whose variable a triple pattern of the group binds into a FILTER ... IN."""
    edits = []
    bound = _bound(top)
    for name, start, _, (block_start, block_end) in _values_clauses(top):
        if name == variable[1:] or name not in bound:
            continue
        terms = text[block_start + 1 : block_end - 1].split()
        if not terms or len(set(terms)) < len(terms) or not all(_IRI.fullmatch(t) for t in terms):
            continue
        edits.append((start, block_end, f"FILTER(?{name} IN ({', '.join(terms)}))"))
    return edits
