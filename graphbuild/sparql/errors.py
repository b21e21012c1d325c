"""The errors of stored queries, one family so a caller can catch `QueryError` for all of them
and still tell a wrong name (404 at the endpoint) from a wrong value (400)."""

from __future__ import annotations


class QueryError(Exception):
    """Anything wrong with finding, binding or running a stored query."""


class UnknownQueryError(QueryError, LookupError):
    """The name is not a stored query. The message lists the ones that exist."""


class ParameterError(QueryError, ValueError):
    """A parameter is missing, unknown or has a value its type does not accept. The message
    says which parameters the query takes."""


class QueryFileError(QueryError):
    """A `.rq` file whose header is malformed (no title, a param of unknown type, ...)."""
