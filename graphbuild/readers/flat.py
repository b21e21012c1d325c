"""The flat text layout of the seed records: one trial per file, seven fields in order.

Fields: brief title; brief summary; conditions joined by `|`; interventions `TYPE: name` joined
by `|`; primary outcomes and secondary outcomes, each `measure, description, time frame` joined
by `|`; detailed description. A field may run over several lines and hold blank lines, so
boundaries come from the text, not from line counts:

* the interventions line is the first line whose `|`-parts all read `TYPE: name` with a known
  intervention type; the line before it holds the conditions, and everything between the
  title and the conditions is the summary;
* an outcome field ends at the first line end where its last outcome closes with a time frame
  the splitter recognises and the next line does not continue it;
* the detailed description is the rest.

A file with too few fields is a Reject naming the first field that is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from graphbuild.model import (
    Intervention,
    OutcomeRole,
    Record,
    Reject,
    SourceFormat,
    SourceRef,
)
from graphbuild.readers.normalize import clean_block, clean_line, intervention_type, split_list
from graphbuild.readers.outcomes import looks_complete, parse_outcomes
from graphbuild.readers.registry import register
from graphbuild.readers.source import (
    Source,
    display_name,
    encoding_reject,
    open_source,
    stem,
    undecodable_at,
)

# ClinicalTrials.gov intervention types (API v2 enum), as the flat layout and the CSV write
# them (`DIETARY_SUPPLEMENT:`), also accepted in title case (`Dietary Supplement:`).
INTERVENTION_TYPES = (
    "DRUG",
    "BIOLOGICAL",
    "DEVICE",
    "PROCEDURE",
    "RADIATION",
    "BEHAVIORAL",
    "GENETIC",
    "DIETARY_SUPPLEMENT",
    "COMBINATION_PRODUCT",
    "DIAGNOSTIC_TEST",
    "OTHER",
)
_TYPE_ALT = "|".join(t.replace("_", "[ _]") for t in INTERVENTION_TYPES)
INTERVENTION_PART = re.compile(rf"^\s*({_TYPE_ALT})\s*:\s*(.*\S)\s*$", re.IGNORECASE | re.DOTALL)
# A line that continues the previous one: it starts mid-sentence or with a joining mark.
_CONTINUATION_LINE = re.compile(r"^\s*(?:[a-z]|[、，,;；:：|)）\]。.])")

# The layout's fields in file order; a Reject for a missing field uses these names.
FIELDS = (
    "brief_title",
    "brief_summary",
    "conditions",
    "interventions",
    "primary_outcomes",
    "secondary_outcomes",
    "detailed_description",
)


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    first: int  # 0-based line index
    last: int  # inclusive
    text: str

    @property
    def where(self) -> str:
        return (
            f"line {self.first + 1}"
            if self.first == self.last
            else f"lines {self.first + 1}-{self.last + 1}"
        )


class _Missing(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def parse_interventions(text: str, source_field: str) -> tuple[Intervention, ...] | None:
    """`DRUG: a|BIOLOGICAL: b` -> Interventions, or None when the text is not such a list.
    A part without a known type prefix belongs to the previous name (a `|` inside a name)."""
    out: list[list[str]] = []
    for part in text.split("|"):
        match = INTERVENTION_PART.match(part)
        if match:
            out.append([match.group(1), match.group(2)])
        elif out and part.strip():
            out[-1][1] = f"{out[-1][1]}|{part}"
        elif part.strip():
            return None
    if not out:
        return None
    return tuple(
        Intervention(type=intervention_type(t), name=clean_line(n), source_field=source_field)
        for t, n in out
    )


def _is_interventions_line(line: str) -> bool:
    return (
        bool(INTERVENTION_PART.match(line.split("|", 1)[0]))
        and parse_interventions(line, "") is not None
    )


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for k in range(start, len(lines)):
        if lines[k].strip():
            return k
    return None


def _take_outcomes(lines: list[str], start: int, name: str) -> _Field:
    """The outcome field starting at line `start`: grown line by line until it is complete
    and the next line does not continue it; a single line when it never completes."""
    acc: list[str] = []
    for k in range(start, len(lines)):
        acc.append(lines[k])
        if not lines[k].strip():
            continue
        text = "\n".join(acc)
        if looks_complete(text):
            nxt = _next_nonblank(lines, k + 1)
            if nxt is None or not _CONTINUATION_LINE.match(lines[nxt]):
                return _Field(name, start, k, text)
    return _Field(name, start, start, lines[start])


def split_fields(lines: list[str]) -> list[_Field]:
    """The seven fields of a flat record, located by their content."""
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        raise _Missing("brief_title", "no text")
    title = nonblank[0]
    fields = [_Field("brief_title", title, title, lines[title])]
    iv = next((i for i in nonblank[1:] if _is_interventions_line(lines[i])), None)
    if iv is None:
        after = len(nonblank) - 1
        if after == 0:
            raise _Missing(
                "brief_summary", "only a title: no summary, conditions, interventions or outcomes"
            )
        if after == 1:
            raise _Missing(
                "conditions", "no conditions line (and no interventions line) after the summary"
            )
        raise _Missing(
            "interventions",
            "no interventions line: expected `TYPE: name` parts joined by `|` with a known type "
            f"({', '.join(INTERVENTION_TYPES)})",
        )
    between = [i for i in nonblank if title < i < iv]
    if not between:
        raise _Missing(
            "brief_summary", f"the interventions (line {iv + 1}) follow the title directly"
        )
    if len(between) == 1:
        lonely = between[0]
        missing = "brief_summary" if "|" in lines[lonely] else "conditions"
        raise _Missing(
            missing, f"only one line (line {lonely + 1}) between the title and the interventions"
        )
    conditions = between[-1]
    fields.append(
        _Field(
            "brief_summary", between[0], conditions - 1, "\n".join(lines[between[0] : conditions])
        )
    )
    fields.append(_Field("conditions", conditions, conditions, lines[conditions]))
    fields.append(_Field("interventions", iv, iv, lines[iv]))
    cursor = iv + 1
    for name in ("primary_outcomes", "secondary_outcomes"):
        start = _next_nonblank(lines, cursor)
        if start is None:
            raise _Missing(name, f"the text ends before the {name.replace('_', ' ')}")
        field = _take_outcomes(lines, start, name)
        fields.append(field)
        cursor = field.last + 1
    start = _next_nonblank(lines, cursor)
    if start is None:
        raise _Missing("detailed_description", "the text ends after the secondary outcomes")
    end = max(i for i in nonblank if i >= start)
    fields.append(_Field("detailed_description", start, end, "\n".join(lines[start : end + 1])))
    return fields


def to_record(fields: list[_Field], file: str, member: str | None) -> Record:
    """The located fields -> a Record, each value cleaned and its origin noted."""
    by = {f.name: f for f in fields}
    iv_field = by["interventions"]
    interventions = parse_interventions(iv_field.text, iv_field.where) or ()
    outcomes = (
        *parse_outcomes(
            by["primary_outcomes"].text, OutcomeRole.PRIMARY, by["primary_outcomes"].where
        ),
        *parse_outcomes(
            by["secondary_outcomes"].text, OutcomeRole.SECONDARY, by["secondary_outcomes"].where
        ),
    )
    first, last = by["primary_outcomes"], by["secondary_outcomes"]
    outcome_lines = f"lines {first.first + 1}-{last.last + 1}"
    origins = {
        f.name: f.where for f in fields if f.name not in ("primary_outcomes", "secondary_outcomes")
    }
    origins["outcomes"] = outcome_lines
    return Record(
        trial_id=stem(file, member),
        source=SourceRef(file, f"line {by['brief_title'].first + 1}", member),
        format=SourceFormat.FLAT,
        brief_title=clean_line(by["brief_title"].text),
        brief_summary=clean_block(by["brief_summary"].text),
        detailed_description=clean_block(by["detailed_description"].text),
        conditions=split_list(by["conditions"].text),
        interventions=interventions,
        outcomes=outcomes,
        origins=origins,
    )


@register(SourceFormat.FLAT)
def read(
    source: Source, name: str | None = None, *, member: str | None = None
) -> Iterator[Record | Reject]:
    """One flat-text file -> one Record, or one Reject naming the missing or broken field."""
    with open_source(source, name) as (stream, file):
        data = stream.read()
    where = display_name(file, member)
    text = data.decode("utf-8-sig", errors="surrogateescape")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    try:
        fields = split_fields(lines)
    except _Missing as missing:
        bad = undecodable_at(text)
        if bad >= 0:  # an encoding problem explains a broken layout better than the layout does
            yield encoding_reject(where, "line 1", "file", text, bad, text.count("\n", 0, bad) + 1)
        else:
            yield Reject(
                where,
                "line 1",
                missing.field,
                f"too few fields: {missing.field} missing ({missing.reason})",
            )
        return
    bad = undecodable_at(text)
    if bad >= 0:
        line = text.count("\n", 0, bad)
        field = next((f.name for f in fields if f.first <= line <= f.last), "file")
        yield encoding_reject(where, f"line {fields[0].first + 1}", field, text, bad, line + 1)
        return
    yield to_record(fields, file, member)
