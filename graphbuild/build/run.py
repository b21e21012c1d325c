"""`build`: inputs -> a staged build -> committed into the output folder.

Records are read lazily, extracted in a process pool (`stream`), loaded in the background and
spooled (`load`); the store-level steps (`steps`) follow, then the outputs are written into a
new build folder inside the output directory, which `commit` makes current only when the whole
build succeeded, so a build that fails midway leaves the previous good build untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from graphbuild import __version__
from graphbuild.build import progress as stages
from graphbuild.build.commit import (
    OUTPUT_FILES,
    STORE_DIR,
    commit,
    current_build,
    locked,
    new_build_dir,
    remove_stale_builds,
)
from graphbuild.build.load import Loader, Spool
from graphbuild.build.process import Processed
from graphbuild.build.progress import RecordProgress, StageListener, listener_for
from graphbuild.build.provenance import source_files
from graphbuild.build.steps import (
    link_counts,
    node_counts,
    refresh_inferred,
    refresh_vocabulary,
    run_validation,
)
from graphbuild.build.stream import outside, process_stream, read
from graphbuild.memory import release_free_memory
from graphbuild.model import Reject
from graphbuild.rdf.namespaces import BUILD_GRAPH
from graphbuild.rdf.triples import build_quads
from graphbuild.report import BuildReport, Ungrounded, worklist
from graphbuild.store import GraphStore
from graphbuild.validate import shacl_spec
from graphbuild.validate.rudof import ShaclSpec

if TYPE_CHECKING:
    from graphbuild.landscape.data import Landscape

__all__ = ["Progress", "Source", "build"]

Progress = StageListener | RecordProgress  # stages and their steps, or (records, rejected)
# Where the processed records come from, in reading order: (inputs, out_dir, build folder) ->
# items. None: read here and extract in the local process pool (`stream`); another executor
# (`graphbuild.build.cluster.DaskSource`) plugs in here.
Source = Callable[[Sequence[str | os.PathLike[str]], Path, Path], Iterable[Processed | Reject]]
_log = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def build(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    memory: bool = False,
    reason: bool = True,
    validate: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
    report_html: bool = False,
    source: Source | None = None,
    turtle: bool = False,
) -> BuildReport:
    """Build the graph of `inputs` into `out_dir`: `store/` (Oxigraph, unless `memory`),
    `graph.nq`, `report.json`, `report.md`, and `graph.ttl` (merged graph) when `turtle`
    (serializing every trial a second time costs the workers ~0.9 ms a trial, so only when
    asked). Returns the report.

    Rejected records are listed in the report and never stop the build. Any other failure
    raises, and leaves whatever `out_dir` held before untouched; so does a kill at any point
    (the new build becomes current in one atomic step, see `commit`). A second build into the
    same `out_dir` while this one runs raises `BuildLocked`.

    `progress` hears which stage runs and how far it is (`graphbuild.build.progress`);
    `report_html` also writes `report.html`, the landscape page (`graphbuild.landscape`);
    `source` replaces the local read-and-extract pool (`graphbuild.build.cluster.DaskSource`)."""
    out = Path(out_dir)
    listener = listener_for(progress)
    with locked(out):  # a second build into `out` is refused while this one runs
        remove_stale_builds(out)  # what a killed build left
        build_dir = new_build_dir(out)
        try:
            report = _build_into(
                build_dir, inputs, out, memory=memory, reason=reason, validate=validate,
                workers=workers or os.cpu_count() or 1, progress=listener,
                report_html=report_html, source=source, turtle=turtle,
            )
            commit(build_dir, out)
        except BaseException:
            if current_build(out) != build_dir.resolve():
                shutil.rmtree(build_dir, ignore_errors=True)
            raise
        return report


def _build_into(
    build_dir: Path,
    inputs: Sequence[str | os.PathLike[str]],
    out: Path,
    *,
    memory: bool,
    reason: bool,
    validate: bool,
    workers: int,
    progress: StageListener,
    report_html: bool = False,
    source: Source | None = None,
    turtle: bool = False,
) -> BuildReport:
    report = BuildReport(
        inputs=[str(i) for i in inputs], out_dir=str(out), version=__version__, memory=memory,
        workers=workers,
    )
    report.started = _now()
    timings = report.timings
    store = GraphStore.in_memory() if memory else GraphStore.open(build_dir / STORE_DIR)
    spool = Spool(build_dir, turtle=turtle)
    # a validating build checks each trial graph's SHACL where it is serialized (the workers)
    shacl = _shacl_spec() if validate else None
    loader = Loader(store, report, spool, shacl)
    try:
        extract_s = triples_s = shacl_s = queries_s = 0.0
        t0 = time.perf_counter()
        total = _count_records(inputs, out, progress) if progress.wants_total else None
        progress.stage(stages.READING, total)
        if source is None:
            items = process_stream(outside(read(inputs), out), workers, turtle, shacl)
        else:
            items = source(inputs, out, build_dir)
        for item in items:
            report.records_read += 1
            if isinstance(item, Reject):
                report.rejects.append(item)
            else:
                extract_s += item.extract_seconds
                triples_s += item.triples_seconds
                shacl_s += item.shacl_seconds
                queries_s += item.violations_seconds
                loader.add(item)
            progress.advance(report.records_read, len(report.rejects))
        progress.stage(stages.LOADING)
        loader.flush()
        timings["read, extract, triples, load"] = time.perf_counter() - t0
        report.worker_seconds = {
            "extract": extract_s, "triples": triples_s, "store load": loader.load_seconds
        }
        if shacl is not None:
            report.worker_seconds["shacl (trial graphs)"] = shacl_s
            report.worker_seconds["violation queries (trial graphs)"] = queries_s
        report.trials_loaded = len(loader.kept)
        report.ungrounded = [
            Ungrounded(tid, text)
            for tid in sorted(loader.ungrounded)
            for text in loader.ungrounded[tid]
        ]
        report.worklist = {
            "conditions": worklist(loader.ungrounded),
            "interventions": worklist({t: u[0] for t, u in loader.unmatched.items()}),
            "outcomes": worklist({t: u[1] for t, u in loader.unmatched.items()}),
        }

        t = time.perf_counter()
        progress.stage(stages.VOCABULARY)
        refresh_vocabulary(store)
        timings["vocabulary"] = time.perf_counter() - t

        if reason:
            t = time.perf_counter()
            progress.stage(stages.REASONING)
            report.reasoning = _guarded(refresh_inferred, store)
            release_free_memory()  # what the reasoning's groups held, before the next step's peak
            timings["reasoning"] = time.perf_counter() - t
        else:
            report.reasoning = {"ran": False, "reason": "disabled (--no-reason)"}
        if validate:
            t = time.perf_counter()
            progress.stage(stages.VALIDATING)
            report.validation = _guarded(
                run_validation, store, report.trials_loaded, _chunks_to(progress), loader.checked,
                loader.checked_rows,
            )
            release_free_memory()
            timings["validation"] = time.perf_counter() - t
        else:
            report.validation = {"ran": False, "reason": "disabled (--no-validate)"}

        t = time.perf_counter()
        progress.stage(stages.OUTPUTS)
        _write_build_graph(store, report, loader)  # the last write: before the compaction
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="graphbuild-beside") as beside:
            # beside the outputs, on the other core (Oxigraph holds no GIL while it compacts or
            # evaluates): the store's compaction, which makes every later read faster, then the
            # page's queries on the compacted store; the page is drawn after, with the outputs'
            # figures
            compacting = beside.submit(_timed, store.optimize)
            gathering = beside.submit(_gather, store) if report_html else None
            _write_outputs(store, build_dir, report, loader, spool, memory=memory, turtle=turtle,
                           report_html=report_html)
            timings["write outputs"] = time.perf_counter() - t
            timings["store compaction (beside the outputs)"] = compacting.result()
            if gathering is not None:
                t = time.perf_counter()
                progress.stage(stages.HTML_REPORT)
                seconds = _write_html(store, build_dir / "report.html", report, gathering)
                if seconds is not None:
                    timings["report.html queries (beside the outputs)"] = seconds
                timings["report.html"] = time.perf_counter() - t
        (build_dir / "report.md").write_bytes(_utf8(report.to_markdown()))
        # in JSON a lone surrogate is written as its `\\udcff` escape: valid JSON, read back as is
        (build_dir / "report.json").write_bytes(report.to_json().encode("utf-8", "backslashreplace"))
    finally:
        loader.close()
        spool.close()
        store.close()
    return report


def _write_build_graph(store: GraphStore, report: BuildReport, loader: Loader) -> None:
    """The build's provenance graph (its sources, with their hashes, and its times)."""
    sources = source_files(loader.sources, report.rejects)
    report.sources = [
        {"path": s.path, "member": s.member, "records": s.records, "sha256": s.sha256}
        for s in sources
    ]
    report.ended = _now()
    store.replace_graph(
        BUILD_GRAPH,
        build_quads(started=report.started, ended=report.ended, version=__version__, sources=sources),
    )


def _write_outputs(
    store: GraphStore, build_dir: Path, report: BuildReport, loader: Loader, spool: Spool, *,
    memory: bool, turtle: bool, report_html: bool,
) -> None:
    """The report's counts, graph.nq (and graph.ttl): every output but the reports themselves.
    Reads the store only (the landscape page's queries run meanwhile)."""
    report.node_counts = node_counts(store)
    report.link_counts = link_counts(store)
    report.quads = store.count()
    report.graphs = len(store.graphs())
    spool.finish(store, build_dir / "graph.nq", build_dir / "graph.ttl", loader.ranges_by_trial())
    report.outputs = ([] if memory else [f"{STORE_DIR}/"]) + [
        name
        for name in OUTPUT_FILES
        if (report_html or name != "report.html") and (turtle or name != "graph.ttl")
    ]


def _shacl_spec() -> ShaclSpec | None:
    """The shapes and hierarchy the trial graphs are checked against; None (the validation
    step then checks everything out of the store) when they cannot be read: that failure is
    the validation's to report, never the build's."""
    try:
        return shacl_spec()
    except Exception as exc:  # noqa: BLE001
        _log.warning("SHACL not checked in the workers: %s: %s", type(exc).__name__, exc)
        return None


def _count_records(inputs: Sequence[str | os.PathLike[str]], out: Path, progress: StageListener) -> int | None:
    """How many records (and reader rejects) the inputs hold, read once without extraction so
    the reading stage can show a total; None when an input is standard input (read once)."""
    if any(str(i) == "-" for i in inputs):
        return None
    progress.stage(stages.COUNTING)
    n = 0
    for n, _item in enumerate(outside(read(inputs), out), start=1):
        if n % 256 == 0:
            progress.advance(n)
    progress.advance(n)
    return n


def _chunks_to(progress: StageListener) -> Callable[[int, int], None]:
    """The validation's (chunks done, chunks) as the listener's steps."""

    def tell(done: int, total: int) -> None:
        if done == 1:
            progress.stage(stages.VALIDATING, total)
        progress.advance(done)

    return tell


def _timed(step: Callable[[], object]) -> float:
    """Run `step`; its seconds."""
    t0 = time.perf_counter()
    step()
    return time.perf_counter() - t0


def _gather(store: GraphStore) -> tuple[Landscape, float]:
    """The landscape page's queries and their seconds, one query at a time: they run beside
    the outputs, which use the other core, and memory is at its peak there."""
    from graphbuild.landscape.data import collect

    t0 = time.perf_counter()
    return collect(store, side_by_side=False), time.perf_counter() - t0


def _write_html(
    store: GraphStore,
    path: Path,
    report: BuildReport,
    gathering: Future[tuple[Landscape, float]] | None = None,
) -> float | None:
    """The landscape page, from the queries `gathering` ran (`_gather`) when given; returns
    the seconds they took. Its failure is logged, never fatal (the graph is what matters)."""
    from graphbuild.landscape import write_report

    try:
        gathered, seconds = gathering.result() if gathering is not None else (None, None)
        write_report(store, path, report.to_dict(), Path(report.out_dir).resolve().name, gathered)
        return seconds
    except Exception as exc:  # noqa: BLE001
        _log.warning("report.html not written: %s: %s", type(exc).__name__, exc)
        return None


def _utf8(text: str) -> bytes:
    """Markdown `text` as UTF-8, never a crash: a file name's undecodable bytes
    (surrogateescape) are written as `\\xff`, any other lone surrogate as `\\ud800`."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


def _guarded(
    step: Callable[..., dict[str, object]], store: GraphStore, *args: object
) -> dict[str, object]:
    """Run reasoning or validation; their failure is reported, not fatal: the extracted graph
    is still worth having, and the report says plainly what did not run."""
    try:
        return step(store, *args)
    except Exception as exc:  # noqa: BLE001
        _log.warning("%s failed: %s: %s", step.__name__, type(exc).__name__, exc)
        return {"ran": False, "error": f"{type(exc).__name__}: {exc}"}
