"""The landscape report (`graphbuild report`, and report.html from `graphbuild build`): what
the page holds, checked against the stored queries, and the page opened in headless Chromium
(the charts drawn, no console errors, a screenshot saved)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import Browser, chromium_path

from graphbuild.cli import main
from graphbuild.landscape import charts, read_build_report
from graphbuild.landscape.data import collect
from graphbuild.landscape.network import product_graph
from graphbuild.queries import open_graph, run_query

SEED_TRIALS = ("000_9c2a9c0863e88fc2", "001_5b0f834bc6f69eca", "002_2917b9526c9dc599")
CHART_IDS = (
    "gb-heatmap",
    "gb-concepts",
    "gb-windows",
    "gb-phases",
    "gb-modalities",
    "gb-phase-antigen",
    "gb-network",
)

# Per plotly chart on the page: its main svg, and how many marks (bars, points, heatmap image,
# lines) it drew. A chart that failed to draw has no svg or no marks.
DRAWN = """
Array.from(document.querySelectorAll(".js-plotly-plot")).map(function (d) {
  return {id: d.id, svg: d.querySelectorAll("svg.main-svg").length,
          marks: d.querySelectorAll(".point, .trace path.js-line, .hm image, g.hm, .bars path").length,
          traces: (d.data || []).length};
})
"""


@pytest.fixture(scope="module")
def seed_graph(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    """The seeds built by the CLI, which writes report.html by default."""
    out = tmp_path_factory.mktemp("seed-graph")
    assert main(["build", str(examples_dir), "-o", str(out), "--quiet"]) == 0
    return out


def test_build_writes_a_self_contained_report(seed_graph: Path) -> None:
    page = (seed_graph / "report.html").read_text(encoding="utf-8")
    assert "plotly.js v" in page or "Plotly" in page[:2_000_000]  # the library is inlined
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", page)
    for trial in SEED_TRIALS:
        assert trial in page  # each in some chart's hover lists
    for product in ("RD13-02", "SENL103", "CT0594CP"):
        assert f'"{product}' in page or f">{product}<" in page or product in page
    assert "records read" in page and "SHACL" in page


def test_no_report_html_when_asked(examples_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    quick = ["--memory", "--no-reason", "--no-validate", "-q"]
    assert main(["build", str(examples_dir), "-o", str(out), *quick]) == 0
    assert (out / "report.html").is_file()
    assert main(["build", str(examples_dir), "-o", str(out), *quick, "--no-report-html"]) == 0
    # no page, and not the previous build's page either
    assert not (out / "report.html").exists() and not (out / "report.html").is_symlink()
    assert "report.html" not in (read_build_report(out) or {}).get("outputs", [])


def test_heatmap_cells_are_the_matrix_query_rows(seed_graph: Path) -> None:
    store = open_graph(seed_graph)
    data = collect(store)
    heat = charts.antigen_disease_heatmap(data).data[0]
    cells = {
        (y, x): (z, ids)
        for y, zrow, idrow in zip(heat.y, heat.z, heat.customdata)
        for x, z, ids in zip(heat.x, zrow, idrow)
        if z
    }
    rows = run_query(store, "antigen_disease_matrix")
    assert rows and len(cells) == len(rows)
    for row in rows:
        z, ids = cells[row["antigen_symbol"], row["disease_label"]]
        assert z == row["n_trials"] and set(ids.replace("<br>", " ").split()) == set(
            row["trials"].split()
        )
    # the CD7 trial studies T-ALL/T-LBL; the unspecified-target seed 000 is in no cell
    assert cells["CD7", "Precursor T-Cell Lymphoblastic Leukemia-Lymphoma"][0] == 1
    assert not any(SEED_TRIALS[0] in ids for _, ids in cells.values())


def test_endpoint_bars_count_primary_and_secondary_endpoints(seed_graph: Path) -> None:
    data = collect(open_graph(seed_graph))
    fig = charts.endpoint_concepts(data)
    primary, secondary = fig.data
    categories, concepts = primary.x
    bars = {
        (c, k): (p, s, pt, st)
        for c, k, p, s, pt, st in zip(
            categories, concepts, primary.y, secondary.y, primary.customdata, secondary.customdata
        )
    }
    # (primary endpoints, secondary endpoints, their trials): from tests/gold, seeds 000 and
    # 002 measure DLT in one primary endpoint each; ORR in one secondary endpoint of 000 and
    # two of 002
    assert bars["safety", "DLT"] == (2, 0, 2, 0)
    assert bars["efficacy", "ORR"] == (0, 3, 0, 2)


def test_time_windows_count_each_endpoint_once(seed_graph: Path) -> None:
    fig = charts.time_windows(collect(open_graph(seed_graph)))
    bars = {trace.name.split(":")[0]: trace for trace in fig.data if trace.type == "bar"}
    marks = {trace.name.split(":")[0]: trace for trace in fig.data if trace.type == "scatter"}
    safety = dict(zip(marks["safety"].y, marks["safety"].x))
    info = dict(zip(bars["safety"].y, (c[2] for c in bars["safety"].customdata)))
    # tests/gold: seed 002 (CD7) has one safety endpoint, DLT/MTD/AE/TRAE over days 0-28
    assert safety["CD7"] == 28 and info["CD7"].startswith("1 endpoint(s) in 1 trial(s)")
    # seed 001 (TNFRSF17): AE/CRS/ICANS over days 0-30
    assert safety["TNFRSF17"] == 30 and info["TNFRSF17"].startswith("1 endpoint(s) in 1 trial(s)")
    assert "000_9c2a9c0863e88fc2" not in str(fig.to_dict())  # no antigen, no row


def test_network_holds_products_with_their_antigens(seed_graph: Path) -> None:
    net = product_graph(collect(open_graph(seed_graph)))
    graph = net.graph
    assert ("antigen", "CD7") in graph[("product", "RD13-02")]
    assert ("antigen", "TNFRSF17") in graph[("product", "SENL103")]
    assert not any(n[0] == "antigen" for n in graph[("product", "CT0594CP")])
    assert ("endpoint concept", "DLT") in graph[("product", "CT0594CP")]


@pytest.mark.corpus
def test_corpus_network_is_cut_to_the_node_limit(corpus_graph: Path) -> None:
    data = collect(open_graph(corpus_graph))
    whole = product_graph(data, max_nodes=100_000)
    cut = product_graph(data, max_nodes=200)
    assert whole.graph.number_of_nodes() > 200
    assert cut.graph.number_of_nodes() <= 200 and 0 < cut.products_shown < cut.products_total


@pytest.mark.corpus
def test_queries_side_by_side_gather_what_they_gather_one_by_one(corpus_graph: Path) -> None:
    """`graphbuild report` runs the page's queries on a thread per core, a build one after
    another beside its other outputs: the same rows, counts and links either way."""
    store = open_graph(corpus_graph)
    side_by_side, one_by_one = collect(store), collect(store, side_by_side=False)
    assert side_by_side == one_by_one
    assert one_by_one.trials > 1000 and one_by_one["antigen_disease_matrix"] and one_by_one.links


def _open_in_chromium(page: Path, shot: Path) -> dict[str, object]:
    binary = chromium_path()
    if binary is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run does)")
    with Browser(binary) as browser:
        browser.open(page.resolve().as_uri())
        drawn = browser.evaluate(DRAWN)
        # the network's selector lights up one product: its links drawn in the second trace
        picked = browser.evaluate(
            """(function () { var s = document.getElementById("gb-product");
                 s.value = "0"; s.dispatchEvent(new Event("change"));
                 var gd = document.getElementById("gb-network");
                 return [s.options.length - 1, gd.data[1].x.length]; })()"""
        )
        # a click on a heatmap cell lists all its trials under the chart
        clicked = browser.evaluate(
            """(function () {
                 var cells = JSON.parse(document.getElementById("gb-heatmap-data").textContent);
                 var key = Object.keys(cells)[0], parts = key.split("\\t");
                 document.getElementById("gb-heatmap").emit(
                     "plotly_click", {points: [{y: parts[0], x: parts[1]}]});
                 return [cells[key], document.getElementById("gb-heatmap-cell").textContent];
               })()"""
        )
        errors = browser.errors()
        requests = browser.requests()
        browser.screenshot(shot)
    return {
        "drawn": drawn,
        "picked": picked,
        "clicked": clicked,
        "errors": errors,
        "requests": requests,
    }


def _assert_rendered(result: dict[str, object], shot: Path) -> None:
    drawn = {d["id"]: d for d in result["drawn"]}
    assert set(CHART_IDS) <= set(drawn), drawn
    for chart in CHART_IDS:
        assert drawn[chart]["svg"] >= 1 and drawn[chart]["marks"] >= 1, drawn[chart]
    products, highlighted = result["picked"]
    assert products >= 1 and highlighted >= 3  # at least one link: (x, x, None)
    ids, listed = result["clicked"]
    assert ids and f"{len(ids)} trial(s): {', '.join(ids)}" in listed
    assert result["errors"] == []
    # self-contained: nothing but the file itself (and plotly's inline data: URIs) was fetched
    assert result["requests"] and all(
        url.startswith(("file:", "data:")) for url in result["requests"]
    ), result["requests"]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_seed_report_renders_in_chromium(seed_graph: Path, tmp_path: Path) -> None:
    shot = tmp_path / "seed-report.png"
    _assert_rendered(_open_in_chromium(seed_graph / "report.html", shot), shot)


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_report_renders_in_chromium(corpus_graph: Path, tmp_path: Path) -> None:
    page = tmp_path / "corpus-report.html"
    assert main(["report", "--graph", str(corpus_graph), "-o", str(page)]) == 0
    shot = tmp_path / "corpus-report.png"
    _assert_rendered(_open_in_chromium(page, shot), shot)
    print(f"screenshot: {shot}")


def test_report_command_fails_in_one_line_on_a_missing_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["report", "--graph", str(tmp_path / "nothing"), "-o", str(tmp_path / "r.html")]) == 1
    )
    err = capsys.readouterr().err
    assert err.startswith("graphbuild report: error: no graph at") and "hint:" in err
    assert "Traceback" not in err and not (tmp_path / "r.html").exists()
    with pytest.raises(FileNotFoundError):
        main(["report", "--graph", str(tmp_path / "nothing"), "--traceback"])


def test_report_from_a_dataset_file_has_no_build_figures(seed_graph: Path, tmp_path: Path) -> None:
    page = tmp_path / "from-nq.html"
    assert main(["report", "--graph", str(seed_graph / "graph.nq"), "-o", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "No report.json beside this graph" in text
    assert all(trial in text for trial in SEED_TRIALS)


def test_report_is_the_same_page_under_any_string_hash_seed(
    corpus_graph: Path, tmp_path: Path
) -> None:
    """Same input, same page: the network's layout depends on the order its nodes are added,
    which once followed set iteration and so changed with PYTHONHASHSEED between runs."""
    import os
    import subprocess
    import sys

    pages = []
    for seed in ("1", "2"):
        page = tmp_path / f"report-{seed}.html"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1796256000"}
        subprocess.run(
            [sys.executable, "-m", "graphbuild", "report", "--graph", str(corpus_graph),
             "-o", str(page)],
            check=True, env=env, capture_output=True,
        )
        pages.append(page.read_bytes())
    assert b'"name":"links"' in pages[0]  # the network figure is on the page
    assert pages[0] == pages[1]
