"""The stored queries: `.rq` files in `queries/`, each with a header saying what it is for.

    # title: Trials that target an antigen
    # description: Every trial directed at the antigen, with the basis of the link.
    #   (an indented comment line continues the field above it)
    # param: antigen hgnc_symbol — HGNC symbol (CD19) or a synonym (BCMA)

The file stays a plain SPARQL query that runs unchanged in any SPARQL tool; the header is
comments. `*-violation.rq` files in the same folder are validation checks, not questions, and
are left out of the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from graphbuild.resources import queries_dir
from graphbuild.sparql.errors import QueryFileError, UnknownQueryError
from graphbuild.sparql.params import Param, parse_param


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
    params = tuple(parse_param(value, source=source) for key, value in fields if key == "param")
    return title, description, params


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
