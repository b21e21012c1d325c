"""The landscape's charts as plotly figures, one function per chart, each from the rows of
the stored queries (`data.Landscape`). Large graphs are cut to the top rows, and the figure's
title says how many were left out, so every chart stays readable."""

from __future__ import annotations

import statistics
from collections import Counter

import plotly.graph_objects as go

from graphbuild.landscape.data import Landscape, trial_ids

TEMPLATE = "plotly_white"
MAX_ANTIGENS = 25  # heatmap rows, range-plot rows, phase bars
MAX_DISEASES = 30  # heatmap columns
IDS_PER_LINE = 6  # trial ids per hover line
MAX_HOVER_IDS = 60  # trial ids listed in one hover (the rest counted)
WINDOW_CATEGORIES = ("safety", "efficacy")


def _ranked(counts: Counter[str], n: int | None = None) -> list[tuple[str, int]]:
    """Most common first, ties by name: `Counter.most_common` breaks ties by insertion order,
    which follows set iteration upstream and so changes between runs."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def id_list(ids: list[str]) -> str:
    """Trial ids for a hover box: a few per line, a long list cut with a count."""
    shown = ids[:MAX_HOVER_IDS]
    lines = [" ".join(shown[i : i + IDS_PER_LINE]) for i in range(0, len(shown), IDS_PER_LINE)]
    if len(ids) > len(shown):
        lines.append(f"... and {len(ids) - len(shown)} more")
    return "<br>".join(lines)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE, title=title, height=height, margin={"l": 10, "r": 10, "t": 60, "b": 10}
    )
    return fig


def _left_out(kept: int, total: int, noun: str) -> str:
    return f" (top {kept} of {total} {noun})" if total > kept else ""


def matrix_cells(data: Landscape) -> dict[str, list[str]]:
    """Every antigen x disease cell's trial ids, keyed "antigen<TAB>disease"."""
    return {
        f"{row['antigen_symbol']}\t{row['disease_label']}": trial_ids(row["trials"])
        for row in data["antigen_disease_matrix"]
    }


def antigen_disease_heatmap(data: Landscape) -> go.Figure:
    """Antigen x disease: trials per cell (`antigen_disease_matrix`), each cell's trial ids in
    its hover."""
    cells: dict[tuple[str, str], list[str]] = {}
    per_antigen: Counter[str] = Counter()
    per_disease: Counter[str] = Counter()
    for row in data["antigen_disease_matrix"]:
        antigen, disease = str(row["antigen_symbol"]), str(row["disease_label"])
        ids = trial_ids(row["trials"])
        cells[antigen, disease] = ids
        per_antigen[antigen] += len(ids)
        per_disease[disease] += len(ids)
    antigens = [a for a, _ in _ranked(per_antigen, MAX_ANTIGENS)]
    diseases = [d for d, _ in _ranked(per_disease, MAX_DISEASES)]
    z = [[len(cells.get((a, d), [])) or None for d in diseases] for a in antigens]
    text = [[id_list(cells.get((a, d), [])) for d in diseases] for a in antigens]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=diseases,
            y=antigens,
            customdata=text,
            colorscale="Blues",
            hovertemplate="<b>%{y}</b> × %{x}<br>%{z} trial(s)<br>%{customdata}<extra></extra>",
            hoverongaps=False,
            colorbar={"title": "trials"},
            zmin=0,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(tickangle=-40, type="category")
    title = (
        "Trials per target antigen and disease"
        + _left_out(len(antigens), len(per_antigen), "antigens")
        + _left_out(len(diseases), len(per_disease), "diseases")
    )
    return _layout(fig, title, 260 + 22 * len(antigens) + 6 * max(map(len, diseases or [""])))


def endpoint_concepts(data: Landscape) -> go.Figure:
    """Endpoints per concept, grouped by category, primary beside secondary (the endpoints of
    `trial_endpoints`, counted per concept: `data.concepts`)."""
    counts = data.concepts

    def endpoints(key: tuple[str, str], role: str) -> int:
        return counts[key][role].endpoints if role in counts[key] else 0

    def trials(key: tuple[str, str], role: str) -> int:
        return counts[key][role].trials if role in counts[key] else 0

    order = sorted(
        counts, key=lambda k: (k[0], -sum(c.endpoints for c in counts[k].values()), k[1])
    )
    fig = go.Figure()
    for role, color in (("primary", "#1f77b4"), ("secondary", "#ff7f0e")):
        fig.add_bar(
            name=role,
            x=[[k[0] for k in order], [k[1] for k in order]],
            y=[endpoints(k, role) for k in order],
            customdata=[trials(k, role) for k in order],
            marker_color=color,
            hovertemplate="%{x}<br>%{y} " + role + " endpoint(s) in %{customdata} trial(s)"
            "<extra></extra>",
        )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.08})
    fig.update_xaxes(tickangle=-60)
    return _layout(fig, "Endpoint concepts by category: primary vs secondary endpoints", 560)


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    """Lower quartile, median, upper quartile (all three the value itself for one value)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def time_windows(data: Landscape) -> go.Figure:
    """Per antigen, how far the safety and efficacy endpoints of its trials reach
    (`trial_endpoints` joined with `trial_antigens` on the trial, counted per window end:
    `data.windows`): the bar spans the middle half of the window ends (upper bounds in days),
    the diamond is their median; the hover gives the shortest and longest window."""
    windows = data.windows
    ranked: Counter[str] = Counter()
    for (antigen, _), window in windows.items():
        ranked[antigen] = max(ranked[antigen], window.trials)
    antigens = [a for a, _ in _ranked(ranked, MAX_ANTIGENS)][::-1]
    fig = go.Figure()
    for category, color in zip(WINDOW_CATEGORIES, ("#d62728", "#2ca02c")):
        rows = [a for a in antigens if (a, category) in windows]
        stats = [_quartiles(list(windows[a, category].ends)) for a in rows]
        info = [
            f"{len(w.ends)} endpoint(s) in {w.trials} trial(s); "
            f"shortest {min(w.ends):.0f} d, longest {max(w.ends):.0f} d"
            for w in (windows[a, category] for a in rows)
        ]
        fig.add_bar(
            name=f"{category}: middle half of window ends",
            orientation="h",
            y=rows,
            base=[q1 for q1, _, _ in stats],
            x=[max(q3 - q1, 0.5) for q1, _, q3 in stats],
            marker_color=color,
            opacity=0.45,
            offsetgroup=category,
            customdata=[(q1, q3, i) for (q1, _, q3), i in zip(stats, info)],
            hovertemplate="<b>%{y}</b> "
            + category
            + ": day %{customdata[0]:.0f} to %{customdata[1]:.0f}<br>%{customdata[2]}"
            "<extra></extra>",
        )
        fig.add_scatter(
            name=f"{category}: median window end",
            mode="markers",
            y=rows,
            x=[q2 for _, q2, _ in stats],
            customdata=info,
            marker={"symbol": "diamond", "size": 9, "color": color},
            offsetgroup=category,
            hovertemplate="<b>%{y}</b> "
            + category
            + ": median end day %{x:.0f}<br>%{customdata}<extra></extra>",
        )
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": 1.0, "yanchor": "bottom"})
    fig.update_xaxes(type="log", title="window end, days from the time frame's anchor (log scale)")
    fig.update_yaxes(type="category")
    title = "Time-frame windows of safety and efficacy endpoints per antigen" + _left_out(
        len(antigens), len(ranked), "antigens"
    )
    fig = _layout(fig, title, 260 + 34 * len(antigens))
    fig.update_layout(margin={"t": 100})
    return fig


def phases(data: Landscape) -> go.Figure:
    """Trials per phase (`trials_by_phase`)."""
    rows = data["trials_by_phase"]
    fig = go.Figure(
        go.Bar(
            x=[str(r["phase"]) for r in rows],
            y=[int(r["n_trials"]) for r in rows],
            customdata=[id_list(trial_ids(r["trials"])) for r in rows],
            marker_color="#636efa",
            hovertemplate="%{x}: %{y} trial(s)<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category")
    return _layout(fig, "Trials by phase", 380)


def phases_by_antigen(data: Landscape) -> go.Figure:
    """Per antigen, its trials by phase, stacked (`phase_by_antigen`)."""
    counts: dict[tuple[str, str], int] = {}
    ids: dict[tuple[str, str], list[str]] = {}
    totals: Counter[str] = Counter()
    for row in data["phase_by_antigen"]:
        key = (str(row["antigen_symbol"]), str(row["phase"]))
        counts[key] = int(row["n_trials"])
        ids[key] = trial_ids(row["trials"])
        totals[key[0]] += counts[key]
    antigens = [a for a, _ in _ranked(totals, MAX_ANTIGENS)]
    fig = go.Figure()
    for phase in sorted({p for _, p in counts}):
        fig.add_bar(
            name=phase,
            x=antigens,
            y=[counts.get((a, phase), 0) for a in antigens],
            customdata=[id_list(ids.get((a, phase), [])) for a in antigens],
            hovertemplate="<b>%{x}</b> " + phase + ": %{y} trial(s)<br>%{customdata}"
            "<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    title = "Phases per target antigen" + _left_out(len(antigens), len(totals), "antigens")
    return _layout(fig, title, 420)


def modalities(data: Landscape) -> go.Figure:
    """Trials per intervention modality, stacked by cell source (`trials_by_modality`)."""
    rows = data["trials_by_modality"]
    totals: Counter[str] = Counter()
    for row in rows:
        totals[str(row["modality"])] += int(row["n_trials"])
    order = [m for m, _ in _ranked(totals)]
    fig = go.Figure()
    for source in sorted({str(r["cell_source"]) for r in rows}):
        mine = {str(r["modality"]): r for r in rows if str(r["cell_source"]) == source}
        fig.add_bar(
            name=source,
            y=order,
            x=[int(mine[m]["n_trials"]) if m in mine else 0 for m in order],
            orientation="h",
            customdata=[id_list(trial_ids(mine[m]["trials"])) if m in mine else "" for m in order],
            hovertemplate="<b>%{y}</b> (" + source + "): %{x} trial(s)<br>%{customdata}"
            "<extra></extra>",
        )
    fig.update_layout(barmode="stack", legend={"title": "cell source"})
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, "Trials by intervention modality and cell source", 200 + 26 * len(order))


def rejects_by_reason(reasons: Counter[str]) -> go.Figure:
    """Rejected records counted by reason (from report.json)."""
    order = _ranked(reasons)
    fig = go.Figure(
        go.Bar(
            y=[r for r, _ in order],
            x=[n for _, n in order],
            orientation="h",
            marker_color="#ef553b",
            hovertemplate="%{y}: %{x} record(s)<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    return _layout(fig, "Rejected records by reason", 160 + 26 * len(order))
