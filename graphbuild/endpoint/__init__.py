"""The read-only SPARQL 1.1 Protocol endpoint, one concern per module, in the order a request
travels:

    app           the HTTP request (Starlette, with CORS): route it, read the query (GET, form
                  POST, sparql-query body), answer with the headers a cut result needs
    guard         refuse what may not run, from the *parsed* query: updates and LOAD (403),
                  SERVICE and anything unparseable (400); tell FROM / FROM NAMED
    negotiation   pick the answer's format from `format=` (aliases, repeats) or Accept (406)
    workers       the fair line and the worker processes (per-client turns, a slow lane,
                  the time limit: 503 and a kill past it)
    sandbox       take the worker processes off the network where the system allows it
    jobs          inside the worker: run the query, serialize at most max_rows rows with
                  pyoxigraph's own serializers

`server` starts it all on Uvicorn (`make_server`), `config` holds the defaults and limits,
`pages` the HTML (the stored-query list, the form, result pages), `errors` the two ways a
request gets no result.

The public entry point is `graphbuild.serve`, which re-exports every public name here. This
`__init__` imports nothing, so a spawned worker process imports only what it runs.
"""
