"""The build's stages as progress bars on the terminal (rich), and with `-v` one line per
finished stage. The build calls this through `graphbuild.build.progress.StageListener`; only
the CLI knows the terminal."""

from __future__ import annotations

import time
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class StageBars:
    """One bar per stage: a total, time elapsed and time left where the stage has a total, a
    spinner where it has none. `bars=False` draws nothing; `verbose` prints each stage's
    duration when it ends (bars or not)."""

    wants_total = True

    def __init__(self, stream: TextIO, *, bars: bool, verbose: bool = False) -> None:
        self.console = Console(file=stream, force_terminal=bars or None, highlight=False)
        self.verbose = verbose
        self.bars: Progress | None = None
        if bars:
            self.bars = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<26}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[note]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                TextColumn("left"),
                console=self.console,
                transient=False,
            )
            self.bars.start()
        self.wants_total = bars
        self.task: TaskID | None = None
        self.name = ""
        self.started = 0.0
        self.done = 0
        self.rejected = 0

    def stage(self, name: str, total: int | None = None) -> None:
        if name == self.name and self.bars is not None and self.task is not None:
            self.bars.update(self.task, total=total)  # the total came later (SHACL chunks)
            return
        self._end_stage()
        self.name, self.started, self.done, self.rejected = name, time.monotonic(), 0, 0
        if self.bars is not None:
            self.task = self.bars.add_task(name, total=total, note="")

    def advance(self, done: int, rejected: int = 0) -> None:
        self.done, self.rejected = done, rejected
        if self.bars is not None and self.task is not None:
            note = f"{rejected} rejected" if rejected else ""
            self.bars.update(self.task, completed=done, note=note)

    def _end_stage(self) -> None:
        if not self.name:
            return
        if self.bars is not None and self.task is not None:
            task = self.bars.tasks[self.task]
            self.bars.update(
                self.task,
                total=task.total or max(self.done, 1),
                completed=task.total or max(self.done, 1),
            )
            self.bars.stop_task(self.task)
        if self.verbose:
            steps = f": {self.done}" + (f" ({self.rejected} rejected)" if self.rejected else "")
            seconds = time.monotonic() - self.started
            self.console.print(f"  {self.name}{steps if self.done else ''} in {seconds:.1f} s")

    def close(self) -> None:
        """End the last stage and the display."""
        self._end_stage()
        self.name = ""
        if self.bars is not None:
            self.bars.stop()
