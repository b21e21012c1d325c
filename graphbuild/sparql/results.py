"""Results as text: an aligned table for people, and SPARQL 1.1 Query Results CSV and JSON
written by pyoxigraph's own serializers: `write_results` lets pyoxigraph write a query's rows
to a file as the engine yields them (what `graphbuild query --format csv|json` does, so a
streaming listing shows its first rows at once and no row passes through Python), and
`to_solutions` hands rows already read back to pyoxigraph so any of its results formats can
write them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, BinaryIO

import pyoxigraph as ox

from graphbuild.sparql.errors import QueryError
from graphbuild.sparql.run import QueryResult
from graphbuild.sparql.terms import Term, term_text
from graphbuild.store import oxigraph_store


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


# graphbuild's results formats written by pyoxigraph, by name
RESULTS_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "json": ox.QueryResultsFormat.JSON,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}


def format_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV (pyoxigraph's serializer): a header row, then plain values
    (what spreadsheets and pandas expect), lines ending in CRLF as that format says."""
    body = to_solutions(result.columns, result.rows).serialize(format=ox.QueryResultsFormat.CSV)
    return (body or b"").decode("utf-8")


def write_results(store: Any, text: str, fmt: str, out: BinaryIO) -> None:
    """Run a SELECT over the union of all graphs and let pyoxigraph write its rows to `out` in
    `fmt` (a key of `RESULTS_FORMATS`) as the engine yields them: the rows never become Python
    objects, and a listing without ORDER BY shows its first rows at once."""
    try:
        format_ = RESULTS_FORMATS[fmt]
    except KeyError:
        choices = ", ".join(RESULTS_FORMATS)
        raise QueryError(f"unknown format {fmt!r}; choose one of {choices}") from None
    results = oxigraph_store(store).query(text, use_default_graph_as_union=True)
    if not isinstance(results, ox.QuerySolutions):
        raise QueryError("stored queries must be SELECT queries")
    results.serialize(out, format_)


def to_solutions(
    columns: Sequence[str], rows: Iterable[Sequence[Term | None]]
) -> ox.QuerySolutions:
    """Rows of terms as pyoxigraph query solutions again, so pyoxigraph's serializers (JSON,
    XML, CSV, TSV) can write them. They travel as SPARQL TSV, whose cells are exactly each
    term's N-Triples form (`str(term)`, which escapes tabs and line breaks)."""
    lines = ["\t".join(f"?{c}" for c in columns)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    solutions = ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (pyoxigraph's serializer)."""
    body = to_solutions(result.columns, result.rows).serialize(format=ox.QueryResultsFormat.JSON)
    return (body or b"").decode("utf-8") + "\n"


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
