"""Results as text: an aligned table and CSV for people and spreadsheets, and the SPARQL 1.1
Query Results JSON / XML / CSV / TSV formats. The latter take columns and rows rather than a
`QueryResult`, so the HTTP endpoint's workers serialize with the very same code."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox

from graphbuild.sparql.errors import QueryError
from graphbuild.sparql.run import QueryResult
from graphbuild.sparql.terms import XSD, Term, term_text


def xml_escape(text: str) -> str:
    """`&`, `<`, `>` escaped (xml.sax.saxutils.escape without its 50 ms import of urllib.request)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """An XML attribute value in double quotes, escaped (as xml.sax.saxutils.quoteattr, which
    quotes a value holding `"` with single quotes instead: the same XML either way)."""
    escaped = xml_escape(text).replace('"', "&quot;")
    return '"' + escaped.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


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
