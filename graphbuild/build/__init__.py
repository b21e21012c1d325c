"""The build: read -> extract -> triples -> store -> vocabulary -> reason -> validate -> outputs.

One module per job:

- `process`: one record -> its trial graph serialized (runs in the workers; never raises);
- `stream`: records read lazily and sent through a process pool in chunks, results in order;
- `load`: the serialized graphs bulk-loaded in the background and spooled for the outputs;
- `steps`: store-level steps shared by a build and a re-ingest (vocabulary, inference,
  validation, counts);
- `provenance`: the input files and their checksums;
- `commit`: the staged build made current in one atomic step, under a lock on the folder;
- `run`: `build`, which strings them together; `ingest`: re-ingest into an existing store;
- `add`: `graphbuild add`, records into a build, derived graphs updated for the change
  (`delta`, `revalidate`).
- `progress`: the stages a build announces to its caller (the CLI draws them as bars).
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["build", "ingest", "process_record", "refresh_inferred", "refresh_vocabulary"]

# Each name is imported from its module when first used (PEP 562), so `graphbuild add`, which
# needs `add` and `process` only, does not load the whole build pipeline and its validation.
# `ingest` is imported here, not lazily: its module has the same name, and importing the
# module would otherwise leave the module, not the function, as `graphbuild.build.ingest`.
from graphbuild.build.ingest import ingest  # noqa: E402

_HOMES = {
    "build": "graphbuild.build.run",
    "process_record": "graphbuild.build.process",
    "refresh_inferred": "graphbuild.build.steps",
    "refresh_vocabulary": "graphbuild.build.steps",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    try:  # a submodule (`from graphbuild.build import run`)
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
