"""Diseases: the dictionary matcher, descriptor classes, qualifiers, reading one text, and the
grounding of a record's conditions (`grounding`)."""
