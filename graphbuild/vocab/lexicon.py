"""Load curated lexicons (`ontology/vocab/*.tsv`) once per process.

A lexicon is a UTF-8 TSV with a header row; multi-valued cells are joined with `|`; lines
starting with `#` are comments. Rows are returned as dicts of strings, in file order.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from graphbuild.resources import ontology_path


@lru_cache(maxsize=None)
def load_lexicon(name: str) -> tuple[dict[str, str], ...]:
    """Rows of `ontology/vocab/{name}.tsv`. Cached: lexicons are read-only data."""
    path = ontology_path("vocab", f"{name}.tsv")
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        return tuple({k: (v or "").strip() for k, v in row.items()} for row in reader)


def split_multi(cell: str) -> tuple[str, ...]:
    """A `|`-joined cell as a tuple, empty parts dropped."""
    return tuple(part.strip() for part in cell.split("|") if part.strip())
