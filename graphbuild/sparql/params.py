"""Declared parameters of a stored query: their types, and how a given text becomes one RDF term.

A header line `# param: NAME TYPE [= DEFAULT | (optional)] — meaning` declares a parameter
(`parse_param`). Its type decides the conversion: a value that does not fit is refused here,
with the parameter's name, rather than reaching the query as text. Joining the terms into the
query is `binding`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from graphbuild.sparql.errors import ParameterError, QueryFileError
from graphbuild.sparql.terms import IRI_FORBIDDEN, XSD, Term

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def _known_prefixes() -> dict[str, str]:
    """CURIE prefixes a parameter of type `curie` may use (the graph's own namespaces)."""
    return {
        "MESH": "http://id.nlm.nih.gov/mesh/",
        "HGNC": "https://identifiers.org/hgnc:",
        "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
        "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
        "GB": "https://w3id.org/graphbuild/vocab#",
        "GBR": "https://w3id.org/graphbuild/id/",
    }


def _as_string(value: str) -> ox.Literal:
    value = value.strip()
    if not value:
        raise ValueError("an empty value")
    return ox.Literal(value)


def _as_integer(value: str) -> ox.Literal:
    try:
        return ox.Literal(int(value.strip()))
    except ValueError:
        raise ValueError(f"{value!r} is not an integer") from None


def _as_decimal(value: str) -> ox.Literal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    # Oxigraph's canonical lexical form (2.50 -> 2.5, 1E+2 -> 100), so the term reads back equal
    lexical = (
        str(int(number))
        if number == number.to_integral_value()
        else format(number.normalize(), "f")
    )
    return ox.Literal(lexical, datatype=ox.NamedNode(XSD + "decimal"))


def _as_iri(value: str) -> ox.NamedNode:
    value = value.strip()
    if not _ABSOLUTE_IRI.match(value) or IRI_FORBIDDEN.search(value):
        raise ValueError(f"{value!r} is not an absolute IRI")
    return ox.NamedNode(value)


def _as_curie(value: str) -> ox.NamedNode:
    prefix, sep, local = value.strip().partition(":")
    namespaces = _known_prefixes()
    if not sep or prefix.upper() not in namespaces or not re.fullmatch(r"[A-Za-z0-9_.-]+", local):
        raise ValueError(
            f"{value!r} is not a CURIE with a known prefix ({', '.join(sorted(namespaces))})"
        )
    return ox.NamedNode(namespaces[prefix.upper()] + local)


def _as_mesh_id(value: str) -> ox.Literal:
    text = value.strip()
    for prefix in ("http://id.nlm.nih.gov/mesh/", "MESH:", "mesh:"):
        text = text.removeprefix(prefix)
    if not re.fullmatch(r"[CDcd]\d{6,9}", text):
        raise ValueError(f"{value!r} is not a MeSH descriptor id such as D009101")
    return ox.Literal(text.upper())


def _as_upper(value: str) -> ox.Literal:
    return _as_string(value.upper())


def _as_trial_id(value: str) -> ox.Literal:
    text = value.strip()
    if re.fullmatch(r"(?i)nct\d{8}", text):
        text = text.upper()
    return _as_string(text)


@dataclass(frozen=True, slots=True)
class ParamType:
    """How a parameter's text becomes an RDF term."""

    name: str
    meaning: str
    convert: Callable[[str], Term]


PARAM_TYPES: dict[str, ParamType] = {
    t.name: t
    for t in (
        ParamType("string", "text, bound as a plain literal", _as_string),
        ParamType("integer", "a whole number, bound as xsd:integer", _as_integer),
        ParamType("decimal", "a number, bound as xsd:decimal", _as_decimal),
        ParamType("iri", "an absolute IRI", _as_iri),
        ParamType("curie", "MESH:D009101, HGNC:1633, ... expanded to the graph's IRI", _as_curie),
        ParamType("mesh_id", "a MeSH id (D009101, MESH:D009101), bound as a literal", _as_mesh_id),
        ParamType("hgnc_symbol", "an HGNC symbol or synonym, bound as a literal", _as_string),
        ParamType("concept_key", "an endpoint concept key (CRS, DLT), upper-cased", _as_upper),
        ParamType("trial_id", "an NCT number or record id, bound as a literal", _as_trial_id),
    )
}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    description: str = ""
    default: str | None = None
    optional: bool = False

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def to_term(self, value: str) -> Term:
        try:
            return PARAM_TYPES[self.type].convert(value)
        except ValueError as exc:
            raise ParameterError(f"parameter {self.name} ({self.type}): {exc}") from None

    def __str__(self) -> str:
        extra = f" = {self.default}" if self.default is not None else ""
        extra += " (optional)" if self.optional else ""
        return f"{self.name} ({self.type}{extra})" + (
            f": {self.description}" if self.description else ""
        )


_PARAM_DECL = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)"
    r"(?:\s*=\s*(?P<default>\S+)|\s*(?P<optional>\(optional\)))?"
    r"\s*(?:(?:—|--|-|:)\s*(?P<description>.*))?$"
)


def parse_param(value: str, *, source: str = "<query>") -> Param:
    """The parameter a `# param:` header value declares; QueryFileError when it cannot be read
    or names a type that does not exist."""
    match = _PARAM_DECL.match(value)
    if not match:
        raise QueryFileError(
            f"{source}: cannot read '# param: {value}' (expected NAME TYPE — meaning)"
        )
    if match["type"] not in PARAM_TYPES:
        raise QueryFileError(
            f"{source}: param {match['name']} has unknown type {match['type']!r}; "
            f"known: {', '.join(PARAM_TYPES)}"
        )
    return Param(
        name=match["name"],
        type=match["type"],
        description=(match["description"] or "").strip(),
        default=match["default"],
        optional=bool(match["optional"]),
    )
