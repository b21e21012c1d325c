"""The disease dictionary matcher: MeSH names, entry terms and the curated lexicon, looked up
as token n-grams.

Why a dictionary and not a regex: the MeSH disease tree has about 40,000 names and entry terms;
a dict of normalized keys (`mesh.name_key`) plus the set of their prefixes finds the
leftmost-longest name with a few lookups per token, whatever the vocabulary size, and costs
no regex compilation at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from graphbuild.cache import cached
from graphbuild.resources import ontology_path
from graphbuild.vocab import mesh
from graphbuild.vocab.lexicon import load_lexicon, split_multi

_MAX_TOKENS = 16  # longest key we look for (the longest MeSH disease names are ~12 tokens)
_SEPARATORS = frozenset(",/();:&+")
_NEOPLASM_NAME = re.compile(r"^(?:(?P<a>[^,]+?) Neoplasms?|Neoplasms?, (?P<b>[^,]+))$")


@dataclass(frozen=True, slots=True)
class Mention:
    """A disease named in some text: the descriptor, the span, and qualifiers the term itself
    implies (RRMM: relapsed, refractory)."""

    ui: str
    start: int
    end: int
    implied: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Hit:
    """A mention with the indices of its first and last token and of the tokens passed over."""

    mention: Mention
    first: int
    last: int
    skipped: tuple[int, ...] = ()


class DiseaseMatcher:
    """Leftmost-longest lookup of normalized token n-grams in one dictionary.

    Built once; `find` is a loop of dict / set lookups, no regex per term. Every key is the
    `mesh.name_key` of a term; text is looked up both with acronyms kept (so "ALL" is not
    "all") and fully lower-cased (so a title in capitals still matches)."""

    def __init__(self, entries: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        self._entries = dict(entries)
        prefixes: set[str] = set()
        add = prefixes.add
        for key in self._entries:  # every run of leading tokens: the key cut at each space
            add(key)
            cut = key.find(" ")
            while cut != -1:
                add(key[:cut])
                cut = key.find(" ", cut + 1)
        self._prefixes = frozenset(prefixes)

    def __len__(self) -> int:
        return len(self._entries)

    def find(self, text: str) -> tuple[Mention, ...]:
        return tuple(hit.mention for hit in self.find_tokens(mesh.tokenize(text)))

    def find_tokens(
        self, tokens: tuple[mesh.Token, ...], skippable: frozenset[int] = frozenset()
    ) -> list[_Hit]:
        """Leftmost-longest mentions. Tokens in `skippable` (age qualifiers) may be passed over
        inside a name: "B-cell Adult Acute Lymphoblastic Leukemia" is B-ALL in an adult."""
        found: list[_Hit] = []
        i = 0
        while i < len(tokens):
            hit = None if tokens[i].cased in _SEPARATORS else self._longest(tokens, i, skippable)
            if hit is None:
                i += 1
                continue
            found.append(hit)
            i = hit.last + 1
        return found

    def _longest(
        self, tokens: tuple[mesh.Token, ...], i: int, skippable: frozenset[int]
    ) -> _Hit | None:
        """The longest key starting at token i. Two keys grow side by side: acronyms kept
        ("t ALL") and all lower case ("t all"); each stops when no dictionary key starts with
        it (None)."""
        entries, prefixes = self._entries, self._prefixes
        cased: str | None = tokens[i].cased
        lower: str | None = tokens[i].lower
        best: _Hit | None = None
        skipped: list[int] = []
        j = i
        while True:
            entry = entries.get(cased) if cased is not None else None
            if entry is None and lower is not None and lower != cased:
                entry = entries.get(lower)
            if entry is not None:
                mention = Mention(entry[0], tokens[i].start, tokens[j].end, entry[1])
                best = _Hit(mention, i, j, tuple(skipped))
            if cased is not None and cased not in prefixes:
                cased = None
            if lower is not None and lower not in prefixes:
                lower = None
            if cased is None and lower is None:
                return best
            j += 1
            while (
                j < len(tokens) and j in skippable and not self._continues(cased, lower, tokens[j])
            ):
                skipped.append(j)
                j += 1
            if j >= len(tokens) or j - i >= _MAX_TOKENS:
                return best
            if cased is not None:
                cased = f"{cased} {tokens[j].cased}"
            if lower is not None:
                lower = f"{lower} {tokens[j].lower}"

    def _continues(self, cased: str | None, lower: str | None, token: mesh.Token) -> bool:
        return (cased is not None and f"{cased} {token.cased}" in self._prefixes) or (
            lower is not None and f"{lower} {token.lower}" in self._prefixes
        )


def _cancer_variants() -> Iterable[tuple[str, str]]:
    """("X Cancer", ui) for every name or entry term "X Neoplasms" / "Neoplasms, X"; and
    "X Carcinoma" / "X Adenocarcinoma" ("Pancreatic Adenocarcinoma" is Pancreatic Neoplasms, the
    site that MeSH has; a real MeSH name such as "Lung Adenocarcinoma" wins over these)."""
    for d in mesh.descriptors():
        for name in (d.name, *d.entry_terms):
            m = _NEOPLASM_NAME.match(name) if "Neoplasm" in name else None
            if m:
                site = m.group('a') or m.group('b')
                yield f"{site} Cancer", d.ui
                yield f"{site} Carcinoma", d.ui
                yield f"{site} Adenocarcinoma", d.ui


_JOINED_WORDS = re.compile(r"(?<=[A-Za-z]{4})-(?=[A-Za-z]{4})")


def _slash_variants() -> Iterable[tuple[str, str]]:
    """ "Leukemia/Lymphoma" for "Leukemia-Lymphoma": a slash inside a term is otherwise read
    as a list separator, but trial conditions write two-disease names both ways."""
    for d in mesh.descriptors():
        for name in (d.name, *d.entry_terms):
            if "-" in name and _JOINED_WORDS.search(name):
                yield _JOINED_WORDS.sub("/", name), d.ui


@lru_cache(maxsize=1)
def curated_lexicon() -> tuple[dict[str, str], ...]:
    """Rows of ontology/vocab/diseases.tsv."""
    return load_lexicon("diseases")


def _mondo_synonyms() -> Iterable[tuple[str, str]]:
    """Names MeSH lacks, from the MONDO term that is the same concept as a descriptor
    ("Lung TB", "Legionella pneumonia"): ontology/vocab/disease_synonyms.tsv."""
    for row in load_lexicon("disease_synonyms"):
        yield row["term"], row["mesh_id"]


@lru_cache(maxsize=1)
def matcher() -> DiseaseMatcher:
    """The one matcher: MeSH names and entry terms, cancer variants, MONDO synonyms, then the
    curated lexicon (later sources win; MONDO synonyms never displace a MeSH name). Cached on
    disk (`graphbuild.cache`), keyed by the three lexicons and graphbuild's source:
    making it costs ~0.2 s of CPU, reading it back a fraction, which `graphbuild add` of one
    record would otherwise pay every time."""
    sources = [
        ontology_path("vocab", f"{name}.tsv")
        for name in ("mesh_diseases", "diseases", "disease_synonyms")
    ]
    return cached("disease-matcher", sources, _compute_matcher)


def _compute_matcher() -> DiseaseMatcher:
    entries: dict[str, tuple[str, tuple[str, ...]]] = {
        key: (ui, ()) for key, ui in mesh.name_index().items()
    }
    for term, ui in (*_cancer_variants(), *_slash_variants(), *_mondo_synonyms()):
        entries.setdefault(mesh.name_key(term), (ui, ()))
    for row in curated_lexicon():
        entries[mesh.name_key(row["term"])] = (row["mesh_id"], split_multi(row["qualifiers"]))
    return DiseaseMatcher(entries)
