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
from graphbuild.cli.errors import report_error
from graphbuild.cli.examples import add_example

TRACEBACK = "--traceback"

# Modules of this package, in the order `graphbuild --help` lists them.
COMMANDS = (
    "parse",
    "convert",
    "build",
    "add",
    "validate",
    "reason",
    "queries",
    "query",
    "serve",
    "export",
    "report",
    "stats",
    "push",
)


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand `argv` names (its first word that is not an option), if it is one."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `only` one command's parser: a run of one command
    imports that command's modules alone (`graphbuild query` needs no readers, no rdflib)."""
    parser = argparse.ArgumentParser(
        prog="graphbuild",
        description="Build an RDF knowledge graph from clinical-trial records and question it.",
    )
    parser.add_argument("--version", action="version", version=f"graphbuild {__version__}")
    parser.add_argument(TRACEBACK, action="store_true", help="on a failure, show the full trace")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only else COMMANDS:
        try:
            module = importlib.import_module(f"graphbuild.cli.{name}")
        except ModuleNotFoundError as exc:  # a command whose stage is not installed
            if exc.name != f"graphbuild.cli.{name}":
                raise
            continue
        module.register(subparsers)
    add_example(parser, None)
    for name, sub in subparsers.choices.items():  # `graphbuild CMD ... --traceback` too
        add_example(sub, name)
        sub.add_argument(
            TRACEBACK,
            action="store_true",
            default=argparse.SUPPRESS,
            help="on a failure, show the full trace",
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_of(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `graphbuild query ... | head`: the reader stopped, not an error
        _silence_stdout()
        return 0
    except Exception as exc:  # one clear line and a hint; the trace only when asked
        if args.traceback:
            raise
        return report_error(args.command, exc)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again on the
    closed pipe (the recipe of Python's signal documentation)."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
