"""`graphbuild build`: exit codes, the reject listing, the summary, usage errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graphbuild.cli import main


@pytest.fixture()
def inputs(tmp_path: Path, examples_dir: Path) -> Path:
    """The seeds plus one unreadable file among them."""
    folder = tmp_path / "in"
    shutil.copytree(examples_dir, folder)
    (folder / "broken.txt").write_bytes(bytes(range(256)) * 4)
    return folder


def test_one_bad_file_among_good_ones_exits_1_lists_it_and_builds_the_rest(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["build", str(inputs), "-o", str(out), "--no-reason", "--no-validate", "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert "1 rejected record(s):" in captured.err
    assert "broken.txt" in captured.err and "binary content" in captured.err
    assert "3 trials loaded from 4 records (1 rejected" in captured.out
    report = json.loads((out / "report.json").read_text())
    assert report["trials_loaded"] == 3 and report["exit_code"] == 1
    (reject,) = report["rejects"]
    assert reject["file"].endswith("broken.txt") and reject["field"] and reject["reason"]
    assert (out / "store").is_dir() and (out / "graph.nq").stat().st_size > 0


def test_all_good_exits_0_and_quiet_prints_nothing(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["build", str(examples_dir), "-o", str(tmp_path / "out"), "--memory", "--no-reason", "--no-validate"]
    assert main(args) == 0
    assert "3 trials loaded from 3 records (0 rejected" in capsys.readouterr().out
    assert main([*args, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bars_when_asked(examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["build", str(examples_dir), "-o", str(tmp_path), "--memory", "--no-reason", "--progress", "-v"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "reading and extracting" in err and "3/3" in err  # counted first, so a total
    assert "validating (SHACL)" in err and "writing report.html" in err
    assert "reasoning" not in err  # a stage that does not run is not shown
    assert "  reading and extracting: 3 in " in err  # -v: each stage's time


def test_no_progress_when_stderr_is_not_a_terminal(
    examples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["build", str(examples_dir), "-o", str(tmp_path), "--memory", "--no-reason", "--no-validate"]
    assert main(args) == 0
    assert capsys.readouterr().err == ""


class Stages:
    """A listener that records what the build tells it."""

    wants_total = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, int | None]] = []
        self.steps: dict[str, int] = {}

    def stage(self, name: str, total: int | None = None) -> None:
        self.seen.append((name, total))

    def advance(self, done: int, rejected: int = 0) -> None:
        self.steps[self.seen[-1][0]] = done


def test_build_tells_its_stages_with_totals(examples_dir: Path, tmp_path: Path) -> None:
    from graphbuild.build import build

    stages = Stages()
    build([examples_dir], tmp_path / "out", memory=True, reason=False, progress=stages, report_html=True)
    names = [name for name, _ in stages.seen]
    assert names[:3] == ["counting records", "reading and extracting", "loading the store"]
    assert dict(stages.seen)["reading and extracting"] == 3 and stages.steps["reading and extracting"] == 3
    assert "reasoning" not in names and names[-1] == "writing report.html"
    shacl = [total for name, total in stages.seen if name == "validating (SHACL)"]
    assert shacl[-1] == stages.steps["validating (SHACL)"] >= 2  # trial chunk(s) + shared graphs


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["build", "examples"], id="no-output"),
        pytest.param(["build", "-o", "{out}"], id="no-input"),
        pytest.param(["build", "examples", "-o", "{file}"], id="output-is-a-file"),
        pytest.param(["build", "examples", "-o", "{out}", "--workers", "0"], id="zero-workers"),
        pytest.param(["build", "examples", "-o", "{out}", "--quiet", "--progress"], id="quiet-and-progress"),
    ],
)
def test_usage_errors_exit_2(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    argv = [arg.replace("{file}", str(a_file)).replace("{out}", str(tmp_path / "out")) for arg in argv]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing was built
