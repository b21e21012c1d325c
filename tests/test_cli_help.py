"""Every help page shows an example, and every example runs as written: each command line is
read out of the help text and run in a folder holding a copy of the bundled examples."""

from __future__ import annotations

import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from graphbuild.cli import COMMANDS, build_parser, main
from graphbuild.cli.examples import PUSH_SERVER, commands_in


def help_text(command: str | None) -> str:
    parser = build_parser()
    if command is None:
        return parser.format_help()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return subparsers.choices[command].format_help()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> dict[str, object]:
    """A folder with `examples/` in it, and the command lines already run there (an example
    repeated on several pages, like the build, runs once)."""
    path = tmp_path_factory.mktemp("help-examples")
    shutil.copytree(examples_dir, path / "examples")
    return {"path": path, "ran": set()}


def _serve(args: list[str], cwd: Path) -> int:
    """`graphbuild serve ...` runs until stopped: start it, wait for the line saying where it
    listens, stop it with Ctrl-C (SIGINT) and return its exit status."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphbuild", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "SPARQL endpoint on http://127.0.0.1:" in line, (line, proc.stderr.read())
        url = re.search(r"(http://\S+?)sparql", line).group(1)
        with urllib.request.urlopen(url, timeout=30) as reply:  # it answers: it is serving
            assert reply.status == 200
        proc.send_signal(signal.SIGINT)
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _push(argv: list[str], cwd: Path) -> int:
    """`graphbuild push` needs a SPARQL server: the one its help page names (Oxigraph's own,
    from the `oxigraph` package) runs while the example does."""
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(oxigraph).exists():
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    bind = PUSH_SERVER.removeprefix("http://")
    server = subprocess.Popen(
        [oxigraph, "serve", "--location", str(cwd / "server"), "--bind", bind,
         "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{PUSH_SERVER}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        return main(argv[1:])
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("command", [None, *COMMANDS], ids=lambda c: c or "graphbuild")
def test_help_shows_an_example_that_runs(
    command: str | None,
    workdir: dict[str, object],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = commands_in(help_text(command))
    assert lines, f"no example on the help page of {command or 'graphbuild'}"
    cwd: Path = workdir["path"]  # type: ignore[assignment]
    monkeypatch.chdir(cwd)
    for line in lines:
        argv = shlex.split(line)
        assert argv[0] == "graphbuild"
        if command is not None:
            assert command in argv[1:] or argv[1] == "build", line
        if line in workdir["ran"]:
            continue
        if argv[1] == "serve":
            status = _serve(argv[1:], cwd)
        elif argv[1] == "push":
            status = _push(argv, cwd)
        else:
            status = main(argv[1:])
        out = capsys.readouterr()
        assert status == 0, f"{line}: exit {status}\n{out.err}"
        workdir["ran"].add(line)
    produced = {p.name for p in cwd.iterdir()}
    assert "out" in produced or command in ("parse", "queries")


def test_one_command_loads_its_own_modules_only(examples_dir: Path, tmp_path: Path) -> None:
    """`graphbuild query` registers only the query command and imports no rdflib and no
    readers (they cost ~0.3 s of a query's start); the full help still lists every command."""
    out = tmp_path / "g"
    assert main(["build", str(examples_dir), "-o", str(out), "--quiet", "--no-report-html"]) == 0
    code = (
        "import sys; from graphbuild.cli import main; "
        f"status = main(['query', 'graph_summary', '--graph', {str(out)!r}, '--format', 'csv']); "
        "print(status, 'rdflib' in sys.modules, 'graphbuild.readers' in sys.modules, file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stderr.split()[-3:] == ["0", "False", "False"], run.stderr
    assert "trials,3" in run.stdout.replace("\r", "")
    full = help_text(None)
    assert all(command in full for command in COMMANDS)
