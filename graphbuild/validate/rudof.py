"""pyrudof over N-Triples: the raw SHACL results as plain strings.

Its own module, importing nothing but pyrudof, so a process started to validate chunks in
parallel (`graphbuild.validate`) imports no rdflib and no lexicons, and a build's worker can
check the trial graphs it has just serialized (`graphbuild.build.process`).

Cost. A fresh pyrudof session pays ~80 ms in its first `read_data`, whatever the data's size,
so one trial per fresh session cost ~85 ms. A `Checker` pays it once: it keeps the shapes and
the base triples (the ontology's class hierarchy) loaded and checks each graph inside a staging
frame that it rolls back afterwards, ~3-4 ms of CPU for one trial graph. Checking is also
slightly superlinear in the data's size (~2.7 ms a trial in runs of 10 trials, ~5 ms in runs
of 100), so small runs are the cheap ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RawResult = tuple[str | None, str | None, str | None, str, str, str | None, str]
"""(focus, path, value, source shape, constraint component, message, severity) as pyrudof
prints them: IRIs bare, literals in quotes with ^^datatype or @language."""


@dataclass(frozen=True, slots=True)
class ShaclSpec:
    """What a process needs to check graphs on its own: the shapes file and the N-Triples
    added to every graph checked (the ontology's rdfs:subClassOf triples, so a shape
    targeting a class also sees its sub-classes' instances). Small and picklable."""

    shapes_path: str
    base: bytes = b""


class Checker:
    """A pyrudof session holding the shapes and the base triples; `check` validates one
    graph on top of them and forgets it again (a staging frame, rolled back)."""

    def __init__(self, spec: ShaclSpec) -> None:
        import pyrudof

        self._format = pyrudof.RDFFormat.NTriples
        self.session = pyrudof.Rudof(pyrudof.RudofConfig())
        # "# base" rather than nothing: pyrudof refuses empty input, and staging needs data
        self.session.read_data(spec.base.decode("utf-8") or "# base\n", format=self._format)
        self.session.read_shacl(spec.shapes_path)

    def check(self, ntriples: bytes) -> list[RawResult]:
        session = self.session
        session.begin_staging()
        try:
            session.read_data(ntriples.decode("utf-8"), format=self._format, merge=True)
            return [_raw(r) for r in session.validate_shacl()]
        finally:
            session.rollback_staging()


_checkers: dict[ShaclSpec, Checker] = {}


def checker(spec: ShaclSpec) -> Checker:
    """This process's Checker for `spec` (made on first use, then kept)."""
    found = _checkers.get(spec)
    if found is None:
        found = _checkers[spec] = Checker(spec)
    return found


def check_graph(spec: ShaclSpec, ntriples: bytes) -> list[RawResult]:
    """Validate one graph (N-Triples) with this process's kept session for `spec`: a pool's
    task."""
    return checker(spec).check(ntriples)


def _raw(r: Any) -> RawResult:
    return (
        r.focus_node,
        r.path,
        r.value,
        str(r.source_shape or ""),
        str(r.constraint_component),
        r.message,
        str(r.severity),
    )
