"""Target antigens: the three seeds exactly, the statement grammar on real phrasings, and the
whole corpus (evidence that points back into the text, no biomarker read as a target, the
hand-annotated gold set)."""

from __future__ import annotations

import json
import re
import time
from functools import cache
from pathlib import Path

import pytest

from graphbuild.extract.antigens.mentions import (
    antigen_entries,
    find_engager_arms,
    find_ligand_statements,
    find_statements,
)
from graphbuild.extract.antigens.targets import extract_targets
from graphbuild.extract.interventions.info import extract_interventions
from graphbuild.extract.text.fields import field_text, text_fields
from graphbuild.model import (
    Basis,
    Intervention,
    Outcome,
    OutcomeRole,
    Record,
    SourceFormat,
    SourceRef,
    TargetStatus,
)
from graphbuild.vocab.lexicon import load_lexicon, split_multi
from graphbuild.readers.inputs import read_inputs

GOLD = Path(__file__).parent / "gold" / "dev.jsonl"  # the development half (tuned on)


def _record(**fields) -> Record:
    fields.setdefault("trial_id", "T1")
    return Record(source=SourceRef("test", "0"), format=SourceFormat.FLAT, **fields)


def _targets(record: Record):
    return extract_targets(record, extract_interventions(record))


def _symbols(record: Record) -> set[str]:
    return {link.antigen.symbol for link in _targets(record)[0]}


@cache
def _read(path: Path) -> tuple[Record, ...]:
    return tuple(r for r in read_inputs([path]) if isinstance(r, Record))


@pytest.fixture(scope="module")
def seeds(examples_dir: Path) -> dict[str, Record]:
    return {r.trial_id[:3]: r for r in _read(examples_dir)}


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> tuple[Record, ...]:
    return _read(corpus_dir)


@pytest.fixture(scope="module")
def extracted(corpus) -> tuple[list[tuple], float]:
    """Every corpus record through interventions + targets once, and the CPU rate of it."""
    for record in corpus[:50]:  # warm the lexicon caches
        _targets(record)
    start = time.process_time()
    rows = []
    for record in corpus:
        interventions = extract_interventions(record)
        rows.append((record, interventions, *extract_targets(record, interventions)))
    return rows, len(corpus) / (time.process_time() - start)


# ---------------------------------------------------------------------------------------------
# The seeds
# ---------------------------------------------------------------------------------------------


def test_seed_000_names_no_target(seeds) -> None:
    links, status = _targets(seeds["000"])
    assert links == ()
    assert status is TargetStatus.UNSPECIFIED  # a CAR-T whose antigen the text never names


def test_seed_001_bcma_is_inferred_from_the_pd_outcome(seeds) -> None:
    record = seeds["001"]
    links, status = _targets(record)
    assert status is TargetStatus.INFERRED
    assert len(links) == 1
    (link,) = links
    assert (link.antigen.symbol, link.antigen.hgnc_id, link.antigen.label) == (
        "TNFRSF17",
        "HGNC:11913",
        "BCMA",
    )
    assert link.basis is Basis.INFERRED
    assert link.intervention_index == 0
    pd = next(i for i, o in enumerate(record.outcomes) if o.measure == "PD index")
    assert {e.field for e in link.evidence} == {f"outcomes[{pd}].description"}
    assert [e.text for e in link.evidence] == ["BCMA+", "free BCMA"]


def test_seed_002_cd7_is_stated_in_the_title(seeds) -> None:
    record = seeds["002"]
    links, status = _targets(record)
    assert status is TargetStatus.STATED
    assert [
        (l.antigen.symbol, l.antigen.hgnc_id, l.basis, l.intervention_index) for l in links
    ] == [("CD7", "HGNC:1695", Basis.STATED, 0)]
    first = links[0].evidence[0]
    assert (first.field, first.text, first.start) == ("brief_title", "CD7 CAR-T", 0)
    # "CD7+ T-ALL" and "CD7-positive" are biomarkers: never evidence of the target
    assert all("+" not in e.text and "positive" not in e.text for e in links[0].evidence)


def test_seed_001_by_hand_without_the_reader() -> None:
    """The inference rests on the outcome text, not on how a reader splits the file."""
    record = _record(
        brief_title="the Safety and Efficacy of SENL103 Autologous T Cell Injection",
        interventions=(Intervention("BIOLOGICAL", "SENL103"),),
        outcomes=(
            Outcome(
                OutcomeRole.PRIMARY,
                "Adverse events",
                "including cytokine release syndrome and neurotoxicity.",
            ),
            Outcome(
                OutcomeRole.SECONDARY,
                "PD index",
                "the proportion of BCMA+ plasma cells in peripheral blood, "
                "the concentration of free BCMA and the release of cytokines at each time point;",
            ),
        ),
    )
    links, status = _targets(record)
    assert status is TargetStatus.INFERRED
    assert [(l.antigen.symbol, l.basis) for l in links] == [("TNFRSF17", Basis.INFERRED)]


# ---------------------------------------------------------------------------------------------
# The statement grammar
# ---------------------------------------------------------------------------------------------

STATED = [
    ("CD7 CAR-T for Patients With r/r CD7+ T-ALL/T-LBL", {"CD7"}),
    ("anti-BCMA CAR-T cells", {"TNFRSF17"}),
    ("BCMA/CD19 dual CAR-T", {"TNFRSF17", "CD19"}),
    ("CD19-CD22 bispecific CAR", {"CD19", "CD22"}),
    ("CAR-T targeting GPRC5D", {"GPRC5D"}),
    ("CD19-directed CAR-T cells", {"CD19"}),
    ("CD123 CAR", {"IL3RA"}),
    (
        "CLL-1, CD33, CD38 and/or CD123-specific universal CAR- T cells",
        {"CLEC12A", "CD33", "CD38", "IL3RA"},
    ),
    ("AUTO3 (CD19/22 CAR T cells", {"CD19", "CD22"}),
    ("CAR-20/19-T", {"MS4A1", "CD19"}),
    ("CART-123 cells", {"IL3RA"}),
    ("Cryopreserved BE CAR7 T cells", {"CD7"}),
    ("CAR.70/IL15-transduced CB-NK cells", {"CD70"}),
    ("CD4CAR", {"CD4"}),
    ("SC-DARIC33", {"CD33"}),
    ("CLL1+CD33 CAR-T", {"CLEC12A", "CD33"}),
    ("CD 70 CAR T for Patients With CD70 Positive Malignant Hematologic Diseases", {"CD70"}),
    ("Optimised CD33 (FL-33) CAR T Therapy", {"CD33"}),
    ("CAR T Cells Targeting CD19 Positive Malignant B-cell", {"CD19"}),
    ("Genetically Modified T Cells Directed Against CD22", {"CD22"}),
    ("Durvalumab is a monoclonal antibody, targeted to PD-L1", {"CD274"}),
    ("Gemtuzumab attaches to CD33 positive cancer cells", {"CD33"}),
    # both arms of an engager (gold conventions v2; v1 counted only the tumour side)
    ("Anti-CD19 x Anti-CD3 Bispecific Monoclonal Antibody", {"CD19", "CD3E"}),
    ("CD123 x CD3 bispecific", {"IL3RA", "CD3E"}),
    ("A Phase 1 Trial of CD33xCD3 BsAb", {"CD33", "CD3E"}),
    ("a bispecific antibody targeting CD20 and CD3", {"MS4A1", "CD3E"}),
    ("CD33*CD3 BsAb", {"CD33", "CD3E"}),
    ("CD3/CD19 bispecific T-cell engager", {"CD19", "CD3E"}),
    ("anti-CD3 x anti-CD20 bispecific antibody armed T cells", {"MS4A1", "CD3E"}),
    # an antigen written inside a construct name, or in a title's antibody-drug conjugate
    ("CAR.CD19-CD28-zeta T cells", {"CD19"}),
    ("CAR.CD30 T cells", {"TNFRSF8"}),
    ("CD19.CAR T cells", {"CD19"}),
    ("CAR19 T cells", {"CD19"}),
    ("huCD19-CAR-T with CD28 and 4-1BB costimulatory domains", {"CD19"}),
    ("Phase 1 of STRO-001, an Anti-CD74 Antibody Drug Conjugate", {"CD74"}),
    # co-expressed parts of a construct are not targets
    ("PD1-CD28 switch receptor modified CD19 CAR-T", {"CD19"}),
    ("anti-PD-1 scFv-secreting CD19 CAR-T", {"CD19"}),
    ("IL-15 armored GPC3 CAR T cells", {"GPC3"}),
    ("iCasp9-CD19 CAR-T", {"CD19"}),
    ("CD19 CAR-T cells co-expressing a dominant negative PD-1 receptor", {"CD19"}),
    ("CD19-41BB-CD3zeta CAR", {"CD19"}),
    ("followed by PD-1 inhibitor maintenance", {"PDCD1"}),
    ("autologous anti-KRAS G12V/G12D mutation T-cell Receptor T cell", {"KRAS"}),
    (
        "Autologous Anti-CD19CAR-4-1BB-CD3zeta-EGFRt-expressing CD4+/CD8+ Central Memory T-lymphocytes",
        {"CD19"},
    ),
]

NOT_STATED = [
    "relapsed or refractory CD19+ B-ALL",
    "CD7-positive relapsed or refractory T-ALL",
    "CD33-expressing acute myeloid leukemia",
    "TCRαβ/CD19 Depletion of Stem Cell Grafts",
    "CD34+ selected peripheral blood stem cells",
    "anti-CD3/CD28 beads",
    "CD3+ T cells and CD3-zeta signalling",
    "cells binding on anti CD34 monoclonal antibody to paramagnetic beads",
    "patients who relapsed after CD19 CAR-T therapy",
    "prior anti-CD20 antibody therapy is allowed",
    "the number of CD4+ and CD8+ CAR T cells",
    "anti-thymocyte globulin",
    "HLA-matched donor",
    "FLT3 inhibitor gilteritinib",
    "loss of CD19 expression at relapse",
    "CD4/CD3 ratio in peripheral blood",
    "CD3/CD19 depletion of the graft",
]


@pytest.mark.parametrize(("text", "symbols"), STATED, ids=[t for t, _ in STATED])
def test_target_statements(text: str, symbols: set[str]) -> None:
    found = {m.symbol for s in find_statements(text) + find_engager_arms(text) for m in s.mentions}
    assert found == symbols


@pytest.mark.parametrize("text", NOT_STATED)
def test_biomarkers_history_and_reagents_are_not_statements(text: str) -> None:
    assert find_statements(text) == [] and find_engager_arms(text) == []


def test_statement_spans_quote_the_text() -> None:
    text = "Phase I study of anti-CD19 CAR-T cells"
    (statement,) = find_statements(text)
    assert text[statement.start : statement.end] == "anti-CD19 CAR-T"


def test_nkg2d_car_reaches_the_nkg2d_ligands_as_inferred() -> None:
    """Gold conventions v2: the binder of an NKG2D CAR is a construct part; the targets are the
    NKG2D ligands, implied rather than stated (as the IL3-ligand CAR's IL3RA)."""
    (statement,) = find_ligand_statements("NKG2D CAR-NK Cell Therapy in Relapsed AML")
    assert statement.inferred
    assert {m.symbol for m in statement.mentions} == {
        "MICA", "MICB", "ULBP1", "ULBP2", "ULBP3", "RAET1E", "RAET1G", "RAET1L"
    }
    record = _record(
        brief_title="NKG2D CAR-NK Cell Therapy in Patients With Relapsed or Refractory AML",
        interventions=(Intervention("BIOLOGICAL", "CAR-NK cells"),),
    )
    links, status = _targets(record)
    assert status is TargetStatus.INFERRED and len(links) == 8


def test_ligand_based_car_names_its_receptor_as_inferred() -> None:
    (statement,) = find_ligand_statements("IL3 CAR-T Cell Therapy for CD123 Positive AML")
    assert statement.inferred and [m.symbol for m in statement.mentions] == ["IL3RA"]
    record = _record(
        brief_title="IL3 CAR-T Cell Therapy for Patients With CD123 Positive Relapsed AML",
        interventions=(Intervention("DRUG", "IL3 CAR T-cells"),),
    )
    links, status = _targets(record)
    assert status is TargetStatus.INFERRED and [l.antigen.symbol for l in links] == ["IL3RA"]


# ---------------------------------------------------------------------------------------------
# Records: products, roles, status
# ---------------------------------------------------------------------------------------------


def test_named_product_gives_its_curated_target() -> None:
    record = _record(
        brief_title="Tisagenlecleucel in DLBCL",
        interventions=(Intervention("BIOLOGICAL", "Tisagenlecleucel"),),
    )
    links, status = _targets(record)
    assert status is TargetStatus.PRODUCT_LEXICON
    assert [(l.antigen.symbol, l.basis, l.intervention_index) for l in links] == [
        ("CD19", Basis.PRODUCT_LEXICON, 0)
    ]


def test_words_that_state_the_target_beat_the_lexicon() -> None:
    record = _record(
        brief_title="Study of KTE-C19 With Atezolizumab",
        brief_summary="KTE-C19 is an anti-CD19 chimeric antigen receptor T cell therapy; atezolizumab binds to PD-L1.",
        interventions=(
            Intervention("BIOLOGICAL", "axicabtagene ciloleucel"),
            Intervention("DRUG", "atezolizumab"),
        ),
    )
    links, status = _targets(record)
    assert status is TargetStatus.STATED
    assert {(l.antigen.symbol, l.basis, l.intervention_index) for l in links} == {
        ("CD19", Basis.STATED, 0),
        ("CD274", Basis.STATED, 1),
    }


def test_engager_lists_both_arms_from_the_product_lexicon() -> None:
    """Gold conventions v2: both arms of a bispecific count (v1: the tumour side only)."""
    record = _record(
        brief_title="Blinatumomab in B-ALL",
        interventions=(Intervention("BIOLOGICAL", "Blinatumomab"),),
    )
    assert _symbols(record) == {"CD19", "CD3E"}


def test_every_cd3_engager_in_the_product_lexicon_lists_its_cd3_arm() -> None:
    """Each product the lexicon notes as "... x CD3" carries CD3E beside its tumour antigen."""
    engagers = [row for row in load_lexicon("products") if "x CD3" in row["note"]]
    assert len(engagers) >= 12
    for row in engagers:
        antigens = split_multi(row["antigens"])
        assert "CD3E" in antigens and len(antigens) >= 2, row["name"]


def test_supportive_and_lymphodepleting_agents_carry_no_target() -> None:
    record = _record(
        brief_title="CD19 CAR-T cells for B-ALL",
        interventions=(
            Intervention("BIOLOGICAL", "CD19 CAR-T cells"),
            Intervention("DRUG", "Fludarabine"),
            Intervention("DRUG", "Tocilizumab"),
        ),
    )
    assert _symbols(record) == {"CD19"}


def test_chemotherapy_and_transplant_trials_are_not_applicable() -> None:
    record = _record(
        brief_title="CD34+ Selected Allogeneic Transplant After Busulfan",
        brief_summary="Grafts are CD34+ selected; patients with CD19+ disease after rituximab are eligible.",
        interventions=(
            Intervention("DRUG", "Busulfan"),
            Intervention("PROCEDURE", "Allogeneic stem cell transplantation"),
        ),
    )
    assert _targets(record) == ((), TargetStatus.NOT_APPLICABLE)


def test_history_in_the_summary_is_not_the_target() -> None:
    record = _record(
        brief_title="Anti-CD22 CAR-T Therapy for Lymphoma",
        brief_summary="Patients who relapsed after CD19 CAR-T therapy receive anti-CD22 CAR-T cells.",
        interventions=(Intervention("BIOLOGICAL", "CD22 CAR-T cells"),),
    )
    assert _symbols(record) == {"CD22"}


def test_background_antibody_in_a_small_molecule_trial_is_ignored() -> None:
    record = _record(
        brief_title="Ibrutinib in CLL",
        brief_summary="Rituximab has improved outcomes; this study tests ibrutinib.",
        interventions=(Intervention("DRUG", "Ibrutinib"),),
    )
    assert _targets(record) == ((), TargetStatus.NOT_APPLICABLE)


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

_CTL019 = re.compile(r"tisagenlecleucel|CTL019|kymriah", re.IGNORECASE)


@pytest.mark.corpus
def test_every_xml_record_of_tisagenlecleucel_targets_cd19(corpus) -> None:
    xml = [
        r
        for r in corpus
        if r.format is SourceFormat.XML
        and any(
            _CTL019.search(t)
            for t in (
                r.brief_title,
                r.brief_summary,
                r.detailed_description,
                *(i.name for i in r.interventions),
                *(o for i in r.interventions for o in i.other_names),
            )
        )
    ]
    assert len(xml) >= 5
    bases = []
    for record in xml:
        links, _ = _targets(record)
        cd19 = [l for l in links if l.antigen.symbol == "CD19"]
        assert cd19, record.trial_id
        bases += [l.basis for l in cd19]
    assert set(bases) <= {Basis.STATED, Basis.PRODUCT_LEXICON}
    assert Basis.PRODUCT_LEXICON in bases  # ELIANA never writes CD19


@pytest.mark.corpus
def test_cd19_car_t_json_record_is_stated(corpus) -> None:
    record = next(
        r for r in corpus if r.format is SourceFormat.JSON and r.trial_id == "NCT03937544"
    )
    links, status = _targets(record)
    assert status is TargetStatus.STATED
    assert [(l.antigen.symbol, l.basis) for l in links] == [("CD19", Basis.STATED)]
    assert links[0].evidence[0].field == "brief_title"


@pytest.mark.corpus
def test_chemotherapy_only_trials_are_not_applicable(corpus) -> None:
    chemo = [r for r in corpus if r.trial_id in {"NCT01515527", "NCT03507842"}]
    assert len(chemo) == 2
    for record in chemo:
        assert _targets(record) == ((), TargetStatus.NOT_APPLICABLE)


@pytest.mark.corpus
def test_cd34_selection_is_never_a_target(corpus) -> None:
    """CD34 is a graft-selection marker in transplant text ("CD34+ selected", "anti CD34 antibody
    to paramagnetic beads"); only a multi-target CAR-T names it as a target."""
    mentioning = [r for r in corpus if "CD34" in " ".join(t for _, t in text_fields(r))]
    assert len(mentioning) >= 10
    for record in mentioning:
        links, _ = _targets(record)
        for link in links:
            if link.antigen.symbol == "CD34":
                assert any(re.search(r"CAR|CART", e.text) for e in link.evidence), record.trial_id
    with_cd34 = [r.trial_id for r in mentioning if "CD34" in _symbols(r)]
    assert with_cd34 == [
        "NCT03473457"
    ]  # "CD38/CD33/CD56/CD123/CD117/CD133/CD34/ Mucl-targeted CAR-T"


@pytest.mark.corpus
def test_links_are_grounded_and_their_evidence_quotes_the_record(extracted) -> None:
    entries = antigen_entries()
    rank = {Basis.STATED: 0, Basis.PRODUCT_LEXICON: 1, Basis.INFERRED: 2}
    rows, _ = extracted
    for record, interventions, links, status in rows:
        if not links:
            assert status in {TargetStatus.UNSPECIFIED, TargetStatus.NOT_APPLICABLE}
            continue
        assert status.value == min((l.basis for l in links), key=rank.__getitem__).value
        for link in links:
            assert entries[link.antigen.symbol].hgnc_id == link.antigen.hgnc_id
            assert link.evidence, record.trial_id
            assert link.intervention_index is None or 0 <= link.intervention_index < len(
                interventions
            )
            for e in link.evidence:
                assert field_text(record, e.field)[e.start : e.end] == e.text, (record.trial_id, e)


@pytest.mark.corpus
def test_gold_set_antigens_and_status(extracted, seeds) -> None:
    """The hand-annotated gold set (tests/gold): antigen F1 >= 0.95 and status accuracy >= 0.9,
    measured on these extractors alone (readers + interventions + targets)."""
    rows, _ = extracted
    found = {
        (Path(r.source.file).as_posix(), r.trial_id): (links, status)
        for r, _, links, status in rows
    }
    for record in seeds.values():
        found[(f"examples/{Path(record.source.file).name}", record.trial_id)] = _targets(record)
    gold = [
        json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    tp = fp = fn = right = 0
    for entry in gold:
        ((links, status),) = [
            v for (f, t), v in found.items() if t == entry["trial_id"] and f.endswith(entry["file"])
        ]
        predicted, expected = {l.antigen.symbol for l in links}, set(entry["antigens"])
        tp, fp, fn = (
            tp + len(predicted & expected),
            fp + len(predicted - expected),
            fn + len(expected - predicted),
        )
        right += status.value == entry["target_status"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert 2 * precision * recall / (precision + recall) >= 0.95
    assert right / len(gold) >= 0.9


@pytest.mark.corpus
def test_extraction_compiles_no_regex_per_record(corpus, monkeypatch) -> None:
    sample = corpus[:100]
    for record in sample:  # warm the lexicon caches
        _targets(record)
    calls = []
    real = re._compile  # type: ignore[attr-defined]
    monkeypatch.setattr(re, "_compile", lambda *a, **k: calls.append(a) or real(*a, **k))
    for record in sample:
        _targets(record)
    assert calls == []


@pytest.mark.corpus
def test_extraction_keeps_up_with_a_full_dump(extracted) -> None:
    """Thousands of records per second on one idle core (CPU time); the floor is set far below
    that so a loaded machine does not fail it, but a per-record regex or lexicon load would."""
    _, rate = extracted
    assert rate > 400, f"{rate:.0f} records/s"


@pytest.mark.parametrize(
    ("title", "intervention", "symbols"),
    [
        # approved antibodies outside oncology: the target is the antigen the agent binds
        ("Eculizumab for Transplant-Associated Thrombotic Microangiopathy", "Eculizumab", {"C5"}),
        ("Emapalumab in Secondary HLH", "Emapalumab", {"IFNG"}),
        # bispecifics and fusion proteins: every arm
        ("Amivantamab in EGFR Exon 20 NSCLC", "Amivantamab", {"EGFR", "MET"}),
        ("Tebentafusp in Uveal Melanoma", "Tebentafusp", {"PMEL", "CD3E"}),
        ("Tagraxofusp in BPDCN", "SL-401", {"IL3RA"}),
        # a sponsor code or a brand name reaches the same product
        ("Study of JCARH125 in Multiple Myeloma", "JCARH125", {"TNFRSF17"}),
        ("Elahere in Ovarian Cancer", "Elahere", {"FOLR1"}),
        # TCR T cells: the peptide-HLA the receptor sees is the tumour antigen's
        ("Afami-cel in Synovial Sarcoma", "afamitresgene autoleucel", {"MAGEA4"}),
        ("GSK3377794 in Myxoid Liposarcoma", "GSK3377794", {"CTAG1B"}),
        # the INN's spelling (camidanlumab, not camidanlimab) and its sponsor code
        ("Camidanlumab Tesirine in Hodgkin Lymphoma", "Camidanlumab tesirine", {"IL2RA"}),
        ("ADCT-301 in Relapsed Lymphoma", "ADCT-301", {"IL2RA"}),
        # a bispecific ADC (both arms), anti-TL1A, agonist anti-DR5, a PSMA radioligand
        ("BL-B01D1 in Renal Cancer", "BL-B01D1", {"EGFR", "ERBB3"}),
        ("Tulisokibart for Hidradenitis Suppurativa", "Tulisokibart", {"TNFSF15"}),
        ("A Study of PRO95780 in Lymphoma", "PRO95780", {"TNFRSF10B"}),
        ("Mapatumumab in Solid Tumours", "HGS-ETR1", {"TNFRSF10A"}),
        ("Lu-177 PSMA Treatment in Renal Carcinoma", "Lu-177 PSMA-617", {"FOLH1"}),
        # sponsor codes of antibody-drug conjugates and bispecifics, two codes for one product
        ("A Study of DB-1311/BNT324 in Solid Tumours", "DB-1311/BNT324", {"CD276"}),
        ("BNT327 Plus Chemotherapy", "BNT327", {"CD274", "VEGFA"}),
        ("SHR-A2102 in Urothelial Carcinoma", "SHR-A2102", {"NECTIN4"}),
    ],
)
def test_curated_products_beyond_the_development_half(title: str, intervention: str, symbols: set[str]) -> None:
    record = _record(brief_title=title, interventions=(Intervention("BIOLOGICAL", intervention),))
    links, status = _targets(record)
    assert status is TargetStatus.PRODUCT_LEXICON
    assert {l.antigen.symbol for l in links} == symbols


def test_cytokine_blockade_beside_a_car_t_is_supportive() -> None:
    """Anakinra / lenzilumab given against CRS in a CAR-T trial carry no target."""
    record = _record(
        brief_title="Axicabtagene Ciloleucel With Anakinra to Prevent CRS",
        interventions=(
            Intervention("BIOLOGICAL", "Axicabtagene ciloleucel"),
            Intervention("DRUG", "Anakinra"),
            Intervention("DRUG", "Lenzilumab"),
        ),
    )
    assert _symbols(record) == {"CD19"}


def test_an_unknown_antibody_invents_no_target() -> None:
    record = _record(
        brief_title="Study of Xyzumab in Solid Tumors",
        interventions=(Intervention("DRUG", "Xyzumab"),),
    )
    links, status = _targets(record)
    assert links == () or list(links) == []
    assert status is not TargetStatus.PRODUCT_LEXICON


def test_a_product_the_patients_receive_is_background() -> None:
    """A product named as what the patients receive, that no intervention is, in a trial of a
    care model or a procedure, is no target; beside a listed drug it is the regimen studied."""
    care = _record(
        brief_title="A Study of Hospital-at-Home for People Receiving Tarlatamab",
        interventions=(Intervention("OTHER", "Hospital-at-Home"),),
    )
    assert _targets(care) == ((), TargetStatus.NOT_APPLICABLE)
    regimen = _record(
        brief_title="Study of Brexucabtagene Autoleucel Plus Dasatinib in Adults With ALL",
        interventions=(Intervention("DRUG", "Dasatinib"),),
    )
    links, status = _targets(regimen)
    assert status is TargetStatus.PRODUCT_LEXICON
    assert {l.antigen.symbol for l in links} == {"CD19"}
    # the same product listed as the intervention is the trial's own
    listed = _record(
        brief_title="Tarlatamab for People With Small Cell Lung Cancer",
        interventions=(Intervention("DRUG", "Tarlatamab"),),
    )
    assert _symbols(listed) == {"DLL3", "CD3E"}


def test_anti_cd25_with_a_transplant_is_host_immunosuppression() -> None:
    """Daclizumab / basiliximab given with a transplant prevent rejection or GVHD: supportive,
    no target; tested on their own (multiple sclerosis) they are the trial's agent."""
    transplant = _record(
        brief_title="Mycophenolate, Tacrolimus, Daclizumab, and Donor Stem Cell Transplantation",
        interventions=(
            Intervention("BIOLOGICAL", "daclizumab"),
            Intervention("DRUG", "tacrolimus"),
            Intervention("PROCEDURE", "peripheral blood stem cell transplantation"),
        ),
    )
    assert _targets(transplant) == ((), TargetStatus.NOT_APPLICABLE)
    alone = _record(
        brief_title="Daclizumab in Relapsing Multiple Sclerosis",
        interventions=(Intervention("BIOLOGICAL", "daclizumab"),),
    )
    assert _symbols(alone) == {"IL2RA"}


def test_an_unnamed_antibody_in_a_transplant_regimen_is_supportive() -> None:
    """Alemtuzumab or rituximab listed in a transplant's conditioning, never named by the titles
    or summary, is not what the trial tests; named in the title it is; a transplant that is only
    the patients' history ("who received ... transplantation") makes no regimen."""
    conditioning = _record(
        brief_title="Base Editing Stem Cell Gene Therapy for Hyper-IgM Syndrome",
        interventions=(
            Intervention("DRUG", "Busulfan"),
            Intervention("DRUG", "Alemtuzumab"),
            Intervention("BIOLOGICAL", "Autologous hematopoietic stem cell transplantation"),
        ),
    )
    assert _targets(conditioning) == ((), TargetStatus.NOT_APPLICABLE)
    named = _record(
        brief_title="Rituximab and Allogeneic Stem Cell Transplantation for B-cell Lymphoma",
        interventions=(
            Intervention("DRUG", "Rituximab"),
            Intervention("PROCEDURE", "Allogeneic hematopoietic stem cell transplantation"),
        ),
    )
    assert _symbols(named) == {"MS4A1"}
    history = _record(
        brief_title="Bendamustine for NHL Patients Who Received Autologous Stem Cell Transplantation",
        interventions=(Intervention("DRUG", "Bendamustine"), Intervention("DRUG", "Rituximab")),
    )
    assert _symbols(history) == {"MS4A1"}
