"""Taking concept links out of a trial's endpoints: what the trial-level rules share (cell
kinetics in a trial that gives no cells, generic response outside responding diseases, blood
levels of what the trial does not give). Each rule says which links go; this keeps every
endpoint that loses none as it was."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from graphbuild.model import ConceptLink, Endpoint


def drop_concepts(
    endpoints: tuple[Endpoint, ...], drop: Callable[[Endpoint, ConceptLink], bool]
) -> tuple[Endpoint, ...]:
    """The endpoints without the concept links `drop(endpoint, link)` is true of."""
    out = []
    for endpoint in endpoints:
        kept = tuple(c for c in endpoint.concepts if not drop(endpoint, c))
        out.append(endpoint if len(kept) == len(endpoint.concepts) else dataclasses.replace(endpoint, concepts=kept))
    return tuple(out)
