"""An example on every help page, each one runnable as written from a checkout (it uses the
bundled `examples/` folder and the graph the first line builds into `out/`). The tests parse
these from the help texts and run them."""

from __future__ import annotations

import argparse
import textwrap

PROMPT = "  $ "
BUILD = "graphbuild build examples -o out"
PUSH_SERVER = "http://127.0.0.1:7879"

EXAMPLES: dict[str | None, tuple[str, ...]] = {
    None: (BUILD, "graphbuild query trial_antigens --graph out", "graphbuild stats --graph out"),
    "parse": ("graphbuild parse examples --format summary",),
    "convert": ("graphbuild convert --to flat examples -o out-flat",),
    "build": (
        BUILD,
        "graphbuild build examples -o out-quick --no-reason --no-validate --no-report-html -q",
    ),
    "add": (BUILD, "graphbuild add examples/002_2917b9526c9dc599.txt --graph out"),
    "validate": (BUILD, "graphbuild validate --graph out"),
    "reason": (BUILD, "graphbuild reason --graph out"),
    "queries": ("graphbuild queries --names",),
    "query": (
        BUILD,
        "graphbuild query trials_for_antigen --graph out --param antigen=BCMA",
        "graphbuild query antigen_disease_matrix --graph out --format csv",
    ),
    "serve": (BUILD, "graphbuild serve --graph out --port 0"),
    "export": (BUILD, "graphbuild export gexf --graph out -o out.gexf"),
    "report": (BUILD, "graphbuild report --graph out -o landscape.html"),
    "stats": (BUILD, "graphbuild stats --graph out --top 5"),
    "push": (BUILD, f"graphbuild push --graph out --sparql-gsp {PUSH_SERVER}/store"),
}
# What an example needs running beside it (said on the page, started by the tests).
NEEDS: dict[str | None, str] = {
    "push": "with a SPARQL server listening, e.g. "
    "`oxigraph serve --location server --bind 127.0.0.1:7879 --union-default-graph`",
}


def example_text(command: str | None) -> str:
    lines = EXAMPLES.get(command, ())
    if not lines:
        return ""
    body = "\n".join(PROMPT + line for line in lines)
    if command in NEEDS:
        body += f"\n  ({NEEDS[command]})"
    tail = (
        "\n\n`graphbuild COMMAND --help` shows each command's options and an example."
        if command is None
        else ""
    )
    return f"example (from a checkout, on the bundled examples):\n{body}{tail}"


def add_example(parser: argparse.ArgumentParser, command: str | None, width: int = 88) -> None:
    """Append the command's example to its help page, which is then printed as written (its
    one-line description is wrapped here)."""
    text = example_text(command)
    if not text:
        return
    if parser.description and "\n" not in parser.description:
        parser.description = textwrap.fill(parser.description, width)
    parser.epilog = f"{parser.epilog}\n\n{text}" if parser.epilog else text
    if not issubclass(parser.formatter_class, argparse.RawDescriptionHelpFormatter):
        parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep a command's own


def commands_in(help_text: str) -> list[str]:
    """The example commands of a help page, in order."""
    return [
        line[len(PROMPT) :].strip() for line in help_text.splitlines() if line.startswith(PROMPT)
    ]
