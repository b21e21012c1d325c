"""report.json / report.md of a build rewritten after `graphbuild add` without re-rendering
the parts that grow with the build.

Two lists in a build's report grow with it: the ungrounded conditions (one row per condition
text no MeSH descriptor was found for: 7,000 rows at 10,000 trials) and the source files with
their checksums. Rendering the whole report again through `BuildReport` (dataclass to dict,
Python JSON encoder with indentation, Markdown tables) took ~0.5 s of CPU at 10,000 trials,
more than the rest of an add together. So the small parts (counts, validation, changes) are
rendered by `BuildReport` as always, and the two long lists are carried over from the old
files: in report.json each long list is one line written by the C JSON encoder, in report.md
the old section's rows are kept and only the changed trials' rows replaced.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from typing import Any

from graphbuild.report import BuildReport, Ungrounded

__all__ = ["LONG", "merge_ungrounded", "render_json", "render_markdown", "split_long"]

LONG = ("ungrounded", "sources")  # the report's lists that grow with the build
_UNGROUNDED = "## Ungrounded conditions"
_SOURCES = "## Sources"


def split_long(data: dict[str, Any]) -> tuple[BuildReport, dict[str, list[Any]]]:
    """The report without its long lists (as a `BuildReport`), and the long lists."""
    light = {k: v for k, v in data.items() if k not in LONG}
    return BuildReport.from_dict(light), {k: list(data.get(k, [])) for k in LONG}


def merge_ungrounded(
    rows: list[dict[str, str]], changed: set[str], new: Iterable[Ungrounded]
) -> list[dict[str, str]]:
    """The changed trials' rows replaced by `new`. The rows are in trial order, so each
    changed trial's rows are one run found by bisection, not a pass over every row."""
    merged = rows
    fresh: dict[str, list[dict[str, str]]] = {}
    for u in new:
        fresh.setdefault(u.trial_id, []).append({"trial_id": u.trial_id, "condition": u.condition})
    for trial_id in sorted(changed):
        start = bisect.bisect_left(merged, trial_id, key=_trial_of)
        end = bisect.bisect_right(merged, trial_id, key=_trial_of)
        merged = [*merged[:start], *fresh.get(trial_id, []), *merged[end:]]
    return merged


def _trial_of(row: dict[str, str]) -> str:
    return row.get("trial_id", "")


def render_json(report: BuildReport, long: dict[str, list[Any]], order: list[str]) -> str:
    """report.json: the keys in the old file's order (new keys after), small values indented
    as `BuildReport.to_json` writes them, each long list on one line (the C JSON encoder
    writes it in one call; indentation would take the pure-Python encoder)."""
    data = report.to_dict()
    data.update(long)
    keys = [k for k in order if k in data] + [k for k in data if k not in order]
    parts = []
    for key in keys:
        value = data[key]
        if key in LONG:
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def render_markdown(report: BuildReport, old: str, changed: set[str], ungrounded: list[dict[str, str]]) -> str:
    """report.md: `report` rendered without its long lists, then the old file's ungrounded
    conditions section with the changed trials' rows replaced, and its sources section."""
    fresh = _sections(report.to_markdown())
    previous = _sections(old)
    out: list[str] = []
    for heading, body in fresh:
        if heading.startswith(_UNGROUNDED):
            out.append(_ungrounded_section(previous, changed, ungrounded))
        else:
            out.append(heading + body)
    sources = next((h + b for h, b in previous if h.startswith(_SOURCES)), "")
    if sources:
        out.append(sources)
    text = "".join(out)
    return text if text.endswith("\n") else text + "\n"


_HEADING = re.compile(r"^## .*\n?", re.M)


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading line, the text up to the next `## ` heading); the first heading is ''.
    (A regex over the whole text: the report has a line per ungrounded condition.)"""
    sections: list[tuple[str, str]] = []
    heading, start = "", 0
    for match in _HEADING.finditer(text):
        sections.append((heading, text[start : match.start()]))
        heading, start = match.group(), match.end()
    sections.append((heading, text[start:]))
    return sections


def _ungrounded_section(previous: list[tuple[str, str]], changed: set[str], rows: list[dict[str, str]]) -> str:
    """The old section's table rows with the changed trials' rows replaced (found by
    bisection: the rows are in trial order), each new row rendered as
    `BuildReport.to_markdown` renders it."""
    body = next((b for h, b in previous if h.startswith(_UNGROUNDED)), "")
    table = [line for line in body.split("\n") if line.startswith("| ")]
    if table and table[0].startswith("| trial |"):
        table = table[1:]
    fresh = [Ungrounded(row["trial_id"], row["condition"]) for row in rows if row["trial_id"] in changed]
    new_rows = _section_rows(
        BuildReport(inputs=[], out_dir="", version="", ungrounded=fresh).to_markdown()
    )
    by_trial: dict[str, list[str]] = {}
    for line in new_rows:
        by_trial.setdefault(_first_cell(line), []).append(line)
    for trial_id in sorted(changed):
        start = bisect.bisect_left(table, trial_id, key=_first_cell)
        end = bisect.bisect_right(table, trial_id, key=_first_cell)
        table[start:end] = by_trial.get(trial_id, [])
    heading = f"{_UNGROUNDED} ({len(rows)})\n\n"
    if not table:
        return heading + "None: every condition was grounded in MeSH.\n\n"
    return heading + "| trial | condition |\n|---|---|\n" + "\n".join(table) + "\n\n"


def _section_rows(markdown: str) -> list[str]:
    body = next((b for h, b in _sections(markdown) if h.startswith(_UNGROUNDED)), "")
    return [line for line in body.split("\n") if line.startswith("| ") and not line.startswith("| trial |")]


def _first_cell(line: str) -> str:
    return line.split("|", 2)[1].strip()
