"""One validation run: SHACL per chunk of trial graphs, then every violation query."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from graphbuild.validate.queries import CheckedRows, query_violations
from graphbuild.validate.report import ValidationReport
from graphbuild.validate.shacl import DEFAULT_SHACL_ENGINE, Checked, shacl_violations


def validate(
    store: Any,
    *,
    chunk_size: int | None = None,
    shapes: Path | None = None,
    queries: Iterable[Path] | None = None,
    shacl: bool = True,
    engine: str = DEFAULT_SHACL_ENGINE,
    progress: Callable[[int, int], None] | None = None,
    checked: Checked | None = None,
    checked_rows: CheckedRows | None = None,
) -> ValidationReport:
    """Validate `store` (a GraphStore or a pyoxigraph.Store): SHACL shapes per chunk of trial
    graphs, then every violation query over the whole store. `progress(chunks done, chunks)`
    hears about the SHACL chunks; `checked`: trial graphs already checked (see
    `shacl_violations`); `checked_rows`: the graph-scoped queries' rows for trial graphs
    already checked (see `query_violations`)."""
    if chunk_size is not None and chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    report = ValidationReport()
    started = time.perf_counter()
    if shacl:
        found, report.trials, report.chunks, report.triples = shacl_violations(
            store,
            chunk_size=chunk_size,
            shapes=shapes,
            engine=engine,
            progress=progress,
            checked=checked,
        )
        report.violations.extend(found)
    report.seconds["shacl"] = time.perf_counter() - started
    mark = time.perf_counter()
    found_rows, report.query_rows = query_violations(store, queries, checked_rows)
    report.violations.extend(found_rows)
    report.seconds["queries"] = time.perf_counter() - mark
    report.seconds["total"] = time.perf_counter() - started
    return report
