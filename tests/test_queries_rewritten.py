"""Stored queries rewritten for speed (issue 13) give the same answer as before.

`tests/data/previous_queries/` keeps the formulation each query had before it read the
precomputed facts of the inferred graph (the shortcut edges and VoID counts of
`graphbuild.reason`): the old one joins every reified link or counts every typed node. Both run
on the same real builds (the hand-written fixture, the three seeds, the shared corpus) and must
give the same columns and the same rows: values joined by GROUP_CONCAT are compared as sets
(SPARQL leaves their order to the engine), rows in their ORDER BY order, or as sets where the
rewritten query streams (no ORDER BY). Where the previous form showed one value SAMPLE picked
out of several and the rewritten one lists them all (`LISTED`), the sampled value must be one of
those listed.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from remote_sparql import Row, _sorted_parts, concat_columns, local_rows

from graphbuild.queries import get_query, keywords, open_graph, prepare

PREVIOUS = Path(__file__).parent / "data" / "previous_queries"
REWRITTEN = sorted(path.stem for path in PREVIOUS.glob("*.rq"))
FIXTURE = Path(__file__).parent / "data" / "query_fixture.trig"
PARAMS = {
    "trials_for_antigen": [{"antigen": "CD19"}, {"antigen": "bcma"}, {"antigen": "her2/NEU"},
                           {"antigen": "CD7"}, {"antigen": "no such antigen"}],
    # the fixture's and seeds' trials, a corpus trial and an unknown id (each answers where it
    # exists, nothing elsewhere); the corpus test adds CD19 trials of the corpus
    "similar_trials": [{"trial": t} for t in (
        "NCT90000001", "nct90000002", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599",
        "NCT03574168", "NCT00000000")],
    "long_time_frames": [{"months": "12"}, {"months": "2"}, {"months": "60"}],
    # MeSH ids in each accepted form, labels in odd case, a descriptor with narrower ones
    # (Leukemia), one without, and names no descriptor has
    "trials_under_disease": [{"disease": d} for d in (
        "D007938", "mesh:d007938", "MESH:D009101", "leukemia", "MULTIPLE myeloma",
        "Precursor Cell Lymphoblastic Leukemia-Lymphoma", "D054198", "D015452",
        "no such disease", "D000000")],
    # no concept (the whole listing), concepts in odd case, one measured by a single trial at
    # most, and an unknown key
    "shared_endpoint_concepts": [None, {"concept": "DLT"}, {"concept": "crs"},
                                 {"concept": "Orr"}, {"concept": "ICANS"},
                                 {"concept": "NO_SUCH_CONCEPT"}],
}
# query -> the previous form's ORDER BY keys, which the rewritten form orders by first and then
# breaks their ties (rows equal on those keys came in any order before)
TIES_BROKEN = {"dlt_windows": ("window_days", "trial_id")}
# query -> column -> separator: the previous form's SAMPLE of one quote, now every quote listed
LISTED = {"trial_conditions": {"condition_text": " | "}}


def answers(
    store: ox.Store, name: str, params: dict[str, str] | None
) -> tuple[tuple[str, ...], list[Row], list[Row]]:
    """(columns, rows of the stored query, rows of its previous one), concat parts sorted."""
    _info, new_text = prepare(get_query(name), params)
    _info, old_text = prepare(get_query(name, PREVIOUS), params)
    columns, new = local_rows(store, new_text)
    old_columns, old = local_rows(store, old_text)
    assert columns == old_columns, (name, columns, old_columns)
    concat = concat_columns(new_text) | concat_columns(old_text)
    new_rows = [_sorted_parts(row, columns, concat) for row in new]
    old_rows = [_sorted_parts(row, columns, concat) for row in old]
    listed = LISTED.get(name, {})
    if listed:
        new_rows, old_rows = _sampled_in_listed(columns, new_rows, old_rows, listed)
    return columns, new_rows, old_rows


def _sampled_in_listed(
    columns: tuple[str, ...], new: list[Row], old: list[Row], listed: dict[str, str]
) -> tuple[list[Row], list[Row]]:
    """For each `listed` column: the previous row's sampled value is one of the values its
    rewritten row lists (rows matched on every other column); the cell is then compared as
    equal. Returns both row lists with those cells blanked."""
    at = [columns.index(column) for column in listed]

    def key(row: Row) -> Row:
        return tuple(cell for i, cell in enumerate(row) if i not in at)

    by_key = {key(row): row for row in new}
    for row in old:
        match = by_key.get(key(row))
        if match is None:
            continue  # a row only one form gives: the row-for-row comparison names it
        for i in at:
            sampled, listing = row[i], match[i]
            assert (sampled is None) == (listing is None), (columns[i], row, match)
            if sampled is not None and listing is not None:
                assert sampled[1] in listing[1].split(listed[columns[i]]), (columns[i], row, match)

    def blank(row: Row) -> Row:
        return tuple(None if i in at else cell for i, cell in enumerate(row))

    return [blank(row) for row in new], [blank(row) for row in old]


def assert_same_answers(store: ox.Store, *, least_rows: int) -> None:
    total = 0
    for name in REWRITTEN:
        for params in PARAMS.get(name, [None]):
            columns, new, old = answers(store, name, params)
            if "ORDER" not in keywords(get_query(name).text):  # a streaming listing: any order
                new, old = sorted(new, key=repr), sorted(old, key=repr)
            elif name in TIES_BROKEN:  # the same order on the previous keys; ties: any order
                at = [columns.index(column) for column in TIES_BROKEN[name]]
                assert [[r[i] for i in at] for r in new] == [[r[i] for i in at] for r in old]
                new, old = sorted(new, key=repr), sorted(old, key=repr)
            only_new = [r for r in new if r not in old][:3]
            only_old = [r for r in old if r not in new][:3]
            assert new == old, (name, params, only_new, only_old)
            total += len(new)
    assert total >= least_rows


def test_the_previous_formulations_are_kept_for_each_rewritten_query() -> None:
    rewritten = {"graph_summary", "trials_for_antigen", "antigen_disease_matrix", "trial_endpoints",
                 "co_targeted_antigens", "similar_trials",
                 "trial_conditions", "crs_neurotoxicity_monitoring", "pk_measures",
                 "long_time_frames", "dlt_windows", "trial_antigens", "trials_under_disease",
                 "unspecified_target_trials", "shared_endpoint_concepts", "multi_antigen_products"}
    assert rewritten <= set(REWRITTEN)
    for name in REWRITTEN:
        assert get_query(name).text != get_query(name, PREVIOUS).text, name


def test_same_answers_on_the_seed_build(tmp_path: Path, examples_dir: Path) -> None:
    from graphbuild.build import build

    report = build([examples_dir], tmp_path / "seeds", workers=1, validate=False)
    assert report.trials_loaded == 3
    assert_same_answers(open_graph(tmp_path / "seeds"), least_rows=12)


# rewritten queries that read only extracted facts, so they answer on a build without the
# reasoning step too (the others read the shortcut edges, summaries or the trial-id index)
WITHOUT_REASONING = ("trials_under_disease", "unspecified_target_trials")


def test_same_answers_without_the_reasoning_step(tmp_path: Path, examples_dir: Path) -> None:
    """On a --no-reason build (no inferred graph: no skos:broaderTransitive, shortcut edges or
    summaries) these give what their previous forms give: the asserted hierarchy, the
    unspecified and inferred-only trials from the links themselves."""
    from graphbuild.build import build

    build([examples_dir], tmp_path / "plain", workers=1, reason=False, validate=False)
    store = open_graph(tmp_path / "plain")
    total = 0
    for name in WITHOUT_REASONING:
        for params in PARAMS.get(name, [None]):
            _columns, new, old = answers(store, name, params)
            assert new == old, (name, params, new[:3], old[:3])
            total += len(new)
    unspecified = answers(store, "unspecified_target_trials", None)[1]
    assert {row[1][1] for row in unspecified} == {"unspecified", "inferred"}
    assert total >= 8


def test_same_answers_on_the_fixture_once_reasoned() -> None:
    """The hand-written fixture carries no shortcuts or counts until the reasoning step runs:
    after it, both formulations agree."""
    from graphbuild.reason import materialize

    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    materialize(store)
    assert_same_answers(store, least_rows=15)


@pytest.mark.corpus
def test_same_answers_on_the_corpus_build(corpus_graph: Path) -> None:
    store = open_graph(corpus_graph)
    assert_same_answers(store, least_rows=300)
    _columns, matrix, _old = answers(store, "antigen_disease_matrix", None)
    assert len(matrix) > 100
    _columns, cd19, _old = answers(store, "trials_for_antigen", {"antigen": "CD19"})
    assert len(cd19) > 50
    # similar_trials for CD19 trials spread over the list (many shared diseases and concepts)
    for row in cd19[:: len(cd19) // 5]:
        trial_id = row[0][1]
        _columns, new, old = answers(store, "similar_trials", {"trial": trial_id})
        assert len(new) == 20 and new == old, (trial_id, new[:3], old[:3])


def test_the_fixture_holds_exactly_what_the_reasoning_step_computes() -> None:
    """The hand-written fixture carries the shortcut edges, VoID counts and aggregates (so the
    stored queries answer on it as loaded): the edges and aggregates are exactly what
    `graphbuild.reason` derives, the counts exactly what its statistics rule counts in the
    fixture's own graphs."""
    from graphbuild.reason import VOID, materialize, shortcut_rules, statistics_rule
    from graphbuild.reason.aggregates import CELL_PREFIX, PAIR_PREFIX, TRIAL_ID_INDEX, TRIAL_ROW
    from graphbuild.reason.group_summaries import GROUP_PREFIX

    inferred = ox.NamedNode("https://w3id.org/graphbuild/id/graph/inferred")

    def text(triple: ox.Triple) -> str:  # a joined list compares as a set (engine order)
        if triple.predicate.value.endswith("List"):
            separator = {"#quoteList": " | ", "#diseaseLabelList": "; "}.get(
                "#" + triple.predicate.value.rsplit("#", 1)[-1], ", ")
            parts = sorted(triple.object.value.split(separator))
            return f"{triple.subject} {triple.predicate} {parts}"
        return str(triple)

    def written(store: ox.Store, keep) -> set[str]:  # type: ignore[no-untyped-def]
        return {text(q.triple) for q in store.quads_for_pattern(None, None, None, inferred)
                if keep(q.predicate.value)}

    def is_shortcut(p: str) -> bool:
        return p in {rule.head for rule in shortcut_rules()}

    def is_count(p: str) -> bool:
        return p.startswith(VOID)

    def is_aggregate(quad: ox.Quad) -> bool:
        return (quad.subject.value.startswith((CELL_PREFIX, PAIR_PREFIX, GROUP_PREFIX))
                or quad.predicate.value in TRIAL_ID_INDEX or quad.predicate.value == TRIAL_ROW)

    def aggregates(store: ox.Store) -> set[str]:
        return {str(q.triple) for q in store.quads_for_pattern(None, None, None, inferred)
                if is_aggregate(q)}

    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    shortcuts, counts = written(store, is_shortcut), written(store, is_count)
    # 6 trial-antigen edges, 1 time-point list, 23 other per-node values, 3 interventions'
    # antigen counts and lists, 5 product-code lists, 5 disease-label lists
    assert len(shortcuts) == 7 + 23 + 3 * 2 + 5 + 5 and len(counts) == 11 * 3 + 3  # 11 classes, one property
    cells = aggregates(store)
    # four antigen x disease cells, one antigen pair; the trial-id index: 5 trial-antigen,
    # 6 trial-disease and 17 trial-concept entries, and the antigens' 5 trial rows; 24 groups (4
    # phases, 5 antigen-phase, 3 modality, 6 product-antigen and 6 per-basis, 4 phase-category)
    # in 148 triples
    assert len(cells) == 4 * 4 + 4 + 5 + 6 + 17 + 5 + 148
    for quad in list(store.quads_for_pattern(None, None, None, inferred)):
        if is_count(quad.predicate.value):
            store.remove(quad)
    counted = store.query(statistics_rule().sparql, use_default_graph_as_union=True)
    assert counts == {str(t) for t in counted}
    materialize(store)
    assert shortcuts == written(store, is_shortcut)
    assert cells == aggregates(store)
