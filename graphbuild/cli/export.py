"""`graphbuild export FORMAT --graph DIR -o PATH`: write a built graph in another format.

The formats are whatever `graphbuild.export.registry` holds; this module names none of them,
so a new exporter module shows up here (and in `--help`) without touching the CLI.

Exit status: 0 on success, 2 for an unknown format or bad usage, 1 when the graph cannot be
read or the output cannot be written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from graphbuild.cli.options import add_graph_option


def _format_list() -> str:
    from graphbuild.export import registry

    width = max(len(name) for name in registry.names())
    return "\n".join(
        f"  {e.name:<{width}}  {e.description}{' (a folder)' if e.output == 'directory' else ''}"
        for e in registry.exporters()
    )


_FORMATS_EPILOG = "formats:"  # filled in by _HelpWithFormats when the help is printed


class _HelpWithFormats(argparse.RawDescriptionHelpFormatter):
    """Lists the registered formats in `graphbuild export --help` only: loading the exporters
    to name them costs ~0.1 s of imports that no other command should pay."""

    def add_text(self, text: str | None) -> None:
        if text is not None and text.startswith(_FORMATS_EPILOG):  # the example may follow
            text = f"formats:\n{_format_list()}{text[len(_FORMATS_EPILOG):]}"
        super().add_text(text)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="write a built graph to another format (`graphbuild export --help` lists them)",
        description="Export a built graph (graphbuild build -o DIR) to another format. Output is "
        "written atomically: PATH holds the old export or the new one, never half of one.",
        epilog=_FORMATS_EPILOG,
        formatter_class=_HelpWithFormats,
    )
    parser.add_argument("format", metavar="FORMAT", help="one of the formats listed below")
    add_graph_option(parser, datasets=False)
    parser.add_argument(
        "-o", "--output", required=True, metavar="PATH", help="output file (a folder for neo4j)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graphbuild.export import registry

    try:
        exporter = registry.get(args.format)
    except registry.UnknownFormat as exc:
        print(f"graphbuild export: {exc}", file=sys.stderr)
        return 2

    from graphbuild.store import GraphStore  # the store loads only when an export runs

    started = time.perf_counter()
    try:
        store = GraphStore.from_build(args.graph, read_only=True)
    except (OSError, ValueError) as exc:
        print(f"graphbuild export: {exc}", file=sys.stderr)
        return 1
    try:
        exporter.write(store, Path(args.output))
    except OSError as exc:
        print(f"graphbuild export: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    seconds = time.perf_counter() - started
    print(f"wrote {exporter.name} to {args.output} in {seconds:.1f}s", file=sys.stderr)
    return 0
