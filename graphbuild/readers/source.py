"""What every format reader needs about its input: a byte stream, a display name, a trial id
fallback, and the Rejects that name where in the file something went wrong.

Readers accept either a path or an open binary stream (a file, a zip member, stdin); this
module turns both into one shape so each reader only parses.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import BinaryIO, Union

from graphbuild.model import Reject

Source = Union[BinaryIO, str, "os.PathLike[str]"]

# A lone surrogate marks an undecodable byte once text is decoded with "surrogateescape".
_UNDECODABLE = re.compile("[\udc80-\udcff]")


@contextmanager
def open_source(source: Source, name: str | None = None) -> Iterator[tuple[BinaryIO, str]]:
    """(binary stream, display name). A path is opened and closed here; a stream given by the
    caller is left open for the caller to close."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            yield stream, name or os.fspath(source)
    else:
        yield source, name or getattr(source, "name", None) or "<stream>"


def display_name(file: str, member: str | None) -> str:
    """`archive.zip!NCT01234567.json` for an archive member, the file otherwise."""
    return f"{file}!{member}" if member else file


def stem(file: str, member: str | None) -> str:
    """The fallback trial id: the record file's stem (the member's, inside an archive)."""
    return PurePath(member or file).stem or "record"


_decode_errors = 0
_surrogateescape = codecs.lookup_error("surrogateescape")


def _escape_and_count(exc: UnicodeError) -> tuple[str, int]:
    global _decode_errors
    _decode_errors += 1
    return _surrogateescape(exc)  # type: ignore[arg-type]


# "surrogateescape" that also counts: a reader checks its text for undecodable bytes only
# after this count has moved, instead of scanning every row of every clean file.
ESCAPE_AND_COUNT = "graphbuild-surrogateescape"
codecs.register_error(ESCAPE_AND_COUNT, _escape_and_count)


def decode_error_count() -> int:
    """How many undecodable byte runs `ESCAPE_AND_COUNT` has met so far (process-wide)."""
    return _decode_errors


def undecodable_at(text: str) -> int:
    """Offset of the first byte that was not UTF-8 (text decoded with surrogateescape), or -1."""
    match = _UNDECODABLE.search(text)
    return match.start() if match else -1


def encoding_reject(
    file: str, record: str, field: str, text: str, offset: int, line: int | None = None
) -> Reject:
    """A Reject for bytes that are not UTF-8, quoting the offending byte and its context."""
    byte = ord(text[offset]) - 0xDC00
    before = _UNDECODABLE.sub("?", text[max(0, offset - 20) : offset])
    where = f" on line {line}" if line else ""
    return Reject(
        file,
        record,
        field,
        f"not UTF-8 text: byte 0x{byte:02x}{where} after {before!r} (re-save the file as UTF-8)",
    )


class Rewound(io.RawIOBase):
    """A stream whose first bytes were already read (to sniff a format, or to try a whole-
    document parse): serves those bytes again, then the rest. Works on non-seekable streams
    (stdin, gzip, zip members); wrap it in `io.BufferedReader`."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
