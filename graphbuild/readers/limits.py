"""The caps on what one input may cost, and the checks that enforce them with a named Reject.

Readers are linear, but a linear stage still stalls on a 10 MB field or a gzip that inflates
a thousandfold. Every record passes `check_record` before extraction sees it; every archive
member and gzip stream is read through `Inflated`, which stops at the inflated-size caps and
turns a decompression failure into an `ArchiveError` naming what broke.

The caps sit far above anything ClinicalTrials.gov publishes (its longest free-text field,
the detailed description, holds at most 32,000 characters, a title 600; a CSV outcome cell of
100 outcomes is ~100 KB), so only broken or hostile input meets them. One-line fields get the
smaller cap because extraction reads them in ways that grow faster than their length.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from typing import BinaryIO

from graphbuild.model import Record, Reject

MAX_FIELD_CHARS = 256 << 10  # one free-text field: a summary or a description (characters)
MAX_LINE_CHARS = 8 << 10  # one one-line field: a title, name, measure, time frame, condition
MAX_RECORD_CHARS = 2 << 20  # all the text of one record (characters)
MAX_INFLATED_BYTES = 2 << 30  # one gzip stream or zip member, inflated
MAX_INFLATE_RATIO = 100  # inflated / compressed bytes, checked once RATIO_FLOOR bytes are out
RATIO_FLOOR = 16 << 20

_SURROGATE = re.compile("[\ud800-\udfff]")
_NCT_NUMBER = re.compile(r"NCT\d{8}")
_FREE_TEXT = ("summary", "description")  # record fields (and sub-fields) under MAX_FIELD_CHARS


class FieldTooLarge(ValueError):
    """A field over MAX_FIELD_CHARS, raised before an expensive parse of it."""

    def __init__(self, field: str, size: int) -> None:
        super().__init__(f"{size:,} characters, over the cap of {MAX_FIELD_CHARS:,} per field")
        self.field = field
        self.size = size


def check_field(field: str, text: str) -> None:
    """Raise FieldTooLarge when `text` is over the field cap."""
    if len(text) > MAX_FIELD_CHARS:
        raise FieldTooLarge(field, len(text))


class ArchiveError(Exception):
    """An archive member or gzip stream that cannot be read on: `field` names what is wrong
    (`compressed data`, `inflated size`, `compression method`, `encryption`...)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _suspects(record: Record) -> tuple[int, list[tuple[str, str, str]]]:
    """(characters of text in the record, [(attribute, field name, text)] of the strings that
    need a closer look: long or not ASCII). One loop, no recursion: it runs on every record."""
    total = 0
    suspects: list[tuple[str, str, str]] = []
    for attribute in _names(type(record)):
        if attribute in ("source", "origins", "format"):
            continue
        stack: list[tuple[object, str]] = [(getattr(record, attribute), attribute)]
        while stack:
            value, name = stack.pop()
            kind = type(value)
            if kind is str:
                total += len(value)  # type: ignore[arg-type]
                if len(value) > MAX_LINE_CHARS or not value.isascii():  # type: ignore[arg-type, union-attr]
                    suspects.append((attribute, name, value))  # type: ignore[arg-type]
            elif kind is tuple:
                stack.extend((item, name) for item in value)  # type: ignore[attr-defined]
            elif value is not None and dataclasses.is_dataclass(kind):
                stack.extend((getattr(value, sub), f"{name}.{sub}") for sub in _names(kind))
    return total, suspects


def check_record(record: Record) -> Record | Reject:
    """The record, or a Reject naming the field that is over a cap or holds a lone surrogate
    (text that cannot be written as UTF-8: an undecodable byte, a `\\ud800` JSON escape)."""
    if record.nct_id is not None and _NCT_NUMBER.fullmatch(record.nct_id) is None:
        shown = record.nct_id[:60].encode("utf-8", "backslashreplace").decode("utf-8")
        return _reject(record, record.origins.get("nct_id", "nct_id"), f"not an NCT number: {shown!r} (NCT and 8 digits)")
    total, suspects = _suspects(record)
    for attribute, name, text in suspects:
        field = record.origins.get(attribute, attribute) + name[len(attribute) :]
        cap = MAX_FIELD_CHARS if name.endswith(_FREE_TEXT) else MAX_LINE_CHARS
        if len(text) > cap:
            return _reject(record, field, f"{len(text):,} characters, over the cap of {cap:,} for this field")
        if (bad := _SURROGATE.search(text)) is not None:
            return _reject(
                record,
                field,
                f"not UTF-8 text: a lone surrogate U+{ord(bad.group()):04X} at character "
                f"{bad.start()} (an undecodable byte or a broken \\u escape)",
            )
    if total > MAX_RECORD_CHARS:
        return _reject(record, "(all fields)", f"{total:,} characters of text, over the cap of {MAX_RECORD_CHARS:,} per record")
    return record


def _reject(record: Record, field: str, reason: str) -> Reject:
    source = record.source
    where = f"{source.file}!{source.member}" if source.member else source.file
    trial = record.trial_id.encode("utf-8", "backslashreplace").decode("utf-8")
    return Reject(where, f"{source.record} ({trial})", field, reason)


class Counting(io.RawIOBase):
    """A byte stream that counts what has been read from it (the compressed side)."""

    def __init__(self, inner: BinaryIO) -> None:
        self.inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class Inflated(io.RawIOBase):
    """The inflated bytes of a gzip stream or zip member, within the caps. A decompression
    failure or a cap met raises ArchiveError (never zlib.error, BadZipFile or EOFError)."""

    def __init__(self, inner: BinaryIO, compressed: Callable[[], int], what: str) -> None:
        self.inner = inner
        self.compressed = compressed
        self.what = what
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        try:
            data = self.inner.read(len(buffer))
        except (zlib.error, zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise ArchiveError(
                "compressed data",
                f"{self.what}: corrupt or cut-short compressed data after {self.count:,} "
                f"inflated bytes ({type(exc).__name__}: {exc})",
            ) from None
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self.count > MAX_INFLATED_BYTES:
            raise ArchiveError(
                "inflated size", f"{self.what} inflates past {MAX_INFLATED_BYTES:,} bytes (the cap)"
            )
        if self.count > RATIO_FLOOR and self.count > MAX_INFLATE_RATIO * max(1, self.compressed()):
            raise ArchiveError(
                "inflated size",
                f"{self.what} inflates more than {MAX_INFLATE_RATIO}x its compressed size "
                f"({self.count:,} bytes from {self.compressed():,}): a decompression bomb",
            )
        return n
