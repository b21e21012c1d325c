"""Parse an outcome's time frame ("Up to 1 years after CAR-T infusion") into bounds in days.

Why a parser of its own: time frames are the one structured-looking part of an outcome that
ClinicalTrials.gov leaves as free text, and cross-trial questions ("which endpoints are read
within 28 days of infusion?") need numbers. The numbers must be honest: a phrase that does not
state a time ("until disease progression") keeps its text and gets no bounds.

Conventions (shared with the gold-set annotator, tests/gold/README.md; change them only together):

* day = 1, week = 7, month = 30, year = 365 days; hours / 24, minutes / 1440.
* An upper horizon ("up to X", "within X", "through X", "by X", "until X", "X after infusion",
  a bare "2 years", "approximately 100 months") -> min 0, max X. One horizon per sentence for
  subgroups ("AML: 2 months after infusion. MM: 3 months after") -> 0..largest.
* A range ("21-28 days", "6 to 8 weeks", "Day -5 to Day 28", "baseline to week 12") -> its ends;
  "Day 28 +/- 4 days" -> 24..32, and so a lone point with a tolerance ("36 ± 3 days after the
  start", "2 year +/- 3 months" -> 640..820); in a list or after "within" the tolerance goes.
* A named time point ("Day 28", "at 28 days", "Week 16", "at the end of the 2-month follow-up")
  -> min = max = the point, and the point is listed; "baseline", "screening" and "enrollment"
  (as visits, not as the anchor of "after enrollment") -> point 0.
* A list ("at 4, 8, and 12 weeks", "day 28, month 3, month 6, year 1", "12 Months, 24 Months",
  "at 1 year ... an average of 10 years") -> every item is a point; min = smallest, max = largest.
  Periodic visits up to a horizon ("every 3 months ... up to 24 months") -> first visit..horizon.
* Compound durations add up ("3 years 5 months", "24 months plus 30 days").
* Cycles count only when the text gives a cycle length ("each cycle is 28 days", "28-day
  cycles", "Cycle 1 (28 days)"); otherwise cycle references ("Cycle 1 Day 1") stay text, and
  so do the hour-level sampling times that hang off them.
* Not times: frequencies ("once a week"), criteria ("the first of 3 consecutive days of ANC
  >= 500"), tolerances inside lists ("Day 1, 15 ± 3 days" is 1..15), names of the anchor
  day ("assessed as day 0", "dosing (day 1)"), windows around each dose ("within 3 days prior to
  each dose"), the length of treatment ("the median treatment duration was 55 days").
* A start with an end that is no number of days ("From the first dose until 30 days after last
  dose") -> min 0, max None.
* Visits that go on with no stated end ("and periodically thereafter", "at baseline and every
  24 hours") -> max None. "4 weeks and 3 months from baseline": baseline is the anchor, not a visit.
* "Before the start of therapy", "pre-treatment" are the baseline visit (0).
* Numbers written as words count ("one year", "thirty days", "a year").

The anchor (what the times count from: infusion, first dose, randomization, transplant, ...)
is read separately: the anchor the text counts *from* wins, then the one the times are *after*.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from graphbuild.model import TimeFrame

__all__ = ["parse_time_frame", "UNIT_DAYS", "ANCHORS"]

UNIT_DAYS: dict[str, float] = {"minute": 1 / 1440, "hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}

# ------------------------------------------------------------------------------------------
# Normalization: one lower-case ASCII-ish string with numbers as digits
# ------------------------------------------------------------------------------------------

_DASH_TABLE = str.maketrans({ch: "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"})
_ESCAPES = re.compile(r"\\(?=[\[\]<>()*_~-])")
_TYPOS = (
    (re.compile(r"\b(?:upto|up-to|ap to|up till|up untill?)\b"), "up to"),
    (re.compile(r"\buntill\b|\btill\b"), "until"),
    (re.compile(r"\bmounths?\b|\bmonthes\b|\bmonts?\b|(?<=\d)\s*(?:mouths?|moths?)\b"), " months"),
    (re.compile(r"\bthru\b"), "through"),
    (re.compile(r"(?<=\d)(?:st|nd|rd|th)\b"), ""),  # 1st day -> 1 day (handled below)
    # "POD 1", "POD1": the usual abbreviation of a postoperative day
    (re.compile(r"\bpod\s*(?=\d)"), "postoperative day "),
    (re.compile(r"\bup to(?=\d)"), "up to "),  # "up to12 months"
)
# The typo rewrites, each with the words it needs to apply (the text is lower-cased by then).
# The month typos have a cheaper form for texts without "mouth" / "moth", where their costly
# look-behind alternative cannot match, so that the common "months" does not wake it.
_MONTH_TYPOS = re.compile(r"\bmounths?\b|\bmonthes\b|\bmonts?\b")
_TYPO_GATES = (
    ((_TYPOS[0][0], ("upto", "up-to", "ap to", "up till", "up until")),),
    ((_TYPOS[1][0], ("till",)),),
    ((_TYPOS[2][0], ("mouth", "moth")), (_MONTH_TYPOS, ("mount", "monthe", "mont"))),
    ((_TYPOS[3][0], ("thru",)),),
    ((_TYPOS[4][0], ("st", "nd", "rd", "th")),),
    ((_TYPOS[5][0], ("pod",)),),
    ((_TYPOS[6][0], tuple(f"up to{d}" for d in range(10))),),
)
_UNITS_WORD = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS_WORD = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_WORD_NUMBER = re.compile(
    r"\b(?=[efnostz])(?:(?P<tens>" + "|".join(_TENS_WORD) + r")(?:[- ](?P<unit>" + "|".join(list(_UNITS_WORD)[1:10]) + r"))?"
    r"|(?P<small>" + "|".join(_UNITS_WORD) + r"))\b"
)
_A_UNIT = re.compile(r"\b(?:a|an|one single|a single|single)\s+(?=(?:minute|hour|day|week|month|year)s?\b)")
_HALF = re.compile(r"\b(\d+)\s+and\s+a\s+half\s+(?=(?:day|week|month|year)s?\b)")
_DECIMAL_COMMA = re.compile(r"\b(\d),5(?=\s*-?\s*(?:years?|months?)\b)")
_TOL_UNIT = r"(?:minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|months?|years?)"
_TOLERANCES = (
    # "0.5 (±5 minutes)": the whole bracket goes
    (re.compile(r"\(\s*(?:\u00b1|\+/-|\+-)\s*\d+(?:\.\d+)?\s*" + _TOL_UNIT + r"?\s*\)"), " "),
    # "15 ± 3 days", "28±7days": keep the unit for the nominal number
    (re.compile(r"(?<=\d)\s*(?:\u00b1|\+/-|\+-)\s*\d+(?:\.\d+)?\s*(?=" + _TOL_UNIT + r"\b)"), " "),
    # "4 months ± 1 week": the tolerance has its own unit
    (re.compile(r"(?:\u00b1|\+/-|\+-)\s*\d+(?:\.\d+)?\s*" + _TOL_UNIT + r"?\b"), " "),
)
# "every 3 months ... up to 24 months": the first periodic visit is the first time point
_PERIODIC = re.compile(
    r"\bevery\s+(\d+(?:\.\d+)?)\s*(minutes?|hours?|days?|weeks?|months?|years?)\b(?=[^;.]*?\b(?:up to|until|through|for)\b)"
)
_PERIODIC_CYCLES = re.compile(r"\bevery\s+(\d+)\s+cycles?\b(?=[^;.]*?\b(?:up to|until|through|for)\b)")
# "monthly for 12 months", "annually up to 15 years": the adverb is a period of one unit
_PERIODIC_ADVERB = re.compile(
    r"\b(?P<a>weekly|monthly|quarterly|annually|yearly)\b(?=[^;.]*?\b(?:up to|until|through|for)\b[^;.]*\d)"
)
_ADVERB_PERIOD = {
    "weekly": "every 1 week", "monthly": "every 1 month", "quarterly": "every 3 months",
    "annually": "every 1 year", "yearly": "every 1 year",
}
# "4 quarters", "quarter 2": a quarter of a year is 3 months (90 days by the month convention)
_QUARTERS = re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s*quarters?\b|\bquarter\s*(?P<q>\d+)\b")
# "one hundred days", "two hundred and fifty days" (after the smaller number words became digits)
_HUNDREDS = re.compile(r"\b(?P<h>[1-9])\s+hundred(?:\s+(?:and\s+)?(?P<r>\d{1,2}))?\b")
_FREQUENCY = re.compile(
    r"\b(?:every|each|q)\s*(?:other\s+)?(?:\d+(?:\.\d+)?\s*(?:(?:-|to)\s*\d+(?:\.\d+)?\s*)?)?"
    r"(?:minutes?|hours?|days?|weeks?|months?|years?|quarters?)\b"
    r"|\b(?:once|twice|thrice|\d+\s*times)\s+(?:a|an|per|1|every)\s+(?:day|week|month|year)\b"
    r"|\bper\s+(?:day|week|month|year)\b"
)


_DAY_WINDOW = re.compile(r"\bday\s*(\d+)\s*(?:\u00b1|\+/-|\+-)\s*(\d+)\s*(?:days?|d)?\b")
# "Week 4 ± 7 days", "Month 12 +/- 2 weeks": a named point in weeks / months / years with a
# tolerance in its own unit is a window in days, as "Day 28 +/- 4 days" is
_UNIT_WINDOW = re.compile(
    r"\b(?P<u>week|month|year)s?\s*(?P<n>\d+(?:\.\d+)?)\s*\(?\s*(?:\u00b1|\+/-|\+-)\s*"
    r"(?P<w>\d+(?:\.\d+)?)\s*(?P<wu>days?|weeks?|months?|years?)?\b\s*\)?"
)
# "36 ± 3 days after the start", "Postoperative 2 year +/- 3 months": the only time of the text,
# with a tolerance and no horizon word before it, is a window around the point (as "Day 28 +/- 4
# days"); inside a list or after "within" the tolerance is dropped (`_TOLERANCES`).
_POINT_WINDOW = re.compile(
    r"^(?P<lead>(?:(?!\b(?:up to|within|until|through|by|before|every)\b)[^\d])*?)"
    r"(?P<n>\d+(?:\.\d+)?)\s*(?P<u>days?|weeks?|months?|years?)?\s*(?:\u00b1|\+/-|\+-)\s*"
    r"(?P<w>\d+(?:\.\d+)?)\s*(?P<wu>days?|weeks?|months?|years?)\b(?P<rest>[^\d]*)$"
)


def _point_window(match: re.Match[str]) -> str:
    unit = match.group("u") or match.group("wu")
    center = _to_days(match.group("n"), unit)
    width = _to_days(match.group("w"), match.group("wu"))
    low, high = center - width, center + width
    return f"{match.group('lead')}between day {_round(low):g} and day {_round(high):g}{match.group('rest')}"


def _unit_window(match: re.Match[str]) -> str:
    center = _to_days(match.group("n"), match.group("u"))
    width = _to_days(match.group("w"), match.group("wu") or match.group("u"))
    return f"day {_round(center - width):g} to day {_round(center + width):g} "


def _day_window(match: re.Match[str]) -> str:
    day, width = int(match.group(1)), int(match.group(2))
    return f"day {day - width} to day {day + width}"


def _word_number(match: re.Match[str]) -> str:
    if match.group("small"):
        return str(_UNITS_WORD[match.group("small")])
    value = _TENS_WORD[match.group("tens")]
    if match.group("unit"):
        value += _UNITS_WORD[match.group("unit")]
    return str(value)


# "12th week (T1) after baseline", "the 2nd year": an ordinal unit is the named point (week 12)
_ORDINAL_UNIT = re.compile(
    r"\b(?P<n>\d+(?:st|nd|rd|th)(?:\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)\d+(?:st|nd|rd|th))*)\s+(?P<u>day|week|month|year)s?\b"
)
_ORDINAL_SUFFIX = re.compile(r"(?<=\d)(?:st|nd|rd|th)")


def _ordinal_unit(match: re.Match[str]) -> str:
    return f"{match.group('u')} {_ORDINAL_SUFFIX.sub('', match.group('n'))}"


# "Point 2. 15 ± 3 days after ...", "Visit 3: Day 28": a leading label's number is no time
_LEADING_LABEL = re.compile(r"^\s*(?:point|visit|time\s*point|timepoint|assessment|t)\s*\d+\s*[.:)]\s*")


# "every 6 months x2 years": the multiplication sign of a schedule is "for"
_TIMES_DURATION = re.compile(r"(?<=\s)x\s?(?=\d+(?:\.\d+)?\s*(?:years?|months?|weeks?|days?)\b)")


def _normalize(text: str) -> str:
    """Lower-case, ASCII punctuation, digits for number words, tolerances blanked. Offsets are
    not kept: time frames carry no evidence spans. (Each rewrite runs only when a cheap test
    says it can apply: the corpus repeats short phrases that need none.)"""
    if text.isascii():  # NFKC and the dash table change nothing in ASCII
        out = text.lower()
    else:
        out = unicodedata.normalize("NFKC", text).lower().translate(_DASH_TABLE)
    if "\\" in out:
        out = _ESCAPES.sub("", out)
    if " x" in out:
        out = _TIMES_DURATION.sub("for ", out)
    if out[:1] in "pvtPVTa " and _LEADING_LABEL.match(out):
        out = _LEADING_LABEL.sub("", out, count=1)
    if "st " in out or "nd " in out or "rd " in out or "th " in out:
        out = _ORDINAL_UNIT.sub(_ordinal_unit, out)
    for (_, repl), forms in zip(_TYPOS, _TYPO_GATES):
        # the first form whose words the text has (none: the rewrite cannot apply)
        for pattern, needs in forms:
            if any(map(out.__contains__, needs)):
                out = pattern.sub(repl, out)
                break
    out = _WORD_NUMBER.sub(_word_number, out)
    if "hundred" in out:
        out = _HUNDREDS.sub(lambda m: str(int(m.group("h")) * 100 + int(m.group("r") or 0)), out)
    if "quarter" in out:
        out = _QUARTERS.sub(
            lambda m: f"{float(m.group('n')) * 3:g} months" if m.group("n") else f"month {int(m.group('q')) * 3}",
            out,
        )
    if "ly" in out:
        out = _PERIODIC_ADVERB.sub(lambda m: _ADVERB_PERIOD[m.group("a")], out)
    if "half" in out:
        out = _HALF.sub(lambda m: f"{m.group(1)}.5 ", out)
    if ",5" in out:
        out = _DECIMAL_COMMA.sub(r"\1.5", out)
    if "+ /-" in out or "+ / -" in out:
        out = out.replace("+ / -", "+/-").replace("+ /-", "+/-")
    if "\u00b1" in out or "+/-" in out or "+-" in out:
        out = _DAY_WINDOW.sub(_day_window, out)  # "Day 28 +/- 4 days": days 24 to 32
        window = _UNIT_WINDOW.search(out)
        if window and not _DIGIT.search(out[: window.start()] + out[window.end() :]):
            # "Week 4 ± 7 days": days 21 to 35 (the only time of the text; in a list the
            # tolerance goes, as for "Day 1, 15 ± 3 days")
            out = out[: window.start()] + _unit_window(window) + out[window.end() :]
        out = _POINT_WINDOW.sub(_point_window, out)  # "36 ± 3 days after ...": days 33 to 39
        for pattern, repl in _TOLERANCES:
            out = pattern.sub(repl, out)
    if "a " in out or "an " in out or "single" in out:
        out = _A_UNIT.sub("1 ", out)
    return out


# ------------------------------------------------------------------------------------------
# Cycles: a length in days makes "Cycle 2 Day 1" a number; without one it stays text
# ------------------------------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
_CYCLE_LENGTH = (
    # each cycle is 28 days (in duration) / cycle = 28 days / cycles of 21 days / cycle (6 weeks)
    re.compile(
        r"\bcycles?\s*(?:length\s*|average\s*|duration\s*)?(?:is|are|=|:|of|lasts?|lasting|being|\()\s*(?:defined as\s*|approximately\s*)?"
        rf"(?P<n>{_NUM})\s*-?\s*(?P<u>days?|weeks?)\b(?:\s*(?:in\s+)?(?:duration|long|each))?"
    ),
    # 28-day cycles / 21 day treatment cycle
    re.compile(rf"\b(?P<n>{_NUM})\s*-?\s*(?P<u>days?|weeks?)\s*(?=(?:treatment\s+|therapy\s+|chemotherapy\s+)?cycles?\b)"),
    # 12 cycles, each 28 days / cycles (each 21 days) / 6 cycles each lasting 4 weeks
    re.compile(
        r"\bcycles?\s*[,(]?\s*each\s+(?:cycle\s+)?(?:is\s+|=\s*|of\s+|lasting\s+|being\s+)?(?:approximately\s*)?"
        rf"(?P<n>{_NUM})\s*-?\s*(?P<u>days?|weeks?)\b"
    ),
    # Cycle 1 (28 days): the length of the cycle it names
    re.compile(rf"\bcycle\s+\d+\s*\(\s*(?P<n>{_NUM})\s*-?\s*(?P<u>days?|weeks?)\s*\)"),
)
_FIRST_CYCLE = re.compile(r"\b(?:the\s+)?(?:first|1)\s+cycle\b")
_EACH_CYCLE_END = re.compile(r"\b(?:end|completion)\s+of\s+(?:each|every)\s+(?:treatment\s+)?cycle\b")


def _cycle_length(text: str) -> tuple[float | None, str]:
    """The cycle length in days, and the text with the length phrase blanked out (so that
    "28 days" in "each cycle is 28 days" is not read as a time frame of its own)."""
    if "cycle" not in text:  # every cycle pattern needs the word
        return None, text
    length: float | None = None
    for pattern in _CYCLE_LENGTH:
        match = pattern.search(text)
        if match:
            factor = 7 if match.group("u").startswith("week") else 1
            length = float(match.group("n")) * factor
            start, end = match.span("n")[0], match.span("u")[1]
            text = text[:start] + " " * (end - start) + text[end:]
            break
    text = _FIRST_CYCLE.sub("cycle 1", text)
    return length, text


# ------------------------------------------------------------------------------------------
# Mentions: every stated time, with its shape
# ------------------------------------------------------------------------------------------

_UNIT = (
    r"(?:(?:post-?operative|consecutive|subsequent|calendar|additional|more)\s+)?"
    r"(?P<{g}>minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|mths?|years?|yrs?)(?![a-z])"
)
_SEP_LIST = r"(?:\s*,\s*(?:and|or|&)?\s*|\s+(?:and|or|&)\s+|\s*&\s*|\s*/\s*(?![234]\s*-?\s*(?:hours?|days?|weeks?|months?|years?)\b)|\s+)"  # "30/90-day", not "1/2 day"
_SEP_UF = r"(?:\s*,\s*(?:and|or|&)?\s*|\s+(?:and|or|&)\s+|\s*&\s*|\s*/\s*|\s+)"  # "day 2/4/6" too
_SEP_RANGE = r"(?:\s*-\s*|\s+to\s+|\s+through\s+)"
_SIGNED = rf"(?<![a-z\d./])(?:(?<![\d.])[-+]\s?)?{_NUM}"  # not inside a code (CYC140, FT538)
_MENTION = re.compile(
    # a cheap gate: every mention starts with a digit or sign, or at a word start with one of
    # these letters (each letter-led alternative begins with \b)
    r"(?=[0-9+\-]|\b[bcdmwysepi])(?:"
    # Cycle 2 Day 1 / C2D1 / Cycles 1-2 / Cycle 3
    r"(?P<cycle>\b(?:cycles?\s*(?P<c1>\d+)(?:\s*(?P<csep>-|to|through|and|,|&)\s*(?P<c2>\d+))?"
    r"(?:\s*,?\s*(?:day|d)\s*(?P<cd>\d+))?|c(?P<cc>\d+)\s*d(?P<ccd>\d+)"
    # Day 8 of Cycle 2 (of cycle 1 it is plain day 8, whatever the cycle length: read as "uf")
    r"|day\s*(?P<dcd>\d+)\s+of\s+(?:the\s+)?cycle\s*(?P<dcc>[2-9]|\d{2,})\b(?!\s*(?:-|to|through|and|,|&)\s*\d)))"
    # 6 cycles
    r"|(?P<ncycles>\b(?P<cn>\d+)\s+(?:\w+\s+)?cycles?\b)"
    # Day 28 / Week 4, 7 and 10 / Month 24 / day +100 / Day -6
    r"|(?P<uf>\b(?P<uf_unit>day|week|wk|month|mo|year|yr|d)s?\s*(?P<uf_nums>[-+]?\s?\d+(?:\.\d+)?"
    r"(?P<uf_range>\s*(?:-|to)\s*(?:(?:day|week|wk|month|mo|year|yr|d)s?\s*)?[-+]?\d+(?:\.\d+)?(?![\d.]*\s*-?\s*(?:minutes?|hours?|days?|weeks?|months?|years?)\b))?"
    r"(?:" + _SEP_UF + r"(?:(?:day|week|wk|month|mo|year|yr|d)s?\s*)?[-+]?\d+(?:\.\d+)?(?![\d.]*\s*-?\s*(?:minutes?|hours?|days?|weeks?|months?|years?)\b))*))"
    # 21-28 days / 4, 8, and 12 weeks / 2-year / 28 days
    r"|(?P<nf>(?P<nf_nums>" + _SIGNED + r"(?:(?:" + _SEP_RANGE + r"|" + _SEP_LIST + r")" + _NUM + r")*)"
    r"\s*-?\s*" + _UNIT.format(g="nf_unit") + r")"
    # baseline, and the visits that count as baseline (screening, enrollment)
    r"|(?P<baseline>\bbase[- ]?line\b|\bscreening\b|\benrol(?:l?ment|led)\b"
    r"|\bbefore\s+(?:the\s+)?(?:start|initiation|beginning)\s+of\s+(?:the\s+)?(?:[\w-]+\s+)?(?:therapy|treatment)\b"
    r"|\bpre-?(?:treatment|infusion|transplant(?:ation)?|therapy|intervention)\b"
    # the day of surgery, and the assessment before it ("during the preoperative assessment
    # and at 3 and 6 months", "intraoperative and postoperative (30 days)"): day 0
    r"|\b(?:pre|intra)-?operative(?:ly)?\b"
    r"|\b(?:immediately|directly)\s+(?:post|after|following)\b))"
)
_UNIT_NORMAL = {
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
    "mo": "month", "mos": "month", "mth": "month", "mths": "month", "month": "month", "months": "month",
    "yr": "year", "yrs": "year", "year": "year", "years": "year",
}
_UF_ITEM = re.compile(r"(?:\b(?P<unit>day|week|wk|month|mo|year|yr|d)s?\s*)?(?P<n>[-+]?\s?\d+(?:\.\d+)?)")
_NEGATIVE_END = re.compile(r"(?:-|to)\s*(?:[a-z]+\s*)?-")
_NUMBERS = re.compile(r"[-+]?\s?\d+(?:\.\d+)?")
_RANGE_SEP = re.compile(r"\d\s*(?:-|to|through)\s*\d")

_HORIZON_CUE = re.compile(
    r"(?:\bup to|\bapproximately|\bapprox\.?|\babout|\baround|~|\bwithin|\bthrough(?:out)?|\buntil|\bby|\bno later than|\bmaximum(?: of)?|\bmax\.?(?: of)?"
    r"|\bat most|\bless than|<=?|\bover|\bduring(?: the)?(?: first)?|\bthe first|\bfirst|\bfor(?: up to)?"
    r"|\bto|\bthe following|\bfollowed for|\bfollow-?up(?: of| for)?|\bfollowed up for|\blasting"
    # "Up to end of the study (Day 237)": the end named, and its day in brackets
    r"|\b(?:up to|until)\s+(?:the\s+)?end\s+of\s+(?:the\s+)?(?:study|trial|follow-?up)\s*\(\s*)"
    r"(?:\s+(?:a|an|the|approximately|approx\.?|about|around|roughly|nearly|~|post-?[a-z0-9-]+|[a-z0-9-]+-(?:up|term))\b\.?)*\s*~?\s*$"
)
_AT_CUE = re.compile(r"(?:\bat|\bon|\bend of|\bcompletion of)(?:\s+(?:the|each|study|approximately|about|~))*\s*$")
_BEFORE_FOLLOWS = re.compile(r"^\s*(?:prior|before|pre-?)\b")
_CONNECTOR = re.compile(r"^(?:-|to|through|until|up to|to up to|through up to|and up to|thereafter up to|and|until up to)$")
# "From 30 days after infusion to 2 years", "starting 90 days post-transplant, up to 2 years": the
# first time counts from the anchor the words between name, and starts the range
_ANCHORED_CONNECTOR = re.compile(
    r"^(?:after|post|following)\b(?![^;.]*\b(?:last|final|end|completion|discontinu\w*|stop\w*)\b)"
    r"[^;.]{0,50}?(?:\bto|\buntil|\bup to|\bthrough)$"
)
_RANGE_START = re.compile(r"\b(?:from|starting|beginning|start(?:ing)? at)\s*$")
_ANCHOR_USE = re.compile(r"\b(?:after|post|following|since|of|prior\s+to|before)[\s-]*$")
# a visit whose bracket gives its day, or a bracket naming the visit of the time before it
_DATED_AFTER = re.compile(r"\s*(?:period\s*|visit\s*)?\((?=[^()]*\d)")
_DATED_AROUND = re.compile(r"\d[^()]{0,12}\([^()]*$")
_TIME_OF = re.compile(r"\b(?:at|on)\s+the\s+time\s+of\s*$")  # "at the time of enrollment": a visit
_LABEL_BEFORE = re.compile(r"(?:\bas|=)\s*$")
_ANCHOR_LABEL = re.compile(
    r"(?:dosing|infusion|transplant\w*|randomi[sz]ation|enrol\w*|treatment|administration|asct|h?sct|hct)\s*\(\s*$"
)
_EACH_DOSE = re.compile(r"^\s*(?:prior|before)\s+(?:to\s+)?(?:each|every)\b")
_TREATMENT_LENGTH = re.compile(r"\b(?:median|mean)\s+(?:treatment\s+duration|duration\s+of\s+treatment)\s+(?:was|is|of)\s*$")
_FROM_START = re.compile(r"^\W*(?:from|first|start(?:ing)?|beginning|initiation)\b")
# A time counted from the last dose or the end of treatment (R18 of the gold conventions): the
# record does not say when that is, so the frame has a start and no upper bound in days.
# "Post-treatment" alone is not one: most records mean after the treatment given on day 0.
_LAST_DOSE = r"(?:last|final)\s+(?:[\w-]+\s+){0,2}?(?:dose|administration|infusion|treatment)"
_AFTER_LAST = re.compile(
    r"^\s*(?:after|post|following|from)\s+(?:the\s+)?(?:administration\s+of\s+(?:the\s+)?)?"
    rf"(?:{_LAST_DOSE}"
    r"|(?:end|completion|discontinuation|stop\w*)\s+of|complet(?:ing|ion\s+of)\b|finish(?:ing)?\b"
    r"|(?:study\s+)?treatment\s+(?:completion|end\b|has\s+ended)"
    # "until 1 year after the last patient received his last dose": the study's last dose
    r"|last\s+(?:patient|participant|subject)\s+(?:[\w-]+\s+){0,3}?(?:last|final)\s+(?:dose|administration|treatment))"
)
# "From enrollment to 30 days after hospital discharge", "from enrollment till 6 weeks after
# birth": the end counts from an event that falls on no day the record gives, later than the
# start, so the frame has a start and no upper bound (as R18's last dose). Only after a start
# the frame names ("from ...", "until ..."): "30 and 90 days after hospital discharge" alone
# counts from the discharge, its anchor.
_AFTER_UNDATED = re.compile(
    r"^\s*(?:after|post|following)[\s-]+(?:the\s+)?(?:hospital\s+)?(?:discharge|birth|childbirth|delivery)\b"
)
_STARTED = re.compile(r"^\W*(?:from|until|till)\b")
# R27: "30 days after the last dose at week 12": the last dose's day is given, so the frame
# ends 30 days after it
_LAST_AT = re.compile(
    rf"^\s*(?:after|post|following)\s+(?:the\s+)?{_LAST_DOSE}\s*[,(]?\s*(?:at|on)\s+"
    r"(?P<u>day|week|month)\s*(?P<n>\d+(?:\.\d+)?)\b"
)
# "until last administration plus 30 days": the same, with the anchor before the number
_LAST_PLUS = re.compile(rf"\b{_LAST_DOSE}\s+plus\s*$")
# "then per PI discretion", "thereafter as clinically indicated": visits with no end in days
_OPEN_SCHEDULE = re.compile(r"\bthen\s+(?:per|at)\s+(?:the\s+)?(?:pi|investigator)'?s?\s+discretion\b")
_CLAUSE_END = re.compile(r"\.(?:\s|$)")  # sentences ("AML: 2 months ... MM: 3 months ..."), not "a; b" lists
_BETWEEN = re.compile(r"\bbetween\s*$")
_TO_WORD = re.compile(r"\b(?:to|until|till|through)\b")
# "Before baseline (at the programme's design), at 12 weeks": a visit before baseline, which
# counts as day 0 like baseline; not "2 weeks before baseline" (a number: the anchor's use)
_NUMBER_BEFORE = re.compile(r"\d[^.;,]{0,25}$")
_VISIT_BEFORE = re.compile(r"(?:^|[.;,]\s*|\band\s+|\bat\s+)(?:before|prior\s+to|pre-?)\s*$", re.I)
# "Day 0 of the first cycle" ("the first cycle" reads "cycle 1" by then): cycle 1's days are study days
_OF_CYCLE_ONE = re.compile(r"^\s*of\s+cycle\s*1\b(?!\s*[-&,]|\s+(?:to|and|through))", re.I)
# "From enrollment till birth": a start and an end that no number gives
_UNTIL_EVENT = re.compile(r"[^\d]*\b(?:until|till|to|through)\b[^\d]*$", re.I)  # .match(body, pos)
_SPACES = re.compile(r"\s+")
_AFTER_END = re.compile(r"\bafter\s*$")
_STOPS = re.compile(r"[;.]")
_GAP_STRIP = " ,;:()[]{}."
_FROM_END = re.compile(r"\b(?:from|since|relative to)\s*$")
# C, D: visits that go on with no stated end ("and periodically thereafter", "every 24 hours")
_THEREAFTER = re.compile(r"\bthereafter\b(?![^.;]*\b(?:up to|until|through|for)\b)")
_PERIOD_ANY = re.compile(
    r"\bevery\s+(?:\d+(?:\.\d+)?\s*)?(?:minutes?|hours?|days?|weeks?|months?|years?)\b"
    r"|\b(?:of|in)\s+(?:every|each)\s+(?:\d+\s*-?\s*(?:days?|weeks?)\s+)?(?:treatment\s+)?cycles?\b"
)
_ANY_END = re.compile(r"\b(?:up to|until|till|through|to|within|for|during|by|over)\b|-\s*\d")
_CYCLE_ATTACHED = re.compile(r"^\s*(?:of|in|on)\s+(?:each|every|the|all|subsequent|odd|even|\w+)?\s*(?:\w+\s+)?cycles?\b")


@dataclass(slots=True)
class _Mention:
    kind: str  # "uf" (Day N), "nf" (N days), "baseline", "cycle", "ncycles"
    start: int
    end: int
    values: tuple[float, ...] = ()  # in days
    is_range: bool = False  # "21-28 days"
    unit_days: float = 1.0
    cycle: tuple[int, int, int | None] | None = None  # (first, last, day)


def _to_days(number: str, unit: str) -> float:
    return float(number.replace(" ", "")) * UNIT_DAYS[_UNIT_NORMAL[unit]]


def _mentions(text: str) -> list[_Mention]:
    found: list[_Mention] = []
    for m in _MENTION.finditer(text):
        if m.group("cycle"):
            if m.group("cc"):
                first = last = int(m.group("cc"))
                day = int(m.group("ccd"))
            elif m.group("dcc"):
                first = last = int(m.group("dcc"))
                day = int(m.group("dcd"))
            else:
                first = int(m.group("c1"))
                last = int(m.group("c2") or first)
                day = int(m.group("cd")) if m.group("cd") else None
                if m.group("csep") in ("and", ",", "&"):  # "cycle 1 and 2": two cycles, not a span
                    found.append(_Mention("cycle", m.start(), m.end(), cycle=(first, first, day)))
                    first = last
            found.append(_Mention("cycle", m.start(), m.end(), cycle=(first, last, day)))
        elif m.group("ncycles"):
            n = int(m.group("cn"))
            found.append(_Mention("ncycles", m.start(), m.end(), cycle=(n, n, None)))
        elif m.group("uf"):
            factor = UNIT_DAYS[_UNIT_NORMAL[m.group("uf_unit")]]
            values: list[float] = []
            for index, item in enumerate(_UF_ITEM.finditer(m.group("uf_nums"))):
                if item.group("unit"):  # "day 28, month 3": each item may name its own unit
                    factor = UNIT_DAYS[_UNIT_NORMAL[item.group("unit")]]
                number = item.group("n").replace(" ", "")
                if index == 1 and m.group("uf_range") and not _NEGATIVE_END.search(m.group("uf_range")):
                    number = number.lstrip("-+")  # "Day 1-28": a dash, not a sign
                values.append(float(number) * factor)
            is_range = bool(m.group("uf_range")) and len(values) == 2
            found.append(_Mention("uf", m.start(), m.end(), tuple(values), is_range=is_range, unit_days=factor))
        elif m.group("nf"):
            unit = m.group("nf_unit")
            nums = m.group("nf_nums")
            numbers = _NUMBERS.findall(nums)
            # "21-28": the second number's "-" is a range dash, not a sign
            cleaned = [numbers[0]] + [n.lstrip("-+ ") for n in numbers[1:]]
            values = tuple(_to_days(n, unit) for n in cleaned)
            is_range = len(values) == 2 and bool(_RANGE_SEP.search(nums))
            factor = UNIT_DAYS[_UNIT_NORMAL[unit]]
            found.append(_Mention("nf", m.start(), m.end(), values, is_range=is_range, unit_days=factor))
        else:
            found.append(_Mention("baseline", m.start(), m.end(), (0.0,)))
    return found


def _merge_compounds(text: str, mentions: list[_Mention]) -> list[_Mention]:
    """'3 years 5 months', '2 years and 10 months', '24 months plus 30 days' -> one duration."""
    merged: list[_Mention] = []
    for mention in mentions:
        if merged:
            prev = merged[-1]
            gap = text[prev.end:mention.start].strip()
            if (
                prev.kind == "nf" and mention.kind == "nf"
                and len(prev.values) == 1 and len(mention.values) == 1
                and mention.unit_days < prev.unit_days
                and gap in ("", "and", "plus", "+")
            ):
                merged[-1] = _Mention(
                    "nf", prev.start, mention.end, (prev.values[0] + mention.values[0],),
                    unit_days=mention.unit_days,
                )
                continue
        merged.append(mention)
    return merged


# ------------------------------------------------------------------------------------------
# Anchors
# ------------------------------------------------------------------------------------------

ANCHORS: tuple[tuple[str, str], ...] = (
    ("first dose", r"first (?:dose|dosing|administration|study (?:drug|treatment|intervention|dose))"
                   r"|(?:1|first) dose|initial dose|date of (?:first )?dosing|first (?:treatment|injection)"),
    ("last dose", r"last (?:dose|dosing|administration|injection|study (?:drug|treatment|intervention|dose)|treatment)|final dose"),
    ("lymphodepletion", r"lymphodeplet\w*|lympho-depleti\w*|conditioning chemotherapy"),
    ("infusion", r"(?:re-?)?infusion|infused|re-?perfusion|retransfusion|cell transfer|car-?t (?:cell )?(?:administration|therapy|treatment)"),
    ("randomization", r"randomi[sz]\w*"),
    ("transplant", r"(?:allo-?|auto-?|allogeneic |autologous )?(?:transplant\w*|h?sct|hct|bmt|asct|hsct)\b"),
    ("enrollment", r"enrol+\w*|inclusion|registration|study entry|(?:informed )?consent|admission"),
    ("treatment start", r"(?:start|initiation|beginning|commencement|onset) of (?:the )?(?:[\w-]+ ){0,3}?(?:treatment|therapy|study drugs?|dosing)"
                        r"|(?:treatment|therapy) (?:start|initiation)|\bc1d1\b|cycle 1,? day 1|start of study"),
    ("end of treatment", r"end of (?:the )?(?:[\w-]+ )?(?:treatment|therapy)|end-of-treatment|\beot\b"
                         r"|(?:completion|discontinuation|cessation|ceasing|stopping|end) of (?:the )?(?:[\w-]+ ){0,2}?(?:treatment|therapy)"
                         r"|post-?treatment|after (?:the )?treatment|ceasing treatment"),
    ("diagnosis", r"diagnos[ie]s"),
    ("apheresis", r"(?:leuk)?apheresis"),
    ("administration", r"administration|administered|dosing|injection|vaccination|post-?dose"),
    ("baseline", r"base[- ]?line"),
)
_ANCHOR = re.compile(r"\b(?=[a-z])(?:" + "|".join(f"(?P<a{i}>{pattern})" for i, (_, pattern) in enumerate(ANCHORS)) + ")")
# "From date of randomization until date of death", "From start of first treatment": a frame that
# opens at a study-time anchor and names no number starts on day 0 and has no end in days (an event
# start, "From CR to relapse", gives no bound at all)
_STUDY_START_ANCHORS = ("first dose", "randomization", "enrollment", "treatment start", "infusion", "transplant")
_FROM_STUDY_START = re.compile(
    r"^\W*(?:from|since|starting (?:at|from|with))\s+(?:the\s+)?(?:(?:date|day|time)\s+of\s+(?:the\s+)?)?(?:"
    + "|".join(pattern for name, pattern in ANCHORS if name in _STUDY_START_ANCHORS)
    + r")\b(?![^.;]*\b(?:before|prior)\b)"
)
_FROM_CUE = re.compile(r"(?:\bfrom|\bsince|\brelative to|\bstarting (?:at|from|with))(?:\s+\S+){0,4}\s*$")
_AFTER_CUE = re.compile(r"(?:\bafter|\bpost|\bfollowing|\bof|\bprior to|\bbefore|-)(?:\s+\S+){0,4}\s*$")


def _anchor(text: str) -> str | None:
    """What the times count from: an anchor after 'from'/'since' first; then one that opens
    the text ('Baseline to week 12'); then one the times are 'after'/'post'; else the first."""
    hits = [(m.start(), ANCHORS[int(m.lastgroup[1:])][0]) for m in _ANCHOR.finditer(text)]  # type: ignore[index]
    if not hits:
        return None
    for start, name in hits:
        if _FROM_CUE.search(text[max(0, start - 40):start]):
            return name
    if hits[0][0] == 0 or not text[:hits[0][0]].strip(" -,.;:()"):
        return hits[0][1]
    for start, name in hits:
        if _AFTER_CUE.search(text[max(0, start - 40):start]):
            return name
    return hits[0][1]


# ------------------------------------------------------------------------------------------
# Resolution: mentions -> bounds and points
# ------------------------------------------------------------------------------------------


def _round(value: float) -> float:
    rounded = round(value, 4)
    return float(int(rounded)) if rounded == int(rounded) else rounded


def _lookback(text: str, start: int, floor: int) -> str:
    """The words before a mention, back to the previous mention or 50 characters."""
    return text[max(floor, start - 50):start]


def _resolve(
    text: str, mentions: list[_Mention], cycle_len: float | None, periods: Sequence[tuple[int, float]] = ()
) -> tuple[list[tuple[float, float]], list[float], bool, bool]:
    """Intervals and points the mentions name, whether an open end was dropped, and whether a
    time counted from the last dose was (the frame then has no upper bound in days)."""
    intervals: list[tuple[float, float]] = []
    points: list[float] = []
    bare: list[float] = []
    bare_clauses: list[int] = []
    unresolved_cycle = any(m.kind in ("cycle", "ncycles") for m in mentions) and cycle_len is None
    from_start = bool(_FROM_START.match(text))
    open_ended = False
    after_last = False

    usable: list[_Mention] = []
    stated_last = -1  # end of a last dose's stated day ("... after the last dose at week 12")
    for m in mentions:
        after = text[m.end:m.end + 60]
        before = text[max(0, m.start - 40):m.start]
        if m.start < stated_last:
            continue  # the last dose's own day, read with the time counted from it
        if m.kind == "baseline" and _ANCHOR_USE.search(before) and not _TIME_OF.search(before) and (
            _NUMBER_BEFORE.search(before) or not _VISIT_BEFORE.search(before)
        ):
            continue  # "2 years after enrollment": enrollment is the anchor here, not a visit
        if (
            m.kind == "baseline"
            and text.startswith("pre", m.start)
            and text.endswith("intervention", m.start, m.end)
            and (_DATED_AFTER.match(after) or _DATED_AROUND.search(before))
        ):
            # "Pre-intervention (one week before ...)", "week 1 (pre-intervention period)": the
            # bracket's time is the visit
            continue
        if m.kind == "uf" and (
            _LABEL_BEFORE.search(before) or (_ANCHOR_LABEL.search(before) and m.values in ((0.0,), (1.0,)))
        ):
            continue  # "assessed as day 0", "dosing (day 1)": a name for the anchor, not a time
        if _EACH_DOSE.match(after) or _TREATMENT_LENGTH.search(before):
            continue  # "within 3 days prior to each dose", "the median treatment duration was 55 days"
        last_at = _LAST_AT.match(after) if m.kind == "nf" and len(m.values) == 1 else None
        if last_at is not None:
            # R27: the frame says when the last dose falls: read as written, from day 0
            at_day = _to_days(last_at.group("n"), last_at.group("u"))
            intervals.append((0.0, at_day + m.values[0]))
            stated_last = m.end + last_at.end()
            continue
        if m.kind in ("nf", "uf") and (
            _AFTER_LAST.match(after) or _LAST_PLUS.search(before)
            or (_AFTER_UNDATED.match(after) and _STARTED.match(text))
        ):
            after_last = True  # "up to 30 days after last dose", "1 year after completion of
            continue  # treatment": from a date the record does not give, so no upper bound
        if m.kind == "nf" and "consecutive" in text[m.start:m.end]:
            open_ended = open_ended or from_start  # "From infusion till the first of 3 consecutive days of ANC >= 500"
            continue
        if m.kind == "baseline" and _FROM_END.search(before) and any(o.start < m.start for o in mentions):
            continue  # "4 weeks and 3 months from baseline": the anchor, not a visit
        if m.kind == "uf" and _CYCLE_ATTACHED.match(after) and cycle_len is None and not _OF_CYCLE_ONE.match(after):
            continue  # "Day 8 of each cycle" with no cycle length: not a study day ("of the first
            # cycle" is: day 0 of the first cycle is day 0)
        if unresolved_cycle and m.kind == "nf" and m.unit_days < 1:
            continue  # sampling hours relative to an unnumbered cycle day
        if m.kind in ("cycle", "ncycles") and cycle_len is None:
            if m.kind == "ncycles" and _HORIZON_CUE.search(before):
                open_ended = True  # "Duration of treatment (up to 12 cycles)": from 0, no end in days
            continue
        usable.append(m)

    consumed: set[int] = set()
    # ranges joined by a connector: Day -5 to Day 28, baseline to week 12, Day 1 up to 50 weeks
    for i in range(len(usable) - 1):
        a, b = usable[i], usable[i + 1]
        if i in consumed or a.is_range or len(a.values) > 1 or not a.values and a.kind != "cycle":
            continue
        gap = text[a.end:b.start].strip(_GAP_STRIP).strip()
        gap = _SPACES.sub(" ", gap)
        if gap == "+" and a.kind == "uf" and b.kind == "nf" and len(b.values) == 1:
            intervals.append((a.values[0], a.values[0] + b.values[0]))  # "Day 9+48 hours": a window
            consumed.update((i, i + 1))
            continue
        if not _CONNECTOR.match(gap) and not (
            _ANCHORED_CONNECTOR.match(gap) and _RANGE_START.search(text[max(0, a.start - 20):a.start])
        ):
            continue
        if gap == "and" and not _BETWEEN.search(text[max(0, a.start - 12):a.start]):
            continue
        lo_a, hi_a = _bounds(a, text, cycle_len)
        lo_b, hi_b = _bounds(b, text, cycle_len)
        if lo_a is None or hi_b is None:
            continue
        intervals.append((lo_a, hi_b))
        consumed.update((i, i + 1))

    previous_end = 0
    floor = 0
    for i, m in enumerate(usable):
        if previous_end <= m.start:  # two mentions read from one phrase share its look-back
            floor = previous_end
        previous_end = m.end
        if i in consumed:
            continue
        before = _lookback(text, m.start, floor)
        if len(m.values) == 2 and _BETWEEN.search(before):
            m.is_range = True  # "between day -6 and day +28"
        horizon = bool(_HORIZON_CUE.search(before))
        at = bool(_AT_CUE.search(before))
        prior = bool(_BEFORE_FOLLOWS.match(text[m.end:m.end + 12]))
        if m.kind in ("cycle", "ncycles"):
            lo, hi = _bounds(m, text, cycle_len)
            if lo is None or hi is None:
                continue
            if m.kind == "cycle" and m.cycle and m.cycle[2] is not None:
                points.append(hi)
            elif at and m.kind == "cycle" and m.cycle and m.cycle[0] != m.cycle[1] and cycle_len:
                points.extend((m.cycle[0] * cycle_len, hi))  # "at the end of Cycle 6-8"
            elif at or (m.kind == "ncycles" and _AFTER_END.search(before)):
                points.append(hi)
            elif horizon or m.kind == "ncycles":
                # periodic visits, the first a period in (R21): "every 8 weeks up to 24 cycles";
                # "at the end of each 28-day cycle for 7 cycles" (the period is the cycle)
                period = _period_before(periods, text, m.start)
                if period is None and _EACH_CYCLE_END.search(text, 0, m.start):
                    period = cycle_len
                intervals.append((period if period is not None else 0.0, hi))
            else:
                intervals.append((lo, hi))
            continue
        if m.kind == "baseline":
            points.append(0.0)
            continue
        if m.is_range:
            lo, hi = m.values[0], m.values[-1]
            if prior and lo >= 0 and hi >= 0:
                lo, hi = -hi, -lo
            intervals.append((0.0, hi) if horizon and not at else (min(lo, hi), max(lo, hi)))
            continue
        values = m.values
        if prior and all(v >= 0 for v in values):
            values = tuple(-v for v in values)
            if horizon:
                intervals.append((min(values), 0.0))
            else:
                points.extend(values)
            continue
        if horizon and not at:
            period = _period_before(periods, text, m.start)
            intervals.append((period if period is not None else 0.0, max(values)))
        elif m.kind == "uf" or len(values) > 1 or at:
            points.extend(values)
        else:
            bare.append(values[0])
            bare_clauses.append(len(_CLAUSE_END.findall(text, 0, m.start)))

    if from_start and not intervals and not bare and len(set(points)) == 1 and points[0] > 0:
        first = next(m for m in usable)
        if _TO_WORD.search(text, 0, first.start):
            # "From treatment start to the end of study at 2 years": a range from the start
            return [(0.0, points[0])], [], open_ended, after_last
    if bare:
        if len(set(bare)) == 1 and not points or len(set(bare_clauses)) == len(bare) > 1:
            # one duration, or one per sentence ("AML: 2 months after infusion. MM: 3 months
            # after"): each is a horizon from 0
            intervals.extend((0.0, value) for value in set(bare))
        elif not points and not intervals:
            points.extend(bare)  # "12 Months, 24 Months": every duration is a time point
        else:
            points.extend(bare)
    return intervals, points, open_ended, after_last


def _period_before(periods: Sequence[tuple[int, float]], text: str, at: int) -> float | None:
    """The period of a periodic schedule ("every 8 weeks") that opens the clause of the
    horizon at `at` ("... up to 2 years"), if one does."""
    return next((p for start, p in periods if start < at and not _STOPS.search(text, start, at)), None)


def _bounds(m: _Mention, text: str, cycle_len: float | None) -> tuple[float | None, float | None]:
    """Lowest and highest day a single mention names."""
    if m.kind in ("cycle", "ncycles"):
        if cycle_len is None or m.cycle is None:
            return None, None
        first, last, day = m.cycle
        if m.kind == "ncycles":
            return 0.0, first * cycle_len
        if day is not None:
            value = (first - 1) * cycle_len + day
            return value, value
        return (first - 1) * cycle_len, last * cycle_len
    if not m.values:
        return None, None
    return min(m.values), max(m.values)


_DIGIT = re.compile(r"\d")
_BASELINE_WORDS = ("base", "screening", "enrol", "before", "pre", "immediately", "directly")  # what a mention without a number needs


def _blank(match: re.Match[str]) -> str:
    return " " * (match.end() - match.start())


@lru_cache(maxsize=8192)
def parse_time_frame(text: str) -> TimeFrame:
    """Bounds in days, named time points and the anchor of a time-frame phrase. The text is
    kept as given; when no time can be read, the bounds stay None (never guessed). Cached:
    the corpus repeats the same phrases thousands of times."""
    if not text or not text.strip():
        return TimeFrame(text=text)
    normal = _normalize(text)
    anchor = _anchor(normal)
    cycle_len, body = _cycle_length(normal)
    if cycle_len is not None and not _DIGIT.search(body) and _EACH_CYCLE_END.search(body):
        # "At the end of each cycle (each cycle is 28 days)", no count: the first end, no last (R21)
        return TimeFrame(text=text, min_days=_round(cycle_len), anchor=anchor)
    if not _DIGIT.search(body) and not any(word in body for word in _BASELINE_WORDS):
        if _FROM_STUDY_START.match(body):
            return TimeFrame(text=text, min_days=0.0, anchor=anchor)  # "From randomization until death"
        return TimeFrame(text=text, anchor=anchor)  # no number and no visit: no mention
    periods: list[tuple[int, float]] = []
    if "every" in body:  # what a periodic visit needs
        periods = [(m.start(), _to_days(m.group(1), m.group(2))) for m in _PERIODIC.finditer(body)]
        if cycle_len is not None:
            # "every two cycles up to 24 weeks (each cycle is 21 days)": the first visit is 42 days in
            periods += [(m.start(), float(m.group(1)) * cycle_len) for m in _PERIODIC_CYCLES.finditer(body)]
            periods.sort()
    body = _FREQUENCY.sub(_blank, body)
    mentions = _merge_compounds(body, _mentions(body))
    if not mentions:
        return TimeFrame(text=text, anchor=anchor)
    if _FROM_START.match(body) and all(m.kind == "baseline" for m in mentions) and _UNTIL_EVENT.match(body, mentions[-1].end):
        return TimeFrame(text=text, min_days=0.0, anchor=anchor)  # "From enrollment till birth"
    intervals, points, open_ended, after_last = _resolve(body, mentions, cycle_len, periods)
    lows = [lo for lo, _ in intervals] + points
    highs = [hi for _, hi in intervals] + points
    if (after_last and not intervals) or (lows and _OPEN_SCHEDULE.search(normal)):
        # (a horizon beside it, "... 30 days after the last infusion (up to 12 months)", is the end)
        # "Day 1 of each cycle and 6-9 weeks after the last dose": the first visit, and no end
        # (an open frame lists no points, as the other open ends)
        return TimeFrame(text=text, min_days=_round(min(lows, default=0.0)), anchor=anchor)
    if not open_ended and lows and (
        _THEREAFTER.search(body) or (_PERIOD_ANY.search(normal) and not _ANY_END.search(normal))
    ):
        open_ended, highs = True, [0.0]  # C, D: a start, and visits with no end in days
    if open_ended and all(high <= 0 for high in highs):
        # "From the first dose until 30 days after last dose": a start, and no end in days
        return TimeFrame(text=text, min_days=_round(min(lows, default=0.0)), anchor=anchor)
    if not lows:
        return TimeFrame(text=text, anchor=anchor)
    unique_points = tuple(sorted({_round(p) for p in points}))
    return TimeFrame(
        text=text,
        min_days=_round(min(lows)),
        max_days=_round(max(highs)),
        time_points_days=unique_points,
        anchor=anchor,
    )
