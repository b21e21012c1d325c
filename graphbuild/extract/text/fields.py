"""Walk a Record's text fields by path, and make Evidence that points back into them.

Evidence paths (`brief_title`, `interventions[0].name`, `outcomes[3].description`) are the
contract between extraction and the graph: `field_text(record, path)[start:end]` is always
the quoted text.
"""

from __future__ import annotations

import re
from typing import Iterator

from graphbuild.model import Evidence, Record

_PATH_PART = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def text_fields(record: Record) -> Iterator[tuple[str, str]]:
    """Every non-empty free-text field of the record as (path, text), titles first."""
    for name in ("brief_title", "official_title", "acronym", "brief_summary", "detailed_description"):
        value = getattr(record, name)
        if value:
            yield name, value
    for i, condition in enumerate(record.conditions):
        yield f"conditions[{i}]", condition
    for i, keyword in enumerate(record.keywords):
        yield f"keywords[{i}]", keyword
    for i, intervention in enumerate(record.interventions):
        yield f"interventions[{i}].name", intervention.name
        if intervention.description:
            yield f"interventions[{i}].description", intervention.description
        for j, other in enumerate(intervention.other_names):
            yield f"interventions[{i}].other_names[{j}]", other
    for i, arm in enumerate(record.arms):
        yield f"arms[{i}].label", arm.label
        if arm.description:
            yield f"arms[{i}].description", arm.description
    for i, outcome in enumerate(record.outcomes):
        yield f"outcomes[{i}].measure", outcome.measure
        if outcome.description:
            yield f"outcomes[{i}].description", outcome.description
        if outcome.time_frame:
            yield f"outcomes[{i}].time_frame", outcome.time_frame


def field_text(record: Record, path: str) -> str:
    """The text at an evidence path (inverse of `text_fields`)."""
    value: object = record
    for name, index in _PATH_PART.findall(path):
        value = getattr(value, name)
        if index:
            value = value[int(index)]  # type: ignore[index]
    if not isinstance(value, str):
        raise KeyError(f"{path!r} is not a text field")
    return value


def evidence(path: str, text: str, start: int, end: int) -> Evidence:
    """Evidence for `text[start:end]` of the field at `path`."""
    return Evidence(field=path, text=text[start:end], start=start, end=end)


def match_evidence(path: str, match: re.Match[str], group: int | str = 0) -> Evidence:
    """Evidence for a regex match (or one of its groups) over the field at `path`."""
    return Evidence(field=path, text=match.group(group), start=match.start(group), end=match.end(group))
