"""What may run: a read-only endpoint refuses updates, LOAD and SERVICE before any worker sees
the query. The query is read with the same tokenizer the stored-query binder uses
(`graphbuild.sparql.tokenize`), so a keyword is found wherever it stands and never inside a
string literal, an IRI, a prefixed name or a comment."""

from __future__ import annotations

import re

from graphbuild.endpoint.errors import Refused
from graphbuild.sparql.tokenize import keywords, query_form, tokenize_sparql

UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
_BARE_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)
_ABSOLUTE_IRI = re.compile(r"^<[A-Za-z][A-Za-z0-9+.-]*:")


def check_query(text: str) -> str:
    """The query's form (SELECT, ASK, CONSTRUCT, DESCRIBE) if this endpoint may run it;
    otherwise `Refused`. Keywords are read from tokens, so `"insert"` in a string literal or
    `ex:service` as a name is data, while the keyword itself is refused wherever it stands.
    A second, blunter look refuses SERVICE inside anything the tokenizer read as a relative
    IRI (`?a<?b)SERVICE<...`), in case Oxigraph reads those characters otherwise."""
    words = keywords(text)
    update = sorted(UPDATE_KEYWORDS.intersection(words))
    if "LOAD" in update:
        raise Refused(403, "LOAD is refused: this endpoint is read-only and fetches nothing")
    if update:
        raise Refused(
            403, f"this endpoint is read-only: SPARQL Update ({', '.join(update)}) is refused"
        )
    # `?a<?b)SERVICE<...` style text the tokenizer may take for a relative IRI
    odd_iris = [
        t.text for t in tokenize_sparql(text) if t.kind == "iri" and not _ABSOLUTE_IRI.match(t.text)
    ]
    if "SERVICE" in words or any(_BARE_SERVICE.search(iri) for iri in odd_iris):
        raise Refused(
            403, "SERVICE (federated query) is refused: this endpoint queries no other host"
        )
    form = query_form(text)
    if form is None:
        raise Refused(400, "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form
