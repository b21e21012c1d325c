"""The trial-level ORR rule (graphbuild/extract/endpoints/disease_response.py) on a real record:
a PTSD trial's "Remission rate at Week 6" is its checklist's remission, not an overall response;
the same words in a lymphoma trial, or in a trial whose diseases are unknown, stay ORR."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from graphbuild.extract.trial import extract_trial
from graphbuild.model import Outcome, OutcomeRole, Record
from graphbuild.readers.inputs import read_inputs

PTSD_TRIAL = "NCT06955845"  # conditions "PTSD"; primary outcome "Remission rate at Week 6"


@pytest.fixture(scope="module")
def ptsd_record(corpus_dir: Path) -> Record:
    path = corpus_dir / "ctgov_csv_export" / "Anand21J-V_general_ctg-studies.csv"
    found = [r for r in read_inputs([path]) if isinstance(r, Record) and r.trial_id == PTSD_TRIAL]
    assert len(found) == 1
    return found[0]


def _concepts(record: Record) -> list[list[str]]:
    return [[c.concept for c in e.concepts] for e in extract_trial(record).endpoints]


def test_a_ptsd_remission_rate_is_no_overall_response(ptsd_record: Record) -> None:
    assert ptsd_record.outcomes[0].measure == "Remission rate at Week 6"
    trial = extract_trial(ptsd_record)
    assert [d.mesh_id for d in trial.diseases] == ["D013313"]  # Stress Disorders, Post-Traumatic
    assert _concepts(ptsd_record)[0] == []
    assert "Remission rate at Week 6" in trial.outcomes_without_concept


def test_the_same_words_in_a_lymphoma_trial_are_orr(ptsd_record: Record) -> None:
    lymphoma = replace(ptsd_record, conditions=("Diffuse Large B-Cell Lymphoma",))
    assert _concepts(lymphoma)[0] == ["ORR"]


def test_a_trial_whose_diseases_are_unknown_keeps_orr(ptsd_record: Record) -> None:
    unknown = replace(ptsd_record, conditions=(), brief_title="Study A", official_title="")
    assert extract_trial(unknown).diseases == ()
    assert _concepts(unknown)[0] == ["ORR"]


def test_an_explicit_overall_response_is_kept_whatever_the_disease(ptsd_record: Record) -> None:
    explicit = Outcome(OutcomeRole.SECONDARY, "Overall response rate", "", "Week 6")
    record = replace(ptsd_record, outcomes=(*ptsd_record.outcomes, explicit))
    assert _concepts(record)[-1] == ["ORR"]


@pytest.mark.parametrize("condition", ["Crohn Disease", "Ulcerative Colitis"])
def test_an_inflammatory_bowel_disease_responds(ptsd_record: Record, condition: str) -> None:
    """IBD is immune-mediated though MeSH files it under digestive diseases only: a Crohn's
    trial's clinical or endoscopic response is its disease's response."""
    ibd = replace(ptsd_record, conditions=(condition,))
    assert _concepts(ibd)[0] == ["ORR"]
    endoscopic = Outcome(OutcomeRole.PRIMARY, "Percentage of participants who achieve endoscopic response at Week 16")
    assert _concepts(replace(ibd, outcomes=(endoscopic,)))[0] == ["ORR"]
