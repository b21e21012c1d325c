"""Stored SPARQL queries: find them, read their headers, bind parameters, run, format.

A stored query is one `.rq` file in `queries/` (see `resources.queries_dir()`), a plain SPARQL
query that runs unchanged in any SPARQL tool. Its header says what it is for and what it takes:

    # title: Trials that target an antigen
    # description: Every trial directed at the antigen, with the basis of the link.
    #   (an indented comment line continues the field above it)
    # param: antigen hgnc_symbol — HGNC symbol (CD19) or a synonym (BCMA)
    # param: months integer = 12 — a parameter with a default is optional
    # param: concept concept_key (optional) — an optional parameter without a default

A parameter `name` binds the SPARQL variable `?name`. Values never become query text as given:
each is converted by its declared type into one RDF term (a literal or a checked IRI), written
in SPARQL syntax with every quote and backslash escaped, checked to read back as exactly that
term, and joined into the query as a VALUES block at the start of the WHERE group. A value full
of quotes and braces is still just a string. (pyoxigraph's `substitutions` would avoid text
altogether but only accepts projected variables, which rules out filters and aggregates.)

Rows come back as plain Python values (`run_query`) or as RDF terms with their columns
(`execute_query`), and format as an aligned text table, CSV, or the SPARQL 1.1 Query Results
JSON / XML / CSV / TSV formats (the latter shared with the HTTP endpoint in `serve.py`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from graphbuild.resources import queries_dir

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class QueryError(Exception):
    """Anything wrong with finding, binding or running a stored query."""


class UnknownQueryError(QueryError, LookupError):
    """The name is not a stored query. The message lists the ones that exist."""


class ParameterError(QueryError, ValueError):
    """A parameter is missing, unknown or has a value its type does not accept. The message
    says which parameters the query takes."""


class QueryFileError(QueryError):
    """A `.rq` file whose header is malformed (no title, a param of unknown type, ...)."""


# --------------------------------------------------------------------------------------------
# Tokens outside strings, IRIs and comments (shared with serve.py)
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
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
    """,
    re.VERBOSE | re.DOTALL,
)


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
    while position < len(text):
        match = _TOKEN.match(text, position)
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


def _where_brace(text: str) -> int:
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


# --------------------------------------------------------------------------------------------
# Terms in SPARQL syntax, and parameter types
# --------------------------------------------------------------------------------------------

_IRI_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def sparql_term(term: Term) -> str:
    """One RDF term in SPARQL syntax. Literals escape backslash and quote (and line breaks), so
    the text between the quotes can only ever be read as data; IRIs with any character that
    could end an IRIREF are refused rather than escaped."""
    if isinstance(term, ox.NamedNode):
        if _IRI_FORBIDDEN.search(term.value):
            raise ParameterError(f"not a usable IRI: {term.value!r}")
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        body = "".join(_STRING_ESCAPES.get(ch, ch) for ch in term.value)
        if term.language:
            return f'"{body}"@{term.language}'
        if term.datatype.value == XSD + "string":
            return f'"{body}"'
        return f'"{body}"^^{sparql_term(term.datatype)}'
    raise ParameterError(f"cannot bind a {type(term).__name__} as a parameter")


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
    if not _ABSOLUTE_IRI.match(value) or _IRI_FORBIDDEN.search(value):
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


# --------------------------------------------------------------------------------------------
# Stored queries and their headers
# --------------------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class QueryInfo:
    """A stored query: its name (file stem), header and text."""

    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...] = ()
    text: str = field(default="", repr=False)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


_HEADER_FIELD = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$")
_PARAM_DECL = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<type>\w+)"
    r"(?:\s*=\s*(?P<default>\S+)|\s*(?P<optional>\(optional\)))?"
    r"\s*(?:(?:—|--|-|:)\s*(?P<description>.*))?$"
)


def parse_header(text: str, *, source: str = "<query>") -> tuple[str, str, tuple[Param, ...]]:
    """Title, description and parameters from the leading comment lines of a query."""
    fields: list[list[str]] = []  # [key, value] in order
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_FIELD.match(stripped)
        if match:
            fields.append([match.group(1), match.group(2).strip()])
        elif fields and re.match(r"^#\s{2,}\S", stripped):  # an indented continuation
            fields[-1][1] = f"{fields[-1][1]} {stripped[1:].strip()}".strip()
    title = next((v for k, v in fields if k == "title"), "")
    description = next((v for k, v in fields if k == "description"), "")
    if not title or not description:
        raise QueryFileError(f"{source}: the header needs '# title:' and '# description:' lines")
    params = []
    for key, value in fields:
        if key != "param":
            continue
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
        params.append(
            Param(
                name=match["name"],
                type=match["type"],
                description=(match["description"] or "").strip(),
                default=match["default"],
                optional=bool(match["optional"]),
            )
        )
    return title, description, tuple(params)


def load_query(path: Path) -> QueryInfo:
    text = path.read_text(encoding="utf-8")
    title, description, params = parse_header(text, source=str(path))
    return QueryInfo(path.stem, path, title, description, params, text)


def list_queries(directory: Path | None = None) -> list[QueryInfo]:
    """Every stored query, sorted by name. `*-violation.rq` files (validation checks that must
    return no rows, owned by validate) are left out: they are not questions to ask."""
    folder = Path(directory) if directory is not None else queries_dir()
    return [
        load_query(path)
        for path in sorted(folder.glob("*.rq"))
        if not path.stem.endswith("-violation")
    ]


def get_query(name: str, directory: Path | None = None) -> QueryInfo:
    """The stored query called `name` (with or without `.rq`)."""
    stem = name.removesuffix(".rq")
    folder = Path(directory) if directory is not None else queries_dir()
    path = folder / f"{stem}.rq"
    if "/" in stem or "\\" in stem or not path.is_file() or stem.endswith("-violation"):
        names = ", ".join(q.name for q in list_queries(folder))
        raise UnknownQueryError(f"no stored query {name!r}; the stored queries are: {names}")
    return load_query(path)


# --------------------------------------------------------------------------------------------
# Binding
# --------------------------------------------------------------------------------------------


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


def bind_query(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with the bindings joined in at the start of its WHERE group, where every
    pattern and filter of that group sees them."""
    if not bindings:
        return text
    at = _where_brace(text) + 1
    return f"{text[:at]}\n  {values_block(bindings)}\n{text[at:]}"


def prepare(
    name: str | QueryInfo, params: Mapping[str, str] | None = None
) -> tuple[QueryInfo, str]:
    """The stored query and its text with the parameters bound, ready to run anywhere."""
    info = name if isinstance(name, QueryInfo) else get_query(name)
    return info, bind_query(info.text, bind_params(info, params))


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


def oxigraph_store(store: Any) -> ox.Store:
    """The pyoxigraph Store behind `store`: a pyoxigraph.Store itself, or anything that keeps
    one as `.ox` (graphbuild's GraphStore)."""
    if isinstance(store, ox.Store):
        return store
    inner = getattr(store, "ox", None)
    if isinstance(inner, ox.Store):
        return inner
    raise TypeError(f"expected a pyoxigraph.Store or a GraphStore, not {type(store).__name__}")


@dataclass(frozen=True, slots=True)
class QueryResult:
    """SELECT results as RDF terms (None where a variable is unbound), with their columns."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]

    def records(self) -> list[dict[str, object]]:
        return [{c: term_to_python(t) for c, t in zip(self.columns, row)} for row in self.rows]


def execute_sparql(store: Any, text: str) -> QueryResult:
    """Run a SELECT over the union of all graphs (the layout of docs/graph-model.md)."""
    results = oxigraph_store(store).query(text, use_default_graph_as_union=True)
    if not isinstance(results, ox.QuerySolutions):
        raise QueryError("stored queries must be SELECT queries")
    columns = tuple(v.value for v in results.variables)
    rows = tuple(tuple(solution[c] for c in columns) for solution in results)
    return QueryResult(columns, rows)


def execute_query(
    store: Any, name: str | QueryInfo, params: Mapping[str, str] | None = None
) -> QueryResult:
    """Run a stored query with its parameters; results as terms with their columns."""
    _info, text = prepare(name, params)
    return execute_sparql(store, text)


def run_query(
    store: Any, name: str, params: Mapping[str, str] | None = None
) -> list[dict[str, object]]:
    """Run the stored query `name` on `store` (a GraphStore or a pyoxigraph.Store) and return
    its rows as dicts of plain Python values (str, int, float, bool; None when unbound)."""
    return execute_query(store, name, params).records()


# --------------------------------------------------------------------------------------------
# Terms as Python values
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Formats: text table and CSV (people, spreadsheets), SPARQL results JSON / XML / CSV / TSV
# --------------------------------------------------------------------------------------------


def format_table(result: QueryResult, *, max_width: int = 60) -> str:
    """An aligned text table; cells longer than `max_width` are cut with an ellipsis."""

    def cell(term: Term | None) -> str:
        text = " ".join(term_text(term).split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    body = [[cell(t) for t in row] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(result.columns)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(result.columns, widths)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines) + "\n"


def format_csv(result: QueryResult) -> str:
    """CSV with a header row and plain values (what spreadsheets and pandas expect)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([term_text(t) for t in row])
    return out.getvalue()


def term_json(term: Term) -> dict[str, object]:
    """One RDF term as SPARQL 1.1 Query Results JSON."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def results_json(columns: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    bindings = [{c: term_json(t) for c, t in zip(columns, row) if t is not None} for row in rows]
    return json.dumps(
        {"head": {"vars": list(columns)}, "results": {"bindings": bindings}}, ensure_ascii=False
    )


def boolean_json(value: bool) -> str:
    return json.dumps({"head": {}, "boolean": bool(value)})


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    return results_json(result.columns, result.rows) + "\n"


_XML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
)


def _term_xml(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attr = f" xml:lang={quoteattr(term.language)}"
        elif term.datatype.value != XSD + "string":
            attr = f" datatype={quoteattr(term.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{xml_escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_term_xml(term.subject)}</subject>"
            f"<predicate>{_term_xml(term.predicate)}</predicate>"
            f"<object>{_term_xml(term.object)}</object></triple>"
        )
    raise TypeError(f"not an RDF term: {term!r}")


def results_xml(columns: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """SPARQL Query Results XML Format."""
    parts = [_XML_HEAD, "<head>"]
    parts += [f"<variable name={quoteattr(c)}/>" for c in columns]
    parts.append("</head>\n<results>\n")
    for row in rows:
        parts.append("<result>")
        parts += [
            f"<binding name={quoteattr(c)}>{_term_xml(t)}</binding>"
            for c, t in zip(columns, row)
            if t is not None
        ]
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts)


def boolean_xml(value: bool) -> str:
    return f"{_XML_HEAD}<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def results_csv(columns: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """SPARQL 1.1 Query Results CSV (lexical forms, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(t) for t in row])
    return out.getvalue()


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    # N-Triples syntax; a tab inside a literal must not split the cell, so escape it too.
    return str(term).replace("\t", "\\t")


def results_tsv(columns: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """SPARQL 1.1 Query Results TSV (terms in N-Triples syntax)."""
    lines = ["\t".join(f"?{c}" for c in columns)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return "\n".join(lines) + "\n"


FORMATTERS: dict[str, Callable[[QueryResult], str]] = {
    "table": format_table,
    "csv": format_csv,
    "json": format_json,
}


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """`result` as `table`, `csv` or `json` (SPARQL 1.1 Query Results JSON)."""
    try:
        return FORMATTERS[fmt](result)
    except KeyError:
        raise QueryError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATTERS)}") from None


# --------------------------------------------------------------------------------------------
# Opening a graph to question
# --------------------------------------------------------------------------------------------

_RDF_FILE_FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
}
# Where a build folder may keep its Oxigraph store, the folder itself last.
STORE_SUBDIRS = ("store", "oxigraph", "")


def store_directory(path: Path) -> Path:
    """The Oxigraph directory of a build folder (`graphbuild build -o DIR`), or DIR itself."""
    for sub in STORE_SUBDIRS:
        candidate = path / sub if sub else path
        if (candidate / "CURRENT").is_file():  # RocksDB's marker file
            return candidate
    raise FileNotFoundError(
        f"no graph store in {path} (build one with `graphbuild build -o {path}`)"
    )


def open_graph(path: str | Path) -> ox.Store:
    """A store to question, read-only: a build folder (its Oxigraph store, opened read-only so
    any number of readers can share it; its `graph.nq` when the build kept no store), or an
    RDF dataset file (TriG, N-Quads, Turtle, N-Triples) loaded into memory. Module-level, so
    a worker process can be handed it."""
    path = Path(path)
    if path.is_file():
        fmt = _RDF_FILE_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"{path}: not a known RDF file ({', '.join(_RDF_FILE_FORMATS)})")
        store = ox.Store()
        store.bulk_load(path=str(path), format=fmt)
        return store
    if not path.is_dir():
        raise FileNotFoundError(f"no graph at {path}")
    try:
        directory = store_directory(path)
    except FileNotFoundError:
        if (path / "graph.nq").is_file():  # a build kept in memory (`build --memory`)
            return open_graph(path / "graph.nq")
        raise
    try:
        from graphbuild.store import GraphStore
    except ImportError:  # pragma: no cover - the store module ships with the package
        return ox.Store.read_only(str(directory))
    return GraphStore.read_only(directory).ox
