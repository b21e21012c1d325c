"""`graphbuild reason --graph DIR`: rebuild the inferred graph of a built graph's store.

The inferred graph (`gbr:graph/inferred`) is replaced as a whole: what the ontology entails
from the data now, nothing left over from earlier runs. Exit status: 0 on success, 1 when
reasoning fails (an inconsistent ontology, no Java for HermiT), 2 when the store cannot be
opened for writing. Files written by the build (graph.nq, graph.ttl) are not rewritten; use
`graphbuild export` for fresh files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Mirrors graphbuild.reason (tests check they agree), so `graphbuild --help` need not import
# rdflib and owlready2.
ENGINES = ("sparql", "hermit")
DEFAULT_ENGINE = "sparql"
DEFAULT_CHUNK_SIZE = 500


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reason",
        help="rebuild the inferred graph (CAR-T trials, directedAt, disease hierarchy)",
        description="Classify the ontology with HermiT and materialize what it entails about "
        "the data (defined trial classes, gb:directedAt, skos:broaderTransitive) into the "
        "inferred graph, replacing it.",
    )
    parser.add_argument(
        "--graph", metavar="DIR", help="a build folder with a store (required unless --show-rules)"
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT_ENGINE,
        help="instance reasoning: compiled SPARQL rules (fast) or HermiT on a compact view "
        "(slow; a cross-check) (default: %(default)s)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=DEFAULT_CHUNK_SIZE,
        metavar="N",
        help="trials per HermiT run with --engine hermit (default: %(default)s)",
    )
    parser.add_argument(
        "--show-rules",
        action="store_true",
        help="print the compiled SPARQL rules and exit",
    )
    parser.set_defaults(handler=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from graphbuild.reason import ReasoningError, materialize, rule_texts

    if args.show_rules:
        for name, sparql in rule_texts():
            print(f"# {name}\n{sparql}\n")
        return 0
    if args.graph is None:
        args.parser.error("--graph is required")  # exits 2
    if args.chunk_size < 1:
        args.parser.error("--chunk-size must be at least 1")
    try:
        store = _open_writable(Path(args.graph))
    except OSError as exc:
        print(f"graphbuild reason: {exc}", file=sys.stderr)
        return 2
    try:
        report = materialize(store, engine=args.engine, chunk_size=args.chunk_size)
    except ReasoningError as exc:
        print(f"graphbuild reason: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(report)
    return 0


def _open_writable(path: Path):
    """The build folder's Oxigraph store, read-write (reasoning writes the inferred graph)."""
    from graphbuild.queries import store_directory
    from graphbuild.store import GraphStore

    if not path.is_dir():
        raise FileNotFoundError(f"no build folder at {path}")
    return GraphStore.open(store_directory(path))
