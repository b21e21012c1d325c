"""Extraction: pure functions from a `Record` to the parts of a `Trial`."""
