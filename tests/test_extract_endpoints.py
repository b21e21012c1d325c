"""Outcomes -> Endpoints: concepts with evidence, criteria, methods and time frames.

The seed records are read from ../shared/seeds with the project's readers and checked outcome
by outcome (the answers agree with tests/gold); the rules (abbreviation traps, definitions,
qualified adverse events, generic concepts, guards) are checked on short sentences written here."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graphbuild.extract.endpoints.outcomes import (
    concept_info,
    concept_vocabulary,
    criterion_info,
    extract_endpoint,
    extract_endpoints,
    find_concepts,
    find_criteria,
    find_methods,
    method_info,
)
from graphbuild.extract.text.fields import field_text
from graphbuild.model import (
    EndpointCategory,
    Outcome,
    OutcomeRole,
    Record,
    SourceFormat,
    SourceRef,
)

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("GRAPHBUILD_SHARED", REPO.parent / "shared")) / "seeds"


def keys(measure: str, description: str = "") -> list[str]:
    endpoint = extract_endpoint(0, Outcome(OutcomeRole.PRIMARY, measure, description))
    return [link.concept for link in endpoint.concepts]


def found(text: str) -> list[str]:
    return [hit.key for hit in find_concepts(text)]  # type: ignore[misc]


def record_of(*outcomes: Outcome) -> Record:
    return Record(trial_id="t1", source=SourceRef("t1.txt", "0"), format=SourceFormat.FLAT, outcomes=outcomes)


def assert_evidence_valid(record: Record) -> None:
    for endpoint in extract_endpoints(record):
        for link in endpoint.concepts:
            assert link.evidence, link
            for ev in link.evidence:
                assert ev.field in (f"outcomes[{endpoint.index}].measure", f"outcomes[{endpoint.index}].description")
                assert field_text(record, ev.field)[ev.start:ev.end] == ev.text


# --------------------------------------------------------------------------------------------
# The seeds, outcome by outcome
# --------------------------------------------------------------------------------------------

S, E, PK, PD = (
    EndpointCategory.SAFETY,
    EndpointCategory.EFFICACY,
    EndpointCategory.PHARMACOKINETICS,
    EndpointCategory.PHARMACODYNAMICS,
)
# (role, [(concept, category)...], (min, max, points, anchor), criteria, methods)
EXPECTED = {
    "000_9c2a9c0863e88fc2": [
        ("primary", [("DLT", S)], (21, 28, (), None), (), ()),
        ("secondary", [("TMAX", PK)], (0, 360, (), "first dose"), (), ()),
        ("secondary", [("CMAX", PK)], (0, 360, (), "first dose"), (), ()),
        ("secondary", [("AUC", PK)], (0, 360, (), "first dose"), (), ()),
        ("secondary", [("AE", S), ("TEAE", S), ("AESI", S), ("TRAE", S)], (0, 360, (), "first dose"), (), ()),
        (
            "secondary",
            [("ORR", E), ("CR", E), ("SCR", E), ("VGPR", E), ("DOR", E), ("PFS", E), ("OS", E), ("MRD", E)],
            (0, 360, (), "first dose"), ("IMWG",), (),
        ),
    ],
    "001_5b0f834bc6f69eca": [
        ("primary", [("AE", S), ("CRS", S), ("ICANS", S)], (0, 30, (), "infusion"), (), ()),
        (
            "secondary",
            [("SCR", E), ("CR", E), ("VGPR", E), ("PR", E), ("MR", E), ("SD", E), ("PFS", E), ("OS", E)],
            (0, 90, (), "infusion"), (), (),
        ),
        (
            "secondary",
            [("ANTIGEN_POSITIVE_CELLS", PD), ("SOLUBLE_ANTIGEN", PD), ("CYTOKINES", PD)],
            (0, 90, (), "infusion"), (), (),
        ),
        (
            "secondary", [("CMAX", PK), ("EXPANSION", PK), ("TMAX", PK), ("PERSISTENCE", PK)],
            (0, 90, (), "infusion"), (), ("flow cytometry", "qPCR"),
        ),
    ],
    "002_2917b9526c9dc599": [
        # gold conventions v2: the descriptions define DLT, ORR, DOR and EFS; the AEs and
        # response categories they are made of are no further endpoints
        ("primary", [("DLT", S), ("MTD", S)], (0, 28, (), "infusion"), (), ()),
        ("secondary", [("ORR", E)], (28, 84, (28, 56, 84), "infusion"), (), ()),
        ("secondary", [("ORR", E), ("MRD", E)], (0, 365, (), "infusion"), (), ()),
        ("secondary", [("DOR", E)], (0, 365, (), "infusion"), (), ()),
        ("secondary", [("EFS", E)], (0, 365, (), "infusion"), (), ()),
        ("secondary", [("HSCT_RATE", EndpointCategory.OTHER)], (0, 365, (), "infusion"), (), ()),
        ("secondary", [("OS", E)], (0, 365, (), "infusion"), (), ()),
    ],
}


@pytest.fixture(scope="module")
def seed_records() -> dict[str, Record]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is absent")
    from graphbuild.readers.inputs import read_inputs

    records = {r.trial_id: r for r in read_inputs([SEEDS]) if isinstance(r, Record)}
    assert set(EXPECTED) <= set(records)
    return records


@pytest.mark.parametrize("trial_id", sorted(EXPECTED))
def test_seed_endpoints_outcome_by_outcome(seed_records: dict[str, Record], trial_id: str) -> None:
    record = seed_records[trial_id]
    endpoints = extract_endpoints(record)
    assert len(endpoints) == len(EXPECTED[trial_id]) == len(record.outcomes)
    for endpoint, (role, concepts, frame, criteria, methods) in zip(endpoints, EXPECTED[trial_id]):
        where = f"{trial_id} outcome {endpoint.index}: {endpoint.measure!r}"
        assert endpoint.role.value == role, where
        assert [(c.concept, c.category) for c in endpoint.concepts] == concepts, where
        tf = endpoint.time_frame
        assert (tf.min_days, tf.max_days, tf.time_points_days, tf.anchor) == frame, where
        assert endpoint.criteria == criteria, where
        assert endpoint.methods == methods, where
        assert endpoint.measure == record.outcomes[endpoint.index].measure
        assert tf.text == record.outcomes[endpoint.index].time_frame


@pytest.mark.parametrize("trial_id", sorted(EXPECTED))
def test_seed_evidence_points_at_the_words(seed_records: dict[str, Record], trial_id: str) -> None:
    assert_evidence_valid(seed_records[trial_id])


def test_seed_000_efficacy_evidence_is_in_the_description(seed_records: dict[str, Record]) -> None:
    efficacy = extract_endpoints(seed_records["000_9c2a9c0863e88fc2"])[5]
    words = {link.concept: {ev.text for ev in link.evidence} for link in efficacy.concepts}
    assert {ev.field for link in efficacy.concepts for ev in link.evidence} == {"outcomes[5].description"}
    assert words["SCR"] >= {"strict complete response", "sCR"}
    assert words["MRD"] >= {"Minimal residual disease", "MRD"}


# --------------------------------------------------------------------------------------------
# Abbreviation traps
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("Incidence of CRS", ["CRS"], id="CR-in-CRS"),
        pytest.param("CR/CRi rate", ["CR", "CRI"], id="CR-and-CRi"),
        pytest.param("Rate of CRi", ["CRI"], id="CR-in-CRi"),
        # no PR inside "PRO"; and a patient-reported outcome is not by itself quality of life
        # (gold conventions: QOL instruments only; disease and symptom scores are not QOL)
        pytest.param("Change in PRO scores", [], id="PR-in-PRO"),
        pytest.param("Oxford Knee Score, a patient-reported outcome measure", [], id="PROM-not-QOL"),
        pytest.param("PROMIS Global Health scale", ["QOL"], id="PROMIS-global-QOL"),
        pytest.param("Lesions on MRI", [], id="MR-in-MRI"),
        pytest.param("MRD negativity", ["MRD"], id="MR-in-MRD"),
        pytest.param("SDS-PAGE band intensity", [], id="SD-in-SDS"),
        pytest.param("Diagnosis of COS", [], id="OS-inside-words"),
        pytest.param("TEAEs and AESIs", ["TEAE", "AESI"], id="AE-inside-abbreviations"),
        pytest.param("patients in CR1 at transplant", [], id="CR1-is-a-state"),
        # a pathologic complete response is a complete response (gold conventions: CR for
        # complete response), matched as its own abbreviation, never as "CR" inside "pCR"
        pytest.param("pCR rate", ["CR"], id="pathologic-CR-prefix"),
        pytest.param("pCRi", [], id="pathologic-CR-run-on"),
        pytest.param("mean ± SD of the score", [], id="standard-deviation"),
        pytest.param("standard deviation (SD) of counts", [], id="standard-deviation-bracket"),
        pytest.param("PR interval > 200 ms", [], id="ECG-PR-interval"),
        pytest.param("OS of patients in first complete remission", ["OS"], id="CR-state"),
        # a subgroup named by its response is where a measure is read, not a response measure
        pytest.param("summarized for those achieving a CR/CRi", [], id="response-subgroup-for-those"),
        pytest.param("MRD in Patients Who Have Achieved Complete Response", ["MRD"], id="response-subgroup-achieved"),
        pytest.param("analysed separately in patients in complete remission", [], id="response-subgroup-in"),
        pytest.param("Percentage of participants achieving complete remission", ["CR"], id="achieving-CR-is-the-measure"),
        pytest.param("Number of patients who achieve a CR or PR", ["CR", "PR"], id="achieve-CR-or-PR-is-the-measure"),
        # the events a DLT counts, named by it, are the DLT
        pytest.param("Incidence of adverse events defined as dose-limiting toxicities (DLT)", ["DLT", "DLT"], id="AE-defined-as-DLT"),
        pytest.param("subjects experienced adverse events, meeting the DLT definition", ["DLT"], id="AE-meeting-DLT"),
        pytest.param("Incidence of adverse events and dose-limiting toxicities", ["AE", "DLT"], id="AE-and-DLT-side-by-side"),
        pytest.param("dose expansion cohort", [], id="dose-expansion"),
        pytest.param("CAR-T cell expansion", ["EXPANSION"], id="cell-expansion"),
        pytest.param("chest wall expansion", [], id="non-cell-expansion"),
        pytest.param("major molecular response rate", ["MRD"], id="molecular-response-is-MRD"),
        pytest.param("complete cytogenetic response", [], id="cytogenetic-response"),
        pytest.param("area under the ROC curve", [], id="roc-auc"),
        pytest.param("AUClast and AUC0-inf", ["AUC", "AUC"], id="auc-run-on"),
        pytest.param("dose-limiting toxicities (DLTs)", ["DLT", "DLT"], id="plural-ies"),
        pytest.param("Common Terminology Criteria for Adverse Events", [], id="criteria-mask"),
    ],
)
def test_abbreviation_traps(text: str, expected: list[str]) -> None:
    assert found(text) == expected


def test_longest_match_wins() -> None:
    assert found("complete remission with incomplete blood count recovery") == ["CRI"]
    assert found("complete remission with partial hematologic recovery") == []
    assert found("GVHD-free, relapse-free survival") == ["GRFS"]
    assert found("Graft-versus-host disease (GvHD) free relapse-free survival") == ["GRFS"]
    assert found("treatment-emergent adverse events") == ["TEAE"]
    assert found("best overall response") == ["BOR"]
    assert found("time to maximum plasma concentration") == ["TMAX"]


def test_a_bracket_after_a_stop_phrase_names_the_phrase() -> None:
    assert found("standard deviation (SD) of counts") == []
    assert found("stable disease (SD)") == ["SD", "SD"]
    assert found("Relapse free survival (PFS)") == ["RFS", "PFS"]  # both named: both count


def test_structural_patterns() -> None:
    assert found("the proportion of BCMA+ plasma cells") == ["ANTIGEN_POSITIVE_CELLS"]
    assert found("CD19 expression on blasts") == ["ANTIGEN_POSITIVE_CELLS"]
    assert found("loss or diminished expression of CD19") == ["ANTIGEN_POSITIVE_CELLS"]
    assert found("free BCMA in serum") == ["SOLUBLE_ANTIGEN"]
    assert found("sBCMA") == ["SOLUBLE_ANTIGEN"]
    assert found("IL-6 and IFN-γ levels") == ["CYTOKINES", "CYTOKINES"]
    assert found("IL3 CAR-T cells") == []  # a CAR ligand, no cytokine read-out
    assert found("patients who proceed to allogeneic HSCT") == ["HSCT_RATE"]
    assert found("participants who do not undergo allogeneic stem cell transplantation") == []
    assert found("survival after HSCT") == ["OS"]
    assert found("Levels of anti-CD19 CAR T cells in blood") == ["PK"]
    assert found("anti-axicabtagene ciloleucel antibodies") == ["IMMUNOGENICITY"]
    assert found("complete remission with partial hematologic recovery (CRh)") == []  # CRh has no key
    assert found("complete remission with incomplete platelet recovery") == []  # nor has CRp
    assert found("CRi (complete remission without count recovery)") == ["CRI", "CRI"]


def test_bare_survival_is_overall_survival_only_on_its_own() -> None:
    assert found("Survival time of the patients") == ["OS"]
    assert found("1-year survival estimate") == ["OS"]
    assert found("Metastasis-free survival (MFS)") == []
    assert found("Survival curves will be drawn") == []
    assert found("Participants followed for survival every 6 months") == []
    assert found("Progress-free survival (PFS)") == ["PFS", "PFS"]


def test_guard_rejections_do_not_swallow_words() -> None:
    assert found("Incidence of Relapse-free Survival") == ["RFS"]
    assert found("Incidence of relapse") == ["CIR"]


# --------------------------------------------------------------------------------------------
# What an outcome measures
# --------------------------------------------------------------------------------------------


def test_definitions_are_not_further_endpoints() -> None:
    """Gold conventions v2 (v1 counted every concept named inside a definition)."""
    assert keys("Overall response rate", "Proportion of patients with CR or PR") == ["ORR"]
    assert keys("Duration of response", "Time from first CR to relapse or death") == ["DOR"]
    assert keys("Dose-limiting toxicity", "adverse events related to the study drug") == ["DLT"]
    assert keys(
        "Dose-limiting toxicity",
        "DLT is defined as grade >= 3 CRS, grade >= 3 ICANS, grade >= 2 acute GVHD or infection related to the product",
    ) == ["DLT"]
    assert keys("Overall response rate (CR + CRi + PR)") == ["ORR"]
    assert keys("Anti-tumor activity, calculated as the sum of stable disease, PR, and CR") == ["ORR"]
    assert keys("Efficacy", "Objective response, defined as a CR or PR per RECIST v1.1") == ["ORR"]
    assert keys("Disease control rate (DCR)", "Proportion of patients who achieve CR, PR or SD") == []
    # written in the measure itself, or side by side, they are endpoints
    assert keys("Duration of CR") == ["DOR", "CR"]
    assert keys("Number of Participants with Complete or Partial Response") == ["CR", "PR"]
    assert keys("Efficacy", "ORR, CR rate, DOR, PFS and OS") == ["ORR", "CR", "DOR", "PFS", "OS"]
    assert keys("Complete remission rate (ORR)") == ["CR", "ORR"]


def test_generic_wordings() -> None:
    """Gold conventions v2: generic wordings of response, persistence, MTD, relapse."""
    assert keys("Survival and function of CAR T cells") == ["PERSISTENCE"]
    assert keys("Number of patients with tumor response") == ["ORR"]
    assert keys("Antitumor effects", "Tumor load will be quantified with radiology") == ["ORR", "TUMOR_BURDEN"]
    assert keys("Clinical responses") == ["ORR"]
    assert keys("Response") == ["ORR"]
    assert keys("Hematological disease response to the CAR T cells") == ["ORR"]
    assert keys("Immune response to the vaccine") == []
    assert keys("The highest dose estimated to result in grade 3 toxicity in 30% of patients") == ["MTD"]
    assert keys("Relapse") == ["CIR"]
    assert keys("Time to hematological relapse") == ["CIR"]
    assert keys("Complete response (CR)", "Evidence of anti-leukemic activity") == ["CR"]
    assert keys("Time to first documented treatment response") == ["TTR"]
    assert keys("Percentage of participants who achieve overall remission (OR)", "Defined as CR or PR") == ["ORR"]
    # IL-2 given as a drug and IL-15 priming cells are no cytokine read-outs
    assert keys("Overall survival", "after CIML NK cell infusion plus IL-2") == ["OS"]
    assert keys("DLT", "a single infusion of ex vivo IL-15-stimulated NK cells") == ["DLT"]
    assert keys("Serum IL-6 levels") == ["CYTOKINES"]
    # the patients' disease is no read-out of antigen-positive cells; CD123 surface expression is
    assert keys("Overall survival", "in patients with relapsed CD19+ B cell malignancies") == ["OS"]
    assert keys("CD123 Surface Expression") == ["ANTIGEN_POSITIVE_CELLS"]
    # a condition of the measure, the implant's survival, the CAR T cells' engraftment
    assert keys("Efficacy", "anti-tumor activity at the recommended dose for expansion") == ["ORR"]
    assert keys("Implant survival") == []
    assert keys("CAR19 T-cell engraftment", "Engraftment, expansion and persistence of CAR19 T-cells") == [
        "EXPANSION", "PERSISTENCE"
    ]
    # unkeyed constructs defined by response categories, in the measure itself
    assert keys("CBR is defined as the percentage of patients who achieved at least one CR or PR or SD") == []
    assert keys("NED rate", "NED includes complete response (CR) or R0 resection") == []
    assert keys("Disease control rate based on participants who respond to treatment") == []


def test_non_hematologic_toxicity_is_no_cytopenia() -> None:
    """"non-hematologic toxicity" is every toxicity but the haematological ones: AE, never
    CYTOPENIA; the plain wording stays CYTOPENIA."""
    assert keys("Rate of grade 3-5 non-hematologic toxicities") == ["AE"]
    assert keys("Non-haematological toxicity") == ["AE"]
    assert keys("Grade >= 3 hematologic toxicity") == ["CYTOPENIA"]
    assert keys("Hematologic toxicity and non-hematologic toxicity") == ["CYTOPENIA", "AE"]


def test_new_concepts_of_the_v2_conventions() -> None:
    assert keys("Migration of CAR-T cells to the tumour") == ["TRAFFICKING"]
    assert keys("CMV viral load") == ["VIRAL_LOAD"]
    assert keys("CD4+ T cell count") == ["IMMUNE_RECONSTITUTION"]
    assert keys("Incidence of hypogammaglobulinemia") == ["IMMUNOGLOBULINS"]
    assert keys("Replication-competent lentivirus (RCL)") == ["RCL"]
    assert keys("ECOG performance status") == ["PERFORMANCE_STATUS"]
    assert keys("Clinically significant laboratory abnormalities") == ["LAB_ABNORMALITIES"]
    assert keys("Long-term follow-up for delayed adverse events") == ["LTFU", "AE"]
    # the other senses
    assert keys("Migration of the central venous catheter") == []
    assert keys("Anti-spike IgG levels") == []
    assert keys("Response in patients with high tumor burden") == ["ORR"]


def test_qualified_adverse_events_are_adverse_events() -> None:
    assert keys("Number of participants with treatment-emergent adverse events") == ["AE", "TEAE"]
    assert keys("Serious adverse events") == ["AE", "SAE"]
    assert keys("CAR T related toxicities") == ["AE", "TRAE"]
    assert keys("Toxicity", "grade 3 and higher toxicity (toxicity possibly attributed to CART22)") == ["AE", "TRAE"]
    assert keys("Adverse events", "regardless of whether related to the study drug") == ["AE"]
    assert keys("Incidence of dose-limiting (DLT) toxicity") == ["DLT"]


def test_named_syndromes_count_with_adverse_events() -> None:
    assert keys("Incidence of adverse events", "including cytokine release syndrome and neurotoxicity") == ["AE", "CRS", "ICANS"]


def test_generic_concepts_give_way_to_specific_ones() -> None:
    assert keys("PK index", "Cmax and Tmax of the cells") == ["CMAX", "TMAX"]
    assert keys("Pharmacokinetics (Tmax)") == ["TMAX"]
    assert keys("Pharmacokinetics of the product") == ["PK"]
    assert keys("Feasibility of manufacturing") == ["MANUFACTURING"]


def test_thresholds_inside_response_and_engraftment_are_not_endpoints() -> None:
    assert keys("CRi rate", "CR criteria except residual neutropenia or thrombocytopenia") == ["CRI"]
    assert keys("Engraftment", "Neutrophil recovery: ANC above 0.5 for three days") == ["ENGRAFTMENT"]
    assert keys("Time to neutrophil and platelet count recovery") == ["CYTOPENIA"]


def test_correlation_sentences_name_no_endpoint() -> None:
    # T-cell numbers are IMMUNE_RECONSTITUTION since the v2 conventions; the infections are correlates
    assert keys("Change in T-cell numbers", "Correlation with occurrence of infections will be explored.") == [
        "IMMUNE_RECONSTITUTION"
    ]
    assert keys("Infections", "Correlation with T-cell numbers will be explored.") == ["INFECTION"]


def test_pharmacokinetics_of_cytokines_is_pharmacodynamics() -> None:
    assert keys("Tmax of serum cytokine levels") == ["CYTOKINES"]
    assert keys("AUC of IL-6") == ["CYTOKINES"]


# --------------------------------------------------------------------------------------------
# Criteria, methods, vocabulary helpers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("graded per NCI CTCAE version 5.0", ["CTCAE v5.0"]),
        ("Common Terminology Criteria for Adverse Events (CTCAE) v4.03", ["CTCAE v4.03"]),
        ("CTCAE version (v) 4.03", ["CTCAE v4.03"]),
        ("CTCAE v5", ["CTCAE v5.0"]),
        ("according to iwCLL 2018 guidelines", ["iwCLL 2018"]),
        ("per the 2017 ELN recommendations", ["ELN 2017"]),
        ("by IMWG criteria", ["IMWG"]),
        ("ASTCT consensus grading of CRS and ICANS", ["ASTCT"]),
        ("the 2014 Lugano classification", ["Lugano 2014"]),
        ("RECIST 1.1", ["RECIST v1.1"]),
    ],
)
def test_criteria_with_versions(text: str, expected: list[str]) -> None:
    assert find_criteria(text) == expected


def test_criteria_codes_follow_the_version() -> None:
    assert criterion_info("RECIST v1.1").ncit_code == "C124415"  # type: ignore[union-attr]
    assert criterion_info("iwCLL 2018").ncit_code == "C178055"  # type: ignore[union-attr]
    assert criterion_info("CTCAE v5.0").ncit_code == "C49704"  # type: ignore[union-attr]
    assert criterion_info("IMWG").ncit_code is None  # type: ignore[union-attr]
    assert criterion_info("no such criteria") is None


def test_methods_prefer_the_specific_name() -> None:
    assert find_methods("measured by flow cytometry and qPCR") == ["flow cytometry", "qPCR"]
    assert find_methods("droplet digital PCR and NGS (clonoSEQ)") == ["ddPCR", "NGS"]
    assert find_methods("serum ELISA") == ["ELISA"]
    assert method_info("qPCR").ncit_code == "C51962"  # type: ignore[union-attr]


def test_endpoint_keeps_criteria_from_measure_and_description() -> None:
    endpoint = extract_endpoint(
        0, Outcome(OutcomeRole.SECONDARY, "Incidence of CRS", "Graded by ASTCT consensus; CTCAE v5.0 otherwise", "Day 28")
    )
    assert endpoint.criteria == ("ASTCT", "CTCAE v5.0")
    assert [c.concept for c in endpoint.concepts] == ["CRS"]
    assert endpoint.time_frame.max_days == 28


def test_concept_info() -> None:
    assert concept_info("CMAX") == ("maximum concentration (Cmax)", EndpointCategory.PHARMACOKINETICS, "C70918")
    assert concept_info("ORR")[1] is EndpointCategory.EFFICACY
    assert concept_info("ORR")[2] is None
    assert len(concept_vocabulary()) >= 51
    with pytest.raises(KeyError):
        concept_info("NOT_A_CONCEPT")


def test_record_without_outcomes_has_no_endpoints() -> None:
    assert extract_endpoints(record_of()) == ()


def test_hand_built_record_evidence_offsets() -> None:
    record = record_of(
        Outcome(OutcomeRole.PRIMARY, "Incidence of DLTs", "Dose-limiting toxicity per CTCAE v5.0", "Up to 28 days"),
        Outcome(OutcomeRole.SECONDARY, "Efficacy", "ORR、CR/sCR rate、VGPR、MRD-negative rate (IMWG)", "1 year"),
    )
    assert_evidence_valid(record)
    second = extract_endpoints(record)[1]
    assert [c.concept for c in second.concepts] == ["ORR", "CR", "SCR", "VGPR", "MRD"]
    assert second.criteria == ("IMWG",)


# --------------------------------------------------------------------------------------------
# The real corpus (API v2 JSON keeps measure, description and time frame apart)
# --------------------------------------------------------------------------------------------


def _json_outcomes(corpus: Path) -> list[Outcome]:
    outcomes = []
    for path in sorted((corpus / "ctgov_api_v2_json").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        studies = data.get("studies", [data]) if isinstance(data, dict) else data
        for study in studies:
            module = study.get("protocolSection", {}).get("outcomesModule", {})
            for kind, role in (("primaryOutcomes", OutcomeRole.PRIMARY), ("secondaryOutcomes", OutcomeRole.SECONDARY)):
                for o in module.get(kind, []):
                    outcomes.append(Outcome(role, o.get("measure", ""), o.get("description", ""), o.get("timeFrame", "")))
    return outcomes


@pytest.mark.corpus
def test_corpus_evidence_and_coverage(corpus_dir: Path) -> None:
    outcomes = _json_outcomes(corpus_dir)
    assert len(outcomes) > 800
    record = record_of(*outcomes)
    assert_evidence_valid(record)
    endpoints = extract_endpoints(record)
    with_concept = sum(bool(e.concepts) for e in endpoints) / len(endpoints)
    assert with_concept >= 0.55, f"only {with_concept:.1%} of outcomes name a concept"
    counted = {c.concept for e in endpoints for c in e.concepts}
    assert {"ORR", "CR", "OS", "PFS", "AE", "DLT", "CRS", "MRD", "GVHD"} <= counted


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        # a cause or onset qualifier across severity words still names its key, and the AE
        # words keep theirs (serious -> SAE, TEAE abbreviation -> TEAE)
        ("Rate of treatment-related serious adverse events", {"AE", "TRAE", "SAE"}),
        ("Number of participants with treatment-related SAEs", {"AE", "TRAE", "SAE"}),
        ("Number of participants with drug-related TEAEs", {"AE", "TRAE", "TEAE"}),
        ("Treatment-related grade 3 or higher adverse events", {"AE", "TRAE"}),
        ("Number of participants with treatment-emergent serious adverse events", {"AE", "TEAE", "SAE"}),
        ("Treatment-emergent grade >= 3 adverse events", {"AE", "TEAE"}),
        ("Number of participants with treatment-emergent AEs", {"AE", "TEAE"}),
        ("Number of participants with adverse events", {"AE"}),
    ],
)
def test_qualified_adverse_events(measure: str, expected: set[str]) -> None:
    assert set(keys(measure)) == expected


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        # response categories with no key of their own are no generic "response" (no ORR)
        ("Complete response with partial recovery (CRh)", set()),
        ("Morphologic leukemia-free state (MLFS)", set()),
        ("Complete remission with incomplete platelet recovery (CRp)", set()),
        ("Rate of CR, CRh and CRi", {"CR", "CRI"}),
        ("Response", {"ORR"}),
        # the title of a grading consensus adds no endpoint
        ("Incidence of CRS graded per ASTCT consensus on CRS and ICANS", {"CRS"}),
        ("ICANS graded by the ASTCT consensus criteria for CRS and neurologic toxicity", {"ICANS"}),
        ("Incidence of CRS and ICANS", {"CRS", "ICANS"}),
    ],
)
def test_unkeyed_responses_and_criteria_titles(measure: str, expected: set[str]) -> None:
    assert set(keys(measure)) == expected


def test_duration_of_a_named_response_is_dor() -> None:
    """"Duration of overall remission" / "of hematologic response" is DOR, never ORR."""
    assert keys("Duration of Overall Remission (OR)") == ["DOR"]
    assert keys("Duration of hematologic response") == ["DOR"]
    assert keys("Duration of complete remission") == ["DOR", "CR"]


def test_the_definition_of_tmax_adds_no_cmax() -> None:
    assert keys(
        "Time of maximum concentration (Tmax)",
        "Tmax is defined as the time required for a drug to reach peak concentration in plasma.",
    ) == ["TMAX"]
    assert keys("Cmax", "the peak concentration of the drug in plasma") == ["CMAX"]
    assert keys("Time after administration when maximum concentration in plasma is reached (Tmax)") == ["TMAX"]


def test_safety_wordings_of_the_development_supplement() -> None:
    """Classes seen on records never tuned on: therapy-associated toxicity is a treatment-related
    AE; grade >= 3 anaemia a cytopenia; DLQI a quality-of-life index; the definition of an AE
    ("including an abnormal laboratory finding") no laboratory end point; T-cell subsets of the
    infused product its kinetics, not the patient's immune reconstitution."""
    assert keys("Toxicity analysis", "Therapy associated toxicity per CTCAE V5.0") == ["AE", "TRAE"]
    assert keys("The incidence of grade 3 or 4 anemia during chemotherapy") == ["CYTOPENIA"]
    assert keys("Change from baseline in Dermatology Life Quality Index (DLQI)") == ["QOL"]
    assert keys(
        "Number of Participants With >=1 Adverse Event (AE)",
        "An AE can be any unfavorable sign (including an abnormal laboratory finding)",
    ) == ["AE"]
    assert keys("Clinically significant laboratory abnormalities") == ["LAB_ABNORMALITIES"]
    assert keys("Persistence of transferred T cell receptor (TCR) CD4+ T cells in blood") == ["PERSISTENCE"]
    assert keys("Recovery of CD4+ T cells after transplant") == ["IMMUNE_RECONSTITUTION"]
    assert keys("Pathologic complete response (pCR)") == ["CR"]


def test_survival_of_the_infused_cells_is_persistence() -> None:
    assert keys("Survival of CD19.CAR-ATLs") == ["PERSISTENCE"]
    assert keys("Survival of the donor T cells") == ["PERSISTENCE"]
    assert keys("Overall survival of patients treated with CAR T cells") == ["OS"]


def test_correlates_are_not_measured() -> None:
    """Concepts named only as correlates (gold conventions) add nothing, in the measure too:
    "association between ... and", "in relation to", "markers of", "predictive of"."""
    assert keys("Association between CD8+ T cell population levels and overall survival") == []
    assert keys("Markers of response and resistance by exome sequencing") == []
    assert keys("Distribution of age", "Age will be analysed in relation to treatment response.") == []
    assert keys("Overall survival", "OS will be correlated with CD123 expression.") == ["OS"]
    assert keys("Response") == ["ORR"]


def test_molecular_remission_recurrence_and_haematopoietic_wordings() -> None:
    """A molecular CR is MRD, not CR (gold conventions), also under "duration of"; recurrence
    rates are relapse (CIR); haematopoietic toxicity a cytopenia; "therapy response" ORR."""
    assert keys("The molecular CR rate") == ["MRD"]
    assert keys("The duration of molecular CR") == ["DOR", "MRD"]
    assert keys("The CNS recurrence rate") == ["CIR"]
    assert keys("Recurrence-free survival") == ["RFS"]
    assert keys("Haematopoietic toxicity of the regimen") == ["CYTOPENIA"]
    assert keys("Efficacy analysis", "Therapy response will be evaluated according to RECIST 1.1") == ["ORR"]


def test_more_names_of_mtd_trm_and_transplant_rate() -> None:
    assert keys("Maximal Tolerable Dose") == ["MTD"]
    assert keys("Non-disease-related Mortality") == ["TRM"]
    assert keys("Hematopoietic Stem Cell Transplantation (HSCT) Rate") == ["HSCT_RATE"]


def test_complete_and_partial_response_together_are_one_overall_response() -> None:
    """Rule 7 (gold conventions): CR and PR named as the kinds of one response measure."""
    assert keys("Number of Participants With a Confirmed Response [Complete Response (CR) and Partial Response (PR)]") == ["ORR"]
    assert keys("Response profile, defined to be a CR or PR noted as the objective status") == ["ORR"]
    assert keys("Percentage of Participants With A Best Overall Response of CR or Partial Response (PR)") == ["BOR"]
    # ... but a measure that lists them side by side, with no response of its own, keeps both
    assert keys("CR rate and PR rate") == ["CR", "PR"]


def test_pathologic_response_is_a_response() -> None:
    assert keys("Major pathological response rate (MPR)") == ["ORR"]
    assert keys("Pathologic complete response") == ["CR"]


def test_survivals_with_their_own_event_are_not_overall_survival() -> None:
    assert keys("2-year Distant Metastasis-Free Survival Rate") == []
    assert keys("2-year Laryngectomy-free Survival Rate", "Laryngectomy-free survival (LFS) is the time to laryngectomy") == []
    assert keys("Leukemia-free survival (LFS) after transplant") == ["LFS"]
    assert keys("Overall survival") == ["OS"]


def test_viral_reactivation_is_viral_load_and_a_dose_level_is_no_endpoint() -> None:
    assert keys("Evaluate number of patients with viral reactivation") == ["VIRAL_LOAD"]
    assert keys("Safety: EBV reactivation") == ["VIRAL_LOAD"]
    assert keys("Number of dose delays at the MTD") == []
    assert keys("Time To Relapse", "TTR") == ["CIR"]
    assert keys("SAEs related to study intervention") == ["AE", "SAE", "TRAE"]


def test_rulings_r12_r16_r17_and_cytokine_kinetics() -> None:
    """Gold conventions R12 (virus-specific T cells), R16 (rendered transplant-eligible), R17
    (KCCQ), and the kinetics of a cytokine being pharmacodynamics, not PK."""
    assert keys(
        "The proportion of patients with detectable T-cell response (IFNgamma ELISPOT) to CMV",
        "The proportion of patients with detectable peripheral blood T-lymphocytes specific for CMV antigens",
    ) == ["IMMUNE_RECONSTITUTION"]
    assert keys("Percentage of patients who are rendered transplant-eligible") == ["HSCT_RATE"]
    assert keys("Change in KCCQ score") == ["QOL"]
    assert keys("Tmax of serum cytokine levels") == ["CYTOKINES"]
    assert keys("Tmax of CAR-T cells") == ["TMAX"]
    assert keys(
        "Number of Participants With >=1 Adverse Event (AE)",
        "An AE is any untoward medical occurrence, whether or not considered related to the study intervention.",
    ) == ["AE"]


def test_vaccine_immunogenicity_reactogenicity_and_survival_definitions() -> None:
    """Fifth round (fourth supplement): vaccine read-outs, CRi written with "rate", an ex vivo
    AUC, and the events an event-free survival is defined by."""
    assert keys("Geometric Mean Titer (GMT) of rotavirus IgG and Neutralizing Antibody Titer") == [
        "IMMUNOGENICITY"
    ]
    assert keys("Percentage of Subjects with Seroconversion") == ["IMMUNOGENICITY"]
    assert keys("Any solicited systemic reactions from vaccination") == ["AE"]
    assert keys("Treatment toxicities", "by CTCAE version 5.0") == ["AE", "TRAE"]
    assert keys("Minimum residual disease negative rate") == ["MRD"]
    assert keys(
        "Percentage of Participants Achieving Complete Response rate with Incomplete Hematologic "
        "Recovery (CRi)"
    ) == ["CRI"]
    assert keys("Drug sensitivity profiles", "ex vivo culture results as IC50 and AUC values") == []
    assert keys(
        "Event-free survival",
        "Staying free of event such as relapse, death or a Serious Adverse Event that causes "
        "discontinuation",
    ) == ["EFS"]
    # "per patient with LRTI" describes who, not what is measured: LRTI is no concept of its own
    assert keys("Costs", "costs of antibiotic therapy per patient with LRTI") == []


def test_cell_kinetics_only_in_trials_that_give_cells() -> None:
    """Expansion, persistence and trafficking are kinetics of infused cells: a drug study of
    organoids has none, a CAR-T study keeps them."""
    from graphbuild.extract.trial import extract_trial
    from graphbuild.model import Intervention, Outcome, Record, SourceFormat, SourceRef

    outcome = Outcome(OutcomeRole.PRIMARY, "Quantitative change in cell proliferation",
                      "Cell survival, quantified by cell viability assays")

    def trial_keys(intervention: Intervention) -> list[str]:
        record = Record(trial_id="t", source=SourceRef("t.txt", "0"), format=SourceFormat.FLAT,
                        brief_title="A study", interventions=(intervention,), outcomes=(outcome,))
        return [c.concept for c in extract_trial(record).endpoints[0].concepts]

    assert trial_keys(Intervention("DRUG", "palbociclib")) == []
    assert set(trial_keys(Intervention("BIOLOGICAL", "CD19 CAR T cells"))) == {"EXPANSION", "PERSISTENCE"}


def test_time_to_event_written_as_its_definition() -> None:
    """Rule 8 (sixth round, classes of the fifth development supplement): a measure that writes a
    time to event out with no name says what it is by its start and its events; the response
    and relapse words of the definition are no endpoints of their own."""
    assert keys(
        "Time from the first documented evidence of CR or CRi or CRh or MLFS until disease relapse "
        "or death due to any cause, whichever comes first"
    ) == ["DOR"]
    assert keys(
        "Time interval from the first study drug administration to the date of earliest evidence "
        "of relapse, treatment failure, or death"
    ) == ["EFS"]
    assert keys("Time from first study drug administration to death due to any cause") == ["OS"]
    # a named measure keeps its name; a death among other events is no overall survival
    assert keys("Duration of response", "Time from first CR to relapse or death") == ["DOR"]
    assert "OS" not in keys("Time from randomization to disease progression or death due to any cause")


def test_pharmacokinetic_and_laboratory_wordings_of_the_fifth_supplement() -> None:
    """Excretion (mass-balance studies) and the elimination rate constant are pharmacokinetics;
    "time to Cmax" is Tmax alone; liver and kidney function tests are laboratory values."""
    assert keys("Percentage of Dose Excreted in Urine (feu)") == ["PK"]
    assert keys("Amount Excreted in Feces (Aef)") == ["PK"]
    assert keys("Terminal phase elimination rate constant (λz) of the study drug") == ["PK"]
    assert keys("Time to Cmax (Tmax) of the study drug", "Tmax of the study drug") == ["TMAX"]
    assert keys("AST (U/L)", "Liver function test evaluates the health of liver, assessing the tablets' safety.") == [
        "LAB_ABNORMALITIES"
    ]


def test_other_survivals_and_curves_of_the_fifth_supplement() -> None:
    """The survival of an implant or a graft is how long it stays in place, not overall
    survival; the area under a pain-score or a forecast curve is no drug exposure; adverse
    device events are adverse events."""
    assert keys(
        "Performance of the implant-prosthetic system by measuring the survival rate at 1 year",
        "Survival rate of zygomatic implants 1 year after the surgical procedure",
    ) == []
    assert keys("Graft survival at 1 year") == []
    assert keys("Overall survival at 1 year") == ["OS"]
    assert keys("24 hours area under curve of postoperative pain score") == []
    assert keys(
        "Forecast performance",
        "Quantified as the area-under-the sensitivity vs. time in warning curve (AUC)",
    ) == []
    assert keys("Area under the plasma concentration-time curve (AUC) of the study drug") == ["AUC"]
    # ... but a graft or pain named beside an overall survival or a drug's AUC drops neither
    assert keys("Graft failure and overall survival") == ["ENGRAFTMENT", "OS"]
    assert keys("Patients who received a graft: overall survival at 1 year") == ["OS"]
    assert keys("Pain scores and the plasma AUC of morphine") == ["AUC"]
    assert keys("Immediate and delayed complications (adverse device events)") == ["AE"]


def test_wordings_of_the_sixth_supplement() -> None:
    """Development records drawn on 2026-12-08 (the sixth supplement), as the gold reads them."""
    assert keys("Financial toxicity", "Assess financial toxicity using the PROFFIT questionnaire") == []
    # a response criterion, not a lymphocyte measure
    assert keys(
        "ORR per iwCLL criteria",
        "CR is defined as: no lymph nodes >1.5 cm; no constitutional symptoms, normal lymphocyte count",
    ) == ["ORR"]
    assert keys("Levels of immune cells", "Measured by flow cytometry for cell subsets: T-cells.") == [
        "IMMUNE_RECONSTITUTION"
    ]
    assert keys("36-Item Short Form Health Survey (SF-36)") == ["QOL"]
    assert keys("quality-adjusted life-years (QALYs)") == ["QOL"]
    assert "LAB_ABNORMALITIES" in keys(
        "Safety Evaluation Indicators", "Adverse events (AEs), Serious Adverse Events (SAEs), clinical laboratory test"
    )
