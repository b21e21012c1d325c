"""What the endpoint says about itself: the stored queries as a JSON list (`GET /queries`) and
as an HTML page with a box to type SPARQL into (`GET /`). Built from the same catalogue that
`graphbuild queries` lists."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from graphbuild.endpoint.config import ServeConfig
from graphbuild.sparql.catalog import list_queries

if TYPE_CHECKING:
    import pyoxigraph as ox


def query_list(queries_directory: Path | None = None) -> list[dict[str, object]]:
    """Every stored query with its parameters and the URL that runs it."""
    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "required": p.required,
                    "default": p.default,
                    "description": p.description,
                }
                for p in q.params
            ],
            "url": f"/queries/{q.name}",
        }
        for q in list_queries(queries_directory)
    ]


def index_page(config: ServeConfig, queries_directory: Path | None = None) -> str:
    """The stored queries, each a link, and a box to type SPARQL into."""
    esc = html.escape
    items = []
    for q in list_queries(queries_directory):
        params = "".join(
            f"<li><code>{esc(p.name)}</code> ({esc(p.type)}"
            f"{', default ' + esc(p.default) if p.default is not None else ''}"
            f"{', required' if p.required else ''}) {esc(p.description)}</li>"
            for p in q.params
        )
        link = f"/queries/{quote(q.name)}"
        formats = " ".join(
            f'<a href="{link}?format={f}">{f}</a>' for f in ("json", "csv", "tsv", "xml")
        )
        items.append(
            f"<li><b>{esc(q.title)}</b> — <code>{esc(q.name)}</code> [{formats}]"
            f"<br>{esc(q.description)}{'<ul>' + params + '</ul>' if params else ''}</li>"
        )
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>graphbuild SPARQL endpoint</title></head>
<body>
<h1>graphbuild SPARQL endpoint</h1>
<p>SPARQL 1.1 Protocol at <code>/sparql</code> (GET <code>?query=</code>, or POST), read-only,
{config.timeout:g} s per query, at most {config.max_rows} rows.
Stored queries take parameters as <code>/queries/NAME?param=value</code>.</p>
<form method="post" action="/sparql">
<textarea name="query" rows="8" cols="90">PREFIX gb: &lt;https://w3id.org/graphbuild/vocab#&gt;
SELECT ?trial_id WHERE {{ ?trial gb:trialId ?trial_id }} LIMIT 20</textarea><br>
<label>answer as <select name="format">
<option value="html" selected>a page (html)</option><option>json</option><option>xml</option>
<option>csv</option><option>tsv</option><option value="turtle">turtle (CONSTRUCT)</option>
</select></label> <button>Run</button>
</form>
<h2>Stored queries</h2>
<ul>{"".join(items)}</ul>
</body></html>
"""


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>graphbuild SPARQL endpoint: {title}</title></head>
<body>
<p><a href="/">back to the query form</a></p>
{notice}{content}
</body></html>
"""


def cut_notice(truncated: bool, max_rows: int) -> str:
    """The line a page shows when the row cap cut its result (the same cut the `Link` and
    `Warning` headers announce)."""
    if not truncated:
        return ""
    return (
        f'<p role="alert"><strong>Result cut: only the first {max_rows} rows are shown.</strong> '
        "The query has more; narrow it (LIMIT, FILTER) to see the rest.</p>\n"
    )


def results_page(solutions: ox.QuerySolutions, truncated: bool, max_rows: int) -> str:
    """SELECT results as an HTML table, for the web form (terms in their N-Triples form)."""
    esc = html.escape
    columns = [v.value for v in solutions.variables]
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    rows = []
    for solution in solutions:
        cells = "".join(
            f"<td>{'' if solution[c] is None else esc(str(solution[c]))}</td>" for c in columns
        )
        rows.append(f"<tr>{cells}</tr>")
    table = f'<table border="1"><tr>{head}</tr>{"".join(rows)}</table>'
    count = f"<p>{len(rows)} row{'s' if len(rows) != 1 else ''}</p>"
    return _PAGE.format(
        title="results", notice=cut_notice(truncated, max_rows), content=count + table
    )


def boolean_page(value: bool) -> str:
    """An ASK answer as a page."""
    return _PAGE.format(
        title="ASK", notice="", content=f"<p>ASK: <b>{'true' if value else 'false'}</b></p>"
    )


def graph_page(turtle: str, truncated: bool, max_rows: int) -> str:
    """A CONSTRUCT / DESCRIBE answer as a page: its Turtle, escaped."""
    return _PAGE.format(
        title="graph",
        notice=cut_notice(truncated, max_rows).replace("rows", "triples"),
        content=f"<pre>{html.escape(turtle)}</pre>",
    )
