"""A JSON document of studies, cut study by study: the bytes of each study found by a
bracket-and-string scan (no parse), so each study is parsed on its own and one broken study
is one failure with its true position, never the end of the file.

The scan reads the stream in chunks and keeps only the current study in memory. It knows
three shapes: a bare array of studies, a `{"studies": [...]}` page, and top-level values one
after another (one study per line). When a study does not parse, the scan resynchronizes on
the next `{"protocolSection"` (how every API v2 study begins), so the studies after the
damage are read whatever the damage did to the brackets.

Positions are absolute: byte offset, line and byte column in the document.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import ijson

try:  # orjson parses ~2.5x faster; the stdlib stays the fallback and the diagnosis
    from orjson import JSONDecodeError as FastError
    from orjson import loads as fast_loads
except ImportError:  # pragma: no cover - exercised where orjson is absent
    FastError = json.JSONDecodeError  # type: ignore[misc,assignment]
    fast_loads = json.loads

CHUNK = 1 << 20
MAX_STUDY_BYTES = 64 << 20  # one study bigger than this ends the file (named)
_WS = b" \t\n\r"
_OUTSIDE = re.compile(rb'[\[\]{}"]')  # what changes the depth outside a string
_INSIDE = re.compile(rb'["\\]')  # what ends (or escapes in) a string
_STUDY_START = re.compile(rb'\{\s*"protocolSection"\s*:')
_STUDIES_KEY = re.compile(rb'\A\{\s*"studies"\s*:\s*\[')
_BOM = b"\xef\xbb\xbf"
_NCT = re.compile(rb"NCT\d{8}")
_STOPS = "the JSON text stops inside this study"
_NOT_CLOSED = "the array is not closed"


@dataclass(frozen=True, slots=True)
class Broken:
    """A study that could not be parsed: where, and why."""

    index: int  # the study's index in the document
    offset: int  # byte offset of the problem
    line: int
    column: int  # byte column, 1-based
    message: str
    field: str  # the JSON path inside the study where it breaks (ijson's prefix)
    trial_id: str | None  # the study's NCT number, when it is readable before the damage

    @property
    def truncated(self) -> bool:
        """The document ends inside this study (rather than breaking in the middle)."""
        return self.message in (_STOPS, _NOT_CLOSED)


class _Buffer:
    """The bytes of a stream, read on demand, with absolute offsets and line numbers."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.buf = bytearray()
        self.base = 0  # absolute offset of buf[0]
        self.base_line = 1  # line number at buf[0]
        self.base_line_start = 0  # absolute offset where that line starts
        self.eof = False

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        if self.base == 0 and not self.buf and chunk.startswith(_BOM):
            chunk = chunk[3:]
            self.base = 3
            self.base_line_start = 3
        self.buf += chunk
        return True

    def at(self, i: int) -> int | None:
        """The byte at buffer index i (reading more as needed), None at end."""
        while i >= len(self.buf):
            if not self.fill():
                return None
        return self.buf[i]

    def skip_ws(self, i: int) -> int:
        while True:
            byte = self.at(i)
            if byte is None or byte not in _WS:
                return i
            i += 1

    def drop(self, i: int) -> None:
        """Forget buf[:i] (consumed), keeping positions absolute."""
        if i <= 0:
            return
        dropped = self.buf[:i]
        newlines = dropped.count(b"\n")
        if newlines:
            self.base_line += newlines
            self.base_line_start = self.base + dropped.rindex(b"\n") + 1
        self.base += i
        del self.buf[:i]

    def position(self, i: int) -> tuple[int, int, int]:
        """(absolute offset, line, byte column) of buffer index i."""
        newlines = self.buf.count(b"\n", 0, i)
        if newlines:
            line_start = self.base + self.buf.rindex(b"\n", 0, i) + 1
        else:
            line_start = self.base_line_start
        offset = self.base + i
        return offset, self.base_line + newlines, offset - line_start + 1

    def value_end(self, start: int) -> int | None:
        """Index just past the JSON value starting at `start`, by brackets and strings only;
        None when the stream ends first or the value outgrows MAX_STUDY_BYTES."""
        first = self.at(start)
        if first is None:
            return None
        if first not in b"[{\"":
            i = start
            while (byte := self.at(i)) is not None and byte not in b",]}" and byte not in _WS:
                i += 1
            return i
        depth, i, inside = 0, start, False
        while True:
            if i - start > MAX_STUDY_BYTES:
                return None
            match = (_INSIDE if inside else _OUTSIDE).search(self.buf, i)
            if match is None:
                i = len(self.buf)
                if not self.fill():
                    return None
                continue
            i = match.end()
            byte = match.group()
            if inside:
                if byte == b"\\":
                    if self.at(i) is None:
                        return None
                    i += 1
                else:
                    inside = False
                    if depth == 0:
                        return i
            elif byte == b'"':
                inside = True
            elif byte in b"[{":
                depth += 1
            else:
                depth -= 1
                if depth <= 0:
                    return i

    def find_study(self, i: int) -> int | None:
        """Index of the next `{"protocolSection"` at or after i, None at end of stream."""
        while True:
            match = _STUDY_START.search(self.buf, i)
            if match is not None:
                return match.start()
            i = max(i, len(self.buf) - 64)  # a match may straddle the chunk boundary
            if not self.fill():
                return None


def _parse(data: bytes) -> tuple[Any, tuple[int, str] | None]:
    """(value, None), or (None, (byte offset in data, message)) when it does not parse."""
    try:
        return fast_loads(data), None
    except (FastError, ValueError, RecursionError):
        pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, (exc.start, f"not UTF-8: byte 0x{data[exc.start]:02x}")
    try:
        return json.loads(text), None
    except RecursionError:
        return None, (0, "nested too deep (more than 1,000 levels): not a study")
    except json.JSONDecodeError as exc:
        message = exc.msg[:1].lower() + exc.msg[1:]
        return None, (len(text[: exc.pos].encode("utf-8")), message.removesuffix(" at"))


def studies(stream: BinaryIO) -> Iterator[tuple[int, Any] | Broken]:
    """(index, study value) for each study of the document, or a `Broken` for one that does
    not parse (the scan then goes on with the next study)."""
    buf = _Buffer(stream)
    index = 0
    i = buf.skip_ws(0)
    while (first := buf.at(i)) is not None:
        if first == ord("["):  # a bare array of studies
            i += 1
            for item in _elements(buf, i, index, "[{}]"):
                if isinstance(item, int):
                    i = item
                    break
                index += 1
                yield item
            else:
                return
        elif first == ord("{") and _page(buf, i):  # {"studies": [...], ...}
            i = buf.buf.index(b"[", i) + 1
            for item in _elements(buf, i, index, "studies[{}]"):
                if isinstance(item, int):
                    i = _after_page(buf, item)
                    break
                index += 1
                yield item
            else:
                return
        else:  # one study (or one per line)
            item, i = _one(buf, i, index, "[{}]" if index else "study {}")
            index += 1
            yield item
        buf.drop(i)
        i = buf.skip_ws(0)
        if buf.at(i) == ord(","):  # tolerated between top-level values
            i = buf.skip_ws(i + 1)


def _page(buf: _Buffer, i: int) -> bool:
    while len(buf.buf) - i < 4096 and buf.fill():
        pass
    return _STUDIES_KEY.match(bytes(buf.buf[i : i + 4096])) is not None


def _after_page(buf: _Buffer, i: int) -> int:
    """Past the rest of a page object (`, "nextPageToken": "..."}`) after its studies array."""
    depth = 1
    while (byte := buf.at(i)) is not None:
        if byte == ord('"'):
            end = buf.value_end(i)
            if end is None:
                return len(buf.buf)
            i = end
            continue
        if byte in b"[{":
            depth += 1
        elif byte in b"]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _one(buf: _Buffer, i: int, index: int, path: str) -> tuple[tuple[int, Any] | Broken, int]:
    """The top-level value at i, and where the scan goes on."""
    end = buf.value_end(i)
    if end is None:
        resume = buf.find_study(i + 1)
        if resume is None:
            return _broken(buf, i, len(buf.buf), index, path, _STOPS), len(buf.buf)
        return _unclosed(buf, i, resume, index, path), resume
    value, error = _parse(bytes(buf.buf[i:end]))
    if error is None:
        return (index, value), end
    at = i + error[0]
    resume = buf.find_study(max(at, i + 1))
    return _broken(buf, i, at, index, path, error[1]), (resume if resume is not None else len(buf.buf))


def _elements(
    buf: _Buffer, i: int, index: int, path: str
) -> Iterator[tuple[int, Any] | Broken | int]:
    """The elements of the array whose `[` is just before i; ends by yielding the index past
    its `]` (an int), or simply stops at the end of the stream."""
    i = buf.skip_ws(i)
    if buf.at(i) == ord("]"):
        yield i + 1
        return
    while True:
        i = buf.skip_ws(i)
        start = i
        end = buf.value_end(start)
        if end is None:
            if buf.at(start) is None:
                yield _broken(buf, start, start, index, path, _NOT_CLOSED)
                return
            # brackets never close: damage inside this study, or the text stops in it
            resume = buf.find_study(start + 1)
            if resume is None:
                yield _broken(buf, start, len(buf.buf), index, path, _STOPS)
                return
            yield _unclosed(buf, start, resume, index, path)
            index += 1
            buf.drop(resume)
            i = 0
            continue
        value, error = _parse(bytes(buf.buf[start:end]))
        if error is not None:
            at = start + error[0]
            yield _broken(buf, start, at, index, path, error[1])
            index += 1
            resume = buf.find_study(max(at, start + 1))
            if resume is None:
                return
            buf.drop(resume)
            i = 0
            continue
        yield index, value
        index += 1
        buf.drop(end)
        i = buf.skip_ws(0)
        nxt = buf.at(i)
        if nxt == ord(","):
            i += 1
            continue
        if nxt == ord("]"):
            yield i + 1
            return
        if nxt is None:
            yield _broken(buf, i, i, index, path, _NOT_CLOSED)
            return
        # garbage between studies: one reject for it, then the next study
        resume = buf.find_study(i)
        yield _broken(buf, i, i, index, path, "expected ',' or ']' after a study")
        index += 1
        if resume is None:
            return
        buf.drop(resume)
        i = 0


def _unclosed(buf: _Buffer, start: int, resume: int, index: int, path: str) -> Broken:
    """A study whose brackets never close before the next study begins: the parse of its
    bytes says where it breaks."""
    data = bytes(buf.buf[start:resume]).rstrip(b" \t\r\n,")
    _, error = _parse(data)
    at, message = error if error is not None else (len(data), "the study is not closed")
    return _broken(buf, start, start + at, index, path, message)


def _broken(buf: _Buffer, start: int, at: int, index: int, path: str, message: str) -> Broken:
    at = min(at, len(buf.buf))
    offset, line, column = buf.position(at)
    data = bytes(buf.buf[start : at + 1])
    head = bytes(buf.buf[start : max(at + 1, start + 4096)])  # where the NCT number is
    nxt = _STUDY_START.search(head, 1)
    nct = _NCT.search(head[: nxt.start()] if nxt else head)
    field = "" if message.startswith("nested too deep") else _error_path(data)
    return Broken(
        index, offset, line, column, message, field or f"top level of study {index}",
        nct.group().decode() if nct else None,
    )


def _error_path(data: bytes) -> str:
    """Where in the study the bytes stop making JSON: the path ijson had reached
    (`protocolSection.outcomesModule.primaryOutcomes[].measure`)."""
    prefix, event, value = "", "", None
    with contextlib.suppress(Exception):  # the error itself is known; only the path is wanted
        for prefix, event, value in ijson.parse(io.BytesIO(data)):
            pass
    if event == "map_key":  # the key is read, its value is where it breaks
        prefix = f"{prefix}.{value}" if prefix else str(value)
    return prefix.replace(".item", "[]")[:300]
