"""Reading and extraction as Dask tasks: the inputs cut into shards of whole files, one task
per shard on a Dask cluster (`tcp://HOST:PORT`) or a `LocalCluster` (`local:N`).

Each task reads its files, runs `process_record` on every record (the same pure function the
local pool runs) and writes the trial graphs as an N-Quads shard (and its Turtle twin) into a
folder the driver can read, under a name of its own, then returns a small manifest: per record
its trial id, source and byte ranges in the shard, or its reject. The driver reads the shards
back in shard order and feeds the same loader as a local build, so the graph does not depend
on the executor.

A worker lost mid-task makes Dask run the task again elsewhere (the shard is written again
under a new name; the manifest names the one that finished). A shard that keeps failing fails
the build with an error naming it, before anything is committed: never a partial graph.

Inputs are paths every worker can read (a shared folder); the shard folder must be shared by
the workers and the driver. `dask` and `distributed` come with `pip install graphbuild[dask]`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphbuild.build.process import Processed, process_record
from graphbuild.build.stream import outside
from graphbuild.model import Reject, SourceRef

__all__ = [
    "DaskSource",
    "DaskUnavailable",
    "ShardFailed",
    "ShardResult",
    "check_scheduler",
    "plan_shards",
    "run_shard",
]

SHARD_BYTES = 1 << 20  # files are grouped into shards of about this many bytes (a bigger file alone)
SHARD_FILES = 64  # ... and at most this many files
TASK_RETRIES = 2  # re-runs of a shard task that raised (a lost worker is Dask's allowed-failures)
EXTRA_HINT = "--scheduler needs Dask: pip install 'graphbuild[dask]' (dask and distributed)"


class DaskUnavailable(RuntimeError):
    """`dask.distributed` is not installed."""


class ShardFailed(RuntimeError):
    """A shard task failed on every attempt; the build stops before committing anything."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One record of a shard: where its trial graph is in the shard files."""

    trial_id: str
    source: SourceRef
    format: str
    nq: tuple[int, int]  # offset, length in the .nq shard
    ttl: tuple[int, int]  # offset, length in the .ttl shard
    ungrounded: tuple[str, ...]
    extract_seconds: float
    triples_seconds: float


@dataclass(frozen=True, slots=True)
class ShardResult:
    """What a shard task sends back: the shard's file stem and its items in reading order."""

    stem: str
    items: tuple[Entry | Reject, ...]


Unit = tuple[str, str]  # (path on disk, the name records are reported under)


def check_scheduler(scheduler: str) -> None:
    """Raise DaskUnavailable (naming the extra) when Dask is absent, ValueError when
    `scheduler` is neither `tcp://HOST:PORT` (or another Dask address) nor `local:N`."""
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise DaskUnavailable(EXTRA_HINT) from exc
    if scheduler.startswith("local:"):
        count = scheduler.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--scheduler {scheduler}: local:N needs a number of workers N >= 1")
    elif "://" not in scheduler:
        raise ValueError(f"--scheduler {scheduler}: expected tcp://HOST:PORT or local:N")


def plan_shards(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    shard_bytes: int = SHARD_BYTES,
    shard_files: int = SHARD_FILES,
) -> list[list[Unit] | Reject]:
    """The inputs as shards of whole files, in reading order (the order a local build reads
    them), with a Reject in place of an input that names nothing."""
    from graphbuild.readers.inputs import _GLOB_CHARS, _glob, walk

    units: list[Unit | Reject] = []
    for item in inputs:
        text = str(item)
        path = Path(text)
        if text == "-":
            units.append(Reject(text, "-", "input", "standard input cannot be sent to Dask workers"))
        elif path.is_dir():
            units.extend((str(f), str(f)) for f in walk(path))
        elif path.exists():
            units.append((text, text))
        elif _GLOB_CHARS.intersection(text):
            matches = _glob(text)
            if not matches:
                units.append(Reject(text, "-", "input", "no file matches this pattern"))
            for match in matches:
                files = walk(match) if match.is_dir() else [match]
                units.extend((str(f), str(f)) for f in files)
        else:
            units.append(Reject(text, "-", "input", "no such file or directory"))

    plan: list[list[Unit] | Reject] = []
    shard: list[Unit] = []
    size = 0
    for unit in units:
        if isinstance(unit, Reject):
            if shard:
                plan.append(shard)
                shard, size = [], 0
            plan.append(unit)
            continue
        file_size = _size(unit[0])
        if shard and (size + file_size > shard_bytes or len(shard) >= shard_files):
            plan.append(shard)
            shard, size = [], 0
        shard.append(unit)
        size += file_size
    if shard:
        plan.append(shard)
    return plan


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def run_shard(units: Sequence[Unit], out: str, folder: str, turtle: bool = False) -> ShardResult:
    """The Dask task: read `units`, process every record, write `<stem>.nq` and `<stem>.ttl`
    into `folder` (a fresh stem per attempt, so a retried task never reads a half-written
    file), and return the manifest."""
    from graphbuild.readers.inputs import read_file

    stem = f"shard-{uuid.uuid4().hex}"
    target = Path(folder)
    items: list[Entry | Reject] = []
    records = (item for path, name in units for item in read_file(Path(path), name))
    tmp_nq, tmp_ttl = target / f".{stem}.nq.tmp", target / f".{stem}.ttl.tmp"
    with open(tmp_nq, "wb") as nq, open(tmp_ttl, "wb") as ttl:
        for item in outside(records, Path(out)):
            result = item if isinstance(item, Reject) else process_record(item, turtle)
            if isinstance(result, Reject):
                items.append(result)
                continue
            at_nq, at_ttl = nq.tell(), ttl.tell()
            nq.write(result.nquads)
            ttl.write(result.turtle)
            items.append(
                Entry(
                    result.trial_id, result.source, result.format,
                    (at_nq, len(result.nquads)), (at_ttl, len(result.turtle)),
                    result.ungrounded, result.extract_seconds, result.triples_seconds,
                )
            )
    os.replace(tmp_nq, target / f"{stem}.nq")
    os.replace(tmp_ttl, target / f"{stem}.ttl")
    return ShardResult(stem, tuple(items))


def _read_back(folder: Path, result: ShardResult) -> Iterator[Processed | Reject]:
    """A shard's items as the local pool would have yielded them."""
    with open(folder / f"{result.stem}.nq", "rb") as nq, open(folder / f"{result.stem}.ttl", "rb") as ttl:
        for entry in result.items:
            if isinstance(entry, Reject):
                yield entry
                continue
            nq.seek(entry.nq[0])
            ttl.seek(entry.ttl[0])
            yield Processed(
                entry.trial_id, entry.source, entry.format, nq.read(entry.nq[1]),
                ttl.read(entry.ttl[1]), entry.ungrounded, entry.extract_seconds,
                entry.triples_seconds,
            )


class DaskSource:
    """The build's record source on Dask (`graphbuild.build.run.build(..., source=)`): a
    context holding the client (and the LocalCluster of `local:N`), called with (inputs, out,
    build folder) to yield every item in reading order.

        with DaskSource("local:2") as source:
            build(inputs, out, source=source)
    """

    def __init__(
        self,
        scheduler: str,
        shard_dir: str | os.PathLike[str] | None = None,
        *,
        turtle: bool = False,
        **plan: Any,
    ) -> None:
        check_scheduler(scheduler)
        self.scheduler = scheduler
        self.turtle = turtle  # the workers also write each trial as Turtle (build --turtle)
        self.shard_dir = Path(shard_dir) if shard_dir is not None else None
        self.plan_options = plan
        self.client: Any = None
        self.cluster: Any = None
        self.folders: list[Path] = []

    def __enter__(self) -> DaskSource:
        from distributed import Client, LocalCluster

        if self.scheduler.startswith("local:"):
            self.cluster = LocalCluster(
                n_workers=int(self.scheduler.removeprefix("local:")), threads_per_worker=1,
                processes=True, dashboard_address=None,
            )
            self.client = Client(self.cluster)
        else:
            self.client = Client(self.scheduler)
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the client (its unfinished tasks are cancelled) and the local cluster, and
        remove the shard folders (a failed build leaves none behind)."""
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)

    def __call__(
        self, inputs: Sequence[str | os.PathLike[str]], out: Path, build_dir: Path
    ) -> Iterator[Processed | Reject]:
        if self.client is None:
            raise RuntimeError("DaskSource is used inside `with DaskSource(...) as source:`")
        plan = plan_shards(inputs, **self.plan_options)
        base = self.shard_dir if self.shard_dir is not None else build_dir
        folder = (base / f"shards-{build_dir.name}").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        self.folders.append(folder)
        shards = [(i, p) for i, p in enumerate(plan) if not isinstance(p, Reject)]
        token = uuid.uuid4().hex[:8]
        futures = self.client.map(
            run_shard, [p for _, p in shards], out=str(out.resolve()), folder=str(folder),
            turtle=self.turtle,
            key=[f"graphbuild-shard-{i}-{token}" for i, _ in shards], retries=TASK_RETRIES,
        )
        by_index = dict(zip((i for i, _ in shards), futures, strict=True))
        try:
            for index, part in enumerate(plan):
                if isinstance(part, Reject):
                    yield part
                    continue
                try:
                    result = by_index[index].result()
                except Exception as exc:  # KilledWorker, a task error: the shard is named
                    raise ShardFailed(
                        f"shard {index} ({len(part)} file(s), first {part[0][1]}) failed: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
                yield from _read_back(folder, result)
                by_index.pop(index).release()
        finally:
            for future in by_index.values():
                future.cancel()
            shutil.rmtree(folder, ignore_errors=True)
