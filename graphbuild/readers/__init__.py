"""Readers: one module per input format, each streaming `Record`s (or `Reject`s)."""

from graphbuild.readers.detect import detect_format
from graphbuild.readers.inputs import read_input, read_inputs, read_stream
from graphbuild.readers.outcomes import parse_outcomes, split_outcome
from graphbuild.readers.to_json import dumps, record_from_data, to_data

__all__ = [
    "detect_format",
    "dumps",
    "parse_outcomes",
    "read_input",
    "read_inputs",
    "read_stream",
    "record_from_data",
    "split_outcome",
    "to_data",
]
