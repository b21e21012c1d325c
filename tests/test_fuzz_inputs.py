"""The mutation corpus (tests/mutations.py), made at test time from real records: every
mutant is read beside untouched good files and every record it gives is extracted. The only
outcomes allowed are records and rejects that name file, record and field; every good record
of the batch lands; nothing hangs (a generous per-input timeout is the hang detector, not a
speed test). `scripts/fuzz_inputs.py` runs the same with more byte flips and prints figures."""

from __future__ import annotations

from pathlib import Path

import mutations
import pytest

pytestmark = [pytest.mark.fuzz, pytest.mark.corpus, pytest.mark.slow]
HANG_SECONDS = 300  # far above any honest read of one input, even on a loaded machine


@pytest.fixture(scope="module")
def mutants(corpus_dir: Path, examples_dir: Path) -> list[mutations.Mutant]:
    return list(mutations.mutants(corpus_dir, examples_dir, seed=9, flips=2))


def test_the_mutation_corpus_covers_every_kind_of_damage(mutants: list[mutations.Mutant]) -> None:
    kinds = {m.name.split("/")[0] for m in mutants}
    assert {
        "truncate", "byteflip", "bad-utf8", "bom", "newlines", "swap-field", "empty-field",
        "huge-field", "deep-nesting", "surrogate", "syntax", "gzip-corrupt", "gzip-bomb",
        "zip-corrupt-member", "zip-unsupported-method", "zip-encrypted", "zip-bomb", "hostile",
    } <= kinds
    formats = {Path(m.filename).suffix for m in mutants}
    assert {".json", ".csv", ".xml", ".txt", ".gz", ".zip"} <= formats


def test_every_mutant_gives_records_or_named_rejects_and_loses_no_good_record(
    mutants: list[mutations.Mutant], corpus_dir: Path, examples_dir: Path, tmp_path: Path
) -> None:
    good, good_ids = mutations.good_batch(corpus_dir, examples_dir, tmp_path / "good")
    work = tmp_path / "work"
    work.mkdir()
    results = mutations.run(mutants, str(work), good, good_ids, timeout=HANG_SECONDS)
    figures = mutations.figures(mutants, results)
    failures = [r for r in results if not r.ok]
    assert not failures, (figures, [(r.name, r.crash, r.hang, r.lost, r.unnamed[:1]) for r in failures[:10]])
    assert figures["inputs tried"] == len(mutants) > 300
    assert figures["crashes"] == figures["hangs"] == figures["records lost"] == 0
    # the damage was seen: many rejects, and the records beside broken ones were read
    assert figures["rejects"] > 100 and figures["records read"] > 100
    by_name = {m.filename: r for m, r in zip(mutants, results)}
    bomb = next(r for name, r in by_name.items() if name == "bomb.json.gz")
    assert bomb.rejects == 1 and bomb.records == 0


NASTY = (
    "bad-filename", "gzip-corrupt", "gzip-bomb", "zip-encrypted", "zip-unsupported-method",
    "surrogate", "huge-field", "deep-nesting", "syntax", "bad-utf8-in-study",
)


def test_a_build_over_nasty_inputs_lands_every_good_record(
    mutants: list[mutations.Mutant], corpus_dir: Path, examples_dir: Path, tmp_path: Path
) -> None:
    """The whole build (store, graph.nq, report.md, report.json), not just the readers, over a
    folder of the nastiest mutants beside good files: it finishes, and every good trial and
    every study the damage did not touch is in the store."""
    import json

    from graphbuild.build import build
    from graphbuild.store import GraphStore

    folder = tmp_path / "inputs"
    _, good_ids = mutations.good_batch(corpus_dir, examples_dir, folder)
    written: list[mutations.Mutant] = []
    seen: set[tuple[str, str]] = set()
    for m in mutants:  # one mutant of each nasty kind and format
        kind = (m.name.split("/")[0], Path(m.filename).suffix)
        if kind[0] in NASTY and kind not in seen:
            seen.add(kind)
            (folder / f"{len(written):03d}-{m.filename}").write_bytes(m.data)
            written.append(m)
    assert len(written) >= len(NASTY)
    report = build([folder], tmp_path / "out", workers=1, reason=False, validate=False)
    with GraphStore.from_build(tmp_path / "out") as store:
        trials = {row["id"].value for row in store.query("SELECT ?id WHERE { ?t a gb:Trial ; gb:trialId ?id }")}
    assert set(good_ids) <= trials
    for m in written:
        assert m.must_land <= trials, m.name
    assert report.rejects and all(
        r.field not in mutations.PLACEHOLDER_FIELDS or mutations.flat_names_file(r) for r in report.rejects
    )
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert data["trials_loaded"] == len(trials)
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "bad-\\xff-name" in markdown  # the undecodable file name is shown escaped
