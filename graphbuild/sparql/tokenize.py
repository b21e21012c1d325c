"""A SPARQL tokenizer, approximate but exact about strings, IRIs and comments.

Binding parameters needs the brace that opens the WHERE group (`where_brace`) and the query
form, without mistaking a string literal or a comment for one; a regular expression over the
raw text could not do that safely. (The endpoint does not use it to decide what may run: its
guard, `graphbuild.endpoint.guard`, judges the parsed query.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from graphbuild.sparql.errors import QueryError

_TOKEN = (
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
              |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'
              |"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[A-Za-z0-9_\u00B7-\uFFFF.-]*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\u00B7-\uFFFF-]*)?:(?:[\w.:%\u00B7-\uFFFF-]|\\.)*)
  | (?P<word>[A-Za-z_\u00C0-\uFFFF][\w\u00B7-\uFFFF]*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[^\s])
    """
)


@cache
def _token_pattern() -> re.Pattern[str]:
    """Compiled on first use: its Unicode classes take ~30 ms to compile, which a query with
    no parameters to bind (most `graphbuild query` runs) need not pay at start."""
    return re.compile(_TOKEN, re.VERBOSE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # comment, string, iri, var, langtag, bnode, pname, word, number, punct
    text: str
    start: int


def tokenize_sparql(text: str) -> Iterator[Token]:
    """SPARQL tokens with their offsets, whitespace dropped. Approximate (no full grammar) but
    exact about what matters here: a keyword is never mistaken inside a string literal, an IRI,
    a prefixed name, a variable or a comment. Oxigraph does not decode `\\u` escapes outside
    strings, so a keyword cannot hide behind one."""
    position = 0
    token = _token_pattern().match
    while position < len(text):
        match = token(text, position)
        if match is None:  # pragma: no cover - the punct branch matches any non-space
            raise ValueError(f"cannot tokenize at offset {position}")
        kind = match.lastgroup or "punct"
        if kind != "ws":
            yield Token(kind, match.group(), position)
        position = match.end()


def keywords(text: str) -> list[str]:
    """The bare words of a query (keywords, function names), upper-cased, in order."""
    return [t.text.upper() for t in tokenize_sparql(text) if t.kind == "word"]


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword, or None."""
    for word in keywords(text):
        if word in QUERY_FORMS:
            return word
    return None


def where_brace(text: str) -> int:
    """Offset of the `{` that opens the query's outermost WHERE group."""
    depth = 0
    after_where = False
    form = None
    for token in tokenize_sparql(text):
        if token.kind == "word":
            word = token.text.upper()
            if form is None and word in QUERY_FORMS:
                form = word
            if depth == 0 and word == "WHERE":
                after_where = True
        elif token.kind == "punct" and token.text == "{":
            # A CONSTRUCT template comes before WHERE; every other first top-level brace opens
            # the WHERE group even when the WHERE keyword is left out.
            if depth == 0 and (after_where or form not in ("CONSTRUCT",)):
                return token.start
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
    raise QueryError("the query has no WHERE group to bind parameters in")


def subselect_braces(text: str) -> list[tuple[int, frozenset[str]]]:
    """The `{` that opens each sub-select's WHERE group, with the variables (names without
    `?`/`$`) that group's own patterns, filters and binds name: not the sub-select's
    projection or modifiers (GROUP BY, HAVING, ORDER BY), not the groups of the sub-selects
    nested in it, and not a variable the group assigns (`BIND(... AS ?x)`: bound before, the
    BIND would be an error).

    Why: a sub-select is evaluated on its own, before the outer bindings join it, so a
    parameter bound only at the outer level reaches it too late (the whole graph is read, then
    filtered). Binding also here lets a sub-select that names a parameter start from it."""
    found: list[tuple[int, set[str]]] = []
    assigned: dict[int, set[str]] = {}  # per sub-select group: the variables it BINDs
    # one entry per open brace: "wrapper" (the group a sub-select sits in: its projection and
    # modifiers), an index into `found` (a sub-select's WHERE group) or None (any other group)
    stack: list[str | int | None] = []
    owners: list[int] = []  # the sub-select WHERE groups we are inside, innermost last
    waiting = False  # a sub-select's SELECT was read; its WHERE group is the next brace
    outer_seen = False
    after_as = False
    for token in tokenize_sparql(text):
        follows_as, after_as = after_as, token.kind == "word" and token.text.upper() == "AS"
        if token.kind == "word" and token.text.upper() == "SELECT":
            if not stack and not outer_seen:
                outer_seen = True  # the query's own SELECT: its WHERE group is `where_brace`
            elif stack:
                stack[-1] = "wrapper"
                waiting = True
        elif token.kind == "punct" and token.text == "{":
            if waiting:
                waiting = False
                found.append((token.start, set()))
                stack.append(len(found) - 1)
                owners.append(len(found) - 1)
            else:
                stack.append(None)
        elif token.kind == "punct" and token.text == "}":
            if stack and isinstance(stack.pop(), int):
                owners.pop()
        elif token.kind == "var" and owners and stack and stack[-1] != "wrapper":
            owner = owners[-1]
            found[owner][1].add(token.text[1:])
            if follows_as:
                assigned.setdefault(owner, set()).add(token.text[1:])
    return [(at, frozenset(names - assigned.get(i, set()))) for i, (at, names) in enumerate(found)]
