"""Parameters into query text, safely: values never become query text as given.

Each value is first converted by its declared type into one RDF term (`params`), then written
in SPARQL syntax by pyoxigraph itself (a term's `str()` is its N-Triples form, every quote,
backslash and line break escaped), checked to read back as exactly that term, and joined into
the query as a VALUES block at the start of the WHERE group, and of each sub-select's WHERE
group that reads it. A value full of quotes and braces is still just a string. (pyoxigraph's
`substitutions` would avoid text altogether, but in 0.5 it only accepts variables of the SELECT
projection: "does not contains variable ?v in its SELECT projection". The stored queries use
their parameters in FILTERs and sub-queries.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

import pyoxigraph as ox

from graphbuild.sparql.catalog import QueryInfo, get_query
from graphbuild.sparql.errors import ParameterError
from graphbuild.sparql.terms import IRI_FORBIDDEN, Term
from graphbuild.sparql.tokenize import subselect_braces, where_brace


def sparql_term(term: Term) -> str:
    """One RDF term in SPARQL syntax: pyoxigraph's N-Triples form of it, which SPARQL reads as
    the same term. IRIs with any character that could end an IRIREF are refused."""
    if isinstance(term, ox.NamedNode):
        if IRI_FORBIDDEN.search(term.value):
            raise ParameterError(f"not a usable IRI: {term.value!r}")
        return str(term)
    if isinstance(term, ox.Literal):
        if IRI_FORBIDDEN.search(term.datatype.value):  # pragma: no cover - pyoxigraph checks
            raise ParameterError(f"not a usable datatype: {term.datatype.value!r}")
        return str(term)
    raise ParameterError(f"cannot bind a {type(term).__name__} as a parameter")


def bind_params(info: QueryInfo, params: Mapping[str, str] | None = None) -> dict[str, Term]:
    """The terms to bind: given values converted by their declared type, defaults filled in.
    Unknown names and missing required parameters are errors that list what the query takes."""
    given = dict(params or {})
    unknown = sorted(set(given) - {p.name for p in info.params})
    takes = "; ".join(str(p) for p in info.params) or "no parameters"
    if unknown:
        raise ParameterError(f"{info.name} has no parameter {', '.join(unknown)}; it takes {takes}")
    missing = [p for p in info.params if p.required and p.name not in given]
    if missing:
        raise ParameterError(
            f"{info.name} needs {', '.join(p.name for p in missing)}; it takes {takes}"
        )
    bound: dict[str, Term] = {}
    for p in info.params:
        value = given.get(p.name, p.default)
        if value is not None:
            bound[p.name] = p.to_term(str(value))
    return bound


def values_block(bindings: Mapping[str, Term]) -> str:
    """`VALUES (?a ?b) { (term term) }` for one row of bindings, and proof that it reads back
    as exactly those terms (an escaping mistake would fail here, not run as a query)."""
    names = list(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ParameterError(f"not a usable parameter name: {name!r}")
    variables = " ".join(f"?{n}" for n in names)
    terms = " ".join(sparql_term(bindings[n]) for n in names)
    block = f"VALUES ({variables}) {{ ({terms}) }}"
    (row,) = list(ox.Store().query(f"SELECT * WHERE {{ {block} }}"))
    if any(row[n] != bindings[n] for n in names):  # pragma: no cover - a bug in sparql_term
        raise ParameterError("a parameter value did not survive escaping")
    return block


@lru_cache(maxsize=256)
def _binding_points(text: str) -> tuple[int, tuple[tuple[int, frozenset[str]], ...]]:
    """Where a query's WHERE group and its sub-selects' groups open, and what each names:
    a function of the text alone, so a stored query is tokenized once per process, not on
    every call (the tokenizing was 0.4-1.0 ms of the 0.5-1.3 ms each call spent here)."""
    return where_brace(text), tuple(subselect_braces(text))


def bind_query(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with the bindings joined in at the start of its WHERE group, where every
    pattern and filter of that group sees them, and at the start of each sub-select's WHERE
    group that names a parameter (only those it names): a parameter reads as a constant
    wherever the query uses it, so a sub-select can start from it instead of reading the
    whole graph before the outer join narrows it down."""
    if not bindings:
        return text
    outer, subselects = _binding_points(text)
    inserts = [(outer + 1, dict(bindings))]
    for brace, names in subselects:
        named = {n: t for n, t in bindings.items() if n in names}
        if named:
            inserts.append((brace + 1, named))
    for at, block in sorted(inserts, key=lambda item: item[0], reverse=True):
        text = f"{text[:at]}\n  {values_block(block)}\n{text[at:]}"
    return text


def prepare(
    name: str | QueryInfo, params: Mapping[str, str] | None = None
) -> tuple[QueryInfo, str]:
    """The stored query and its text with the parameters bound, ready to run anywhere."""
    info = name if isinstance(name, QueryInfo) else get_query(name)
    return info, bind_query(info.text, bind_params(info, params))
