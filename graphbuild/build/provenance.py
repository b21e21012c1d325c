"""Build provenance: every input file (or archive member) records came from, with its SHA-256,
for the build graph and the report."""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
import zlib
from collections.abc import Iterable

from graphbuild.model import Reject
from graphbuild.rdf.triples import SourceFile
from graphbuild.readers.limits import ArchiveError, Inflated

__all__ = ["source_files"]


def source_files(
    counts: dict[tuple[str, str | None], int], rejects: Iterable[Reject]
) -> list[SourceFile]:
    """Every input file (or archive member) records came from, with its SHA-256."""
    keys = dict(counts)
    for reject in rejects:
        path, _, member = reject.file.partition("!")
        keys.setdefault((path, member or None), 0)
    files = []
    for (path, member), records in sorted(keys.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        digest = _sha256(path, member)
        if digest:
            files.append(SourceFile(path=path, member=member, sha256=digest, records=records))
    return files


def _sha256(path: str, member: str | None) -> str | None:
    """The SHA-256 of a file or of one archive member's content; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        if member is None:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
                size = archive.getinfo(member).compress_size
                handle = Inflated(raw, lambda: size, "zip member")  # a bomb is not hashed
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                handle = archive.extractfile(member)
                if handle is None:
                    return None
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            return None
    except (OSError, KeyError, EOFError, ValueError, RuntimeError, NotImplementedError,
            zlib.error, zipfile.BadZipFile, tarfile.TarError, ArchiveError):
        return None  # an unreadable member (encrypted, corrupt, a bomb) has no checksum
    return digest.hexdigest()
