"""The exporter registry and the `graphbuild export` command: every format module registers
itself, the CLI lists and finds formats only through the registry, outputs are atomic."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import rdflib
from test_export_seed import seed_build

from graphbuild.cli import main
from graphbuild.export import property_graph, registry
from graphbuild.export.atomic import atomic_directory, atomic_file

EXPECTED = {
    "turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml", "neo4j", "cypher", "gexf", "graphml"
}
EXPORT_DIR = Path(registry.__file__).parent


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory, examples_dir: Path) -> Path:
    return seed_build(tmp_path_factory, examples_dir)


def test_every_format_module_in_the_folder_registers_itself() -> None:
    on_disk = sorted(
        p.stem
        for p in EXPORT_DIR.glob("*.py")
        if p.stem != "__init__" and p.stem not in registry.SUPPORT_MODULES
    )
    assert on_disk == registry.format_modules()
    assert {"rdf_formats", "neo4j", "gexf", "graphml"} <= set(on_disk)  # not an empty glob
    by_module: dict[str, set[str]] = {}
    for exporter in registry.exporters():
        by_module.setdefault(exporter.module.rsplit(".", 1)[-1], set()).add(exporter.name)
    for module in on_disk:
        assert by_module.get(module), f"graphbuild/export/{module}.py registers no exporter"
    # and nothing registers from outside the folder, nor from the plumbing modules
    assert set(by_module) <= set(on_disk)


def test_support_modules_exist_and_register_nothing() -> None:
    for name in registry.SUPPORT_MODULES:
        assert (EXPORT_DIR / f"{name}.py").is_file(), name
        importlib.import_module(f"graphbuild.export.{name}")
    assert not any(
        e.module.rsplit(".", 1)[-1] in registry.SUPPORT_MODULES for e in registry.exporters()
    )


def test_the_registry_holds_exactly_the_promised_formats() -> None:
    assert set(registry.names()) == EXPECTED
    assert registry.names() == sorted(registry.names())
    assert registry.get("neo4j").output == "directory"
    assert all(registry.get(n).output == "file" for n in EXPECTED - {"neo4j"})


def test_an_unknown_name_raises_a_typed_error_listing_the_formats() -> None:
    with pytest.raises(registry.UnknownFormat) as caught:
        registry.get("dot")
    assert all(name in str(caught.value) for name in EXPECTED)


def test_registering_a_taken_name_from_another_module_fails() -> None:
    def write(store, path):  # pragma: no cover - never called
        raise AssertionError

    write.__module__ = "somewhere.else"
    with pytest.raises(ValueError, match="turtle"):
        registry.register("turtle", "an impostor")(write)
    assert registry.get("turtle").module == "graphbuild.export.rdf_formats"


def test_export_help_lists_every_registered_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    listed = out.split("formats:", 1)[1]
    for exporter in registry.exporters():
        assert f"  {exporter.name} " in listed and exporter.description in listed


def test_export_of_an_unknown_format_lists_the_registered_ones(
    seed_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["export", "graphviz", "--graph", str(seed_dir), "-o", str(tmp_path / "g.dot")])
    assert status == 2
    err = capsys.readouterr().err
    assert "graphviz" in err and all(name in err for name in EXPECTED)
    assert not (tmp_path / "g.dot").exists()


def test_export_without_a_build_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["export", "turtle", "--graph", str(tmp_path / "nothing"), "-o", str(tmp_path / "g.ttl")]
    )
    assert status == 1
    assert "no graphbuild build" in capsys.readouterr().err
    assert not (tmp_path / "g.ttl").exists()


def test_cli_export_writes_the_format(seed_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "seed.ttl"
    assert main(["export", "turtle", "--graph", str(seed_dir), "-o", str(out)]) == 0
    graph = rdflib.Graph().parse(out, format="turtle")
    titles = {str(o) for o in graph.objects(None, rdflib.URIRef("http://purl.org/dc/terms/title"))}
    assert "CD7 CAR-T for Patients With r/r CD7+ T-ALL/T-LBL" in titles


def test_cli_export_neo4j_makes_a_folder(seed_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "neo4j"
    assert main(["export", "neo4j", "--graph", str(seed_dir), "-o", str(out)]) == 0
    assert (out / "nodes_Trial.csv").is_file() and (out / "import.sh").is_file()


# -- atomic outputs ------------------------------------------------------------------------------


def test_a_failed_file_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write(b"half of a new file")
        raise RuntimeError("disk on fire")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_an_export_that_fails_midway_keeps_the_previous_export(
    seed_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure in the middle of the stream (here: the edges) must not touch the previous
    output, for a file format and for the folder format alike."""
    registry.get("gexf").write(seed_store, tmp_path / "g.gexf")
    registry.get("neo4j").write(seed_store, tmp_path / "neo4j")
    before_gexf = (tmp_path / "g.gexf").read_bytes()
    before_csv = (tmp_path / "neo4j" / "nodes_Trial.csv").read_bytes()

    def broken_edges(store):
        raise OSError("the store went away")
        yield  # pragma: no cover

    monkeypatch.setattr(property_graph, "edges", broken_edges)
    for name, path in (("gexf", tmp_path / "g.gexf"), ("neo4j", tmp_path / "neo4j")):
        with pytest.raises(OSError, match="went away"):
            registry.get(name).write(seed_store, path)
    assert (tmp_path / "g.gexf").read_bytes() == before_gexf
    assert (tmp_path / "neo4j" / "nodes_Trial.csv").read_bytes() == before_csv
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.gexf", "neo4j"]


def test_a_directory_export_replaces_the_previous_folder_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "stale.csv").write_text("from an older export")
    with atomic_directory(target) as staging:
        (staging / "fresh.csv").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["fresh.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
