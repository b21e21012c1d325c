"""The readers' entry point: files, folders, globs, archives and stdin in; Records out.

`read_inputs` walks what the user named (folders recursively and in sorted order, so every run
reads the same records in the same order), opens zip and gzip containers, sniffs each stream's
format from its first bytes and hands it to the registered reader. Nothing that goes wrong in
one input stops the others: a missing file, an empty or binary file, a broken archive or a
reader failure each becomes one Reject, and the batch goes on.
"""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from graphbuild.model import Record, Reject
from graphbuild.readers import registry
from graphbuild.readers.detect import BINARY, EMPTY, GZIP, HEAD_SIZE, ZIP, detect_format
from graphbuild.readers.limits import ArchiveError, Counting, FieldTooLarge, Inflated, check_record
from graphbuild.readers.source import Rewound, display_name

# Files a folder walk or an archive listing picks up; a file named explicitly is always read.
SUFFIXES = frozenset((".txt", ".json", ".jsonl", ".ndjson", ".csv", ".xml", ".zip", ".gz"))
STDIN_NAME = "stdin"
_GLOB_CHARS = frozenset("*?[")
_MAX_NESTING = 3  # zip in zip in gzip: deeper is a decompression trap, not a dataset


def read_inputs(
    inputs: Iterable[str | Path], *, stdin: BinaryIO | None = None
) -> Iterator[Record | Reject]:
    """Every Record (and Reject) in the named inputs, in a deterministic order.

    Each input is a file, a folder (read recursively, files with a known suffix, sorted), a
    glob (`data/**/*.json`), a zip or gzip archive, or `-` for `stdin` (default: the process's
    standard input)."""
    for item in inputs:
        yield from read_input(item, stdin=stdin)


def read_input(item: str | Path, *, stdin: BinaryIO | None = None) -> Iterator[Record | Reject]:
    """The records of one input argument (see `read_inputs`)."""
    text = str(item)
    if text == "-":
        yield from read_stream(stdin if stdin is not None else sys.stdin.buffer, STDIN_NAME)
        return
    path = Path(item)
    if path.is_dir():
        for file in walk(path):
            yield from read_file(file)
    elif path.exists():
        yield from read_file(path, text)
    elif _GLOB_CHARS.intersection(text):
        matches = _glob(text)
        if not matches:
            yield Reject(text, "-", "input", "no file matches this pattern")
        for match in matches:
            if match.is_dir():
                for file in walk(match):
                    yield from read_file(file)
            else:
                yield from read_file(match)
    else:
        yield Reject(text, "-", "input", "no such file or directory")


def _glob(pattern: str) -> list[Path]:
    anchor = Path(pattern).anchor
    relative = pattern[len(anchor) :] if anchor else pattern
    return sorted(Path(anchor or ".").glob(relative), key=str)


def _wanted(path: PurePosixPath | Path) -> bool:
    """A record file by its name: a known suffix, not hidden, not archive litter."""
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return False
    return path.suffix.lower() in SUFFIXES


def walk(folder: Path) -> list[Path]:
    """Record files under `folder`, recursively, sorted by path (deterministic order). A link
    named like a record file that leads nowhere (or to a folder) is listed too, so that reading
    it rejects it by name instead of the record going missing without a word."""
    return sorted(
        (
            p
            for p in folder.rglob("*")
            if (p.is_file() or p.is_symlink()) and _wanted(p.relative_to(folder))
        ),
        key=lambda p: str(p),
    )


def read_file(path: Path, name: str | None = None) -> Iterator[Record | Reject]:
    """The records of one file on disk, whatever its format."""
    name = name or str(path)
    try:
        stream = path.open("rb")
    except OSError as exc:
        yield Reject(name, "0", "path", f"cannot open: {exc.strerror or exc}")
        return
    with stream:
        yield from read_stream(stream, name)


def read_stream(
    stream: BinaryIO, file: str, *, member: str | None = None, depth: int = 0
) -> Iterator[Record | Reject]:
    """The records of one byte stream (a file, an archive member, stdin): the format is
    sniffed from the first bytes, containers are opened, the rest goes to a reader. Every
    record passes the caps of `limits.check_record`; an archive that breaks mid-stream ends
    with one Reject naming where, after the records read before it."""
    where = display_name(file, member)
    try:
        head = stream.read(HEAD_SIZE)
    except ArchiveError as exc:
        yield Reject(where, "0", exc.field, exc.reason)
        return
    fmt = detect_format(head)
    skipped = False
    if fmt == EMPTY and len(head) == HEAD_SIZE:  # only whitespace so far: read on (within the caps)
        try:
            head, fmt = _past_whitespace(stream)
        except ArchiveError as exc:
            yield Reject(where, "0", exc.field, exc.reason)
            return
        skipped = True
    if fmt == EMPTY:
        yield Reject(where, "0", "content", "empty file (no text at all)")
        return
    if fmt == BINARY:
        yield Reject(
            where,
            "0",
            "content",
            "binary content (NUL or control bytes, or UTF-16): not a trial record",
        )
        return
    seekable = not skipped and _seekable(stream)
    if seekable:
        stream.seek(0)
    if fmt in (ZIP, GZIP) and depth >= _MAX_NESTING:
        yield Reject(
            where, "0", "archive nesting", f"archives nested more than {_MAX_NESTING} deep are not opened"
        )
        return
    if fmt == ZIP:
        if not seekable:  # zip needs random access: stdin, a gzip stream
            try:
                stream = io.BytesIO(head + stream.read())
            except ArchiveError as exc:
                yield Reject(where, "0", exc.field, exc.reason)
                return
        yield from _read_zip(stream, where, depth)
        return
    body: BinaryIO = stream if seekable else io.BufferedReader(Rewound(head, stream))  # type: ignore[assignment]
    if fmt == GZIP:
        compressed = Counting(body)
        try:
            unzipped = gzip.GzipFile(fileobj=compressed, mode="rb")  # type: ignore[arg-type]
        except OSError as exc:
            yield Reject(where, "0", "gzip header", f"not a readable gzip stream: {exc}")
            return
        inflated = io.BufferedReader(Inflated(unzipped, lambda: compressed.count, "gzip stream"))  # type: ignore[arg-type]
        with unzipped:
            yield from read_stream(inflated, file, member=member, depth=depth + 1)
        return
    yield from _guarded(registry.get(fmt).read(body, file, member=member), where, fmt)


def _past_whitespace(stream: BinaryIO) -> tuple[bytes, str]:
    """(the first bytes after a long run of whitespace, their format); EMPTY at the end."""
    while chunk := stream.read(1 << 20):
        text = chunk.lstrip()
        if text:
            while len(text) < HEAD_SIZE and (more := stream.read(HEAD_SIZE)):
                text += more
            return text, detect_format(text[:HEAD_SIZE])
    return b"", EMPTY


def _seekable(stream: BinaryIO) -> bool:
    try:
        return stream.seekable()
    except (AttributeError, ValueError):
        return False


def _read_zip(stream: BinaryIO, archive: str, depth: int) -> Iterator[Record | Reject]:
    try:
        zf = zipfile.ZipFile(stream)
        infos = sorted(zf.infolist(), key=lambda i: i.filename)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        yield Reject(archive, "0", "zip directory", f"not a readable zip archive: {exc}")
        return
    with zf:
        for info in infos:
            if info.is_dir() or not _wanted(PurePosixPath(info.filename)):
                continue
            where = display_name(archive, info.filename)
            if info.flag_bits & 0x1:
                yield Reject(where, "0", "encryption", "the member is encrypted: graphbuild reads no passwords")
                continue
            try:
                member = zf.open(info)
            except NotImplementedError as exc:
                yield Reject(where, "0", "compression method", f"unsupported compression method {info.compress_type}: {exc}")
                continue
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as exc:
                yield Reject(where, "0", "zip entry header", f"cannot open member: {exc}")
                continue
            size = info.compress_size
            inflated = io.BufferedReader(Inflated(member, lambda size=size: size, "zip member"))  # type: ignore[arg-type, misc]
            with member:
                yield from read_stream(inflated, archive, member=info.filename, depth=depth + 1)  # type: ignore[arg-type]


def _guarded(
    records: Iterator[Record | Reject], where: str, what: str
) -> Iterator[Record | Reject]:
    """Pass a reader's records through the caps. An archive that breaks under the reader,
    a field over its cap, or an unexpected failure inside becomes one Reject naming the record
    being read (the records before it stand) instead of ending the whole batch."""
    count = 0
    try:
        for item in records:
            if isinstance(item, Record):
                item = check_record(item)
            count += 1
            yield item
    except ArchiveError as exc:
        yield Reject(where, str(count), exc.field, f"{exc.reason}; {count} records before it were read")
    except FieldTooLarge as exc:
        yield Reject(where, str(count), exc.field, str(exc))
    except Exception as exc:  # noqa: BLE001 - one bad input must not end the batch
        yield Reject(
            where, str(count), "(unexpected error)",
            f"{what} reader failed: {type(exc).__name__}: {exc}; {count} records before it were read",
        )
