"""The landscape report: one self-contained HTML page of what a built graph holds.

- `data`: the stored queries' rows the page is drawn from;
- `charts`: one plotly figure per chart (heatmap, endpoint concepts, time windows, phases,
  modalities, rejects);
- `network`: products with their antigens, diseases and endpoint concepts as a network;
- `page`: the HTML, plotly's script inlined once, with the build's figures.

It reads a store (like `graphbuild.export`) and never writes to it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphbuild.landscape.data import Landscape

__all__ = ["landscape_html", "read_build_report", "write_report"]


def landscape_html(
    store: Any,
    report: dict[str, Any] | None = None,
    title: str = "graphbuild",
    gathered: Landscape | None = None,
) -> str:
    """The page for `store` (a GraphStore or pyoxigraph.Store), with the build's figures from
    `report` (a build's report.json as a dict) when given; `gathered`: what
    `graphbuild.landscape.data.collect` already read of `store` (not read again)."""
    from graphbuild.landscape.data import collect
    from graphbuild.landscape.page import render

    return render(gathered if gathered is not None else collect(store), report, title)


def read_build_report(graph_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """A build folder's report.json, or None when it has none (a dataset file, say)."""
    path = Path(graph_dir) / "report.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_report(
    store: Any,
    path: str | os.PathLike[str],
    report: dict[str, Any] | None = None,
    title: str = "graphbuild",
    gathered: Landscape | None = None,
) -> Path:
    """Write the page to `path` (through a temporary file, so a reader never sees half)."""
    out = Path(path)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    # a file name with bytes that are not UTF-8 (in the build's figures) is written escaped
    tmp.write_bytes(landscape_html(store, report, title, gathered).encode("utf-8", "backslashreplace"))
    os.replace(tmp, out)
    return out
