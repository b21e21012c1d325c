"""Named agents: the curated product lexicon (targeted products) and the agent lexicon
(chemotherapy, small molecules, supportive drugs), found in text with one regex.

`ontology/vocab/products.tsv` holds products whose target antigens are established facts
(tisagenlecleucel -> CD19, teclistamab -> BCMA); `ontology/vocab/agents.tsv` holds agents with
no target antigen but a usual role (fludarabine: lymphodepletion before a cell therapy;
mesna: supportive). Both are read once; every name and synonym goes into a single
case-insensitive trie regex, so a record's text is scanned once whatever the lexicon size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from graphbuild.extract.text.textmatch import name_key, trie_regex
from graphbuild.model import Modality
from graphbuild.vocab.lexicon import load_lexicon, split_multi


@dataclass(frozen=True, slots=True)
class Product:
    """A named agent. `antigens` are HGNC symbols (empty for untargeted agents); `role` is the
    lexicon's role hint (`lymphodepletion`, `supportive`, `supportive_with_cell_therapy`,
    `supportive_with_transplant` or empty for investigational)."""

    name: str
    synonyms: tuple[str, ...]
    modality: Modality
    antigens: tuple[str, ...] = ()
    mesh_id: str | None = None
    role: str = ""

    @property
    def targeted(self) -> bool:
        return bool(self.antigens)


def _rows_to_products(name: str) -> tuple[Product, ...]:
    products = []
    for row in load_lexicon(name):
        products.append(
            Product(
                name=row["name"],
                synonyms=split_multi(row.get("synonyms", "")),
                modality=Modality(row["modality"]),
                antigens=split_multi(row.get("antigens", "")),
                mesh_id=row.get("mesh_id") or None,
                role=row.get("role", ""),
            )
        )
    return tuple(products)


@cache
def all_products() -> tuple[Product, ...]:
    """Targeted products first, then untargeted agents."""
    return _rows_to_products("products") + _rows_to_products("agents")


@cache
def _index() -> tuple[re.Pattern[str], dict[str, Product]]:
    """The lexicon regex (for lower-cased text) and its lookup by `name_key`."""
    by_key: dict[str, Product] = {}
    for product in all_products():
        for label in (product.name, *product.synonyms):
            by_key.setdefault(name_key(label), product)
    names = [
        label.lower() for product in all_products() for label in (product.name, *product.synonyms)
    ]
    return re.compile(_body(names)), by_key


def _body(names: list[str]) -> str:
    # \b rather than a look-behind: it lets the regex engine skip to word starts quickly
    return r"\b(?:" + trie_regex(names) + r")(?![A-Za-z0-9])"


@cache
def _insensitive() -> re.Pattern[str]:
    """The same regex, case-insensitive, for the rare text whose lower-casing changes its
    length; compiled only when such a text comes (compiling it costs ~0.1 s at start-up)."""
    names = [
        label.lower() for product in all_products() for label in (product.name, *product.synonyms)
    ]
    return re.compile(_body(names), re.IGNORECASE)


def find_products(text: str) -> Iterator[tuple[Product, int, int]]:
    """Every named agent in `text` as (product, start, end), left to right (longest name
    wins). Matching runs on the lower-cased text: one regex without IGNORECASE is about twice
    as fast, and lower-casing keeps offsets for all but a few exotic characters."""
    return iter(_products_in(text))


@lru_cache(maxsize=4096)
def _products_in(text: str) -> tuple[tuple[Product, int, int], ...]:
    """`find_products` once per text: intervention names are read by several passes and
    repeat across trials."""
    lowered, by_key = _index()
    folded = text.lower()
    pattern, subject = (lowered, folded) if len(folded) == len(text) else (_insensitive(), text)
    found = []
    for match in pattern.finditer(subject):
        product = by_key.get(name_key(match.group()))
        if product is not None:
            found.append((product, match.start(), match.end()))
    return tuple(found)


def product_by_name(name: str) -> Product | None:
    """The lexicon entry for a name or synonym (any case, hyphens and spaces ignored)."""
    return _index()[1].get(name_key(name))
