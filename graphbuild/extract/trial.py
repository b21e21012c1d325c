"""Record -> Trial: the one pure function the pipeline calls per record.

It only composes the specialised extractors; each lives in its own module and can be tested
on its own.
"""

from __future__ import annotations

from graphbuild.extract.antigens import extract_targets
from graphbuild.extract.design import extract_design
from graphbuild.extract.diseases import ground_conditions
from graphbuild.extract.endpoints import extract_endpoints
from graphbuild.extract.interventions import extract_interventions
from graphbuild.model import Record, Trial


def extract_trial(record: Record) -> Trial:
    """What the record means, each link with its evidence. Pure: no I/O, no global state
    besides the read-only lexicons."""
    interventions = extract_interventions(record)
    targets, target_status = extract_targets(record, interventions)
    diseases = ground_conditions(record)  # once: the links and what could not be grounded
    return Trial(
        trial_id=record.trial_id,
        record=record,
        interventions=interventions,
        targets=targets,
        target_status=target_status,
        diseases=diseases.links,
        ungrounded_conditions=diseases.ungrounded,
        endpoints=extract_endpoints(record),
        design=extract_design(record),
    )


def warm_up() -> None:
    """Load and compile every lexicon and vocabulary matcher now, rather than on the first
    record that needs each (about a second of CPU). A process that forks workers can call it
    first so that the workers inherit the compiled patterns instead of each compiling its own."""
    from graphbuild.extract import (
        antigen_text,
        concept_patterns,
        disease_matcher,
        disease_xrefs,
        endpoint_vocab,
        products,
    )

    concept_patterns._matcher()
    disease_matcher.matcher()
    products._index()
    antigen_text._name_index()
    antigen_text._ligand_index()
    disease_xrefs._xrefs()
    endpoint_vocab.concept_vocabulary()
