"""pyrudof over one chunk of N-Triples: the raw SHACL results as plain strings.

Its own module, importing nothing but pyrudof, so a process started to validate chunks in
parallel (`graphbuild.validate`) imports no rdflib and no lexicons.
"""

from __future__ import annotations

RawResult = tuple[str | None, str | None, str | None, str, str, str | None, str]
"""(focus, path, value, source shape, constraint component, message, severity) as pyrudof
prints them: IRIs bare, literals in quotes with ^^datatype or @language."""


def rudof_results(ntriples: bytes, shapes_path: str) -> list[RawResult]:
    """Validate one chunk; a fresh session each time (pyrudof's read_data would merge)."""
    import pyrudof

    session = pyrudof.Rudof(pyrudof.RudofConfig())
    session.read_shacl(shapes_path)
    session.read_data(ntriples.decode("utf-8"), format=pyrudof.RDFFormat.NTriples)
    return [
        (
            r.focus_node,
            r.path,
            r.value,
            str(r.source_shape or ""),
            str(r.constraint_component),
            r.message,
            str(r.severity),
        )
        for r in session.validate_shacl()
    ]
