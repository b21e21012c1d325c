"""`graphbuild add` updates vocabulary, inferred graph, validation and report counts in
proportion to the change; the result must be exactly what a full rebuild of the same inputs
gives (every graph but the build graph, whose times and sources differ, compared as canonical
N-Quads), for a trial whose antigen and disease changed and for a new trial, on the seeds and
on the corpus. A killed add leaves the previous build current and intact. The rule scoping is
generic: a rule the compiler does not make today, in the compiled form, is scoped the same way.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from graphbuild.build import build
from graphbuild.build.add import add
from graphbuild.build.commit import current_build
from graphbuild.rdf.namespaces import BUILD_GRAPH
from graphbuild.reason.incremental import infer_for_nodes, remove_inferred_about, rule_queries, scoped_sparql
from graphbuild.store import GraphStore

SEEDS = ("000_9c2a9c0863e88fc2", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599")
TRIAL_GRAPH = "https://w3id.org/graphbuild/id/graph/trial/"
INFERRED = "https://w3id.org/graphbuild/id/graph/inferred"
COUNTS = ("trials_loaded", "graphs", "node_counts", "link_counts")


def _dataset(out: Path) -> dict[str, str]:
    """Every graph but the build graph, as canonical N-Quads."""
    with GraphStore.read_only(out / "store") as store:
        return {
            g.value: store.canonical_nquads([g]) for g in store.graphs() if g.value != str(BUILD_GRAPH)
        }


def _report(out: Path) -> dict:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    with GraphStore.read_only(out / "store") as store:
        report["quads without the build graph"] = store.count() - store.count(BUILD_GRAPH)
        assert report["quads"] == store.count()  # the updated count is the store's
    return report


def _same_store_and_counts(incremental: Path, full: Path) -> None:
    got, want = _dataset(incremental), _dataset(full)
    assert set(got) == set(want)
    assert {g for g in want if got[g] != want[g]} == set()
    got_report, want_report = _report(incremental), _report(full)
    for key in (*COUNTS, "quads without the build graph"):
        assert got_report[key] == want_report[key], key
    assert got_report["reasoning"].get("inferred_quads") == want_report["reasoning"].get("inferred_quads")
    assert got_report["ungrounded"] == want_report["ungrounded"]
    assert _ungrounded_rows(incremental) == _ungrounded_rows(full)


def _ungrounded_rows(out: Path) -> list[str]:
    """The rows of report.md's ungrounded conditions table."""
    text = (out / "report.md").read_text(encoding="utf-8")
    section = text.split("## Ungrounded conditions", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ")]


# --------------------------------------------------------------------------------------------
# The seeds: a changed antigen and disease whose old vocabulary nodes nobody else points at
# --------------------------------------------------------------------------------------------


def _changed_seed(examples_dir: Path, folder: Path) -> Path:
    """Seed 001 (a BCMA CAR-T trial in multiple myeloma) turned into a CD19 trial in
    Hodgkin disease: its antigen, disease and their MeSH ancestors change."""
    lines = (examples_dir / f"{SEEDS[1]}.txt").read_text(encoding="utf-8").split("\n")
    assert lines[2] == "Multiple Myeloma"
    lines[2] = "Hodgkin Disease"
    path = folder / f"{SEEDS[1]}.txt"
    path.write_text("\n".join(lines).replace("BCMA", "CD19"), encoding="utf-8")
    return path


def _new_seed(examples_dir: Path, folder: Path) -> Path:
    path = folder / "0015_new_trial.txt"
    shutil.copy(examples_dir / f"{SEEDS[2]}.txt", path)
    return path


def _seed_inputs(examples_dir: Path, folder: Path) -> Path:
    """A copy of the seeds. Changed records are written over their files there, so the full
    rebuild reads every record from the path the build and the add read it from (a trial
    graph names its source by path)."""
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(examples_dir / f"{seed}.txt", folder)
    return folder


def test_add_on_the_seeds_equals_a_full_rebuild(tmp_path: Path, examples_dir: Path) -> None:
    inputs = _seed_inputs(examples_dir, tmp_path / "inputs")
    incremental = tmp_path / "incremental"
    build([inputs], incremental, workers=1)
    changed, new = _changed_seed(examples_dir, inputs), _new_seed(examples_dir, inputs)

    result = add([changed, new], incremental)

    assert (result.replaced, result.added, result.rejects) == ([SEEDS[1]], ["0015_new_trial"], [])
    full = tmp_path / "full"
    build([inputs], full, workers=1)
    _same_store_and_counts(incremental, full)

    report = _report(incremental)
    entry = report["changes"][-1]
    assert entry["vocabulary"]["nodes removed"] > 0  # multiple myeloma and ancestors only it used
    assert entry["vocabulary"]["nodes added"] > 0  # Hodgkin disease and its ancestors
    assert entry["inferred"]["removed"] > 0 and entry["inferred"]["added"] > 0
    full_report = _report(full)
    for key in ("conforms", "violations"):
        assert report["validation"][key] == full_report["validation"][key]
    assert report["validation"]["revalidated"]["trials"] == ["0015_new_trial", SEEDS[1]]
    assert "Multiple Myeloma" not in _dataset(incremental)[f"{TRIAL_GRAPH}{SEEDS[1]}"]


def _violation_lines(validation: dict) -> list[str]:
    return [line for line in str(validation["text"]).splitlines() if line.startswith("[")]


def test_revalidating_the_changed_trials_gives_the_whole_graphs_violations(
    tmp_path: Path, examples_dir: Path
) -> None:
    """A trial graph that lost its title (SHACL and a violation query catch it): validating
    that trial alone and merging into the build's result gives what validating the whole
    store gives; so does the repair, which drops the trial's violations again."""
    from graphbuild.build.revalidate import revalidate_trials
    from graphbuild.build.steps import run_validation

    out = tmp_path / "build"
    build([examples_dir], out, workers=1)
    previous = json.loads((out / "report.json").read_text())["validation"]
    assert previous["conforms"] is True
    title = "http://purl.org/dc/terms/title"
    with GraphStore.open(out / "current" / "store") as store:
        graph = ox.NamedNode(f"{TRIAL_GRAPH}{SEEDS[0]}")
        lost = list(store.ox.quads_for_pattern(None, ox.NamedNode(title), None, graph))
        assert lost
        for quad in lost:
            store.ox.remove(quad)
        broken = revalidate_trials(store, [SEEDS[0]], previous)
        whole = run_validation(store, 3)
        assert broken["conforms"] is whole["conforms"] is False
        assert broken["violations"] == whole["violations"] >= 2  # the shape and the query
        assert _violation_lines(broken) == _violation_lines(whole)
        assert all(f"trial {SEEDS[0]}:" in line for line in _violation_lines(broken))

        store.ox.extend(lost)
        repaired = revalidate_trials(store, [SEEDS[0]], broken)
        assert repaired["conforms"] is True and repaired["violations"] == 0
        assert _violation_lines(repaired) == []


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

CHANGED_XML = "NCT01087294.xml"  # anti-CD19 CAR-T in B-cell malignancies, only in the XML folder
NEW_XML_FROM = "NCT01318317.xml"
NEW_ID = "NCT99990001"


def _changed_xml(corpus_dir: Path, folder: Path) -> Path:
    """The CAR-T trial retargeted: BCMA instead of CD19, multiple myeloma instead of its
    B-cell conditions (and no source MeSH terms)."""
    text = (corpus_dir / "ctgov_xml_2018" / CHANGED_XML).read_text(encoding="utf-8")
    text = re.sub(r"<condition_browse>.*?</condition_browse>", "", text, flags=re.S)
    text = re.sub(r"(<condition>[^<]*</condition>\s*)+", "<condition>Multiple Myeloma</condition>\n  ", text)
    path = folder / CHANGED_XML
    path.write_text(text.replace("CD19", "BCMA"), encoding="utf-8")
    return path


def _new_xml(corpus_dir: Path, folder: Path) -> Path:
    text = (corpus_dir / "ctgov_xml_2018" / NEW_XML_FROM).read_text(encoding="utf-8")
    path = folder / f"{NEW_ID}.xml"
    path.write_text(text.replace(NEW_XML_FROM[:-4], NEW_ID), encoding="utf-8")
    return path


def test_add_on_the_corpus_equals_a_full_rebuild(
    tmp_path: Path, corpus_dir: Path, corpus_graph: Path
) -> None:
    incremental = tmp_path / "incremental"
    shutil.copytree(corpus_graph, incremental, symlinks=True)  # the session's build stays as it is
    changes = tmp_path / "changes"
    changes.mkdir()
    changed, new = _changed_xml(corpus_dir, changes), _new_xml(corpus_dir, changes)

    result = add([changed, new], incremental)

    assert (result.replaced, result.added, result.rejects) == ([CHANGED_XML[:-4]], [NEW_ID], [])
    xml_files = sorted((corpus_dir / "ctgov_xml_2018").glob("*.xml"))
    full = tmp_path / "full"
    inputs = [
        corpus_dir / "ctgov_api_v2_json",
        corpus_dir / "ctgov_csv_export",
        *(path for path in xml_files if path.name != CHANGED_XML),
        changed,
        new,
    ]  # every record from the path the build and the add read it from (its graph names it)
    build(inputs, full, workers=max(2, os.cpu_count() or 1), validate=False)
    _same_store_and_counts(incremental, full)
    graph = _dataset(incremental)[f"{TRIAL_GRAPH}{CHANGED_XML[:-4]}"]
    assert "hgnc:11913>" in graph and "hgnc:1633>" not in graph  # BCMA (TNFRSF17), not CD19


# --------------------------------------------------------------------------------------------
# A killed add
# --------------------------------------------------------------------------------------------

CHILD = r"""
import os, pathlib, sys, time
from graphbuild.build import add as add_module

marker, out, record = sys.argv[1:]
real_commit = add_module.commit

def paused(build_dir, out_dir):
    pathlib.Path(marker).write_text(str(os.getpid()))
    time.sleep(600)
    real_commit(build_dir, out_dir)

add_module.commit = paused
add_module.add([record], out)
"""


def test_a_killed_add_leaves_the_previous_build_current_and_intact(tmp_path: Path, examples_dir: Path) -> None:
    out = tmp_path / "build"
    build([examples_dir], out, workers=1, validate=False)
    before_dir = current_build(out)
    before = _dataset(out)
    nq = (out / "graph.nq").read_bytes()
    changes = tmp_path / "changes"
    changes.mkdir()
    changed = _changed_seed(examples_dir, changes)
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(marker), str(out), str(changed)])
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():  # the new build is written, not yet current
            assert child.poll() is None, "the add ended before its pause"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
    assert current_build(out) == before_dir
    assert _dataset(out) == before
    assert (out / "graph.nq").read_bytes() == nq
    assert len(list((out / "builds").iterdir())) == 2  # the killed add's folder, left over

    add([changed], out)  # the next add clears it and applies the change
    assert [p.resolve() for p in (out / "builds").iterdir()] == [current_build(out)]
    assert _dataset(out)[f"{TRIAL_GRAPH}{SEEDS[1]}"] != before[f"{TRIAL_GRAPH}{SEEDS[1]}"]


# --------------------------------------------------------------------------------------------
# Scoping any rule of the compiled form
# --------------------------------------------------------------------------------------------

EXTRA_RULE = (
    "test:trialDisease",
    "CONSTRUCT { ?t <urn:test#studiesUnder> ?d }\n"
    "WHERE { ?t <https://w3id.org/graphbuild/vocab#studiesDisease>/"
    "<http://www.w3.org/2004/02/skos/core#broaderTransitive>* ?d }",
)


def test_any_rule_of_the_compiled_form_is_scoped_to_the_changed_nodes(tmp_path: Path, examples_dir: Path) -> None:
    """A direct trial -> disease rule (the kind another change adds to the compiler) gives,
    scoped to one trial's nodes, exactly its unscoped answers about those nodes."""
    out = tmp_path / "build"
    build([examples_dir], out, workers=1, validate=False)
    with GraphStore.open(out / "current" / "store") as store:
        unscoped = {
            (t.subject.value, t.predicate.value, t.object.value)
            for t in store.ox.query(EXTRA_RULE[1], use_default_graph_as_union=True)
        }
        graph = ox.NamedNode(f"{TRIAL_GRAPH}{SEEDS[1]}")
        nodes = {q.subject.value for q in store.ox.quads_for_pattern(None, None, None, graph)}
        assert "VALUES ?t {" in scoped_sparql(EXTRA_RULE[1], nodes)
        rules = [*rule_queries(), EXTRA_RULE]
        remove_inferred_about(store.ox, nodes)
        written = infer_for_nodes(store, nodes, rules)
    mine = {fact for fact in unscoped if fact[0] in nodes}
    assert mine and {f for f in written if f[1] == "urn:test#studiesUnder"} == mine
    assert len(mine) < len(unscoped)  # the other trials' facts were not derived again


def test_the_shortcut_rules_scoped_give_their_unscoped_answers(tmp_path: Path, examples_dir: Path) -> None:
    """The shortcut edges and time-point lists the stored queries read (one rule's body is a
    sub-select grouped by the head's subject: scoped inside it) give, bound to one trial's
    nodes, exactly the unscoped answers about those nodes, literals included."""
    from graphbuild.reason import shortcut_rules

    out = tmp_path / "build"
    build([examples_dir], out, workers=1, validate=False)
    with GraphStore.open(out / "current" / "store") as store:
        nodes = {
            q.subject.value
            for seed in SEEDS[1:]  # 002 has time points
            for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(f"{TRIAL_GRAPH}{seed}"))
        }
        kinds = set()
        for rule in shortcut_rules():
            unscoped = {str(t) for t in store.ox.query(rule.sparql, use_default_graph_as_union=True)
                        if t.subject.value in nodes}
            scoped = {str(t) for t in store.ox.query(scoped_sparql(rule.sparql, nodes),
                                                     use_default_graph_as_union=True)}
            assert scoped == unscoped, rule.name
            kinds |= {rule.name} if scoped else set()
    assert "gb:timePointList" in kinds and len(kinds) >= 2, kinds  # both rule forms were tried


# --------------------------------------------------------------------------------------------
# Scoped rules on the corpus: the UNION branches bound too
# --------------------------------------------------------------------------------------------

GB = "https://w3id.org/graphbuild/vocab#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# (trial, antigen, basis) where the antigen comes only through one of the trial's
# interventions (the second branch of the antigen shortcut rules' UNION)
THROUGH_INTERVENTION_ONLY = f"""
SELECT DISTINCT ?x ?y ?basis WHERE {{
  ?link <{RDF}predicate> <{GB}targetsAntigen> ; <{RDF}subject> ?i ; <{RDF}object> ?y ;
        <{GB}basis> ?basis .
  ?x <{GB}hasIntervention> ?i
  FILTER NOT EXISTS {{ ?own <{RDF}predicate> <{GB}directedAt> ; <{RDF}subject> ?x ;
                            <{RDF}object> ?y ; <{GB}basis> ?basis }}
}}"""
STATED_ON_THE_TRIAL = f"""
SELECT DISTINCT ?x WHERE {{
  ?link <{RDF}predicate> <{GB}directedAt> ; <{RDF}subject> ?x ; <{GB}basis> "stated" }}"""
# braces in a string and a comment, a union nested in a union branch, an OPTIONAL: what the
# scoping must read past or leave as it is (not a rule of the compiler; the same form)
ODD_RULE = (
    "CONSTRUCT { ?x <urn:test#reaches> ?y }\nWHERE {\n"
    f"  {{ ?x <{GB}hasIntervention> ?y }} # a comment with a brace }}\n"
    f"  UNION {{ {{ ?x <{GB}studiesDisease> ?y }} UNION {{ ?x <{GB}hasEndpoint> ?y }}\n"
    f'          FILTER(STR(?y) != "{{}} }} {{") }}\n'
    f"  OPTIONAL {{ ?x <{GB}trialId> ?id }}\n}}"
)

# branches that bind the head's subject themselves (bound inside, their own VALUES of IRIs made
# filters where a triple pattern binds the variable, not where only the VALUES does)
FREE_RULE = (
    "CONSTRUCT { ?x <urn:test#kind> ?k }\nWHERE {\n"
    f"  {{ ?x a ?k . VALUES ?k {{ <{GB}Trial> <{GB}CARTTrial> <{GB}Intervention> }} }}\n"
    f"  UNION {{ VALUES ?k {{ <urn:test#fixed> }} ?x <{GB}hasIntervention> ?i }}\n"
    f"  UNION {{ ?x <{GB}studiesDisease> ?k FILTER(isIRI(?k)) }}\n}}"
)


def _facts(store: ox.Store, sparql: str) -> set[tuple[str, str, str]]:
    return {
        (t.subject.value, t.predicate.value, str(t.object))
        for t in store.query(sparql, use_default_graph_as_union=True)
    }


def test_scoped_rules_on_the_corpus_give_the_unscoped_facts_of_the_focus_trials(corpus_graph: Path) -> None:
    """Every compiled rule and every shortcut, run with its head's subject bound (in each UNION
    branch too) to the nodes of a few corpus trials (as `add` binds the changed trials' nodes),
    derives exactly what it derives over the whole store about those nodes, on trials whose
    antigen comes only through an intervention (one per basis), a trial with a stated antigen
    of its own, and the rest of the corpus left out."""
    from graphbuild.reason import shortcut_rules

    with GraphStore.read_only(corpus_graph / "store") as store:
        through = sorted(
            (r["x"].value, r["y"].value, r["basis"].value)
            for r in store.ox.query(THROUGH_INTERVENTION_ONLY, use_default_graph_as_union=True)
        )
        one_per_basis = {basis: (x, y) for x, y, basis in reversed(through)}
        assert set(one_per_basis) == {"stated", "product_lexicon", "inferred"}, one_per_basis
        stated = sorted(r["x"].value for r in store.ox.query(STATED_ON_THE_TRIAL, use_default_graph_as_union=True))
        trials = {x for x, _ in one_per_basis.values()} | {stated[0]}
        graphs = [ox.NamedNode(x.replace("/id/trial/", "/id/graph/trial/")) for x in sorted(trials)]
        nodes = {
            q.subject.value
            for graph in graphs
            for q in store.ox.quads_for_pattern(None, None, None, graph)
            if isinstance(q.subject, ox.NamedNode)
        }
        assert trials <= nodes and len(nodes) > len(trials)  # their interventions, links too
        rules = [
            *rule_queries(),
            *((r.name, r.sparql) for r in shortcut_rules()),
            ("odd", ODD_RULE),
            ("free", FREE_RULE),
        ]
        free = scoped_sparql(FREE_RULE, nodes)
        assert free.count("VALUES ?x {") == 4 and free.count("FILTER(?k IN (") == 1
        assert "VALUES ?k { <urn:test#fixed> }" in free
        # bound first in the body and again in both top-level branches (Oxigraph does not
        # push a binding into a UNION), not in the nested union, the OPTIONAL, the string
        heads = {"stated": "directedAtStated", "product_lexicon": "directedAtByProductLexicon",
                 "inferred": "directedAtInferred"}
        antigen_rules = [sparql for name, sparql in rules if name[3:] in heads.values()]
        assert len(antigen_rules) == 3
        for sparql in (*antigen_rules, ODD_RULE):
            assert scoped_sparql(sparql, nodes).count("VALUES ?x {") == 3
        derived: set[tuple[str, str, str]] = set()
        for name, sparql in rules:
            every = _facts(store.ox, sparql)
            scoped = _facts(store.ox, scoped_sparql(sparql, nodes))
            assert scoped == {fact for fact in every if fact[0] in nodes}, name
            assert len(scoped) < len(every) or not every, name  # the rest of the corpus left out
            derived |= scoped
    for basis, (x, y) in one_per_basis.items():  # the UNION's second branch reached, bound
        assert (x, f"{GB}{heads[basis]}", f"<{y}>") in derived, (basis, x, y)
    assert any(fact[1] == "urn:test#reaches" for fact in derived)
    kinds = {fact[2] for fact in derived if fact[1] == "urn:test#kind"}
    assert {f"<{GB}Trial>", f"<{GB}Intervention>", "<urn:test#fixed>"} <= kinds
