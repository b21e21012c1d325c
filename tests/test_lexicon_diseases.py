"""The disease vocabulary files and the MeSH tree, checked against the reference tables.

Every identifier in `ontology/vocab/{mesh_diseases,diseases,disease_xrefs}.tsv` must exist in
`../shared/vocab` with the name we give it; the generated files must be exactly what
`scripts/build_disease_vocab.py` writes; and the hierarchy must answer the questions the
graph is asked ("all plasma cell neoplasms").
"""

from __future__ import annotations

import csv
import importlib.util
import re
from functools import cache
from pathlib import Path

import pytest

from graphbuild.extract.diseases.grounding import curated_lexicon, disease_info, matcher
from graphbuild.resources import ontology_path
from graphbuild.vocab import mesh
from graphbuild.vocab.lexicon import load_lexicon, split_multi

REPO = Path(__file__).resolve().parents[1]
QUALIFIER = re.compile(r"^[a-z]+$")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@cache
def _shared(vocab_dir: Path, name: str) -> dict[str, dict[str, str]]:
    key = "ui" if name == "mesh_descriptors" else "id"
    return {row[key]: row for row in _read(vocab_dir / f"{name}.tsv")}


@pytest.fixture(scope="module")
def shared_mesh(vocab_dir: Path) -> dict[str, dict[str, str]]:
    return _shared(vocab_dir, "mesh_descriptors")


@pytest.fixture(scope="module")
def shared_mondo(vocab_dir: Path) -> dict[str, dict[str, str]]:
    return _shared(vocab_dir, "mondo_terms")


def _build_script():
    spec = importlib.util.spec_from_file_location(
        "build_disease_vocab", REPO / "scripts" / "build_disease_vocab.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


# -- curated lexicon ---------------------------------------------------------------------------


def test_curated_ids_exist_with_their_names(shared_mesh: dict[str, dict[str, str]]) -> None:
    rows = curated_lexicon()
    assert len(rows) > 100
    for row in rows:
        assert row["mesh_id"] in shared_mesh, row
        assert shared_mesh[row["mesh_id"]]["name"] == row["mesh_label"], row
        trees = split_multi(shared_mesh[row["mesh_id"]]["tree_numbers"])
        assert any(t.startswith(("C", "F03")) for t in trees), f"not a disease: {row}"


def test_curated_rows_are_well_formed_and_each_adds_something() -> None:
    keys: dict[str, str] = {}
    index = mesh.name_index()
    for row in curated_lexicon():
        assert row["relation"] in {"exact", "broader", "nearest"}, row
        assert all(
            QUALIFIER.match(q.replace(" ", "").replace("-", ""))
            for q in split_multi(row["qualifiers"])
        )
        if row["relation"] != "exact":
            assert row["note"], f"say why MeSH has nothing closer: {row}"
        key = mesh.name_key(row["term"])
        assert key not in keys, f"{row['term']!r} repeats {keys[key]!r}"
        keys[key] = row["term"]
        # a row MeSH already grounds the same way is dead weight
        assert index.get(key) != row["mesh_id"], f"MeSH already has {row['term']!r}"


@pytest.mark.parametrize(
    "term, mesh_id",
    [
        pytest.param("T-ALL", "D054218", id="T-ALL"),
        pytest.param("T-LBL", "D054218", id="T-LBL"),
        pytest.param("B-ALL", "D015452", id="B-ALL"),
        pytest.param("AML", "D015470", id="AML"),
        pytest.param("Acute Myeloid Leukaemia", "D015470", id="british"),
        pytest.param("MM", "D009101", id="MM"),
        pytest.param("DLBCL", "D016403", id="DLBCL"),
        pytest.param("LBCL", "D016403", id="LBCL"),
        pytest.param("CLL/SLL", "D015451", id="CLL/SLL"),
        pytest.param("MDS", "D009190", id="MDS"),
        pytest.param("Plasma Cell Leukemia", "D007952", id="PCL"),
        pytest.param("NHL", "D008228", id="NHL"),
        pytest.param("B-NHL", "D016393", id="B-NHL"),
        pytest.param("MCL", "D020522", id="MCL"),
        pytest.param("FL", "D008224", id="FL"),
        pytest.param("PMBCL", "D016403", id="PMBCL"),
        pytest.param("ALCL", "D017728", id="ALCL"),
        pytest.param("PTCL", "D016411", id="PTCL"),
        pytest.param("HL", "D006689", id="HL"),
        pytest.param("ALL", "D054198", id="ALL"),
        pytest.param("Breast Cancer", "D001943", id="X-cancer"),
        pytest.param("Adult T-Cell Leukemia/Lymphoma", "D015459", id="slash-variant"),
    ],
)
def test_the_matcher_knows_the_abbreviations_conditions_use(term: str, mesh_id: str) -> None:
    found = matcher().find(term)
    assert [m.ui for m in found] == [mesh_id]
    assert (found[0].start, found[0].end) == (0, len(term))


def test_acronyms_are_case_sensitive() -> None:
    assert matcher().find("all patients") == ()
    assert matcher().find("mm") == ()
    assert [m.ui for m in matcher().find("ACUTE MYELOID LEUKEMIA")] == ["D015470"]


# -- generated files ---------------------------------------------------------------------------


def test_generated_files_are_reproducible(vocab_dir: Path, tmp_path: Path) -> None:
    build = _build_script()
    assert build.main(["--vocab", str(vocab_dir), "--out", str(tmp_path)]) == 0
    for name in ("mesh_diseases.tsv", "disease_xrefs.tsv", "disease_synonyms.tsv"):
        shipped = ontology_path("vocab", name).read_bytes()
        assert (tmp_path / name).read_bytes() == shipped, f"{name} is stale: rerun the script"


def test_mesh_table_matches_the_reference(shared_mesh: dict[str, dict[str, str]]) -> None:
    rows = load_lexicon("mesh_diseases")
    assert 5000 < len(rows) < 6000
    for row in rows:
        ref = shared_mesh[row["ui"]]
        assert ref["name"] == row["name"]
        assert set(split_multi(row["tree_numbers"])) <= set(split_multi(ref["tree_numbers"]))
    size = ontology_path("vocab", "mesh_diseases.tsv").stat().st_size
    assert size < 3_000_000


def test_xrefs_are_verified(
    shared_mesh: dict[str, dict[str, str]], shared_mondo: dict[str, dict[str, str]]
) -> None:
    rows = load_lexicon("disease_xrefs")
    assert len(rows) > 2500
    for row in rows:
        assert shared_mesh[row["mesh_id"]]["name"] == row["mesh_label"]
        term = shared_mondo[row["mondo_id"]]
        assert term["label"] == row["mondo_label"]
        xrefs = split_multi(term["xrefs"])
        assert f"MESH:{row['mesh_id']}" in xrefs, row
        if row["ncit_id"]:
            assert [x for x in xrefs if x.startswith("NCIT:")] == [row["ncit_id"]], row
        mesh_names = {mesh.name_key(n) for n in mesh.names(row["mesh_id"])}
        mondo_names = {mesh.name_key(n) for n in (term["label"], *split_multi(term["synonyms"]))}
        if row["match"] == "disorder_fold":
            fold = lambda keys: {k.replace("disorder", "disease") for k in keys}
            assert fold(mesh_names) & fold(mondo_names), row
        else:
            assert mesh_names & mondo_names, row


def test_a_mondo_term_citing_a_mesh_id_for_something_else_is_left_out() -> None:
    # MONDO:0009975 "reticulum cell sarcoma" cites MESH:D008228 (Lymphoma, Non-Hodgkin)
    assert disease_info("D008228").mondo_ids == ("MONDO:0018908",)
    info = disease_info("D009101")
    assert info.label == "Multiple Myeloma"
    assert info.mondo_ids == ("MONDO:0009693",)  # plasma cell myeloma
    assert info.ncit_ids == ("NCIT:C3242",)
    # MONDO's T-ALL cites no MeSH id in this release: no cross-reference rather than a guess
    assert disease_info("D054218").mondo_ids == ()


def test_last_six_digit_descriptor_bound(shared_mesh: dict[str, dict[str, str]]) -> None:
    six = [int(ui[1:]) for ui in shared_mesh if len(ui) == 7]
    nine = [int(ui[1:]) for ui in shared_mesh if len(ui) == 10]
    assert max(six) == mesh.LAST_SIX_DIGIT_DESCRIPTOR < min(nine)
    assert mesh.canonical_id("D000009101") == "D009101"
    assert mesh.canonical_id("D000086382") == "D000086382"  # COVID-19: a genuine 9-digit UI
    assert mesh.canonical_id("D009101") == "D009101"


# -- the tree ----------------------------------------------------------------------------------


def test_multiple_myeloma_is_a_plasma_cell_neoplasm() -> None:
    assert mesh.label("D054219") == "Neoplasms, Plasma Cell"
    assert set(mesh.parents("D009101")) == {"D054219", "D010265", "D008232", "D020141"}
    assert {"D054219", "D010265", "D009369", "D006402"} <= mesh.ancestors("D009101")
    plasma_cell = mesh.descendants_or_self("D054219")
    assert {"D009101", "D007952", "D010954"} <= plasma_cell  # myeloma, PCL, plasmacytoma
    assert "D015470" not in plasma_cell


def test_what_all_t_cell_leukemias_and_lymphomas_means_in_mesh() -> None:
    # T-ALL/T-LBL sits under precursor lymphoblastic leukemia-lymphoma, not under the T-cell
    # headings: "all T-cell leukemias and lymphomas" is the union of three subtrees.
    assert mesh.parents("D054218") == ("D054198",)
    t_leukemia = mesh.descendants_or_self("D015458")  # Leukemia, T-Cell
    t_lymphoma = mesh.descendants_or_self("D016399")  # Lymphoma, T-Cell
    assert "D054218" not in t_leukemia | t_lymphoma
    assert {"D015459", "D054066"} <= t_leukemia  # ATLL, LGL leukemia
    assert {"D016411", "D017728", "D016410", "D009182"} <= t_lymphoma  # PTCL, ALCL, CTCL, MF
    assert "D054218" in mesh.descendants_or_self("D007945")  # Leukemia, Lymphoid


def test_parents_stay_inside_the_disease_tree() -> None:
    for d in mesh.descriptors():
        for parent in mesh.parents(d.ui):
            assert mesh.is_disease(parent)
        assert d.ui not in mesh.ancestors(d.ui)
    assert mesh.parents("D009369") == ()  # Neoplasms is a root (C04)
    assert mesh.depth("D009369") == 1


def test_lookup_by_name_and_entry_term() -> None:
    assert mesh.lookup("Leukemia, Myeloid, Acute") == "D015470"
    assert mesh.lookup("acute myelogenous leukemia") == "D015470"
    assert mesh.lookup("Plasma Cell Leukemia") == "D007952"
    assert mesh.lookup("Waldenström Macroglobulinemia") == "D008258"
    assert mesh.lookup("Healthy") is None


def test_identifiers_written_in_the_code_are_real(shared_mesh: dict[str, dict[str, str]]) -> None:
    from graphbuild.extract.diseases import grounding as diseases

    named = {
        **{ui: ui for ui in diseases._CLASS_HEADINGS},
        **{ui: ui for ui in diseases._HEAD_NOUNS},
        **{ui: ui for ui in diseases._CML_PHASES.values()},
        diseases._CML: diseases._CML,
    }
    assert {ui: shared_mesh[ui]["name"] for ui in named} == {
        "D019337": "Hematologic Neoplasms",
        "D054219": "Neoplasms, Plasma Cell",
        "D007945": "Leukemia, Lymphoid",
        "D007951": "Leukemia, Myeloid",
        "D054198": "Precursor Cell Lymphoblastic Leukemia-Lymphoma",
        "D015448": "Leukemia, B-Cell",
        "D015458": "Leukemia, T-Cell",
        "D016393": "Lymphoma, B-Cell",
        "D016399": "Lymphoma, T-Cell",
        "D009369": "Neoplasms",
        "D007239": "Infections",
        "D004194": "Disease",
        "D013577": "Syndrome",
        "D001752": "Blast Crisis",
        "D015465": "Leukemia, Myeloid, Accelerated Phase",
        "D015466": "Leukemia, Myeloid, Chronic-Phase",
        "D015464": "Leukemia, Myelogenous, Chronic, BCR-ABL Positive",
    }
    # the CML phases are CML's own children in MeSH
    assert set(diseases._CML_PHASES.values()) <= set(mesh._children()[diseases._CML])


def test_mondo_synonyms_are_names_of_the_same_concept(
    shared_mesh: dict[str, dict[str, str]], shared_mondo: dict[str, dict[str, str]]
) -> None:
    rows = load_lexicon("disease_synonyms")
    assert len(rows) > 3000
    verified = {(r["mesh_id"], r["mondo_id"]) for r in load_lexicon("disease_xrefs") if r["match"] == "label"}
    for row in rows:
        assert (row["mesh_id"], row["mondo_id"]) in verified, row
        term = shared_mondo[row["mondo_id"]]
        assert row["term"] in split_multi(term["synonyms"]), row
        assert len(mesh.name_key(row["term"]).split()) >= 2, row
        # MeSH's own names always win: a MONDO synonym is never a MeSH name or entry term
        assert mesh.lookup(row["term"]) is None, row


def test_mondo_synonyms_ground_names_mesh_lacks() -> None:
    found = {m.ui for m in matcher().find("Lung TB; Legionella pneumonia; B-PLL; tumor of the stomach")}
    # Tuberculosis, Pulmonary; Legionnaires' Disease; Leukemia, Prolymphocytic, B-Cell; Stomach Neoplasms
    assert found == {"D014397", "D007877", "D054403", "D013274"}
    # a MeSH entry term keeps its own descriptor
    assert [m.ui for m in matcher().find("acute myeloid leukemia")] == ["D015470"]


@pytest.mark.parametrize(
    ("text", "ui"),
    [
        ("T-cell Acute Lymphoblastic Leukmeia", "D054218"),  # letters swapped
        ("Non-Hodgkin Lymphona", "D008228"),  # a letter changed
        ("Myelodysplatic Syndrome", "D009190"),  # a letter dropped
        ("Leukimia", "D007938"),
    ],
)
def test_misspelt_head_words_of_disease_names(text: str, ui: str) -> None:
    assert [m.ui for m in matcher().find(text)] == [ui]


def test_typo_correction_leaves_real_words_alone() -> None:
    # words of MeSH names are never "corrected", and a changed last letter is no typo
    assert matcher().find("Leukemic infiltration") == () or all(
        m.ui != "D007938" for m in matcher().find("Leukemic infiltration")
    )
    assert mesh.name_key("Lymphomatoid") == "lymphomatoid"
    assert [m.ui for m in matcher().find("Multiple Myeloma")] == ["D009101"]
