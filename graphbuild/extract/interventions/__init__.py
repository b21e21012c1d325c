"""Interventions: the product and agent lexicons (`products`), modality cues (`modality`) and
each intervention's reading (`info`)."""
