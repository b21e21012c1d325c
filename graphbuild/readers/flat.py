"""The flat text layout of the seed records: one trial per file, seven fields in order.

Fields: brief title; brief summary; conditions joined by `|`; interventions `TYPE: name` joined
by `|`; primary outcomes and secondary outcomes, each `measure, description, time frame` joined
by `|`; detailed description. Only the title is required. Every other field may be empty: an
empty field is one empty line, and a text that ends early leaves the fields after it empty. A
record with empty fields is a Record with those fields empty, never a Reject.

The summary, the outcomes and the detailed description may run over several lines and hold
blank lines, so boundaries come from the text and from where the single-line fields stand:

1. The title is the first line with text.
2. The interventions line is the first line whose `|`-parts all read `TYPE: name` with a known
   intervention type. The line just before it is the conditions (an empty line: none), and
   everything between the title and the conditions is the summary. One line with text between
   the title and the interventions could be either field: that is a Reject.
3. Without such a line the interventions are empty. Their empty line is the first empty line
   after the title that leaves a summary (its own empty line, or lines that start and end
   with text) and then a conditions line before it, where that conditions line is empty or
   does not read as running text (ending with `.`, `;`, `:`, `?` or `!`). Running text there
   is the summary's last line instead: the conditions are the empty line that follows, and
   the interventions the next one, which must be empty too. (Two empty lines in a row before
   an interventions line likewise mean empty fields: that line is later text, and this rule
   applies.) Without any such empty line the text ends early: its last line is the
   conditions and the lines before it the summary, or all of it is the summary when the lines
   before the last cannot be one. A line there that reads `TYPE: name` with an upper-case
   type that is not an intervention type (`CELL THERAPY: ...`), or a layout that fits neither
   reading, is a Reject naming the interventions.
4. After the interventions, the primary and then the secondary outcomes: an empty line is an
   empty field; otherwise the field ends at the first line end where its last outcome closes
   with a time frame the splitter recognises and the next line with text does not continue
   it (it continues when it starts with a joining mark such as `、` or `;`, or in lower case
   unless it reads as a whole outcome field of its own).
5. The detailed description is the rest (blank lines before it are skipped).

How a writer keeps this unambiguous (`graphbuild.writers.flat` does all of it, and a file
written that way reads back field for field):

* Every field has its line, empty when the field is empty: seven fields, never fewer lines.
* A paragraph break inside a field is a line holding one space, not an empty line. Such a
  line is never an empty field, so an empty line always is one. (The seeds, written by hand,
  use empty lines inside fields; the rules above still read them.)
* An outcome the `, ` join would not give back (a part holding `, `, a description without a
  time frame, a description that reads as part of the measure) is written with its three
  slots separated by `,` and a no-break space (U+00A0): `measure,\u00a0description,\u00a0time
  frame`, empty slots left empty. An outcome with exactly two such separators is split there
  and nowhere else, and it closes its field at the end of the line that holds its second
  separator. A no-break space reads as a space, so the file still reads as the seed layout.
* Backslashes are doubled and a title starting with `[`, `{` or `<` gets a markdown escape
  (`\\[`), which the reader's markdown unescaping undoes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from graphbuild.model import (
    Intervention,
    Outcome,
    OutcomeRole,
    Record,
    Reject,
    SourceFormat,
    SourceRef,
)
from graphbuild.readers.normalize import clean_block, clean_line, intervention_type, split_list
from graphbuild.readers.outcomes import SEP, looks_complete, split_outcome
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
# `CELL THERAPY: x`: an interventions line whose type is not one of the above.
_UNKNOWN_TYPE_PART = re.compile(r"^\s*([A-Z][A-Z_]*(?: [A-Z][A-Z_]*){0,2})\s*:\s*\S")
# A line that continues the previous one: it starts with a joining mark, or in lower case
# (mid-sentence) unless it reads as a whole outcome field of its own.
_JOINING_LINE = re.compile(r"^\s*[、，,;；:：|)）\]。.]")
_LOWER_LINE = re.compile(r"^\s*[a-z]")
# Running text, not a conditions list.
_SENTENCE_END = (".", ";", ":", "?", "!", "。")
# Separates the slots of an outcome written explicitly: `,` and a no-break space.
EXPLICIT_SEP = ",\u00a0"
OUTCOME_SEP = "|"

# The layout's fields in file order; a Reject names one of these.
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
    """A field's lines (0-based, inclusive) and text; `first` is -1 for a field the text
    ended before."""

    name: str
    first: int
    last: int
    text: str

    @property
    def where(self) -> str:
        if self.first < 0:
            return ""
        return (
            f"line {self.first + 1}"
            if self.first == self.last
            else f"lines {self.first + 1}-{self.last + 1}"
        )


class _Inconsistent(Exception):
    """The text cannot be laid out as the seven fields; names the field and why."""

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


def _unknown_type(line: str) -> str | None:
    """`CELL THERAPY` for `CELL THERAPY: x|...`: a line laid out as interventions whose type is
    not an intervention type (running text such as `BACKGROUND: ... .` is not)."""
    match = _UNKNOWN_TYPE_PART.match(line)
    if not match or line.rstrip().endswith(_SENTENCE_END) or len(line) > 300:
        return None
    return match.group(1)


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for k in range(start, len(lines)):
        if lines[k].strip():
            return k
    return None


def _last_piece(text: str) -> str:
    return text.rsplit(OUTCOME_SEP, 1)[-1]


def _continues(line: str) -> bool:
    """Does this line continue the outcome field above it rather than start the next field?"""
    if _JOINING_LINE.match(line):
        return True
    return bool(_LOWER_LINE.match(line)) and not looks_complete(line)


def _outcome_end(lines: list[str], start: int) -> int | None:
    """The last line of the outcome field starting at line `start`: the first line end where
    its last outcome is complete and the next line with text does not continue it. An
    explicitly written outcome (`EXPLICIT_SEP`) is complete once its third slot has begun.
    None when the field never completes."""
    acc: list[str] = []
    for k in range(start, len(lines)):
        acc.append(lines[k])
        if not lines[k].strip():
            continue
        text = "\n".join(acc)
        explicit = _last_piece(text).count(EXPLICIT_SEP)
        if explicit >= 2:
            return k
        if explicit == 0 and looks_complete(text):
            nxt = _next_nonblank(lines, k + 1)
            if nxt is None or not _continues(lines[nxt]):
                return k
    return None


def _take_outcomes(lines: list[str], start: int, name: str) -> _Field:
    """The outcome field starting at line `start`; a single line when it never completes."""
    end = _outcome_end(lines, start)
    last = start if end is None else end
    return _Field(name, start, last, "\n".join(lines[start : last + 1]))


def _block(lines: list[str], first: int, end: int, name: str) -> _Field:
    """Lines [first, end) as one multi-line field, blank lines at its edges dropped; an empty
    field (at `first`) when they hold no text."""
    text_lines = [k for k in range(first, end) if lines[k].strip()]
    if not text_lines:
        return _Field(name, first if first < len(lines) else -1, first, "")
    a, b = text_lines[0], text_lines[-1]
    return _Field(name, a, b, "\n".join(lines[a : b + 1]))


def _valid_summary(lines: list[str], first: int, end: int) -> bool:
    """Can lines [first, end) be the summary: one empty line, or lines that start and end with
    text?"""
    if end <= first:
        return False
    if end - first == 1:
        return True
    return bool(lines[first].strip()) and bool(lines[end - 1].strip())


def _running_text(line: str) -> bool:
    return line.rstrip().endswith(_SENTENCE_END)


def _empty_interventions_line(lines: list[str], title: int) -> int | None:
    """Rule 3: the empty line standing for empty interventions, or None."""
    candidates: list[int] = []
    for k in range(title + 3, len(lines)):
        if lines[k] != "" or not _valid_summary(lines, title + 1, k - 1):
            continue
        before = lines[k - 1]
        if not before.strip() or not _running_text(before):
            candidates.append(k)
        elif k + 1 < len(lines) and lines[k + 1] == "" and _valid_summary(lines, title + 1, k):
            candidates.append(k + 1)  # the summary's last line; the conditions are empty
    return candidates[0] if candidates else None


def _check_no_unknown_type(lines: list[str], first: int, end: int) -> None:
    """Where the interventions should stand and no interventions line was found, a line laid
    out as interventions with an unknown type is a mistake, not a summary or conditions."""
    for k in range(first, end):
        kind = _unknown_type(lines[k])
        if kind:
            raise _Inconsistent(
                "interventions",
                f"line {k + 1} reads as interventions but {kind!r} is not an intervention type "
                f"({', '.join(INTERVENTION_TYPES)})",
            )


def split_fields(lines: list[str]) -> list[_Field]:
    """The seven fields of a flat record, located by their content and position."""
    title = _next_nonblank(lines, 0)
    if title is None:
        raise _Inconsistent("brief_title", "no text")
    fields = [_Field("brief_title", title, title, lines[title])]
    iv = next((i for i in range(title + 1, len(lines)) if _is_interventions_line(lines[i])), None)
    if iv is not None and "\n\n\n" in "\n".join(lines[title:iv]):
        iv = None  # two empty lines in a row lie before it: empty fields, so it is later text
    if iv is not None:
        front = iv - title - 1
        if front == 0:
            raise _Inconsistent(
                "brief_summary",
                f"the interventions (line {iv + 1}) follow the title directly: the summary and "
                "the conditions each need their line (an empty line when empty)",
            )
        if front == 1 and lines[title + 1].strip():
            lonely = title + 1
            raise _Inconsistent(
                "brief_summary" if "|" in lines[lonely] else "conditions",
                f"only one line (line {lonely + 1}) between the title and the interventions: it "
                "could be the summary or the conditions (write an empty line for the empty one)",
            )
        if front == 1:  # one empty line: summary and conditions both empty either way
            fields += [_Field("brief_summary", -1, -1, ""), _Field("conditions", -1, -1, "")]
        else:
            fields.append(_block(lines, title + 1, iv - 1, "brief_summary"))
            fields.append(_block(lines, iv - 1, iv, "conditions"))
        fields.append(_Field("interventions", iv, iv, lines[iv]))
        cursor = iv + 1
    else:
        empty_iv = _empty_interventions_line(lines, title)
        end = len(lines) if empty_iv is None else empty_iv
        while empty_iv is None and end > title + 1 and not lines[end - 1].strip():
            end -= 1  # the text ends early: trailing blank lines are no fields
        _check_no_unknown_type(lines, title + 3, end)
        with_conditions = end - title - 1 >= 2 and _valid_summary(lines, title + 1, end - 1)
        if (
            not with_conditions
            and end - title - 1 >= 2
            and not _valid_summary(lines, title + 1, end)
        ):
            # the summary is its empty line, so the conditions follow and then the interventions
            raise _Inconsistent(
                "interventions",
                f"line {title + 4} is neither interventions (`TYPE: name` parts joined by `|`) "
                f"nor an empty line, yet the empty summary (line {title + 2}) and the conditions "
                f"(line {title + 3}) put the interventions there",
            )
        if with_conditions:
            fields.append(_block(lines, title + 1, end - 1, "brief_summary"))
            fields.append(_block(lines, end - 1, end, "conditions"))
        else:
            fields.append(_block(lines, title + 1, end, "brief_summary"))
            fields.append(_Field("conditions", -1, -1, ""))
        fields.append(_Field("interventions", end if empty_iv is not None else -1, end, ""))
        cursor = end + 1 if empty_iv is not None else len(lines)
    for name in ("primary_outcomes", "secondary_outcomes"):
        if cursor >= len(lines):
            fields.append(_Field(name, -1, -1, ""))
        elif not lines[cursor].strip():
            fields.append(_Field(name, cursor, cursor, ""))
            cursor += 1
        else:
            field = _take_outcomes(lines, cursor, name)
            fields.append(field)
            cursor = field.last + 1
    fields.append(_block(lines, cursor, len(lines), "detailed_description"))
    return fields


def outcome_pieces(text: str) -> list[str]:
    """A `|`-joined outcome field -> one string per outcome. A piece with no separator cannot
    be a whole outcome: its `|` was inside an outcome's text, so it is glued to the next piece
    (to the previous one when it is last)."""
    pieces: list[str] = []
    pending = ""
    for piece in text.split(OUTCOME_SEP):
        if pending:
            piece = f"{pending}{OUTCOME_SEP}{piece}"
            pending = ""
        if SEP not in piece and EXPLICIT_SEP not in piece:
            pending = piece
            continue
        pieces.append(piece)
    if pending.strip():
        if pieces:
            pieces[-1] = f"{pieces[-1]}{OUTCOME_SEP}{pending}"
        else:
            pieces.append(pending)
    return [p for p in pieces if p.strip()]


def parse_flat_outcomes(text: str, role: OutcomeRole, source_field: str) -> Iterator[Outcome]:
    """An outcome field -> Outcomes: an explicitly written outcome is split at its two
    `EXPLICIT_SEP`s, any other by the shared splitter."""
    for piece in outcome_pieces(text):
        slots = piece.split(EXPLICIT_SEP)
        if len(slots) == 3:
            measure, description, time_frame = slots
        else:
            measure, description, time_frame = split_outcome(
                piece.replace(EXPLICIT_SEP, SEP).strip()
            )
        yield Outcome(
            role,
            clean_line(measure),
            clean_block(description),
            clean_line(time_frame),
            source_field,
        )


def to_record(fields: list[_Field], file: str, member: str | None) -> Record:
    """The located fields -> a Record, each value cleaned and its origin noted."""
    by = {f.name: f for f in fields}
    iv_field = by["interventions"]
    interventions = parse_interventions(iv_field.text, iv_field.where) if iv_field.text else ()
    outcomes: list[Outcome] = []
    for name, role in (
        ("primary_outcomes", OutcomeRole.PRIMARY),
        ("secondary_outcomes", OutcomeRole.SECONDARY),
    ):
        field = by[name]
        if field.text:
            outcomes.extend(parse_flat_outcomes(field.text, role, field.where))
    origins = {
        f.name: f.where
        for f in fields
        if f.text and f.name not in ("primary_outcomes", "secondary_outcomes")
    }
    spans = [f for f in (by["primary_outcomes"], by["secondary_outcomes"]) if f.text]
    if spans:
        first, last = spans[0].first, spans[-1].last
        origins["outcomes"] = (
            f"line {first + 1}" if first == last else f"lines {first + 1}-{last + 1}"
        )
    return Record(
        trial_id=stem(file, member),
        source=SourceRef(file, f"line {by['brief_title'].first + 1}", member),
        format=SourceFormat.FLAT,
        brief_title=clean_line(by["brief_title"].text),
        brief_summary=clean_block(by["brief_summary"].text),
        detailed_description=clean_block(by["detailed_description"].text),
        conditions=split_list(by["conditions"].text),
        interventions=interventions or (),
        outcomes=tuple(outcomes),
        origins=origins,
    )


@register(SourceFormat.FLAT)
def read(
    source: Source, name: str | None = None, *, member: str | None = None
) -> Iterator[Record | Reject]:
    """One flat-text file -> one Record, or one Reject naming the field that cannot be laid
    out and why."""
    with open_source(source, name) as (stream, file):
        data = stream.read()
    where = display_name(file, member)
    text = data.decode("utf-8-sig", errors="surrogateescape")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    try:
        fields = split_fields(lines)
    except _Inconsistent as problem:
        bad = undecodable_at(text)
        if bad >= 0:  # an encoding problem explains a broken layout better than the layout does
            yield encoding_reject(where, "line 1", "file", text, bad, text.count("\n", 0, bad) + 1)
        else:
            yield Reject(
                where,
                "line 1",
                problem.field,
                f"cannot lay out the fields: {problem.field}: {problem.reason}",
            )
        return
    bad = undecodable_at(text)
    if bad >= 0:
        line = text.count("\n", 0, bad)
        field = next((f.name for f in fields if f.first <= line <= f.last and f.first >= 0), "file")
        yield encoding_reject(where, f"line {fields[0].first + 1}", field, text, bad, line + 1)
        return
    yield to_record(fields, file, member)
