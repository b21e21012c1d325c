"""Overall response (ORR) is how a disease answers treatment as cancer, blood and immune
disease trials measure it. Outside them the same generic words name the field's own scales: the
"remission rate" of a PTSD checklist, the "treatment response" of visual acuity, the "responder
rate" of a wrinkle score. The concept matcher reads one outcome at a time, so this rule, which
needs the trial's diseases, runs over the trial's endpoints afterwards (as the cell-kinetics rule
does).

An ORR link is dropped only when all three hold: the trial's conditions are grounded, none of
them is a neoplasm, a hemic or lymphatic disease or an immune system disease (MeSH C04, C15,
C20, and the inflammatory bowel diseases: GVHD and autoimmune responses are kept), and every
word the link rests on is generic (no "overall", "objective", "ORR", "tumour", "antitumour",
"leukaemic"). A trial whose diseases are unknown keeps its links: the rule removes what the text
contradicts, never what it cannot see."""

from __future__ import annotations

import re
from collections.abc import Iterable

from graphbuild.extract.endpoints.pruning import drop_concepts
from graphbuild.model import DiseaseLink, Endpoint
from graphbuild.vocab import mesh

# MeSH disease branches whose trials report responses in ORR's sense; inflammatory bowel
# diseases are immune-mediated though MeSH files them under digestive diseases only (a Crohn's
# trial's "clinical response" is its disease's response)
RESPONDING_BRANCHES = ("C04", "C15", "C20", "C06.405.205.731", "C06.405.469.432")
_SPECIFIC = re.compile(r"overall|objective|\bORR\b|tumou?r|leuk|lymphom|myelom|cancer|malignan", re.IGNORECASE)


def responds_as_orr(diseases: Iterable[DiseaseLink]) -> bool:
    """Is any of the trial's diseases of a kind whose response ORR means? True when none is
    known (nothing to contradict the words)."""
    links = list(diseases)
    if not links:
        return True
    return any(
        number.startswith(RESPONDING_BRANCHES) for link in links for number in mesh.tree_numbers(link.mesh_id)
    )


def without_generic_response(endpoints: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
    """The endpoints with the ORR links that rest only on generic words taken out (for a trial
    about none of the responding diseases)."""
    return drop_concepts(
        endpoints,
        lambda _endpoint, link: link.concept == "ORR" and not any(_SPECIFIC.search(ev.text) for ev in link.evidence),
    )
