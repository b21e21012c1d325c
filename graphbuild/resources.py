"""Find the project's data folders (`ontology/`, `queries/`) from a checkout or a wheel.

In a source checkout they sit beside the package; an installed wheel carries them as
`graphbuild/_data/...` (hatch force-include). Looking in both keeps one code path.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Graph

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder `name` (`ontology` or `queries`), wherever this installation keeps it."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"graphbuild data folder {name!r} not found next to {_PACKAGE}")


def ontology_path(*parts: str) -> Path:
    return data_dir("ontology").joinpath(*parts)


def queries_dir() -> Path:
    return data_dir("queries")


def turtle_graph(path: Path) -> Graph:
    """The Turtle file `path` (the ontology, the SHACL shapes) parsed with rdflib, cached until
    the file changes; do not modify it. rdflib is imported here, on first use, so the modules
    that only look up paths (a build's workers) never load it."""
    return _parsed_turtle(str(path), path.stat().st_mtime)


@lru_cache(maxsize=8)
def _parsed_turtle(path: str, mtime: float) -> Graph:
    from rdflib import Graph

    return Graph().parse(path, format="turtle")
