"""The compiled shapes (`graphbuild.validate.compiled`) against pyrudof: the same results on
the deliberately broken graphs, on every trial graph of the real corpus, and on those graphs
damaged at random; shapes they cannot translate are refused, by name."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphbuild import validate
from graphbuild.validate import compiled
from graphbuild.validate.rudof import Checker, ShaclSpec
from graphbuild.validate.shacl import _rudof_term
from test_validate import BROKEN, load_mini, replace

# Breakages beyond the mini graph's BROKEN list: with it, every constraint component the
# shapes use fails somewhere (`test_every_component_is_reached_by_a_breakage`).
MORE_BROKEN = [
    # ill-formed and negative integers, a second value, a blank node where a value list is
    "INSERT DATA { GRAPH g:NCT90000101 { t:NCT90000101 gb:enrollment -3 , \"12a\"^^<http://www.w3.org/2001/XMLSchema#integer> ;"
    " gb:centers _:b1 ; gb:openLabel \"yes\" ; dcterms:title \"A second title\"@en } }",
    # a phase outside the list: a warning, not a violation
    replace("NCT90000102", "t:NCT90000102", "gb:phase", '"PHASE1"', '"Phase I"'),
    # an edge to a node of the wrong class, and an antigen edge to a literal
    "INSERT DATA { GRAPH g:NCT90000102 { t:NCT90000102 gb:hasEndpoint t:NCT90000102 ;"
    " gb:directedAt \"CD19\" } }",
    # evidence whose offsets are equal (sh:lessThan), a reified link that is not a Statement
    "DELETE { GRAPH g:NCT90000101 { ?ev gb:endOffset ?end } }"
    " INSERT { GRAPH g:NCT90000101 { ?ev gb:endOffset ?start } }"
    " WHERE { GRAPH g:NCT90000101 { ?ev gb:endOffset ?end ; gb:startOffset ?start"
    " FILTER(?ev = <https://w3id.org/graphbuild/id/trial/NCT90000101/evidence/dlt>) } }",
    "DELETE WHERE { GRAPH g:NCT90000103 { <https://w3id.org/graphbuild/id/trial/NCT90000103/link/ball>"
    " a rdf:Statement } }",
    # an intervention named by a blank node, with no label and two types
    "INSERT DATA { GRAPH g:NCT90000103 { t:NCT90000103 gb:hasIntervention _:i . _:i a gb:Intervention ;"
    ' gb:interventionType "DRUG", "BIOLOGICAL" } }',
]


def _results(checker: object, ntriples: bytes) -> set[tuple]:
    """(focus, path, value, shape, component, severity) of each result, values read as terms
    (pyrudof prints a datatype in the data's prefixes, the compiled shapes in full)."""
    out = set()
    for focus, path, value, shape, component, _message, severity in checker.check(ntriples):  # type: ignore[attr-defined]
        term = _rudof_term(value)
        # blank nodes get fresh labels in each engine's parse: compare them as "a blank node"
        text = "_:" if value is not None and value.startswith("_:") else str(term) + "|" + type(term).__name__
        if focus is not None and focus.startswith("_:"):
            focus = "_:"
        out.add((focus, path, None if value is None else text, shape, component, severity))
    return out


def _ntriples(store: ox.Store, graphs: list | None = None) -> bytes:
    quads = store if graphs is None else [q for g in graphs for q in store.quads_for_pattern(None, None, None, g)]
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


class CompiledChecker:
    """pyrudof's `Checker` interface over the compiled shapes (`check` takes N-Triples), so the
    tests give both engines the same bytes."""

    def __init__(self, spec: ShaclSpec) -> None:
        self.shapes = compiled.compiled_shapes(spec)

    def check(self, ntriples: bytes) -> list:
        return self.shapes.check(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))


@pytest.fixture(scope="module")
def engines() -> tuple[Checker, CompiledChecker]:
    spec = validate.shacl_spec()
    return Checker(spec), CompiledChecker(spec)


def test_every_shape_and_constraint_of_the_shapes_file_is_compiled() -> None:
    spec = validate.shacl_spec()
    shapes = compiled.compiled_shapes(spec)
    text = Path(spec.shapes_path).read_text()
    declared = {line.split()[0] for line in text.splitlines() if " a sh:PropertyShape" in line}
    checked = {c.shape.replace("https://w3id.org/graphbuild/shapes#", "gbsh:") for n in shapes.node_shapes for c in n.constraints}
    assert declared <= checked, declared - checked
    assert len(shapes.node_shapes) == text.count(" a sh:NodeShape")


def test_a_class_stands_for_its_sub_classes_as_target_and_as_sh_class() -> None:
    ex = "https://example.org/"
    shapes = ox.parse(
        f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{ex}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Animal ; sh:property ex:P .
        ex:P sh:path ex:eats ; sh:class ex:Food ; sh:minCount 1 ; sh:message "eats food" .""",
        format=ox.RdfFormat.TURTLE,
    )
    hierarchy = ox.parse(
        f"<{ex}Cat> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{ex}Animal> .\n"
        f"<{ex}Fish> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{ex}Food> .\n",
        format=ox.RdfFormat.N_TRIPLES,
    )
    checks = compiled.compile_shapes(shapes, hierarchy)
    data = ox.parse(
        f"<{ex}tom> a <{ex}Cat> ; <{ex}eats> <{ex}nemo>, <{ex}rock> . <{ex}nemo> a <{ex}Fish> .\n"
        f"<{ex}felix> a <{ex}Cat> .",
        format=ox.RdfFormat.TURTLE,
    )
    found = {(r[0], r[2], r[4].split("#")[1]) for r in checks.check(data)}
    assert found == {
        (ex + "tom", ex + "rock", "ClassConstraintComponent"),
        (ex + "felix", None, "MinCountConstraintComponent"),
    }


@pytest.mark.parametrize("updates", [BROKEN, MORE_BROKEN, [*BROKEN, *MORE_BROKEN]], ids=["broken", "more", "all"])
def test_the_same_results_as_pyrudof_on_the_broken_graphs(updates: list[str], engines) -> None:
    rudof, ours = engines
    data = _ntriples(load_mini(*updates))
    expected = _results(rudof, data)
    assert len(expected) >= 7
    assert _results(ours, data) == expected


def test_every_component_is_reached_by_a_breakage(engines) -> None:
    """The breakages above exercise every constraint component the shapes use: a test of one
    that never fails would prove nothing."""
    _, ours = engines
    components = {r[4] for r in ours.check(_ntriples(load_mini(*BROKEN, *MORE_BROKEN)))}
    used = {c.component for n in ours.shapes.node_shapes for c in n.constraints}
    assert used <= components, sorted(used - components)


def test_a_build_reports_the_same_violations_as_validating_its_store(engines) -> None:
    """Through the validation step: the workers' compiled results (`checked=`) give the same
    report as pyrudof over the whole store, messages included (each shape's own sh:message)."""
    from graphbuild.build.process import shapes_results

    broken = load_mini(*BROKEN, *MORE_BROKEN[:3])
    expected = validate.validate(broken).violations
    spec = validate.shacl_spec()
    checked = {}
    for graph in broken.named_graphs():
        if validate.trial_id_of_graph(graph) is not None:
            quads = list(broken.quads_for_pattern(None, None, None, graph))
            raw = shapes_results(spec, quads)
            assert raw is not None
            checked[graph.value] = (raw, len(quads))
    assert validate.validate(broken, checked=checked).violations == expected
    bounds = [v for v in expected if v.rule == "gbsh:TimeFrame-bounds"]
    assert bounds and bounds[0].message.startswith("A time frame's gb:minDays")


def _damaged(triples: list[ox.Triple], rng: random.Random) -> list[ox.Triple]:
    """One random damage of a trial graph: a triple dropped, its object swapped for a literal,
    an IRI, or another triple's object, or a second value added."""
    out = list(triples)
    k = rng.randrange(len(out))
    t = out[k]
    kind = rng.randrange(5)
    if kind == 0:
        del out[k]
    elif kind == 1:
        out[k] = ox.Triple(t.subject, t.predicate, ox.Literal(rng.choice(["", "x", "-1", "0"])))
    elif kind == 2:
        out[k] = ox.Triple(t.subject, t.predicate, ox.NamedNode("https://example.org/x"))
    elif kind == 3:
        out[k] = ox.Triple(t.subject, t.predicate, rng.choice(out).object)
    else:
        out.append(ox.Triple(t.subject, t.predicate, rng.choice(out).object))
    return out


def _incomparable(result: tuple) -> bool:
    """A sh:lessThan / sh:lessThanOrEquals result for a value that is no literal: SHACL (4.5.3)
    reports a pair that "cannot be compared", and so do pyshacl and the compiled shapes;
    pyrudof 0.3 says nothing (the value's own sh:datatype result still names the node)."""
    return result[4].endswith(("#LessThanConstraintComponent", "#LessThanOrEqualsConstraintComponent")) and not str(
        result[2]
    ).endswith("|Literal")


def test_the_same_results_as_pyrudof_on_real_trial_graphs_and_their_damage(
    corpus_graph: Path, engines
) -> None:
    """Every trial graph of the real corpus conforms for both engines; 600 of them damaged at
    random (seeded) give both engines the same results but for pyrudof's one known gap, and
    most damage is caught."""
    rudof, ours = engines
    store = ox.Store.read_only(str(corpus_graph / "store"))
    graphs = sorted((g for g in store.named_graphs() if "/graph/trial/" in g.value), key=lambda g: g.value)
    assert len(graphs) > 1000
    for start in range(0, len(graphs), 50):
        data = _ntriples(store, graphs[start : start + 50])
        assert ours.check(data) == [] and rudof.check(data) == []
    rng = random.Random(20261207)
    caught = gap = 0
    for graph in rng.sample(graphs, 600):
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
        data = ox.serialize(_damaged(triples, rng), format=ox.RdfFormat.N_TRIPLES) or b""
        expected, found = _results(rudof, data), _results(ours, data)
        assert {r for r in found if not _incomparable(r)} == expected, graph.value
        gap += len(found - expected)
        caught += bool(found)
    assert caught > 300 and gap < 30


def test_values_that_cannot_be_compared_are_reported_as_pyshacl_does() -> None:
    """pyrudof's gap above, on the mini graph: an IRI as an evidence's start offset breaks
    sh:lessThan for the compiled shapes and for pyshacl alike."""
    update = (
        "DELETE { GRAPH g:NCT90000101 { ?ev gb:startOffset ?s } }"
        " INSERT { GRAPH g:NCT90000101 { ?ev gb:startOffset <https://example.org/x> } }"
        " WHERE { GRAPH g:NCT90000101 { ?ev gb:startOffset ?s"
        " FILTER(?ev = <https://w3id.org/graphbuild/id/trial/NCT90000101/evidence/dlt>) } }"
    )
    store = load_mini(update)
    pyshacl, *_ = validate.shacl_violations(store, engine="pyshacl")
    expected = {(v.rule, v.value) for v in pyshacl}
    assert ("gbsh:Evidence-offsets", "https://example.org/x") in expected
    ours = CompiledChecker(validate.shacl_spec()).check(_ntriples(store))
    assert {(r[3].replace("https://w3id.org/graphbuild/shapes#", "gbsh:"), r[2]) for r in ours} == expected


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("gbsh:Trial-title sh:or ( [ sh:minCount 1 ] ) .", "sh:or"),
        ("gbsh:Trial sh:targetNode <https://example.org/t> .", "sh:targetNode"),
        ("gbsh:Trial-title sh:flags \"i\" .", "sh:flags"),
        ("gbsh:Loose sh:targetClass gb:Trial ; sh:path gb:trialId ; sh:minCount 2 .", "a target on anything"),
    ],
)
def test_shapes_beyond_the_compiled_part_of_shacl_are_refused_by_name(
    tmp_path: Path, extra: str, named: str
) -> None:
    spec = validate.shacl_spec()
    text = Path(spec.shapes_path).read_text() + "\n" + extra + "\n"
    path = tmp_path / "shapes.ttl"
    path.write_text(text)
    with pytest.raises(compiled.UnsupportedShape, match=named):
        compiled.compiled_shapes(ShaclSpec(str(path), spec.base))


def test_a_shape_without_a_message_is_refused(tmp_path: Path) -> None:
    spec = validate.shacl_spec()
    text = Path(spec.shapes_path).read_text().replace(
        'sh:message "A trial is named by an IRI (gbr:trial/{id}), never a blank node." ;', ""
    )
    path = tmp_path / "shapes.ttl"
    path.write_text(text)
    with pytest.raises(compiled.UnsupportedShape, match="shapes#Trial: every shape needs an sh:message"):
        compiled.compiled_shapes(ShaclSpec(str(path), spec.base))


def test_shapes_that_do_not_compile_leave_the_graphs_to_the_validation_step(
    tmp_path: Path, examples_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build whose shapes the compiler refuses still validates every trial graph: the
    workers leave them unchecked and the validation step checks them with pyrudof."""
    from graphbuild.build import build, process

    def refuse(spec):  # noqa: ANN001, ANN202
        raise compiled.UnsupportedShape("sh:or is not supported here")

    monkeypatch.setattr(process, "compiled_shapes", refuse)
    report = build([examples_dir], tmp_path, memory=True, reason=False, workers=1)
    assert report.trials_loaded == 3 and report.validation["conforms"], report.validation
    assert "in 3 trial(s)" in report.validation["text"]
