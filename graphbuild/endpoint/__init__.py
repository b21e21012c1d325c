"""The read-only SPARQL 1.1 Protocol endpoint, one concern per module, in the order a request
travels:

    handler       the HTTP request: route it, read the query (GET, form POST, sparql-query body)
    guard         refuse what may not run: updates, LOAD, SERVICE (403), non-queries (400)
    negotiation   pick the answer's format from `format=` or Accept (406 when none fits)
    workers       run it in a worker process under the time limit (503 and a kill past it)
    jobs          inside the worker: run the query, serialize at most max_rows rows

`server` starts it all (`make_server`), `config` holds the defaults and limits, `pages` lists
the stored queries (JSON and an HTML page), `errors` are the two ways a request gets no result.

The public entry point is `graphbuild.serve`, which re-exports every public name here. This
`__init__` imports nothing, so a spawned worker process imports only what it runs.
"""
