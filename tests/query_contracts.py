"""The stored-query contract of ../shared/DESIGN.md: each query and the columns it must have.

One definition for every test that checks a query's columns (fixture graph, seeds, corpus),
and the parameters the tests give the queries that take one, on the seed and corpus graphs.
"""

CONTRACT_COLUMNS: dict[str, set[str]] = {
    "trial_antigens": {"trial_id", "antigen_symbol", "antigen", "basis"},
    "trial_conditions": {"trial_id", "condition_label", "condition_id"},
    "trial_endpoints": {
        "trial_id",
        "role",
        "endpoint_text",
        "concept",
        "category",
        "time_frame_text",
        "min_days",
        "max_days",
    },
    "antigen_disease_matrix": {"antigen_symbol", "disease_label", "n_trials"},
}

# Parameters for the stored queries that need one, on the seed graph and on the corpus graph.
SEED_PARAMS: dict[str, dict[str, str]] = {
    "similar_trials": {"trial": "002_2917b9526c9dc599"},
    "trial_evidence": {"trial": "002_2917b9526c9dc599"},
    "trials_for_antigen": {"antigen": "BCMA"},
    "trials_under_disease": {"disease": "Multiple Myeloma"},
}
CORPUS_PARAMS: dict[str, dict[str, str]] = {
    "similar_trials": {"trial": "NCT03574168"},
    "trial_evidence": {"trial": "NCT03574168"},
    "trials_for_antigen": {"antigen": "CD19"},
    "trials_under_disease": {"disease": "D054198"},
}
