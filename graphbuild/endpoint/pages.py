"""What the endpoint says about itself: the stored queries as a JSON list (`GET /queries`) and
as an HTML page with a box to type SPARQL into (`GET /`). Built from the same catalogue that
`graphbuild queries` lists."""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from graphbuild.endpoint.config import ServeConfig
from graphbuild.sparql.catalog import list_queries


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
<button>Run</button> (results by content negotiation; add <code>format=csv</code>, <code>tsv</code>,
<code>json</code> or <code>xml</code> to choose)
</form>
<h2>Stored queries</h2>
<ul>{"".join(items)}</ul>
</body></html>
"""
