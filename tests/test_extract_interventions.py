"""Interventions: product code, modality, cell source, role and MeSH ids, each with evidence
that quotes the record; the seeds exactly, then rules on small records, then the corpus."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from graphbuild.extract.interventions.info import extract_interventions
from graphbuild.extract.trial import extract_trial
from graphbuild.extract.interventions.modality import find_codes, read_modality
from graphbuild.extract.text.fields import field_text
from graphbuild.model import (
    Arm,
    CellSource,
    Intervention,
    InterventionRole,
    MeshTerm,
    Modality,
    Record,
    SourceFormat,
    SourceRef,
)
from graphbuild.readers.inputs import read_inputs
from graphbuild.vocab.lexicon import load_lexicon


def _record(*interventions: Intervention, **fields) -> Record:
    fields.setdefault("trial_id", "T1")
    return Record(
        source=SourceRef("test", "0"),
        format=SourceFormat.FLAT,
        interventions=interventions,
        **fields,
    )


@cache
def _read(path: Path) -> tuple[Record, ...]:
    return tuple(r for r in read_inputs([path]) if isinstance(r, Record))


@pytest.fixture(scope="module")
def seeds(examples_dir: Path) -> dict[str, Record]:
    return {r.trial_id[:3]: r for r in _read(examples_dir)}


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> tuple[Record, ...]:
    return _read(corpus_dir)


def _evidence(info) -> set[tuple[str, str]]:
    return {(e.field, e.text) for e in info.evidence}


# ---------------------------------------------------------------------------------------------
# The seeds
# ---------------------------------------------------------------------------------------------


def test_seed_000_product_and_modality_come_from_the_trial_text(seeds) -> None:
    (info,) = extract_interventions(seeds["000"])
    assert (info.index, info.name, info.type) == (0, "Biological", "OTHER")
    assert info.product_code == "CT0594CP"
    assert info.modality is Modality.CAR_T
    assert info.cell_source is None  # the text never says autologous or allogeneic
    assert info.role is InterventionRole.INVESTIGATIONAL
    assert info.mesh_ids == ()
    assert {("brief_title", "CT0594CP"), ("brief_summary", "CAR-T")} <= _evidence(info)


def test_seed_001_autologous_t_cells_with_crs_monitoring_read_as_car_t(seeds) -> None:
    (info,) = extract_interventions(seeds["001"])
    assert info.product_code == "SENL103"
    assert info.modality is Modality.CAR_T
    assert info.cell_source is CellSource.AUTOLOGOUS
    assert info.role is InterventionRole.INVESTIGATIONAL
    evidence = _evidence(info)
    assert ("interventions[0].name", "SENL103") in evidence
    assert ("brief_title", "Autologous") in evidence
    assert ("brief_title", "Autologous T Cell Injection") in evidence
    assert any(text == "cytokine release syndrome" for _, text in evidence)


def test_seed_002_cell_infusion_is_the_cd7_car_t(seeds) -> None:
    (info,) = extract_interventions(seeds["002"])
    assert (info.name, info.type) == ("RD13-02 cell infusion", "DRUG")
    assert info.product_code == "RD13-02"
    assert info.modality is Modality.CAR_T
    assert info.cell_source is None
    assert info.role is InterventionRole.INVESTIGATIONAL
    assert {("interventions[0].name", "RD13-02"), ("brief_title", "CAR-T")} <= _evidence(info)


def test_seed_evidence_quotes_the_record(seeds) -> None:
    for record in seeds.values():
        for info in extract_interventions(record):
            for e in info.evidence:
                assert field_text(record, e.field)[e.start : e.end] == e.text


# ---------------------------------------------------------------------------------------------
# Modality and product codes from names
# ---------------------------------------------------------------------------------------------

MODALITIES = [
    ("CD19 CAR-T cells", Modality.CAR_T),
    ("UCART19", Modality.CAR_T),
    ("CD33CART autologous", Modality.CAR_T),
    ("Anti-CD22 CAR NK Cells", Modality.CAR_NK),
    ("CAR.70/IL15-transduced CB-NK cells", Modality.CAR_NK),
    ("LioCyx-M, HBV antigen-specific TCR-redirected T cells", Modality.TCR_T),
    ("LILRB4 STAR-T cells injection", Modality.TCR_T),
    ("Tisagenlecleucel", Modality.CAR_T),
    ("KYMRIAH", Modality.CAR_T),
    ("Blinatumomab", Modality.BISPECIFIC_ANTIBODY),
    ("Inotuzumab ozogamicin (CMC-544)", Modality.ANTIBODY_DRUG_CONJUGATE),
    ("Anti-CD123 ADC IMGN632", Modality.ANTIBODY_DRUG_CONJUGATE),
    ("Rituximab 375 mg/m2", Modality.MONOCLONAL_ANTIBODY),
    ("Sacituzumab Govitecan (SG)", Modality.ANTIBODY_DRUG_CONJUGATE),
    ("PD-1 inhibitor", Modality.MONOCLONAL_ANTIBODY),
    ("Fludarabine Phosphate", Modality.CHEMOTHERAPY),
    ("Venetoclax", Modality.SMALL_MOLECULE),
    ("Gilteritinib", Modality.SMALL_MOLECULE),
    ("Allogeneic Hematopoietic Stem Cell Transplantation", Modality.STEM_CELL_TRANSPLANT),
    ("Hematopoietic Cell Transplantation", Modality.STEM_CELL_TRANSPLANT),
    ("Donor lymphocyte infusion", Modality.OTHER_CELL_THERAPY),
    ("Expanded haploidentical NK cells", Modality.OTHER_CELL_THERAPY),
    ("Total-Body Irradiation", Modality.RADIATION),
    ("Anti-thymocyte globulin", Modality.OTHER),
    ("Placebo", Modality.OTHER),
    ("Laboratory Biomarker Analysis", Modality.PROCEDURE),
    ("Dendritic Cell Vaccine", Modality.OTHER_CELL_THERAPY),
    ("RSVPreF3 OA Investigational Vaccine", Modality.VACCINE),
]


@pytest.mark.parametrize(("name", "modality"), MODALITIES, ids=[n for n, _ in MODALITIES])
def test_modality_of_a_name(name: str, modality: Modality) -> None:
    reading = read_modality(name)
    assert reading is not None and reading.modality is modality


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Assess the Safety and Efficacy of CT0594CP Cells", ["CT0594CP"]),
        ("RD13-02 cell infusion", ["RD13-02"]),
        ("Safety Study to Assess AFM11 and BI 836826", ["AFM11", "BI 836826"]),
        (
            "JWCAR029 and C-CAR011 and UCART19 and SC-DARIC33",
            ["JWCAR029", "C-CAR011", "UCART19", "SC-DARIC33"],
        ),
        ("CD19 CAR-T and CART19 and CART-123 for COVID-19, HLA-A2, IL-15, EQ-5D", []),
        ("Dose Level 1, Phase 2, Day 28, Anti-CD19-CAR", []),
    ],
)
def test_product_codes(text: str, codes: list[str]) -> None:
    assert [m.group("code") for m in find_codes(text)] == codes


# ---------------------------------------------------------------------------------------------
# Sharpening, cell source, roles, MeSH
# ---------------------------------------------------------------------------------------------


def test_generic_intervention_takes_the_trials_cell_product() -> None:
    record = _record(
        Intervention("GENETIC", "Dose Level 1"),
        Intervention("GENETIC", "Dose Level 2"),
        brief_title="Gene Therapy for B-Cell NHL Using CD19 CAR Gene Transduced T Lymphocytes",
    )
    assert [i.modality for i in extract_interventions(record)] == [Modality.CAR_T, Modality.CAR_T]


def test_a_drug_given_with_the_cells_keeps_its_own_identity() -> None:
    record = _record(
        Intervention("BIOLOGICAL", "JCAR017"),
        Intervention("DRUG", "CC-122"),
        brief_title="A Trial of JCAR017 in Combination With CC-122 in DLBCL",
        brief_summary="JCAR017 CAR-T cells are given with CC-122.",
    )
    modalities = [i.modality for i in extract_interventions(record)]
    assert modalities == [Modality.CAR_T, None]


def test_history_of_car_t_does_not_make_a_product_a_car_t() -> None:
    record = _record(
        Intervention("BIOLOGICAL", "Biological"),
        brief_title="Donor Cells for Relapse",
        brief_summary="Patients who relapsed after CAR-T therapy receive donor cells.",
    )
    assert extract_interventions(record)[0].modality is not Modality.CAR_T


def test_cell_source_from_the_name_beats_the_trial_text() -> None:
    record = _record(
        Intervention("BIOLOGICAL", "CD33CART autologous"),
        Intervention("BIOLOGICAL", "CD33CART allogeneic"),
        brief_summary="Autologous or allogeneic CD33 CAR T cells after allogeneic transplant.",
    )
    assert [i.cell_source for i in extract_interventions(record)] == [
        CellSource.AUTOLOGOUS,
        CellSource.ALLOGENEIC,
    ]


def test_transplant_words_in_trial_text_are_not_the_products_source() -> None:
    record = _record(
        Intervention("BIOLOGICAL", "CD19 CAR T Cells"),
        brief_title="CD19 CAR T Cells for B Cell Malignancies After Allogeneic Transplant",
    )
    assert extract_interventions(record)[0].cell_source is None


def test_roles_around_a_car_t() -> None:
    record = _record(
        Intervention("BIOLOGICAL", "CD123-CAR T"),
        Intervention("DRUG", "Fludarabine and cyclophosphamide"),
        Intervention("DRUG", "Tocilizumab"),
        Intervention("DRUG", "Mesna"),
        Intervention("DRUG", "Rituximab"),
        brief_title="CD123-Directed Autologous T-Cell Therapy for AML",
    )
    roles = [i.role for i in extract_interventions(record)]
    assert roles == [
        InterventionRole.INVESTIGATIONAL,
        InterventionRole.LYMPHODEPLETION,
        InterventionRole.SUPPORTIVE,
        InterventionRole.SUPPORTIVE,
        InterventionRole.SUPPORTIVE,  # an antibody the trial never names: a CAR-T safety switch
    ]


def test_fludarabine_is_investigational_in_a_transplant_trial() -> None:
    record = _record(
        Intervention("DRUG", "Fludarabine"),
        Intervention("DRUG", "Busulfan"),
        Intervention("PROCEDURE", "Allogeneic stem cell transplantation"),
        brief_title="Reduced-intensity conditioning before allogeneic transplant",
    )
    assert {i.role for i in extract_interventions(record)} == {InterventionRole.INVESTIGATIONAL}


def test_comparators_by_name_and_by_arm() -> None:
    record = _record(
        Intervention("DRUG", "Obinutuzumab", arm_labels=("A",)),
        Intervention("DRUG", "Rituximab", arm_labels=("B",)),
        Intervention("DRUG", "Placebo", arm_labels=("A", "B")),
        arms=(Arm("A", "EXPERIMENTAL"), Arm("B", "ACTIVE_COMPARATOR")),
    )
    roles = [i.role for i in extract_interventions(record)]
    assert roles == [
        InterventionRole.INVESTIGATIONAL,
        InterventionRole.COMPARATOR,
        InterventionRole.COMPARATOR,
    ]


def test_arm_types_say_nothing_when_every_arm_is_a_comparator() -> None:
    """Two schedules of one treatment, both arms typed ACTIVE_COMPARATOR (NCT00290667 does
    this): the agents are the studied ones, and the comparator's antibody is then a target."""
    record = _record(
        Intervention("BIOLOGICAL", "Rituximab", arm_labels=("I", "II")),
        Intervention("DRUG", "Cyclophosphamide", arm_labels=("I", "II")),
        arms=(Arm("I", "ACTIVE_COMPARATOR"), Arm("II", "ACTIVE_COMPARATOR")),
    )
    assert extract_interventions(record)[0].role is InterventionRole.INVESTIGATIONAL


def test_an_antibody_only_in_the_comparator_arm_is_no_target() -> None:
    """Gold conventions: the targets are what the investigational agents bind; rituximab given
    only in the comparator arm beside an experimental one is the comparison, not the study."""
    record = _record(
        Intervention("DRUG", "Pixantrone", arm_labels=("A",)),
        Intervention("BIOLOGICAL", "Rituximab", arm_labels=("B",)),
        arms=(Arm("A", "EXPERIMENTAL"), Arm("B", "ACTIVE_COMPARATOR")),
        brief_title="Pixantrone versus investigator's choice in aggressive NHL",
    )
    assert extract_trial(record).targets == ()


def test_a_conjugate_given_with_a_transplant_is_studied_not_conditioning() -> None:
    """Alemtuzumab unnamed beside a transplant is conditioning (supportive); gemtuzumab
    ozogamicin in an AML protocol with a transplant is made to kill the tumour: studied."""
    record = _record(
        Intervention("DRUG", "Cytarabine"),
        Intervention("DRUG", "Gemtuzumab ozogamicin"),
        Intervention("DRUG", "Alemtuzumab"),
        Intervention("PROCEDURE", "Stem cell transplantation (SCT)"),
        brief_title="AflacLL1901 (CHOA-AML)",
    )
    roles = {i.name: i.role for i in extract_interventions(record)}
    assert roles["Gemtuzumab ozogamicin"] is InterventionRole.INVESTIGATIONAL
    assert roles["Alemtuzumab"] is InterventionRole.SUPPORTIVE
    assert [t.antigen.symbol for t in extract_trial(record).targets] == ["CD33"]


def test_a_regimen_is_not_its_supportive_first_word() -> None:
    record = _record(
        Intervention("DRUG", "Folinic Acid, Fluorouracil and Oxaliplatin"),
        Intervention("DRUG", "Bevacizumab"),
    )
    assert extract_interventions(record)[0].role is InterventionRole.INVESTIGATIONAL


def test_mesh_ids_come_from_the_records_own_terms_and_the_lexicon() -> None:
    # the terms and ids as the API v2 JSON of NCT05739630 gives them
    record = _record(
        Intervention("DRUG", "Fludarabine Phosphate"),
        Intervention("DRUG", "Cyclophosphamide 500 mg/m2"),
        Intervention("BIOLOGICAL", "Tisagenlecleucel"),
        intervention_mesh=(
            MeshTerm("C000024352", "Fludarabine"),
            MeshTerm("D003520", "Cyclophosphamide"),
            MeshTerm("D000970", "Antineoplastic Agents", ancestor=True),
        ),
    )
    fludarabine, cyclophosphamide, tisa = extract_interventions(record)
    assert fludarabine.mesh_ids == ("C000024352",)
    assert cyclophosphamide.mesh_ids == ("D003520",)
    assert tisa.mesh_ids == ("C000626284",)  # the curated SCR of the product


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_every_intervention_is_read_with_quoting_evidence(corpus) -> None:
    for record in corpus:
        infos = extract_interventions(record)
        assert [i.index for i in infos] == list(range(len(record.interventions)))
        assert [i.name for i in infos] == [i.name for i in record.interventions]
        for info in infos:
            for e in info.evidence:
                assert field_text(record, e.field)[e.start : e.end] == e.text, (record.trial_id, e)


@pytest.mark.corpus
def test_named_car_t_products_are_car_t(corpus) -> None:
    names = ("tisagenlecleucel", "axicabtagene", "kymriah", "yescarta", "jcar017", "ctl019")
    seen = 0
    for record in corpus:
        for intervention, info in zip(record.interventions, extract_interventions(record)):
            if intervention.name.lower().startswith(names):
                assert info.modality is Modality.CAR_T, (record.trial_id, intervention.name)
                seen += 1
    assert seen >= 8


@pytest.mark.corpus
def test_lymphodepletion_only_next_to_engineered_cells(corpus) -> None:
    found = 0
    for record in corpus:
        infos = extract_interventions(record)
        if any(i.role is InterventionRole.LYMPHODEPLETION for i in infos):
            found += 1
            assert any(
                i.modality in {Modality.CAR_T, Modality.CAR_NK, Modality.TCR_T} for i in infos
            ) or any(
                "lymphodeplet" in (i.description + i.name).lower() for i in record.interventions
            ), record.trial_id
    assert found >= 10


@pytest.mark.corpus
def test_json_mesh_ids_are_the_sources_own(corpus) -> None:
    """Ids come from the record's own intervention MeSH terms (or the curated lexicon)."""
    curated = {row["mesh_id"] for row in load_lexicon("products") if row["mesh_id"]}
    assigned = 0
    for record in corpus:
        own = {t.id for t in record.intervention_mesh if not t.ancestor}
        for info in extract_interventions(record):
            for mesh_id in info.mesh_ids:
                assert mesh_id in own or mesh_id in curated, (record.trial_id, info.name, mesh_id)
                assigned += 1
    assert assigned >= 50
