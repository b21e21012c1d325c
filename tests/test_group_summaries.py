"""The group nodes the reasoning step writes for the summary questions (trials by phase, by
antigen and phase, by modality, by product, primary-endpoint categories by phase), and how a
re-ingest moves them. Whether the stored queries reading them answer as the grouping queries did
is `test_queries_rewritten.py`'s job (fixture, seeds, corpus)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from graphbuild import reason
from graphbuild.reason.group_summaries import (
    GROUP_PREFIX,
    group_summary_quads,
    groups_of,
    phase_label,
    update_group_summaries,
)

GB = "https://w3id.org/graphbuild/vocab#"
R = "https://w3id.org/graphbuild/id/"
MINI = Path(__file__).parent / "data" / "mini_graph.trig"
INFERRED = ox.NamedNode(R + "graph/inferred")


@pytest.fixture
def mini() -> ox.Store:
    store = ox.Store()
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    reason.materialize(store)
    return store


def _readable(store: ox.Store) -> dict[tuple[str, ...], dict[str, int]]:
    return {
        (kind, *(p.value if p is not None else "-" for p in parts)): members
        for (kind, parts), members in groups_of(store).items()
    }


def _group_quads(store: ox.Store) -> set[str]:
    return {
        str(q)
        for q in store.quads_for_pattern(None, None, None, INFERRED)
        if q.subject.value.startswith(GROUP_PREFIX)
    }


def test_phase_label_is_the_first_and_last_phase_by_text() -> None:
    assert phase_label([]) == "not stated"
    assert phase_label(["PHASE2", "PHASE2"]) == "PHASE2"
    assert phase_label(["PHASE2", "PHASE1", "EARLY_PHASE1"]) == "EARLY_PHASE1/PHASE2"


def test_groups_of_the_mini_graph(mini: ox.Store) -> None:
    """NCT90000101: BCMA CAR-T (autologous) with lymphodepleting chemotherapy and a supportive
    antibody, phase 1, one safety primary endpoint; NCT90000102: a BCMA x CD3 bispecific,
    phase 2, one efficacy primary endpoint; NCT90000103: an allogeneic CD19 CAR-NK against a
    bispecific comparator, phase 2; local_record_7: chemotherapy and a transplant, no phase,
    one primary endpoint without a concept."""
    assert _readable(mini) == {
        ("phase", "PHASE1"): {"NCT90000101": 0},
        ("phase", "PHASE2"): {"NCT90000102": 0, "NCT90000103": 0},
        ("phase", "not stated"): {"local_record_7": 0},
        ("antigen-phase", "TNFRSF17", "PHASE1"): {"NCT90000101": 0},
        ("antigen-phase", "TNFRSF17", "PHASE2"): {"NCT90000102": 0},
        ("antigen-phase", "CD3E", "PHASE2"): {"NCT90000102": 0},
        ("antigen-phase", "CD19", "PHASE2"): {"NCT90000103": 0},
        # lymphodepletion and supportive agents are left out; a comparator is counted
        ("modality", "CarT", "Autologous"): {"NCT90000101": 0},
        ("modality", "BispecificAntibody", "not stated"): {"NCT90000102": 0, "NCT90000103": 0},
        ("modality", "CarNK", "Allogeneic"): {"NCT90000103": 0},
        ("modality", "Chemotherapy", "not stated"): {"local_record_7": 0},
        ("modality", "StemCellTransplant", "not stated"): {"local_record_7": 0},
        # one primary endpoint each
        ("phase-category", "PHASE1", "safety"): {"NCT90000101": 1},
        ("phase-category", "PHASE2", "efficacy"): {"NCT90000102": 1},
        ("phase-category", "PHASE2", "safety"): {"NCT90000103": 1},
        ("phase-category", "not stated", "unclassified"): {"local_record_7": 1},
    }
    # the reasoning step wrote exactly these nodes, and the same input gives the same quads
    assert _group_quads(mini) == {str(q) for q in group_summary_quads(mini)}
    assert group_summary_quads(mini) == group_summary_quads(mini)


def test_a_re_ingest_moves_the_changed_trials_groups(mini: ox.Store) -> None:
    """NCT90000102 moves to phase 1 and loses its primary endpoint; NCT90000101's CAR-T gets a
    product code: the groups after `update_group_summaries` are those computed from scratch."""
    previous = ox.Store()
    previous.extend(mini.quads_for_pattern(None, None, None, None))
    graph = ox.NamedNode(R + "graph/trial/NCT90000102")
    trial = ox.NamedNode(R + "trial/NCT90000102")
    mini.remove(ox.Quad(trial, ox.NamedNode(GB + "phase"), ox.Literal("PHASE2"), graph))
    mini.add(ox.Quad(trial, ox.NamedNode(GB + "phase"), ox.Literal("PHASE1"), graph))
    endpoint = ox.NamedNode(R + "trial/NCT90000102/endpoint/0")
    mini.remove(ox.Quad(endpoint, ox.NamedNode(GB + "role"), ox.Literal("primary"), graph))
    car_t = ox.NamedNode(R + "trial/NCT90000101/intervention/0")
    mini.add(ox.Quad(car_t, ox.NamedNode(GB + "productCode"), ox.Literal("BCMA-01"),
                     ox.NamedNode(R + "graph/trial/NCT90000101")))

    removed, added = update_group_summaries(
        mini, previous, [R + "trial/NCT90000101", trial.value, endpoint.value]
    )

    assert removed > 0 and added > 0
    assert _group_quads(mini) == {str(q) for q in group_summary_quads(mini)}
    groups = _readable(mini)
    assert groups[("phase", "PHASE1")] == {"NCT90000101": 0, "NCT90000102": 0}
    assert groups[("phase", "PHASE2")] == {"NCT90000103": 0}
    assert ("phase-category", "PHASE2", "efficacy") not in groups
    assert groups[("product-antigen", "BCMA-01", "TNFRSF17")] == {"NCT90000101": 0}
    assert groups[("product-antigen-basis", "BCMA-01", "TNFRSF17", "stated")] == {
        "NCT90000101": 0
    }
