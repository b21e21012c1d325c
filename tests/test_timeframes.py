"""Time frames -> bounds in days, time points and anchors, by the conventions shared with the
gold-set annotator (day 1, week 7, month 30, year 365; upper horizons start at 0)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterator

import pytest

from graphbuild.extract.endpoints.timeframes import parse_time_frame


def tf(text: str) -> tuple[float | None, float | None, tuple[float, ...], str | None]:
    parsed = parse_time_frame(text)
    assert parsed.text == text  # the original words are always kept
    return parsed.min_days, parsed.max_days, parsed.time_points_days, parsed.anchor


# The conventions, exactly as the brief and the gold set state them.
CONVENTIONS = [
    pytest.param("up to 12 months", (0, 360, (), None), id="up-to"),
    pytest.param("within 3 months", (0, 90, (), None), id="within"),
    pytest.param("through Month 24", (0, 720, (), None), id="through-point"),
    pytest.param("21-28 days", (21, 28, (), None), id="range"),
    pytest.param("Day 28", (28, 28, (28,), None), id="day-point"),
    pytest.param("at 28 days", (28, 28, (28,), None), id="at-duration-point"),
    pytest.param("at 4, 8, and 12 weeks after CAR-T infusion", (28, 84, (28, 56, 84), "infusion"), id="list-after-infusion"),
    pytest.param("baseline", (0, 0, (0,), "baseline"), id="baseline"),
    pytest.param("baseline to week 12", (0, 84, (), "baseline"), id="baseline-to-week"),
    pytest.param("through study completion, an average of 1 year", (0, 365, (), None), id="study-completion-average"),
    pytest.param("2 years", (0, 730, (), None), id="bare-duration"),
    pytest.param("Day -5 to Day 28", (-5, 28, (), None), id="negative-day-range"),
    pytest.param("assessed up to approximately 100 months", (0, 3000, (), None), id="approximately"),
    pytest.param("approximately 100 months", (0, 3000, (), None), id="approximately-bare"),
    pytest.param("one year", (0, 365, (), None), id="word-one"),
    pytest.param("six months", (0, 180, (), None), id="word-six"),
    pytest.param("thirty days", (0, 30, (), None), id="word-thirty"),
    pytest.param("1 months", (0, 30, (), None), id="bad-grammar"),
    pytest.param("day 28, month 3, month 6, year 1", (28, 365, (28, 90, 180, 365), None), id="mixed-points"),
    pytest.param("24 hours", (0, 1, (), None), id="hours"),
]


@pytest.mark.parametrize("text, expected", CONVENTIONS)
def test_conventions(text: str, expected: tuple) -> None:
    assert tf(text) == expected


SEEDS = [  # every time frame of the three seed records
    pytest.param("21-28 days", (21, 28, (), None), id="000-dlt"),
    pytest.param(
        "From first dose of study drug adminisration to end of treatment (up to 12 months)",
        (0, 360, (), "first dose"), id="000-pk",
    ),
    pytest.param("within 1 months after SENL103 infusion.", (0, 30, (), "infusion"), id="001-safety"),
    pytest.param("within 3 months after SENL103 infusion.", (0, 90, (), "infusion"), id="001-secondary"),
    pytest.param("Up to 28 days after CAR-T cells infusion", (0, 28, (), "infusion"), id="002-dlt"),
    pytest.param(
        "Evaluate at 4, 8, and 12 weeks after CAR-T infusion", (28, 84, (28, 56, 84), "infusion"), id="002-orr"
    ),
    pytest.param("Up to 1 years after CAR-T infusion", (0, 365, (), "infusion"), id="002-long-term"),
]


@pytest.mark.parametrize("text, expected", SEEDS)
def test_seed_time_frames(text: str, expected: tuple) -> None:
    assert tf(text) == expected


CORPUS_SHAPES = [  # shapes read in the JSON / CSV / XML corpus
    pytest.param("Up to 3 years 5 months", (0, 1245, (), None), id="compound"),
    pytest.param("Up to 2 years and 10 months", (0, 1030, (), None), id="compound-and"),
    pytest.param("Up to 24 months plus 30 days", (0, 750, (), None), id="compound-plus"),
    pytest.param("12 Months, 24 Months", (360, 720, (360, 720), None), id="bare-list"),
    pytest.param("3 and 5 years", (1095, 1825, (1095, 1825), None), id="and-list"),
    pytest.param("4, 8 12 and 26 weeks", (28, 182, (28, 56, 84, 182), None), id="list-missing-comma"),
    pytest.param("Weeks 4, 7, 10, 13 and 16", (28, 112, (28, 49, 70, 91, 112), None), id="unit-first-list"),
    pytest.param("on day +28, +56 and +100", (28, 100, (28, 56, 100), None), id="signed-days"),
    pytest.param("between day -6 and day +28", (-6, 28, (), None), id="between"),
    pytest.param("At the inclusion visit (- 48 hours to Day 0)", (-2, 0, (), "enrollment"), id="hours-before"),
    pytest.param("-4 to 491 days of treatment", (-4, 491, (), None), id="negative-range"),
    pytest.param("Day 1-36 months after injection", (1, 1080, (), "administration"), id="day-to-months"),
    # counted from the last dose (R18): the record does not say when that is, so no bounds past 0
    pytest.param("Day 350-380 post last dose", (0, None, (), "last dose"), id="day-range-after-last-dose"),
    pytest.param("Day 9+48 hours", (9, 11, (), None), id="day-window"),
    pytest.param("At the end of the 2-month follow-up, on Day 60", (60, 60, (60,), None), id="end-of-follow-up"),
    pytest.param("From Day -6 up to 1 year", (-6, 365, (), None), id="from-day-up-to"),
    pytest.param("Through post-randomization Month 24", (0, 720, (), "randomization"), id="through-post"),
    pytest.param("Up to approximately 24 months post-JCAR017 infusion", (0, 720, (), "infusion"), id="post-product"),
    pytest.param("28 days post-infusion", (0, 28, (), "infusion"), id="post-infusion"),
    pytest.param("day 21 post intravenous CAR T cell infusion", (21, 21, (21,), "infusion"), id="day-post-infusion"),
    pytest.param("one year after transplantation", (0, 365, (), "transplant"), id="transplant"),
    pytest.param("100 days post auto-SCT", (0, 100, (), "transplant"), id="auto-sct"),
    pytest.param("Up to 35 days after last dose", (0, None, (), "last dose"), id="last-dose"),
    # an end counted from an event on no day the record gives, after a start it names: no upper bound
    pytest.param("From enrollment to 30 days after hospital discharge", (0, None, (), "enrollment"), id="after-discharge"),
    pytest.param("From enrollment till 6 weeks after birth", (0, None, (), "enrollment"), id="after-birth"),
    pytest.param("30 and 90 days after hospital discharge", (30, 90, (30, 90), None), id="discharge-as-anchor"),
    pytest.param("Until 1 year after the last patient received his last dose of EMD 521873", (0, None, (), "last dose"),
                 id="study-last-dose"),
    # "Cycle 1 (28 days)" gives the cycle's length (the conventions' own example), not a horizon of its own
    pytest.param("End of Cycle 1 (28 days)", (28, 28, (28,), None), id="end-of-cycle-with-its-length"),
    pytest.param("Cycle 1 (28 days) and Cycle 2", (0, 56, (), None), id="cycle-with-its-length"),
    # "Day N of Cycle K" is "Cycle K Day N": a day of the study once the cycle length is given
    pytest.param("On Day 1 of Cycle 16 (each cycle is 28 days)", (421, 421, (421,), None), id="day-of-cycle"),
    pytest.param("Day 1 of Cycle 7 and Day 1 of Cycle 16 (each cycle is 28 days)", (169, 421, (169, 421), None),
                 id="days-of-cycles"),
    pytest.param("Day 8 of cycle 2", (None, None, (), None), id="day-of-cycle-no-length"),
    pytest.param("Day 8 of cycle 1", (8, 8, (8,), None), id="day-of-cycle-one"),
    pytest.param("Up to 30 days post-treatment", (0, 30, (), "end of treatment"), id="post-treatment-is-a-horizon"),
    pytest.param("Safety follow-up is 100 days from last CAR-T infusion.", (0, None, (), "infusion"), id="from-last-infusion"),
    pytest.param("Up to 30 days after study treatment has ended", (0, None, (), None), id="after-treatment-has-ended"),
    pytest.param("Baseline up to 30 days after the last infusion (up to approximately 12 months)", (0, 360, (0,), "baseline"), id="after-last-dose-with-horizon"),
    pytest.param("Up to 90 days after last Zolbetuximab dose", (0, None, (), None), id="last-named-dose"),
    pytest.param("First administration of any dose until last administration plus 30 days.", (0, None, (), "first dose"), id="last-administration-plus"),
    pytest.param("Day 1 of each 28-day cycle and 6-9 weeks after the last dose", (1, None, (), "last dose"), id="first-visit-then-after-last-dose"),
    pytest.param("Baseline, through six-months after treatment completion.", (0, None, (), "baseline"), id="after-treatment-completion"),
    # a start and an end counted from the last dose: no upper number of days (gold conventions)
    pytest.param("Start of treatment until 28 days post last dose", (0, None, (), "treatment start"), id="start-until-after-last-dose"),
    pytest.param("From the start of combination therapy until a maximum of 2 years after completion of therapy", (0, None, (), "treatment start"), id="until-maximum-after-completion"),
    pytest.param("From the date of first drug administration to day 21 after last drug administration", (0, None, (), "administration"), id="to-day-after-last-administration"),
    # ... and so is "assessed up to X after completion" (R18; it was read as a horizon before)
    pytest.param("From the date of study entry until death, assessed up to 1 year after completion of study treatment", (0, None, (), "enrollment"), id="assessed-up-to-after-completion"),
    # ... but a time after infusion or transplant has a known start
    pytest.param("30 days after infusion", (0, 30, (), "infusion"), id="after-infusion"),
    # a visit before baseline counts as baseline (0); "2 weeks before baseline" is a time before it
    pytest.param("Before baseline (at the programme design), at 12 weeks, and at 24 weeks", (0, 168, (0, 84, 168), "baseline"), id="visit-before-baseline"),
    pytest.param("2 weeks before baseline and at week 12", (-14, 84, (-14, 84), "baseline"), id="weeks-before-baseline"),
    # a start and an end no number gives: from day 0, no upper bound
    pytest.param("From enrollment till birth", (0, None, (), "enrollment"), id="from-enrollment-till-event"),
    # ... and so does a study-time anchor with no number at all; an event start gives no bound
    pytest.param("From date of randomization until date of death with acute GVHD", (0, None, (), "randomization"), id="from-randomization-until-event"),
    pytest.param("From start of first treatment", (0, None, (), "treatment start"), id="from-treatment-start"),
    pytest.param("From CR or CRi to relapse or death", (None, None, (), None), id="from-event-to-event"),
    pytest.param("From relapse after transplant until death", (None, None, (), "transplant"), id="from-event-after-anchor"),
    # "POD N" is postoperative day N
    pytest.param("POD 1", (1, 1, (1,), None), id="pod"),
    pytest.param("on POD 1, 2 and 3", (1, 3, (1, 2, 3), None), id="pod-list"),
    # a pre-intervention visit is day 0 unless its bracket dates it; "directly after" is "immediately after"
    pytest.param("Pre-intervention and Week 12", (0, 84, (0, 84), None), id="pre-intervention"),
    pytest.param("Pre-intervention (one week before the intervention)", (-7, -7, (-7,), None), id="pre-intervention-dated"),
    # "at the time of enrollment" is a visit, not the anchor "of enrollment"
    pytest.param("At the time of enrollment and at 1 month", (0, 30, (0, 30), "enrollment"), id="time-of-enrollment"),
    # R18: "after finishing" a treatment counts from an undated end
    pytest.param("From enrollment to 2 weeks after finishing TNT", (0, None, (), "enrollment"), id="after-finishing"),
    # periodic visits every N cycles of a stated length: the first is N cycles in
    pytest.param("Assessed every two cycles up to 24 weeks (each cycle is 21 days)", (42, 168, (), None), id="every-n-cycles"),
    pytest.param("up to12 months", (0, 360, (), None), id="up-to-glued"),
    # cycles with no stated length: "up to N cycles" starts at 0 and has no end in days
    pytest.param("Duration of Treatment (up to 12 cycles)", (0, None, (), None), id="up-to-cycles-no-length"),
    # visits that go on at the investigator's discretion (R21): the first visit, no end
    pytest.param("6 and 12 weeks after cell infusion, then every 3 months x3, then every 6 months x2 years, then per PI discretion", (42, None, (), "infusion"), id="then-per-pi-discretion"),
    pytest.param("Within 24 ± 4 hours after administration", (0, 1, (), "administration"), id="tolerance"),
    # a leading label ("Point 2.") is no time: the point with its tolerance is a window, as
    # "36 ± 3 days after the start" is 33..39 (gold conventions: "Day 28 +/- 4 days" -> 24..32)
    pytest.param("Point 2. 15 ± 3 days after the start of the therapy.", (12, 18, (), "treatment start"), id="point-label"),
    pytest.param("Visit 3: Day 28", (28, 28, (28,), None), id="visit-label"),
    # baseline counts as day 0 even when named by its study day (R20)
    pytest.param("Baseline Day 1 through Day 56", (0, 56, (0,), "baseline"), id="baseline-day-1"),
    pytest.param("Baseline, day 28", (0, 28, (0, 28), "baseline"), id="baseline-and-day"),
    # "x2 years" in a schedule is "for 2 years"
    pytest.param("6 and 12 weeks after infusion, then every 6 months x2 years", (42, 730, (42, 84), "infusion"), id="times-duration"),
    # ordinals of a unit are named points; "immediately after" and "pre-transplant" are visits at 0
    pytest.param("12th week (T1) after baseline", (84, 84, (84,), "baseline"), id="ordinal-week"),
    pytest.param("at the 0th and 12th weeks of the study and at the end of the 6th month", (0, 180, (0, 84, 180), None), id="ordinal-list"),
    pytest.param("Immediately post-treatment and at 12 months follow-up", (0, 360, (0, 360), "end of treatment"), id="immediately-after"),
    pytest.param("Pre-transplantation and three months post-transplantation", (0, 90, (0, 90), "transplant"), id="pre-transplant"),
    pytest.param("Afternoon sample day 1, morning sample day 2/4/6", (1, 6, (1, 2, 4, 6), None), id="slash-days"),
    # visits each cycle with no end: a start and no upper number
    pytest.param("Days 1 and 8 of every 21-day cycle", (1, None, (), None), id="each-cycle-open"),
    pytest.param("At the end of Cycle 6-8 (each cycle is 21 days)", (126, 168, (126, 168), None), id="end-of-cycles-range"),
    # from a start to a point: a range from the start
    pytest.param("From treatment start to the end of study at 2 years", (0, 730, (), "treatment start"), id="from-start-to-point"),
    pytest.param("Every 3 months post treatment up to 24 months", (90, 720, (), None), id="periodic-first-visit"),
    pytest.param("Every 6 months (Approximately up to 5 years)", (180, 1825, (), None), id="periodic-bracketed-horizon"),
    pytest.param("From randomization every 12 weeks until death; up to 42 months", (0, 1260, (), "randomization"), id="periodic-other-clause"),
    pytest.param("twice a week for 4 weeks", (0, 28, (), None), id="frequency-ignored"),
    pytest.param("Day 28 +/- 4 days post CTL019 infusion", (24, 32, (), "infusion"), id="day-window-tolerance"),
    pytest.param("1 and 2 months following T-cell infusion, assessed as day 0", (30, 60, (30, 60), "infusion"), id="day-0-label"),
    pytest.param("From date of dosing ( day 1 ) up to 50 weeks", (0, 350, (), "first dose"), id="day-1-label"),
    pytest.param("At screening", (0, 0, (0,), None), id="screening-is-baseline"),
    pytest.param("At enrollment, Week 4, Month 3, every 3 months up to Month 12", (0, 360, (0, 28, 90), "enrollment"), id="enrollment-is-baseline"),
    pytest.param(
        "Evaluated at 1 year post-transplant and at the end of follow-up, which is estimated to be through to "
        "study completion, an average timeframe of 10 years.", (365, 3650, (365, 3650), "transplant"), id="average-as-point",
    ),
    pytest.param(
        "From the first dose of blinatumomab until 30 days after last dose. Adverse events are reported up to the "
        "data cut-off date of 05 August 2015; the median treatment duration was 55 days.",
        (0, None, (), "first dose"), id="open-end-and-treatment-length",
    ),
    pytest.param("Within 3 days prior to each dose, and up to 2 years", (0, 730, (), None), id="per-dose-window"),
    pytest.param("1,5 years", (0, 547.5, (), None), id="decimal-comma"),
    pytest.param("up to 27 mouths", (0, 810, (), None), id="typo-mouths"),
    pytest.param("First dose of CYC140 to 4 weeks after the last dose of CYC140", (0, None, (), "first dose"), id="open-end-after-last-dose"),
    pytest.param("CYC140 for 4 weeks", (0, 28, (), None), id="product-code-digits"),
    pytest.param("Baseline, Week 16", (0, 112, (0, 112), "baseline"), id="baseline-list"),
    pytest.param("From the 1st day to 2 years after enrollment", (1, 730, (), "enrollment"), id="ordinal-day"),
    pytest.param("Within 21 days prior to starting maintenance therapy", (-21, 0, (), None), id="prior-window"),
    pytest.param("12 months from the 1st FT538 infusion", (0, 360, (), "infusion"), id="from-first-infusion"),
    pytest.param("Up to 8 weeks post leukapheresis", (0, 56, (), "apheresis"), id="apheresis"),
]


@pytest.mark.parametrize("text, expected", CORPUS_SHAPES)
def test_corpus_shapes(text: str, expected: tuple) -> None:
    assert tf(text) == expected


CYCLES = [
    # no cycle length: cycle references stay text, and so do the hours hanging off them
    pytest.param("Cycle 1 Day 1", (None, None, (), "treatment start"), id="cycle-day-no-length"),
    pytest.param("28-day cycles", (None, None, (), None), id="length-only"),
    pytest.param(
        "Samples will be collected predose and 1, 4, 8 hours postdose on Cycle 1 Day 8 only",
        (None, None, (), "administration"), id="sampling-hours-no-length",
    ),
    # the days of cycle 1 are study days, with or without a cycle length
    pytest.param("Day 1 to Day 28 of Cycle 1", (1, 28, (), None), id="days-of-cycle-1"),
    pytest.param("Day 0 of the first cycle", (0, 0, (0,), None), id="day-0-of-the-first-cycle"),
    pytest.param("Day 8 of each cycle", (None, None, (), None), id="day-of-each-cycle-no-length"),
    pytest.param("Up to 28 days Cycle 1", (0, 28, (), None), id="horizon-survives"),
    # with a cycle length, cycles are days
    pytest.param("At the end of Cycle 1 (each cycle is 28 days)", (28, 28, (28,), None), id="end-of-cycle-1"),
    pytest.param("At the end of cycle 8 (each cycle is 28 days)", (224, 224, (224,), None), id="end-of-cycle-8"),
    pytest.param("At the end of cycle 1 and 2 (each cycle is 28 days in duration)", (28, 56, (28, 56), None), id="two-cycles"),
    pytest.param("Up to 6 cycles (each cycle is 28 days).", (0, 168, (), None), id="n-cycles"),
    pytest.param("Up to 12 cycles, each 28 days", (0, 336, (), None), id="cycles-each-n-days"),
    pytest.param("6 cycles (each 4 weeks)", (0, 168, (), None), id="cycles-each-n-weeks"),
    # R21: the end of each cycle opens at the end of the first
    pytest.param("At the end of each 28 Day cycle for a maximum of 32 cycles", (28, 896, (), None), id="maximum-cycles"),
    pytest.param("Up to ~56 days (Cycles 1-2, cycle = 28 days)", (0, 56, (), None), id="cycle-range"),
    pytest.param("Cycle 1 (28 days)", (0, 28, (), None), id="cycle-with-length"),
    pytest.param("During the first cycle (6 weeks)", (0, 42, (), None), id="first-cycle-weeks"),
    pytest.param("First 21-day cycle for each patient (dose escalation only)", (0, 21, (), None), id="first-21-day-cycle"),
]


@pytest.mark.parametrize("text, expected", CYCLES)
def test_cycles(text: str, expected: tuple) -> None:
    assert tf(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "until disease progression",
        "Date of Death",
        "End of treatment",
        "life-long",
        "From CR or CRi to relapse or death",
        "09-2012 to 06-2018",  # dates, not durations
        "After 5 doses of medication...",
        "",
    ],
)
def test_unparseable_keeps_text_and_invents_nothing(text: str) -> None:
    parsed = parse_time_frame(text)
    assert parsed.text == text
    assert (parsed.min_days, parsed.max_days, parsed.time_points_days) == (None, None, ())
    assert not parsed.parsed


def test_anchor_is_read_even_without_numbers() -> None:
    assert parse_time_frame("End of treatment").anchor == "end of treatment"
    assert parse_time_frame("From randomization until death").anchor == "randomization"


def test_from_anchor_wins_over_later_anchors() -> None:
    text = "From first dose of study drug administration to end of treatment (up to 12 months)"
    assert parse_time_frame(text).anchor == "first dose"


# --------------------------------------------------------------------------------------------
# The real corpus
# --------------------------------------------------------------------------------------------


def _json_time_frames(corpus: Path) -> Iterator[str]:
    for path in sorted((corpus / "ctgov_api_v2_json").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        studies = data.get("studies", [data]) if isinstance(data, dict) else data
        for study in studies:
            module = study.get("protocolSection", {}).get("outcomesModule", {})
            for kind in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"):
                for outcome in module.get(kind, []):
                    yield outcome.get("timeFrame", "")


def _xml_time_frames(corpus: Path) -> Iterator[str]:
    for path in sorted((corpus / "ctgov_xml_2018").glob("*.xml")):
        root = ET.parse(path).getroot()
        for kind in ("primary_outcome", "secondary_outcome", "other_outcome"):
            for outcome in root.findall(kind):
                yield (outcome.findtext("time_frame") or "").strip()


@pytest.mark.corpus
@pytest.mark.parametrize("source, floor", [("json", 0.95), ("xml", 0.93)])
def test_corpus_coverage_and_invariants(corpus_dir: Path, source: str, floor: float) -> None:
    frames = [t for t in (_json_time_frames if source == "json" else _xml_time_frames)(corpus_dir) if t]
    assert len(frames) > 500
    parsed = [parse_time_frame(t) for t in frames]
    share = sum(p.parsed for p in parsed) / len(parsed)
    assert share >= floor, f"{source}: only {share:.1%} of time frames get bounds"
    for frame in parsed:
        if frame.parsed:
            assert frame.min_days is not None, frame.text
            if frame.max_days is None:  # only an open end: "from the first dose until 30 days after
                # last dose", or visits that go on ("at 2 years ... and periodically thereafter")
                assert frame.min_days >= 0 and not frame.time_points_days, frame.text
                continue
            assert frame.min_days <= frame.max_days, frame.text
            assert all(frame.min_days <= p <= frame.max_days for p in frame.time_points_days), frame.text
            assert -400 <= frame.min_days and frame.max_days <= 40 * 365, frame.text  # nothing absurd


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        # a lone point with its own tolerance is a window (as "Day 28 +/- 4 days")
        ("36 ± 3 days after the start of the therapy..", (33, 39)),
        ("Postoperative 2 year + /- 3 months", (640, 820)),
        # after a horizon word the tolerance is dropped
        ("Within 24 ± 4 hours after administration of gadoquatrane", (0, 1)),
        # the baseline visit in words
        ("Before the start of therapy", (0, 0)),
        # "N consecutive days" is a criterion, not a time
        ("From peripheral stem cell infusion (Day0 ASCT) till the first of 3 consecutive days of an "
         "absolute neutrophil count >= 500/uL.", (0, None)),
        # visits with no stated end
        ("At baseline and every 24 hours", (0, None)),
        ("at 2 years within the study and periodically thereafter", (730, None)),
        ("Baseline, week 4 and every 4 weeks thereafter until week 24", (0, 168)),
        # a list of points counted from baseline: baseline is the anchor there
        ("4 weeks and 3 months from baseline", (28, 90)),
        ("Change from baseline to week 12", (0, 84)),
    ],
)
def test_generalized_classes(text: str, bounds: tuple[float, float | None]) -> None:
    frame = parse_time_frame(text)
    assert (frame.min_days, frame.max_days) == bounds


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        # a named week / month / year point with a tolerance is a window, as "Day 28 +/- 4 days"
        ("Week 4 ± 7 days", (21, 35)),
        ("Month 12 (± 1 month)", (330, 390)),
        ("Month 3 +/- 2 weeks after infusion", (76, 104)),
        # ... but in a list the tolerance goes
        ("Month 6 (±14 days), Month 12 (±14 days)", (180, 360)),
        # quarters are 3 months
        ("4 quarters", (0, 360)),
        ("Quarter 2", (180, 180)),
        # periodic visits with "for" or an adverb: first visit .. horizon
        ("Every 3 months for 2 years", (90, 730)),
        ("Monthly for 6 months", (30, 180)),
        ("Annually for 15 years after infusion", (365, 5475)),
        ("quarterly up to 2 years", (90, 730)),
        ("assessed monthly", (None, None)),  # an adverb alone is no time
        # a range whose start counts from a named anchor
        ("From 30 days after CAR-T infusion to 2 years", (30, 730)),
        ("Starting 90 days after transplant, up to 2 years", (90, 730)),
        ("From 6 months after transplant to 2 years post-transplant", (180, 730)),
        # hundreds in words
        ("up to one hundred days", (0, 100)),
        ("two hundred and fifty days", (0, 250)),
    ],
)
def test_more_generalized_classes(text: str, bounds: tuple[float | None, float | None]) -> None:
    frame = parse_time_frame(text)
    assert (frame.min_days, frame.max_days) == bounds


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        # the end of the study named with its day is a horizon
        ("Up to end of the study (Day 237)", (0, 237)),
        ("Day 1 vaccination or placebo through end of the study (Day 237)", (1, 237)),
        # several numbers joined by slashes before one unit
        ("at hospital discharge and at 30/90-day follow-up", (30, 90)),
        ("1/2 day", (None, None)),  # a fraction is no list: not read
        # the day of surgery and the assessment before it are day 0 beside other times
        ("During the preoperative assessment and at the 3 and 6 months postoperative assessments.", (0, 180)),
        ("Intraoperative and postoperative (30 days +/- 10 days).", (0, 40)),
        ("intraoperative", (None, None)),  # alone, an event with no number
        # a cycle length written as an average; the end of each cycle with no count (R21, R29)
        ("At completion of Cycle 4 (each cycle average is 28 days)", (112, 112)),
        ("At the end of each cycle (each cycle is 28 days)", (28, None)),
        # R28: "post-treatment" with no end, completion or last is a horizon
        ("Up to 30 days post-treatment", (0, 30)),
        # R27: the last dose's day given, the frame is read as written
        ("30 days after the last dose at week 12", (0, 114)),
        ("Up to 30 days after the last dose", (0, None)),  # R18: not given
    ],
)
def test_fifth_round_classes(text: str, bounds: tuple[float | None, float | None]) -> None:
    frame = parse_time_frame(text)
    assert (frame.min_days, frame.max_days) == bounds


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        # the end of each cycle with a count of cycles: from the end of the first (R21) to the
        # end of the last
        ("At the end of each 28 Day cycle for a maximum of 32 cycles", (28, 896)),
        ("At the end of each cycle (each cycle is 28 days in duration) for 7 cycles", (28, 196)),
        ("Up to 6 cycles (each cycle is 28 days)", (0, 168)),  # no "end of each": from the start
        # periodic visits up to a number of cycles: the first visit is one period in (R21)
        ("every 8 weeks up to 6 cycles (each cycle is 21 days)", (56, 126)),
        (
            (
                "Assessed every 8 weeks on treatment up to 24 cycles (each cycle is 28 days), then "
                "every 16 weeks on treatment thereafter; treatment duration is not fixed"
            ),
            (56, None),
        ),
        # "cycle duration = 28 day" is a cycle length
        (
            (
                "Assessed on Days 1, 8, 15 and 22 of each cycle on treatment (cycle duration=28 "
                "day). Treatment duration is not fixed"
            ),
            (1, None),
        ),
    ],
)
def test_sixth_round_classes(text: str, bounds: tuple[float | None, float | None]) -> None:
    frame = parse_time_frame(text)
    assert (frame.min_days, frame.max_days) == bounds
