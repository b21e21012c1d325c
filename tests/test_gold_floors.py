"""The gold set (development half and frozen test half): is it well formed, are its identifiers
real, was it split as written, does extraction meet the floors?

Four layers, so a failure says which side is wrong:

1. The gold files themselves (always run): known concept keys, consistent target status,
   outcome indices in order, the split as `tests/gold/README.md` describes it (a seeded sample,
   every sampled record in the half the draw gave it, the v1 records in the development half).
2. The gold against the reference tables and the raw corpus (skip when ``../shared`` is absent):
   every antigen is an Approved HGNC symbol, every disease id a MeSH descriptor, and every gold
   outcome list has exactly the outcomes of the record in the source file (parsed here
   independently of the project's readers, so a reader bug cannot hide a gold bug).
3. The floors on the FROZEN TEST half (`FLOORS`: what the extraction reached there, a
   regression fails) and the targets of issue 8 (`TARGETS`; the ones not reached yet are strict
   expected failures): never tune against the test half, never lower a floor to pass.
4. The floors on the development half (`DEV_FLOORS`), the half the extraction is tuned on.

When extraction falls short, fix the extraction, never the floor or the gold.
``python scripts/evaluate_extraction.py --half dev --summary`` shows what is missing on the
development half.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphbuild import evaluation as ev

# The targets of issue 8 on the frozen test half, fixed before the extraction was measured there.
TARGETS: dict[str, float] = {
    "target antigens F1": 0.97,
    "disease F1": 0.93,
    "endpoint concepts F1": 0.90,
    "endpoint categories F1": 0.93,
    "time-frame bounds exact": 0.97,
}
# Floors held on the frozen test half: what the extraction reached on it (2026-12-07, after the
# fifth round of issue 8 work, tuned on the development half and its supplements only, and with
# the gold re-read under the rulings of tests/gold/README.md), rounded down. Raise a floor
# when the extraction improves; never lower one to pass. The time-frame floor went from 0.92 to
# 0.91 with a change of the gold, not of the code: three test-half outcomes were re-read under
# R26/R27 (written after the test half was annotated) by a reader who did not see the
# extraction, and the test half then scores 0.919 (one outcome under 0.92); the wordings of
# those outcomes were not taught to the extraction (that would be tuning on the test half).
# The concepts floor went from 0.90 to 0.89 with a change of the code, said here so it is not
# hidden: the fifth round's concept rules (each fixing development records, none reverting an
# earlier fix there) moved the test half from 0.9002 to 0.8996, one concept triple net. Choosing
# which of them to keep by their effect on the test half would make it a tuning set, so they
# stay, the figure is reported as it is, and the issue's 0.90 target is an expected failure
# again (below) until the extraction earns it back on records it was not tuned on.
# It did in the seventh round (2026-12-07), on development evidence only: "side effect(s)" named
# TRAE (a side effect is the treatment's by definition; 6 of the 8 development outcomes that say
# it are annotated TRAE, the other 2 are questionnaire domains), after three rules that took 33
# spurious concepts off the development half and left the test half as it was. The test half,
# measured as a whole after each change and never read record by record: 0.8996 -> 0.9015 (3
# more concepts found, none lost), so the concepts floor is the issue's 0.90 again.
FLOORS: dict[str, float] = {
    "target antigens F1": 0.90,
    "disease F1": 0.94,
    "endpoint concepts F1": 0.90,
    "endpoint categories F1": 0.93,
    "time-frame bounds exact": 0.91,
}
# Targets not reached yet: each is an expected failure, strict, so the day one is reached the
# suite says so (XPASS fails) and the target moves into FLOORS.
NOT_YET_REACHED = {
    "target antigens F1": "0.909 on the test half (0.989 on the development half)",
    "time-frame bounds exact": "0.919 on the test half (0.953 on the development half of 590 records)",
}
# Floors held on the development half (the half the extraction is tuned against: 590 records
# with the five supplements), what it reached rounded down. Re-based four times: the third to
# sixth supplements (85, 80, 80 and 80 records never tuned on until they joined) and the
# rulings' re-reads changed the half itself, so the floors are what the larger half gives, not
# lowered for a regression (diseases 0.97 -> 0.96 and categories 0.96 -> 0.95 with the fourth
# supplement's non-therapy records; with the fifth, scored at targets 0.667 (6 antigens),
# concepts 0.826 and time frames 0.881 before its round: targets 0.99 -> 0.985, concepts 0.93
# -> 0.925, time frames 0.97 -> 0.955). Raised with the seventh round's rules (concepts 0.935,
# categories 0.962, time frames 0.9604). The sixth supplement (80 other studies, scored at
# targets 0.333 (5 antigens), diseases 0.870, concepts 0.897, time frames 0.855 before its
# round) took the half to targets 0.982, diseases 0.959, categories 0.956, time frames 0.947;
# its round (the eighth) raised them to 0.989, 0.964, concepts 0.937, 0.961 and 0.953.
DEV_FLOORS: dict[str, float] = {
    "target antigens F1": 0.985,
    "disease F1": 0.96,
    "endpoint concepts F1": 0.935,
    "endpoint categories F1": 0.96,
    "time-frame bounds exact": 0.95,
}
METRICS: dict[str, Callable[[ev.Report], float]] = {
    "target antigens F1": lambda r: r.antigens.f1,
    "disease F1": lambda r: r.diseases.f1,
    "endpoint concepts F1": lambda r: r.concepts.f1,
    "endpoint categories F1": lambda r: r.categories.f1,
    "time-frame bounds exact": lambda r: r.time_frames.value,
}
FIELD_OF = {
    "target antigens F1": ev.ANTIGENS,
    "disease F1": ev.DISEASES,
    "endpoint concepts F1": ev.CONCEPTS,
    "endpoint categories F1": ev.CATEGORIES,
    "time-frame bounds exact": ev.TIME_FRAMES,
}

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO / "tests" / "gold"
HALVES = {"dev": GOLD_DIR / "dev.jsonl", "test": GOLD_DIR / "test.jsonl"}
SAMPLE = GOLD_DIR / "sample.jsonl"
# the development supplements, drawn after the split: origin -> its draw
SUPPLEMENTS = {
    "dev2": GOLD_DIR / "sample_dev2.jsonl",
    "dev3": GOLD_DIR / "sample_dev3.jsonl",
    "dev4": GOLD_DIR / "sample_dev4.jsonl",
    "dev5": GOLD_DIR / "sample_dev5.jsonl",
    "dev6": GOLD_DIR / "sample_dev6.jsonl",
}
CONCEPTS_TSV = REPO / "ontology" / "vocab" / "endpoint_concepts.tsv"

FORMATS = {"flat", "csv", "json", "xml"}
STATUSES = {"stated", "product_lexicon", "inferred", "unspecified", "not_applicable"}
ROLES = ("primary", "secondary", "other")
V1_RECORDS = 78


def _read(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip() and not line.startswith("#")]


GOLD = {half: _read(path) for half, path in HALVES.items()}
ALL_ENTRIES = GOLD["dev"] + GOLD["test"]
SAMPLE_ROWS = {f"{r['file']}#{r['record']}": r for r in _read(SAMPLE)}
SUPPLEMENT_ROWS = {
    origin: {f"{r['file']}#{r['record']}": r for r in _read(path)}
    for origin, path in SUPPLEMENTS.items()
}


def _concept_keys() -> set[str]:
    with open(CONCEPTS_TSV, encoding="utf-8", newline="") as fh:
        return set(ev.parse_concept_categories(fh))


def _ids(entries: list[dict[str, Any]]) -> list[str]:
    return [f"{e['half']}-{e['trial_id']}-{e['format']}" for e in entries]


# ------------------------------------------------------------------------- 1. the files


def test_split_as_drawn() -> None:
    """>= 300 records, split once by the seeded draw: every sampled record sits in the half the
    draw gave it, the v1 records (tuned on) are all development records, no record is in both."""
    assert len(ALL_ENTRIES) >= 300
    for half, entries in GOLD.items():
        assert {e["half"] for e in entries} == {half}
    keys = [ev.gold_key(e) for e in ALL_ENTRIES]
    assert len(keys) == len(set(keys))
    origins = Counter((e["origin"], e["half"]) for e in ALL_ENTRIES)
    assert origins[("v1", "dev")] == V1_RECORDS and origins[("v1", "test")] == 0
    for e in ALL_ENTRIES:
        if e["origin"] == "sample":
            drawn = SAMPLE_ROWS[ev.gold_key(e)]
            assert (drawn["trial_id"], drawn["half"]) == (e["trial_id"], e["half"])
    # each development supplement: every record of its draw, all in the development half
    for origin, rows in SUPPLEMENT_ROWS.items():
        supplement = {ev.gold_key(e): e for e in ALL_ENTRIES if e["origin"] == origin}
        assert set(supplement) == set(rows), origin
        for key, e in supplement.items():
            assert (e["trial_id"], e["half"]) == (rows[key]["trial_id"], "dev")
    test_trials = {e["trial_id"] for e in GOLD["test"]}
    assert not test_trials & {e["trial_id"] for e in GOLD["dev"]}, "a trial in both halves"
    assert len(GOLD["test"]) >= 150 and len(GOLD["dev"]) >= 150


def test_sample_mix() -> None:
    """The draw: the three corpus formats in both halves, the years the corpus spans, at least
    half of the sampled records cell or antibody therapies (the draw's therapy stratum)."""
    for half, entries in GOLD.items():
        formats = Counter(e["format"] for e in entries)
        assert {"csv", "json", "xml"} <= set(formats), (half, formats)
    sampled = [SAMPLE_ROWS[ev.gold_key(e)] for e in ALL_ENTRIES if e["origin"] == "sample"]
    assert sum(r["therapy"] for r in sampled) >= len(sampled) / 2
    years = {int(r["year"]) for r in sampled if r["year"]}
    assert min(years) < 2000 and max(years) >= 2025
    statuses = Counter(e["target_status"] for e in ALL_ENTRIES)
    assert all(statuses[s] >= 1 for s in STATUSES), statuses


def test_keys_unique_and_seeds_present() -> None:
    seeds = {e["trial_id"]: e for e in GOLD["dev"] if e["format"] == "flat"}
    assert seeds["000_9c2a9c0863e88fc2"]["target_status"] == "unspecified"
    assert seeds["001_5b0f834bc6f69eca"]["target_status"] == "inferred"
    assert seeds["001_5b0f834bc6f69eca"]["antigens"] == ["TNFRSF17"]
    assert seeds["002_2917b9526c9dc599"]["antigens"] == ["CD7"]


@pytest.mark.parametrize("entry", ALL_ENTRIES, ids=_ids(ALL_ENTRIES))
def test_entry_well_formed(entry: dict[str, Any]) -> None:
    keys = _concept_keys()
    assert entry["format"] in FORMATS
    assert entry["target_status"] in STATUSES
    assert entry["origin"] in ("v1", "sample", *SUPPLEMENTS)
    assert isinstance(entry["record"], str)
    # antigens iff the status says the target is known
    if entry["target_status"] in ("unspecified", "not_applicable"):
        assert entry["antigens"] == []
    else:
        assert entry["antigens"], "a stated/lexicon/inferred target needs an antigen"
    assert len(set(entry["antigens"])) == len(entry["antigens"])
    diseases, title = entry["diseases"], entry.get("title_diseases", [])
    assert len(set(diseases)) == len(diseases)
    assert diseases or entry.get("notes"), "a record without a disease says why in notes"
    assert not set(title) & set(diseases), "title_diseases are those no stated condition gives"
    assert all(d.startswith("D") and d[1:].isdigit() for d in diseases + title)
    outcomes = entry["outcomes"]
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
            for e in ALL_ENTRIES
            for s in e["antigens"]
            if status.get(s) != "Approved"
        }
    )
    assert not bad, f"not Approved in hgnc_genes.tsv: {bad}"


def test_diseases_are_mesh_condition_descriptors(vocab_dir: Path) -> None:
    """Every id is a MeSH 2024 descriptor naming a condition: a disease (tree C), a mental or
    behavioural condition (F) or a health-care condition such as Accidental Falls (N), because
    the random sample holds non-oncology trials whose conditions are grounded as written."""
    mesh = _mesh(vocab_dir)
    ids = {
        (e["trial_id"], d)
        for e in ALL_ENTRIES
        for d in e["diseases"] + e.get("title_diseases", [])
    }
    missing = sorted((t, d) for t, d in ids if d not in mesh)
    assert not missing, f"not in mesh_descriptors.tsv: {missing}"
    not_condition = sorted(
        (t, d, mesh[d]["name"]) for t, d in ids if not set(mesh[d]["categories"]) & set("CFN")
    )
    assert not not_condition, f"not a condition (C/F/N) descriptor: {not_condition}"


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
@pytest.mark.parametrize("entry", ALL_ENTRIES, ids=_ids(ALL_ENTRIES))
def test_outcomes_match_the_source_record(corpus_dir: Path, entry: dict[str, Any]) -> None:
    assert [o["role"] for o in entry["outcomes"]] == _raw_roles(corpus_dir, entry)


# ----------------------------------------------------------------------- 3./4. the floors


def _load_script() -> Any:
    path = REPO / "scripts" / "evaluate_extraction.py"
    spec = importlib.util.spec_from_file_location("evaluate_extraction", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(corpus_dir: Path) -> dict[str, tuple[ev.Report, list[str]]]:
    """Both halves measured, each on its own (never pooled)."""
    script = _load_script()
    runs = script.run_halves(("dev", "test"), corpus_dir, REPO)
    return {half: (report, problems) for half, (report, _g, _p, problems) in runs.items()}


def _worst(report: ev.Report, field: str, n: int = 12) -> str:
    errs = [str(e) for e in report.errors if e.field in (field, "record", "outcome count")][:n]
    return "\n  ".join(errs)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("half", ["dev", "test"])
def test_every_gold_record_is_extracted(
    results: dict[str, tuple[ev.Report, list[str]]], half: str
) -> None:
    report, problems = results[half]
    assert not problems, "\n".join(problems)
    assert report.n_missing == 0


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("metric", list(FLOORS))
def test_floor_on_frozen_test_half(
    results: dict[str, tuple[ev.Report, list[str]]], metric: str
) -> None:
    """The floors on records the extraction was never tuned on: a regression fails."""
    report, _ = results["test"]
    value = METRICS[metric](report)
    assert value >= FLOORS[metric], f"test half: {metric} {value:.3f} < {FLOORS[metric]}"


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize(
    "metric",
    [
        pytest.param(
            m,
            marks=pytest.mark.xfail(
                strict=True, reason=f"issue 8 target not reached: {NOT_YET_REACHED[m]}"
            ),
        )
        if m in NOT_YET_REACHED
        else m
        for m in TARGETS
    ],
)
def test_issue_8_target_on_frozen_test_half(
    results: dict[str, tuple[ev.Report, list[str]]], metric: str
) -> None:
    """The targets of issue 8 on the test half; the ones not reached yet are expected to fail
    (see NOT_YET_REACHED). Do not tune against this half to reach them."""
    report, _ = results["test"]
    value = METRICS[metric](report)
    assert value >= TARGETS[metric], f"test half: {metric} {value:.3f} < target {TARGETS[metric]}"


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("metric", list(DEV_FLOORS))
def test_floor_on_development_half(
    results: dict[str, tuple[ev.Report, list[str]]], metric: str
) -> None:
    report, _ = results["dev"]
    value = METRICS[metric](report)
    assert value >= DEV_FLOORS[metric], (
        f"development half: {metric} {value:.3f} < {DEV_FLOORS[metric]}\n"
        f"  {_worst(report, FIELD_OF[metric])}"
    )


@pytest.mark.parametrize("flag", ["--summary", "--errors"])
def test_the_script_names_no_test_record_unless_asked(flag: str) -> None:
    """The frozen half's records stay unread: `--summary` / `--errors` on the test half give
    counts only, and name records only with `--show-test-records` (checking the scorer)."""
    script = _load_script()
    gold = [ev.Answer(key="f.json#0", trial_id="NCT00000001", antigens=frozenset({"CD19"}))]
    predicted = {"f.json#0": ev.Answer(key="f.json#0", trial_id="NCT00000001")}
    result = (ev.evaluate(gold, predicted), gold, predicted, [])

    def lines(half: str, *extra: str) -> str:
        args = script.build_parser().parse_args(["--half", half, flag, *extra])
        return "\n".join(script._half_lines(half, result, args))

    assert "NCT00000001" not in lines("test")
    assert "1  target antigens / missed" in lines("test") or flag == "--errors"
    assert "NCT00000001" in lines("test", "--show-test-records")
    assert "NCT00000001" in lines("dev")
