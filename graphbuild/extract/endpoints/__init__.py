"""Endpoints: the concept / criteria / method vocabularies, the matcher and its guards, time
frames, and outcomes -> `Endpoint` (`outcomes`)."""
