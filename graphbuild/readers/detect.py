"""Which reader a byte stream needs, from its first bytes (never from its file name).

`detect_format(head)` returns one of the registered reader names (`json`, `xml`, `csv`,
`flat`) or a container/problem kind (`zip`, `gzip`, `empty`, `binary`). Readers and
`read_inputs` call it on the first `HEAD_SIZE` bytes only, so detection costs nothing on big
files.
"""

from __future__ import annotations

import csv

from graphbuild.readers.csv_export import KNOWN_COLUMNS

HEAD_SIZE = 8192

ZIP = "zip"
GZIP = "gzip"
EMPTY = "empty"
BINARY = "binary"
CONTAINERS = (ZIP, GZIP)

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a member, or an empty archive
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")


def is_binary(head: bytes, *, structured: bool = False) -> bool:
    """NUL bytes, or many control characters: not text in any encoding the readers accept.
    In a `structured` head (JSON or XML by its first byte) a stray NUL counts as one more
    control byte: it is damage in one record, which that reader rejects, not a reason to
    drop every record of the file (UTF-16 without a BOM still has a NUL every other byte)."""
    if b"\x00" in head and not structured:
        return True
    controls = sum(1 for b in head if b < 32 and b not in _TEXT_CONTROLS)
    return controls > max(4, len(head) // 50)


def _csv_header(head: bytes) -> list[str]:
    line = head.split(b"\n", 1)[0].decode("utf-8", "replace").rstrip("\r")
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def detect_format(head: bytes) -> str:
    """The format of a stream whose first bytes are `head`."""
    if head.startswith(_ZIP_MAGIC):
        return ZIP
    if head.startswith(_GZIP_MAGIC):
        return GZIP
    text = head[3:] if head.startswith(_UTF8_BOM) else head
    stripped = text.lstrip()
    if head.startswith(_UTF16_BOMS) or is_binary(head, structured=stripped[:1] in (b"{", b"[", b"<")):
        return BINARY
    if not stripped:
        return EMPTY
    first = stripped[:1]
    if first in (b"{", b"["):
        return "json"
    if first == b"<":
        return "xml"
    if any(cell.strip() in KNOWN_COLUMNS for cell in _csv_header(text)):
        return "csv"
    return "flat"
