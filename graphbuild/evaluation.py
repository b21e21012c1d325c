"""Score extracted trials against the hand-annotated gold set (`tests/gold/dev.jsonl`, the
development half, and `tests/gold/test.jsonl`, the frozen test half).

Why this module exists: the extraction is written against real, messy records, and "looks
right on the three seeds" is not a measure. The gold set says, for each record, what a careful
reader finds (target antigens, target basis, MeSH diseases, endpoint concepts, time-frame
bounds); these functions turn the difference between that and what `extract_trial` produced
into precision / recall / F1 per field and into a list of concrete errors a developer can fix.

Everything here is pure: no file or corpus access, no import of the readers or the extractors.
The caller (``scripts/evaluate_extraction.py``) reads the gold file, runs the extraction and
hands both sides in as plain values, so the scoring itself can be unit-tested on tiny cases.

Keys: a record is identified by its gold ``key`` (``file#record``), not by the trial id alone,
because the same trial can appear in two formats (NCT02349698 is in the JSON and the XML
corpus) and both copies are scored.

Diseases are scored as the gold conventions define them (tests/gold/README.md): one MeSH
descriptor per *stated* condition. A predicted disease link whose only evidence is a title
(a narrower disease read from the title) is not a grounding of a stated condition; it is scored
on its own, against the gold's optional ``title_diseases``, and never counts in the main disease
F1 either way.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphbuild.model import DiseaseLink, Trial

# Field names, in the order reports print them.
ANTIGENS = "target antigens"
STATUS = "target status"
DISEASES = "diseases (per stated condition)"
TITLE_DISEASES = "title diseases (separate)"
CONCEPTS = "endpoint concepts"
CATEGORIES = "endpoint categories"
TIME_FRAMES = "time-frame bounds"
FIELDS = (ANTIGENS, STATUS, DISEASES, CONCEPTS, CATEGORIES, TIME_FRAMES, TITLE_DISEASES)

# Evidence fields that make a disease link a title reading rather than a stated condition.
_TITLE_FIELDS = ("brief_title", "official_title", "acronym")

# Bounds are compared at the resolution the gold is written in: whole days (the v2 annotation
# instructions asked for integers, so "4 hours" is 0 and "3.5 years" 1277 or 1278), while the
# parser keeps hours as fractions of a day. Half a day either way is the same day.
TOLERANCE = 0.5

_MESH_PADDED = re.compile(r"^(?:MESH:)?D0*(\d+)$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Plain value types
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutcomeAnswer:
    """One outcome as gold or prediction sees it: position, concepts and parsed bounds."""

    index: int
    role: str = ""
    concepts: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    min_days: float | None = None
    max_days: float | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """What one record says (gold) or what the extraction made of it (prediction).

    Gold and prediction share this shape so that every scorer compares like with like."""

    key: str
    trial_id: str
    format: str = ""
    target_status: str = ""
    antigens: frozenset[str] = frozenset()
    diseases: frozenset[str] = frozenset()
    outcomes: tuple[OutcomeAnswer, ...] = ()
    cell_therapy: bool | None = None
    notes: str = ""
    title_diseases: frozenset[str] = frozenset()  # narrower diseases only a title names
    half: str = ""  # "dev" or "test" for gold answers; empty for predictions


@dataclass(frozen=True, slots=True)
class PRF:
    """Counts and the three ratios. With nothing predicted, precision is 1 (no false claim);
    with nothing to find, recall is 1 (nothing missed); F1 is their harmonic mean."""

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Accuracy:
    """Fraction of gold items the prediction gets exactly right (status, time frames)."""

    correct: int
    total: int

    @property
    def value(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass(frozen=True, slots=True)
class Error:
    """One disagreement, phrased so an extraction engineer can find it: which record, which
    field, what gold says, what was predicted."""

    key: str
    trial_id: str
    field: str
    kind: str  # "missed", "spurious", "wrong"
    gold: Any = None
    predicted: Any = None
    where: str = ""  # outcome index, when the error is about one outcome

    def __str__(self) -> str:
        loc = f" outcome {self.where}" if self.where != "" else ""
        return (
            f"{self.trial_id} ({self.key}){loc} [{self.field}] {self.kind}: "
            f"gold={_show(self.gold)} predicted={_show(self.predicted)}"
        )


@dataclass(frozen=True, slots=True)
class Report:
    """All scores of one evaluation run plus the errors behind them."""

    antigens: PRF
    status: Accuracy
    diseases: PRF
    concepts: PRF
    categories: PRF
    time_frames: Accuracy
    errors: tuple[Error, ...] = ()
    n_records: int = 0
    n_missing: int = 0  # gold records the prediction side did not cover at all
    title_diseases: PRF = PRF(0, 0, 0)  # reported apart, never part of the disease F1

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """Table rows: field, precision, recall, F1 (or accuracy), support."""
        out: list[tuple[str, str, str, str, str]] = []
        for name, score in (
            (ANTIGENS, self.antigens),
            (STATUS, self.status),
            (DISEASES, self.diseases),
            (CONCEPTS, self.concepts),
            (CATEGORIES, self.categories),
            (TIME_FRAMES, self.time_frames),
            (TITLE_DISEASES, self.title_diseases),
        ):
            if isinstance(score, PRF):
                out.append(
                    (
                        name,
                        f"{score.precision:.3f}",
                        f"{score.recall:.3f}",
                        f"{score.f1:.3f}",
                        str(score.tp + score.fn),
                    )
                )
            else:
                out.append((name, "", "", f"{score.value:.3f} (acc)", str(score.total)))
        return out


# ---------------------------------------------------------------------------------------------
# Normalization and conversion
# ---------------------------------------------------------------------------------------------


def normalize_mesh(mesh_id: str) -> str:
    """`D000009101`, `MESH:D009101` and `d9101` all become `D009101`: the API pads ids to nine
    digits, the graph prefixes them, and neither difference is an error of grounding."""
    m = _MESH_PADDED.match(mesh_id.strip())
    if not m:
        return mesh_id.strip()
    return f"D{int(m.group(1)):06d}"


def parse_concept_categories(lines: Iterable[str]) -> dict[str, str]:
    """Concept key -> category from the lines of ``endpoint_concepts.tsv``. Takes lines, not a
    path, so this module stays free of I/O; ``#`` comment lines (the vocabulary's header notes)
    are skipped."""
    rows = csv.DictReader(
        (line for line in lines if not line.startswith("#")), delimiter="\t", quoting=csv.QUOTE_NONE
    )
    return {
        row["key"].strip(): (row.get("category") or "").strip() for row in rows if row.get("key")
    }


def gold_key(entry: Mapping[str, Any]) -> str:
    """The identity of a gold record: its file and its locator inside the file."""
    return f"{entry['file']}#{entry['record']}"


def answer_from_gold(entry: Mapping[str, Any], categories: Mapping[str, str]) -> Answer:
    """A gold JSONL object as an `Answer`. Outcome categories are derived from the concepts
    through `categories` (concept key -> category, from endpoint_concepts.tsv), so gold never
    stores them twice."""
    outcomes = tuple(
        OutcomeAnswer(
            index=int(o["index"]),
            role=str(o.get("role", "")),
            concepts=frozenset(o.get("concepts", ())),
            categories=frozenset(categories[c] for c in o.get("concepts", ()) if c in categories),
            min_days=_num(o.get("min_days")),
            max_days=_num(o.get("max_days")),
        )
        for o in entry.get("outcomes", ())
    )
    return Answer(
        key=gold_key(entry),
        trial_id=str(entry["trial_id"]),
        format=str(entry.get("format", "")),
        target_status=str(entry.get("target_status", "")),
        antigens=frozenset(entry.get("antigens", ())),
        diseases=frozenset(normalize_mesh(d) for d in entry.get("diseases", ())),
        outcomes=outcomes,
        cell_therapy=entry.get("cell_therapy"),
        notes=str(entry.get("notes", "")),
        title_diseases=frozenset(normalize_mesh(d) for d in entry.get("title_diseases", ())),
        half=str(entry.get("half", "")),
    )


def from_title_only(link: DiseaseLink) -> bool:
    """A disease link resting only on title words: a narrower disease read from the title, not
    the grounding of a stated condition. A link without evidence counts as a condition's."""
    return bool(link.evidence) and all(
        e.field.split("[", 1)[0].split(".", 1)[0] in _TITLE_FIELDS for e in link.evidence
    )


def answer_from_trial(key: str, trial: Trial, fmt: str = "") -> Answer:
    """What `extract_trial` produced, in the gold's shape. Categories come from the extracted
    `ConceptLink.category`, so a concept filed under the wrong category shows up as an error of
    its own. Disease links split as the gold does: stated conditions' groundings in `diseases`,
    title-only readings in `title_diseases`."""
    outcomes = tuple(
        OutcomeAnswer(
            index=ep.index,
            role=str(ep.role),
            concepts=frozenset(c.concept for c in ep.concepts),
            categories=frozenset(str(c.category) for c in ep.concepts),
            min_days=_num(ep.time_frame.min_days),
            max_days=_num(ep.time_frame.max_days),
        )
        for ep in trial.endpoints
    )
    return Answer(
        key=key,
        trial_id=trial.trial_id,
        format=fmt or str(trial.record.format),
        target_status=str(trial.target_status),
        antigens=frozenset(t.antigen.symbol for t in trial.targets),
        diseases=frozenset(
            normalize_mesh(d.mesh_id) for d in trial.diseases if not from_title_only(d)
        ),
        outcomes=outcomes,
        title_diseases=frozenset(
            normalize_mesh(d.mesh_id) for d in trial.diseases if from_title_only(d)
        ),
    )


# ---------------------------------------------------------------------------------------------
# Scorers
# ---------------------------------------------------------------------------------------------


def prf(gold: Iterable[Hashable], predicted: Iterable[Hashable]) -> PRF:
    """Set-based precision / recall / F1 of `predicted` against `gold`."""
    g, p = set(gold), set(predicted)
    return PRF(tp=len(g & p), fp=len(p - g), fn=len(g - p))


def antigen_pairs(answers: Iterable[Answer]) -> set[tuple[str, str]]:
    return {(a.key, s) for a in answers for s in a.antigens}


def disease_pairs(answers: Iterable[Answer]) -> set[tuple[str, str]]:
    return {(a.key, d) for a in answers for d in a.diseases}


def title_disease_pairs(answers: Iterable[Answer]) -> set[tuple[str, str]]:
    return {(a.key, d) for a in answers for d in a.title_diseases}


def concept_triples(answers: Iterable[Answer]) -> set[tuple[str, int, str]]:
    return {(a.key, o.index, c) for a in answers for o in a.outcomes for c in o.concepts}


def category_triples(answers: Iterable[Answer]) -> set[tuple[str, int, str]]:
    return {(a.key, o.index, c) for a in answers for o in a.outcomes for c in o.categories}


def bounds_equal(
    a: tuple[float | None, float | None],
    b: tuple[float | None, float | None],
    tol: float = TOLERANCE,
) -> bool:
    """Both bounds equal: None only matches None, numbers within `tol` days."""
    for x, y in zip(a, b):
        if x is None or y is None:
            if x is not y:
                return False
        elif not math.isclose(x, y, rel_tol=0.0, abs_tol=tol):
            return False
    return True


def score_status(gold: Sequence[Answer], predicted: Mapping[str, Answer]) -> Accuracy:
    correct = sum(
        1 for g in gold if g.key in predicted and predicted[g.key].target_status == g.target_status
    )
    return Accuracy(correct, len(gold))


def score_time_frames(
    gold: Sequence[Answer], predicted: Mapping[str, Answer], tol: float = TOLERANCE
) -> Accuracy:
    """Fraction of gold outcomes whose (min_days, max_days) the prediction has exactly; a gold
    outcome the prediction does not have at that index counts as wrong."""
    total = correct = 0
    for g in gold:
        pred = _outcomes_by_index(predicted.get(g.key))
        for o in g.outcomes:
            total += 1
            p = pred.get(o.index)
            if p is not None and bounds_equal(
                (o.min_days, o.max_days), (p.min_days, p.max_days), tol
            ):
                correct += 1
    return Accuracy(correct, total)


def evaluate(
    gold: Sequence[Answer], predicted: Mapping[str, Answer], tol: float = TOLERANCE
) -> Report:
    """Score `predicted` (gold key -> Answer) against `gold`. Predictions for records that are
    not in the gold set are ignored; gold records without a prediction count as predicting
    nothing (every gold item missed, status wrong)."""
    preds = [predicted[g.key] for g in gold if g.key in predicted]
    return Report(
        antigens=prf(antigen_pairs(gold), antigen_pairs(preds)),
        status=score_status(gold, predicted),
        diseases=prf(disease_pairs(gold), disease_pairs(preds)),
        concepts=prf(concept_triples(gold), concept_triples(preds)),
        categories=prf(category_triples(gold), category_triples(preds)),
        time_frames=score_time_frames(gold, predicted, tol),
        errors=tuple(errors(gold, predicted, tol)),
        n_records=len(gold),
        n_missing=sum(1 for g in gold if g.key not in predicted),
        title_diseases=prf(title_disease_pairs(gold), title_disease_pairs(preds)),
    )


def errors(
    gold: Sequence[Answer], predicted: Mapping[str, Answer], tol: float = TOLERANCE
) -> list[Error]:
    """Every disagreement, record by record, field by field, in gold order."""
    out: list[Error] = []
    for g in gold:
        p = predicted.get(g.key)
        if p is None:
            out.append(Error(g.key, g.trial_id, "record", "missed", gold="record", predicted=None))
            continue
        for s in sorted(g.antigens - p.antigens):
            out.append(Error(g.key, g.trial_id, ANTIGENS, "missed", gold=s))
        for s in sorted(p.antigens - g.antigens):
            out.append(Error(g.key, g.trial_id, ANTIGENS, "spurious", predicted=s))
        if g.target_status != p.target_status:
            out.append(Error(g.key, g.trial_id, STATUS, "wrong", g.target_status, p.target_status))
        for d in sorted(g.diseases - p.diseases):
            out.append(Error(g.key, g.trial_id, DISEASES, "missed", gold=d))
        for d in sorted(p.diseases - g.diseases):
            out.append(Error(g.key, g.trial_id, DISEASES, "spurious", predicted=d))
        for d in sorted(g.title_diseases - p.title_diseases):
            out.append(Error(g.key, g.trial_id, TITLE_DISEASES, "missed", gold=d))
        for d in sorted(p.title_diseases - g.title_diseases):
            out.append(Error(g.key, g.trial_id, TITLE_DISEASES, "spurious", predicted=d))
        if len(p.outcomes) != len(g.outcomes):
            out.append(
                Error(g.key, g.trial_id, "outcome count", "wrong", len(g.outcomes), len(p.outcomes))
            )
        pred = _outcomes_by_index(p)
        for o in g.outcomes:
            q = pred.get(o.index, OutcomeAnswer(index=o.index))
            where = str(o.index)
            for c in sorted(o.concepts - q.concepts):
                out.append(Error(g.key, g.trial_id, CONCEPTS, "missed", gold=c, where=where))
            for c in sorted(q.concepts - o.concepts):
                out.append(Error(g.key, g.trial_id, CONCEPTS, "spurious", predicted=c, where=where))
            for c in sorted(q.categories - o.categories):
                if not (q.concepts - o.concepts):  # a category error not explained by a concept one
                    out.append(
                        Error(g.key, g.trial_id, CATEGORIES, "spurious", predicted=c, where=where)
                    )
            if not bounds_equal((o.min_days, o.max_days), (q.min_days, q.max_days), tol):
                out.append(
                    Error(
                        g.key,
                        g.trial_id,
                        TIME_FRAMES,
                        "wrong",
                        (o.min_days, o.max_days),
                        (q.min_days, q.max_days),
                        where=where,
                    )
                )
    return out


def by_half(
    gold: Sequence[Answer], predicted: Mapping[str, Answer], tol: float = TOLERANCE
) -> dict[str, Report]:
    """One report per gold half (development, frozen test), never pooled: the test half is the
    honest figure, the development half the one the extraction was tuned on."""
    halves = sorted({g.half for g in gold})
    return {h: evaluate([g for g in gold if g.half == h], predicted, tol) for h in halves}


def by_format(
    gold: Sequence[Answer], predicted: Mapping[str, Answer], tol: float = TOLERANCE
) -> dict[str, Report]:
    """One report per source format, to tell a reader problem from an extraction problem."""
    formats = sorted({g.format for g in gold})
    return {f: evaluate([g for g in gold if g.format == f], predicted, tol) for f in formats}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _outcomes_by_index(answer: Answer | None) -> dict[int, OutcomeAnswer]:
    return {} if answer is None else {o.index: o for o in answer.outcomes}


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join("null" if v is None else f"{v:g}" for v in value) + ")"
    return "-" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class ErrorSummary:
    """Errors grouped by (field, kind) with counts, worst first: the list to hand to the
    extraction engineers."""

    groups: tuple[tuple[str, str, int, tuple[Error, ...]], ...] = field(default_factory=tuple)


def summarize(errs: Iterable[Error]) -> ErrorSummary:
    buckets: dict[tuple[str, str], list[Error]] = {}
    for e in errs:
        buckets.setdefault((e.field, e.kind), []).append(e)
    ordered = sorted(buckets.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return ErrorSummary(tuple((f, k, len(v), tuple(v)) for (f, k), v in ordered))
