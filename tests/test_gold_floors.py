"""The development gold set: is it well formed, are its identifiers real, does extraction meet
the floors?

Three layers, so a failure says which side is wrong:

1. The gold file itself (always runs): known concept keys, consistent target status, outcome
   indices in order, enough records and cell therapies, all formats present.
2. The gold against the reference tables and the raw corpus (skips when ``../shared`` is absent):
   every antigen is an Approved HGNC symbol, every disease id a MeSH descriptor, and every gold
   outcome list has exactly the outcomes of the record in the source file (parsed here
   independently of the project's readers, so a reader bug cannot hide a gold bug).
3. The floors (needs the corpus and the extraction): target F1 >= 0.95, disease grounding F1 >=
   0.90, endpoint concept F1 >= 0.90, time-frame bounds exactly right for >= 0.95 of outcomes.
   The floors are fixed: when extraction falls short, fix the extraction, never the floor or the
   gold. ``python scripts/evaluate_extraction.py --summary`` shows what is missing.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graphbuild import evaluation as ev

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "gold" / "gold.jsonl"
CONCEPTS_TSV = REPO / "ontology" / "vocab" / "endpoint_concepts.tsv"

FORMATS = {"flat", "csv", "json", "xml"}
STATUSES = {"stated", "product_lexicon", "inferred", "unspecified", "not_applicable"}
ROLES = ("primary", "secondary", "other")

FLOOR_TARGET_F1 = 0.95
FLOOR_DISEASE_F1 = 0.90
FLOOR_CONCEPT_F1 = 0.90
FLOOR_TIME_FRAME_EXACT = 0.95


def _gold() -> list[dict[str, Any]]:
    with open(GOLD, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip() and not line.startswith("#")]


GOLD_ENTRIES = _gold()


def _concept_keys() -> set[str]:
    with open(CONCEPTS_TSV, encoding="utf-8", newline="") as fh:
        return set(ev.parse_concept_categories(fh))


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [f"{e['trial_id']}-{e['format']}" for e in entries]


# ------------------------------------------------------------------------- 1. the file itself


def test_size_and_mix() -> None:
    """The brief: >= 60 records from all three corpus formats plus the seeds, >= 40 cell therapies,
    some non-cell-therapy records and some with no stated target."""
    assert len(GOLD_ENTRIES) >= 60
    assert sum(1 for e in GOLD_ENTRIES if e["cell_therapy"]) >= 40
    formats = Counter(e["format"] for e in GOLD_ENTRIES)
    assert set(formats) == FORMATS
    assert all(formats[f] >= 15 for f in ("csv", "json", "xml"))
    assert sum(1 for e in GOLD_ENTRIES if not e["cell_therapy"]) >= 10
    statuses = Counter(e["target_status"] for e in GOLD_ENTRIES)
    assert statuses["unspecified"] >= 2 and statuses["not_applicable"] >= 2
    assert statuses["inferred"] >= 1 and statuses["product_lexicon"] >= 5


def test_keys_unique_and_seeds_present() -> None:
    keys = [ev.gold_key(e) for e in GOLD_ENTRIES]
    assert len(keys) == len(set(keys))
    seeds = {e["trial_id"]: e for e in GOLD_ENTRIES if e["format"] == "flat"}
    assert seeds["000_9c2a9c0863e88fc2"]["target_status"] == "unspecified"
    assert seeds["001_5b0f834bc6f69eca"]["target_status"] == "inferred"
    assert seeds["001_5b0f834bc6f69eca"]["antigens"] == ["TNFRSF17"]
    assert seeds["002_2917b9526c9dc599"]["antigens"] == ["CD7"]


@pytest.mark.parametrize("entry", GOLD_ENTRIES, ids=_ids(GOLD_ENTRIES))
def test_entry_well_formed(entry: dict[str, Any]) -> None:
    keys = _concept_keys()
    assert entry["format"] in FORMATS
    assert entry["target_status"] in STATUSES
    assert isinstance(entry["record"], str)
    # antigens iff the status says the target is known
    if entry["target_status"] in ("unspecified", "not_applicable"):
        assert entry["antigens"] == []
    else:
        assert entry["antigens"], "a stated/lexicon/inferred target needs an antigen"
    assert len(set(entry["antigens"])) == len(entry["antigens"])
    assert entry["diseases"] and len(set(entry["diseases"])) == len(entry["diseases"])
    assert all(d.startswith("D") and len(d) == 7 and d[1:].isdigit() for d in entry["diseases"])
    outcomes = entry["outcomes"]
    assert outcomes, "every record in the set has outcomes"
    assert [o["index"] for o in outcomes] == list(range(len(outcomes)))
    roles = [ROLES.index(o["role"]) for o in outcomes]
    assert roles == sorted(roles), "outcomes are listed primary, then secondary, then other"
    for o in outcomes:
        assert set(o["concepts"]) <= keys, f"unknown concept key in outcome {o['index']}"
        assert len(set(o["concepts"])) == len(o["concepts"])
        lo, hi = o["min_days"], o["max_days"]
        assert lo is None or isinstance(lo, (int, float))
        assert hi is None or isinstance(hi, (int, float))
        if lo is not None and hi is not None:
            assert lo <= hi


# ------------------------------------------------------------------ 2. reference tables, corpus


def _hgnc_status(vocab_dir: Path) -> dict[str, str]:
    with open(vocab_dir / "hgnc_genes.tsv", encoding="utf-8", newline="") as fh:
        return {row["symbol"]: row["status"] for row in csv.DictReader(fh, delimiter="\t")}


def _mesh(vocab_dir: Path) -> dict[str, dict[str, str]]:
    with open(vocab_dir / "mesh_descriptors.tsv", encoding="utf-8", newline="") as fh:
        return {row["ui"]: row for row in csv.DictReader(fh, delimiter="\t")}


def test_antigens_are_approved_hgnc_symbols(vocab_dir: Path) -> None:
    status = _hgnc_status(vocab_dir)
    bad = sorted(
        {
            (e["trial_id"], s, status.get(s, "absent"))
            for e in GOLD_ENTRIES
            for s in e["antigens"]
            if status.get(s) != "Approved"
        }
    )
    assert not bad, f"not Approved in hgnc_genes.tsv: {bad}"


def test_diseases_are_mesh_disease_descriptors(vocab_dir: Path) -> None:
    mesh = _mesh(vocab_dir)
    missing = sorted(
        {(e["trial_id"], d) for e in GOLD_ENTRIES for d in e["diseases"] if d not in mesh}
    )
    assert not missing, f"not in mesh_descriptors.tsv: {missing}"
    not_disease = sorted(
        {
            (e["trial_id"], d, mesh[d]["name"])
            for e in GOLD_ENTRIES
            for d in e["diseases"]
            if "C" not in mesh[d]["categories"]
        }
    )
    assert not not_disease, f"not a disease (category C) descriptor: {not_disease}"


def _raw_roles(corpus: Path, entry: dict[str, Any]) -> list[str]:
    """The record's outcome roles straight from the source file, without the project readers."""
    path = REPO / entry["file"] if entry["format"] == "flat" else corpus / entry["file"]
    index = int(entry["record"])
    if entry["format"] == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("studies", [data])
        protocol = data[index]["protocolSection"]
        assert protocol["identificationModule"]["nctId"] == entry["trial_id"]
        module = protocol.get("outcomesModule", {})
        return [
            role
            for role, k in zip(ROLES, ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes"))
            for _ in module.get(k, ())
        ]
    if entry["format"] == "xml":
        root = ET.parse(path).getroot()
        assert root.findtext("id_info/nct_id") == entry["trial_id"]
        return [role for role in ROLES for _ in root.findall(f"{role}_outcome")]
    if entry["format"] == "csv":
        csv.field_size_limit(sys.maxsize)
        with open(path, encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh)):
                if n == index:
                    break
        assert row["NCT Number"] == entry["trial_id"]
        columns = (
            "Primary Outcome Measures",
            "Secondary Outcome Measures",
            "Other Outcome Measures",
        )
        return [
            role
            for role, col in zip(ROLES, columns)
            for _ in (
                (row.get(col) or "").strip().split("|") if (row.get(col) or "").strip() else ()
            )
        ]
    # flat seed: line 5 primary outcomes, line 6 (possibly wrapped) secondary, joined by '|'
    lines = path.read_text(encoding="utf-8").split("\n")
    primary = lines[4].split("|")
    secondary = "\n".join(lines[5:-1]).split("|") if len(lines) > 6 else []
    return ["primary"] * len(primary) + ["secondary"] * len(secondary)


@pytest.mark.corpus
@pytest.mark.parametrize("entry", GOLD_ENTRIES, ids=_ids(GOLD_ENTRIES))
def test_outcomes_match_the_source_record(corpus_dir: Path, entry: dict[str, Any]) -> None:
    assert [o["role"] for o in entry["outcomes"]] == _raw_roles(corpus_dir, entry)


# ------------------------------------------------------------------------------- 3. the floors


def _load_script() -> Any:
    path = REPO / "scripts" / "evaluate_extraction.py"
    spec = importlib.util.spec_from_file_location("evaluate_extraction", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result(corpus_dir: Path) -> tuple[ev.Report, list[str]]:
    script = _load_script()
    report, _gold, _pred, problems = script.run(GOLD, corpus_dir, REPO)
    return report, problems


def _worst(report: ev.Report, field: str, n: int = 12) -> str:
    errs = [str(e) for e in report.errors if e.field in (field, "record", "outcome count")][:n]
    return "\n  ".join(errs)


@pytest.mark.corpus
@pytest.mark.slow
def test_every_gold_record_is_extracted(result: tuple[ev.Report, list[str]]) -> None:
    report, problems = result
    assert not problems, "\n".join(problems)
    assert report.n_missing == 0


@pytest.mark.corpus
@pytest.mark.slow
def test_floor_target_antigens(result: tuple[ev.Report, list[str]]) -> None:
    report, _ = result
    f1 = report.antigens.f1
    assert f1 >= FLOOR_TARGET_F1, (
        f"target F1 {f1:.3f} < {FLOOR_TARGET_F1}\n  {_worst(report, ev.ANTIGENS)}"
    )


@pytest.mark.corpus
@pytest.mark.slow
def test_floor_disease_grounding(result: tuple[ev.Report, list[str]]) -> None:
    report, _ = result
    f1 = report.diseases.f1
    assert f1 >= FLOOR_DISEASE_F1, (
        f"disease F1 {f1:.3f} < {FLOOR_DISEASE_F1}\n  {_worst(report, ev.DISEASES)}"
    )


@pytest.mark.corpus
@pytest.mark.slow
def test_floor_endpoint_concepts(result: tuple[ev.Report, list[str]]) -> None:
    report, _ = result
    f1 = report.concepts.f1
    assert f1 >= FLOOR_CONCEPT_F1, (
        f"concept F1 {f1:.3f} < {FLOOR_CONCEPT_F1}\n  {_worst(report, ev.CONCEPTS)}"
    )


@pytest.mark.corpus
@pytest.mark.slow
def test_floor_time_frame_bounds(result: tuple[ev.Report, list[str]]) -> None:
    report, _ = result
    acc = report.time_frames.value
    assert acc >= FLOOR_TIME_FRAME_EXACT, (
        f"time frames exactly right {acc:.3f} < {FLOOR_TIME_FRAME_EXACT}\n  {_worst(report, ev.TIME_FRAMES)}"
    )
