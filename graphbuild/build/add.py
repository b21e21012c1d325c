"""`add`: records into an existing build, each replacing exactly its trial's named graph, with
everything derived from the trial graphs brought up to date in proportion to the change.

How, so that one changed trial in a 100,000-trial build costs what one trial costs:

- **A new build folder, committed atomically.** The current build's store is copied with
  Oxigraph's `backup` (a RocksDB checkpoint: hard links to the immutable table files, ~10 ms
  whatever the size) into a fresh `builds/<id>`, changed there, and made current by the same
  one-rename switch a build uses (`commit`). A killed add leaves the previous build current
  and intact; readers never see a half-applied change.
- **Vocabulary** (`delta.update_vocabulary`): descriptions added for the nodes the new graphs
  point at that the vocabulary lacks, removed for the nodes no trial points at any more.
- **Inferred graph** (`graphbuild.reason.incremental`): the inferred facts about the old and
  new graphs' nodes (and vocabulary nodes added or removed) removed, then every compiled rule
  run with the subject of its head bound to those nodes; the rules come from an on-disk cache
  (no HermiT start).
- **Validation**: SHACL of the changed trial graphs only, and the violation queries over a
  dataset of the changed graphs and the shared ones; their results replace those of the same
  trials in the report.
- **Report**: report.json / report.md carry the build's counts updated by the change's
  difference and a `changes` entry for this add.
- **Dumps**: graph.nq (and graph.ttl) hold every trial (480 MiB at 10,000 trials), so
  rewriting them is proportional to the build, not to the change: an add writes them only
  when asked (`dumps=True`, CLI `--dumps`; graph.nq is then the old file's blocks copied
  around the replaced trials, at disk speed). Otherwise the new build has none and its report
  says so; `graphbuild export nquads` writes the same dataset from the store at any time.
"""

from __future__ import annotations

import mmap
import os
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from graphbuild.build.commit import (
    STORE_DIR,
    commit,
    current_build,
    locked,
    new_build_dir,
    remove_stale_builds,
)
from graphbuild.build.delta import (
    GraphFacts,
    VocabularyChange,
    graph_facts,
    shared_counts,
    update_vocabulary,
)
from graphbuild.build.load import FORMAT_PREFERENCE
from graphbuild.build.process import Processed, process_record
from graphbuild.build.report_update import (
    merge_ungrounded,
    read_report,
    render_json,
    render_markdown,
)
from graphbuild.build.steps import TRIAL_GRAPH_PREFIX
from graphbuild.build.stream import read
from graphbuild.model import Reject
from graphbuild.rdf.iris import trial_graph_iri
from graphbuild.report import BuildReport, Ungrounded
from graphbuild.store import GraphStore

__all__ = ["AddReport", "add"]

DUMPS = ("graph.nq", "graph.ttl")
KEPT_FILES = ("report.html",)  # describes the build as it was made; linked into the new folder


@dataclass
class AddReport:
    """What `add` did: trials replaced or new, rejects, and where the time went."""

    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    dumps: bool = False  # whether graph.nq (graph.ttl) were rewritten

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items())
        dumps = "" if self.dumps else "; graph.nq not rewritten (--dumps, or graphbuild export nquads)"
        return (
            f"{len(self.replaced)} trial(s) replaced, {len(self.added)} added, "
            f"{len(self.rejects)} rejected ({steps}){dumps}"
        )


def add(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    reason: bool = True,
    validate: bool = True,
    dumps: bool = False,
) -> AddReport:
    """Read `inputs` and put each trial into the current build of `out_dir`: its named graph
    replaced by exactly the new record's quads (other trials untouched), vocabulary and
    inferred graphs, validation and report brought up to date, as a new build made current
    atomically. A trial read twice keeps one record, chosen as the build chooses. `reason`
    and `validate` apply only where the build itself reasoned / validated; `dumps` also
    rewrites graph.nq (graph.ttl). Raises FileNotFoundError when `out_dir` holds no build."""
    out = Path(out_dir)
    report = AddReport(dumps=dumps)
    if current_build(out) is None:  # checked before the lock, which would create the folder
        raise FileNotFoundError(f"{out} holds no build (graphbuild build -o {out})")
    with locked(out):
        old = current_build(out)
        if old is None or not (old / STORE_DIR).is_dir():
            raise FileNotFoundError(f"{out} holds no build with a store (graphbuild build -o {out})")
        remove_stale_builds(out)  # what a killed add or build left
        t0 = time.perf_counter()
        chosen = _read(inputs, report)
        report.timings["read, extract"] = time.perf_counter() - t0
        new = new_build_dir(out)
        try:
            _add_into(old, new, chosen, report, reason=reason, validate=validate)
            commit(new, out)
        except BaseException:
            if current_build(out) != new.resolve():
                shutil.rmtree(new, ignore_errors=True)
            raise
    return report


def _read(inputs: Sequence[str | os.PathLike[str]], report: AddReport) -> dict[str, Processed]:
    chosen: dict[str, Processed] = {}
    for item in read(inputs):
        result = item if isinstance(item, Reject) else process_record(item)
        if isinstance(result, Reject):
            report.rejects.append(result)
            continue
        previous = chosen.get(result.trial_id)
        if previous is None or _preference(result) < _preference(previous):
            chosen[result.trial_id] = result
    return chosen


def _preference(item: Processed) -> tuple[int, str, str, str]:
    source = item.source
    return (FORMAT_PREFERENCE.get(item.format, 9), source.file, source.member or "", source.record)


@dataclass
class _Change:
    """The store-level difference one add made, for the report."""

    before: dict[str, GraphFacts]
    after: dict[str, GraphFacts]
    shared_before: Counter[str]
    shared_after: Counter[str]
    vocabulary: VocabularyChange
    inferred_removed: int = 0
    inferred_added: int = 0


def _add_into(
    old: Path, new: Path, chosen: dict[str, Processed], report: AddReport, *, reason: bool, validate: bool
) -> None:
    """The whole change, in the new build folder `new` (not current until committed)."""
    t = time.perf_counter()
    # the long lists (ungrounded conditions, sources) are carried over as text, not re-rendered
    build_report, long, order = read_report((old / "report.json").read_text(encoding="utf-8"))
    # the build before the change: copied here, and read again to move the counts by the change
    previous = ox.Store.read_only(str(old / STORE_DIR))
    try:
        previous.backup(str(new / STORE_DIR))  # hard links to the immutable table files
        report.timings["copy store"] = time.perf_counter() - t
        store = GraphStore.open(new / STORE_DIR)
        try:
            t = time.perf_counter()
            change = _replace_graphs(store.ox, chosen, report)
            report.timings["replace graphs, vocabulary"] = time.perf_counter() - t
            skipped = ", ".join(sorted(chosen))
            if build_report.reasoning.get("ran"):
                t = time.perf_counter()
                _refresh_inferred(store.ox, change, previous, derive=reason)
                report.timings["reasoning"] = time.perf_counter() - t
                if not reason:  # stale facts removed, none derived: say so rather than mislead
                    build_report.reasoning["note"] = f"graphbuild add --no-reason: not derived for {skipped}"
            validation = None
            if validate and build_report.validation.get("ran"):
                t = time.perf_counter()
                validation = _revalidate(store, sorted(chosen), build_report.validation)
                report.timings["validation"] = time.perf_counter() - t
            elif build_report.validation.get("ran"):
                build_report.validation["note"] = f"graphbuild add --no-validate: not validated: {skipped}"
            t = time.perf_counter()
            _update_report(build_report, chosen, change, report, validation)
            _write_outputs(old, new, store, chosen, build_report, report, long, order)
            report.timings["write outputs"] = time.perf_counter() - t
        finally:
            store.close()
    finally:
        del previous  # closes it (a traceback would otherwise keep it open)


def _replace_graphs(store: ox.Store, chosen: dict[str, Processed], report: AddReport) -> _Change:
    """Each trial's graph replaced by its new quads; the vocabulary updated to match."""
    before: dict[str, GraphFacts] = {}
    after: dict[str, GraphFacts] = {}
    new_quads: dict[str, list[ox.Quad]] = {}
    for tid in sorted(chosen):
        graph = ox.NamedNode(trial_graph_iri(tid))
        before[tid] = graph_facts(store.quads_for_pattern(None, None, None, graph))
        new_quads[tid] = list(ox.parse(chosen[tid].nquads, ox.RdfFormat.N_QUADS))
        if any(q.graph_name != graph for q in new_quads[tid]):
            raise ValueError(f"trial {tid}: a quad outside its graph {graph}")
        after[tid] = graph_facts(new_quads[tid])
        (report.replaced if before[tid].quads else report.added).append(tid)
    referenced_before = {n for f in before.values() for n in f.referenced}
    referenced_after = {n for f in after.values() for n in f.referenced}
    nodes = referenced_before | referenced_after
    shared_before = shared_counts(store, nodes)
    for tid, quads in new_quads.items():
        if before[tid].quads:
            store.remove_graph(ox.NamedNode(trial_graph_iri(tid)))
        store.extend(quads)
    vocabulary = update_vocabulary(store, referenced_before, referenced_after)
    return _Change(before, after, shared_before, shared_counts(store, nodes), vocabulary)


def _refresh_inferred(
    store: ox.Store, change: _Change, previous: ox.Store, *, derive: bool = True
) -> None:
    """The inferred facts about every node the change touched, removed and (unless not
    `derive`: `add --no-reason`) derived again; `previous`: the store before the change."""
    from graphbuild.reason.incremental import (
        derive_views,
        infer_for_nodes,
        remove_inferred_about,
    )

    focus = {n for f in (*change.before.values(), *change.after.values()) for n in f.subjects}
    focus |= change.vocabulary.added | change.vocabulary.removed
    change.inferred_removed = remove_inferred_about(store, focus)
    change.inferred_added = len(infer_for_nodes(store, focus)) if derive else 0
    if derive:  # shortcut edges and counts, as a build writes them after the rules
        removed, added = derive_views(store, focus, previous)
        change.inferred_removed += removed
        change.inferred_added += added


def _revalidate(store: GraphStore, trial_ids: list[str], previous: dict[str, object]) -> dict[str, object]:
    """The build's validation result with the changed trials' violations replaced by theirs now."""
    from graphbuild.build.revalidate import revalidate_trials

    return revalidate_trials(store, trial_ids, previous)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _update_report(
    build_report: BuildReport,
    chosen: dict[str, Processed],
    change: _Change,
    report: AddReport,
    validation: dict[str, object] | None,
) -> None:
    """The build's report with its counts moved by the change's difference, and this add listed."""
    r = build_report
    own_before = sum((f.kinds for f in change.before.values()), Counter())
    own_after = sum((f.kinds for f in change.after.values()), Counter())
    counts = Counter(r.node_counts)
    counts.update(own_after)
    counts.subtract(own_before)
    counts.update(change.shared_after)
    counts.subtract(change.shared_before)
    r.node_counts = {kind: counts[kind] for kind in r.node_counts} | {
        kind: n for kind, n in counts.items() if kind not in r.node_counts
    }
    links = Counter(r.link_counts)
    links.update(sum((f.links for f in change.after.values()), Counter()))
    links.subtract(sum((f.links for f in change.before.values()), Counter()))
    r.link_counts = {key: links[key] for key in sorted(links) if links[key] > 0}
    quads_before = sum(f.quads for f in change.before.values())
    quads_after = sum(f.quads for f in change.after.values())
    inferred = change.inferred_added - change.inferred_removed
    vocabulary = change.vocabulary.quads_added - change.vocabulary.quads_removed
    r.quads += quads_after - quads_before + vocabulary + inferred
    r.graphs += len(report.added)
    r.trials_loaded += len(report.added)
    if r.reasoning.get("ran") and "inferred_quads" in r.reasoning:
        r.reasoning["inferred_quads"] = int(r.reasoning["inferred_quads"]) + inferred
    if validation is not None:
        r.validation = validation
    r.changes.append(
        {
            "at": _now(),
            "replaced": report.replaced,
            "added": report.added,
            "rejects": [str(x) for x in report.rejects],
            "sources": sorted({str(item.source) for item in chosen.values()}),
            "vocabulary": {"nodes added": len(change.vocabulary.added), "nodes removed": len(change.vocabulary.removed)},
            "inferred": {"removed": change.inferred_removed, "added": change.inferred_added},
            "timings": {k: round(v, 3) for k, v in report.timings.items()},
        }
    )


def _write_outputs(
    old: Path,
    new: Path,
    store: GraphStore,
    chosen: dict[str, Processed],
    build_report: BuildReport,
    report: AddReport,
    long: dict[str, str],
    order: list[str],
) -> None:
    """report.json / report.md; graph.nq (graph.ttl) only when asked; report.html linked."""
    # the dumps the build wrote, whether the last build folder has them or an add left them out
    dumps = [
        name
        for name in DUMPS
        if name in build_report.outputs
        or any(name in c.get("dumps left out", ()) for c in build_report.changes)
    ]
    outputs = [name for name in build_report.outputs if name not in DUMPS]
    if report.dumps:
        if "graph.nq" in dumps and (old / "graph.nq").is_file():
            _rewrite_nquads(old / "graph.nq", new / "graph.nq", store, {t: p.nquads for t, p in chosen.items()})
        elif "graph.nq" in dumps:  # an earlier add left it out: written from the store
            _write_nquads(new / "graph.nq", store)
        if "graph.ttl" in dumps:
            with open(new / "graph.ttl", "wb") as handle:
                store.write_merged(handle, ox.RdfFormat.TURTLE)
        outputs += dumps
    build_report.changes[-1]["dumps left out"] = [] if report.dumps else dumps
    for name in KEPT_FILES:
        if (old / name).is_file():
            os.link(old / name, new / name)
    build_report.outputs = outputs
    changed = set(chosen)
    fresh = [Ungrounded(tid, text) for tid in sorted(chosen) for text in chosen[tid].ungrounded]
    long["ungrounded"], count = merge_ungrounded(long["ungrounded"], changed, fresh)
    old_md = (old / "report.md").read_text(encoding="utf-8", errors="surrogateescape")
    (new / "report.md").write_bytes(_utf8(render_markdown(build_report, old_md, changed, fresh, count)))
    text = render_json(build_report, long, order)
    (new / "report.json").write_bytes(text.encode("utf-8", "backslashreplace"))


def _utf8(text: str) -> bytes:
    try:  # the usual case, in one pass: no lone surrogates (from bytes that were not UTF-8)
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").encode("utf-8")


# --------------------------------------------------------------------------------------------
# graph.nq, when asked: the old file's blocks copied around the replaced trials
# --------------------------------------------------------------------------------------------


def _rewrite_nquads(old_path: Path, path: Path, store: GraphStore, new_blocks: dict[str, bytes]) -> None:
    """graph.nq with the trials of `new_blocks` replaced (or inserted at their sorted place)
    and every non-trial graph written afresh from the store, in the build's canonical order.
    The build wrote the trial graphs in trial-id order, each a contiguous block, then every
    other graph: the blocks are found with `mmap.find`, at disk speed."""
    others = sorted(
        (g for g in store.graphs() if not g.value.startswith(TRIAL_GRAPH_PREFIX)), key=lambda g: g.value
    )
    with open(old_path, "rb") as old_file, open(path, "wb") as handle:
        size = os.fstat(old_file.fileno()).st_size
        old = mmap.mmap(old_file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        try:
            trials_end = _trials_end(old, others)
            position = 0
            for trial_id in sorted(new_blocks):
                start, end = _block(old, trial_id, position, trials_end)
                if start is None:  # a new trial: before the first trial after it in the file
                    start = end = _insertion_point(old, trial_id, position, trials_end)
                handle.write(old[position:start])
                handle.write(new_blocks[trial_id])
                position = end
            handle.write(old[position:trials_end])
        finally:
            if size:
                old.close()
        for graph in others:
            store.write_sorted_quads(handle, graph, path.parent)


def _write_nquads(path: Path, store: GraphStore) -> None:
    """graph.nq from the store alone, in the build's order: the trial graphs by trial id,
    then the other graphs by IRI, each graph's lines sorted."""
    graphs = sorted(store.graphs(), key=lambda g: (not g.value.startswith(TRIAL_GRAPH_PREFIX), g.value))
    with open(path, "wb") as handle:
        for graph in graphs:
            store.write_sorted_quads(handle, graph, path.parent)


def _marker(trial_id: str) -> bytes:
    return f"<{trial_graph_iri(trial_id)}> .\n".encode()


def _trials_end(data: mmap.mmap | bytes, others: list[ox.NamedNode]) -> int:
    """Where the trial graphs of graph.nq end: the first line of any other graph (they come
    after the trials), else the end of the file."""
    starts = [data.find(f"<{graph.value}> .\n".encode()) for graph in others]
    found = [at for at in starts if at >= 0]
    if not found:
        return len(data)
    return data.rfind(b"\n", 0, min(found)) + 1


def _block(data: mmap.mmap | bytes, trial_id: str, start: int, end: int) -> tuple[int | None, int]:
    """(start, end) of the trial's contiguous lines in graph.nq, or (None, start) if absent."""
    marker = _marker(trial_id)
    first = data.find(marker, start, end)
    if first < 0:
        return None, start
    last = data.rfind(marker, first, end)
    begin = data.rfind(b"\n", 0, first) + 1
    return begin, last + len(marker)


def _insertion_point(data: mmap.mmap | bytes, trial_id: str, start: int, end: int) -> int:
    """Where a trial graph.nq lacks goes: the start of the first line at or after `start`
    whose trial graph sorts after it (the file's trial blocks are in trial-id order), found by
    bisection over line starts."""
    key = trial_graph_iri(trial_id).encode()
    low, high = start, end
    while low < high:
        middle = (low + high) // 2
        line_start = data.rfind(b"\n", 0, middle) + 1 if middle > start else start
        line_end = data.find(b"\n", line_start, end)
        line_end = end if line_end < 0 else line_end + 1
        graph = data[line_start:line_end].rstrip(b" .\n").rsplit(b"<", 1)[-1].rstrip(b">")
        if graph < key:
            low = line_end
        else:
            high = line_start
    return low
