"""`graphbuild report --graph DIR -o report.html`: the trial landscape as one HTML page.

Exit status: 0 when the page was written, 1 when the graph cannot be read or the page cannot
be written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from graphbuild.cli.options import add_graph_option


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the trial landscape of a built graph as one HTML page with plots",
        description="Write one self-contained HTML page (opens without a network) of a built "
        "graph: antigen x disease heatmap, endpoint concepts, time-frame windows, phases, "
        "modalities, a product network and the build's figures. `graphbuild build` writes it "
        "as DIR/report.html unless given --no-report-html.",
    )
    add_graph_option(parser)
    parser.add_argument(
        "-o",
        "--output",
        default="report.html",
        metavar="FILE",
        help="the page to write (default: %(default)s)",
    )
    parser.add_argument(
        "--title", default=None, help="the page's title (default: the graph's name)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from graphbuild.landscape import read_build_report, write_report
    from graphbuild.queries import open_graph

    graph = Path(args.graph)
    store = open_graph(graph)
    report = read_build_report(graph) if graph.is_dir() else None
    title = args.title or graph.resolve().name or "graphbuild"
    out = write_report(store, args.output, report, title)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0
