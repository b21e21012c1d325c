"""The landscape page: one self-contained HTML file (plotly's script inlined once, no network
needed to open it) with the charts, the network view and the build's figures."""

from __future__ import annotations

import html
import json
import os
from collections import Counter
from datetime import datetime, timezone
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from graphbuild import __version__
from graphbuild.landscape import charts
from graphbuild.landscape.data import Landscape
from graphbuild.landscape.network import network_figure

NETWORK_DIV = "gb-network"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1400px; padding: 0 16px;
       color: #222; }
h1 { margin-bottom: 0; } .sub { color: #666; margin-top: 4px; }
section { margin: 28px 0; } table { border-collapse: collapse; }
td, th { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.figures { display: flex; flex-wrap: wrap; gap: 24px; } .bad { color: #b00; } .good { color: #070; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
"""

# Lights up one product's neighbourhood in the network view: its nodes opaque, the others
# faint, its links drawn in the second trace. Reads the neighbourhoods the page embeds.
NETWORK_SCRIPT = """
(function () {
  var gd = document.getElementById("%(div)s");
  var hoods = JSON.parse(document.getElementById("gb-network-data").textContent);
  var select = document.getElementById("gb-product");
  hoods.forEach(function (h, i) {
    var o = document.createElement("option"); o.value = i; o.textContent = h.name;
    select.appendChild(o);
  });
  select.addEventListener("change", function () {
    var traces = [], opacity = [];
    for (var t = 2; t < gd.data.length; t++) {
      traces.push(t);
      opacity.push(new Array(gd.data[t].x.length).fill(select.value === "" ? 1 : 0.12));
    }
    var hx = [], hy = [];
    if (select.value !== "") {
      var h = hoods[Number(select.value)];
      h.nodes.forEach(function (n) { opacity[n[0] - 2][n[1]] = 1; });
      hx = h.x; hy = h.y;
    }
    Plotly.restyle(gd, {"marker.opacity": opacity}, traces);
    Plotly.restyle(gd, {x: [hx], y: [hy]}, [1]);
  });
})();
"""


# A click on a heatmap cell lists all its trials under the chart (the hover shows the first
# few dozen). Reads the cells the page embeds, keyed "antigen<TAB>disease".
HEATMAP_SCRIPT = """
(function () {
  var gd = document.getElementById("gb-heatmap");
  var cells = JSON.parse(document.getElementById("gb-heatmap-data").textContent);
  var out = document.getElementById("gb-heatmap-cell");
  gd.on("plotly_click", function (event) {
    var p = event.points[0], ids = cells[p.y + "\\t" + p.x] || [];
    out.textContent = p.y + " \u00d7 " + p.x + ": " + ids.length + " trial(s): " + ids.join(", ");
  });
})();
"""


def _json_script(element_id: str, value: object) -> str:
    """`value` as JSON in a script element the page's scripts read (never run as code)."""
    text = json.dumps(value).replace("</", "<\\/")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _figure_div(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def _reason_kind(reason: str) -> str:
    """A reject's reason without its particulars (what follows the first colon)."""
    return reason.split(":", 1)[0].strip()[:80] or "unknown"


def build_figures(report: dict[str, Any] | None) -> str:
    """The build's figures from its report.json: records, rejects, triples, SHACL, reasoning."""
    if not report:
        return "<p>No report.json beside this graph: the build's figures are not known.</p>"
    validation = report.get("validation") or {}
    if not validation.get("ran"):
        shacl = html.escape(str(validation.get("reason") or validation.get("error") or "not run"))
    elif validation.get("conforms"):
        shacl = '<span class="good">conforms</span>'
    else:
        results = validation.get("violations", "?")
        shacl = f'<span class="bad">does not conform: {results} result(s)</span>'
    if validation.get("note"):
        shacl += f" ({html.escape(str(validation['note']))})"
    reasoning = report.get("reasoning") or {}
    reasoned = (
        f"{reasoning.get('inferred_quads', 0)} inferred quads"
        if reasoning.get("ran")
        else html.escape(str(reasoning.get("reason") or reasoning.get("error") or "not run"))
    )
    rejects = report.get("rejects") or []
    rows = [
        ("records read", report.get("records_read", 0)),
        ("trials loaded", report.get("trials_loaded", 0)),
        ("records rejected", len(rejects)),
        ("duplicate trial ids", len(report.get("duplicates") or [])),
        ("ungrounded conditions", len(report.get("ungrounded") or [])),
        ("quads (triples in named graphs)", report.get("quads", 0)),
        ("named graphs", report.get("graphs", 0)),
    ]
    table = "".join(f"<tr><td>{html.escape(k)}</td><td class=n>{v}</td></tr>" for k, v in rows)
    table += (
        f"<tr><td>SHACL</td><td>{shacl}</td></tr><tr><td>reasoning</td><td>{reasoned}</td></tr>"
    )
    nodes = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td class=n>{v}</td></tr>"
        for k, v in (report.get("node_counts") or {}).items()
    )
    timings = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td class=n>{float(v):.1f} s</td></tr>"
        for k, v in (report.get("timings") or {}).items()
    )
    parts = [
        '<div class="figures">',
        f"<table><tr><th colspan=2>build</th></tr>{table}</table>",
        f"<table><tr><th colspan=2>nodes</th></tr>{nodes}</table>",
        f"<table><tr><th colspan=2>timings</th></tr>{timings}</table>",
        "</div>",
    ]
    if rejects:
        reasons = Counter(_reason_kind(str(r.get("reason", ""))) for r in rejects)
        parts.append(_figure_div(charts.rejects_by_reason(reasons), "gb-rejects"))
        listed = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(r.get(k, '')))}</td>"
                for k in ("file", "record", "field", "reason")
            )
            + "</tr>"
            for r in rejects[:200]
        )
        more = (
            f"<p>... and {len(rejects) - 200} more in report.md.</p>" if len(rejects) > 200 else ""
        )
        parts.append(
            "<details><summary>rejected records</summary><table><tr><th>file</th><th>record</th>"
            f"<th>field</th><th>reason</th></tr>{listed}</table>{more}</details>"
        )
    return "\n".join(parts)


def render(data: Landscape, report: dict[str, Any] | None, title: str = "graphbuild") -> str:
    """The whole page as one HTML string."""
    network, hoods = network_figure(data)
    sections = [
        ("Build", build_figures(report)),
        (
            "Target antigens and diseases",
            _figure_div(charts.antigen_disease_heatmap(data), "gb-heatmap")
            + '<p id="gb-heatmap-cell" class="sub">Click a cell to list all its trials.</p>'
            + _json_script("gb-heatmap-data", charts.matrix_cells(data))
            + f"<script>{HEATMAP_SCRIPT}</script>",
        ),
        (
            "Endpoints",
            _figure_div(charts.endpoint_concepts(data), "gb-concepts")
            + _figure_div(charts.time_windows(data), "gb-windows"),
        ),
        (
            "Phases and modalities",
            '<div class="pair">'
            + _figure_div(charts.phases(data), "gb-phases")
            + _figure_div(charts.modalities(data), "gb-modalities")
            + "</div>"
            + _figure_div(charts.phases_by_antigen(data), "gb-phase-antigen"),
        ),
        (
            "Network",
            '<label>Show one product: <select id="gb-product"><option value="">all</option>'
            "</select></label>"
            + _figure_div(network, NETWORK_DIV)
            + _json_script("gb-network-data", hoods)
            + f"<script>{NETWORK_SCRIPT % {'div': NETWORK_DIV}}</script>",
        ),
    ]
    stamp = _made_at().strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(
        f"<section><h2>{html.escape(name)}</h2>\n{content}\n</section>"
        for name, content in sections
    )
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}: trial landscape</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<h1>{html.escape(title)}: trial landscape</h1>"
        f'<p class="sub">{data.trials} trials; made by graphbuild {__version__} on {stamp} '
        "from the stored queries (hover any bar or cell for its trials)</p>"
        f"{body}</body></html>\n"
    )


def _made_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (the reproducible-builds convention), so that two
    runs over the same build can give the same page byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)
