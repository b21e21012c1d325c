"""Property tests (hypothesis): every reader, the outcome splitter and the time-frame parser,
on generated and randomly damaged input. What must hold whatever the input: a Record or a
Reject that names file, record and field, never an exception; what the splitter returns is
the text it was given, cut; a parsed time frame keeps its text and orders its bounds.

No timing is asserted (deadline=None): a hang shows as a test that never ends."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import flat_names_file

from graphbuild.extract.timeframes import parse_time_frame
from graphbuild.model import OutcomeRole, Record, Reject
from graphbuild.readers import read_inputs
from graphbuild.readers.normalize import clean_line
from graphbuild.readers.outcomes import (
    SEP,
    parse_outcomes,
    segments,
    split_outcome,
    split_outcome_list,
)

pytestmark = pytest.mark.fuzz
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PLACEHOLDERS = {"", "-", "(json)", "(xml)", "file", "archive", "(triples)", "csv"}

# Text as records hold it: any printable character, with the separators the formats use.
TEXT = st.text(
    alphabet=st.one_of(st.characters(blacklist_categories=("Cs", "Cc")), st.sampled_from(", |()[]\n\t")),
    max_size=200,
)
OUTCOME_TEXT = st.lists(
    st.one_of(st.sampled_from(["Overall survival", "ORR", "at 4", "8", "and 12 weeks", "(CR, PR)", "up to 2 years",
                               "through study completion", "an average of 1 year", "including AEs", "Day 28", "|"]), TEXT),
    max_size=12,
).map(SEP.join)


def _read(path: Path) -> list[Record | Reject]:
    items = list(read_inputs([path]))
    for item in items:
        if isinstance(item, Reject):
            assert item.file.startswith(str(path)) and item.record not in ("", "-"), item
            assert item.field not in PLACEHOLDERS or flat_names_file(item), item
            str(item).encode("utf-8", "surrogateescape")  # writable into report.md (bytes escaped)
        else:
            assert isinstance(item, Record)
    return items


# --------------------------------------------------------------------------------------------
# The outcome splitter
# --------------------------------------------------------------------------------------------


@PROPERTY
@given(OUTCOME_TEXT)
def test_segments_cut_the_text_and_nothing_else(text: str) -> None:
    assert SEP.join(segments(text)) == text


@PROPERTY
@given(OUTCOME_TEXT)
def test_split_outcome_returns_the_text_cut_in_three(text: str) -> None:
    measure, description, time_frame = split_outcome(text)
    assert text in (measure, SEP.join((measure, time_frame)), SEP.join((measure, description, time_frame)))


@PROPERTY
@given(OUTCOME_TEXT)
def test_split_outcome_list_keeps_every_piece_in_order(text: str) -> None:
    pieces = split_outcome_list(text)
    at = 0
    for piece in pieces:
        assert piece.strip()
        found = text.find(piece, at)
        assert found >= 0
        at = found + len(piece)
    outcomes = list(parse_outcomes(text, OutcomeRole.PRIMARY, "Primary Outcome Measures"))
    assert len(outcomes) == len(pieces)
    assert all(o.role is OutcomeRole.PRIMARY and o.source_field == "Primary Outcome Measures" for o in outcomes)


# --------------------------------------------------------------------------------------------
# The time-frame parser
# --------------------------------------------------------------------------------------------

UNIT_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 365}


@PROPERTY
@given(st.one_of(TEXT, OUTCOME_TEXT))
def test_time_frame_keeps_its_text_and_orders_its_bounds(text: str) -> None:
    frame = parse_time_frame(text)
    assert frame.text == text
    if frame.min_days is not None and frame.max_days is not None:
        assert frame.min_days <= frame.max_days
        assert all(frame.min_days <= p <= frame.max_days for p in frame.time_points_days)
    assert list(frame.time_points_days) == sorted(set(frame.time_points_days))


@PROPERTY
@given(st.integers(1, 500), st.sampled_from(sorted(UNIT_DAYS)), st.sampled_from(["up to", "Up to", "within"]))
def test_up_to_n_units_is_zero_to_n_times_the_unit(n: int, unit: str, lead: str) -> None:
    frame = parse_time_frame(f"{lead} {n} {unit}")
    assert (frame.min_days, frame.max_days) == (0, n * UNIT_DAYS[unit])


# --------------------------------------------------------------------------------------------
# The readers: generated records read back, and real records damaged at random
# --------------------------------------------------------------------------------------------


def _study(nct: str, title: str, measure: str) -> dict:
    return {"protocolSection": {
        "identificationModule": {"nctId": nct, "briefTitle": title},
        "outcomesModule": {"primaryOutcomes": [{"measure": measure, "timeFrame": "Up to 12 weeks"}]},
    }}


@PROPERTY
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=5), st.integers(0, 4), st.binary(max_size=8))
def test_json_studies_read_back_and_one_broken_study_is_one_reject(
    tmp_path_factory: pytest.TempPathFactory, studies: list[tuple[str, str]], broken: int, junk: bytes
) -> None:
    ids = [f"NCT{k:08d}" for k in range(len(studies))]
    parts = [json.dumps(_study(i, t, m)).encode() for i, (t, m) in zip(ids, studies)]
    broken %= len(parts)
    parts[broken] = parts[broken][: len(parts[broken]) // 2] + junk + b'"}'  # damaged
    path = tmp_path_factory.mktemp("json") / "studies.json"
    path.write_bytes(b"[\n" + b",\n".join(parts) + b"\n]")
    items = _read(path)
    records = {i.trial_id: i for i in items if isinstance(i, Record)}
    for k, (title, _) in enumerate(studies):
        if k != broken:  # every study beside the broken one lands, its title as written
            assert records[ids[k]].brief_title == clean_line(title)
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(rejects) <= 1 and all(r.record.startswith(str(broken)) for r in rejects)


@PROPERTY
@given(st.lists(st.tuples(TEXT, OUTCOME_TEXT), min_size=1, max_size=5))
def test_csv_rows_read_back(tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["NCT Number", "Study Title", "Primary Outcome Measures"])
    ids = [f"NCT{k:08d}" for k in range(len(rows))]
    writer.writerows([i, t, o] for i, (t, o) in zip(ids, rows))
    path = tmp_path_factory.mktemp("csv") / "export.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    items = _read(path)
    records = {i.trial_id: i for i in items if isinstance(i, Record)}
    for i, (title, _) in zip(ids, rows):
        assert i in records, items  # a well-formed row always lands
        assert records[i].brief_title == clean_line(title)


@PROPERTY
@given(TEXT, TEXT)
def test_xml_fields_read_back(tmp_path_factory: pytest.TempPathFactory, title: str, measure: str) -> None:
    path = tmp_path_factory.mktemp("xml") / "NCT00000001.xml"
    path.write_text(
        "<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info>"
        f"<brief_title>{escape(title)}</brief_title><primary_outcome><measure>{escape(measure)}</measure>"
        "<time_frame>Day 28</time_frame></primary_outcome></clinical_study>",
        encoding="utf-8",
    )
    (record,) = _read(path)
    assert isinstance(record, Record) and record.brief_title == clean_line(title)


REAL = [
    ("examples", "001_5b0f834bc6f69eca.txt"),
    ("corpus", "ctgov_api_v2_json/aact_fixture_single_study_NCT03418623.json"),
    ("corpus", "ctgov_xml_2018/NCT03720496.xml"),
]


@pytest.mark.parametrize(("root", "name"), REAL, ids=[Path(n).suffix for _, n in REAL])
def test_real_records_damaged_at_random_give_a_record_or_a_named_reject(
    root: str, name: str, examples_dir: Path, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = ((examples_dir if root == "examples" else corpus_dir) / name).read_bytes()

    @PROPERTY
    @given(st.lists(st.tuples(st.integers(0, len(data)), st.binary(max_size=4), st.integers(0, 8)), min_size=1, max_size=4))
    def damaged(edits: list[tuple[int, bytes, int]]) -> None:
        out = bytearray(data)
        for at, insert, delete in edits:  # replace `delete` bytes at `at` by `insert`
            out[at : at + delete] = insert
        path = tmp_path_factory.mktemp("damaged") / Path(name).name
        path.write_bytes(bytes(out))
        assert _read(path)  # something comes back: a record or a reject, never nothing

    damaged()


def test_csv_reader_on_damaged_real_rows(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with (corpus_dir / "ctgov_csv_export" / "johnNoxas_mrd_AML_ctg-studies.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for _, row in zip(range(6), csv.reader(handle))]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode()

    @PROPERTY
    @given(st.lists(st.tuples(st.integers(0, len(data)), st.binary(max_size=4), st.integers(0, 8)), min_size=1, max_size=4))
    def damaged(edits: list[tuple[int, bytes, int]]) -> None:
        out = bytearray(data)
        for at, insert, delete in edits:
            out[at : at + delete] = insert
        path = tmp_path_factory.mktemp("damaged") / "export.csv"
        path.write_bytes(bytes(out))
        assert _read(path)

    damaged()
