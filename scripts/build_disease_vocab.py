#!/usr/bin/env python3
"""Generate the disease vocabulary files from the shared reference tables.

    python scripts/build_disease_vocab.py [--vocab ../shared/vocab] [--out ontology/vocab]

Writes two files, both derived facts only (nothing typed from memory), so anyone with the same
reference tables gets byte-identical output:

* `mesh_diseases.tsv`: every MeSH 2024 descriptor with a tree number in category C (Diseases)
  or F03 (Mental Disorders), or under Behavioral Symptoms / Anxiety (F01.145.126, F01.470.132:
  Depression, Anxiety, Stress): ui, name, tree numbers (only the kept ones, so that the
  hierarchy is closed: every parent of a kept tree number is itself kept) and entry terms.
  It is both the name / entry-term index for grounding and the disease hierarchy.

* `disease_synonyms.tsv`: names of MeSH disease descriptors that MeSH itself lacks, from the
  synonyms of the MONDO term that is the same concept (see `synonym_rows` for the filters).
* `disease_xrefs.tsv`: MeSH -> MONDO (and, through MONDO, NCIt) cross-references, only where
  verified. MONDO notes that some of its xrefs are not exact, so a MONDO term is accepted for a
  MeSH descriptor only when
    1. the MONDO term lists `MESH:<ui>` among its xrefs, and
    2. its label or one of its synonyms equals (after the matcher's normalization: case,
       British spelling, plural, punctuation) the MeSH name or one of its entry terms.
  Rule 2 is what makes the mapping "exact-looking": a MONDO term that cites the MeSH id but
  names something else (MONDO:0009975 "reticulum cell sarcoma" cites D008228 Lymphoma,
  Non-Hodgkin) is left out. The only looser comparison allowed is "disorder" = "disease"
  (MONDO "skin disorder" for MeSH "Skin Diseases"), used only when no MONDO term matches
  plainly; when several MONDO terms cite the descriptor, a label match beats a synonym match
  (MeSH D008258 Waldenstrom Macroglobulinemia gets MONDO "Waldenstrom macroglobulinemia",
  not "macroglobulinemia", which lists it as a synonym). The `match` column says which rule.
  Looser pairs such as "Ovarian Neoplasms" / "ovarian cancer" are left out on purpose: a
  neoplasm is not always a cancer. NCIt codes are those of an accepted MONDO term, kept only when
  the term cites exactly one NCIT code (several codes mean MONDO merged concepts NCIt keeps
  apart, so none of them is known to be the same thing). There is no NCIt label table in
  shared/vocab, so this is as far as an NCIt code can be verified here.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graphbuild.vocab.mesh import name_key

DEFAULT_VOCAB = REPO.parent / "shared" / "vocab"
DEFAULT_OUT = REPO / "ontology" / "vocab"


# Behavioral Symptoms (Depression, Stress, Suicidal Ideation, ...) and Anxiety: conditions that
# trials name, filed by MeSH under Behavior (F01) rather than Mental Disorders.
_F01_CONDITIONS = ("F01.145.126", "F01.470.132")


def keep_tree_number(tree_number: str) -> bool:
    """Category C (Diseases), F03 (Mental Disorders) and the F01 branches of `_F01_CONDITIONS`:
    what trial conditions name."""
    return tree_number.startswith(("C", "F03", *_F01_CONDITIONS))


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def split(cell: str) -> list[str]:
    return [part for part in (cell or "").split("|") if part]


def disease_rows(mesh_rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """MeSH descriptors of the disease tree, with only their disease tree numbers."""
    out = []
    for row in mesh_rows:
        trees = [t for t in split(row["tree_numbers"]) if keep_tree_number(t)]
        if trees:
            out.append(
                {
                    "ui": row["ui"],
                    "name": row["name"],
                    "tree_numbers": "|".join(trees),
                    "entry_terms": row["entry_terms"],
                }
            )
    return out


def _fold_disorder(key: str) -> str:
    """'skin disorder' and 'Skin Diseases' name the same thing; nothing else is folded."""
    return re.sub(r"\bdisorder\b", "disease", key)


def xref_rows(
    diseases: list[dict[str, str]], mondo_rows: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Verified MeSH -> MONDO (-> NCIt) pairs; see the module docstring for the rule.

    Among the MONDO terms citing a descriptor, the best match kind wins (label, then synonym,
    then disease/disorder-folded label or synonym); ties are all kept."""
    names = {
        row["ui"]: {name_key(row["name"])} | {name_key(t) for t in split(row["entry_terms"])}
        for row in diseases
    }
    folded = {ui: {_fold_disorder(k) for k in keys} for ui, keys in names.items()}
    labels = {row["ui"]: row["name"] for row in diseases}
    citing: dict[str, list[dict[str, str]]] = defaultdict(list)
    for term in mondo_rows:
        for xref in split(term["xrefs"]):
            if xref.startswith("MESH:") and xref[5:] in names:
                citing[xref[5:]].append(term)
    out = []
    for ui in sorted(citing):
        scored = []
        for term in citing[ui]:
            label = {name_key(term["label"])}
            synonyms = {name_key(s) for s in split(term["synonyms"])}
            if label & names[ui]:
                scored.append((3, "label", term))
            elif synonyms & names[ui]:
                scored.append((2, "synonym", term))
            elif {_fold_disorder(k) for k in label | synonyms} & folded[ui]:
                scored.append((1, "disorder_fold", term))
        if not scored:
            continue
        best = max(score for score, _, _ in scored)
        for _, kind, term in sorted((s for s in scored if s[0] == best), key=lambda s: s[2]["id"]):
            ncit = [x for x in split(term["xrefs"]) if x.startswith("NCIT:")]
            out.append(
                {
                    "mesh_id": ui,
                    "mesh_label": labels[ui],
                    "mondo_id": term["id"],
                    "mondo_label": term["label"],
                    "match": kind,
                    "ncit_id": ncit[0] if len(ncit) == 1 else "",
                }
            )
    return out


def synonym_rows(
    diseases: list[dict[str, str]], mondo_rows: list[dict[str, str]], xrefs: list[dict[str, str]]
) -> list[dict[str, str]]:
    """Disease names MeSH lacks, from the MONDO term that is the same concept as a descriptor.

    MeSH 2024 lists only its preferred concept's entry terms ("Lung TB", "Legionella
    pneumonia", "B-PLL" are not there); MONDO lists more. A MONDO synonym becomes a name of a
    descriptor only when all of these hold, because the MONDO table mixes EXACT and RELATED
    synonyms:
      1. the MONDO term's *label* equals the MeSH name or an entry term (match `label`), it is
         the only verified MONDO term of that descriptor, and it cites no other MeSH id;
      2. the synonym has two or more words (short acronyms are ambiguous across diseases) and
         no brackets or list separators (the condition reader splits there);
      3. it is no MeSH name or entry term already (MeSH wins), and it names no other MONDO term
         (label or synonym of a second term: a RELATED synonym shared between concepts) and no
         second descriptor.
    """
    mesh_keys = {name_key(row["name"]) for row in diseases} | {
        name_key(t) for row in diseases for t in split(row["entry_terms"])
    }
    mesh_keys |= {k.lower() for k in mesh_keys}
    per_mesh: dict[str, int] = defaultdict(int)
    for row in xrefs:
        per_mesh[row["mesh_id"]] += 1
    owners: dict[str, set[str]] = defaultdict(set)  # name key -> MONDO ids naming it
    for term in mondo_rows:
        for name in (term["label"], *split(term["synonyms"])):
            owners[name_key(name).lower()].add(term["id"])
    by_id = {term["id"]: term for term in mondo_rows}
    found: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for row in xrefs:
        if row["match"] != "label" or per_mesh[row["mesh_id"]] != 1:
            continue
        term = by_id[row["mondo_id"]]
        if sum(1 for x in split(term["xrefs"]) if x.startswith("MESH:")) != 1:
            continue
        for synonym in split(term["synonyms"]):
            key = name_key(synonym)
            if any(c in synonym for c in "()[],;/"):
                continue  # a bracketed abbreviation or a list separator: the reader splits there
            if len(key.split()) < 2 or key in mesh_keys or key.lower() in mesh_keys:
                continue
            if owners[key.lower()] != {term["id"]}:
                continue
            found[key.lower()].add((synonym, row["mesh_id"], term["id"]))
    out = []
    for key in sorted(found):
        if len({mesh_id for _, mesh_id, _ in found[key]}) != 1:
            continue
        synonym, mesh_id, mondo_id = sorted(found[key])[0]
        out.append({"term": synonym, "mesh_id": mesh_id, "mondo_id": mondo_id})
    return out


def write_tsv(path: Path, header: str, rows: list[dict[str, str]]) -> None:
    columns = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        for line in header.strip().splitlines():
            handle.write(f"# {line}\n")
        handle.write("\t".join(columns) + "\n")
        for row in rows:
            handle.write("\t".join(row[c] for c in columns) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    diseases = disease_rows(read_tsv(args.vocab / "mesh_descriptors.tsv"))
    write_tsv(
        args.out / "mesh_diseases.tsv",
        """
Generated by scripts/build_disease_vocab.py from shared/vocab/mesh_descriptors.tsv (NLM MeSH 2024,
public domain; no NLM endorsement implied). Descriptors of categories C and F03, and of F01.145.126
(Behavioral Symptoms) and F01.470.132 (Anxiety); only those tree numbers kept. Entry terms are
those of the preferred concept. Do not edit by hand.
""",
        diseases,
    )
    xrefs = xref_rows(diseases, read_tsv(args.vocab / "mondo_terms.tsv"))
    write_tsv(
        args.out / "disease_xrefs.tsv",
        """
Generated by scripts/build_disease_vocab.py from shared/vocab/mondo_terms.tsv (MONDO, CC BY 4.0)
and mesh_descriptors.tsv (MeSH 2024). A row is kept only when the MONDO term cites MESH:<mesh_id>
AND its label or a synonym equals the MeSH name or an entry term (normalized; `match` says how).
# ncit_id is the
MONDO term's NCIT xref when it cites exactly one. Do not edit by hand.
""",
        xrefs,
    )
    synonyms = synonym_rows(diseases, read_tsv(args.vocab / "mondo_terms.tsv"), xrefs)
    write_tsv(
        args.out / "disease_synonyms.tsv",
        """
Generated by scripts/build_disease_vocab.py from shared/vocab/mondo_terms.tsv (MONDO, CC BY 4.0)
and mesh_descriptors.tsv (MeSH 2024): disease names MeSH lacks, each a synonym of the MONDO term
that is the same concept as the descriptor (rules in `synonym_rows`). The matcher reads them after
MeSH names and entry terms, which always win. Do not edit by hand.
""",
        synonyms,
    )
    print(
        f"disease_synonyms.tsv: {len(synonyms)} names; "
        f"mesh_diseases.tsv: {len(diseases)} descriptors; disease_xrefs.tsv: {len(xrefs)} rows "
        f"({len({r['mesh_id'] for r in xrefs})} MeSH ids, "
        f"{sum(1 for r in xrefs if r['ncit_id'])} with NCIt)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
