"""Classes of MeSH descriptors that the grounding rules treat apart: attributes (describe a
disease rather than name one), bare head nouns, broad headings and family headings, and the
phase descriptors of CML. Pure functions of the MeSH tree, cached per descriptor.
"""

from __future__ import annotations

from functools import cache

from graphbuild.vocab import mesh

_ATTRIBUTE_ROOTS = ("C23.550.291", "C23.550.727", "C23.550.210")
_BROAD_DEPTH = 1  # category roots: Neoplasms (C04), Infections (C01), ...
_BROAD_DESCENDANTS = 20
# Headings that name a family of diseases rather than one, beyond what `is_broad` computes.
# In trial conditions they stand for "some disease of this family": a member named next to
# them (by another condition or by the title) supersedes them. AML is not one of them: it has
# subtypes in MeSH, but "AML + acute monocytic leukemia" names two entities (gold guide).
_HEMATOLOGIC_NEOPLASMS = "D019337"  # filed by site, with only two children
_CLASS_HEADINGS = frozenset(
    {
        _HEMATOLOGIC_NEOPLASMS,
        "D054219",  # Neoplasms, Plasma Cell
        "D007945",  # Leukemia, Lymphoid
        "D007951",  # Leukemia, Myeloid
        "D054198",  # Precursor Cell Lymphoblastic Leukemia-Lymphoma (ALL: B- or T-lineage)
        "D015448",  # Leukemia, B-Cell
        "D015458",  # Leukemia, T-Cell
        "D016393",  # Lymphoma, B-Cell
        "D016399",  # Lymphoma, T-Cell
    }
)
# CML in a named phase is a descriptor of its own (MeSH children of D015464).
_CML = "D015464"
_CML_PHASES = {"blast phase": "D001752", "accelerated phase": "D015465", "chronic phase": "D015466"}


@cache
def is_attribute(ui: str) -> bool:
    """A descriptor that describes a disease rather than names one (Recurrence, Neoplasm
    Metastasis, Philadelphia Chromosome, Acute Disease, ...): all its trees under MeSH's
    Disease Attributes, Neoplastic Processes or Chromosome Aberrations."""
    trees = mesh.tree_numbers(ui)
    return bool(trees) and all(t.startswith(_ATTRIBUTE_ROOTS) for t in trees)


# Descriptors whose names are bare head nouns: "Cancer", "Tumor", "Infection", "Disease".
_HEAD_NOUNS = frozenset({"D009369", "D007239", "D004194", "D013577"})


def is_generic(ui: str) -> bool:
    """Neoplasms, Infections, Disease, Syndrome: a one-word mention of these is usually the
    head noun of a longer name ("Helicobacter Pylori Infection")."""
    return ui in _HEAD_NOUNS


@cache
def is_broad(ui: str) -> bool:
    """A category heading of the disease tree: a root (Neoplasms, Hemic and Lymphatic
    Diseases) or a descriptor with more than 20 descendants (Neoplasms by Site, Hematologic
    Diseases, Leukemia, Lymphoma, Lymphoma, Non-Hodgkin). Depth alone is no guide: Restless
    Legs Syndrome sits at depth 2."""
    if not mesh.is_disease(ui):
        return False
    return mesh.depth(ui) <= _BROAD_DEPTH or len(mesh.descendants_or_self(ui)) > _BROAD_DESCENDANTS


def is_class(ui: str) -> bool:
    """A heading that stands for a family of diseases (broad, or one of `_CLASS_HEADINGS`)."""
    return ui in _CLASS_HEADINGS or is_broad(ui)
