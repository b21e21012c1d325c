"""Readers: one module per input format, each streaming `Record`s (or `Reject`s)."""
