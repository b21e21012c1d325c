"""The flat writer: every record of the shared corpus (all formats) and the seeds, written to
the flat layout and read back, gives the same seven fields; `graphbuild convert` writes the
files and `graphbuild parse` reads them (empty fields included) as records, not rejects."""

from __future__ import annotations

import io
import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest

from graphbuild.cli import main
from graphbuild.model import Intervention, Outcome, OutcomeRole, Record, SourceFormat, SourceRef
from graphbuild.readers import flat, read_inputs
from graphbuild.readers.outcomes import join_like_csv
from graphbuild.writers.flat import PARAGRAPH_LINE, NoTitle, flat_fields, read_back, to_flat

FIELD_NAMES = (
    "brief_title",
    "brief_summary",
    "conditions",
    "interventions",
    "primary_outcomes",
    "secondary_outcomes",
    "detailed_description",
)
CORPUS_RECORDS = 1559
MIN_EXACT = 0.995


def _differences(record: Record) -> list[str]:
    """Why `record` does not come back from its flat text: the fields that differ, or the
    reject; empty when it round-trips exactly."""
    text = to_flat(record)
    back = read_back(text, f"{record.trial_id}.txt")
    if back is None:
        (reject,) = flat.read(io.BytesIO(text.encode()), f"{record.trial_id}.txt")
        return [f"rejected: {reject}"]
    return [
        f"{name}: wrote {want!r:.120} read {got!r:.120}"
        for name, want, got in zip(FIELD_NAMES, flat_fields(record), flat_fields(back))
        if want != got
    ]


@pytest.mark.corpus
def test_round_trip_over_the_corpus_and_the_seeds(corpus_dir: Path, examples_dir: Path) -> None:
    corpus = [r for r in read_inputs([corpus_dir]) if isinstance(r, Record)]
    seeds = [r for r in read_inputs([examples_dir]) if isinstance(r, Record)]
    assert len(corpus) == CORPUS_RECORDS and len(seeds) == 3
    assert {str(r.format) for r in corpus} == {"csv", "json", "xml"}
    misses = {
        f"{r.source.file} {r.trial_id}": why for r in corpus + seeds if (why := _differences(r))
    }
    exact = len(corpus) + len(seeds) - len(misses)
    report = "\n".join(f"{key}: {'; '.join(why)}" for key, why in sorted(misses.items()))
    print(f"flat round trip: {exact} of {len(corpus) + len(seeds)} records exact\n{report}")
    assert not [key for key in misses if "examples" in key], report  # the seeds, always
    assert exact >= MIN_EXACT * (len(corpus) + len(seeds)), report


@pytest.mark.corpus
def test_records_with_empty_fields_written_through_parse(tmp_path: Path, corpus_dir: Path) -> None:
    """Real records whose secondary outcomes, description or interventions are empty: written
    by `graphbuild convert`, read by `graphbuild parse` as records (exit 0), fields kept."""
    wanted = {}
    for r in read_inputs([corpus_dir]):
        if not isinstance(r, Record):
            continue
        kind = (
            not r.interventions,
            not r.outcomes_by_role(OutcomeRole.SECONDARY),
            not r.detailed_description,
        )
        if any(kind) and kind not in wanted:
            wanted[kind] = r
    assert len(wanted) >= 4  # several combinations of empty fields occur in the corpus
    sources = tmp_path / "in"
    sources.mkdir()
    for k, record in enumerate(wanted.values()):
        (sources / f"{k}.txt").write_text(to_flat(record), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["convert", "--to", "flat", str(sources), "-o", str(out)]) == 0
    assert main(["parse", str(out)]) == 0


def test_parse_command_reads_flat_files_with_empty_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "no_interventions.txt").write_text(
        "A title\nA summary.\nLymphoma\n\nORR, Responders, 12 weeks\n\nLonger text.\n",
        encoding="utf-8",
    )
    (tmp_path / "title_only.txt").write_text("Only a title\n", encoding="utf-8")
    (tmp_path / "ends_after_primary.txt").write_text(
        "A title\nA summary.\nLymphoma\nDRUG: X\nORR, Responders, 12 weeks\n", encoding="utf-8"
    )
    assert main(["parse", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    records = {d["trial_id"]: d for d in map(json.loads, out.splitlines())}
    assert set(records) == {"no_interventions", "title_only", "ends_after_primary"}
    assert "rejects: 0" in err
    assert records["no_interventions"]["interventions"] == []
    assert records["no_interventions"]["conditions"] == ["Lymphoma"]
    assert records["title_only"]["brief_title"] == "Only a title"
    assert records["ends_after_primary"]["detailed_description"] == ""


def _seed_style(record: Record) -> str:
    """The flat text a new user would write: the seed layout with an empty line for an empty
    field, empty lines inside fields as well, outcomes joined as the CSV export joins them."""
    lines = [
        record.brief_title,
        record.brief_summary,
        "|".join(record.conditions),
        "|".join(f"{i.type}: {i.name}" for i in record.interventions),
        *(
            "|".join(join_like_csv(o.measure, o.description, o.time_frame) for o in outcomes)
            for outcomes in (
                record.outcomes_by_role(OutcomeRole.PRIMARY),
                record.outcomes_by_role(OutcomeRole.SECONDARY),
            )
        ),
        record.detailed_description,
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.corpus
def test_seed_style_conversions_of_the_corpus_read_as_records(corpus_dir: Path) -> None:
    """Every corpus record written the plain seed way (no writer conventions) reads as a
    Record, never a reject, with the title, summary, conditions and interventions right for
    at least 99.5% of them; outcomes depend on the shared splitter, so only counted."""
    corpus = [r for r in read_inputs([corpus_dir]) if isinstance(r, Record)]
    front_misses, exact = [], 0
    for record in corpus:
        back = read_back(_seed_style(record))
        assert back is not None, record.trial_id
        want, got = flat_fields(record), flat_fields(back)
        exact += want == got
        if want[:4] != got[:4]:
            front_misses.append(record.trial_id)
    print(
        f"seed-style flat conversions: {exact} of {len(corpus)} exact; title, summary, "
        f"conditions and interventions right for {len(corpus) - len(front_misses)}: "
        f"misread {front_misses}"
    )
    assert len(front_misses) <= (1 - MIN_EXACT) * len(corpus), front_misses


def _record(**fields: object) -> Record:
    return Record("t", SourceRef("t", "0"), SourceFormat.JSON, **fields)  # type: ignore[arg-type]


FULL = _record(
    brief_title="[Device] trial of A\\B",
    brief_summary="First paragraph.\n\nSecond paragraph,\nwith a line break.",
    conditions=("Lymphoma", "Leukemia"),
    interventions=(Intervention("DRUG", "X-1"), Intervention("DIETARY_SUPPLEMENT", "Vitamin D")),
    outcomes=(
        Outcome(OutcomeRole.PRIMARY, "Safety, tolerability", "defined as grade 3", "Day 1, 8"),
        Outcome(OutcomeRole.PRIMARY, "PFS", "", "Time to progression, up to 1 year"),
        Outcome(OutcomeRole.SECONDARY, "ORR", "Responders.\n\nBy IWG criteria", ""),
        Outcome(OutcomeRole.SECONDARY, "persistence", "copies by qPCR", "2 years"),
    ),
    detailed_description="Description one.\n\nDescription two.",
)
OPTIONAL = {
    "brief_summary": "",
    "conditions": (),
    "interventions": (),
    "primary": OutcomeRole.PRIMARY,
    "secondary": OutcomeRole.SECONDARY,
    "detailed_description": "",
}
SUBSETS = [
    frozenset(c) for n in range(len(OPTIONAL) + 1) for c in itertools.combinations(OPTIONAL, n)
]


@pytest.mark.parametrize("empty", SUBSETS, ids=lambda s: "+".join(sorted(s)) or "none")
def test_writer_round_trip_with_empty_fields(empty: frozenset[str]) -> None:
    """Every subset of the optional fields empty: seven field lines (paragraph breaks as space
    lines, empty fields as empty lines), read back to the same fields."""
    changes: dict[str, object] = {
        k: v for k, v in OPTIONAL.items() if k in empty and not isinstance(v, OutcomeRole)
    }
    dropped = {v for k, v in OPTIONAL.items() if k in empty and isinstance(v, OutcomeRole)}
    record = replace(
        FULL, **changes, outcomes=tuple(o for o in FULL.outcomes if o.role not in dropped)
    )  # type: ignore[arg-type]
    text = to_flat(record)
    assert text.endswith("\n") and text.count("\n") >= 7
    empty_lines = sum(1 for line in text.split("\n")[:-1] if line == "")
    assert empty_lines == len(empty)  # an empty line is an empty field, nothing else
    back = read_back(text)
    assert back is not None and flat_fields(back) == flat_fields(record)


def test_writer_layout_of_a_full_record() -> None:
    text = to_flat(FULL)
    lines = text.split("\n")
    assert lines[0] == "\\[Device] trial of A\\\\B"  # read as JSON otherwise; backslash kept
    assert lines[1:5] == [
        "First paragraph.",
        PARAGRAPH_LINE,
        "Second paragraph,",
        "with a line break.",
    ]
    assert lines[5:7] == ["Lymphoma|Leukemia", "DRUG: X-1|DIETARY_SUPPLEMENT: Vitamin D"]
    # parts holding `, `, an empty description before a time frame holding `, ` and a
    # description without a time frame get explicit slots
    assert lines[7] == (
        "Safety, tolerability,\u00a0defined as grade 3,\u00a0Day 1, 8"
        "|PFS,\u00a0,\u00a0Time to progression, up to 1 year"
    )
    assert lines[8:10] == ["ORR,\u00a0Responders.", PARAGRAPH_LINE]
    back = read_back(text)
    assert back is not None and flat_fields(back) == flat_fields(FULL)


def test_a_record_without_title_is_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(NoTitle):
        to_flat(replace(FULL, brief_title=" "))
    untitled = tmp_path / "NCT00000001.json"
    untitled.write_text(
        json.dumps({"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}}}),
        encoding="utf-8",
    )
    out = tmp_path / "flat"
    assert main(["convert", "--to", "flat", str(untitled), "-o", str(out)]) == 1
    assert list(out.iterdir()) == []
    assert f"{untitled}: record 0: field brief_title: no title" in capsys.readouterr().err


def test_convert_command(
    tmp_path: Path, examples_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "flat"
    seed = examples_dir / "000_9c2a9c0863e88fc2.txt"
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\nDRUG: x\n", encoding="utf-8")
    code = main(["convert", "--to", "flat", str(examples_dir), str(seed), str(bad), "-o", str(out)])
    assert code == 1  # one reject, reported like `graphbuild parse`
    err = capsys.readouterr().err
    assert "records: 4 (flat 4)" in err and "rejects: 1" in err
    assert f"{bad}: record line 1: field brief_summary" in err
    assert "4 read back field for field" in err
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "000_9c2a9c0863e88fc2.flat.txt",  # the same trial id a second time
        "000_9c2a9c0863e88fc2.txt",
        "001_5b0f834bc6f69eca.txt",
        "002_2917b9526c9dc599.txt",
    ]
    # a seed written back is itself a seed-layout file that reads to the same fields
    for name in ("001_5b0f834bc6f69eca.txt", "002_2917b9526c9dc599.txt"):
        (again,) = flat.read(out / name)
        (orig,) = flat.read(examples_dir / name)
        assert isinstance(again, Record) and isinstance(orig, Record)
        assert flat_fields(again) == flat_fields(orig) and again.trial_id == orig.trial_id
    # a second run replaces the folder whole; a folder holding other files is not replaced
    assert main(["convert", "--to", "flat", str(examples_dir), "-o", str(out)]) == 0
    assert len(list(out.iterdir())) == 3
    (out / "notes.md").write_text("mine", encoding="utf-8")
    assert main(["convert", "--to", "flat", str(examples_dir), "-o", str(out)]) == 2
    assert (out / "notes.md").read_text(encoding="utf-8") == "mine"
    assert "not replacing it" in capsys.readouterr().err


def test_text_that_reads_as_a_character_reference_is_written_escaped() -> None:
    """The reader decodes `&gt;`, so a field holding `&gt;` as text (the source's `&amp;gt;`)
    is written `&amp;gt;` and reads back as it was; a bare `&` is written as it is."""
    record = replace(FULL, brief_title="Trial of R&D drug: BMI &gt; 25 as written", conditions=("A&B",))
    text = to_flat(record)
    assert text.split("\n")[0] == "Trial of R&D drug: BMI &amp;gt; 25 as written"
    back = read_back(text)
    assert back is not None and flat_fields(back) == flat_fields(record)
