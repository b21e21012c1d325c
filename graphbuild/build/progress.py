"""How a build tells its caller where it is: stages, each with a total when one is known.

The build knows nothing of terminals: the caller (the CLI's progress bars, a test) hands in a
`StageListener` and the build calls it. A plain `progress(done, rejected)` callable, the
older form, is still accepted and hears about the records only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["SILENT", "RecordProgress", "StageListener", "listener_for"]

RecordProgress = Callable[[int, int], None]  # (records done, records rejected)

# The stages of a build, in order (a stage that does not run is not announced).
COUNTING = "counting records"
READING = "reading and extracting"
LOADING = "loading the store"
VOCABULARY = "vocabulary"
REASONING = "reasoning"
VALIDATING = "validating (SHACL)"
OUTPUTS = "writing outputs"
HTML_REPORT = "writing report.html"


@runtime_checkable
class StageListener(Protocol):
    """Told by the build when a stage starts and how far it is."""

    wants_total: bool  # True: count the records first so the reading stage has a total

    def stage(self, name: str, total: int | None = None) -> None:
        """A stage starts (the one before it ended); `total` steps when known. Named again
        while it runs, it gets the total it did not have at its start."""

    def advance(self, done: int, rejected: int = 0) -> None:
        """`done` steps of the current stage are done (`rejected` records so far, when
        reading)."""


class _Silent:
    wants_total = False

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, done: int, rejected: int = 0) -> None:
        pass


SILENT = _Silent()


class _Records(_Silent):
    """A `progress(done, rejected)` callable, told about the reading stage only."""

    def __init__(self, callback: RecordProgress) -> None:
        self.callback = callback
        self.reading = False

    def stage(self, name: str, total: int | None = None) -> None:
        self.reading = name == READING

    def advance(self, done: int, rejected: int = 0) -> None:
        if self.reading:
            self.callback(done, rejected)


def listener_for(progress: StageListener | RecordProgress | None) -> StageListener:
    """The listener a build talks to, whatever form the caller gave."""
    if progress is None:
        return SILENT
    if isinstance(progress, StageListener):
        return progress
    return _Records(progress)
