"""Opening a graph to question: a build folder's Oxigraph store (read-only, so any number of
readers can share it) or an RDF dataset file loaded into memory."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

_RDF_FILE_FORMATS = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
}
# Where a build folder may keep its Oxigraph store, the folder itself last.
STORE_SUBDIRS = ("store", "oxigraph", "")


def store_directory(path: Path) -> Path:
    """The Oxigraph directory of a build folder (`graphbuild build -o DIR`), or DIR itself."""
    for sub in STORE_SUBDIRS:
        candidate = path / sub if sub else path
        if (candidate / "CURRENT").is_file():  # RocksDB's marker file
            return candidate
    raise FileNotFoundError(
        f"no graph store in {path} (build one with `graphbuild build -o {path}`)"
    )


def open_graph(path: str | Path) -> ox.Store:
    """A store to question, read-only: a build folder (its Oxigraph store, opened read-only so
    any number of readers can share it; its `graph.nq` when the build kept no store), or an
    RDF dataset file (TriG, N-Quads, Turtle, N-Triples) loaded into memory. Module-level, so
    a worker process can be handed it."""
    path = Path(path)
    if path.is_file():
        fmt = _RDF_FILE_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"{path}: not a known RDF file ({', '.join(_RDF_FILE_FORMATS)})")
        store = ox.Store()
        store.bulk_load(path=str(path), format=fmt)
        return store
    if not path.is_dir():
        raise FileNotFoundError(f"no graph at {path}")
    if (path / "current").is_symlink():  # a build folder: its build in force, resolved once
        path = (path / "current").resolve()
    try:
        directory = store_directory(path)
    except FileNotFoundError:
        if (path / "graph.nq").is_file():  # a build kept in memory (`build --memory`)
            return open_graph(path / "graph.nq")
        raise
    # pyoxigraph's own read-only opening, what GraphStore.read_only wraps: a query needs the
    # store and nothing of GraphStore's (its rdflib view, its writers)
    return ox.Store.read_only(str(directory))
