"""The build: read -> extract -> triples -> store -> vocabulary -> reason -> validate -> outputs.

One module per job:

- `process`: one record -> its trial graph serialized (runs in the workers; never raises);
- `stream`: records read lazily and sent through a process pool in chunks, results in order;
- `load`: the serialized graphs bulk-loaded in the background and spooled for the outputs;
- `steps`: store-level steps shared by a build and a re-ingest (vocabulary, inference,
  validation, counts);
- `provenance`: the input files and their checksums;
- `commit`: the staged build made current in one atomic step, under a lock on the folder;
- `run`: `build`, which strings them together; `ingest`: re-ingest into an existing store.
- `progress`: the stages a build announces to its caller (the CLI draws them as bars).
"""

from graphbuild.build.ingest import ingest
from graphbuild.build.process import process_record
from graphbuild.build.run import build
from graphbuild.build.steps import refresh_inferred, refresh_vocabulary

__all__ = ["build", "ingest", "process_record", "refresh_inferred", "refresh_vocabulary"]
