"""An add's report.json / report.md: the changed trials' ungrounded rows spliced into the
build's lists at their sorted place (found by bisection over the text) give exactly the rows
the report would list if rendered whole, at the ends of the list and for trials it lacks, on
the corpus build's report."""

from __future__ import annotations

import json
from pathlib import Path

from graphbuild.build.report_update import merge_ungrounded, read_report, render_markdown
from graphbuild.report import BuildReport, Ungrounded


def _table_rows(markdown: str) -> list[str]:
    section = markdown.split("## Ungrounded conditions", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| trial |")]


def test_spliced_ungrounded_rows_are_the_rows_rendered_whole(corpus_graph: Path) -> None:
    report, long, _ = read_report((corpus_graph / "report.json").read_text(encoding="utf-8"))
    markdown = (corpus_graph / "report.md").read_text(encoding="utf-8")
    rows = [Ungrounded(**row) for row in json.loads(long["ungrounded"])]
    ids = sorted({row.trial_id for row in rows})
    assert len(ids) > 100 and [row.trial_id for row in rows] == sorted(row.trial_id for row in rows)
    middle = ids[len(ids) // 2]
    cases = [
        ({ids[0], ids[-1]}, []),  # the first and the last trial's rows removed
        ({middle}, [Ungrounded(middle, 'a "quoted" | piped, {"trial_id": text')]),  # replaced
        ({"A"}, [Ungrounded("A", "before every trial")]),  # a trial the list lacks, first
        ({"ZZZ"}, [Ungrounded("ZZZ", "after"), Ungrounded("ZZZ", "every trial")]),  # last
        ({middle + "0", ids[1]}, [Ungrounded(middle + "0", "between two trials")]),
        (set(ids), []),  # every row removed
    ]
    for changed, fresh in cases:
        want = sorted(
            [row for row in rows if row.trial_id not in changed] + fresh, key=lambda row: row.trial_id
        )
        raw, count = merge_ungrounded(long["ungrounded"], changed, fresh)
        assert [Ungrounded(**row) for row in json.loads(raw)] == want
        assert count == len(want)
        whole = BuildReport(inputs=[], out_dir="", version="", ungrounded=want).to_markdown()
        spliced = render_markdown(report, markdown, changed, fresh, count)
        assert _table_rows(spliced) == _table_rows(whole)
        assert f"## Ungrounded conditions ({len(want)})" in spliced
    assert "None: every condition was grounded in MeSH." in spliced  # the last case: no rows


def test_the_summary_counts_steps_run_beside_another_once() -> None:
    """The compaction and the page's queries run on a thread beside the outputs, and the page
    step waits for them: the build's time is the steps one after another (a 100,000-trial build
    that took 880 s said 1,020 s and 98 records/s when every step was added up)."""
    report = BuildReport(inputs=["records"], out_dir="out", version="0", records_read=1000)
    report.timings = {
        "read, extract, triples, load": 50.0,
        "write outputs": 10.0,
        "store compaction (beside the outputs)": 9.0,
        "report.html queries (beside the outputs)": 6.0,
        "report.html": 5.5,
    }
    assert report.summary().splitlines()[-1] == "65.5 s (15 records/s)"
