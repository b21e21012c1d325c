"""Unit tests for `graphbuild.evaluation` on small hand-made cases.

The scorers decide whether the extraction "meets the floors", so they get their own tests: a
scoring bug would make every figure in the gold report meaningless. Each case is small enough
to check by hand.
"""

from __future__ import annotations

import math

import pytest

from graphbuild import evaluation as ev
from graphbuild.model import (
    Antigen,
    Basis,
    ConceptLink,
    DiseaseLink,
    Endpoint,
    EndpointCategory,
    Evidence,
    OutcomeRole,
    Record,
    SourceFormat,
    SourceRef,
    TargetLink,
    TargetStatus,
    TimeFrame,
    Trial,
)

CATS = {
    "ORR": "efficacy",
    "CR": "efficacy",
    "AE": "safety",
    "CRS": "safety",
    "CMAX": "pharmacokinetics",
}


def out(
    index: int,
    concepts: tuple[str, ...] = (),
    lo: float | None = None,
    hi: float | None = None,
    cats: tuple[str, ...] | None = None,
) -> ev.OutcomeAnswer:
    return ev.OutcomeAnswer(
        index=index,
        concepts=frozenset(concepts),
        categories=frozenset(cats if cats is not None else (CATS[c] for c in concepts)),
        min_days=lo,
        max_days=hi,
    )


def ans(
    key: str,
    *,
    status: str = "stated",
    antigens: tuple[str, ...] = (),
    diseases: tuple[str, ...] = (),
    outcomes: tuple[ev.OutcomeAnswer, ...] = (),
    fmt: str = "json",
) -> ev.Answer:
    return ev.Answer(
        key=key,
        trial_id=key.upper(),
        format=fmt,
        target_status=status,
        antigens=frozenset(antigens),
        diseases=frozenset(diseases),
        outcomes=outcomes,
    )


# --------------------------------------------------------------------------------- prf


@pytest.mark.parametrize(
    ("gold", "pred", "p", "r", "f"),
    [
        pytest.param({1, 2, 3, 4}, {1, 2, 5}, 2 / 3, 2 / 4, 4 / 7, id="partial"),
        pytest.param({1}, {1}, 1.0, 1.0, 1.0, id="exact"),
        pytest.param({1, 2}, set(), 1.0, 0.0, 0.0, id="nothing-predicted"),
        pytest.param(set(), {1}, 0.0, 1.0, 0.0, id="nothing-to-find"),
        pytest.param(set(), set(), 1.0, 1.0, 1.0, id="both-empty"),
    ],
)
def test_prf(gold: set[int], pred: set[int], p: float, r: float, f: float) -> None:
    score = ev.prf(gold, pred)
    assert math.isclose(score.precision, p)
    assert math.isclose(score.recall, r)
    assert math.isclose(score.f1, f)


def test_prf_counts() -> None:
    score = ev.prf({"a", "b"}, {"b", "c", "d"})
    assert (score.tp, score.fp, score.fn) == (1, 2, 1)


# --------------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        pytest.param("D009101", "D009101", id="canonical"),
        pytest.param("D000009101", "D009101", id="api-padded"),
        pytest.param("MESH:D009101", "D009101", id="curie"),
        pytest.param(" d015470 ", "D015470", id="case-space"),
        pytest.param("C000626284", "C000626284", id="scr-untouched"),
    ],
)
def test_normalize_mesh(raw: str, norm: str) -> None:
    assert ev.normalize_mesh(raw) == norm


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        pytest.param((0, 28), (0.0, 28.0), True, id="int-float"),
        pytest.param((0, 1 / 24), (0, 0.0416666667), True, id="hours-tolerance"),
        pytest.param((0, 28), (0, 28.01), True, id="same-day"),
        pytest.param((0, 0), (0, 4 / 24), True, id="four-hours-is-day-0"),
        pytest.param((0, 1277), (0, 1277.5), True, id="three-and-a-half-years"),
        pytest.param((0, 28), (0, 29), False, id="next-day"),
        pytest.param((0, 28), (0, 28.6), False, id="more-than-half-a-day-off"),
        pytest.param((None, None), (None, None), True, id="both-null"),
        pytest.param((0, None), (0, 0), False, id="null-vs-zero"),
        pytest.param((None, 30), (0, 30), False, id="missing-min"),
    ],
)
def test_bounds_equal(a: tuple, b: tuple, equal: bool) -> None:
    assert ev.bounds_equal(a, b) is equal


def test_parse_concept_categories_skips_comments() -> None:
    lines = [
        "# a note\n",
        "key\tlabel\tcategory\n",
        "ORR\tresponse\tefficacy\n",
        "AE\tadverse\tsafety\n",
    ]
    assert ev.parse_concept_categories(lines) == {"ORR": "efficacy", "AE": "safety"}


def test_gold_key_and_answer_from_gold_derive_categories() -> None:
    entry = {
        "file": "ctgov_xml_2018/NCT1.xml",
        "record": "0",
        "trial_id": "NCT1",
        "format": "xml",
        "target_status": "stated",
        "antigens": ["CD19"],
        "diseases": ["D000015452"],
        "outcomes": [
            {
                "index": 0,
                "role": "primary",
                "concepts": ["ORR", "CR"],
                "min_days": 0,
                "max_days": 28,
            }
        ],
    }
    a = ev.answer_from_gold(entry, CATS)
    assert a.key == "ctgov_xml_2018/NCT1.xml#0"
    assert a.diseases == {"D015452"}
    assert a.outcomes[0].categories == {"efficacy"}
    assert (a.outcomes[0].min_days, a.outcomes[0].max_days) == (0.0, 28.0)


def _ev(field: str, text: str = "x") -> tuple[Evidence, ...]:
    return (Evidence(field=field, text=text, start=0, end=len(text)),)


def test_answer_from_trial_reads_the_model() -> None:
    record = Record(trial_id="NCT9", source=SourceRef("f.json", "0"), format=SourceFormat.JSON)
    trial = Trial(
        trial_id="NCT9",
        record=record,
        targets=(
            TargetLink(Antigen("TNFRSF17", "HGNC:11913", "BCMA"), Basis.STATED, _ev("brief_title")),
        ),
        target_status=TargetStatus.STATED,
        diseases=(
            DiseaseLink(
                "D000009101", "Multiple Myeloma", "MM", Basis.LEXICON, _ev("conditions[0]")
            ),
        ),
        endpoints=(
            Endpoint(
                index=0,
                role=OutcomeRole.PRIMARY,
                measure="AEs",
                description="",
                time_frame=TimeFrame("up to 28 days", 0, 28),
                concepts=(
                    ConceptLink("AE", EndpointCategory.SAFETY, _ev("outcomes[0].measure")),
                    ConceptLink("CRS", EndpointCategory.SAFETY, _ev("outcomes[0].measure")),
                ),
            ),
        ),
    )
    a = ev.answer_from_trial("f.json#0", trial)
    assert a.antigens == {"TNFRSF17"}
    assert a.target_status == "stated"
    assert a.diseases == {"D009101"}
    assert a.format == "json"
    o = a.outcomes[0]
    assert o.concepts == {"AE", "CRS"} and o.categories == {"safety"}
    assert (o.min_days, o.max_days) == (0.0, 28.0)


def test_title_only_disease_links_are_scored_apart_from_stated_conditions() -> None:
    """Gold v2: one descriptor per stated condition. A link resting only on title words (a
    narrower disease read from the title) is a title disease, never a condition's grounding."""
    record = Record(trial_id="NCT8", source=SourceRef("f.xml", "0"), format=SourceFormat.XML)
    trial = Trial(
        trial_id="NCT8",
        record=record,
        diseases=(
            DiseaseLink("D008223", "Lymphoma", "Lymphoma", Basis.LEXICON, _ev("conditions[0]")),
            DiseaseLink(
                "D016403", "DLBCL", "", Basis.LEXICON, _ev("official_title") + _ev("brief_title")
            ),
            DiseaseLink(
                "D016393", "B-cell", "", Basis.LEXICON, _ev("brief_title") + _ev("conditions[1]")
            ),
        ),
    )
    assert [ev.from_title_only(d) for d in trial.diseases] == [False, True, False]
    a = ev.answer_from_trial("f.xml#0", trial)
    assert a.diseases == {"D008223", "D016393"} and a.title_diseases == {"D016403"}
    gold = ev.answer_from_gold(
        {
            "file": "f.xml",
            "record": "0",
            "trial_id": "NCT8",
            "half": "test",
            "diseases": ["D008223", "D016393"],
            "title_diseases": ["D016403"],
        },
        CATS,
    )
    assert gold.half == "test" and gold.title_diseases == {"D016403"}
    r = ev.evaluate([gold], {a.key: a})
    assert r.diseases == ev.PRF(2, 0, 0) and r.title_diseases == ev.PRF(1, 0, 0)
    # without title_diseases in the gold, the title link is a separate false positive only
    bare = ev.answer_from_gold({**gold_entry_of(gold), "title_diseases": []}, CATS)
    r = ev.evaluate([bare], {a.key: a})
    assert r.diseases.f1 == 1.0 and r.title_diseases == ev.PRF(0, 1, 0)
    assert [e.field for e in r.errors if "disease" in e.field] == [ev.TITLE_DISEASES]


def gold_entry_of(a: ev.Answer) -> dict[str, object]:
    file, record = a.key.split("#")
    return {
        "file": file,
        "record": record,
        "trial_id": a.trial_id,
        "half": a.half,
        "diseases": sorted(a.diseases),
    }


def test_by_half_never_pools_the_halves() -> None:
    gold = [
        ev.Answer(key="d#0", trial_id="D", antigens=frozenset({"CD19"}), half="dev"),
        ev.Answer(key="t#0", trial_id="T", antigens=frozenset({"CD22"}), half="test"),
    ]
    pred = {"d#0": ev.Answer(key="d#0", trial_id="D", antigens=frozenset({"CD19"}))}
    per = ev.by_half(gold, pred)
    assert set(per) == {"dev", "test"}
    assert per["dev"].antigens.f1 == 1.0 and per["dev"].n_records == 1
    assert per["test"].antigens == ev.PRF(0, 0, 1) and per["test"].n_missing == 1


# --------------------------------------------------------------------------------- evaluate


@pytest.fixture()
def case() -> tuple[list[ev.Answer], dict[str, ev.Answer]]:
    gold = [
        ans(
            "a",
            antigens=("CD19",),
            diseases=("D015452",),
            outcomes=(out(0, ("ORR", "CR"), 0, 28), out(1, ("AE",), 0, 365)),
        ),
        ans(
            "b",
            status="product_lexicon",
            antigens=("TNFRSF17", "CD19"),
            diseases=("D009101",),
            outcomes=(out(0, ("CMAX",), None, None),),
            fmt="csv",
        ),
        ans(
            "c",
            status="not_applicable",
            diseases=("D015470",),
            outcomes=(out(0, (), 0, 90),),
            fmt="xml",
        ),
    ]
    pred = {
        # right antigen, right status, one disease wrong, ORR found but CR missed, bounds right
        "a": ans(
            "a",
            antigens=("CD19",),
            diseases=("D054198",),
            outcomes=(out(0, ("ORR",), 0, 28), out(1, ("AE", "CRS"), 0, 365)),
        ),
        # one antigen missed, status wrong, CMAX under the wrong category, bounds wrong
        "b": ans(
            "b",
            status="stated",
            antigens=("TNFRSF17",),
            diseases=("D009101",),
            outcomes=(out(0, ("CMAX",), 0, 30, cats=("efficacy",)),),
            fmt="csv",
        ),
        # 'c' not predicted at all; a prediction outside gold is ignored
        "zzz": ans("zzz", antigens=("MS4A1",), diseases=("D008223",)),
    }
    return gold, pred


def test_evaluate_scores(case: tuple[list[ev.Answer], dict[str, ev.Answer]]) -> None:
    gold, pred = case
    r = ev.evaluate(gold, pred)
    # antigens: gold {a:CD19, b:TNFRSF17, b:CD19}; predicted {a:CD19, b:TNFRSF17}
    assert (r.antigens.tp, r.antigens.fp, r.antigens.fn) == (2, 0, 1)
    # status: a right, b wrong, c missing
    assert (r.status.correct, r.status.total) == (1, 3)
    # diseases: gold a, b, c; predicted a(wrong), b
    assert (r.diseases.tp, r.diseases.fp, r.diseases.fn) == (1, 1, 2)
    # concepts: gold a0:ORR a0:CR a1:AE b0:CMAX; predicted a0:ORR a1:AE a1:CRS b0:CMAX
    assert (r.concepts.tp, r.concepts.fp, r.concepts.fn) == (3, 1, 1)
    # categories: gold a0:eff a1:safety b0:pk; predicted a0:eff a1:safety b0:eff
    assert (r.categories.tp, r.categories.fp, r.categories.fn) == (2, 1, 1)
    # time frames: a0 a1 right, b0 wrong, c0 missing -> 2/4
    assert (r.time_frames.correct, r.time_frames.total) == (2, 4)
    assert r.n_records == 3 and r.n_missing == 1


def test_errors_name_record_field_and_outcome(
    case: tuple[list[ev.Answer], dict[str, ev.Answer]],
) -> None:
    gold, pred = case
    errs = ev.evaluate(gold, pred).errors
    kinds = {(e.key, e.field, e.kind, e.where) for e in errs}
    assert ("a", ev.CONCEPTS, "missed", "0") in kinds
    assert ("a", ev.CONCEPTS, "spurious", "1") in kinds
    assert ("a", ev.DISEASES, "missed", "") in kinds
    assert ("b", ev.ANTIGENS, "missed", "") in kinds
    assert ("b", ev.STATUS, "wrong", "") in kinds
    assert ("b", ev.CATEGORIES, "spurious", "0") in kinds
    assert ("b", ev.TIME_FRAMES, "wrong", "0") in kinds
    assert ("c", "record", "missed", "") in kinds
    text = "\n".join(str(e) for e in errs)
    assert "gold=(null, null) predicted=(0, 30)" in text
    assert not any(e.key == "zzz" for e in errs)


def test_outcome_count_mismatch_is_reported() -> None:
    gold = [ans("a", outcomes=(out(0, ("AE",), 0, 28),))]
    pred = {"a": ans("a", outcomes=(out(0, ("AE",), 0, 28), out(1, ("CR",), 0, 28)))}
    r = ev.evaluate(gold, pred)
    assert any(e.field == "outcome count" for e in r.errors)
    # the extra predicted outcome is a false positive concept
    assert (r.concepts.tp, r.concepts.fp) == (1, 1)


def test_same_trial_in_two_formats_is_scored_twice() -> None:
    gold = [ans("x.json#95", antigens=("CD19",)), ans("x.xml#0", antigens=("CD19",), fmt="xml")]
    pred = {"x.json#95": ans("x.json#95", antigens=("CD19",))}
    r = ev.evaluate(gold, pred)
    assert (r.antigens.tp, r.antigens.fn) == (1, 1)


def test_by_format_and_summary(case: tuple[list[ev.Answer], dict[str, ev.Answer]]) -> None:
    gold, pred = case
    per = ev.by_format(gold, pred)
    assert set(per) == {"json", "csv", "xml"}
    assert per["json"].antigens.f1 == 1.0
    assert per["xml"].n_missing == 1
    groups = ev.summarize(ev.evaluate(gold, pred).errors).groups
    counts = [g[2] for g in groups]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == len(ev.evaluate(gold, pred).errors)


def test_report_rows_cover_every_field(case: tuple[list[ev.Answer], dict[str, ev.Answer]]) -> None:
    gold, pred = case
    rows = ev.evaluate(gold, pred).rows()
    assert [r[0] for r in rows] == list(ev.FIELDS)
