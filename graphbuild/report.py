"""The build report: what a build read, what landed, what was rejected, and how long it took.

One `BuildReport` is filled by the pipeline and written twice into the build directory:
`report.json` for tools (stable keys, plain JSON types) and `report.md` for people (the same
facts as tables). Rejects carry file, record, field and reason, so a user can find and fix
the record; ungrounded conditions list what the disease matcher could not place in MeSH.

The worklist (issue 8) says where the lexicons fall short, most frequent first, so that the
next additions come from data: condition texts left ungrounded, interventions with no
modality, outcome measures with no endpoint concept, each counted over the trials loaded.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

WORKLIST_LIMIT = 25  # rows per worklist table
WORKLIST_KINDS = (
    ("conditions", "Condition texts left ungrounded"),
    ("interventions", "Interventions with no modality"),
    ("outcomes", "Outcome measures with no endpoint concept"),
)
_SPACE = re.compile(r"\s+")


def _worklist_key(text: str) -> str:
    """The same words however cased or spaced ("Healthy", "healthy ") count as one."""
    return _SPACE.sub(" ", text).strip().strip(".:;,").casefold()


def worklist(per_trial: Mapping[str, Iterable[str]], limit: int = WORKLIST_LIMIT) -> list[dict[str, Any]]:
    """The most frequent texts over trials (trial id -> texts): each with its count of trials
    and of mentions, most trials first (then mentions, then text: one trial repeating a measure
    30 times is less of a lexicon gap than 15 trials naming it once), in the spelling seen most."""
    mentions: Counter[str] = Counter()
    trials: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for texts in per_trial.values():
        keys = []
        for text in texts:
            key = _worklist_key(text)
            if not key:
                continue
            mentions[key] += 1
            spellings.setdefault(key, Counter())[_SPACE.sub(" ", text).strip()] += 1
            keys.append(key)
        trials.update(set(keys))
    ranked = sorted(mentions, key=lambda k: (-trials[k], -mentions[k], k))[:limit]
    return [
        {"text": spellings[k].most_common(1)[0][0], "count": mentions[k], "trials": trials[k]}
        for k in ranked
    ]

from graphbuild.model import Reject


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A trial id read twice (the same study in two formats, say). One record is kept: the
    richest format (API JSON, CSV export, legacy XML, flat text), then the smallest (file,
    member, record), so the choice does not depend on the order of the inputs."""

    trial_id: str
    kept: str
    dropped: str


@dataclass(frozen=True, slots=True)
class Ungrounded:
    """A condition as the record wrote it that no MeSH descriptor was found for."""

    trial_id: str
    condition: str


@dataclass
class BuildReport:
    """Everything a user needs to judge a build. `exit_code` is the CLI's: 0 when every
    record landed, 1 when some were rejected (everything valid still landed)."""

    inputs: list[str]
    out_dir: str
    version: str
    started: str = ""
    ended: str = ""
    memory: bool = False
    records_read: int = 0
    trials_loaded: int = 0
    quads: int = 0
    graphs: int = 0
    rejects: list[Reject] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    ungrounded: list[Ungrounded] = field(default_factory=list)
    # kind ("conditions", "interventions", "outcomes") -> [{"text", "count", "trials"}]
    worklist: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    node_counts: dict[str, int] = field(default_factory=dict)
    link_counts: dict[str, int] = field(default_factory=dict)  # "predicate basis" -> n
    sources: list[dict[str, Any]] = field(default_factory=list)
    reasoning: dict[str, Any] = field(default_factory=lambda: {"ran": False})
    validation: dict[str, Any] = field(default_factory=lambda: {"ran": False})
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds (wall clock)
    worker_seconds: dict[str, float] = field(default_factory=dict)  # summed over workers
    workers: int = 1
    outputs: list[str] = field(default_factory=list)
    # what `graphbuild add` changed since the build, oldest first (see graphbuild.build.add)
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejects else 0

    @property
    def ok(self) -> bool:
        return not self.rejects

    # -- serialization ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "BuildReport":
        """The report `to_dict` wrote (report.json), read back (unknown keys ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["rejects"] = [Reject(**r) for r in data.get("rejects", [])]
        values["duplicates"] = [Duplicate(**d) for d in data.get("duplicates", [])]
        values["ungrounded"] = [Ungrounded(**u) for u in data.get("ungrounded", [])]
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    def summary(self) -> str:
        """A few lines for the terminal."""
        total = wall_seconds(self.timings)
        rate = self.records_read / total if total > 0 else 0.0
        lines = [
            f"{self.trials_loaded} trials loaded from {self.records_read} records "
            f"({len(self.rejects)} rejected, {len(self.duplicates)} duplicate ids) "
            f"into {self.out_dir}",
            f"{self.quads} quads in {self.graphs} graphs; "
            + ", ".join(f"{n} {kind}" for kind, n in self.node_counts.items()),
            f"SHACL: {_validation_line(self.validation)}; reasoning: {_reasoning_line(self.reasoning)}",
            f"{total:.1f} s ({rate:.{1 if rate < 10 else 0}f} records/s)",  # 3 seeds: 1.5, not 1
        ]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        out: list[str] = ["# graphbuild build report\n"]
        out.append(f"- output: `{self.out_dir}`" + (" (store kept in memory only)" if self.memory else ""))
        out.append(f"- graphbuild {self.version}, started {self.started}, ended {self.ended}")
        out.append(f"- inputs: {', '.join(f'`{i}`' for i in self.inputs)}")
        out.append(
            f"- {self.records_read} records read, {self.trials_loaded} trials loaded, "
            f"{len(self.rejects)} rejected, {len(self.duplicates)} duplicate ids"
        )
        out.append(f"- {self.quads} quads in {self.graphs} named graphs")
        out.append(f"- SHACL: {_validation_line(self.validation)}")
        out.append(f"- reasoning: {_reasoning_line(self.reasoning)}\n")

        out.append("## Nodes\n")
        out += _table(("kind", "count"), [(k, str(v)) for k, v in self.node_counts.items()])
        if self.link_counts:
            out.append("\n## Extracted links\n")
            rows = [(*key.split(" ", 1), str(n)) for key, n in self.link_counts.items()]
            out += _table(("predicate", "basis", "count"), rows)

        out.append(f"\n## Rejected records ({len(self.rejects)})\n")
        if self.rejects:
            out += _table(
                ("file", "record", "field", "reason"),
                [(r.file, r.record, r.field, r.reason) for r in self.rejects],
            )
        else:
            out.append("None: every record landed.")
        if self.duplicates:
            out.append(f"\n## Duplicate trial ids ({len(self.duplicates)})\n")
            out += _table(
                ("trial", "kept", "dropped"),
                [(d.trial_id, d.kept, d.dropped) for d in self.duplicates],
            )
        out.append(f"\n## Ungrounded conditions ({len(self.ungrounded)})\n")
        if self.ungrounded:
            out += _table(("trial", "condition"), [(u.trial_id, u.condition) for u in self.ungrounded])
        else:
            out.append("None: every condition was grounded in MeSH.")
        if self.worklist:
            out.append("\n## Worklist: what the lexicons miss, most frequent first\n")
            for kind, title in WORKLIST_KINDS:
                rows = self.worklist.get(kind, [])
                out.append(f"\n### {title} (top {len(rows)})\n")
                if rows:
                    out += _table(
                        ("text", "trials", "mentions"),
                        [(r["text"], str(r["trials"]), str(r["count"])) for r in rows],
                    )
                else:
                    out.append("None.")
        if self.validation.get("ran") and not self.validation.get("conforms", True):
            out.append("\n## SHACL results\n")
            out.append("```")
            out.append(str(self.validation.get("text", "")).strip()[:20000])
            out.append("```")

        if self.changes:
            out.append(f"\n## Changes since the build (graphbuild add: {len(self.changes)})\n")
            out += _table(
                ("at", "replaced", "added", "rejected", "seconds"),
                [
                    (
                        c.get("at", ""),
                        " ".join(c.get("replaced", [])) or "-",
                        " ".join(c.get("added", [])) or "-",
                        str(len(c.get("rejects", []))),
                        f"{wall_seconds(c.get('timings', {})):.2f}",
                    )
                    for c in self.changes
                ],
            )
        out.append("\n## Timings\n")
        out += _table(("stage", "seconds"), [(k, f"{v:.2f}") for k, v in self.timings.items()])
        if self.worker_seconds:
            out.append(f"\nSummed over {self.workers} worker(s): "
                       + ", ".join(f"{k} {v:.2f} s" for k, v in self.worker_seconds.items()))
        if self.sources:
            out.append(f"\n## Sources ({len(self.sources)})\n")
            out += _table(
                ("file", "records", "sha256"),
                [(_where(s), str(s.get("records", "")), s.get("sha256", "")) for s in self.sources],
            )
        return "\n".join(out) + "\n"


def _where(source: dict[str, Any]) -> str:
    return f"{source['path']}!{source['member']}" if source.get("member") else source["path"]


def _validation_line(validation: dict[str, Any]) -> str:
    if not validation.get("ran"):
        return validation.get("reason", "not run")
    verdict = "conforms" if validation.get("conforms") else "does NOT conform"
    n = validation.get("violations")
    line = verdict + (f" ({n} results)" if n else "")
    return line + (f" [{validation['note']}]" if validation.get("note") else "")


def _reasoning_line(reasoning: dict[str, Any]) -> str:
    if not reasoning.get("ran"):
        return reasoning.get("reason", "not run")
    line = f"{reasoning.get('inferred_quads', 0)} inferred quads"
    return line + (f" [{reasoning['note']}]" if reasoning.get("note") else "")


def _cell(value: str) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


BESIDE = "(beside "  # a step run on another thread while the step before it ran


def wall_seconds(timings: dict[str, float]) -> float:
    """The build's wall time from its steps: the steps one after another, not those that ran
    beside another (`... (beside the outputs)`), whose time the step after them waits out."""
    return sum(seconds for step, seconds in timings.items() if BESIDE not in step)
