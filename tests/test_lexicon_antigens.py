"""Every identifier in the antigen, product and agent lexicons, checked against the reference
tables in ../shared/vocab (HGNC, MeSH 2024): nothing in them may come from memory alone."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from graphbuild.extract.text.textmatch import name_key
from graphbuild.model import Modality
from graphbuild.vocab.lexicon import load_lexicon, split_multi

ROLE_HINTS = {"", "lymphodepletion", "supportive", "supportive_with_cell_therapy", "supportive_with_transplant"}


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def _hgnc(vocab: Path) -> tuple[dict[str, dict[str, str]], dict[str, set[str]]]:
    """HGNC rows by symbol, and every symbol / alias / previous / CD symbol -> approved symbols."""
    by_symbol: dict[str, dict[str, str]] = {}
    names: dict[str, set[str]] = {}
    for row in _tsv(vocab / "hgnc_genes.tsv"):
        by_symbol[row["symbol"]] = row
        if row["status"] != "Approved":
            continue
        for column in ("symbol", "alias_symbol", "prev_symbol", "cd_symbols"):
            for name in split_multi(row[column]):
                names.setdefault(name, set()).add(row["symbol"])
    return by_symbol, names


@pytest.fixture(scope="module")
def hgnc(vocab_dir: Path) -> tuple[dict[str, dict[str, str]], dict[str, set[str]]]:
    return _hgnc(vocab_dir)


@pytest.fixture(scope="module")
def mesh_ids(vocab_dir: Path) -> dict[str, set[str]]:
    """MeSH id -> its names (descriptor name and entry terms, SCR name and entry terms)."""
    ids: dict[str, set[str]] = {}
    for row in _tsv(vocab_dir / "mesh_descriptors.tsv"):
        ids[row["ui"]] = {
            row["name"].casefold(),
            *(t.casefold() for t in split_multi(row["entry_terms"])),
        }
    for row in _tsv(vocab_dir / "mesh_scr_cell_therapy.tsv"):
        ids[row["scr_ui"]] = {
            row["name"].casefold(),
            *(t.casefold() for t in split_multi(row["entry_terms"])),
        }
    return ids


ANTIGENS = load_lexicon("antigens")
PRODUCTS = load_lexicon("products")
AGENTS = load_lexicon("agents")


@pytest.mark.parametrize("row", ANTIGENS, ids=lambda row: row["symbol"])
def test_antigen_is_an_approved_hgnc_gene_with_this_id(row: dict[str, str], hgnc) -> None:
    by_symbol, _ = hgnc
    entry = by_symbol.get(row["symbol"])
    assert entry is not None, f"{row['symbol']} is not an HGNC symbol"
    assert entry["status"] == "Approved"
    assert entry["hgnc_id"] == row["hgnc_id"]
    assert entry["locus_group"] == "protein-coding gene"


@pytest.mark.parametrize("row", ANTIGENS, ids=lambda row: row["symbol"])
def test_antigen_synonyms_are_hgnc_names_of_that_gene(row: dict[str, str], hgnc) -> None:
    _, names = hgnc
    for synonym in split_multi(row["synonyms"]):
        assert row["symbol"] in names.get(synonym, set()), (
            f"{synonym!r} is not an alias / previous / CD symbol of {row['symbol']} in HGNC"
        )


@pytest.mark.parametrize("row", ANTIGENS, ids=lambda row: row["symbol"])
def test_antigen_common_names_are_documented(row: dict[str, str], hgnc) -> None:
    """A common name HGNC does not list must say why it names this gene."""
    _, names = hgnc
    for name in split_multi(row["common_names"]):
        assert row["note"], f"{row['symbol']}: common name {name!r} needs a note"
        assert row["symbol"] not in names.get(name, set()), (
            f"{name!r} is an HGNC name: list it as a synonym"
        )


@pytest.mark.parametrize(
    "row", [r for r in ANTIGENS if r["ligands"]], ids=lambda row: row["symbol"]
)
def test_ligands_of_ligand_based_cars_are_hgnc_genes(row: dict[str, str], hgnc) -> None:
    _, names = hgnc
    for ligand in split_multi(row["ligands"]):
        assert names.get(ligand), f"ligand {ligand!r} of {row['symbol']} is not an HGNC name"
        assert row["symbol"] not in names[ligand], "a ligand is another gene than its receptor"


def test_antigen_lexicon_columns_hold_known_values() -> None:
    assert {row["match"] for row in ANTIGENS} <= {"text", "product"}
    assert {row["infer"] for row in ANTIGENS} <= {"yes", "no"}
    assert {row["checkpoint"] for row in ANTIGENS} <= {"yes", ""}
    symbols = [row["symbol"] for row in ANTIGENS]
    assert len(symbols) == len(set(symbols))


def test_no_text_name_names_two_antigens() -> None:
    seen: dict[str, str] = {}
    for row in ANTIGENS:
        for name in (
            row["symbol"],
            *split_multi(row["synonyms"]),
            *split_multi(row["common_names"]),
        ):
            key = name_key(name)
            assert seen.setdefault(key, row["symbol"]) == row["symbol"], f"{name!r} is ambiguous"


def test_left_out_antigens_stay_out() -> None:
    """GD2 is a glycolipid, kappa light chain a locus, CD28 / CD3zeta signalling domains. CD3E is
    the engagers' effector arm: since the v2 gold conventions both arms of an engager count, so it
    is in the lexicon, but only for products and engager statements, never matched in free text
    ("CD3+ T cells", "CD3/CD28 beads")."""
    symbols = {row["symbol"] for row in ANTIGENS}
    text_names = {
        name_key(n)
        for row in ANTIGENS
        if row["match"] == "text"
        for n in split_multi(row["synonyms"] + "|" + row["common_names"])
    }
    assert not symbols & {"CD3D", "CD3G", "CD247", "CD28", "IGKC", "PTPRC", "CD8A"}
    assert {row["symbol"]: row["match"] for row in ANTIGENS}["CD3E"] == "product"
    assert not text_names & {"gd2", "kappa", "cd3"}


@pytest.mark.parametrize("row", PRODUCTS, ids=lambda row: row["name"])
def test_product_targets_are_lexicon_antigens(row: dict[str, str]) -> None:
    symbols = {r["symbol"] for r in ANTIGENS}
    for symbol in split_multi(row["antigens"]):
        assert symbol in symbols, f"{row['name']}: {symbol} is not in antigens.tsv"
    Modality(row["modality"])
    assert row["role"] in ROLE_HINTS


@pytest.mark.parametrize("row", [r for r in PRODUCTS if r["mesh_id"]], ids=lambda row: row["name"])
def test_product_mesh_ids_exist_and_name_the_product(row: dict[str, str], mesh_ids) -> None:
    names = mesh_ids.get(row["mesh_id"])
    assert names is not None, (
        f"{row['mesh_id']} is in neither mesh_descriptors.tsv nor mesh_scr_cell_therapy.tsv"
    )
    ours = {n.casefold() for n in (row["name"], *split_multi(row["synonyms"]))}
    assert names & ours or any(n in row["name"].casefold() for n in names), (
        f"{row['mesh_id']} names {sorted(names)}, not {row['name']}"
    )


def test_every_scr_of_a_curated_car_t_product_is_used(mesh_ids) -> None:
    """The SCR table's approved CAR-T products are in the product lexicon with their ids."""
    used = {row["mesh_id"] for row in PRODUCTS}
    for scr in ("C000626284", "C000629083", "C000705347", "C000715380", "C000718412"):
        assert scr in mesh_ids and scr in used


@pytest.mark.parametrize("row", AGENTS, ids=lambda row: row["name"])
def test_agents_have_known_modality_and_role(row: dict[str, str]) -> None:
    Modality(row["modality"])
    assert row["role"] in ROLE_HINTS


def test_no_name_or_synonym_is_shared_by_two_agents() -> None:
    seen: dict[str, str] = {}
    for row in (*PRODUCTS, *AGENTS):
        for label in (row["name"], *split_multi(row["synonyms"])):
            key = name_key(label)
            assert seen.setdefault(key, row["name"]) == row["name"], (
                f"{label!r}: {seen[key]} and {row['name']}"
            )
