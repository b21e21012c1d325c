"""Light normalization shared by every reader, so one trial reads the same from any format.

Only surface forms change here (whitespace, markdown escapes and HTML character references,
enum casing, date precision, zero-padded MeSH ids); nothing is interpreted. Everything is a pure
function of a string, with regexes compiled once, because readers call these millions of times
over a full dump.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

# ClinicalTrials.gov stores text as markdown since 2023: `\>`, `\[`, `\(`, `\*`... survive in
# the API and the CSV export; the legacy XML has none. Unescape so the formats agree.
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~^=])")
_SPACES = re.compile(r"\s+")
_HSPACE = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_RUN = re.compile(r"\n{3,}")
_EDGE_SPACE = re.compile(r" ?\n ?")  # after _HSPACE, at most one space sits at a line edge
_LIST_ITEM = re.compile(r"(?:[-*•·]|\d{1,3}[.)]|[a-zA-Z][.)]|\(\w{1,3}\))\s")


# ... and markdown lets HTML character references through, which the CSV export and some API
# records keep as written ("Alzheimer&#39;s Disease", "BMI &gt; 25"; the legacy XML's parser
# has already decoded them). Only well-formed references (with their semicolon) are decoded:
# "R&D" and "AT&T" stay as they are.
HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _decoded(match: re.Match[str]) -> str:
    return html.unescape(match.group())


def unescape_entities(text: str) -> str:
    """`Alzheimer&#39;s` -> `Alzheimer's`, `&gt;` -> `>`; an unknown name stays as written."""
    return HTML_ENTITY.sub(_decoded, text) if "&" in text else text


def unescape_markdown(text: str) -> str:
    """`\\[Time Frame\\]` -> `[Time Frame]`: undo the markdown escaping of the source."""
    return _MD_ESCAPE.sub(r"\1", text) if "\\" in text else text


def clean_line(text: object) -> str:
    """A one-line field (title, name, measure, time frame): escapes undone, whitespace runs
    (newlines included) collapsed to one space. Anything but a string (a JSON null or number
    where text belongs) reads as empty."""
    if not text or type(text) is not str:
        return ""
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    text = unescape_entities(text)
    if "\n" in text or "  " in text or "\t" in text or "\r" in text or "\xa0" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def clean_block(text: object) -> str:
    """A free-text field (summary, description): escapes undone, line ends unified, spaces
    collapsed within lines, paragraph breaks kept (at most one blank line). Non-strings read
    as empty."""
    if not text or type(text) is not str:
        return ""
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    text = unescape_entities(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in text or "\t" in text or "\xa0" in text or "\f" in text or "\v" in text:
        text = _HSPACE.sub(" ", text)
    if "\n" in text:
        if " \n" in text or "\n " in text:
            text = _EDGE_SPACE.sub("\n", text)
        if "\n\n\n" in text:
            text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()


def unwrap_textblock(text: str | None) -> str:
    """A legacy-XML textblock: dedented, hard-wrapped lines re-joined into paragraphs, list
    items kept on their own lines, paragraphs separated by one blank line.

    The 2018 XML wraps every textblock at ~80 columns with deep indentation; the wrapping is
    layout, not content, and keeping it would make the same text differ between formats.
    """
    if not text:
        return ""
    text = unescape_entities(unescape_markdown(text)).replace("\r\n", "\n")
    paragraphs: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines: list[list[str]] = []  # each output line as its wrapped parts (joined once)
        for raw in block.split("\n"):
            line = _HSPACE.sub(" ", raw).strip()
            if not line:
                continue
            if lines and not _LIST_ITEM.match(line):
                lines[-1].append(line)
            else:
                lines.append([line])
        if lines:
            paragraphs.append("\n".join(" ".join(parts) for parts in lines))
    return "\n\n".join(paragraphs)


def split_list(text: str | None, sep: str = "|") -> tuple[str, ...]:
    """`a|b| |c` -> ('a', 'b', 'c'), each item cleaned as a line."""
    if not text:
        return ()
    return tuple(item for item in (clean_line(part) for part in text.split(sep)) if item)


def clean_items(items: object) -> tuple[str, ...]:
    """A list of one-line values (JSON array, repeated XML element), empties and non-strings
    dropped."""
    if not items or isinstance(items, (str, bytes, dict, int, float)):
        return ()
    return tuple(item for item in (clean_line(x) for x in items) if item)


# ---------------------------------------------------------------------------------------------
# Enumerations
# ---------------------------------------------------------------------------------------------

_QUALIFIER = re.compile(
    r"\s*[(\[].*$", re.DOTALL
)  # "None (Open Label)", "Observational [Patient Registry]"
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_API_ENUM = re.compile(r"[A-Z][A-Z0-9_]*")
# Legacy XML spellings whose API v2 enum is not just the upper-cased words.
_ENUM_ALIASES = {
    "UNKNOWN_STATUS": "UNKNOWN",
    "N_A": "NA",
    "NOT_APPLICABLE": "NA",
}


def enum_value(text: object) -> str:
    """`Active, not recruiting` -> `ACTIVE_NOT_RECRUITING`, `Single Group Assignment` ->
    `SINGLE_GROUP`, `None (Open Label)` -> `NONE`, `QUADRUPLE (PARTICIPANT, ...)` -> `QUADRUPLE`:
    the API v2 enum spelling, whatever the format."""
    if not text or type(text) is not str:
        return ""
    text = text.strip()
    if _API_ENUM.fullmatch(text):  # already an API v2 enum
        return _ENUM_ALIASES.get(text, text)
    value = _NON_ALNUM.sub("_", _QUALIFIER.sub("", text).upper()).strip("_")
    value = value.removesuffix("_ASSIGNMENT")  # XML "Parallel Assignment" is API "PARALLEL"
    return _ENUM_ALIASES.get(value, value)


def intervention_type(text: object) -> str:
    """`Dietary Supplement` / `dietary_supplement` -> `DIETARY_SUPPLEMENT`."""
    return enum_value(text)


_PHASE = re.compile(r"(EARLY[\s_-]*)?PHASE[\s_-]*([0-4])", re.IGNORECASE)
_PHASE_SPLIT = re.compile(r"[|/,;]")


def phases(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """`Phase 1/Phase 2`, `PHASE1|PHASE2`, ['PHASE1', 'PHASE2'] -> ('PHASE1', 'PHASE2');
    `N/A`, `NA`, `Not Applicable` -> ('NA',); `Early Phase 1` -> ('EARLY_PHASE1',)."""
    if not value:
        return ()
    if isinstance(value, str):
        if value.strip().upper() in ("N/A", "NA", "NOT APPLICABLE"):
            return ("NA",)
        parts: Iterable[str] = _PHASE_SPLIT.split(value)
    else:
        parts = value
    out: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        match = _PHASE.search(part)
        if match:
            phase = ("EARLY_" if match.group(1) else "") + "PHASE" + match.group(2)
        elif part.upper() in ("NA", "N/A", "NOT APPLICABLE"):
            phase = "NA"
        else:
            phase = enum_value(part)
        if phase and phase not in out:
            out.append(phase)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Dates, numbers, identifiers
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_TEXT_DATE = re.compile(r"^([A-Za-z]+)\.?\s+(?:(\d{1,2}),?\s+)?(\d{4})$")


def iso_date(text: object) -> str:
    """`December 1992` -> `1992-12`, `September 12, 2016` -> `2016-09-12`, ISO kept as is:
    an ISO-8601 prefix exactly as precise as the source. Unrecognised text is kept stripped
    rather than guessed at."""
    if not text or type(text) is not str:
        return ""
    text = text.strip()
    if _ISO_DATE.match(text):
        return text
    match = _TEXT_DATE.match(text)
    if match and match.group(1).lower() in _MONTHS:
        month = _MONTHS[match.group(1).lower()]
        day = match.group(2)
        return f"{match.group(3)}-{month:02d}" + (f"-{int(day):02d}" if day else "")
    return text


def to_int(value: object) -> int | None:
    """Enrollment counts: `60`, `"60"`, `60.0` -> 60; anything else -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value).strip().replace(",", "")))
    except ValueError:
        return None


_PADDED_MESH = re.compile(r"^D000(\d{6})$")
# The highest descriptor UI of the old 6-digit series (D066331, MeSH 2024); descriptors created
# since then have 9-digit UIs of their own (D000066388 and up). The v2 API writes every
# descriptor with 9 digits, so D000009101 is the padded D009101 while D000069283 (Rituximab)
# is a genuine 9-digit UI. A test checks this bound against the MeSH table in shared/vocab.
LAST_SIX_DIGIT_DESCRIPTOR = 66331


def mesh_id(text: str | None) -> str:
    """`D000009101` -> `D009101` (API v2 zero padding undone); `D000069283` kept: it is a
    genuine 9-digit UI, not a padded old one. Other ids (SCR `C...`) are kept as given."""
    if not text:
        return ""
    text = text.strip()
    match = _PADDED_MESH.match(text)
    if match and int(match.group(1)) <= LAST_SIX_DIGIT_DESCRIPTOR:
        return f"D{match.group(1)}"
    return text
