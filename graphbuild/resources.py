"""Find the project's data folders (`ontology/`, `queries/`) from a checkout or a wheel.

In a source checkout they sit beside the package; an installed wheel carries them as
`graphbuild/_data/...` (hatch force-include). Looking in both keeps one code path.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
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
