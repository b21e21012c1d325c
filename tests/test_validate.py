"""Validation: the good mini graph conforms; each kind of damage is caught by SHACL and by its
`*-violation.rq`, and every violation names the trial, the node and the rule."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from graphbuild import validate
from graphbuild.cli import main
from graphbuild.resources import queries_dir
from graphbuild.store import GraphStore
from graphbuild.validate import shacl as validate_shacl

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini_graph.trig"
PREFIXES = """PREFIX gb: <https://w3id.org/graphbuild/vocab#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX mesh: <http://id.nlm.nih.gov/mesh/>
PREFIX hgnc: <https://identifiers.org/hgnc:>
PREFIX t: <https://w3id.org/graphbuild/id/trial/>
PREFIX g: <https://w3id.org/graphbuild/id/graph/trial/>
PREFIX v: <https://w3id.org/graphbuild/id/graph/>
"""
TRIAL = "https://w3id.org/graphbuild/id/trial/"


def load_mini(*updates: str) -> ox.Store:
    store = ox.Store()
    store.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    for update in updates:
        store.update(PREFIXES + update)
    return store


def replace(graph: str, node: str, prop: str, old: str, new: str) -> str:
    """An update changing one value in one graph: a trial's (by id), or `vocabulary`."""
    g = "v:vocabulary" if graph == "vocabulary" else f"g:{graph}"
    return (
        f"DELETE {{ GRAPH {g} {{ {node} {prop} {old} }} }} "
        f"INSERT {{ GRAPH {g} {{ {node} {prop} {new} }} }} "
        f"WHERE {{ GRAPH {g} {{ {node} {prop} {old} }} }}"
    )


def quote_of_cd19(quote: str) -> str:
    """An update giving NCT90000103's CD19 evidence the quote `quote` (a SPARQL literal)."""
    evidence = "<https://w3id.org/graphbuild/id/trial/NCT90000103/evidence/cd19>"
    return replace("NCT90000103", evidence, "gb:quote", '"CD19"', quote)


# Each violation query, a way to break the mini graph that it must catch, and the trial named.
BREAKAGES = [
    pytest.param(
        "link-without-evidence-violation",
        "DELETE WHERE { GRAPH ?g { <https://w3id.org/graphbuild/id/trial/NCT90000102/link/cd3> gb:hasEvidence ?e } }",
        "NCT90000102",
        id="link-without-evidence",
    ),
    pytest.param(
        "empty-evidence-quote-violation",
        quote_of_cd19('""'),
        "NCT90000103",
        id="empty-quote",
    ),
    pytest.param(
        "empty-evidence-quote-violation",
        quote_of_cd19('"  \\t "'),
        "NCT90000103",
        id="blank-quote",
    ),
    pytest.param(
        "empty-evidence-quote-violation",
        quote_of_cd19('"\u00a0\u2003\\n"'),
        "NCT90000103",
        id="unicode-blank-quote",
    ),
    pytest.param(
        "empty-evidence-quote-violation",
        "DELETE WHERE { GRAPH ?g { <https://w3id.org/graphbuild/id/trial/NCT90000103/evidence/cd19> gb:quote ?q } }",
        "NCT90000103",
        id="missing-quote",
    ),
    pytest.param(
        "evidence-offsets-violation",
        replace(
            "NCT90000101",
            "<https://w3id.org/graphbuild/id/trial/NCT90000101/evidence/bcma-title>",
            "gb:endOffset",
            "4",
            "5",
        ),
        "NCT90000101",
        id="offsets-length",
    ),
    pytest.param(
        "evidence-offsets-violation",
        replace(
            "NCT90000102",
            "<https://w3id.org/graphbuild/id/trial/NCT90000102/evidence/bcma>",
            "gb:startOffset",
            "13",
            "12",
        )
        + " ; "
        + replace(
            "NCT90000102",
            "<https://w3id.org/graphbuild/id/trial/NCT90000102/evidence/bcma>",
            "gb:endOffset",
            "17",
            "16",
        ),
        "NCT90000102",
        id="offsets-shifted-in-title",
    ),
    pytest.param(
        "antigen-without-hgnc-violation",
        "DELETE WHERE { GRAPH v:vocabulary { hgnc:1633 gb:hgncId ?id } }",
        "NCT90000103",
        id="antigen-no-id",
    ),
    pytest.param(
        "antigen-without-hgnc-violation",
        replace("vocabulary", "hgnc:1633", "gb:hgncId", '"HGNC:1633"', '"HGNC:1634"'),
        "NCT90000103",
        id="antigen-iri-mismatch",
    ),
    pytest.param(
        "disease-without-mesh-violation",
        replace("vocabulary", "mesh:D008228", "gb:meshId", '"D008228"', '"8228"'),
        "local_record_7",
        id="disease-bad-id",
    ),
    pytest.param(
        "undescribed-node-violation",
        "DELETE WHERE { GRAPH v:vocabulary { <https://w3id.org/graphbuild/id/concept/ORR> a ?c } }",
        "NCT90000102",
        id="concept-not-in-vocabulary",
    ),
    pytest.param(
        "undescribed-node-violation",
        "DELETE WHERE { GRAPH v:vocabulary { mesh:D015452 ?p ?o } }",
        "NCT90000103",
        id="disease-not-in-vocabulary",
    ),
    pytest.param(
        "shared-node-in-trial-graph-violation",
        'INSERT DATA { GRAPH g:NCT90000101 { mesh:D009101 gb:meshId "D009101" } }',
        "NCT90000101",
        id="disease-copied-into-trial",
    ),
    pytest.param(
        "timeframe-bounds-violation",
        replace(
            "NCT90000102",
            "<https://w3id.org/graphbuild/id/trial/NCT90000102/endpoint/0/time-frame>",
            "gb:minDays",
            "180.0",
            "400.0",
        ),
        "NCT90000102",
        id="min-over-max",
    ),
    pytest.param(
        "trial-without-title-violation",
        "DELETE WHERE { GRAPH g:local_record_7 { t:local_record_7 dcterms:title ?t } }",
        "local_record_7",
        id="no-title",
    ),
    pytest.param(
        "link-basis-violation",
        replace(
            "NCT90000103",
            "<https://w3id.org/graphbuild/id/trial/NCT90000103/link/ball>",
            "gb:basis",
            '"source_mesh"',
            '"guess"',
        ),
        "NCT90000103",
        id="unknown-basis",
    ),
    pytest.param(
        "link-basis-violation",
        "DELETE WHERE { GRAPH ?g { <https://w3id.org/graphbuild/id/trial/NCT90000103/link/ball> gb:basis ?b } }",
        "NCT90000103",
        id="no-basis",
    ),
    pytest.param(
        "unreified-link-violation",
        "INSERT DATA { GRAPH g:local_record_7 { <https://w3id.org/graphbuild/id/trial/local_record_7/endpoint/0> gb:measuresConcept <https://w3id.org/graphbuild/id/concept/DLT> } }",
        "local_record_7",
        id="edge-without-link",
    ),
    pytest.param(
        "dangling-link-violation",
        "DELETE DATA { GRAPH g:NCT90000103 { <https://w3id.org/graphbuild/id/trial/NCT90000103/intervention/0> gb:targetsAntigen hgnc:1633 } }",
        "NCT90000103",
        id="link-without-edge",
    ),
    pytest.param(
        "reasoner-term-asserted-violation",
        "INSERT DATA { GRAPH g:NCT90000101 { t:NCT90000101 a gb:CARTTrial } }",
        "NCT90000101",
        id="asserted-cart",
    ),
    pytest.param(
        "reasoner-term-asserted-violation",
        "INSERT DATA { GRAPH <https://w3id.org/graphbuild/id/graph/vocabulary> { mesh:D009101 <http://www.w3.org/2004/02/skos/core#broaderTransitive> mesh:D009369 } }",
        "",
        id="asserted-closure",
    ),
    pytest.param(
        "trial-id-violation",
        replace("NCT90000103", "t:NCT90000103", "gb:trialId", '"NCT90000103"', '"NCT90000102"'),
        "NCT90000102",
        id="duplicate-id",
    ),
]


def test_every_violation_query_has_a_breakage() -> None:
    names = {path.stem for path in validate.violation_queries()}
    assert names == {p.values[0] for p in BREAKAGES}
    assert len(names) >= 7


@pytest.mark.parametrize("path", validate.violation_queries(), ids=lambda p: p.stem)
def test_violation_query_is_self_describing_and_empty_on_good_data(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    title, description = validate.query_header(path)
    assert text.startswith("# title:") and title and description
    assert "PREFIX gb:" in text, "declares its own prefixes, so it runs in any SPARQL tool"
    assert validate.run_violation_query(load_mini(), path) == []


@pytest.mark.parametrize(("name", "update", "trial"), BREAKAGES)
def test_violation_query_catches_its_breakage(name: str, update: str, trial: str) -> None:
    rows = validate.run_violation_query(load_mini(update), queries_dir() / f"{name}.rq")
    assert rows, f"{name} found nothing after: {update}"
    assert trial in {row.get("trial_id", "") for row in rows}
    assert all(row.get("node") and row.get("message") for row in rows)


@pytest.mark.parametrize("quote", ['" CD19"', '"\\tCD19 "', '"\u00a0CD19"', '"x"'])
def test_a_quote_with_words_is_not_empty_whatever_it_starts_with(quote: str) -> None:
    update = quote_of_cd19(quote)
    path = queries_dir() / "empty-evidence-quote-violation.rq"
    assert validate.run_violation_query(load_mini(update), path) == []


def test_good_mini_graph_conforms() -> None:
    report = validate.validate(load_mini())
    assert report.conforms, str(report)
    assert report.violations == []
    assert report.trials == 4
    assert set(report.query_rows) == {p.stem for p in validate.violation_queries()}


BROKEN = [
    "DELETE WHERE { GRAPH g:NCT90000102 { t:NCT90000102 dcterms:title ?t } }",
    replace(
        "NCT90000103",
        "<https://w3id.org/graphbuild/id/trial/NCT90000103/endpoint/0/time-frame>",
        "gb:minDays",
        "0.0",
        "90.0",
    ),
    replace("vocabulary", "hgnc:1633", "gb:hgncId", '"HGNC:1633"', '"CD19"'),
    replace(
        "NCT90000103",
        "<https://w3id.org/graphbuild/id/trial/NCT90000103/link/ball>",
        "gb:basis",
        '"source_mesh"',
        '"guess"',
    ),
    replace(
        "NCT90000101",
        "<https://w3id.org/graphbuild/id/trial/NCT90000101/evidence/dlt>",
        "gb:quote",
        '"Dose-limiting toxicity"',
        '""',
    ),
    replace(
        "NCT90000101",
        "<https://w3id.org/graphbuild/id/trial/NCT90000101/endpoint/1>",
        "gb:role",
        '"secondary"',
        '"tertiary"',
    ),
    'INSERT DATA { GRAPH g:local_record_7 { t:local_record_7 gb:trialId "local_record_8" } }',
]


def test_shacl_names_trial_node_and_rule() -> None:
    report = validate.validate(load_mini(*BROKEN))
    assert not report.conforms
    found = {(v.trial_id, v.focus_node, v.rule) for v in report.violations}
    expected = {
        ("NCT90000102", TRIAL + "NCT90000102", "gbsh:Trial-title"),
        ("NCT90000103", TRIAL + "NCT90000103/endpoint/0/time-frame", "gbsh:TimeFrame-bounds"),
        (None, "https://identifiers.org/hgnc:1633", "gbsh:TargetAntigen-hgncId"),
        ("NCT90000103", TRIAL + "NCT90000103/link/ball", "gbsh:ExtractedLink-basis"),
        ("NCT90000101", TRIAL + "NCT90000101/evidence/dlt", "gbsh:Evidence-quote"),
        ("NCT90000101", TRIAL + "NCT90000101/endpoint/1", "gbsh:Endpoint-role"),
        ("local_record_7", TRIAL + "local_record_7", "gbsh:Trial-trialId"),
    }
    assert expected <= found, expected - found
    title = next(v for v in report.violations if v.rule == "gbsh:Trial-title")
    assert (
        title.path == "dcterms:title" and "title" in title.message and title.severity == "Violation"
    )
    text = str(report)
    assert "does not conform" in text
    assert f"trial NCT90000102: {TRIAL}NCT90000102 dcterms:title: gbsh:Trial-title:" in text
    # the same damage seen by the queries, named by query
    rules = {v.rule for v in report.violations}
    assert {
        "trial-without-title-violation",
        "link-basis-violation",
        "empty-evidence-quote-violation",
        "antigen-without-hgnc-violation",
        "timeframe-bounds-violation",
    } <= rules


def test_vocabulary_problem_names_the_trials_that_use_the_node() -> None:
    """A disease is described once, in the vocabulary graph: its violation belongs to no one
    trial, and its message says which trials point at the node."""
    broken = replace("vocabulary", "mesh:D009101", "gb:meshId", '"D009101"', '"D9101"')
    report = validate.validate(load_mini(broken))
    found = [v for v in report.violations if v.rule == "gbsh:Disease-meshId"]
    mm = "http://id.nlm.nih.gov/mesh/D009101"
    assert [(v.trial_id, v.focus_node, v.value) for v in found] == [(None, mm, "D9101")]
    assert "used by 2 trial(s): NCT90000101, NCT90000102" in found[0].message
    assert f"vocabulary: {mm} gb:meshId: gbsh:Disease-meshId" in str(report)


def test_chunking_does_not_change_the_answer() -> None:
    broken = load_mini(*BROKEN)
    assert (
        validate.validate(broken, chunk_size=1).violations == validate.validate(broken).violations
    )


def test_trial_graphs_checked_one_by_one_as_a_build_does_give_the_same_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build's workers check each trial graph (`process.shapes_results`: the compiled shapes),
    and the validation step reads only the other graphs out of the store: the same violations
    as validating the whole store with pyrudof, on the broken graph."""
    from graphbuild.build.process import shapes_results

    broken = load_mini(*BROKEN)
    expected = validate.validate(broken).violations
    spec = validate.shacl_spec()
    checked = {}
    for graph in broken.named_graphs():
        trial = validate.trial_id_of_graph(graph)
        if trial is not None:
            quads = list(broken.quads_for_pattern(None, None, None, graph))
            raw = shapes_results(spec, quads)
            assert raw is not None
            checked[graph.value] = (raw, len(quads))
    read_back: list = []
    real = validate_shacl._load_chunk_ntriples
    monkeypatch.setattr(
        validate_shacl,
        "_load_chunk_ntriples",
        lambda store, graphs: read_back.extend(graphs) or real(store, graphs),
    )
    report = validate.validate(broken, checked=checked)
    assert report.violations == expected
    assert {v.trial_id for v in expected} >= {"NCT90000102", "NCT90000103", None}
    assert not [g for g in read_back if validate.trial_id_of_graph(g) is not None]
    assert report.trials == len(checked) == 4  # every trial graph of the mini graph


def test_warnings_do_not_fail_a_graph() -> None:
    report = validate.validate(
        load_mini(replace("NCT90000101", "t:NCT90000101", "gb:phase", '"PHASE1"', '"Phase 1"'))
    )
    assert report.conforms
    assert [v.rule for v in report.violations] == ["gbsh:Trial-phase"]
    assert report.violations[0].severity == "Warning"


def test_graph_written_by_the_triples_stage_conforms() -> None:
    """The shapes describe what graphbuild.rdf.triples really writes, not just the fixture."""
    from graphbuild import model as m
    from graphbuild.rdf.triples import trial_quads, vocabulary_quads

    title = "BCMA CAR-T Cells in Multiple Myeloma"

    def ev(field: str, text: str, start: int) -> m.Evidence:
        return m.Evidence(field, text, start, start + len(text))

    record = m.Record(
        trial_id="NCT90000201",
        source=m.SourceRef("x.json", "0"),
        format=m.SourceFormat.JSON,
        nct_id="NCT90000201",
        brief_title=title,
        conditions=("Multiple Myeloma",),
        interventions=(m.Intervention("BIOLOGICAL", "Anti-BCMA CAR-T cells"),),
        outcomes=(
            m.Outcome(m.OutcomeRole.PRIMARY, "Dose-limiting toxicity", time_frame="28 days"),
        ),
        phases=("PHASE1",),
        study_type="INTERVENTIONAL",
        start_date="2021-03",
        enrollment=20,
    )
    trial = m.Trial(
        "NCT90000201",
        record,
        interventions=(
            m.InterventionInfo(
                0,
                "Anti-BCMA CAR-T cells",
                "BIOLOGICAL",
                modality=m.Modality.CAR_T,
                evidence=(ev("interventions[0].name", "CAR-T", 10),),
            ),
        ),
        targets=(
            m.TargetLink(
                m.Antigen("TNFRSF17", "HGNC:11913", "BCMA"),
                m.Basis.STATED,
                (ev("brief_title", "BCMA", 0),),
                0,
            ),
        ),
        target_status=m.TargetStatus.STATED,
        diseases=(
            m.DiseaseLink(
                "D009101",
                "Multiple Myeloma",
                "Multiple Myeloma",
                m.Basis.LEXICON,
                (ev("conditions[0]", "Multiple Myeloma", 0),),
                qualifiers=("relapsed",),
            ),
        ),
        endpoints=(
            m.Endpoint(
                0,
                m.OutcomeRole.PRIMARY,
                "Dose-limiting toxicity",
                "",
                m.TimeFrame("28 days", 0, 28),
                concepts=(
                    m.ConceptLink(
                        "DLT",
                        m.EndpointCategory.SAFETY,
                        (ev("outcomes[0].measure", "Dose-limiting", 0),),
                    ),
                ),
            ),
        ),
    )
    store = ox.Store()
    store.extend(trial_quads(trial))
    store.extend(vocabulary_quads([trial]))
    report = validate.validate(store)
    assert report.conforms, str(report)
    # and the same graph with the title lost is caught
    store.update(PREFIXES + "DELETE WHERE { GRAPH ?g { ?t dcterms:title ?x } }")
    assert {v.rule for v in validate.validate(store).violations} >= {
        "gbsh:Trial-title",
        "trial-without-title-violation",
    }


def test_accepts_a_graph_store() -> None:
    store = GraphStore.in_memory()
    store.ox.load(path=str(MINI), format=ox.RdfFormat.TRIG)
    assert validate.validate(store).conforms


def test_cli_validate_exit_status_and_listing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--graph", str(MINI)]) == 0
    assert "conforms" in capsys.readouterr().out

    with GraphStore.open(tmp_path / "store") as store:
        store.ox.load(path=str(MINI), format=ox.RdfFormat.TRIG)
        store.ox.update(PREFIXES + BROKEN[0])
    assert main(["validate", "--graph", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert (
        "trial NCT90000102" in out
        and "gbsh:Trial-title" in out
        and "trial-without-title-violation" in out
    )

    assert main(["validate", "--graph", str(tmp_path), "--format", "json", "--no-shacl"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["conforms"] is False
    assert payload["query_rows"]["trial-without-title-violation"][0]["trial_id"] == "NCT90000102"

    assert main(["validate", "--graph", str(tmp_path / "nothing-here")]) == 2


def test_a_copy_in_one_trial_graph_blames_that_trial_only() -> None:
    """Both myeloma trials point at mesh:D009101; only NCT90000101's graph carries a (wrong)
    copy of its description."""
    copy = 'INSERT DATA { GRAPH g:NCT90000101 { mesh:D009101 a gb:Disease ; gb:meshId "D9101" } }'
    report = validate.validate(load_mini(copy))
    bad_id = [
        v for v in report.violations if v.rule == "gbsh:Disease-meshId" and v.value == "D9101"
    ]
    assert {v.trial_id for v in bad_id} == {"NCT90000101"}
    copied = {
        v.trial_id for v in report.violations if v.rule == "shared-node-in-trial-graph-violation"
    }
    assert copied == {"NCT90000101"}


def test_shacl_engines_agree_on_the_broken_graph() -> None:
    """pyrudof (the default) and pyshacl find the same violations: trial, node, path, rule,
    severity and value (messages of shapes without sh:message are each engine's own words)."""
    broken = load_mini(*BROKEN)

    def found(engine: str) -> set[tuple]:
        violations, *_ = validate.shacl_violations(broken, engine=engine)
        return {(v.trial_id, v.focus_node, v.path, v.rule, v.severity, v.value) for v in violations}

    rudof = found("rudof")
    assert len(rudof) >= 7
    assert rudof == found("pyshacl")
    with pytest.raises(ValueError, match="rudof"):
        validate.shacl_violations(broken, engine="topbraid")


def test_cli_shacl_engines_are_the_module_engines(tmp_path: Path) -> None:
    from graphbuild.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["validate", "--graph", str(tmp_path), "--shacl-engine", "pyshacl"])
    assert args.shacl_engine == "pyshacl"
    choices = next(
        a.choices for a in parser._subparsers._group_actions[0].choices["validate"]._actions
        if a.dest == "shacl_engine"
    )
    assert tuple(choices) == validate.SHACL_ENGINES


def test_a_broken_process_pool_is_checked_again_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the pool breaks part-way (a __main__ a spawned process cannot re-import), the
    pass starts again in this process: same violations and triples as an unbroken run, and the
    progress listener hears the same steps again from where the pass began."""
    broken = load_mini(*BROKEN)
    want = validate.shacl_violations(broken, chunk_size=1)
    real = validate_shacl._rudof_chunks

    def breaks_after_one(*args, parallel: bool, **kwargs):  # type: ignore[no-untyped-def]
        chunks = real(*args, parallel=False, **kwargs)
        if parallel:
            yield next(chunks)
            raise validate_shacl.BrokenProcessPool("a worker died")
        yield from chunks

    monkeypatch.setattr(validate_shacl, "_rudof_chunks", breaks_after_one)
    heard: list[tuple[int, int]] = []
    got = validate.shacl_violations(broken, chunk_size=1, progress=lambda *step: heard.append(step))
    assert got == want and got[0]
    total = got[2]
    assert heard == [(1, total)] + [(i, total) for i in range(1, total + 1)]


def test_the_package_exports_what_it_lists_and_checking_stays_light() -> None:
    """`graphbuild.validate` loads its public names on first use: every listed name resolves, and
    a process that only checks graphs (`graphbuild.validate.rudof`) imports no rdflib."""
    import subprocess
    import sys

    assert sorted(validate.__all__) == sorted(validate._EXPORTS)
    assert all(getattr(validate, name) is not None for name in validate.__all__)
    code = "import sys, graphbuild.validate.rudof; print('rdflib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
