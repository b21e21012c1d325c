"""`graphbuild stats --graph DIR`: what a built graph holds, in a few lines.

Counts per node kind (the diseases trials name apart from the MeSH ancestors the vocabulary
graph brings along) and the antigens, diseases and endpoint concepts most trials share, all
from the stored queries (`graph_summary`, `trial_antigens`, `trial_conditions`,
`trial_endpoints`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from graphbuild.cli.options import add_graph_option

# (title, stored query, column to count by): trials per value
TOPS = (
    ("target antigens", "trial_antigens", "antigen_symbol"),
    ("diseases", "trial_conditions", "condition_label"),
    ("endpoint concepts", "trial_endpoints", "concept"),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="count what a built graph holds: node kinds, top antigens, diseases, endpoints",
        description="Print the number of nodes of each kind in a built graph and the target "
        "antigens, diseases and endpoint concepts with the most trials.",
    )
    add_graph_option(parser)
    parser.add_argument(
        "--top", type=int, default=10, metavar="N", help="rows per top list (default %(default)s)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run, parser=parser)


def top_values(rows: list[dict[str, object]], column: str, n: int) -> list[tuple[str, int]]:
    """The `n` values of `column` found in most distinct trials, most first, then by name."""
    trials: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.get(column):
            trials[str(row[column])].add(str(row["trial_id"]))
    return sorted(((v, len(t)) for v, t in trials.items()), key=lambda p: (-p[1], p[0]))[:n]


def collect(store: object, top: int) -> dict[str, object]:
    from graphbuild.queries import run_query

    counts = {str(r["kind"]): int(r["n"] or 0) for r in run_query(store, "graph_summary")}
    tops = {
        title: top_values(run_query(store, query), column, top) for title, query, column in TOPS
    }
    return {"counts": counts, "top": tops}


def run(args: argparse.Namespace) -> int:
    from graphbuild.queries import open_graph

    if args.top < 1:
        args.parser.error("--top must be at least 1")
    stats = collect(open_graph(args.graph), args.top)
    if args.format == "json":
        json.dump(stats, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    counts: dict[str, int] = stats["counts"]  # type: ignore[assignment]
    width = max(map(len, counts))
    print("nodes")
    for kind, n in counts.items():
        print(f"  {kind:<{width}}  {n:>7}")
    for title, values in stats["top"].items():  # type: ignore[union-attr]
        print(f"\ntop {title} (trials)")
        name_width = max((len(v) for v, _ in values), default=0)
        for value, n in values:
            print(f"  {value:<{name_width}}  {n:>5}")
    return 0
