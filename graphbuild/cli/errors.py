"""A failed command as one clear line and a hint, not a Python traceback (`--traceback` shows
the trace)."""

from __future__ import annotations

import sys
from typing import TextIO

TRACEBACK_HINT = "run again with --traceback for the full trace"


def hint_for(exc: BaseException) -> str:
    """What to try next, by the kind of failure."""
    name = type(exc).__name__
    if name == "BuildLocked":
        return "wait for the other build to finish, or build into another folder"
    if name in ("UnknownQueryError",):
        return "`graphbuild queries --names` lists the stored queries"
    if name in ("ParameterError", "QueryError", "QueryFileError"):
        return "`graphbuild queries` shows each query's parameters"
    if isinstance(exc, FileNotFoundError):
        return "check the path; `graphbuild build INPUT -o DIR` makes a graph folder"
    if isinstance(exc, PermissionError):
        return "check that you may write there, or choose another folder"
    if isinstance(exc, MemoryError):
        return "build with fewer --workers, or split the inputs"
    if isinstance(exc, OSError) and "lock" in str(exc).lower():
        return (
            "another process holds the store open (a build or `graphbuild serve`?); stop it first"
        )
    return TRACEBACK_HINT


def report_error(command: str | None, exc: BaseException, stream: TextIO | None = None) -> int:
    """Print `graphbuild CMD: error: ...` and a hint; the exit status for a failure (1)."""
    where = f"graphbuild {command}" if command else "graphbuild"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    (stream or sys.stderr).write(f"{where}: error: {message}\n  hint: {hint_for(exc)}\n")
    return 1
