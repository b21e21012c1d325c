"""The build report's worklist (issue 8): the most frequent condition texts left ungrounded,
interventions with no modality and outcome measures with no endpoint concept, with counts, so
that the next lexicon additions come from data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphbuild.extract.diseases.grounding import ungrounded_conditions
from graphbuild.extract.endpoints.outcomes import find_concepts
from graphbuild.extract.trial import extract_trial
from graphbuild.model import Intervention, Outcome, OutcomeRole, Record, SourceFormat, SourceRef
from graphbuild.report import WORKLIST_KINDS, BuildReport, worklist


def test_worklist_counts_trials_and_mentions_most_trials_first() -> None:
    rows = worklist(
        {
            "A": ("Healthy", "healthy ", "Anxiety Disorders?"),
            "B": ("Healthy Volunteers", "Healthy"),
            "C": ("Quality of Life",) * 5,
        }
    )
    assert rows[0] == {"text": "Healthy", "count": 3, "trials": 2}
    # one trial repeating a text five times ranks below a text two trials share
    assert rows[1] == {"text": "Quality of Life", "count": 5, "trials": 1}
    assert [r["text"] for r in rows[2:]] == ["Anxiety Disorders?", "Healthy Volunteers"]
    assert worklist({"A": ("x",) * 3, "B": ("y",)}, limit=1) == [{"text": "x", "count": 3, "trials": 1}]


def test_trial_carries_what_the_lexicons_miss() -> None:
    record = Record(
        trial_id="T1",
        source=SourceRef(file="hand-built", record="0"),
        format=SourceFormat.FLAT,
        brief_title="CD19 CAR-T cells in B-ALL",
        conditions=("B-ALL", "Healthy Volunteers"),
        interventions=(
            Intervention("BIOLOGICAL", "CD19 CAR-T cells"),
            Intervention("OTHER", "Usual care"),
        ),
        outcomes=(
            Outcome(OutcomeRole.PRIMARY, "Overall response rate", "", "Day 28"),
            Outcome(OutcomeRole.SECONDARY, "Length of hospital stay", "", "Up to 1 year"),
        ),
    )
    trial = extract_trial(record)
    assert trial.ungrounded_conditions == ("Healthy Volunteers",)
    assert trial.interventions_without_modality == ("Usual care",)
    assert trial.outcomes_without_concept == ("Length of hospital stay",)


def test_markdown_has_one_table_per_kind() -> None:
    report = BuildReport(inputs=["x"], out_dir="y", version="0")
    report.worklist = {
        "conditions": [{"text": "Healthy", "count": 3, "trials": 2}],
        "interventions": [],
        "outcomes": [{"text": "Disease Control Rate (DCR)", "count": 4, "trials": 4}],
    }
    markdown = report.to_markdown()
    for _, title in WORKLIST_KINDS:
        assert title in markdown
    assert "| Healthy | 2 | 3 |" in markdown and "| Disease Control Rate (DCR) | 4 | 4 |" in markdown
    assert json.loads(report.to_json())["worklist"]["conditions"][0]["trials"] == 2


@pytest.mark.corpus
def test_corpus_build_report_lists_the_worklist(corpus_graph: Path) -> None:
    """The session's corpus build: each list is real, ranked, and each entry is really what it
    says (the condition does not ground, the measure names no concept)."""
    report = json.loads((corpus_graph / "report.json").read_text())
    lists = report["worklist"]
    assert set(lists) == {kind for kind, _ in WORKLIST_KINDS}
    for kind, rows in lists.items():
        assert 10 <= len(rows) <= 25, kind
        keys = [(-r["trials"], -r["count"]) for r in rows]
        assert keys == sorted(keys), kind
        assert all(r["count"] >= r["trials"] >= 1 for r in rows)
    for row in lists["conditions"]:
        record = Record(
            trial_id="T", source=SourceRef(file="x", record="0"), format=SourceFormat.FLAT,
            brief_title="t", conditions=(row["text"],),
        )
        assert ungrounded_conditions(record) == (row["text"],)
    for row in lists["outcomes"]:
        assert find_concepts(row["text"]) == [], row["text"]
    # unkeyed measures the v2 conventions leave without a concept are visible with their count
    assert any(r["text"] == "Disease Control Rate (DCR)" and r["trials"] >= 10 for r in lists["outcomes"])
    markdown = (corpus_graph / "report.md").read_text()
    assert "## Worklist" in markdown
