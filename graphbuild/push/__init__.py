"""Pushing a build into a server triplestore, one named graph per trial.

    graphs   the build's named graphs, each serialized canonically (sorted N-Triples) and hashed
    http     the HTTP client: credentials from the environment or netrc, retries with backoff
    targets  the two protocols: SPARQL 1.1 Graph Store HTTP Protocol (PUT per graph) and
             SPARQL 1.1 Update (DROP SILENT GRAPH + INSERT DATA, several graphs per request)
    state    what the server holds after the last push (per target): graph hashes and the
             position of an unfinished push, in a small JSON file in the build folder
    run      `push`, which strings them together
"""

from graphbuild.push.run import PushReport, push
from graphbuild.push.targets import GraphStoreTarget, Target, UpdateTarget

__all__ = ["GraphStoreTarget", "PushReport", "Target", "UpdateTarget", "push"]
