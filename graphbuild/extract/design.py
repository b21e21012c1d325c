"""Record -> Design: phases, masking, arms, allocation, dose escalation, centres.

The structured fields win where the source has them (API JSON, XML and CSV carry phases,
allocation, intervention model and masking); the text fills what they leave open, because
the flat seed layout has no structured design at all and seed 002 says it in words: "a
single-arm, open-label, single-center, phase I study". Every flag keeps its evidence: the
structured value (`allocation`, `phases[0]`) or the words.

Text is read titles first, then the summary, then the detailed description; the first field
that answers decides. Phase mentions that are not this study's phase are skipped: "the
recommended phase 2 dose", "a previous phase I study", "phase 3 trials have shown".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphbuild.extract.text.fields import match_evidence
from graphbuild.extract.text.keywords import may_match
from graphbuild.model import Design, Evidence, Record

_TEXT_FIELDS = ("official_title", "brief_title", "acronym", "brief_summary", "detailed_description")

_ROMAN = {"0": 0, "I": 1, "II": 2, "III": 3, "IV": 4, "Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4}
_PHASE_NUMBER = r"(?:IV|I{1,3}|[0-4]|[ⅠⅡⅢⅣ])"
_PHASE = re.compile(
    r"(?<![\w-])(?P<early>early[\s-]+)?phase[\s-]*(?P<p>"
    + _PHASE_NUMBER
    + r")(?:[ab]|\s?[AB](?![a-z]))?"
    r"(?:\s*(?:/|-|–|and|or|to|&)\s*(?:phase\s*)?(?P<q>"
    + _PHASE_NUMBER
    + r")(?:[ab]|\s?[AB](?![a-z]))?)?"
    r"(?![\w])",
    re.IGNORECASE,
)
# "recommended phase 2 dose", "phase II dose", "phase 2 portion will ...": not the study's phase
_PHASE_AFTER_NOT_OURS = re.compile(r"\s*(?:\(?RP2D\)?\s*)?(?:dose|doses|dosing)\b", re.IGNORECASE)
_PHASE_BEFORE_NOT_OURS = re.compile(
    r"(?:recommended|previous|prior|earlier|preceding|completed|ongoing|subsequent|future|"
    r"planned|pivotal|randomi[sz]ed|other|several|many|two|three|our|from\s+(?:a|the))\s+$",
    re.IGNORECASE,
)
_PHASE_PLURAL = re.compile(r"[ab]?\s*(?:trials|studies)\b", re.IGNORECASE)

_OPEN_LABEL = re.compile(
    r"\bopen[\s-]*label(?:l?ed)?\b|\bunblinded\b|\bnon-?blinded\b|\bunmasked\b", re.IGNORECASE
)
_BLINDED = re.compile(
    r"\b(?:double|single|triple|quadruple)[\s-]*(?:blind(?:ed)?|mask(?:ed)?)\b", re.IGNORECASE
)
_SINGLE_ARM = re.compile(
    r"\b(?:single|one)[\s-]*(?:arm(?:ed)?|group)\b|\bsingle[\s-]*cohort\b", re.IGNORECASE
)
_MULTI_ARM = re.compile(
    r"\b(?:two|2|three|3|four|4|multi(?:ple)?)[\s-]*arm(?:s|ed)?\b|\bparallel[\s-]*(?:group|arm)s?\b",
    re.IGNORECASE,
)
_NON_RANDOMIZED = re.compile(r"\bnon[\s-]?randomi[sz]ed\b|\bnot\s+randomi[sz]ed\b", re.IGNORECASE)
_RANDOMIZED = re.compile(
    r"(?<!non-)(?<!non )(?<!non)\brandomi[sz](?:ed|ation)\b|\brandomly\s+(?:assigned|allocated)\b",
    re.IGNORECASE,
)
_DOSE_ESCALATION = re.compile(
    r"\bdose[\s-]*escalat\w*|\bescalating\s+doses?\b|\bdose[\s-]*finding\b|\b3\s*\+\s*3\b|"
    r"\baccelerated\s+titration\b|\bdose[\s-]*(?:ranging|de-?escalation)\b",
    re.IGNORECASE,
)
_SINGLE_CENTER = re.compile(
    r"\b(?:single|one)[\s-]*(?:cent(?:er|re)|site|institution(?:al)?)\b|\bmono-?cent(?:er|re|ric)\b",
    re.IGNORECASE,
)
_MULTI_CENTER = re.compile(
    r"\bmulti-?(?:cent(?:er|re|ric)|site|institution(?:al)?|national)\b|"
    r"\bmultiple\s+(?:cent(?:er|re)s|sites|institutions)\b",
    re.IGNORECASE,
)

# Words each pattern needs (in any case) to match at all, one of each group: a text without
# them is not searched.
_NEEDS: dict[re.Pattern[str], tuple[tuple[str, ...], ...]] = {
    _PHASE: (("phase",),),
    _OPEN_LABEL: (("open", "blinded", "unmasked"),),
    _BLINDED: (("blind", "mask"),),
    _SINGLE_ARM: (("single", "one"), ("arm", "group", "cohort")),
    _MULTI_ARM: (("arm", "parallel"),),
    _NON_RANDOMIZED: (("randomi",),),
    _RANDOMIZED: (("random",),),
    _DOSE_ESCALATION: (("escalat", "finding", "+", "titration", "ranging"),),
    _SINGLE_CENTER: (("single", "one", "mono"), ("cent", "site", "institution")),
    _MULTI_CENTER: (("multi",),),
}

_MASKING_OPEN = {
    "NONE": True,
    "SINGLE": False,
    "DOUBLE": False,
    "TRIPLE": False,
    "QUADRUPLE": False,
}
_MODEL_SINGLE = {"SINGLE_GROUP": True, "PARALLEL": False, "CROSSOVER": False, "FACTORIAL": False}
_ALLOCATION = {"RANDOMIZED": True, "NON_RANDOMIZED": False, "NA": False}


def _texts(record: Record) -> Iterator[tuple[str, str]]:
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if value:
            yield name, value


def _structured(record: Record, name: str) -> tuple[str, Evidence] | None:
    value = getattr(record, name).upper().replace("-", "_").replace(" ", "_")
    if not value:
        return None
    raw = getattr(record, name)
    return value, Evidence(name, raw, 0, len(raw))


def _phase_value(token: str, early: bool) -> str:
    number = _ROMAN.get(token.upper(), _ROMAN.get(token)) if not token.isdigit() else int(token)
    if number == 0 or (early and number == 1):
        return "EARLY_PHASE1"
    return f"PHASE{number}"


def _our_phase(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 30) : match.start()]
    return not (
        _PHASE_AFTER_NOT_OURS.match(text, match.end())
        or _PHASE_BEFORE_NOT_OURS.search(before)
        or _PHASE_PLURAL.match(text, match.end())
    )


def _phases(record: Record) -> tuple[tuple[str, ...], str | None, tuple[Evidence, ...]]:
    if record.phases:
        evidence = tuple(
            Evidence(f"phases[{i}]", p, 0, len(p)) for i, p in enumerate(record.phases)
        )
        return tuple(record.phases), "structured", evidence
    for path, text in _texts(record):
        if not may_match(text, *_NEEDS[_PHASE]):
            continue
        phases: list[str] = []
        evidence: list[Evidence] = []
        for match in _PHASE.finditer(text):
            if not _our_phase(text, match):
                continue
            early = bool(match.group("early"))
            for group in ("p", "q"):
                if match.group(group):
                    value = _phase_value(match.group(group), early)
                    if value not in phases:
                        phases.append(value)
            evidence.append(match_evidence(path, match))
        if phases:
            return tuple(sorted(phases)), "text", tuple(evidence)
    return (), None, ()


def _from_text(
    record: Record, yes: re.Pattern[str], no: re.Pattern[str] | None = None
) -> tuple[bool, Evidence] | None:
    """The first field that says yes or no (the earlier mention in that field wins)."""
    for path, text in _texts(record):
        if not (may_match(text, *_NEEDS[yes]) or (no is not None and may_match(text, *_NEEDS[no]))):
            continue
        found = [(True, m) for m in [yes.search(text)] if m]
        if no is not None:
            found += [(False, m) for m in [no.search(text)] if m]
        if found:
            answer, match = min(found, key=lambda pair: pair[1].start())
            return answer, match_evidence(path, match)
    return None


def _flag(
    record: Record,
    field: str,
    mapping: dict[str, bool],
    yes: re.Pattern[str],
    no: re.Pattern[str] | None,
) -> tuple[bool | None, Evidence | None]:
    structured = _structured(record, field)
    if structured and structured[0] in mapping:
        return mapping[structured[0]], structured[1]
    found = _from_text(record, yes, no)
    return (found[0], found[1]) if found else (None, None)


def _centers(record: Record) -> tuple[str | None, Evidence | None]:
    found = _from_text(record, _SINGLE_CENTER, _MULTI_CENTER)
    if found is None:
        return None, None
    return ("single" if found[0] else "multi"), found[1]


def extract_design(record: Record) -> Design:
    """The study design, each flag None where neither the fields nor the text say."""
    phases, phase_basis, evidence = _phases(record)
    items: list[Evidence] = list(evidence)
    open_label, e1 = _flag(record, "masking", _MASKING_OPEN, _OPEN_LABEL, _BLINDED)
    randomized, e2 = _flag(record, "allocation", _ALLOCATION, _RANDOMIZED, _NON_RANDOMIZED)
    single_arm, e3 = _flag(record, "intervention_model", _MODEL_SINGLE, _SINGLE_ARM, _MULTI_ARM)
    if single_arm is None and randomized:
        single_arm, e3 = False, e2  # randomization needs two arms
    escalation = _from_text(record, _DOSE_ESCALATION)
    centers, e4 = _centers(record)
    for item in (e1, e2, e3, escalation[1] if escalation else None, e4):
        if item is not None and item not in items:
            items.append(item)
    return Design(
        phases=phases,
        phase_basis=phase_basis,
        open_label=open_label,
        single_arm=single_arm,
        randomized=randomized,
        dose_escalation=True if escalation else None,
        centers=centers,
        evidence=tuple(items),
    )
