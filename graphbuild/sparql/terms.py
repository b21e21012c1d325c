"""RDF terms as the rest of the package sees them: the `Term` type, and the plain Python value
or cell text a term reads as (what `run_query` returns and what tables and CSV show)."""

from __future__ import annotations

import re

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# Characters that could end an IRIREF: an IRI holding any of them is refused, never escaped.
IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')

_INTEGER_TYPES = {
    XSD + t
    for t in [
        "integer",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}
_FLOAT_TYPES = {XSD + "decimal", XSD + "double", XSD + "float"}


def term_to_python(term: Term | None) -> object:
    """A plain value: IRIs and strings as str, numbers as int/float, booleans as bool,
    blank nodes as `_:id`, anything else by its lexical form."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(term.value)
            if datatype in _FLOAT_TYPES:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)


def term_text(term: Term | None) -> str:
    """How a term reads in a table or CSV cell: lexical form, whole floats without `.0`."""
    value = term_to_python(term)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
