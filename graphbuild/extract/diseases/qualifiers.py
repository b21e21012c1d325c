"""Disease qualifiers: the words of a condition that say which patients, not which disease
(relapsed, refractory, CD7-positive, pediatric, Philadelphia chromosome-positive, stage IV).

Kept apart from the disease matcher because they are read differently: one regex over the
words of the condition, reported as labels in text order, never grounded to MeSH.
"""

from __future__ import annotations

import re

_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}

# (label, pattern); a few labels are computed from the match (rr, risk, marker, phase,
# stage, grade). Order matters only where one pattern starts another ("locally advanced"
# before "advanced"); qualifiers are reported in the order the text gives them.
_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("rr", r"r\s*/\s*r"),
    ("relapsed", r"relaps(?:ed|es|e|ing)|in\s+relapse"),
    ("refractory", r"refractory|resistant"),
    ("recurrent", r"recurren(?:t|ce)"),
    ("newly diagnosed", r"newly[\s-]+diagnosed"),
    ("previously untreated", r"(?:previously\s+)?untreated|treatment[\s-]+na[iï]ve"),
    ("previously treated", r"previously\s+treated|pretreated|pre-treated"),
    ("de novo", r"de\s+novo"),
    ("secondary", r"secondary"),
    ("therapy-related", r"(?:therapy|treatment)[\s-]+related"),
    ("transformed", r"transformed"),
    ("smoldering", r"smou?ldering"),
    ("locally advanced", r"locally\s+advanced"),
    ("advanced", r"advanced"),
    ("metastatic", r"metastatic"),
    ("unresectable", r"unresectable"),
    ("aggressive", r"aggressive"),
    ("indolent", r"indolent"),
    ("pediatric", r"p(?:a)?ediatrics?|childhood|child(?:ren)?|infants?|infantile"),
    ("adolescent and young adult", r"adolescents?\s+and\s+young\s+adults?|AYA"),
    ("adolescent", r"adolescents?"),
    ("young adult", r"young\s+adults?"),
    ("older adult", r"elderly|older\s+(?:adults?|patients)"),
    ("adult", r"adults?"),
    ("risk", r"(?P<risk>very\s+high|high|intermediate|standard|low)[\s-]+risk"),
    ("marker+", r"(?P<pos>CD\d+[a-z]?)\s*(?:\+|[\s-]*positive|[\s-]*pos(?![a-z]))"),
    ("marker-", r"(?P<neg>CD\d+[a-z]?)[\s-]*negative"),
    (
        "Philadelphia chromosome-positive",
        r"Ph1?\s*\+|Ph1?[\s-]*positive|Philadelphia[\s-]+(?:chromosome[\s-]+)?positive",
    ),
    (
        "Philadelphia chromosome-negative",
        r"Ph1?[\s-]*negative|Philadelphia[\s-]+(?:chromosome[\s-]+)?negative|Ph\s*-(?=[\s,)]|$)",
    ),
    ("Ph-like", r"Ph[\s-]+like"),
    ("BCR-ABL1-positive", r"BCR[\s:-]*ABL1?[\s-]*(?:\+|positive)"),
    ("MRD-positive", r"MRD[\s-]*(?:\+|positive|positivity)"),
    ("MRD-negative", r"MRD[\s-]*negative"),
    ("in remission", r"in\s+(?:first\s+|second\s+|1st\s+|2nd\s+)?(?:complete\s+)?remission|CR[12]"),
    (
        "phase",
        (
            r"(?P<phase>chronic|accelerated|blast)(?:ic)?[\s-]+phase"
            r"|(?P<crisis>blast(?:ic)?\s+(?:crisis|transformation))"
        ),
    ),
    (
        "stage",
        r"stage\s+(?P<stage>(?:IV|III|II|I|0|[1-4])[ABC]?(?:\s*/\s*(?:IV|III|II|I|[1-4])[ABC]?)?)",
    ),
    ("grade", r"grade\s+(?P<grade>III|II|I|[1-3])(?P<gsub>[AB]?)"),
)
# Whole words only: no letter or digit just before, and none just after unless the match
# itself ended in punctuation ("CD7+", "Ph+").
_QUALIFIER_RE = re.compile(
    "(?<![A-Za-z0-9])(?:"
    + "|".join(f"(?P<q{i}>{pattern})" for i, (_, pattern) in enumerate(_QUALIFIERS))
    + ")(?:(?<![A-Za-z0-9])|(?![A-Za-z0-9]))",
    re.IGNORECASE,
)


def _qualifier_label(match: re.Match[str]) -> tuple[str, ...]:
    index = int(match.lastgroup[1:])  # type: ignore[index]
    label = _QUALIFIERS[index][0]
    g = match.groupdict()
    if label == "rr":
        return ("relapsed", "refractory")
    if label == "risk":
        return (f"{' '.join(g['risk'].lower().split())}-risk",)
    if label == "marker+":
        return (f"{g['pos'].upper()}-positive",)
    if label == "marker-":
        return (f"{g['neg'].upper()}-negative",)
    if label == "phase":
        return ("blast phase",) if g["crisis"] else (f"{g['phase'].lower()} phase",)
    if label == "stage":
        parts = [p.strip().upper() for p in g["stage"].split("/")]
        return (
            "stage "
            + "/".join(_ROMAN.get(p[0], p[0]) + p[1:] if p[0] in _ROMAN else p for p in parts),
        )
    if label == "grade":
        grade = g["grade"].upper()
        return (f"grade {_ROMAN.get(grade, grade)}{g['gsub'].upper()}",)
    return (label,)


def find_qualifiers(text: str) -> tuple[tuple[int, int, tuple[str, ...]], ...]:
    """Qualifier words in `text`: (start, end, labels), whole words only."""
    return tuple((m.start(), m.end(), _qualifier_label(m)) for m in _QUALIFIER_RE.finditer(text))
