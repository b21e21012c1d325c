"""The endpoint vocabularies as data: concepts (key, label, category, NCIt code), assessment
criteria (with version styles and per-version NCIt codes) and assay methods. Read once per
process from ontology/vocab; used by the scan and by the RDF stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from graphbuild.model import EndpointCategory
from graphbuild.vocab.lexicon import load_lexicon, split_multi


@dataclass(frozen=True, slots=True)
class ConceptInfo:
    key: str
    label: str
    category: EndpointCategory
    ncit_code: str | None


@dataclass(frozen=True, slots=True)
class VocabularyEntry:
    """A criteria set or an assay method: key, display label, NCIt code (None if unverified)."""

    key: str
    label: str
    ncit_code: str | None
    version_style: str = ""
    version_codes: Mapping[str, str] | None = None


@lru_cache(maxsize=None)
def concept_vocabulary() -> Mapping[str, ConceptInfo]:
    """Every endpoint concept by key, in file order (for the RDF stage and reports)."""
    return {
        row["key"]: ConceptInfo(
            key=row["key"],
            label=row["label"],
            category=EndpointCategory(row["category"]),
            ncit_code=row.get("ncit_code") or None,
        )
        for row in load_lexicon("endpoint_concepts")
    }


def concept_info(key: str) -> tuple[str, EndpointCategory, str | None]:
    """(label, category, NCIt code or None) of a concept key; KeyError for an unknown key."""
    info = concept_vocabulary()[key]
    return info.label, info.category, info.ncit_code


@lru_cache(maxsize=None)
def _criteria_vocabulary() -> Mapping[str, VocabularyEntry]:
    entries = {}
    for row in load_lexicon("assessment_criteria"):
        codes = dict(pair.split("=", 1) for pair in split_multi(row.get("version_codes", "")))
        entries[row["key"]] = VocabularyEntry(
            row["key"], row["label"], row.get("ncit_code") or None, row.get("version_style", ""), codes
        )
    return entries


@lru_cache(maxsize=None)
def _method_vocabulary() -> Mapping[str, VocabularyEntry]:
    return {
        row["key"]: VocabularyEntry(row["key"], row["label"], row.get("ncit_code") or None)
        for row in load_lexicon("assay_methods")
    }


def criterion_info(name: str) -> VocabularyEntry | None:
    """The criteria set behind an `Endpoint.criteria` string ("CTCAE v5.0", "iwCLL 2018"),
    with the version's own NCIt code when the lexicon has one."""
    for entry in _criteria_vocabulary().values():
        if name == entry.label or name.startswith(entry.label + " "):
            version = name[len(entry.label):].strip().lstrip("v")
            code = (entry.version_codes or {}).get(version, entry.ncit_code)
            return VocabularyEntry(entry.key, entry.label, code, entry.version_style, entry.version_codes)
    return None


def method_info(name: str) -> VocabularyEntry | None:
    """The assay method behind an `Endpoint.methods` string ("qPCR", "flow cytometry")."""
    for entry in _method_vocabulary().values():
        if name == entry.label:
            return entry
    return None
