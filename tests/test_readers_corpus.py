"""Every real record of the shared corpus reads without a reject, and where the same trial is
in two formats, the fields both carry agree."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from graphbuild.model import OutcomeRole, Record, Reject, SourceFormat
from graphbuild.readers import read_inputs
from graphbuild.readers.outcomes import join_like_csv

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_records(corpus_dir: Path) -> list[Record]:
    items = list(read_inputs([corpus_dir]))
    rejects = [i for i in items if isinstance(i, Reject)]
    assert not rejects, [str(r) for r in rejects[:5]]
    return [i for i in items if isinstance(i, Record)]


def _by_format(records: list[Record], fmt: SourceFormat) -> dict[str, Record]:
    return {r.trial_id: r for r in records if r.format is fmt}


def test_every_corpus_record_parses(corpus_records: list[Record]) -> None:
    counts = Counter(r.format for r in corpus_records)
    assert counts == {SourceFormat.JSON: 113, SourceFormat.CSV: 1245, SourceFormat.XML: 201}
    for r in corpus_records:
        assert r.nct_id and r.nct_id.startswith("NCT") and r.trial_id == r.nct_id
        assert r.brief_title and r.status
        assert all(o.measure for o in r.outcomes)


def test_json_records_carry_what_the_api_gives(corpus_records: list[Record]) -> None:
    json_records = _by_format(corpus_records, SourceFormat.JSON)
    assert sum(len(r.outcomes) for r in json_records.values()) == 933
    leukemia = [m for r in json_records.values() for m in r.condition_mesh if m.term == "Leukemia"]
    assert leukemia and {m.id for m in leukemia} == {"D007938"}  # API's D000007938, padding undone
    assert any(m.ancestor for r in json_records.values() for m in r.condition_mesh)
    assert all(len(m.id) in (7, 10) for r in json_records.values() for m in r.condition_mesh)
    r = json_records["NCT05923281"]
    assert r.phases == ("PHASE3",) and r.masking == "QUADRUPLE" and r.enrollment == 60
    assert r.origins["outcomes"] == "protocolSection.outcomesModule"
    assert r.outcomes[0].source_field == "protocolSection.outcomesModule.primaryOutcomes"
    assert r.arms[0].intervention_names == ("K-877 0.2 mg/day (once daily)",)
    assert r.interventions[0].other_names == ("Pemafibrate 0.2mg/day (once daily)",)
    assert r.source.record == "0" and r.source.file.endswith(
        "dgg32_clinical-trials-public_ctg-studies.json"
    )


def test_csv_outcomes_split_into_parts(corpus_records: list[Record]) -> None:
    csv_records = _by_format(corpus_records, SourceFormat.CSV)
    outcomes = [o for r in csv_records.values() for o in r.outcomes]
    assert len(outcomes) > 8_000
    assert all(o.time_frame for o in outcomes)  # every cell outcome ends in a recognised time frame
    r = csv_records["NCT03796390"]
    assert (
        r.interventions[0].type == "BIOLOGICAL" and r.interventions[0].name == "CD123 CAR-T cells"
    )
    assert [(o.role, o.measure, o.time_frame) for o in r.outcomes] == [
        (OutcomeRole.PRIMARY, "Tumor load", "Up to 12 months"),
        (OutcomeRole.SECONDARY, "CAR-T cell persistence", "Up to 12 months"),
    ]
    assert r.outcomes[1].description.startswith(
        "CAR-T cell persistence will be quantified with flow cytometry and qPCR；"
    )
    assert (r.allocation, r.intervention_model, r.masking, r.primary_purpose) == (
        "NA",
        "SINGLE_GROUP",
        "NONE",
        "TREATMENT",
    )
    assert (
        r.origins["outcomes"]
        == "Primary Outcome Measures, Secondary Outcome Measures, Other Outcome Measures"
    )


def test_xml_records_are_typed_like_the_api(corpus_records: list[Record]) -> None:
    xml_records = _by_format(corpus_records, SourceFormat.XML)
    r = xml_records["NCT03720496"]
    assert r.status == "RECRUITING" and r.phases == ("PHASE1",) and r.study_type == "INTERVENTIONAL"
    assert (
        r.start_date == "2018-11-01"
        and r.intervention_model == "SINGLE_GROUP"
        and r.masking == "NONE"
    )
    assert [(i.type, i.name, i.arm_labels) for i in r.interventions] == [
        ("BIOLOGICAL", "CD19-TriCAR-T", ("CD19-TriCAR-T",))
    ]
    assert r.arms[0].intervention_names == ("CD19-TriCAR-T",)
    assert [m.term for m in r.condition_mesh] == [
        "Lymphoma",
        "Lymphoma, Non-Hodgkin",
        "Lymphoma, B-Cell",
    ]
    assert all(m.id == "" for m in r.condition_mesh)  # the XML gives no ids; none invented
    assert r.brief_summary.startswith(
        "This is a single arm, open-label, phase Ⅰ study, to determine the safety"
    )
    assert "\n" not in r.brief_summary  # hard wrapping undone
    assert (
        len(r.outcomes_by_role(OutcomeRole.SECONDARY)) == 5
    )  # results-section <outcome>s not mixed in
    statuses = Counter(x.status for x in xml_records.values())
    assert statuses["ACTIVE_NOT_RECRUITING"] == 25 and statuses["UNKNOWN"] == 13


def test_same_trial_reads_the_same_from_json_and_csv(corpus_records: list[Record]) -> None:
    """The JSON and CSV files are different snapshots, so titles, dates and some outcomes changed
    between them; what did not change must read identically, outcome splitting included."""
    json_records = _by_format(corpus_records, SourceFormat.JSON)
    csv_records = _by_format(corpus_records, SourceFormat.CSV)
    shared = sorted(json_records.keys() & csv_records.keys())
    assert len(shared) == 12
    matched = 0
    for nct in shared:
        j, c = json_records[nct], csv_records[nct]
        assert j.conditions == c.conditions
        assert j.sponsor == c.sponsor and j.study_type == c.study_type
        assert (j.intervention_model, j.masking, j.primary_purpose) == (
            c.intervention_model,
            c.masking,
            c.primary_purpose,
        )
        # an outcome whose flattened text is unchanged between snapshots must split into
        # exactly the parts the JSON keeps apart
        by_text = {
            (o.role, join_like_csv(o.measure, o.description, o.time_frame)): o for o in j.outcomes
        }
        for o in c.outcomes:
            twin = by_text.get((o.role, join_like_csv(o.measure, o.description, o.time_frame)))
            if twin is not None:
                assert (o.measure, o.description, o.time_frame) == (
                    twin.measure,
                    twin.description,
                    twin.time_frame,
                )
                matched += 1
    assert matched >= 50
    same_summary = sum(
        json_records[n].brief_summary == csv_records[n].brief_summary for n in shared
    )
    assert same_summary >= 10


def test_same_trial_reads_the_same_from_json_and_xml(corpus_records: list[Record]) -> None:
    json_records = _by_format(corpus_records, SourceFormat.JSON)
    xml_records = _by_format(corpus_records, SourceFormat.XML)
    shared = sorted(json_records.keys() & xml_records.keys())
    assert shared == ["NCT02349698", "NCT02650414"]
    for nct in shared:
        j, x = json_records[nct], xml_records[nct]
        assert j.brief_title == x.brief_title
        assert j.brief_summary == x.brief_summary  # the re-flowed XML textblock equals the API text
        assert j.conditions == x.conditions and j.sponsor == x.sponsor
        assert (j.study_type, j.phases, j.intervention_model, j.masking) == (
            x.study_type,
            x.phases,
            x.intervention_model,
            x.masking,
        )
        assert [(i.type, i.name) for i in j.interventions] == [
            (i.type, i.name) for i in x.interventions
        ]
        assert {m.term for m in j.condition_mesh if not m.ancestor} <= {
            m.term for m in x.condition_mesh
        } | {"Leukemia, B-Cell"}
