"""RDF: the vocabulary and the Trial -> quads mapping."""
