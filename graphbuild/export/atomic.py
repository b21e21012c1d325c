"""Atomic outputs: a reader of PATH sees the old export or the new one, never half of one.

Everything is written next to its destination (same folder, hence the same file system) under
a temporary name and moved into place with `os.replace` only once complete; a failure removes
the temporary file and leaves the destination as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

__all__ = ["AtomicFile", "atomic_directory", "atomic_file"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AtomicFile:
    """A temporary file beside `path`: `commit()` moves it into place, `abort()` drops it.
    For sinks that open their output in one call and finish it in another."""

    def __init__(self, path: str | os.PathLike[str], suffix: str = ".tmp") -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=suffix, dir=self.path.parent
        )
        os.close(fd)
        self.temp = Path(name)
        os.chmod(self.temp, 0o666 & ~_umask())  # mkstemp's 0600 would outlive the rename

    def commit(self) -> None:
        os.replace(self.temp, self.path)

    def abort(self) -> None:
        self.temp.unlink(missing_ok=True)


@contextmanager
def atomic_file(
    path: str | os.PathLike[str], mode: str = "wb", **open_args: object
) -> Iterator[BinaryIO | TextIO]:
    """`with atomic_file(p) as handle:` writes `p` whole or not at all."""
    target = AtomicFile(path)
    try:
        with open(target.temp, mode, **open_args) as handle:  # type: ignore[call-overload]
            yield handle
        target.commit()
    except BaseException:
        target.abort()
        raise


@contextmanager
def atomic_directory(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A fresh folder beside `path` to fill; on success it replaces `path` (a previous export
    there is moved aside by one rename, then deleted). A file at `path` is refused."""
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp's 0700 would outlive the rename
    try:
        yield staging
        if target.exists():
            trash = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
            )
            os.replace(target, trash / target.name)
            os.replace(staging, target)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
