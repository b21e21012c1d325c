"""Record -> Trial: the one pure function the pipeline calls per record.

It only composes the specialised extractors; each lives in its own module and can be tested
on its own.
"""

from __future__ import annotations

from graphbuild.extract.antigens.targets import extract_targets
from graphbuild.extract.design import extract_design
from graphbuild.extract.diseases.grounding import ground_conditions
from graphbuild.extract.endpoints.cell_kinetics import gives_cells, without_cell_kinetics
from graphbuild.extract.endpoints.disease_response import responds_as_orr, without_generic_response
from graphbuild.extract.endpoints.drug_levels import without_patient_levels
from graphbuild.extract.endpoints.outcomes import extract_endpoints
from graphbuild.extract.interventions.info import extract_interventions
from graphbuild.model import Record, Trial


def extract_trial(record: Record) -> Trial:
    """What the record means, each link with its evidence. Pure: no I/O, no global state
    besides the read-only lexicons."""
    interventions = extract_interventions(record)
    targets, target_status = extract_targets(record, interventions)
    diseases = ground_conditions(record)  # once: the links and what could not be grounded
    endpoints = extract_endpoints(record)
    if not gives_cells(record, interventions):
        endpoints = without_cell_kinetics(endpoints)
    if not responds_as_orr(diseases.links):
        endpoints = without_generic_response(endpoints)
    endpoints = without_patient_levels(record, endpoints)
    return Trial(
        trial_id=record.trial_id,
        record=record,
        interventions=interventions,
        targets=targets,
        target_status=target_status,
        diseases=diseases.links,
        ungrounded_conditions=diseases.ungrounded,
        endpoints=endpoints,
        design=extract_design(record),
        interventions_without_modality=tuple(i.name for i in interventions if i.modality is None),
        outcomes_without_concept=tuple(
            e.measure for e in endpoints if not e.concepts and e.measure
        ),
    )


def warm_up() -> None:
    """Load and compile every lexicon and vocabulary matcher now, rather than on the first
    record that needs each (about a second of CPU). A process that forks workers can call it
    first so that the workers inherit the compiled patterns instead of each compiling its own."""
    from graphbuild.extract.antigens import mentions as antigen_text
    from graphbuild.extract.diseases import matcher as disease_matcher
    from graphbuild.extract.endpoints import patterns as concept_patterns
    from graphbuild.extract.endpoints import vocab as endpoint_vocab
    from graphbuild.extract.interventions import products
    from graphbuild.vocab import disease_xrefs

    concept_patterns._matcher()
    disease_matcher.matcher()
    products._index()
    antigen_text._name_index()
    antigen_text._ligand_index()
    disease_xrefs._xrefs()
    endpoint_vocab.concept_vocabulary()
