"""What a validation found: each violation named by trial, node and rule, and the report of a
run (counts, the violation queries' rows, seconds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

import pyoxigraph as ox

from graphbuild.rdf.namespaces import GBR

TRIAL_GRAPH_PREFIX = str(GBR["graph/trial/"])


@dataclass(frozen=True, order=True)
class Violation:
    """One thing wrong: in which trial (None for shared vocabulary nodes), at which node and
    property path, by which rule (a shape such as `gbsh:Trial-title`, or a violation query's
    name), what it means, and how bad (`Violation`, `Warning`, `Info`)."""

    trial_id: str | None
    focus_node: str
    path: str | None
    rule: str
    message: str
    severity: str = "Violation"
    value: str | None = None

    def __str__(self) -> str:
        where = f"trial {self.trial_id}" if self.trial_id else "vocabulary"
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value is not None else ""
        node = f"{self.focus_node}{path}"
        return f"[{self.severity}] {where}: {node}: {self.rule}: {self.message}{value}"


@dataclass
class ValidationReport:
    """All violations (SHACL and queries), the raw rows of each violation query, and sizes."""

    violations: list[Violation] = field(default_factory=list)
    query_rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    trials: int = 0
    chunks: int = 0
    triples: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """True when nothing of severity Violation was found (warnings do not fail a graph)."""
        return not any(v.severity == "Violation" for v in self.violations)

    def by_trial(self) -> dict[str | None, list[Violation]]:
        grouped: dict[str | None, list[Violation]] = {}
        for violation in self.violations:
            grouped.setdefault(violation.trial_id, []).append(violation)
        return grouped

    def __str__(self) -> str:
        counts = {
            s: sum(v.severity == s for v in self.violations)
            for s in ("Violation", "Warning", "Info")
        }
        verdict = "conforms" if self.conforms else "does not conform"
        lines = [
            (
                f"validation: {verdict}: {counts['Violation']} violation(s), "
                f"{counts['Warning']} warning(s) in {self.trials} trial(s), {self.triples} "
                f"triples, {self.chunks} SHACL chunk(s)"
            )
        ]
        lines += [str(v) for v in sorted(self.violations, key=violation_order)]
        failing = [name for name, rows in sorted(self.query_rows.items()) if rows]
        lines.append(
            f"violation queries: {len(self.query_rows)} run, "
            + (f"{len(failing)} with rows: {', '.join(failing)}" if failing else "all empty")
        )
        lines.append("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in self.seconds.items()))
        return "\n".join(lines)


def violation_order(v: Violation) -> tuple:
    """The order reports list violations in: by trial, node, rule, path, message, value."""
    return (v.trial_id or "", v.focus_node, v.rule, v.path or "", v.message, v.value or "")


def trial_id_of_graph(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str | None:
    """The trial a named graph belongs to (`gbr:graph/trial/{id}`, the id percent-decoded),
    or None for the vocabulary, build and other graphs."""
    if isinstance(graph, ox.NamedNode) and graph.value.startswith(TRIAL_GRAPH_PREFIX):
        return unquote(graph.value[len(TRIAL_GRAPH_PREFIX) :])
    return None
