"""Stored SPARQL queries: find them, read their headers, bind parameters, run, format.

A stored query is one `.rq` file in `queries/` (see `resources.queries_dir()`), a plain SPARQL
query that runs unchanged in any SPARQL tool. Its header says what it is for and what it takes:

    # title: Trials that target an antigen
    # description: Every trial directed at the antigen, with the basis of the link.
    #   (an indented comment line continues the field above it)
    # param: antigen hgnc_symbol — HGNC symbol (CD19) or a synonym (BCMA)
    # param: months integer = 12 — a parameter with a default is optional
    # param: concept concept_key (optional) — an optional parameter without a default

A parameter `name` binds the SPARQL variable `?name`. Values never become query text as given:
each is converted by its declared type into one RDF term, written in SPARQL syntax with every
quote and backslash escaped, checked to read back as exactly that term, and joined into the
query as a VALUES block at the start of the WHERE group (`graphbuild.sparql.binding` says why
not pyoxigraph's `substitutions`).

Rows come back as plain Python values (`run_query`) or as RDF terms with their columns
(`execute_query`), and format as an aligned text table, CSV, or SPARQL 1.1 Query Results JSON
(written by pyoxigraph; `to_solutions` hands rows to any of its results serializers, as the
HTTP endpoint, `graphbuild.serve`, does).

This module is the public entry point; the work is done in `graphbuild.sparql`, one module per
step (catalog -> params -> binding -> run -> results, see its docstring). Import from here.
"""

from __future__ import annotations

from graphbuild.resources import queries_dir
from graphbuild.sparql.binding import bind_params, bind_query, prepare, sparql_term, values_block
from graphbuild.sparql.catalog import QueryInfo, get_query, list_queries, load_query, parse_header
from graphbuild.sparql.errors import ParameterError, QueryError, QueryFileError, UnknownQueryError
from graphbuild.sparql.graphs import STORE_SUBDIRS, open_graph, store_directory
from graphbuild.sparql.params import PARAM_TYPES, Param, ParamType, parse_param
from graphbuild.sparql.results import (
    FORMATTERS,
    format_csv,
    format_json,
    format_result,
    format_table,
    to_solutions,
)
from graphbuild.sparql.run import (
    QueryResult,
    execute_query,
    execute_sparql,
    oxigraph_store,
    run_query,
    stream_sparql,
)
from graphbuild.sparql.terms import RDF_LANG_STRING, XSD, Term, term_text, term_to_python
from graphbuild.sparql.tokenize import QUERY_FORMS, Token, keywords, query_form, tokenize_sparql

__all__ = [
    "FORMATTERS",
    "PARAM_TYPES",
    "QUERY_FORMS",
    "RDF_LANG_STRING",
    "STORE_SUBDIRS",
    "XSD",
    "Param",
    "ParamType",
    "ParameterError",
    "QueryError",
    "QueryFileError",
    "QueryInfo",
    "QueryResult",
    "Term",
    "Token",
    "UnknownQueryError",
    "bind_params",
    "bind_query",
    "execute_query",
    "execute_sparql",
    "format_csv",
    "format_json",
    "format_result",
    "format_table",
    "get_query",
    "keywords",
    "list_queries",
    "load_query",
    "open_graph",
    "oxigraph_store",
    "parse_header",
    "parse_param",
    "prepare",
    "queries_dir",
    "query_form",
    "run_query",
    "sparql_term",
    "store_directory",
    "stream_sparql",
    "term_text",
    "term_to_python",
    "to_solutions",
    "tokenize_sparql",
    "values_block",
]
