"""Making a staged build current in one atomic step, under a lock on the output folder.

Layout of an output folder:

    OUT/builds/<id>/      one complete build: store/, graph.nq, graph.ttl, report.md, report.json
    OUT/current           symlink -> builds/<id>, the build in force
    OUT/store, OUT/graph.nq, ...   symlinks -> current/<name>, so paths stay what they were
    OUT/.graphbuild.lock  held (flock) by the build writing into OUT

A build writes into its own `builds/<id>` and becomes current when `current` is swapped by
`os.replace` of a fresh symlink: one rename, atomic on POSIX. A kill at any instant leaves
`current` naming either the old build or the new one, each complete, so store, graph.nq and
report.json always agree. Builds that are not current (a killed build, the one just
superseded) are deleted under the lock. The lock is an `flock`, which the kernel drops when
its process dies however it dies, so a killed build never leaves the folder locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

STORE_DIR = "store"
OUTPUT_FILES = ("graph.nq", "graph.ttl", "report.md", "report.json", "report.html")
BUILDS_DIR = "builds"
CURRENT = "current"
LOCK_FILE = ".graphbuild.lock"
STAGING_PREFIX = ".graphbuild-staging-"  # folders of the pre-`current` layout, removed on sight


class BuildLocked(RuntimeError):
    """Another build holds the output folder."""


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the output folder's lock for the block; refuse at once when another process
    holds it (two builds into one folder would each overwrite the other's result)."""
    out.mkdir(parents=True, exist_ok=True)
    handle = open(out / LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildLocked(
                f"{out} is being written by another graphbuild build ({holder}); "
                "wait for it to finish or build into another folder"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n")
        handle.flush()
        yield
    finally:
        handle.close()  # releases the flock


def new_build_dir(out: Path) -> Path:
    """An empty folder for a new build (not current until `commit`)."""
    builds = out / BUILDS_DIR
    builds.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for n in range(1000):
        path = builds / f"{stamp}-{os.getpid()}-{n}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free build folder name under {builds}")


def current_build(out: Path) -> Path | None:
    """The build folder `current` names, if any."""
    link = out / CURRENT
    if link.is_symlink() and link.resolve().is_dir():
        return link.resolve()
    return None


def commit(build_dir: Path, out: Path) -> None:
    """Make `build_dir` the current build: its files are synced, then `current` is swapped in
    one `os.replace`; the stable top-level links are made on first use; the superseded build
    is deleted last (a kill before that leaves garbage that the next build removes)."""
    for name in OUTPUT_FILES:
        _fsync(build_dir / name)
    _fsync(build_dir)
    tmp = out / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(Path(BUILDS_DIR) / build_dir.name, tmp)
    os.replace(tmp, out / CURRENT)  # the switch: one atomic rename
    _fsync(out)
    _link_outputs(out)
    remove_stale_builds(out)


def _link_outputs(out: Path) -> None:
    """OUT/store, OUT/graph.nq, ... as symlinks into `current` (made once; a file or folder of
    an older layout at that name is replaced)."""
    for name in (STORE_DIR, *OUTPUT_FILES):
        target = Path(CURRENT) / name
        path = out / name
        if not (out / target).exists():  # not written by this build (graph.ttl unless asked)
            if path.is_symlink():
                path.unlink()
            continue
        if path.is_symlink() and os.readlink(path) == str(target):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)  # the older layout's store/ (superseded by this build)
        tmp = out / f".{name}.{os.getpid()}.link"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(target, tmp)
        os.replace(tmp, path)


def remove_stale_builds(out: Path) -> None:
    """Builds that are not current (killed, or superseded) and staging folders of the older
    layout. Called under the lock, so no build in progress is touched."""
    keep = current_build(out)
    builds = out / BUILDS_DIR
    if builds.is_dir():
        for path in builds.iterdir():
            if keep is None or path.resolve() != keep:
                shutil.rmtree(path, ignore_errors=True)
    for path in out.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in out.glob(f".{CURRENT}.*"):
        path.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """Flush one file or folder to disk (a missing one is skipped)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
