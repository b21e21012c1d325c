"""Exporters by name: each format module registers itself; callers look formats up by name.

The CLI and the pipeline never import an exporter directly nor test its type: they ask this
registry (`get("neo4j")`), so adding a format is adding one module to this package. Every
module of the package except the shared plumbing (`SUPPORT_MODULES`) must register at least
one exporter; a test checks it, so a new module cannot be silently left out.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the store pulls in pyoxigraph; `graphbuild --help` should not need it
    from graphbuild.store import GraphStore

__all__ = [
    "SUPPORT_MODULES",
    "Exporter",
    "UnknownFormat",
    "export",
    "exporters",
    "get",
    "names",
    "register",
]

WriteFn = Callable[["GraphStore", Path], None]

# Modules of this package that are plumbing shared by the exporters, not formats.
SUPPORT_MODULES = frozenset({"registry", "atomic", "property_graph"})


class UnknownFormat(KeyError):
    """An export format nobody registered; the message lists the ones that exist."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known

    def __str__(self) -> str:
        return f"unknown export format {self.name!r}; registered formats: {', '.join(self.known)}"


@dataclass(frozen=True)
class Exporter:
    """One registered format: `write(store, path)` writes the whole graph to `path`
    atomically (a file, or a folder when `output == "directory"`)."""

    name: str
    description: str
    write: WriteFn
    module: str  # the module that registered it (checked by the test suite)
    output: str = "file"  # "file" or "directory"
    suffix: str = ""  # the usual file suffix, for help texts


_REGISTRY: dict[str, Exporter] = {}
_loaded = False


def register(
    name: str, description: str, *, output: str = "file", suffix: str = ""
) -> Callable[[WriteFn], WriteFn]:
    """Decorator: `@register("gexf", "GEXF 1.3 for Gephi", suffix=".gexf")` on a write function.
    Registering a name twice from two different modules is a programming error."""
    if output not in ("file", "directory"):
        raise ValueError(f"output must be 'file' or 'directory', not {output!r}")

    def decorate(write: WriteFn) -> WriteFn:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.module != write.__module__:
            raise ValueError(
                f"export format {name!r} registered by {existing.module} and {write.__module__}"
            )
        _REGISTRY[name] = Exporter(name, description, write, write.__module__, output, suffix)
        return write

    return decorate


def format_modules() -> list[str]:
    """The modules of this package that hold formats (everything but the plumbing)."""
    package = importlib.import_module(__package__ or "graphbuild.export")
    return sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name not in SUPPORT_MODULES and not info.name.startswith("_")
    )


def load_all() -> None:
    """Import every format module once, so each registers itself. Modules keep their heavy
    imports (rdflib, networkx, lxml) inside functions, so this stays cheap."""
    global _loaded
    if _loaded:
        return
    for module in format_modules():
        importlib.import_module(f"{__package__}.{module}")
    _loaded = True


def exporters() -> list[Exporter]:
    """Every registered exporter, sorted by name."""
    load_all()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def names() -> list[str]:
    return [exporter.name for exporter in exporters()]


def get(name: str) -> Exporter:
    load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownFormat(name, sorted(_REGISTRY)) from None


def export(name: str, store: GraphStore, path: str | Path) -> Exporter:
    """Write `store` as format `name` to `path`; returns the exporter used."""
    exporter = get(name)
    exporter.write(store, Path(path))
    return exporter
