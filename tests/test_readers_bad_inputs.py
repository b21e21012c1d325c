"""Bad input: each bad file yields one clear Reject naming file, record and field, and every
good record of the same `read_inputs` batch still loads."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from graphbuild.model import Record, Reject
from graphbuild.readers import read_inputs

SEED = "001_5b0f834bc6f69eca.txt"
CSV_HEADER = [
    "NCT Number",
    "Study Title",
    "Study Status",
    "Conditions",
    "Interventions",
    "Primary Outcome Measures",
    "Sponsor",
]
SECRET = "graphbuild-must-never-read-this-7f3a"


def _study(nct: str, title: str) -> dict[str, object]:
    return {
        "protocolSection": {
            "identificationModule": {"nctId": nct, "briefTitle": title},
            "outcomesModule": {
                "primaryOutcomes": [{"measure": "ORR", "timeFrame": "Up to 12 weeks"}]
            },
        }
    }


def _csv_row(nct: str) -> list[str]:
    return [
        nct,
        f"Trial {nct}",
        "RECRUITING",
        "Leukemia",
        "DRUG: X",
        "ORR, Responders, Up to 12 weeks",
        "Sponsor",
    ]


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([CSV_HEADER, *rows])
    return out.getvalue()


def _run(paths: list[Path]) -> tuple[list[Record], list[Reject]]:
    items = list(read_inputs(paths))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Reject)]


def _batch(examples_dir: Path, bad: Path) -> tuple[list[Record], Reject]:
    """Read a good seed, the bad file and a good JSON file in one batch."""
    good_json = bad.parent / "good.json"
    good_json.write_text(json.dumps([_study("NCT00000002", "Good one")]), encoding="utf-8")
    records, rejects = _run([examples_dir / SEED, bad, good_json])
    assert len(rejects) == 1, rejects
    assert {r.trial_id for r in records} >= {"001_5b0f834bc6f69eca", "NCT00000002"}
    return records, rejects[0]


def test_truncated_json(tmp_path: Path, examples_dir: Path) -> None:
    text = json.dumps([_study(f"NCT0000010{i}", f"Study {i}") for i in range(3)], indent=1)
    bad = tmp_path / "cut.json"
    bad.write_text(text[: int(len(text) * 0.8)], encoding="utf-8")
    records, reject = _batch(examples_dir, bad)
    # the studies before the cut still load; the reject names the study being read and where
    assert {"NCT00000100", "NCT00000101"} <= {r.trial_id for r in records}
    assert reject.file == str(bad) and reject.record == "2 (NCT00000102)"
    assert reject.field.startswith("protocolSection.")  # the JSON path where the text stops
    assert (
        reject.reason.startswith("truncated JSON")
        and "line" in reject.reason
        and "column" in reject.reason
    )


def test_csv_row_with_missing_cells(tmp_path: Path, examples_dir: Path) -> None:
    bad = tmp_path / "export.csv"
    bad.write_text(
        _csv_text([_csv_row("NCT00000201"), _csv_row("NCT00000202")[:4], _csv_row("NCT00000203")]),
        encoding="utf-8",
    )
    records, reject = _batch(examples_dir, bad)
    assert {"NCT00000201", "NCT00000203"} <= {r.trial_id for r in records}
    assert "NCT00000202" not in {r.trial_id for r in records}
    assert (reject.file, reject.record, reject.field) == (str(bad), "1", "Interventions")
    assert "4 cells" in reject.reason and "7" in reject.reason


def test_csv_header_with_a_blank_name_still_names_the_field(tmp_path: Path) -> None:
    """A damaged header (cut by a stray line break, found by the property test on real rows)
    leaves a column with no name: a row that does not fit names the column by its position."""
    bad = tmp_path / "export.csv"
    header = ",".join(CSV_HEADER[:-1]) + ",\n"  # the last name lost
    rows = _csv_text([_csv_row("NCT00000301") + ["extra"]]).split("\n", 1)[1]
    bad.write_text(header + rows, encoding="utf-8")
    _records, rejects = _run([bad])
    (reject,) = rejects
    assert (reject.file, reject.record) == (str(bad), "0")
    assert reject.field == f"column {len(CSV_HEADER)} (blank in the header)"
    assert "8 cells" in reject.reason and f"'{reject.field}'" in reject.reason


def test_xml_entity_bomb_is_never_expanded(tmp_path: Path, examples_dir: Path) -> None:
    levels = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    ]
    bad = tmp_path / "bomb.xml"
    bad.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE clinical_study [\n{chr(10).join(levels)}\n]>\n'
        "<clinical_study><brief_title>&lol9;</brief_title></clinical_study>",
        encoding="utf-8",
    )
    start = time.perf_counter()
    records, reject = _batch(examples_dir, bad)
    assert time.perf_counter() - start < 5  # a billion "lol"s were not built
    assert (reject.file, reject.record, reject.field) == (str(bad), "0", "DOCTYPE")
    assert "entit" in reject.reason and "never expanded" in reject.reason
    assert all("lollol" not in r.brief_title for r in records)


def test_xml_external_entity_is_never_read(tmp_path: Path, examples_dir: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    bad = tmp_path / "xxe.xml"
    bad.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE clinical_study [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        "<clinical_study><id_info><nct_id>NCT00000301</nct_id></id_info><brief_title>&xxe;</brief_title></clinical_study>",
        encoding="utf-8",
    )
    records, reject = _batch(examples_dir, bad)
    assert (reject.file, reject.record, reject.field) == (str(bad), "0", "DOCTYPE")
    assert "external entity" in reject.reason and "never read" in reject.reason
    assert SECRET not in repr(records) and SECRET not in reject.reason
    assert "NCT00000301" not in {r.trial_id for r in records}


def test_xml_external_entity_to_etc_passwd(tmp_path: Path) -> None:
    bad = tmp_path / "passwd.xml"
    bad.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE clinical_study [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        "<clinical_study><brief_title>&xxe;</brief_title></clinical_study>",
        encoding="utf-8",
    )
    records, rejects = _run([bad])
    assert not records and len(rejects) == 1
    assert "file:///etc/passwd" in rejects[0].reason and "root:" not in rejects[0].reason


def test_flat_file_that_cannot_be_laid_out(tmp_path: Path, examples_dir: Path) -> None:
    bad = tmp_path / "short.txt"
    bad.write_text(
        "A trial title\nA one-line summary\nMultiple Myeloma|Leukemia\nCELL THERAPY: CAR-T\n",
        encoding="utf-8",
    )
    _, reject = _batch(examples_dir, bad)
    assert (reject.file, reject.record, reject.field) == (str(bad), "line 1", "interventions")
    assert "not an intervention type" in reject.reason


def test_binary_file(tmp_path: Path, examples_dir: Path) -> None:
    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _, reject = _batch(examples_dir, bad)
    assert (reject.file, reject.record, reject.field) == (str(bad), "0", "content")
    assert "binary" in reject.reason


def test_empty_file(tmp_path: Path, examples_dir: Path) -> None:
    bad = tmp_path / "empty.json"
    bad.write_bytes(b"")
    _, reject = _batch(examples_dir, bad)
    assert (reject.file, reject.record, reject.field) == (str(bad), "0", "content")
    assert "empty" in reject.reason


def test_non_utf8_flat_text(tmp_path: Path, examples_dir: Path) -> None:
    text = (
        (examples_dir / SEED)
        .read_text(encoding="utf-8")
        .replace("Multiple Myeloma", "Myélome multiple")
    )
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(text.encode("latin-1", errors="replace"))
    _, reject = _batch(examples_dir, bad)
    assert (reject.file, reject.record, reject.field) == (str(bad), "line 1", "conditions")
    assert "not UTF-8" in reject.reason and "0xe9" in reject.reason and "line 3" in reject.reason


def test_non_utf8_csv_cell_rejects_only_its_row(tmp_path: Path, examples_dir: Path) -> None:
    rows = [_csv_row("NCT00000401"), _csv_row("NCT00000402"), _csv_row("NCT00000403")]
    rows[1][3] = "Leucémie"
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(_csv_text(rows).encode("latin-1"))
    records, reject = _batch(examples_dir, bad)
    assert {"NCT00000401", "NCT00000403"} <= {r.trial_id for r in records}
    assert (reject.file, reject.record, reject.field) == (str(bad), "1", "Conditions")
    assert "not UTF-8" in reject.reason


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        pytest.param(
            "broken.xml",
            b"<clinical_study><brief_title>x</clinical_study>",
            "clinical_study/brief_title",  # the element open where the XML breaks
            id="malformed-xml",
        ),
        pytest.param(
            "other.xml", b"<rss><channel/></rss>", "clinical_study", id="not-clinical-study"
        ),
        pytest.param(
            "array.json", b'[{"protocolSection": 5}]', "protocolSection", id="not-a-study"
        ),
        pytest.param("bad.zip", b"PK\x03\x04 not really a zip", "zip directory", id="broken-zip"),
    ],
)
def test_other_broken_inputs(tmp_path: Path, name: str, content: bytes, field: str) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    records, rejects = _run([bad])
    assert not records and len(rejects) == 1
    assert rejects[0].field == field and rejects[0].file == str(bad)


def test_missing_input_is_a_reject_not_a_crash(tmp_path: Path, examples_dir: Path) -> None:
    records, rejects = _run([tmp_path / "nope.json", examples_dir / SEED])
    assert len(records) == 1 and len(rejects) == 1
    assert rejects[0].field == "input" and "no such file" in rejects[0].reason


def test_entities_are_refused_in_any_encoding() -> None:
    """The fast path (C parser for documents without a DOCTYPE) cannot be fooled by an encoding
    in which `<!DOCTYPE` is not spelled in ASCII bytes."""
    from graphbuild.readers import legacy_xml

    bomb = (
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE clinical_study [<!ENTITY a "aaaa">'
        '<!ENTITY b "&a;&a;&a;&a;">]>\n<clinical_study><brief_title>&b;</brief_title></clinical_study>'
    )
    (item,) = list(legacy_xml.read(io.BytesIO(bomb.encode("utf-16")), "bomb16.xml"))
    assert isinstance(item, Reject) and item.field == "DOCTYPE" and "never expanded" in item.reason


def test_a_plain_doctype_without_entities_still_parses() -> None:
    from graphbuild.readers import legacy_xml

    doc = (
        b'<?xml version="1.0"?>\n<!DOCTYPE clinical_study>\n<clinical_study>'
        b"<id_info><nct_id>NCT00000501</nct_id></id_info><brief_title>T</brief_title></clinical_study>"
    )
    (item,) = list(legacy_xml.read(io.BytesIO(doc), "plain.xml"))
    assert isinstance(item, Record) and item.trial_id == "NCT00000501" and item.brief_title == "T"
