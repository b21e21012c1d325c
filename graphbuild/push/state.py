"""What a target holds after our pushes, kept in `push-state.json` in the build folder: per
target URL, the hash of every graph the server confirmed, and the position of a push that
stopped midway (so running the same push again continues there). Written atomically after
every batch, so a push killed at any point loses at most the batch in flight."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["STATE_FILE", "PushState", "TargetState"]

STATE_FILE = "push-state.json"


@dataclass
class TargetState:
    """One target: `graphs` maps graph IRI -> SHA-256 the server holds; `run` is the unfinished
    push (`{"build": key, "position": n}`) or None."""

    graphs: dict[str, str] = field(default_factory=dict)
    run: dict[str, object] | None = None


class PushState:
    """The state file of one build folder."""

    def __init__(self, path: Path, targets: dict[str, TargetState]) -> None:
        self.path = path
        self.targets = targets

    @classmethod
    def load(cls, directory: Path) -> PushState:
        path = directory / STATE_FILE
        if not path.is_file():
            return cls(path, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            targets = {
                url: TargetState(dict(entry.get("graphs", {})), entry.get("run"))
                for url, entry in data.get("targets", {}).items()
            }
        except (ValueError, AttributeError, TypeError) as exc:
            raise ValueError(f"{path}: not a push state file ({exc}); remove it to push everything") from exc
        return cls(path, targets)

    def target(self, url: str) -> TargetState:
        return self.targets.setdefault(url, TargetState())

    def save(self) -> None:
        data = {
            "version": 1,
            "targets": {
                url: {"graphs": dict(sorted(t.graphs.items())), "run": t.run}
                for url, t in sorted(self.targets.items())
            },
        }
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)
