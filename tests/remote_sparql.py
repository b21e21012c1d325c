"""Helpers for the push tests: a stored query run on a server's SPARQL endpoint and on the
local store, each row turned into comparable values (numbers by value, xsd:string and plain
literals alike), so the two answers can be compared row for row."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import httpx
import pyoxigraph as ox

from graphbuild.sparql.binding import prepare
from graphbuild.sparql.run import execute_sparql

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    f"{XSD}{t}"
    for t in (
        "integer", "decimal", "double", "float", "int", "long", "short", "byte",
        "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
        "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}

Cell = tuple[str, ...] | None
Row = tuple[Cell, ...]


def _literal(value: str, datatype: str | None, language: str | None) -> Cell:
    if language:
        return ("literal", value, "@" + language.lower())
    if datatype in NUMERIC:
        try:
            return ("number", format(Decimal(value).normalize(), "f"))
        except InvalidOperation:
            return ("literal", value, datatype)
    if datatype == f"{XSD}boolean":
        return ("boolean", str(value in ("true", "1")))
    if datatype in (None, f"{XSD}string"):
        return ("literal", value)
    return ("literal", value, datatype)


def local_cell(term: object) -> Cell:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("uri", term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.datatype.value, term.language)
    return ("bnode",)


def remote_cell(binding: Mapping[str, str] | None) -> Cell:
    if binding is None:
        return None
    kind = binding["type"]
    if kind == "uri":
        return ("uri", binding["value"])
    if kind in ("literal", "typed-literal"):
        return _literal(binding["value"], binding.get("datatype"), binding.get("xml:lang"))
    return ("bnode",)


def local_rows(store: object, text: str) -> tuple[tuple[str, ...], list[Row]]:
    result = execute_sparql(store, text)
    return result.columns, [tuple(local_cell(t) for t in row) for row in result.rows]


def remote_rows(endpoint: str, text: str, **params: str) -> tuple[tuple[str, ...], list[Row]]:
    response = httpx.post(
        endpoint, data={"query": text, **params}, timeout=300,
        headers={"Accept": "application/sparql-results+json"},
    )
    if response.is_error:  # say which query the server refused, and why
        raise AssertionError(
            f"{endpoint}: {response.status_code} {response.reason_phrase}\n"
            f"{response.text[:1000]}\nquery:\n{text}"
        )
    data = response.json()
    columns = tuple(data["head"]["vars"])
    rows = [
        tuple(remote_cell(b.get(c)) for c in columns) for b in data["results"]["bindings"]
    ]
    return columns, rows


_CONCAT = re.compile(
    r'GROUP_CONCAT\((?:[^;"]|"[^"]*")*;\s*separator\s*=\s*"((?:[^"\\]|\\.)*)"\s*\).*?AS\s+\?(\w+)',
    re.IGNORECASE | re.DOTALL,
)


_SAMPLE = re.compile(r"SAMPLE\(\s*\?(\w+)\s*\)\s*AS\s+\?(\w+)", re.IGNORECASE)
# BIND(IF(?joined = "", <something else>, ?joined) AS ?column): a joined list, or a stand-in
_EMPTY_OR_LIST = re.compile(
    r'BIND\(\s*IF\(\s*\?(\w+)\s*=\s*""\s*,[^,()]+,\s*\?\1\s*\)\s*AS\s+\?(\w+)\s*\)', re.IGNORECASE
)


def concat_columns(text: str) -> dict[str, str]:
    """The columns a query fills with GROUP_CONCAT (directly, through SAMPLE of a
    sub-select's GROUP_CONCAT, or through a BIND that puts a stand-in for an empty list), with their separators: SPARQL leaves the order of the joined
    values to the engine, so they are compared as sorted lists."""
    columns = {column: separator for separator, column in _CONCAT.findall(text)}
    for inner, outer in _SAMPLE.findall(text) + _EMPTY_OR_LIST.findall(text):
        if inner in columns:
            columns[outer] = columns[inner]
    return columns


def sample_columns(text: str) -> set[str]:
    """Columns whose value SAMPLE picks from several candidates (SPARQL 1.1 lets an engine
    return any of them): SAMPLE of a plain variable, or of another such column. SAMPLE of a
    sub-select's GROUP_CONCAT (one value per group) is not one of them."""
    concat = concat_columns(text)
    pairs = _SAMPLE.findall(text)
    arbitrary: set[str] = set()
    changed = True
    while changed:
        changed = False
        for inner, outer in pairs:
            if outer not in arbitrary and outer not in concat and (
                inner in arbitrary or inner not in {o for _i, o in pairs} | set(concat)
            ):
                arbitrary.add(outer)
                changed = True
    return arbitrary


def _masked(row: Row, columns: tuple[str, ...], arbitrary: set[str]) -> Row:
    """SAMPLE-picked cells reduced to bound / unbound."""
    return tuple(
        (("bound",) if cell is not None else None) if column in arbitrary else cell
        for column, cell in zip(columns, row, strict=True)
    )


def _sorted_parts(row: Row, columns: tuple[str, ...], concat: dict[str, str]) -> Row:
    cells = list(row)
    for i, column in enumerate(columns):
        cell = cells[i]
        if column in concat and cell is not None and cell[0] == "literal":
            separator = concat[column]
            cells[i] = (cell[0], separator.join(sorted(cell[1].split(separator))), *cell[2:])
    return tuple(cells)


def compare_query(
    store: object, endpoint: str, name: str, params: Mapping[str, str] | None = None, **extra: str
) -> tuple[list[Row], list[Row]]:
    """(local rows, server rows) of the stored query `name`, each sorted (ORDER BY leaves ties
    in any order, so rows are compared as multisets), GROUP_CONCAT parts sorted, and cells a
    SAMPLE picks from several candidates compared as bound or unbound only."""
    _info, text = prepare(name, params)
    local_columns, local = local_rows(store, text)
    remote_columns, remote = remote_rows(endpoint, text, **extra)
    assert remote_columns == local_columns, (name, local_columns, remote_columns)
    concat, arbitrary = concat_columns(text), sample_columns(text)
    local = [_masked(_sorted_parts(r, local_columns, concat), local_columns, arbitrary) for r in local]
    remote = [_masked(_sorted_parts(r, local_columns, concat), local_columns, arbitrary) for r in remote]
    return sorted(local, key=repr), sorted(remote, key=repr)
