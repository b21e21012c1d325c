"""The three seed records (the spec) parse into exactly the fields their text holds, the
flat layout's field boundaries come from the text, not from line counts, and every field but
the title may be empty (an empty line, or the text ends early) without a reject."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from graphbuild.model import OutcomeRole, Record, Reject, SourceFormat
from graphbuild.readers import flat

SEED_000 = "000_9c2a9c0863e88fc2.txt"
SEED_001 = "001_5b0f834bc6f69eca.txt"
SEED_002 = "002_2917b9526c9dc599.txt"


def read_one(path: Path) -> Record:
    (item,) = list(flat.read(path))
    assert isinstance(item, Record), item
    return item


def parts(record: Record, role: OutcomeRole) -> list[tuple[str, str, str]]:
    return [(o.measure, o.description, o.time_frame) for o in record.outcomes_by_role(role)]


def test_seed_000(examples_dir: Path) -> None:
    r = read_one(examples_dir / SEED_000)
    assert r.trial_id == "000_9c2a9c0863e88fc2" and r.nct_id is None
    assert r.format is SourceFormat.FLAT
    assert r.brief_title == (
        "Assess the Safety and Efficacy of CT0594CP Cells in Relapsed/Refractory Multiple Myeloma "
        "or Plasma Cell Leukemia"
    )
    assert r.brief_summary.startswith(
        "This is an open-label, single arm study to evaluate the safety"
    )
    assert r.conditions == (
        "Relapsed and/or Refractory Multiple Myeloma",
        "Plasma Cell Leukemia in Relapse",
    )
    assert [(i.type, i.name) for i in r.interventions] == [("OTHER", "Biological")]
    assert parts(r, OutcomeRole.PRIMARY) == [
        (
            "Safety and tolerability dose limiting toxicity",
            "Safety and tolerability: dose limiting toxicity [Time Frame: 21-28 days post administration of CT0594CP ]",
            "21-28 days",
        )
    ]
    secondary = parts(r, OutcomeRole.SECONDARY)
    assert [m for m, _, _ in secondary] == [
        "Pharmacokinetics of CT0594CP CAR-T Cells (Tmax)",
        "Pharmacokinetics of CT0594CP CAR-T Cells (Cmax)",
        "Pharmacokinetics of CT0594CP CAR-T Cells (AUC)",
        "To evaluate the overall safety and tolerability of CT0594CP",
        "To evaluate the initial efficacy of CT0594CP infusion in target subjects",
    ]
    assert (
        secondary[0][1]
        == "peak plasma Concentration time(Tmax), of after infusion CT0594CP CAR T Cells"
    )
    assert (
        secondary[0][2]
        == "From first dose of study drug adminisration to end of treatment (up to 12 months)"
    )
    assert secondary[3][1] == (
        "Post-treatment Adverse events (TEAE) and incidence, Special Concern Adverse Events (AESI) "
        "and incidence, treatment-related adverse events"
    )
    # the last outcome continues after a blank line: one description across it
    last_description = secondary[4][1]
    assert last_description.startswith("Overall response rate (ORR)、 Complete response")
    assert "were achieved\n\n、Duration of response (DOR)" in last_description
    assert last_description.endswith("criteria after CT0594CP infusion")
    assert (
        secondary[4][2]
        == "From first dose of study drug administration to end of treatment (up to 12 months)"
    )
    assert r.detailed_description.startswith(
        "This is an open-label, single arm, dose-escalation clinical study"
    )
    assert r.origins["brief_title"] == "line 1" and r.origins["interventions"] == "line 4"
    assert r.origins["outcomes"] == "lines 5-8" and r.origins["detailed_description"] == "line 9"
    assert r.outcomes[0].source_field == "line 5" and r.outcomes[1].source_field == "lines 6-8"


def test_seed_001(examples_dir: Path) -> None:
    r = read_one(examples_dir / SEED_001)
    assert r.brief_title == "the Safety and Efficacy of SENL103 Autologous T Cell Injection"
    assert r.conditions == ("Multiple Myeloma",)
    assert [(i.type, i.name) for i in r.interventions] == [("BIOLOGICAL", "SENL103")]
    assert parts(r, OutcomeRole.PRIMARY) == [
        (
            "To observe the number and incidence of adverse events after intravenous infusion of SENL103.",
            (
                "The number, incidence and severity of all recorded adverse reactions, including "
                "cytokine release syndrome and neurotoxicity."
            ),
            "within 1 months after SENL103 infusion.",
        )
    ]
    secondary = parts(r, OutcomeRole.SECONDARY)
    assert [m for m, _, _ in secondary] == ["Efficacy indicators", "PD index", "PK index"]
    assert {t for _, _, t in secondary} == {"within 3 months after SENL103 infusion."}
    assert secondary[1][1] == (
        "the proportion of BCMA+ plasma cells in peripheral blood, the concentration of free BCMA and "
        "the release of cytokines at each time point;"
    )
    assert secondary[2][1].startswith(
        "the highest concentration of SENL103 cells amplified in peripheral blood (Cmax,"
    )
    # the detailed description spans six lines with a blank one and a numbered list
    assert r.origins["detailed_description"] == "lines 7-12"
    assert r.detailed_description.startswith("Primary endpoint To observe the number and incidence")
    assert "Secondary endpoints\n\n1. Efficacy indicators:" in r.detailed_description
    assert r.detailed_description.endswith("before and after treatment were observed.")


def test_seed_002(examples_dir: Path) -> None:
    r = read_one(examples_dir / SEED_002)
    assert r.brief_title == "CD7 CAR-T for Patients With r/r CD7+ T-ALL/T-LBL"
    assert r.conditions == (
        "Neoplasms",
        "Hematologic Neoplasms",
        "Neoplasms by Site",
        "Hematologic Diseases",
    )
    assert [(i.type, i.name) for i in r.interventions] == [("DRUG", "RD13-02 cell infusion")]
    primary = parts(r, OutcomeRole.PRIMARY)
    assert primary == [
        (
            "Dose-limiting toxicity and Maximum Tolerated dose",
            (
                "The DLT is evaluated as the proportion of patients who experienced adverse events "
                "related to RD13-02 that meet the criteria for DLT events after the first infusion."
            ),
            "Up to 28 days after CAR-T cells infusion",
        )
    ]
    secondary = parts(r, OutcomeRole.SECONDARY)
    assert len(secondary) == 6
    assert secondary[0] == (
        "Overall response rate,ORR",
        (
            "The proportion of patients with CR (complete remission) /CRi (complete remission with "
            "incomplete blood count recovery);\n\nThe proportion of patients with CR (complete "
            "response) /CRi (complete response with incomplete blood cell recovery) and PR (partial "
            "response)."
        ),
        "Evaluate at 4, 8, and 12 weeks after CAR-T infusion",
    )
    assert [m for m, _, _ in secondary[1:]] == [
        "Overall response rate with MRD-negative,MRD-ORR",
        "Duration of remission,DOR",
        "Event-free survival, EFS",
        "The proportion of patients who receive hematopoietic stem cell transplantation",
        "Overall survival, OS",
    ]
    assert {t for _, _, t in secondary[1:]} == {"Up to 1 years after CAR-T infusion"}
    assert secondary[5][1] == "The time from CAR-T infusion to death due to any cause"
    assert r.detailed_description.startswith(
        "This is a single-arm, open-label, single-center, phase I study."
    )


SEED_LIKE = [
    "A title",
    "A summary, first paragraph.",
    "",
    "A summary, second paragraph.",
    "Disease A|Disease B",
    "DRUG: X-1|DIETARY_SUPPLEMENT: Vitamin D",
    "Response rate, Proportion of responders, Up to 12 weeks",
    "Overall survival, Time to death,",
    "measured from enrolment, Up to 2 years|Toxicity, Adverse events, 28 days",
    "Description line one.",
    "",
    "Description line two.",
]


def test_boundaries_come_from_the_text(tmp_path: Path) -> None:
    path = tmp_path / "trial.txt"
    path.write_text("\r\n".join(SEED_LIKE), encoding="utf-8-sig")  # BOM and CRLF too
    r = read_one(path)
    assert r.trial_id == "trial"
    assert r.brief_summary == "A summary, first paragraph.\n\nA summary, second paragraph."
    assert r.conditions == ("Disease A", "Disease B")
    assert [(i.type, i.name) for i in r.interventions] == [
        ("DRUG", "X-1"),
        ("DIETARY_SUPPLEMENT", "Vitamin D"),
    ]
    assert parts(r, OutcomeRole.PRIMARY) == [
        ("Response rate", "Proportion of responders", "Up to 12 weeks")
    ]
    assert parts(r, OutcomeRole.SECONDARY) == [
        ("Overall survival", "Time to death,\nmeasured from enrolment", "Up to 2 years"),
        ("Toxicity", "Adverse events", "28 days"),
    ]
    assert r.origins["brief_summary"] == "lines 2-4" and r.origins["outcomes"] == "lines 7-9"
    assert r.detailed_description == "Description line one.\n\nDescription line two."


# The optional fields as hand-written lines (seed style: blank lines inside a field are empty
# lines too), each with a blank line inside where the field may hold one.
HAND_WRITTEN = {
    "brief_summary": ["A summary, first paragraph.", "", "A summary, second paragraph."],
    "conditions": ["Disease A|Disease B"],
    "interventions": ["DRUG: X-1|DIETARY_SUPPLEMENT: Vitamin D"],
    "primary_outcomes": ["Response rate, Proportion of responders, Up to 12 weeks"],
    "secondary_outcomes": [
        "Overall survival, Time to death;",
        "",
        "measured from enrolment, Up to 2 years|Toxicity, Adverse events, 28 days",
    ],
    "detailed_description": ["Description line one.", "", "Description line two."],
}
OPTIONAL = tuple(HAND_WRITTEN)
SUBSETS = [
    frozenset(empty)
    for n in range(len(OPTIONAL) + 1)
    for empty in itertools.combinations(OPTIONAL, n)
]


def field_values(r: Record) -> dict[str, object]:
    return {
        "brief_summary": r.brief_summary,
        "conditions": r.conditions,
        "interventions": [(i.type, i.name) for i in r.interventions],
        "primary_outcomes": parts(r, OutcomeRole.PRIMARY),
        "secondary_outcomes": parts(r, OutcomeRole.SECONDARY),
        "detailed_description": r.detailed_description,
    }


FULL_VALUES = {
    "brief_summary": "A summary, first paragraph.\n\nA summary, second paragraph.",
    "conditions": ("Disease A", "Disease B"),
    "interventions": [("DRUG", "X-1"), ("DIETARY_SUPPLEMENT", "Vitamin D")],
    "primary_outcomes": [("Response rate", "Proportion of responders", "Up to 12 weeks")],
    "secondary_outcomes": [
        ("Overall survival", "Time to death;\n\nmeasured from enrolment", "Up to 2 years"),
        ("Toxicity", "Adverse events", "28 days"),
    ],
    "detailed_description": "Description line one.\n\nDescription line two.",
}
EMPTY_VALUES = {
    "brief_summary": "",
    "conditions": (),
    "interventions": [],
    "primary_outcomes": [],
    "secondary_outcomes": [],
    "detailed_description": "",
}


@pytest.mark.parametrize("ends_early", [False, True], ids=["all-lines", "ends-early"])
@pytest.mark.parametrize("empty", SUBSETS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_empty_fields_in_every_combination(
    tmp_path: Path, empty: frozenset[str], ends_early: bool
) -> None:
    """Every subset of the optional fields empty, written as an empty line each (and again
    with the trailing empty lines left off): a Record with exactly those fields empty."""
    lines = ["A title"]
    for name in OPTIONAL:
        lines += [""] if name in empty else HAND_WRITTEN[name]
    while ends_early and lines[-1] == "":
        lines.pop()
    path = tmp_path / "trial.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = read_one(path)
    assert r.brief_title == "A title"
    want = {name: EMPTY_VALUES[name] if name in empty else FULL_VALUES[name] for name in OPTIONAL}
    assert field_values(r) == want


def test_seed_000_without_secondary_outcomes_and_description(
    tmp_path: Path, examples_dir: Path
) -> None:
    """A seed with its interventions, secondary outcomes and description emptied, the way a
    record with no such fields is written: the remaining fields read exactly as before."""
    lines = (examples_dir / SEED_000).read_text(encoding="utf-8").split("\n")
    full = read_one(examples_dir / SEED_000)
    path = tmp_path / "seed.txt"
    path.write_text("\n".join([*lines[:3], "", lines[4], ""]), encoding="utf-8")
    r = read_one(path)
    assert (r.brief_title, r.brief_summary, r.conditions) == (
        full.brief_title,
        full.brief_summary,
        full.conditions,
    )
    assert r.interventions == () and r.detailed_description == ""
    assert parts(r, OutcomeRole.PRIMARY) == parts(full, OutcomeRole.PRIMARY)
    assert parts(r, OutcomeRole.SECONDARY) == []
    assert r.origins["outcomes"] == "line 5" and "interventions" not in r.origins


def test_whitespace_line_is_a_paragraph_break_never_an_empty_field(tmp_path: Path) -> None:
    """The writer's convention: a line holding a space stays inside its field, so the empty
    line after it is the (empty) conditions, not a paragraph break."""
    path = tmp_path / "trial.txt"
    path.write_text(
        "T\nPara one.\n \nPara two\n\n\nOutcome, Its description, 12 weeks\n\nDesc\n",
        encoding="utf-8",
    )
    r = read_one(path)
    assert r.brief_summary == "Para one.\n\nPara two" and r.conditions == ()
    assert r.interventions == ()
    assert parts(r, OutcomeRole.PRIMARY) == [("Outcome", "Its description", "12 weeks")]
    assert parts(r, OutcomeRole.SECONDARY) == [] and r.detailed_description == "Desc"


def test_lower_case_line_that_is_a_whole_field_starts_the_next_one(tmp_path: Path) -> None:
    """A secondary outcome measure in lower case does not continue the primary outcomes when
    its line reads as a whole outcome field; a lower-case line that does not (a wrapped time
    frame) still continues."""
    path = tmp_path / "trial.txt"
    path.write_text(
        "T\nS\nC\nDRUG: x\nORR, Responders, 12 weeks\n"
        "proliferation of CAR-T cells, Copies by flow cytometry, 6 months\n\n",
        encoding="utf-8",
    )
    r = read_one(path)
    assert parts(r, OutcomeRole.PRIMARY) == [("ORR", "Responders", "12 weeks")]
    assert parts(r, OutcomeRole.SECONDARY) == [
        ("proliferation of CAR-T cells", "Copies by flow cytometry", "6 months")
    ]
    path.write_text(
        "T\nS\nC\nDRUG: x\nORR, Responders, up to 12 weeks\nafter infusion\nOS, 2 years\n",
        encoding="utf-8",
    )
    r = read_one(path)
    assert parts(r, OutcomeRole.PRIMARY) == [("ORR", "Responders", "up to 12 weeks after infusion")]
    assert parts(r, OutcomeRole.SECONDARY) == [("OS", "", "2 years")]


def test_explicit_outcome_slots(tmp_path: Path) -> None:
    """`,` + no-break space separates an outcome's slots exactly: commas inside parts, an
    empty slot, a description without a time frame; the field closes at its last slot even
    when the next line starts in lower case."""
    nb = flat.EXPLICIT_SEP
    path = tmp_path / "trial.txt"
    path.write_text(
        "\n".join(
            [
                "T",
                "S",
                "C",
                "DRUG: x",
                (
                    f"Safety, tolerability{nb}defined as grade 3, or worse{nb}Day 1, 8, 15"
                    f"|PFS{nb}{nb}Time to progression, assessed at 1 year"
                ),
                f"measured by PCR{nb}Copies of the vector{nb}",
                "description",
            ]
        ),
        encoding="utf-8",
    )
    r = read_one(path)
    assert parts(r, OutcomeRole.PRIMARY) == [
        ("Safety, tolerability", "defined as grade 3, or worse", "Day 1, 8, 15"),
        ("PFS", "", "Time to progression, assessed at 1 year"),
    ]
    assert parts(r, OutcomeRole.SECONDARY) == [("measured by PCR", "Copies of the vector", "")]
    assert r.detailed_description == "description"


@pytest.mark.parametrize(
    ("lines", "field", "why"),
    [
        pytest.param([""], "brief_title", "no text", id="no-text"),
        pytest.param(
            ["Title", "DRUG: x", "Outcome, d, 1 year"],
            "brief_summary",
            "follow the title directly",
            id="interventions-after-title",
        ),
        pytest.param(
            ["Title", "Summary or conditions?", "DRUG: x"],
            "conditions",
            "could be the summary or the conditions",
            id="one-line-for-two-fields",
        ),
        pytest.param(
            ["Title", "Summary", "A|B", "CELL THERAPY: CAR-T cells", "ORR, d, 12 weeks"],
            "interventions",
            "'CELL THERAPY' is not an intervention type",
            id="unknown-intervention-type",
        ),
        pytest.param(
            ["Title", "", "A|B", "not interventions", "ORR, d, 12 weeks"],
            "interventions",
            "line 4 is neither interventions",
            id="no-consistent-layout",
        ),
    ],
)
def test_inconsistent_layout_names_the_field_and_why(
    tmp_path: Path, lines: list[str], field: str, why: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    (item,) = list(flat.read(path))
    assert isinstance(item, Reject), item
    assert item.file == str(path) and item.record == "line 1" and item.field == field
    assert field in flat.FIELDS and why in item.reason
