"""report.json / report.md of a build rewritten after `graphbuild add` without re-rendering
the parts that grow with the build.

Two lists in a build's report grow with it: the ungrounded conditions (one row per condition
text no MeSH descriptor was found for: 7,000 rows at 10,000 trials) and the source files with
their checksums. Rendering the whole report again through `BuildReport` (dataclass to dict,
Python JSON encoder with indentation, Markdown tables) took ~0.5 s of CPU at 10,000 trials,
more than the rest of an add together. So the small parts (counts, validation, changes) are
rendered by `BuildReport` as always, and the long lists are carried over as text: in
report.json each long list is one line (`json.dumps` of the list, written once by the first
add; the build indents it over many lines), in report.md the old table is kept. The changed
trials' rows are found by bisection (both lists are in trial order) and replaced; everything
else is string splitting and joining at C speed, no Python step per row.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence

from graphbuild.report import BuildReport, Ungrounded

__all__ = ["LONG", "merge_ungrounded", "read_report", "render_json", "render_markdown"]

LONG = ("ungrounded", "sources")  # the report's lists that grow with the build
_UNGROUNDED = "## Ungrounded conditions"
_SOURCES = "## Sources"
_LONG_LINE = re.compile(r'^  "(ungrounded|sources)": (\[.*\])(,?)$', re.M)
_ITEM = '{"trial_id": '  # how json.dumps starts an ungrounded row
_BETWEEN = '}, {"trial_id": '  # and what separates two rows
_DECODER = json.JSONDecoder()


def read_report(text: str) -> tuple[BuildReport, dict[str, str], list[str]]:
    """report.json as (the report without its long lists, each long list as the JSON text
    `json.dumps` writes for it, the keys in file order). A report an add wrote holds each
    long list on one line, which is cut out before parsing; a build's report (indented) is
    parsed whole, once."""
    raw: dict[str, str] = {}

    def cut(match: re.Match[str]) -> str:
        raw[match.group(1)] = match.group(2)
        return f'  "{match.group(1)}": []{match.group(3)}'

    data = json.loads(_LONG_LINE.sub(cut, text))
    for key in LONG:
        if key not in raw:
            raw[key] = json.dumps(data.get(key, []), ensure_ascii=False)
    order = list(data)
    light = {k: v for k, v in data.items() if k not in LONG}
    return BuildReport.from_dict(light), raw, order


def merge_ungrounded(raw: str, changed: set[str], fresh: Sequence[Ungrounded]) -> tuple[str, int]:
    """The ungrounded rows (JSON text of the list, in trial order) with the changed trials'
    rows replaced by `fresh`; and how many rows there are now."""
    rows = [] if raw == "[]" else raw[len("[" + _ITEM) : -len("}]")].split(_BETWEEN)
    if rows and not raw.startswith("[" + _ITEM):
        raise ValueError("report.json: ungrounded rows not in the form json.dumps writes")
    by_trial: dict[str, list[str]] = {}
    for u in fresh:
        text = json.dumps({"trial_id": u.trial_id, "condition": u.condition}, ensure_ascii=False)
        by_trial.setdefault(u.trial_id, []).append(text[len(_ITEM) : -1])
    for trial_id in sorted(changed):
        start = bisect.bisect_left(rows, trial_id, key=_trial_of_row)
        end = bisect.bisect_right(rows, trial_id, key=_trial_of_row)
        rows[start:end] = by_trial.get(trial_id, [])
    if not rows:
        return "[]", 0
    return "[" + _ITEM + _BETWEEN.join(rows) + "}]", len(rows)


def _trial_of_row(row: str) -> str:
    return _DECODER.raw_decode(row)[0]  # the row starts with its trial id, a JSON string


def render_json(report: BuildReport, raw: dict[str, str], order: list[str]) -> str:
    """report.json: the keys in the old file's order (new keys after), small values indented
    as `BuildReport.to_json` writes them, each long list on one line as given."""
    data = report.to_dict()
    keys = [k for k in order if k in data or k in raw] + [k for k in data if k not in order]
    parts = []
    for key in keys:
        if key in raw:
            text = raw[key]
        else:
            text = json.dumps(data[key], indent=2, ensure_ascii=False).replace("\n", "\n  ")
        parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def render_markdown(
    report: BuildReport, old: str, changed: set[str], fresh: Sequence[Ungrounded], count: int
) -> str:
    """report.md: `report` rendered without its long lists, the old file's ungrounded
    conditions table with the changed trials' rows replaced (`count` rows in all), and the
    old sources section."""
    previous = _sections(old)
    out: list[str] = []
    for heading, body in _sections(report.to_markdown()):
        if heading.startswith(_UNGROUNDED):
            out.append(_ungrounded_section(previous, changed, fresh, count))
        else:
            out.append(heading + body)
    out.append(next((h + b for h, b in previous if h.startswith(_SOURCES)), ""))
    text = "".join(out)
    return text if text.endswith("\n") else text + "\n"


_HEADING = re.compile(r"^## .*\n?", re.M)


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading line, the text up to the next `## ` heading); the first heading is ''."""
    sections: list[tuple[str, str]] = []
    heading, start = "", 0
    for match in _HEADING.finditer(text):
        sections.append((heading, text[start : match.start()]))
        heading, start = match.group(), match.end()
    sections.append((heading, text[start:]))
    return sections


_TABLE_HEAD = "| trial | condition |\n|---|---|\n"


def _ungrounded_section(
    previous: list[tuple[str, str]], changed: set[str], fresh: Sequence[Ungrounded], count: int
) -> str:
    """The old table's rows (in trial order), the changed trials' found by bisection and
    replaced by `fresh` rendered as `BuildReport.to_markdown` renders a row."""
    body = next((b for h, b in previous if h.startswith(_UNGROUNDED)), "")
    start = body.find(_TABLE_HEAD)
    rows: list[str] = []
    if start >= 0:
        start += len(_TABLE_HEAD)
        end = body.find("\n\n", start)
        rows = body[start : len(body) if end < 0 else end].rstrip("\n").split("\n")
    rendered = BuildReport(inputs=[], out_dir="", version="", ungrounded=list(fresh)).to_markdown()
    new_body = next((b for h, b in _sections(rendered) if h.startswith(_UNGROUNDED)), "")
    by_trial: dict[str, list[str]] = {}
    for line in new_body.split("\n"):
        if line.startswith("| ") and not line.startswith("| trial |"):
            by_trial.setdefault(_first_cell(line), []).append(line)
    for trial_id in sorted(changed):
        low = bisect.bisect_left(rows, trial_id, key=_first_cell)
        high = bisect.bisect_right(rows, trial_id, key=_first_cell)
        rows[low:high] = by_trial.get(trial_id, [])
    heading = f"{_UNGROUNDED} ({count})\n\n"
    if not rows:
        return heading + "None: every condition was grounded in MeSH.\n\n"
    return heading + _TABLE_HEAD + "\n".join(rows) + "\n\n"


def _first_cell(line: str) -> str:
    return line.split("|", 2)[1].strip()

