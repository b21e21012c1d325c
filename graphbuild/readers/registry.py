"""Readers found by name, never by `isinstance`: each format module registers its `read`.

A format module calls `register(...)` at import time; `load_all()` imports every module of
this package, so adding a format is adding a module (a test checks that every module with a
`read` function is registered).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from graphbuild.model import Record, Reject, SourceFormat
from graphbuild.readers.source import Source


class ReadFn(Protocol):
    def __call__(
        self, source: Source, name: str | None = None, *, member: str | None = None
    ) -> Iterator[Record | Reject]: ...


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    """A registered reader: its name (the format `detect` returns), the model's SourceFormat,
    the streaming `read` function and the module that defines it."""

    name: str
    format: SourceFormat
    read: ReadFn
    module: str


_READERS: dict[str, ReaderSpec] = {}
_loaded = False


def register(format: SourceFormat) -> Callable[[ReadFn], ReadFn]:
    """Decorator for a module's `read`: `@register(SourceFormat.JSON)`."""

    def decorate(read: ReadFn) -> ReadFn:
        name = str(format)
        existing = _READERS.get(name)
        if existing is not None and existing.module != read.__module__:
            raise ValueError(f"reader {name!r} already registered by {existing.module}")
        _READERS[name] = ReaderSpec(name, format, read, read.__module__)
        return read

    return decorate


def load_all() -> None:
    """Import every module of the readers package so that each registers itself."""
    global _loaded
    if _loaded:
        return
    package = importlib.import_module("graphbuild.readers")
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"graphbuild.readers.{info.name}")
    _loaded = True


def get(name: str) -> ReaderSpec:
    """The reader for a format name (`flat`, `csv`, `json`, `xml`)."""
    load_all()
    try:
        return _READERS[name]
    except KeyError:
        raise KeyError(
            f"no reader for format {name!r}; known: {', '.join(sorted(_READERS))}"
        ) from None


def names() -> tuple[str, ...]:
    """Registered format names, sorted."""
    load_all()
    return tuple(sorted(_READERS))


def specs() -> tuple[ReaderSpec, ...]:
    load_all()
    return tuple(_READERS[n] for n in sorted(_READERS))
