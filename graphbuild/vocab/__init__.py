"""Curated vocabularies shared by extraction and the RDF stage: the lexicon loader, the MeSH
disease tree and the verified disease cross-references. Below `extract` and `rdf`; imports
only `resources`."""
