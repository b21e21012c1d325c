"""Split a flattened outcome back into measure, description and time frame.

The CSV export and the flat text layout write an outcome as `measure, description, time frame`
joined by `", "` (an absent description leaves `measure, time frame`), and outcomes joined by
`|`. Every part may itself contain `", "`, so the joins cannot simply be undone. The splitter
reads the text instead:

1. `", "` inside brackets is never a boundary (`(R1, R2 & R3)`, `(i.e., the day of ...)`).
2. The time frame is the tail. It starts at the last segment and grows leftwards over list
   continuations (`at 4, 8, and 12 weeks`, `Day 100, Day 180, and Day 365`) and clauses that
   continue a time expression (`through study completion, an average of 1 year`), never past
   a segment that ends a sentence.
3. The measure is the head. It is the first segment, grown over parts that cannot start a
   description: a bare acronym (`Event-free survival, EFS, ...`), a lowercase connective
   (`..., including serious adverse events, per intensity`), a continued number list
   (`Stratum 1a, 1b and 2`). Whatever lies between is the description.

Measured on every outcome of the API v2 JSON corpus, joined exactly as the CSV export joins
them (`scripts/splitter_accuracy.py`), the three parts come back exactly for 98% of outcomes;
on the older legacy-XML outcomes, 93%.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from graphbuild.model import Outcome, OutcomeRole
from graphbuild.readers.normalize import clean_block, clean_line

SEP = ", "
OUTCOME_SEP = "|"

_UNIT = (
    r"(?:sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|h|days?|d|weeks?|wks?|w|months?|mo(?:nth)?s?|"
    r"mths?|years?|yrs?|y|cycles?|courses?)"
)
# Something in the text that names a time: a number with a unit, or time vocabulary.
_TIME = re.compile(
    r"\b(?:\d+(?:[.,]\d+)?\s*(?:-|–|to)?\s*" + _UNIT + r"\b|"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|cycles?|courses?|visits?|"
    r"baseline|screening|follow[- ]?up|completion|discharge|pre-?dose|post-?dose|predose|"
    r"enrol?l?ment|randomi[sz]ation|admission|diagnosis|"
    r"time ?points?|time (?:from|of|to|between|until)|annual(?:ly)?|daily|weekly|monthly|"
    r"until|throughout|through|up ?to|upto|end of|day|week|month|year|cycle|hrs?|wks?)\b|"
    r"(?:day|week|month|year|cycle|visit)\s*\d)",
    re.IGNORECASE,
)
# How a time frame (or an element of a list of time points) begins.
_TF_START = re.compile(
    r"(?:up\s*to|upto|day|days|week|weeks|month|months|year|years|cycle|course|visit|at|from|"
    r"within|through|thru|during|on|after|before|prior|pre|post|baseline|screening|until|"
    r"approx\w*|about|every|each|end|evaluated|assessed|measured|collected|immediately|first|"
    r"last|throughout|over|between|predose|pre-dose|once|twice|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|twelve|point)\b|[\d~<>≤≥]",
    re.IGNORECASE,
)
_LIST_CONT = re.compile(r"(?:(?:and|or|&|then)\s+)?\d", re.IGNORECASE)
_AND_OR = re.compile(r"(?:and|or|&|nor)\b", re.IGNORECASE)
_INNER_AND_OR = re.compile(r"^\S+(?: \S+)? (?:and|or|&) ")  # "neuronal and other toxicities"
_ENDS_NUM = re.compile(r"(?:\d|\b" + _UNIT + r")\)?$", re.IGNORECASE)
_YEAR_END = re.compile(r"(?:19|20)\d\d$")  # "September 30, 2021" is a date, not a list
# A list of time points whose unit comes first: "at months 1, 2, 4, and 6", "on days 1, 8, 15"
_UNIT_FIRST = re.compile(r"\b(?:days?|weeks?|months?|years?|visits?|cycles?|hours?|(?:pre-?dose|baseline|screening) and)\s+\d+$", re.IGNORECASE)
# ... whose next items are bare numbers ("2", "and 6 post-transplant"), not a time of their own
_BARE_NUMBER = re.compile(r"(?:(?:and|or|&)\s+)?\d+(?![\d.,]*\s*-?\s*" + _UNIT + r"\b)", re.IGNORECASE)
# Lowercase words that continue a phrase rather than start a description.
_CONT_WORD = re.compile(
    r"(?:including|includes|include|by|per|with|without|whichever|as|measured|assessed|"
    r"defined|calculated|evaluated|graded|in|of|for|and|or|nor|but|not|i\.?e\.?|e\.?g\.?|ie|"
    r"eg|etc|respectively|which|that|who|where|when|if|to|at|on|from|using|based|such|after|"
    r"before|during|excluding|within|across|among|between|versus|vs)\b"
)
_ARTICLES = frozenset(("a", "an", "the"))
_OPEN = {"(": ")", "[": "]", "（": "）", "{": "}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_BRACKET = re.compile("[" + re.escape("".join(_OPEN) + "".join(_CLOSE)) + "]")
_NOT_CONTINUATION = "(<>≤≥~±"


def _bracket_spans(text: str) -> list[tuple[int, int]]:
    """Spans of matched brackets; an unmatched opener protects nothing. Linear: a closer
    whose opener kind is not on the stack costs nothing, and every entry a search passes
    over is removed by it."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    open_count = dict.fromkeys(_OPEN, 0)
    for match in _BRACKET.finditer(text):
        ch, k = match.group(), match.start()
        if ch in _OPEN:
            stack.append((ch, k))
            open_count[ch] += 1
        else:
            want = _CLOSE[ch]
            if not open_count[want]:
                continue
            for q in range(len(stack) - 1, -1, -1):
                if stack[q][0] == want:
                    spans.append((stack[q][1], k))
                    for opener, _ in stack[q:]:
                        open_count[opener] -= 1
                    del stack[q:]
                    break
    return spans


def segments(text: str) -> list[str]:
    """`text` cut at every `", "` that is outside brackets."""
    parts = text.split(SEP)
    if len(parts) == 1 or not ("(" in text or "[" in text or "（" in text or "{" in text):
        return parts
    spans = _bracket_spans(text)
    if not spans:
        return parts
    positions: list[int] = []  # offset of each separator, in order
    k = -len(SEP)
    for part in parts[:-1]:
        k += len(part) + len(SEP)
        positions.append(k)
    # separators inside any span: +1 where a span's separators start, -1 past its last one
    depth = [0] * (len(positions) + 1)
    for a, b in spans:
        depth[bisect_right(positions, a)] += 1
        depth[bisect_left(positions, b)] -= 1
    out: list[list[str]] = [[parts[0]]]
    inside = 0
    for i, part in enumerate(parts[1:]):
        inside += depth[i]
        if inside > 0:
            out[-1].append(part)
        else:
            out.append([part])
    return [SEP.join(group) for group in out]


def _timelike(text: str) -> bool:
    return _TIME.search(text) is not None


def _continues(text: str) -> bool:
    """Does this segment read as the continuation of the previous one (lowercase start, or a
    leading punctuation mark such as `、` or `-`)?"""
    first = text[:1]
    return first.islower() or (
        first != "" and not first.isalnum() and first not in _NOT_CONTINUATION
    )


def _ends_sentence(text: str) -> bool:
    return text.endswith(".")


def _is_acronym(word: str) -> bool:
    if " " in word or not 2 <= len(word) <= 12:
        return False
    upper = sum(c.isupper() for c in word)
    return upper >= 2 and upper > sum(c.islower() for c in word)


def _time_frame_start(segs: list[str], j: int) -> int:
    """Index of the first segment of the time frame, starting from the last one."""
    while j > 1:
        cur, prev = segs[j], segs[j - 1]
        if _ends_sentence(prev):
            break
        prev_is_time = _TF_START.match(prev) is not None and _timelike(prev)
        # "Evaluate at 4, 8, and 12 weeks", "12 Months, 24 Months"
        if (
            _LIST_CONT.match(cur)
            and _ENDS_NUM.search(prev[-16:])
            and not _YEAR_END.search(prev[-5:])
            and (
                prev_is_time or (len(prev) <= 25 and (prev[-1:].isdigit() or _TF_START.match(prev)))
            )
        ):
            j -= 1
            continue
        # "Measurements at baseline and at months 1, 2, 4, and 6": the sentence that opens the
        # list is the time frame, when a sentence or the measure ends before it
        if (
            _BARE_NUMBER.match(cur)
            and _UNIT_FIRST.search(prev[-24:])
            and (j == 2 or _ends_sentence(segs[j - 2]))
        ):
            j -= 1
            continue
        # "through study completion, an average of 1 year": walk back to the clause's head
        if _continues(cur):
            k = j - 1
            # _timelike(", ".join(segs[k:j])), kept as a running `any` (no match spans ", ")
            head_timelike = _timelike(cur)
            while True:
                head_timelike = head_timelike or _timelike(segs[k])
                if _TF_START.match(segs[k]) and head_timelike:
                    break
                if k >= 2 and _ends_sentence(segs[k - 1]) and _timelike(segs[k]):
                    break
                if k > 1 and _continues(segs[k]) and not _ends_sentence(segs[k - 1]):
                    k -= 1
                    continue
                k = 0
                break
            if not k:
                break
            j = k
            continue
        # "Baseline, Week 16", "Visit 3 (...), Visit 4 (...)"
        if (
            _TF_START.match(cur)
            and prev_is_time
            and (
                len(prev) <= 40
                or _continues(prev)
                or prev.split()[0].lower() == cur.split()[0].lower()
            )
        ):
            j -= 1
            continue
        break
    return j


def _list_end(segs: list[str], i: int, j: int) -> int:
    """If segs[i:] before j read `b, c, and d` (short lowercase or acronym items closed by an
    `and`/`or` item), the index after that closing item; else 0."""
    x = i
    while x < j:
        item = segs[x]
        if x > i and (_AND_OR.match(item) or _INNER_AND_OR.search(item)):
            return x + 1
        if _ends_sentence(item) or len(item.split()) > 5:
            return 0
        if not (item[:1].islower() or _is_acronym(item.split()[0] if item else "")):
            return 0
        x += 1
    return 0


def _measure_end(segs: list[str], j: int) -> int:
    """Index of the first segment after the measure (== j when there is no description)."""
    i = 1
    while i < j:
        prev, cur = segs[i - 1], segs[i]
        if i == 1 and i + 1 < j and _is_acronym(cur):  # "Event-free survival, EFS, The time..."
            i += 1
            continue
        if _ends_sentence(prev):
            break
        if _CONT_WORD.match(cur):  # "..., including serious adverse events, per intensity"
            i += 1
            continue
        if (  # "Stratum 1a, 1b and 2"
            cur[:1].isdigit()
            and prev[-1:].isalnum()
            and len(cur.split()) <= 4
            and not _ends_sentence(cur)
        ):
            i += 1
            continue
        if (  # "Number, severity and duration of ...", "The nature, incidence and ..."
            i == 1
            and cur[:1].islower()
            and prev[:1].isupper()
            and not _is_acronym(prev)
            and sum(w.lower() not in _ARTICLES for w in prev.split()) == 1
        ):
            i += 1
            continue
        if cur[:1].islower() or _is_acronym(cur):  # "... of relapse, treatment failure, or death"
            end = _list_end(segs, i, j)
            if end:
                i = end
                continue
        break
    return i


def split_outcome(text: str) -> tuple[str, str, str]:
    """`measure, description, time frame` (or `measure, time frame`) -> the three raw parts.

    Text without any `", "` is all measure. The parts are returned as they stand in `text`;
    callers clean them."""
    raw = segments(text)
    n = len(raw)
    if n == 1:
        return text, "", ""
    if n == 2:  # `measure, time frame`: nothing to decide
        return raw[0], "", raw[1]
    segs = [s.strip() for s in raw]  # features read the words, the parts keep the text
    j = _time_frame_start(segs, n - 1)
    i = _measure_end(segs, j)
    return SEP.join(raw[:i]), SEP.join(raw[i:j]), SEP.join(raw[j:])


def split_outcome_list(text: str) -> list[str]:
    """A `|`-joined outcome cell -> one string per outcome. A piece with no `", "` cannot be a
    whole outcome (it has no time frame): the `|` was inside an outcome's text, most likely a
    measure such as `CR|CRi rate`, so the piece is glued to the next one (to the previous one
    when it is last)."""
    pieces: list[str] = []
    pending: list[str] = []  # pieces without ", " waiting to be glued (joined once: linear)
    for piece in text.split(OUTCOME_SEP):
        if SEP not in piece:
            pending.append(piece)
            continue
        if pending:
            piece = OUTCOME_SEP.join([*pending, piece])
            pending = []
        pieces.append(piece)
    rest = OUTCOME_SEP.join(pending)
    if rest.strip():
        if pieces:
            pieces[-1] = f"{pieces[-1]}{OUTCOME_SEP}{rest}"
        else:
            pieces.append(rest)
    return [p for p in pieces if p.strip()]


def parse_outcomes(text: str | None, role: OutcomeRole, source_field: str) -> Iterator[Outcome]:
    """A flattened outcome cell (CSV or flat text) -> typed, cleaned Outcomes."""
    if not text or not text.strip():
        return
    for piece in split_outcome_list(text):
        measure, description, time_frame = split_outcome(piece.strip())
        yield Outcome(
            role,
            clean_line(measure),
            clean_block(description),
            clean_line(time_frame),
            source_field,
        )


def looks_complete(text: str) -> bool:
    """Does this outcome field end where a field can end: its last outcome has a time frame
    the splitter recognises, and does not stop mid-sentence? The flat reader uses this to find
    where a multi-line outcome field stops."""
    text = text.rstrip()
    if not text or text.endswith((OUTCOME_SEP, ",", ";", ":", "、", "，", "；")):
        return False
    last = split_outcome_list(text)[-1]
    segs = [s.strip() for s in segments(last)]
    if len(segs) < 2:
        return False
    tail = SEP.join(segs[_time_frame_start(segs, len(segs) - 1) :])
    return _timelike(tail) and (_TF_START.match(tail) is not None or len(tail) <= 60)


def join_like_csv(measure: str, description: str, time_frame: str) -> str:
    """How the ClinicalTrials.gov CSV export flattens one outcome: the non-empty parts joined
    by `", "` (an absent description leaves no empty slot: `measure, time frame`)."""
    return SEP.join(part for part in (measure, description, time_frame) if part)


def splitter_accuracy(
    outcomes: list[tuple[str, str, str]],
) -> tuple[int, list[tuple[tuple[str, str, str], tuple[str, str, str]]]]:
    """Known answers in, (exact recoveries, [(expected, got), ...] misses) out: each outcome is
    joined the way the CSV export joins it and split back."""
    hits = 0
    misses: list[tuple[tuple[str, str, str], tuple[str, str, str]]] = []
    for expected in outcomes:
        got = split_outcome(join_like_csv(*expected))
        if got == expected:
            hits += 1
        else:
            misses.append((expected, got))
    return hits, misses
