"""The outcome splitter: known shapes, and the accuracy floor measured on real outcomes whose
three parts the API v2 JSON keeps apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphbuild.model import OutcomeRole
from graphbuild.readers.outcomes import (
    join_like_csv,
    looks_complete,
    parse_outcomes,
    segments,
    split_outcome,
    split_outcome_list,
    splitter_accuracy,
)

ACCURACY_FLOOR = 0.97
XML_FLOOR = 0.92


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Overall survival, Up to 2 years",
            ("Overall survival", "", "Up to 2 years"),
            id="no-description",
        ),
        pytest.param(
            "ORR, Proportion of responders, at 4, 8, and 12 weeks",
            ("ORR", "Proportion of responders", "at 4, 8, and 12 weeks"),
            id="time-point-list",
        ),
        pytest.param(
            "Percent change in LDL-C, Change = (a - b) / b, 4, 8, and 12 weeks after administration",
            (
                "Percent change in LDL-C",
                "Change = (a - b) / b",
                "4, 8, and 12 weeks after administration",
            ),
            id="bare-number-list",
        ),
        pytest.param(
            "Quality of life, EORTC QLQ-C30 score., Baseline, Week 16",
            ("Quality of life", "EORTC QLQ-C30 score.", "Baseline, Week 16"),
            id="time-points-after-sentence",
        ),
        pytest.param(
            "Death in CR (DCR) (R1, R2 & R3)., Deaths in remission., up to 16 years",
            ("Death in CR (DCR) (R1, R2 & R3).", "Deaths in remission.", "up to 16 years"),
            id="commas-in-brackets",
        ),
        pytest.param(
            "Event-free survival, EFS, The time to relapse or death, Up to 1 years",
            ("Event-free survival, EFS", "The time to relapse or death", "Up to 1 years"),
            id="acronym-in-measure",
        ),
        pytest.param(
            "Number of participants with adverse events, including serious adverse events, per intensity, "
            "Within 24 hours",
            (
                "Number of participants with adverse events, including serious adverse events, per intensity",
                "",
                "Within 24 hours",
            ),
            id="measure-continues-lowercase",
        ),
        pytest.param(
            "Disease control, Response assessed by CT, through study completion, an average of 1 year",
            (
                "Disease control",
                "Response assessed by CT",
                "through study completion, an average of 1 year",
            ),
            id="time-clause-continues",
        ),
        pytest.param(
            "Dependent variables, Maximal inspiratory pressure: Expressed in cmH2O., Measurements will "
            "be performed at the time of recruitment (baseline) and at months 1, 2, 4, and 6 "
            "post-transplant.",
            (
                "Dependent variables",
                "Maximal inspiratory pressure: Expressed in cmH2O.",
                "Measurements will be performed at the time of recruitment (baseline) and at months "
                "1, 2, 4, and 6 post-transplant.",
            ),
            id="unit-first-list-after-a-sentence",
        ),
        pytest.param(
            "Duration of remission (DOR), The DOR will be assessed at months 12, 12 months",
            ("Duration of remission (DOR)", "The DOR will be assessed at months 12", "12 months"),
            id="unit-first-number-then-a-time-of-its-own",
        ),
        # sampling hours listed after "predose and": the list opens in the segment before it
        pytest.param(
            "Peak plasma concentration (Cmax) of acalabrutinib (Arm 1), Samples will be collected "
            "predose and 1, 4, 6 hours postdose on Cycle 1 Day 8 only",
            (
                "Peak plasma concentration (Cmax) of acalabrutinib (Arm 1)",
                "",
                "Samples will be collected predose and 1, 4, 6 hours postdose on Cycle 1 Day 8 only",
            ),
            id="predose-and-hours-list",
        ),
        pytest.param("Just a measure", ("Just a measure", "", ""), id="measure-only"),
    ],
)
def test_split_outcome(text: str, expected: tuple[str, str, str]) -> None:
    assert split_outcome(text) == expected


def test_segments_respect_matched_brackets_only() -> None:
    assert segments("a, b (c, d), e") == ["a", "b (c, d)", "e"]
    assert segments("(a, b") == ["(a", "b"]  # an unmatched opener protects nothing
    assert segments("x [1, 2]（3, 4）, y") == ["x [1, 2]（3, 4）", "y"]


def test_outcome_list_glues_a_pipe_inside_an_outcome() -> None:
    assert split_outcome_list("A, 1 day|CR|CRi rate, 2 days|D, 3 days") == [
        "A, 1 day",
        "CR|CRi rate, 2 days",
        "D, 3 days",
    ]
    assert split_outcome_list("A, 1 day|tail") == ["A, 1 day|tail"]
    assert split_outcome_list("only a measure") == ["only a measure"]


def test_parse_outcomes_cleans_parts() -> None:
    (o,) = parse_outcomes(
        "Ratio \\> 2, Defined as \\[x\\],  with  spaces, Day 28",
        OutcomeRole.OTHER,
        "Other Outcome Measures",
    )
    assert (o.role, o.measure, o.description, o.time_frame) == (
        OutcomeRole.OTHER,
        "Ratio > 2",
        "Defined as [x], with spaces",
        "Day 28",
    )
    assert o.source_field == "Other Outcome Measures"


def test_looks_complete() -> None:
    assert looks_complete("ORR, Responders, Up to 12 weeks")
    assert not looks_complete("ORR, Responders with CR;")
    assert not looks_complete("ORR, Responders, Up to 12 weeks|")
    assert not looks_complete("A measure only")


def _known_outcomes(folder: Path) -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_bytes())
        for study in data if isinstance(data, list) else data.get("studies", [data]):
            module = study["protocolSection"].get("outcomesModule", {})
            for key in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"):
                out += [
                    (o.get("measure", ""), o.get("description", ""), o.get("timeFrame", ""))
                    for o in module.get(key, [])
                ]
    return out


@pytest.mark.corpus
def test_absent_description_is_joined_as_the_csv_export_joins_it(corpus_dir: Path) -> None:
    """The CSV export writes `measure, time frame` for an outcome without description: check on
    a trial present in both the JSON and the CSV corpus."""
    import csv

    csv.field_size_limit(1 << 30)
    with open(
        corpus_dir / "ctgov_csv_export" / "johnNoxas_mrd_AML_ctg-studies.csv",
        newline="",
        encoding="utf-8",
    ) as f:
        cells = {row["NCT Number"]: row["Primary Outcome Measures"] for row in csv.DictReader(f)}
    data = json.loads(
        (
            corpus_dir / "ctgov_api_v2_json" / "dgg32_graph_bigquery_leukemia_ctg-studies.json"
        ).read_bytes()
    )
    checked = 0
    for study in data:
        nct = study["protocolSection"]["identificationModule"]["nctId"]
        for o in study["protocolSection"].get("outcomesModule", {}).get("primaryOutcomes", []):
            joined = join_like_csv(o["measure"], o.get("description", ""), o["timeFrame"])
            if nct in cells and not o.get("description") and joined in cells[nct]:
                checked += 1
    assert checked >= 2


@pytest.mark.corpus
def test_splitter_accuracy_floor(corpus_dir: Path) -> None:
    outcomes = _known_outcomes(corpus_dir / "ctgov_api_v2_json")
    assert len(outcomes) == 933
    assert sum(", " in t for _, _, t in outcomes) == 122  # time frames with commas inside
    assert sum(not d for _, d, _ in outcomes) == 139  # outcomes without description
    hits, misses = splitter_accuracy(outcomes)
    assert hits / len(outcomes) >= ACCURACY_FLOOR, misses[:5]


@pytest.mark.corpus
def test_splitter_on_older_xml_outcomes(corpus_dir: Path) -> None:
    """A second check on 2018 records, written differently (many without description)."""
    from graphbuild.readers import read_inputs

    outcomes = [
        (o.measure, o.description, o.time_frame)
        for r in read_inputs([corpus_dir / "ctgov_xml_2018"])
        for o in r.outcomes  # type: ignore[union-attr]
        if o.measure and o.time_frame
    ]
    assert len(outcomes) > 900
    hits, misses = splitter_accuracy(outcomes)
    assert hits / len(outcomes) >= XML_FLOOR, misses[:5]
