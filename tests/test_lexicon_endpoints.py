"""The endpoint lexicons (concepts, assessment criteria, assay methods): shape, the key contract
shared with the gold-set annotator, and every NCIt/CDISC code checked against ../shared/vocab."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

from graphbuild.extract.endpoints.outcomes import synonym_pattern
from graphbuild.model import EndpointCategory
from graphbuild.vocab.lexicon import load_lexicon, split_multi

# Keys seeded by the lead: a contract with the gold-set annotator (never renamed or removed).
CONTRACT_KEYS = {
    "DLT", "MTD", "RP2D", "AE", "SAE", "TEAE", "TRAE", "AESI", "CRS", "ICANS", "GVHD", "TRM",
    "INFECTION", "CYTOPENIA", "ORR", "CR", "SCR", "CRI", "VGPR", "PR", "MR", "SD", "BOR", "DOR",
    "PFS", "EFS", "OS", "RFS", "DFS", "LFS", "GRFS", "CIR", "TTR", "MRD", "CMAX", "TMAX", "AUC",
    "HALF_LIFE", "EXPANSION", "PERSISTENCE", "PK", "ANTIGEN_POSITIVE_CELLS", "SOLUBLE_ANTIGEN",
    "CYTOKINES", "B_CELL_APLASIA", "IMMUNOGENICITY", "QOL", "MANUFACTURING", "FEASIBILITY",
    "HSCT_RATE", "ENGRAFTMENT",
}
CODE = re.compile(r"^C\d+$")
LEXICONS = ("endpoint_concepts", "assessment_criteria", "assay_methods")


def test_concept_keys_keep_the_contract() -> None:
    rows = load_lexicon("endpoint_concepts")
    keys = [row["key"] for row in rows]
    assert len(keys) == len(set(keys))
    assert CONTRACT_KEYS <= set(keys)
    for row in rows:
        EndpointCategory(row["category"])  # a known category
        assert row["label"], row


@pytest.mark.parametrize("name", LEXICONS)
def test_synonyms_compile_and_name_one_key(name: str) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for row in load_lexicon(name):
        synonyms = split_multi(row["synonyms"])
        assert synonyms, f"{name}: {row['key']} has no synonyms"
        for synonym in synonyms:
            re.compile(synonym_pattern(synonym))
            folded = synonym if synonym != synonym.lower() and " " not in synonym else synonym.lower()
            owners[folded].add(row["key"])
    clashes = {s: k for s, k in owners.items() if len(k) > 1}
    assert not clashes, f"{name}: synonyms naming two keys: {clashes}"


@pytest.mark.parametrize("name", LEXICONS)
def test_codes_are_well_formed(name: str) -> None:
    for row in load_lexicon(name):
        codes = [row.get("ncit_code", "")] + [
            pair.split("=", 1)[1] for pair in split_multi(row.get("version_codes", ""))
        ]
        for code in filter(None, codes):
            assert CODE.match(code), f"{name}: {row['key']}: {code!r}"


# --------------------------------------------------------------------------------------------
# Every code against the CDISC controlled terminology (NCI EVS)
# --------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _tokens(text: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)  # iwCLL -> iw CLL
    return {t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if len(t) >= 3}


@pytest.fixture(scope="module")
def cdisc_terms(vocab_dir: Path) -> dict[str, set[str]]:
    """Every name CDISC gives a code: submission values, synonyms, NCI preferred terms."""
    terms: dict[str, set[str]] = defaultdict(set)
    for table in ("cdisc_sdtm_ct.tsv", "cdisc_protocol_ct.tsv", "cdisc_adam_ct.tsv", "cdisc_ddf_ct.tsv"):
        path = vocab_dir / table
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                names = {row["submission_value"], row["nci_preferred_term"], *split_multi(row["synonyms"])}
                terms[row["code"]].update(n for n in names if n)
    assert terms, "no CDISC table found"
    return terms


def _our_names(row: dict[str, str]) -> set[str]:
    plain = [s for s in split_multi(row["synonyms"]) if "~" not in s and not s.endswith("*")]
    return {row["label"], *plain}


@pytest.mark.parametrize("name", LEXICONS)
def test_ncit_codes_exist_and_mean_the_concept(name: str, cdisc_terms: dict[str, set[str]]) -> None:
    checked = 0
    for row in load_lexicon(name):
        code = row.get("ncit_code", "")
        if not code:
            continue
        assert code in cdisc_terms, f"{name}: {row['key']}: {code} is not in the CDISC tables"
        ours = {_norm(n) for n in _our_names(row)}
        theirs = {_norm(n) for n in cdisc_terms[code]}
        assert ours & theirs, f"{name}: {row['key']}: {code} is {sorted(cdisc_terms[code])}, not {sorted(_our_names(row))}"
        checked += 1
    assert checked >= {"endpoint_concepts": 12, "assessment_criteria": 3, "assay_methods": 20}[name]


def test_versioned_criteria_codes_name_the_set_and_the_version(cdisc_terms: dict[str, set[str]]) -> None:
    checked = 0
    for row in load_lexicon("assessment_criteria"):
        ours = set().union(*(_tokens(n) for n in _our_names(row))) | {_norm(row["label"])}
        for pair in split_multi(row["version_codes"]):
            version, code = pair.split("=", 1)
            assert code in cdisc_terms, f"{row['key']} {version}: {code} is not in the CDISC tables"
            names = cdisc_terms[code]
            assert any(version in n for n in names), f"{row['key']} {version}: {code} is {sorted(names)}"
            theirs = set().union(*(_tokens(n) for n in names))
            assert ours & theirs, f"{row['key']} {version}: {code} is {sorted(names)}"
            checked += 1
    assert checked >= 8


def test_known_codes_from_the_brief(cdisc_terms: dict[str, set[str]]) -> None:
    """The PK codelist (C85839) holds CMAX C70918 and TMAX C70919, as the lexicon says."""
    rows = {row["key"]: row for row in load_lexicon("endpoint_concepts")}
    assert rows["CMAX"]["ncit_code"] == "C70918" and "CMAX" in cdisc_terms["C70918"]
    assert rows["TMAX"]["ncit_code"] == "C70919" and "TMAX" in cdisc_terms["C70919"]
