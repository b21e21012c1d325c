"""A Record -> the flat text layout of the seed records, written so it reads back the same.

The layout and its reading rules are in `graphbuild.readers.flat`. The writer keeps them
unambiguous (every field on its line, empty when empty; paragraph breaks inside a field as a
line holding one space; backslashes doubled; the `&` of text that reads as an HTML character
reference written `&amp;`; a leading `[`, `{` or `<` of the title escaped)
and writes each outcome as the plain `measure, description, time frame` join when the splitter
gives that back, with explicit slot separators otherwise. Should the whole file still not read
back (a field runs on into the next), the last outcome of each outcome field is written
explicitly too, and failing that every outcome. Only the seven fields of the layout are written;
anything else a Record holds (NCT id, phases, other outcomes, ...) has no place in it.
"""

from __future__ import annotations

import io
import re

from graphbuild.model import Outcome, OutcomeRole, Record
from graphbuild.readers import flat as reader
from graphbuild.readers.normalize import HTML_ENTITY
from graphbuild.readers.outcomes import SEP

_TITLE_OPENERS = ("[", "{", "<")  # format detection would read these as JSON or XML
PARAGRAPH_LINE = " "  # a blank line inside a field; an empty line is an empty field

Fields = tuple[object, ...]


def flat_fields(record: Record) -> Fields:
    """The seven fields the flat layout holds, in a form to compare: title, summary,
    conditions, interventions (type, name), primary outcomes and secondary outcomes
    (measure, description, time frame), detailed description."""

    def outcomes(role: OutcomeRole) -> tuple[tuple[str, str, str], ...]:
        return tuple(
            (o.measure, o.description, o.time_frame) for o in record.outcomes_by_role(role)
        )

    return (
        record.brief_title,
        record.brief_summary,
        record.conditions,
        tuple((i.type, i.name) for i in record.interventions),
        outcomes(OutcomeRole.PRIMARY),
        outcomes(OutcomeRole.SECONDARY),
        record.detailed_description,
    )


def _escape(text: str) -> str:
    if "&" in text:  # a character reference the reader would decode stays as written
        text = HTML_ENTITY.sub(_ampersand_escaped, text)
    return text.replace("\\", "\\\\")


def _ampersand_escaped(match: re.Match[str]) -> str:
    return "&amp;" + match.group()[1:]


def _block_lines(text: str) -> list[str]:
    """A multi-line field's lines (`text` already escaped); one empty line when empty."""
    if not text:
        return [""]
    return [line or PARAGRAPH_LINE for line in text.split("\n")]


def _plain(outcome: Outcome) -> str:
    return SEP.join(
        _escape(p) for p in (outcome.measure, outcome.description, outcome.time_frame) if p
    )


def _explicit(outcome: Outcome) -> str:
    return reader.EXPLICIT_SEP.join(
        _escape(p) for p in (outcome.measure, outcome.description, outcome.time_frame)
    )


def _reads_back(text: str, outcome: Outcome) -> bool:
    got = list(reader.parse_flat_outcomes(text, outcome.role, ""))
    return len(got) == 1 and (got[0].measure, got[0].description, got[0].time_frame) == (
        outcome.measure,
        outcome.description,
        outcome.time_frame,
    )


def _outcome_text(outcome: Outcome, explicit: bool) -> str:
    if not explicit:
        plain = _plain(outcome)
        if _reads_back(plain, outcome):
            return plain
    return _explicit(outcome)


def render(record: Record, *, explicit: str = "none") -> str:
    """The flat text of `record`. `explicit`: "none" writes each outcome plain where the
    splitter gives it back; "last" also writes the last outcome of each outcome field
    explicitly (so the field closes where it should); "all" writes every outcome explicitly."""
    title = _escape(record.brief_title)
    if title.startswith(_TITLE_OPENERS):
        title = "\\" + title
    lines = [title, *_block_lines(_escape(record.brief_summary))]
    lines.append("|".join(_escape(c) for c in record.conditions))
    lines.append("|".join(f"{i.type}: {_escape(i.name)}" for i in record.interventions))
    for role in (OutcomeRole.PRIMARY, OutcomeRole.SECONDARY):
        outcomes = record.outcomes_by_role(role)
        field = reader.OUTCOME_SEP.join(
            _outcome_text(o, explicit == "all" or (explicit == "last" and k == len(outcomes) - 1))
            for k, o in enumerate(outcomes)
        )
        lines.extend(_block_lines(field))
    lines.extend(_block_lines(_escape(record.detailed_description)))
    return "\n".join(lines) + "\n"


def read_back(text: str, name: str = "record.txt") -> Record | None:
    """The Record the flat reader makes of `text`, or None when it rejects it."""
    (item,) = reader.read(io.BytesIO(text.encode("utf-8", "surrogateescape")), name)
    return item if isinstance(item, Record) else None


class NoTitle(ValueError):
    """The flat layout needs a title: its first line with text is the title."""


def to_flat(record: Record) -> str:
    """`record` in the flat layout: the plainest text that reads back to the same seven
    fields (the all-explicit text when none does; the round-trip test lists those). A record
    without a title raises NoTitle: any other first line would be read as its title."""
    if not record.brief_title.strip():
        raise NoTitle(f"{record.trial_id}: no brief title, which the flat layout requires")
    want = flat_fields(record)
    for explicit in ("none", "last"):
        text = render(record, explicit=explicit)
        back = read_back(text)
        if back is not None and flat_fields(back) == want:
            return text
    return render(record, explicit="all")
