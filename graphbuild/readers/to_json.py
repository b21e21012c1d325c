"""Records and Rejects as JSON, and back: the `graphbuild parse` output format.

Dataclasses become objects with their fields in declaration order, enums their values,
tuples lists. A per-class field list is cached, so converting a full dump stays cheap.
`record_from_data` is the inverse, so JSON lines can be read back into typed Records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from functools import cache
from typing import Any

from graphbuild.model import (
    Arm,
    Intervention,
    MeshTerm,
    Outcome,
    OutcomeRole,
    Record,
    Reject,
    SourceFormat,
    SourceRef,
)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def to_data(obj: Any) -> Any:
    """A JSON-ready value for a Record, Reject or any part of them."""
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        return {name: to_data(getattr(obj, name)) for name in _field_names(type(obj))}
    if isinstance(obj, (tuple, list)):
        return [to_data(x) for x in obj]
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    raise TypeError(f"cannot convert {type(obj).__name__} to JSON")


def dumps(obj: Any) -> str:
    """One compact JSON line (non-ASCII kept as is)."""
    return json.dumps(to_data(obj), ensure_ascii=False, separators=(",", ":"))


def _tuple(items: Any) -> tuple[Any, ...]:
    return tuple(items or ())


def record_from_data(data: Mapping[str, Any]) -> Record:
    """The inverse of `to_data` for a Record."""
    values = dict(data)
    values["source"] = SourceRef(**values["source"])
    values["format"] = SourceFormat(values["format"])
    values["interventions"] = tuple(
        Intervention(
            **{
                **iv,
                "other_names": _tuple(iv.get("other_names")),
                "arm_labels": _tuple(iv.get("arm_labels")),
            }
        )
        for iv in values.get("interventions", ())
    )
    values["arms"] = tuple(
        Arm(**{**a, "intervention_names": _tuple(a.get("intervention_names"))})
        for a in values.get("arms", ())
    )
    values["outcomes"] = tuple(
        Outcome(**{**o, "role": OutcomeRole(o["role"])}) for o in values.get("outcomes", ())
    )
    for key in ("condition_mesh", "intervention_mesh"):
        values[key] = tuple(MeshTerm(**m) for m in values.get(key, ()))
    for key in ("conditions", "keywords", "phases", "collaborators"):
        values[key] = _tuple(values.get(key))
    values["origins"] = dict(values.get("origins", {}))
    return Record(**values)


def reject_from_data(data: Mapping[str, Any]) -> Reject:
    return Reject(**data)
