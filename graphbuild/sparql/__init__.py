"""Stored SPARQL queries, one step per module, in the order a query travels:

    catalog   find a `.rq` file in queries/ and read its header (title, description, params)
    params    what each declared parameter accepts, and its text turned into one RDF term
    binding   those terms joined into the query text as a checked VALUES block
    run       the query run on a store (see `graphs` to open one); rows as terms or values
    results   rows written out: a text table, CSV, and (through pyoxigraph) SPARQL results

`tokenize` finds where the WHERE group opens, for `binding`. `terms` and `errors` are shared
by all of them.

The public entry point is `graphbuild.queries`, which re-exports every public name here; this
package's `__init__` imports nothing so a worker process can import one step cheaply.
"""
