"""The readers' plumbing: registry, format detection, every input form (folders, globs, zip,
gzip, stdin), every JSON shape, JSON output round trip and the `parse` command."""

from __future__ import annotations

import gzip
import importlib
import io
import json
import pkgutil
import shutil
import zipfile
from pathlib import Path

import pytest

import graphbuild.readers as readers_pkg
from graphbuild.cli import main
from graphbuild.model import Record, Reject, SourceFormat
from graphbuild.readers import (
    detect_format,
    dumps,
    read_inputs,
    record_from_data,
    registry,
    to_data,
)
from graphbuild.readers.api_json import WHOLE_DOCUMENT_LIMIT

SEEDS = ("000_9c2a9c0863e88fc2", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599")


def _study(nct: str) -> dict[str, object]:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": f"Trial {nct}"},
            "statusModule": {"overallStatus": "RECRUITING", "startDateStruct": {"date": "2024-05"}},
            "designModule": {"phases": ["PHASE1", "PHASE2"], "studyType": "INTERVENTIONAL"},
            "outcomesModule": {
                "primaryOutcomes": [
                    {"measure": "ORR", "description": "Rate, overall", "timeFrame": "Up to 1 year"}
                ]
            },
        },
        "derivedSection": {
            "conditionBrowseModule": {"meshes": [{"id": "D000007938", "term": "Leukemia"}]}
        },
    }


def _records(items: list[Record | Reject]) -> list[Record]:
    rejects = [i for i in items if isinstance(i, Reject)]
    assert not rejects, rejects
    return [i for i in items if isinstance(i, Record)]


def test_every_reader_module_registers_itself() -> None:
    with_read = set()
    for info in pkgutil.iter_modules(readers_pkg.__path__):
        module = importlib.import_module(f"graphbuild.readers.{info.name}")
        if callable(getattr(module, "read", None)):
            with_read.add(module.__name__)
    registered = {spec.module for spec in registry.specs()}
    assert with_read == registered
    assert registry.names() == ("csv", "flat", "json", "xml")
    assert {spec.format for spec in registry.specs()} == set(SourceFormat)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'  [{"protocolSection": {}}]', "json"),
        (b'\xef\xbb\xbf{"studies": []}', "json"),
        (b'<?xml version="1.0"?>\n<clinical_study>', "xml"),
        (b"NCT Number,Study Title,Study URL\nNCT1,x,y", "csv"),
        (b"Study Title,Conditions\nx,y", "csv"),
        (b"A title, with a comma\nA summary", "flat"),
        (b"PK\x03\x04rest", "zip"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"abc\x00def", "binary"),
        (b"\xff\xfeA\x00", "binary"),
    ],
)
def test_detect_format(head: bytes, expected: str) -> None:
    assert detect_format(head) == expected


def test_folder_is_read_recursively_in_sorted_order(tmp_path: Path, examples_dir: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    shutil.copy(examples_dir / f"{SEEDS[2]}.txt", tmp_path / "b")
    shutil.copy(examples_dir / f"{SEEDS[0]}.txt", tmp_path / "a" / "deep")
    shutil.copy(examples_dir / f"{SEEDS[1]}.txt", tmp_path / "a")
    (tmp_path / "README.md").write_text("not a record", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("not a record either", encoding="utf-8")
    records = _records(list(read_inputs([tmp_path])))
    assert [r.trial_id for r in records] == [SEEDS[1], SEEDS[0], SEEDS[2]]  # a/, a/deep/, b/


def test_a_broken_link_in_a_folder_is_rejected_by_name(tmp_path: Path, examples_dir: Path) -> None:
    shutil.copy(examples_dir / f"{SEEDS[0]}.txt", tmp_path)
    (tmp_path / "NCT00000001.json").symlink_to(tmp_path / "moved-away.json")
    (tmp_path / "notes").symlink_to(tmp_path / "elsewhere")  # not named like a record: skipped
    items = list(read_inputs([tmp_path]))
    assert [i.trial_id for i in items if isinstance(i, Record)] == [SEEDS[0]]
    (reject,) = [i for i in items if isinstance(i, Reject)]
    assert reject.file == str(tmp_path / "NCT00000001.json")
    assert "cannot open" in reject.reason and "No such file" in reject.reason


def test_glob(tmp_path: Path, examples_dir: Path) -> None:
    for seed in SEEDS:
        shutil.copy(examples_dir / f"{seed}.txt", tmp_path)
    records = _records(list(read_inputs([str(tmp_path / "00[02]_*.txt")])))
    assert [r.trial_id for r in records] == [SEEDS[0], SEEDS[2]]


def test_zip_of_per_study_json_like_the_bulk_download(tmp_path: Path) -> None:
    archive = tmp_path / "ctg-studies.json.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for nct in ("NCT00000003", "NCT00000001", "NCT00000002"):
            zf.writestr(f"ctg-studies/{nct}.json", json.dumps(_study(nct)))
        zf.writestr("__MACOSX/._NCT00000001.json", b"\x00\x05")
    records = _records(list(read_inputs([archive])))
    assert [r.trial_id for r in records] == ["NCT00000001", "NCT00000002", "NCT00000003"]
    first = records[0]
    assert (
        first.source.file == str(archive) and first.source.member == "ctg-studies/NCT00000001.json"
    )
    assert first.source.record == "0"
    assert first.phases == ("PHASE1", "PHASE2") and first.start_date == "2024-05"
    assert first.condition_mesh[0].id == "D007938"
    assert (first.outcomes[0].description, first.outcomes[0].time_frame) == (
        "Rate, overall",
        "Up to 1 year",
    )


def test_zip_of_xml_and_gzip(tmp_path: Path, corpus_dir: Path) -> None:
    xml_files = sorted((corpus_dir / "ctgov_xml_2018").glob("*.xml"))[:3]
    archive = tmp_path / "xml.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in xml_files:
            zf.write(f, f"NCT/{f.name}")
    gz = tmp_path / "one.xml.gz"
    gz.write_bytes(gzip.compress(xml_files[0].read_bytes()))
    records = _records(list(read_inputs([archive, gz])))
    assert [r.trial_id for r in records] == [f.stem for f in xml_files] + [xml_files[0].stem]
    assert all(r.format is SourceFormat.XML for r in records)


def test_stdin(examples_dir: Path) -> None:
    data = (examples_dir / f"{SEEDS[1]}.txt").read_bytes()
    (record,) = _records(list(read_inputs(["-"], stdin=io.BytesIO(data))))
    assert record.source.file == "stdin" and record.trial_id == "stdin"
    assert record.interventions[0].name == "SENL103"


@pytest.mark.parametrize(
    "shape",
    ["array", "single", "page", "lines", "array-of-pages"],
)
def test_json_shapes(tmp_path: Path, shape: str) -> None:
    studies = [_study("NCT00000011"), _study("NCT00000012")]
    text = {
        "array": json.dumps(studies),
        "single": json.dumps(studies[0]),
        "page": json.dumps({"studies": studies, "nextPageToken": "abc"}),
        "lines": "\n".join(json.dumps(s) for s in studies),
        "array-of-pages": json.dumps(studies[0]) + "\n" + json.dumps({"studies": studies[1:]}),
    }[shape]
    path = tmp_path / f"{shape}.json"
    path.write_text(text, encoding="utf-8")
    records = _records(list(read_inputs([path])))
    expected = ["NCT00000011"] if shape == "single" else ["NCT00000011", "NCT00000012"]
    assert [r.trial_id for r in records] == expected
    assert [r.source.record for r in records] == [str(i) for i in range(len(expected))]


def test_big_json_array_is_streamed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the whole-document limit the array is decoded study by study; a cut at the end
    still yields every complete study."""
    from graphbuild.readers import api_json, json_scan

    monkeypatch.setattr(api_json, "WHOLE_DOCUMENT_LIMIT", 1000)
    monkeypatch.setattr(json_scan, "CHUNK", 512)
    studies = [_study(f"NCT{i:08d}") for i in range(40)]
    text = json.dumps(studies, indent=2)
    assert len(text) > 20 * 1000
    path = tmp_path / "big.json"
    path.write_text(text[:-30], encoding="utf-8")
    items = list(read_inputs([path]))
    records = [i for i in items if isinstance(i, Record)]
    (reject,) = [i for i in items if isinstance(i, Reject)]
    assert [r.trial_id for r in records] == [f"NCT{i:08d}" for i in range(39)]
    cut = text[:-30]
    assert reject.record == "39 (NCT00000039)" and reject.reason.startswith("truncated JSON")
    column = len(cut) - cut.rindex("\n")
    assert f"at line {cut.count(chr(10)) + 1} column {column} (byte {len(cut)})" in reject.reason
    assert WHOLE_DOCUMENT_LIMIT > 1000  # the module default is untouched outside this test


def test_json_output_round_trip(examples_dir: Path, corpus_dir: Path) -> None:
    inputs = [
        examples_dir,
        corpus_dir / "ctgov_api_v2_json" / "aact_fixture_single_study_NCT03418623.json",
        corpus_dir / "ctgov_xml_2018" / "NCT03720496.xml",
    ]
    for record in _records(list(read_inputs(inputs))):
        line = dumps(record)
        assert "\n" not in line
        data = json.loads(line)
        assert data["trial_id"] == record.trial_id and data["format"] == str(record.format)
        assert record_from_data(data) == record
    assert to_data(Reject("f", "1", "x", "why")) == {
        "file": "f",
        "record": "1",
        "field": "x",
        "reason": "why",
    }


def test_parse_command(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(examples_dir)]) == 0
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert [d["trial_id"] for d in lines] == list(SEEDS)
    assert "records: 3 (flat 3)" in err and "rejects: 0" in err

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert (
        main(["parse", str(examples_dir / f"{SEEDS[0]}.txt"), str(empty), "--format", "summary"])
        == 1
    )
    out, err = capsys.readouterr()
    assert "records: 1 (flat 1)" in out and "rejects: 1" in out
    assert f"{empty}: record 0: field content: empty file" in out


def test_csv_any_subset_of_columns_in_any_order(tmp_path: Path) -> None:
    path = tmp_path / "subset.csv"
    path.write_text(
        "Primary Outcome Measures,Conditions,Unknown Column,NCT Number,Interventions,Phases\n"
        '"ORR, Responders, at 4, 8, and 12 weeks",Leukemia|Lymphoma,zzz,NCT00000601,'
        "Some device|Another thing,PHASE1|PHASE2\n",
        encoding="utf-8",
    )
    (record,) = _records(list(read_inputs([path])))
    assert record.trial_id == "NCT00000601" and record.format is SourceFormat.CSV
    assert record.conditions == ("Leukemia", "Lymphoma") and record.phases == ("PHASE1", "PHASE2")
    assert [(o.measure, o.description, o.time_frame) for o in record.outcomes] == [
        ("ORR", "Responders", "at 4, 8, and 12 weeks")
    ]
    # no `TYPE:` prefix: the names are kept, the type is left unknown rather than guessed
    assert [(i.type, i.name) for i in record.interventions] == [
        ("", "Some device"),
        ("", "Another thing"),
    ]
    assert record.origins == {
        "conditions": "Conditions",
        "phases": "Phases",
        "interventions": "Interventions",
        "outcomes": "Primary Outcome Measures",
        "nct_id": "NCT Number",
    }
    assert record.brief_title == "" and "brief_title" not in record.origins
