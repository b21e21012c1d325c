"""What may run: a read-only endpoint that fetches from no other host.

The query is *parsed* (rdflib's SPARQL 1.1 grammar) before any worker sees it, and the verdict
comes from the parse tree, never from the text: a `SERVICE` clause anywhere in the tree (in
any sub-query, OPTIONAL, UNION, MINUS or FILTER EXISTS) is refused, and so is anything the
parser cannot read as one SPARQL query, since Oxigraph might read it otherwise (`SERVICEs:x`
is Oxigraph's `SERVICE s:x` but no SPARQL 1.1 query). Updates are refused as read-only.

The same parse tells which query form it is and whether the query names its own dataset
(`FROM` / `FROM NAMED`), which decides how the store is asked (`jobs`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from graphbuild.endpoint.errors import Refused

_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
# rdflib's parser (pyparsing) is not thread-safe: two parses at once fail at random with
# errors such as "Param.postParse2() missing 1 required positional argument". One at a time.
_PARSER_LOCK = threading.Lock()
SERVICE_REFUSED = "SERVICE (federated query) is refused: this endpoint queries no other host"


@dataclass(frozen=True, slots=True)
class CheckedQuery:
    """A query the endpoint may run: its form, and whether it names its own dataset."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    has_dataset: bool  # FROM or FROM NAMED in the query text


def _nodes(tree: Any) -> Iterator[CompValue]:
    """Every grammar node of a parse tree, depth first (iteratively: no recursion limit)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, (ParseResults, list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def _refuse_update(text: str) -> None:
    """403 when `text` is a SPARQL Update (so the client hears 'read-only', not 'syntax')."""
    try:
        update = parseUpdate(text)
    except Exception:  # noqa: BLE001 - not an update either; the caller says why not a query
        return
    operations = [node.name for node in update.request if isinstance(node, CompValue)]
    if "Load" in operations:
        raise Refused(403, "LOAD is refused: this endpoint is read-only and fetches nothing")
    raise Refused(403, "this endpoint is read-only: SPARQL Update is refused")


def check_query(text: str) -> CheckedQuery:
    """The query's form and dataset if this endpoint may run it; otherwise `Refused`:
    403 for an update or LOAD, 400 for SERVICE and for anything that does not parse.
    Verdicts on accepted queries are remembered (stored queries come back often)."""
    with _PARSER_LOCK:
        return _check(text)


@lru_cache(maxsize=1024)
def _check(text: str) -> CheckedQuery:
    try:
        prologue, query = parseQuery(text)
    except ParseException as exc:
        _refuse_update(text)
        raise Refused(
            400,
            "SPARQL syntax error (the endpoint reads every query with a SPARQL 1.1 parser "
            f"before it runs, and runs only what it can read): {exc}",
        ) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain errors for bad prefixes etc.
        raise Refused(400, f"SPARQL syntax error: {type(exc).__name__}: {exc}") from None
    form = _FORMS.get(getattr(query, "name", ""))
    if form is None:  # pragma: no cover - parseQuery only yields the four forms
        raise Refused(400, "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    if any(node.name == "ServiceGraphPattern" for node in _nodes([prologue, query])):
        raise Refused(400, SERVICE_REFUSED)
    # CompValue.get answers a missing key with its name, so ask the dict itself
    return CheckedQuery(form=form, has_dataset=bool(dict.get(query, "datasetClause")))
