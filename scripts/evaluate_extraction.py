#!/usr/bin/env python3
"""Measure the extraction against the hand-annotated gold set, one half at a time.

    python scripts/evaluate_extraction.py                 # P/R/F1 table per field, per half
    python scripts/evaluate_extraction.py --half dev      # only the development half
    python scripts/evaluate_extraction.py --half test     # only the frozen test half
    python scripts/evaluate_extraction.py --by-format     # ... and one table per source format
    python scripts/evaluate_extraction.py --errors        # ... and every disagreement
    python scripts/evaluate_extraction.py --summary       # ... and error classes, worst first
    python scripts/evaluate_extraction.py --via-flat      # each record through the flat layout
    python scripts/evaluate_extraction.py --half dev --origin dev2   # the development supplement

The gold is split once into a development half (`tests/gold/dev.jsonl`: tune against it) and a
frozen test half (`tests/gold/test.jsonl`: never tune against it; the floors are held on it).
The halves are always reported apart, never pooled. On the test half `--summary` prints the
error classes with their counts only, and `--errors` prints nothing record by record, unless
`--show-test-records` is given too: that is for checking the scorer, not for tuning
(tests/gold/README.md), and a tuner who reads a test record has spent it.

Why a script and not only a test: the floors test says pass/fail; an engineer fixing the
extraction needs the figures and the list of concrete misses (record, outcome, gold vs
predicted) to know what to fix next.

How records are found: each gold line names a corpus file (relative to the shared corpus, or
`examples/...` relative to the repository for the seeds) and a trial id. The file is read with
`graphbuild.readers.inputs.read_inputs` and the record with that trial id is taken, so the gold
set measures the readers and the extraction together, exactly as a build would run them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(REPO))

from graphbuild import evaluation as ev

GOLD_DIR = REPO / "tests" / "gold"
HALVES = {"dev": GOLD_DIR / "dev.jsonl", "test": GOLD_DIR / "test.jsonl"}
GOLD = HALVES["dev"]
# the development supplements' origins, one per committed draw (sample_dev2.jsonl -> "dev2")
SUPPLEMENT_ORIGINS = tuple(
    sorted((p.stem.removeprefix("sample_") for p in GOLD_DIR.glob("sample_dev*.jsonl")), key=lambda o: int(o[3:]))
)
CONCEPTS_TSV = REPO / "ontology" / "vocab" / "endpoint_concepts.tsv"
SHARED = Path(os.environ.get("GRAPHBUILD_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus"


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """The gold JSONL as a list of dicts (blank lines and `#` comment lines skipped)."""
    out: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:  # a broken gold line is a gold bug: say where
                raise SystemExit(f"{path}:{n}: not JSON: {exc}") from exc
    return out


def load_categories(path: Path = CONCEPTS_TSV) -> dict[str, str]:
    """Concept key -> category, from the endpoint concept vocabulary."""
    with open(path, encoding="utf-8", newline="") as fh:
        return ev.parse_concept_categories(fh)


def source_path(entry: Mapping[str, Any], corpus: Path = CORPUS, repo: Path = REPO) -> Path:
    """Where a gold record's file lives: seeds under the repository, the rest in the corpus."""
    rel = str(entry["file"])
    return repo / rel if rel.startswith("examples/") else corpus / rel


def _read_file(path: Path) -> dict[str, Any]:
    """trial id -> Record for one input file. Rejects are ignored here: a record the reader
    rejects simply has no prediction and shows up as 'missed'."""
    from graphbuild.model import Record
    from graphbuild.readers.inputs import read_inputs

    records: dict[str, Any] = {}
    for item in read_inputs([path]):
        if isinstance(item, Record):
            records.setdefault(item.trial_id, item)
            if item.nct_id:
                records.setdefault(item.nct_id, item)
    return records


def through_flat(record: Any) -> Any:
    """The record as a user holding it in the seed layout has it: written with
    `graphbuild convert --to flat` and read back (seven fields; the rest is not in the layout).
    None when the flat reader rejects it."""
    from graphbuild.writers.flat import read_back, to_flat

    return read_back(to_flat(record), f"{record.trial_id}.txt")


def predict(
    gold: Sequence[Mapping[str, Any]],
    corpus: Path = CORPUS,
    repo: Path = REPO,
    *,
    via_flat: bool = False,
) -> tuple[dict[str, ev.Answer], list[str]]:
    """Run readers + `extract_trial` on every gold record. Returns gold key -> predicted Answer
    and a list of problems (file unreadable, record not found, extraction crashed), which are
    reported rather than raised so one bad record does not hide the others' scores.
    `via_flat`: each record goes through the flat layout first (`through_flat`); a record the
    flat reader rejects counts as predicting nothing."""
    try:
        from graphbuild.extract.trial import extract_trial
    except ImportError as exc:  # extraction still being written: say so, score as empty
        return {}, [f"extraction not importable: {exc!r}"]

    cache: dict[Path, dict[str, Any]] = {}
    answers: dict[str, ev.Answer] = {}
    problems: list[str] = []
    for entry in gold:
        key = ev.gold_key(entry)
        path = source_path(entry, corpus, repo)
        if path not in cache:
            try:
                cache[path] = _read_file(path)
            except Exception as exc:  # noqa: BLE001 - report, keep scoring the rest
                problems.append(f"{key}: reading {path} failed: {exc!r}")
                cache[path] = {}
        record = cache[path].get(str(entry["trial_id"]))
        if record is None:
            problems.append(f"{key}: no record with trial id {entry['trial_id']} in {path}")
            continue
        if via_flat:
            record = through_flat(record)
            if record is None:
                problems.append(f"{key}: the flat layout of this record is rejected")
                continue
        try:
            trial = extract_trial(record)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{key}: extract_trial failed: {exc!r}")
            continue
        answers[key] = ev.answer_from_trial(key, trial, str(entry.get("format", "")))
    return answers, problems


def run(
    gold_path: Path = GOLD,
    corpus: Path = CORPUS,
    repo: Path = REPO,
    *,
    via_flat: bool = False,
    origin: str = "",
) -> tuple[ev.Report, list[ev.Answer], dict[str, ev.Answer], list[str]]:
    """Everything the floors test and the CLI need: the report, gold, predictions, problems.
    `origin`: only the gold lines of that origin (`v1`, `sample`, or one of `SUPPLEMENT_ORIGINS`);
    empty: all."""
    raw = load_gold(gold_path)
    if origin:
        raw = [e for e in raw if e.get("origin") == origin]
    categories = load_categories(repo / "ontology" / "vocab" / "endpoint_concepts.tsv")
    gold = [ev.answer_from_gold(e, categories) for e in raw]
    predicted, problems = predict(raw, corpus, repo, via_flat=via_flat)
    return ev.evaluate(gold, predicted), gold, predicted, problems


def run_halves(
    halves: Sequence[str] = ("dev", "test"),
    corpus: Path = CORPUS,
    repo: Path = REPO,
    *,
    via_flat: bool = False,
    origin: str = "",
) -> dict[str, tuple[ev.Report, list[ev.Answer], dict[str, ev.Answer], list[str]]]:
    """`run` on each named half of the gold (`dev`, `test`), each scored on its own."""
    return {
        h: run(repo / "tests" / "gold" / f"{h}.jsonl", corpus, repo, via_flat=via_flat, origin=origin)
        for h in halves
    }


def format_table(report: ev.Report, title: str = "") -> str:
    header = ("field", "precision", "recall", "F1", "support")
    rows = [header, *report.rows()]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = [title] if title else []
    for n, r in enumerate(rows):
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))
            )
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _lines(args: argparse.Namespace) -> Iterator[str]:
    if args.gold:
        runs = {
            Path(args.gold).stem: run(
                Path(args.gold), Path(args.corpus), REPO, via_flat=args.via_flat, origin=args.origin
            )
        }
    else:
        halves = ("dev", "test") if args.half == "both" else (args.half,)
        runs = run_halves(
            halves, Path(args.corpus), REPO, via_flat=args.via_flat, origin=args.origin
        )
    for n, (name, result) in enumerate(runs.items()):
        if n:
            yield ""
        yield from _half_lines(name, result, args)


def _half_lines(
    name: str,
    result: tuple[ev.Report, list[ev.Answer], dict[str, ev.Answer], list[str]],
    args: argparse.Namespace,
) -> Iterator[str]:
    report, gold, predicted, problems = result
    label = {"dev": "development half", "test": "frozen test half"}.get(name, name)
    if args.origin:
        label += f", origin {args.origin} only"
    if args.via_flat:
        label += ", each record through the flat layout"
    yield (
        f"== {label}: gold records {report.n_records}  predicted "
        f"{report.n_records - report.n_missing}  outcomes {sum(len(g.outcomes) for g in gold)}"
    )
    yield format_table(report)
    if args.by_format:
        for fmt, rep in ev.by_format(gold, predicted).items():
            yield ""
            yield format_table(rep, f"format: {fmt} ({rep.n_records} records)")
    if problems:
        yield ""
        yield f"problems ({len(problems)}):"
        yield from (f"  {p}" for p in problems)
    frozen = name == "test" and not args.show_test_records
    if args.summary:
        yield ""
        yield "error classes (field, kind, count" + ("):" if frozen else ", examples):")
        for fld, kind, count, examples in ev.summarize(report.errors).groups:
            yield f"  {count:4d}  {fld} / {kind}"
            for e in [] if frozen else examples[: args.examples]:
                yield f"          {e}"
    if args.errors and frozen:
        yield ""
        yield (
            f"errors ({len(report.errors)}): not listed for the frozen test half "
            "(--show-test-records lists them, for checking the scorer only)"
        )
    elif args.errors:
        yield ""
        yield f"errors ({len(report.errors)}):"
        yield from (f"  {e}" for e in report.errors)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--half",
        choices=("dev", "test", "both"),
        default="both",
        help="which gold half to score: tests/gold/dev.jsonl, tests/gold/test.jsonl, or both "
        "(default; reported apart)",
    )
    parser.add_argument("--gold", default="", help="score one other gold JSONL instead")
    parser.add_argument(
        "--origin",
        default="",
        choices=("", "v1", "sample", *SUPPLEMENT_ORIGINS),
        help="only the gold lines of one origin: v1 (hand-chosen, issue 3), sample (the seeded "
        f"draw), {', '.join(SUPPLEMENT_ORIGINS)} (the development supplements, drawn after the split)",
    )
    parser.add_argument("--corpus", default=str(CORPUS), help="shared corpus folder")
    parser.add_argument("--errors", action="store_true", help="list every disagreement")
    parser.add_argument("--summary", action="store_true", help="group errors by field and kind")
    parser.add_argument("--examples", type=int, default=5, help="examples per error class")
    parser.add_argument(
        "--show-test-records",
        action="store_true",
        help="let --errors / --summary name test-half records (checking the scorer, never tuning)",
    )
    parser.add_argument("--by-format", action="store_true", help="one table per source format")
    parser.add_argument(
        "--via-flat",
        action="store_true",
        help="read each record through the flat seed layout first (convert --to flat, read back)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not Path(args.corpus).is_dir():
        print(f"corpus not found: {args.corpus} (set GRAPHBUILD_SHARED)", file=sys.stderr)
        return 2
    for line in _lines(args):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
