"""Why a request gets no answer from a query: refused before it runs (with its HTTP status), or
abandoned when it ran past the time limit."""

from __future__ import annotations


class Refused(Exception):
    """A request the endpoint will not run, with the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class QueryTimeout(Exception):
    """The query did not finish within the time limit (its worker was killed)."""


class ShuttingDown(Refused):
    """The server is closing its worker pool: queries waiting or running end with 503."""

    def __init__(self) -> None:
        super().__init__(503, "the endpoint is shutting down; retry against a running server")
