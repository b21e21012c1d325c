"""Options several commands share, declared once so they read and behave the same everywhere."""

from __future__ import annotations

import argparse

BUILD_FOLDER = "a build folder (graphbuild build -o DIR)"


def add_graph_option(parser: argparse.ArgumentParser, *, datasets: bool = True) -> None:
    """`--graph DIR`: the graph a command reads. `datasets`: an RDF dataset file (`.trig`,
    `.nq`) will do as well as a build folder (commands that only read the graph)."""
    parser.add_argument(
        "--graph",
        required=True,
        metavar="DIR",
        help=f"{BUILD_FOLDER} or an RDF dataset file (.trig, .nq)" if datasets else BUILD_FOLDER,
    )
