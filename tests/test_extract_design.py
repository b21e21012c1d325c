"""Study design: structured fields first, the text where they are silent (the flat seeds have
no structured design), every flag with evidence that quotes the record."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from graphbuild.extract.design import extract_design
from graphbuild.extract.text.fields import field_text
from graphbuild.model import Record, SourceFormat, SourceRef
from graphbuild.readers.inputs import read_inputs


def _record(**fields) -> Record:
    fields.setdefault("trial_id", "T1")
    return Record(source=SourceRef("test", "0"), format=SourceFormat.FLAT, **fields)


@cache
def _read(path: Path) -> tuple[Record, ...]:
    return tuple(r for r in read_inputs([path]) if isinstance(r, Record))


@pytest.fixture(scope="module")
def seeds(examples_dir: Path) -> dict[str, Record]:
    return {r.trial_id[:3]: r for r in _read(examples_dir)}


def _texts(design) -> list[tuple[str, str]]:
    return [(e.field, e.text) for e in design.evidence]


def test_seed_002_single_arm_open_label_single_center_phase_one(seeds) -> None:
    design = extract_design(seeds["002"])
    assert design.phases == ("PHASE1",)
    assert design.phase_basis == "text"
    assert (design.open_label, design.single_arm, design.centers) == (True, True, "single")
    assert design.randomized is None and design.dose_escalation is None
    assert ("brief_summary", "phase I") in _texts(design)
    assert ("brief_summary", "single-center") in _texts(design)


def test_seed_000_open_label_single_arm_dose_escalation(seeds) -> None:
    design = extract_design(seeds["000"])
    assert (design.phases, design.phase_basis) == ((), None)
    assert (design.open_label, design.single_arm, design.dose_escalation) == (True, True, True)
    assert design.randomized is None and design.centers is None
    assert ("detailed_description", "dose-escalation") in _texts(design)


def test_seed_001_says_nothing_about_design(seeds) -> None:
    design = extract_design(seeds["001"])
    assert design.phases == () and design.evidence == ()
    assert {
        design.open_label,
        design.single_arm,
        design.randomized,
        design.dose_escalation,
        design.centers,
    } == {None}


def test_seed_evidence_quotes_the_record(seeds) -> None:
    for record in seeds.values():
        for e in extract_design(record).evidence:
            assert field_text(record, e.field)[e.start : e.end] == e.text


@pytest.mark.parametrize(
    ("text", "phases"),
    [
        ("A Phase 1/2 Study of X", ("PHASE1", "PHASE2")),
        ("Phase I/IIA Study of CART19 Cells", ("PHASE1", "PHASE2")),
        ("A PhaseⅠb Study Evaluating C-CAR011", ("PHASE1",)),
        ("Phase Ib/II trial of venetoclax", ("PHASE1", "PHASE2")),
        ("An Open-label Phase III Trial", ("PHASE3",)),
        ("an early phase 1 study", ("EARLY_PHASE1",)),
        ("to determine the recommended phase 2 dose (RP2D) in this phase 1 study", ("PHASE1",)),
        ("Previous phase I trials showed activity; this study is not staged", ()),
        ("phase 3 trials have shown benefit", ()),
    ],
)
def test_phase_from_text(text: str, phases: tuple[str, ...]) -> None:
    design = extract_design(_record(brief_summary=text))
    assert design.phases == phases
    assert design.phase_basis == ("text" if phases else None)


def test_structured_fields_win_over_text() -> None:
    record = _record(
        brief_summary="A randomized, double-blind, multicenter phase 2 study.",
        phases=("PHASE3",),
        allocation="NON_RANDOMIZED",
        masking="NONE",
        intervention_model="SINGLE_GROUP",
    )
    design = extract_design(record)
    assert (design.phases, design.phase_basis) == (("PHASE3",), "structured")
    assert (design.randomized, design.open_label, design.single_arm) == (False, True, True)
    assert design.centers == "multi"  # no structured field for centres
    fields = {e.field for e in design.evidence}
    assert {"phases[0]", "allocation", "masking", "intervention_model"} <= fields
    for e in design.evidence:
        assert field_text(record, e.field)[e.start : e.end] == e.text


@pytest.mark.parametrize(
    ("text", "randomized", "open_label", "single_arm"),
    [
        ("A randomized, double-blind, placebo-controlled trial", True, False, False),
        ("A non-randomized, open label, two-arm study", False, True, False),
        ("Patients will be randomly assigned to two arms", True, None, False),
        ("This single-arm study is not randomized", False, None, True),
    ],
)
def test_flags_from_text(text: str, randomized, open_label, single_arm) -> None:
    design = extract_design(_record(brief_summary=text))
    assert (design.randomized, design.open_label, design.single_arm) == (
        randomized,
        open_label,
        single_arm,
    )


@pytest.mark.corpus
def test_text_phases_agree_with_the_registry(corpus_dir: Path) -> None:
    """Where a record both states its phase in words and carries the structured field, reading
    the words alone gives the registry's phases for at least 9 records in 10."""
    agree = disagree = 0
    for record in _read(corpus_dir):
        if not record.phases or record.phases == ("NA",):
            continue
        design = extract_design(replace(record, phases=()))
        if design.phases:
            agree += design.phases == record.phases
            disagree += design.phases != record.phases
    assert agree + disagree >= 200
    assert agree / (agree + disagree) >= 0.9


@pytest.mark.corpus
def test_design_evidence_quotes_every_corpus_record(corpus_dir: Path) -> None:
    for record in _read(corpus_dir):
        design = extract_design(record)
        assert bool(design.phases) == (design.phase_basis is not None)
        for e in design.evidence:
            assert field_text(record, e.field)[e.start : e.end] == e.text, (record.trial_id, e)
