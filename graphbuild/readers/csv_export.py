"""The ClinicalTrials.gov website CSV export: one trial per row, columns matched by header name.

The export has 30 default columns and lets the user pick any subset, in any order, so nothing
here depends on position. List cells are joined by `|`; intervention cells read `TYPE: name`;
outcome cells are `measure, description, time frame` joined by `", "` (see `outcomes`); the
`Study Design` cell is `Key: VALUE` pairs joined by `|`.

A row with fewer cells than the header (a file cut short or hand-edited) is a Reject naming the
row and the first missing column; the other rows still load.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from graphbuild.model import Intervention, OutcomeRole, Record, Reject, SourceFormat, SourceRef
from graphbuild.readers.flat import parse_interventions
from graphbuild.readers.limits import MAX_FIELD_CHARS
from graphbuild.readers.normalize import (
    clean_block,
    clean_line,
    enum_value,
    iso_date,
    phases,
    split_list,
    to_int,
)
from graphbuild.readers.outcomes import parse_outcomes
from graphbuild.readers.registry import register
from graphbuild.readers.source import (
    ESCAPE_AND_COUNT,
    Source,
    decode_error_count,
    display_name,
    encoding_reject,
    open_source,
    stem,
    undecodable_at,
)

# Cells can be long (Locations of a 500-site trial); lift the 128 KiB default once.
csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))

# The 30 columns of the export, in its default order (model field in the comment).
COLUMNS = (
    "NCT Number",
    "Study Title",
    "Study URL",
    "Acronym",
    "Study Status",
    "Brief Summary",
    "Study Results",
    "Conditions",
    "Interventions",
    "Primary Outcome Measures",
    "Secondary Outcome Measures",
    "Other Outcome Measures",
    "Sponsor",
    "Collaborators",
    "Sex",
    "Age",
    "Phases",
    "Enrollment",
    "Funder Type",
    "Study Type",
    "Study Design",
    "Other IDs",
    "Start Date",
    "Primary Completion Date",
    "Completion Date",
    "First Posted",
    "Results First Posted",
    "Last Update Posted",
    "Locations",
    "Study Documents",
)
KNOWN_COLUMNS = frozenset(COLUMNS)

# Model field <- (column, how its cell becomes the value), for the one-to-one cells.
_SIMPLE_FIELDS: tuple[tuple[str, str, Callable[[str], object]], ...] = (
    ("brief_title", "Study Title", clean_line),
    ("acronym", "Acronym", clean_line),
    ("sponsor", "Sponsor", clean_line),
    ("status", "Study Status", enum_value),
    ("study_type", "Study Type", enum_value),
    ("start_date", "Start Date", iso_date),
    ("primary_completion_date", "Primary Completion Date", iso_date),
    ("completion_date", "Completion Date", iso_date),
    ("brief_summary", "Brief Summary", clean_block),
    ("conditions", "Conditions", split_list),
    ("collaborators", "Collaborators", split_list),
    ("phases", "Phases", phases),
    ("enrollment", "Enrollment", to_int),
)
_OUTCOME_COLUMNS = (
    ("Primary Outcome Measures", OutcomeRole.PRIMARY),
    ("Secondary Outcome Measures", OutcomeRole.SECONDARY),
    ("Other Outcome Measures", OutcomeRole.OTHER),
)
_DESIGN_KEYS = {
    "allocation": "allocation",
    "intervention model": "intervention_model",
    "masking": "masking",
    "primary purpose": "primary_purpose",
}


def parse_design(cell: str) -> dict[str, str]:
    """`Allocation: NA|Intervention Model: SINGLE_GROUP|Masking: DOUBLE (PARTICIPANT, ...)` ->
    {'allocation': 'NA', 'intervention_model': 'SINGLE_GROUP', 'masking': 'DOUBLE'}."""
    out: dict[str, str] = {}
    for part in cell.split("|"):
        key, sep, value = part.partition(":")
        field = _DESIGN_KEYS.get(key.strip().lower())
        if sep and field and value.strip():
            out[field] = enum_value(value)
    return out


def row_to_record(
    row: list[str], col: dict[str, int], file: str, index: int, member: str | None
) -> Record:
    """One complete data row -> a Record; `col` maps column name -> cell index."""

    def cell(name: str) -> str:
        k = col.get(name)
        return row[k] if k is not None else ""

    values: dict[str, object] = {}
    origins: dict[str, str] = {}
    for field, column, convert in _SIMPLE_FIELDS:
        if column in col:
            values[field] = convert(cell(column))
            origins[field] = column
    if "Interventions" in col and cell("Interventions").strip():
        values["interventions"] = parse_interventions(
            cell("Interventions"), "Interventions"
        ) or tuple(
            # no `TYPE: ` prefix the export would write: keep the names, type unknown
            Intervention(type="", name=name, source_field="Interventions")
            for name in split_list(cell("Interventions"))
        )
        origins["interventions"] = "Interventions"
    outcomes = []
    for column, role in _OUTCOME_COLUMNS:
        if column in col:
            outcomes.extend(parse_outcomes(cell(column), role, column))
    if outcomes:
        values["outcomes"] = tuple(outcomes)
        origins["outcomes"] = ", ".join(c for c, _ in _OUTCOME_COLUMNS if c in col)
    if "Study Design" in col:
        design = parse_design(cell("Study Design"))
        values.update(design)
        origins.update((field, "Study Design") for field in design)
    nct = clean_line(cell("NCT Number")) or None
    if nct:
        origins["nct_id"] = "NCT Number"
    return Record(
        trial_id=nct or f"{stem(file, member)}-{index}",
        source=SourceRef(file, str(index), member),
        format=SourceFormat.CSV,
        nct_id=nct,
        origins=origins,
        **values,  # type: ignore[arg-type]
    )


CSV_CELL_LIMIT = 64 << 20  # a cell the csv module reads whole before the field cap rejects its row

@register(SourceFormat.CSV)
def read(
    source: Source, name: str | None = None, *, member: str | None = None
) -> Iterator[Record | Reject]:
    """A CSV export -> one Record per data row (record = 0-based data row index); a short row
    or a cell that is not UTF-8 is a Reject for that row alone."""
    with open_source(source, name) as (stream, file):
        where = display_name(file, member)
        errors_before = decode_error_count()
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors=ESCAPE_AND_COUNT, newline="")
        # the csv module's own cap (128 KiB) would end the file at one big cell: read the
        # cell whole (linear) and reject its row by the field cap instead
        csv.field_size_limit(max(csv.field_size_limit(), CSV_CELL_LIMIT))
        try:
            reader = csv.reader(text)
            try:
                header = next(reader, None)
            except csv.Error as exc:
                yield Reject(where, "header", "header", f"malformed CSV header: {exc}")
                return
            if not header or not any(h.strip() for h in header):
                yield Reject(where, "header", "header", "no header row")
                return
            header = [h.strip() for h in header]
            col = {h: k for k, h in enumerate(header) if h in KNOWN_COLUMNS}
            if not col:
                yield Reject(
                    where, "header", "header", f"no known export column in the header {header[:5]}"
                )
                return
            width = len(header)
            index = -1
            for row in _rows(reader):
                index += 1
                if isinstance(row, csv.Error):
                    yield Reject(
                        where, str(index), "row syntax",
                        f"malformed CSV near line {reader.line_num}: {row}",
                    )
                    continue
                if not row:
                    index -= 1
                    continue
                big = next((k for k, c in enumerate(row) if len(c) > MAX_FIELD_CHARS), None)
                if big is not None and len(row) == width:
                    yield Reject(
                        where, str(index), header[big],
                        f"{len(row[big]):,} characters, over the cap of {MAX_FIELD_CHARS:,} per field",
                    )
                    continue
                if len(row) != width:
                    yield _shape_reject(where, index, row, header, reader.line_num)
                    continue
                if decode_error_count() != errors_before:  # this file has undecodable bytes
                    bad_cell = next((k for k, c in enumerate(row) if undecodable_at(c) >= 0), None)
                    if bad_cell is not None:
                        cell = row[bad_cell]
                        yield encoding_reject(
                            where,
                            str(index),
                            header[bad_cell],
                            cell,
                            undecodable_at(cell),
                            reader.line_num,
                        )
                        continue
                yield row_to_record(row, col, file, index, member)
        finally:
            text.detach()  # leave the caller's stream open


def _rows(reader: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """The reader's rows; a row the csv module cannot parse comes as its csv.Error and the
    reading goes on with the next line (at most 100 in a row: then the file is not CSV)."""
    failures = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            failures += 1
            yield exc
            if failures >= 100:
                return
            continue
        failures = 0
        yield row


def _column(header: list[str], position: int) -> str:
    """The header's name of a column, or its position when a damaged header leaves it blank
    (a reject always names the field)."""
    name = header[position].strip()
    return name or f"column {position + 1} (blank in the header)"


def _shape_reject(where: str, index: int, row: list[str], header: list[str], line: int) -> Reject:
    if len(row) < len(header):
        missing = _column(header, len(row))
        return Reject(
            where,
            str(index),
            missing,
            f"row has {len(row)} cells, the header has {len(header)}: "
            f"'{missing}' and the {len(header) - len(row) - 1} columns after it are missing "
            f"(row ends at line {line})",
        )
    last = _column(header, len(header) - 1)
    return Reject(
        where,
        str(index),
        last,
        f"row has {len(row)} cells, the header has {len(header)}: "
        f"extra cells after '{last}' (an unquoted comma?) (row ends at line {line})",
    )
