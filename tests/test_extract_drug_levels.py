"""The trial-level PK rule (graphbuild/extract/endpoints/drug_levels.py) on real records: a blood
level of what the patient makes (MMP14) is no pharmacokinetics; the serum level of the trial's
own product (mosunetuzumab) and an average concentration (Cav) are."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from graphbuild.extract.trial import extract_trial
from graphbuild.model import Intervention, Record
from graphbuild.readers.inputs import read_inputs


def _record(path: Path, trial_id: str) -> Record:
    found = [r for r in read_inputs([path]) if isinstance(r, Record) and r.trial_id == trial_id]
    assert len(found) == 1
    return found[0]


def _concepts(record: Record, index: int) -> list[str]:
    return [c.concept for c in extract_trial(record).endpoints[index].concepts]


@pytest.fixture(scope="module")
def mmp14(corpus_dir: Path) -> Record:
    # a colonoscopy study: "Serum MMP14 Concentration according to adenoma characteristics"
    return _record(corpus_dir / "ctgov_csv_export" / "Anand21J-V_general_ctg-studies.csv", "NCT06955767")


def test_the_level_of_a_patient_marker_is_no_pk(mmp14: Record) -> None:
    assert "MMP14 Concentration" in mmp14.outcomes[2].measure
    assert "PK" not in _concepts(mmp14, 2)


def test_the_same_level_named_as_the_trials_product_is_pk(mmp14: Record) -> None:
    given = replace(mmp14, interventions=(Intervention("DRUG", "MMP14 inhibitor"),))
    assert "PK" in _concepts(given, 2)


def test_the_serum_level_of_the_trials_own_product_is_pk(corpus_dir: Path) -> None:
    record = _record(corpus_dir / "ctgov_xml_2018" / "NCT02500407.xml", "NCT02500407")
    assert record.outcomes[2].measure == "BTCT4465A (Mosunetuzumab) Serum Concentration"
    assert _concepts(record, 2) == ["PK"]


def test_an_average_concentration_is_pk_whatever_it_names(corpus_dir: Path) -> None:
    path = corpus_dir / "ctgov_api_v2_json" / "dgg32_graph_bigquery_leukemia_ctg-studies.json"
    record = _record(path, "NCT04946890")
    assert record.outcomes[9].measure == "Average plasma or serum concentration(Cav)"
    assert "PK" in _concepts(record, 9)
