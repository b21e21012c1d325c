"""Compiled artifacts cached on disk, keyed by the hashes of the files they are made from.

Some data takes far longer to compute than to read back: the misspelling map and the name
index of the MeSH lexicon (~0.5 s of CPU), the ontology's compiled reasoning rules (a HermiT
run in Java, 1-4 s). A long build pays that once; `graphbuild add` of one record would pay it
on every call. An artifact is pickled under `$GRAPHBUILD_CACHE` (default
`$XDG_CACHE_HOME/graphbuild`, else `~/.cache/graphbuild`) under a name that is the SHA-256 of
the graphbuild version, the artifact's name, the bytes of every data file it depends on (the
lexicon or ontology files) and the bytes of graphbuild's own source (so an edit to any helper a
computation calls, not only to its module, makes a fresh key: ~1 MB hashed once per process, a
few ms), so a stale artifact is never read. `GRAPHBUILD_CACHE=off` disables the cache; a cache
folder that cannot be written is skipped silently (the artifact is computed as before).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from graphbuild import __version__

__all__ = ["cache_dir", "cached"]

T = TypeVar("T")


def cache_dir() -> Path | None:
    """Where artifacts go, or None when the cache is turned off."""
    configured = os.environ.get("GRAPHBUILD_CACHE")
    if configured is not None:
        return None if configured.lower() in ("", "0", "off", "no") else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "graphbuild"


PACKAGE = Path(__file__).resolve().parent


@cache
def code_fingerprint(package: Path = PACKAGE) -> bytes:
    """SHA-256 of every module's path and bytes under `package`, in a fixed order."""
    digest = hashlib.sha256()
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0")
        digest.update(module.read_bytes())
    return digest.digest()


def artifact_key(name: str, sources: Iterable[str | os.PathLike[str]]) -> str:
    """SHA-256 of the version, graphbuild's source, the name and each source file's path name
    and bytes."""
    digest = hashlib.sha256(f"{__version__}\0{name}\0".encode())
    digest.update(code_fingerprint())
    for source in sources:
        path = Path(source)
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached(name: str, sources: Iterable[str | os.PathLike[str]], compute: Callable[[], T]) -> T:
    """`compute()`, or what an earlier call with the same `name` and unchanged `sources`
    pickled. Written through a temporary file and a rename, so a reader never sees half."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{name}-{artifact_key(name, sources)[:32]}.pickle"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    value = compute()
    _store(folder, name, path, value)
    return value


def _store(folder: Path, name: str, path: Path, value: object) -> None:
    """Pickle `value` to `path` through a temporary file; any failure leaves no file."""
    tmp: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}-", delete=False) as handle:
            tmp = Path(handle.name)
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError):
        if tmp is not None:
            tmp.unlink(missing_ok=True)
