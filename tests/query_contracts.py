"""The stored-query contract of ../shared/DESIGN.md: each query and the columns it must have.

One definition for every test that checks a query's columns (fixture graph, seeds, corpus).
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
