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
trials' rows are found by bisection over the text itself (both lists are in trial order) and
spliced in: no split of the list into rows (100,000 rows at 100,000 trials, 0.04 s for each
list), only `str.find` at C speed and a few Python steps per bisection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    if raw != "[]" and not raw.startswith("[" + _ITEM):
        raise ValueError("report.json: ungrounded rows not in the form json.dumps writes")
    by_trial: dict[str, list[str]] = {}
    for u in fresh:
        text = json.dumps({"trial_id": u.trial_id, "condition": u.condition}, ensure_ascii=False)
        by_trial.setdefault(u.trial_id, []).append(text)
    for trial_id in sorted(changed):  # the rows: between the brackets, joined by ", "
        raw = _splice(raw, 1, len(raw) - 1, _ROW, _trial_of_row, trial_id, by_trial.get(trial_id, []))
    return raw, 0 if raw == "[]" else raw.count(_ROW.boundary) + 1


def _trial_of_row(text: str, at: int) -> str:
    # the row starts with its trial id, a JSON string
    return _DECODER.raw_decode(text, at + len(_ITEM))[0]


@dataclass(frozen=True)
class _Records:
    """How records follow one another in a text: each after the first preceded by
    `separator`, and `separator` + `start` (what every record begins with) occurring
    nowhere else."""

    separator: str
    start: str

    @property
    def boundary(self) -> str:
        return self.separator + self.start


_ROW = _Records(", ", _ITEM)  # report.json's ungrounded rows (a quote in a string is escaped)
_LINE = _Records("\n", "| ")  # report.md's table rows, one a line


def _splice(
    text: str, low: int, high: int, records: _Records, key: Callable[[str, int], str], trial_id: str, rows: list[str]
) -> str:
    """`text` with the records between `low` and `high` (in order of `key`, each trial's
    contiguous) that are `trial_id`'s replaced by `rows`, at their sorted place: records[:i]
    + rows + records[j:], joined; the text around them as it was."""
    sep = len(records.separator)
    start = _lower_bound(text, low, high, records, key, trial_id)
    stop = start
    while stop < high and key(text, stop) == trial_id:
        after = text.find(records.boundary, stop, high)
        stop = high if after < 0 else after + sep
    # records[:i] end before the separator ahead of record i; records[j:] start at stop
    before = "" if start == low else text[low:high] if start == high else text[low : start - sep]
    joined = records.separator.join(part for part in (before, *rows, text[stop:high]) if part)
    return text[:low] + joined + text[high:]


def _lower_bound(
    text: str, low: int, high: int, records: _Records, key: Callable[[str, int], str], value: str
) -> int:
    """Where the first record between `low` and `high` whose key is not below `value` starts
    (`high` if none), by bisection over positions: the record holding a position starts after
    the last boundary before it."""
    sep, boundary = len(records.separator), records.boundary
    while low < high:  # record starts (or the end): keys before low < value <= keys from high
        middle = (low + high) // 2
        found = text.rfind(boundary, low, middle - sep + len(boundary))
        record = low if found < 0 else found + sep
        if key(text, record) < value:
            after = text.find(boundary, record, high)
            low = high if after < 0 else after + sep
        else:
            high = record
    return low


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


def _sections(text: str) -> list[tuple[str, str]]:
    """(heading line, the text up to the next `## ` heading); the first heading is ''. The
    headings found with `str.find`, not a line-by-line pattern (report.md holds a row per
    ungrounded condition: 100,000 lines at 100,000 trials)."""
    sections: list[tuple[str, str]] = []
    heading, start = "", 0
    at = _next_heading(text, 0)
    while at >= 0:
        sections.append((heading, text[start:at]))
        end = text.find("\n", at)
        start = len(text) if end < 0 else end + 1
        heading = text[at:start]
        at = _next_heading(text, start)
    sections.append((heading, text[start:]))
    return sections


def _next_heading(text: str, line: int) -> int:
    """Where the first line at or after the line start `line` that begins with `## ` starts,
    or -1."""
    if line == 0 and text.startswith("## "):
        return 0
    found = text.find("\n## ", max(line - 1, 0))
    return found + 1 if found >= 0 else -1


_TABLE_HEAD = "| trial | condition |\n|---|---|\n"


def _ungrounded_section(
    previous: list[tuple[str, str]], changed: set[str], fresh: Sequence[Ungrounded], count: int
) -> str:
    """The old table's rows (in trial order), the changed trials' found by bisection and
    replaced by `fresh` rendered as `BuildReport.to_markdown` renders a row."""
    body = next((b for h, b in previous if h.startswith(_UNGROUNDED)), "")
    start = body.find(_TABLE_HEAD)
    low = high = 0  # where the rows are in body
    if start >= 0:
        low = start + len(_TABLE_HEAD)
        end = body.find("\n\n", low)
        high = len(body.rstrip("\n")) if end < 0 else end
        high = max(high, low)
    rendered = BuildReport(inputs=[], out_dir="", version="", ungrounded=list(fresh)).to_markdown()
    new_body = next((b for h, b in _sections(rendered) if h.startswith(_UNGROUNDED)), "")
    by_trial: dict[str, list[str]] = {}
    for line in new_body.split("\n"):
        if line.startswith("| ") and not line.startswith("| trial |"):
            by_trial.setdefault(_first_cell(line, 0), []).append(line)
    for trial_id in sorted(changed):
        before = len(body)
        body = _splice(body, low, high, _LINE, _first_cell, trial_id, by_trial.get(trial_id, []))
        high += len(body) - before
    heading = f"{_UNGROUNDED} ({count})\n\n"
    if high == low:
        return heading + "None: every condition was grounded in MeSH.\n\n"
    return heading + _TABLE_HEAD + body[low:high] + "\n\n"


def _first_cell(text: str, at: int) -> str:
    """The first cell of the table row starting at `at`."""
    return text[at + 1 : text.find("|", at + 1)].strip()
