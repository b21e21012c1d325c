"""The `graphbuild` command: a thin shell over the stages.

Each subcommand is one module in this package with `register(subparsers)` that adds its parser
and sets `handler`, a function `(args) -> int` (the exit status). Adding a command is adding a
module and naming it in `COMMANDS`; nothing else here changes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from graphbuild import __version__

# Modules of this package, in the order `graphbuild --help` lists them.
COMMANDS = ("parse", "build", "add", "validate", "reason", "queries", "query", "serve", "export")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="graphbuild",
        description="Build an RDF knowledge graph from clinical-trial records and question it.",
    )
    parser.add_argument("--version", action="version", version=f"graphbuild {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"graphbuild.cli.{name}")
        except ModuleNotFoundError as exc:  # a command whose stage is not installed
            if exc.name != f"graphbuild.cli.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `graphbuild query ... | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
