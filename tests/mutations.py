"""A mutation corpus made at test time from real records: truncations, byte flips, invalid
UTF-8, BOMs, line-ending changes, swapped, emptied and huge fields, deep nesting, lone
surrogates, and corrupt or hostile archives.

Nothing here is stored: every input is derived from the shared corpus and the bundled
examples when a test (or `scripts/fuzz_inputs.py`) asks for it, with a fixed seed, so a run
is repeatable. `check_batch` reads one mutated input beside untouched good files and says
what went wrong: an exception, a hang, a reject that does not say where, a good record lost.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PLACEHOLDER_FIELDS = frozenset(
    ("", "-", "(json)", "(xml)", "(csv)", "csv", "file", "archive", "(triples)", "(extraction)")
)
NCT = re.compile(rb"NCT\d{8}")


def flat_names_file(reject: object) -> bool:
    """The one known placeholder left: graphbuild/readers/flat.py (changed by another branch)
    names the field `file` when an undecodable byte breaks the flat layout. Allowed here by
    name, so that any other placeholder still fails."""
    return (
        getattr(reject, "field", None) == "file"
        and getattr(reject, "reason", "").startswith("not UTF-8 text")
        and str(getattr(reject, "record", "")).startswith("line ")  # the flat reader's locator
    )


@dataclass(frozen=True)
class Mutant:
    """One mutated input file. `must_land`: trial ids in it the mutation did not touch (a
    study beside the broken one in the same array), which must still be read."""

    name: str  # kind/base, for the figures
    filename: str
    data: bytes
    must_land: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Base:
    """One real record file: its name, bytes, format and the trial ids it holds."""

    name: str
    suffix: str
    data: bytes
    ids: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# The real records the mutations start from
# --------------------------------------------------------------------------------------------


def bases(corpus: Path, examples: Path, *, xml_files: int = 6, csv_rows: int = 4) -> list[Base]:
    """Small real record files: single studies and an array of API v2 JSON, a few rows of each
    CSV export, some legacy XML files, the flat examples."""
    out: list[Base] = []
    api = corpus / "ctgov_api_v2_json"
    for path in sorted(api.glob("aact_fixture_single_study_*.json")):
        data = path.read_bytes()
        out.append(Base(path.stem, ".json", data, _ids(data)))
    studies = json.loads((api / "dgg32_clinical-trials-public_ctg-studies.json").read_bytes())
    array = json.dumps(studies[:5], indent=2, ensure_ascii=False).encode()
    out.append(Base("api_array", ".json", array, _ids(array)))
    for path in sorted((corpus / "ctgov_csv_export").glob("*.csv")):
        import csv as _csv
        import itertools

        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(itertools.islice(_csv.reader(handle), 1 + csv_rows))
        buffer = io.StringIO()
        _csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        data = buffer.getvalue().encode()
        out.append(Base(path.stem[:20], ".csv", data, _ids(data)))
    for path in sorted((corpus / "ctgov_xml_2018").glob("*.xml"))[:xml_files]:
        data = path.read_bytes()
        out.append(Base(path.stem, ".xml", data, _ids(data)[:1]))
    for path in sorted(examples.glob("*.txt")):
        data = path.read_bytes()
        out.append(Base(path.stem, ".txt", data, ()))
    return out


def _ids(data: bytes) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.decode() for m in NCT.findall(data)))


# --------------------------------------------------------------------------------------------
# Byte-level mutations (any format)
# --------------------------------------------------------------------------------------------

BAD_UTF8 = (b"\xff", b"\xc3\x28", b"\x80", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80")


def byte_mutants(base: Base, rng: random.Random, flips: int) -> Iterator[Mutant]:
    data, n = base.data, len(base.data)
    name = f"{base.name}{base.suffix}"
    for frac in (0.0, 0.1, 0.5, 0.9):
        cut = max(1, int(n * frac))
        yield Mutant(f"truncate/{name}", f"cut{cut}-{name}", data[:cut])
    yield Mutant(f"truncate/{name}", f"cutlast-{name}", data[:-1])
    for k in range(flips):
        at = rng.randrange(n)
        flipped = bytearray(data)
        flipped[at] ^= 1 << rng.randrange(8)
        yield Mutant(f"byteflip/{name}", f"flip{at}-{name}", bytes(flipped))
    for k, bad in enumerate(BAD_UTF8):
        at = rng.randrange(n)
        yield Mutant(f"bad-utf8/{name}", f"utf8{k}-{name}", data[:at] + bad + data[at:])
    yield Mutant(f"bom/{name}", f"bom8-{name}", b"\xef\xbb\xbf" + data)
    yield Mutant(f"bom/{name}", f"bom8x2-{name}", b"\xef\xbb\xbf\xef\xbb\xbf" + data)
    yield Mutant(f"bom/{name}", f"bom16-{name}", b"\xff\xfe" + data)
    yield Mutant(f"newlines/{name}", f"crlf-{name}", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    yield Mutant(f"newlines/{name}", f"cr-{name}", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    yield Mutant(f"newlines/{name}", f"nolf-{name}", data.replace(b"\r\n", b" ").replace(b"\n", b" "))
    yield Mutant(f"nul/{name}", f"nul-{name}", data[: n // 2] + b"\x00" + data[n // 2 :])


# --------------------------------------------------------------------------------------------
# Field-level mutations, per format
# --------------------------------------------------------------------------------------------

HUGE = 10 << 20  # a 10 MB field
DEEP = 10_000  # nesting depth


def _huge_outcome() -> str:
    """A 400 KB outcome line of many `", "` segments: what made the splitter quadratic."""
    return ", ".join(f"at week {k} after dose" for k in range(20_000))


def json_mutants(base: Base, rng: random.Random) -> Iterator[Mutant]:
    name = f"{base.name}{base.suffix}"
    doc = json.loads(base.data)
    studies = doc if isinstance(doc, list) else [doc]
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]

    def emit(kind: str, k: int, study: object, *, raw: bytes | None = None) -> Mutant:
        """The document with study k replaced; the other studies must land."""
        others = frozenset(i for j, i in enumerate(ids) if j != k)
        if raw is None:
            changed = [study if j == k else s for j, s in enumerate(studies)]
            raw = json.dumps(changed if isinstance(doc, list) else changed[0]).encode()  # \ud800 escaped
        return Mutant(f"{kind}/{name}", f"{kind}{k}-{name}", raw, others)

    k = rng.randrange(len(studies))
    s = studies[k]
    ident = s["protocolSection"]["identificationModule"]

    def edited(path: tuple[str, ...], value: object) -> dict:
        copy = json.loads(json.dumps(s))
        node = copy
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
        return copy

    p = ("protocolSection",)
    yield emit("empty-field", k, edited(p + ("identificationModule", "nctId"), ""))
    yield emit("empty-field", k, edited(p + ("identificationModule", "nctId"), None))
    yield emit("empty-field", k, edited(p + ("outcomesModule",), {}))
    yield emit("empty-field", k, edited(p, {}))
    yield emit("empty-field", k, {})
    yield emit("swap-field", k, edited(p + ("identificationModule", "nctId"), ident.get("briefTitle", "x")))
    yield emit("swap-field", k, edited(p + ("identificationModule", "briefTitle"), ["a", {"b": 1}]))
    yield emit("swap-field", k, edited(p + ("conditionsModule", "conditions"), "Leukemia"))
    yield emit("swap-field", k, edited(p + ("designModule", "phases"), 3))
    yield emit("swap-field", k, edited(p + ("statusModule", "startDateStruct"), "2020-13-45"))
    yield emit("swap-field", k, edited(("derivedSection", "conditionBrowseModule", "meshes"), [{"id": 1, "term": None}]))
    yield emit("surrogate", k, edited(p + ("identificationModule", "nctId"), "NCT\ud800123"))
    yield emit("surrogate", k, edited(p + ("identificationModule", "briefTitle"), "CAR-T \udcff cells"))
    yield emit("huge-field", k, edited(p + ("descriptionModule", "briefSummary"), "CD19 CAR-T " * (HUGE // 11)))
    yield emit("huge-field", k, edited(p + ("outcomesModule", "primaryOutcomes"),
                                       [{"measure": _huge_outcome(), "timeFrame": _huge_outcome()}]))
    yield emit("huge-field", k, edited(p + ("armsInterventionsModule", "interventions"),
                                       [{"type": "DRUG", "name": f"drug {j}"} for j in range(50_000)]))
    deep = "[" * DEEP + "]" * DEEP
    study_text = json.dumps(s, ensure_ascii=False)
    nested = study_text[:-1] + f', "deep": {deep}}}'
    yield emit("deep-nesting", k, None, raw=_splice(doc, studies, k, nested.encode()))
    deeper = "{" + '"a":{' * DEEP + "}" * DEEP + "}"
    yield emit("deep-nesting", k, None, raw=_splice(doc, studies, k, deeper.encode()))
    # a syntax error and an invalid byte inside study k only
    yield emit("syntax", k, None, raw=_splice(doc, studies, k, study_text[: len(study_text) // 2].encode() + b' "x": }'))
    yield emit("bad-utf8-in-study", k, None, raw=_splice(doc, studies, k, study_text.encode().replace(b'"', b'"\xff', 7)))


def _splice(doc: object, studies: list, k: int, raw_study: bytes) -> bytes:
    """The document as bytes, one study per line, study k given as raw bytes."""
    parts = [raw_study if j == k else json.dumps(s, ensure_ascii=False).encode() for j, s in enumerate(studies)]
    if not isinstance(doc, list):
        return parts[0]
    return b"[\n" + b",\n".join(parts) + b"\n]\n"


def csv_mutants(base: Base, rng: random.Random) -> Iterator[Mutant]:
    import csv as _csv

    name = f"{base.name}{base.suffix}"
    rows = list(_csv.reader(io.StringIO(base.data.decode("utf-8"))))
    header, body = rows[0], rows[1:]
    ids = [r[header.index("NCT Number")] for r in body] if "NCT Number" in header else []

    def emit(kind: str, k: int, row: list[str] | None, *, keep_others: bool = True) -> Mutant:
        changed = [row if j == k else r for j, r in enumerate(body)]
        buffer = io.StringIO()
        writer = _csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(r for r in changed if r is not None)
        others = frozenset(i for j, i in enumerate(ids) if j != k) if keep_others else frozenset()
        return Mutant(f"{kind}/{name}", f"{kind}{k}-{rng.randrange(1 << 16)}-{name}", buffer.getvalue().encode("utf-8", "surrogateescape"), others)

    k = rng.randrange(len(body))
    row = body[k]
    col = {h: j for j, h in enumerate(header)}

    def cell(column: str, value: str) -> list[str]:
        copy = list(row)
        if column in col:
            copy[col[column]] = value
        return copy

    yield emit("empty-field", k, cell("NCT Number", ""))
    yield emit("empty-field", k, [""] * len(row))
    yield emit("swap-field", k, cell("NCT Number", row[col.get("Study Title", 0)]))
    a, b = rng.sample(range(len(row)), 2)
    swapped = list(row)
    swapped[a], swapped[b] = swapped[b], swapped[a]
    yield emit("swap-field", k, swapped)
    yield emit("short-row", k, row[: len(row) // 2])
    yield emit("long-row", k, row + ["extra"])
    yield emit("surrogate", k, cell("Study Title", "CAR-T \udcff cells"))
    for column in ("Primary Outcome Measures", "Study Title", "Brief Summary"):
        if column in col:
            yield emit("huge-field", k, cell(column, "CD19 CAR-T, " * (HUGE // 12)))
    if "Primary Outcome Measures" in col:
        yield emit("huge-field", k, cell("Primary Outcome Measures", _huge_outcome()))
        yield emit("huge-field", k, cell("Primary Outcome Measures", "|".join(["CR"] * 100_000)))
        yield emit("huge-field", k, cell("Primary Outcome Measures", "(" * 50_000 + ", x" * 50_000 + "]" * 50_000))
    yield emit("deep-nesting", k, cell("Conditions", "(" * DEEP + ")" * DEEP))


def _surrogate_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def xml_mutants(base: Base, rng: random.Random) -> Iterator[Mutant]:
    name = f"{base.name}{base.suffix}"
    data = base.data
    yield Mutant(f"empty-field/{name}", f"nonct-{name}", re.sub(rb"<nct_id>[^<]*</nct_id>", b"<nct_id></nct_id>", data))
    yield Mutant(f"swap-field/{name}", f"swap-{name}", re.sub(rb"<brief_title>", b"<nct_id>", data, count=1))
    yield Mutant(f"huge-field/{name}", f"huge-{name}",
                 data.replace(b"<brief_title>", b"<brief_title>" + b"CD19 CAR-T " * (HUGE // 11), 1))
    yield Mutant(f"deep-nesting/{name}", f"deep-{name}",
                 data.replace(b"</brief_title>", b"</brief_title>" + b"<x>" * DEEP + b"</x>" * DEEP, 1))
    yield Mutant(f"hostile/{name}", f"entity-{name}",
                 b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                 b"<clinical_study><brief_title>&b;</brief_title></clinical_study>")
    yield Mutant(f"hostile/{name}", f"external-{name}",
                 b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                 b"<clinical_study><brief_title>&x;</brief_title></clinical_study>")
    yield Mutant(f"bad-encoding/{name}", f"latin-{name}",
                 data.replace(b'encoding="UTF-8"', b'encoding="no-such-codec"', 1))


def flat_mutants(base: Base, rng: random.Random) -> Iterator[Mutant]:
    name = f"{base.name}{base.suffix}"
    lines = base.data.split(b"\n")
    a, b = rng.sample(range(len(lines)), 2)
    swapped = list(lines)
    swapped[a], swapped[b] = swapped[b], swapped[a]
    yield Mutant(f"swap-field/{name}", f"swap-{name}", b"\n".join(swapped))
    emptied = list(lines)
    emptied[a] = b""
    yield Mutant(f"empty-field/{name}", f"empty-{name}", b"\n".join(emptied))
    yield Mutant(f"huge-field/{name}", f"huge-{name}", b"\n".join(lines[:3] + [b"CD19 CAR-T, " * (HUGE // 12)] + lines[3:]))
    yield Mutant(f"huge-field/{name}", f"outcome-{name}", b"\n".join(lines + [_huge_outcome().encode()]))


# --------------------------------------------------------------------------------------------
# Archives
# --------------------------------------------------------------------------------------------

BOMB_BYTES = 200 << 20  # what a bomb inflates to (the caps stop it long before)


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _corrupt_deflate(blob: bytes, start: int, rng: random.Random) -> bytes:
    damaged = bytearray(blob)
    at = rng.randrange(start, max(start + 1, len(blob) - 8))
    damaged[at] ^= 0xFF
    return bytes(damaged)


def archive_mutants(good: list[Base], rng: random.Random) -> Iterator[Mutant]:
    """Corrupt, unsupported and hostile archives around real records. The good members beside
    a broken one must land."""
    members = {f"{b.name}{b.suffix}": b.data for b in good}
    ids = frozenset(i for b in good for i in b.ids)
    one = good[0]
    gz = gzip.compress(one.data)
    for k in range(3):
        yield Mutant("gzip-corrupt", f"corrupt{k}-{one.name}{one.suffix}.gz", _corrupt_deflate(gz, 10, rng))
    yield Mutant("gzip-truncated", f"cut-{one.name}{one.suffix}.gz", gz[: len(gz) // 2])
    yield Mutant("gzip-trailing-garbage", f"tail-{one.name}{one.suffix}.gz", gz + b"garbage!")
    archive = _zip(members)
    # one corrupt byte inside the first member's compressed data
    info = zipfile.ZipFile(io.BytesIO(archive)).infolist()[0]
    start = info.header_offset + 30 + len(info.filename) + 10
    first = next(iter(members))  # the first local header, which the mutations below damage
    survivors = frozenset(i for b in good if f"{b.name}{b.suffix}" != first for i in b.ids)
    yield Mutant("zip-corrupt-member", "corrupt-member.zip",
                 _corrupt_deflate(archive, start, random.Random(1))[: len(archive)], frozenset())
    yield Mutant("zip-unsupported-method", "method.zip", _set_method(archive, 99), survivors)
    yield Mutant("zip-encrypted", "encrypted.zip", _set_flag(archive, 0x1), survivors)
    yield Mutant("zip-truncated", "cut.zip", archive[: len(archive) // 2])
    yield Mutant("zip-good", "good.zip", archive, ids)
    yield Mutant("zip-nested", "nested.zip", _zip({"a.zip": _zip({"b.zip": _zip({"c.zip": archive})})}))
    spaces = b" " * BOMB_BYTES
    yield Mutant("gzip-bomb", "bomb.json.gz", gzip.compress(spaces, compresslevel=9))
    yield Mutant("zip-bomb", "bomb.zip", _zip({"bomb.json": spaces, **members}), ids)
    yield Mutant("zip-lying-size", "lying.zip", _lie_size(_zip(members)), frozenset())
    yield Mutant("bad-filename", os.fsdecode(b"bad-\xff-name") + one.suffix, one.data, frozenset(one.ids))


def _local_headers(archive: bytes) -> Iterator[int]:
    at = archive.find(b"PK\x03\x04")
    while at >= 0:
        yield at
        at = archive.find(b"PK\x03\x04", at + 4)


def _central_headers(archive: bytes) -> Iterator[int]:
    at = archive.find(b"PK\x01\x02")
    while at >= 0:
        yield at
        at = archive.find(b"PK\x01\x02", at + 4)


def _set_method(archive: bytes, method: int) -> bytes:
    """The first member's compression method set to `method` (local and central header)."""
    data = bytearray(archive)
    at = next(_local_headers(archive))
    struct.pack_into("<H", data, at + 8, method)
    at = next(_central_headers(archive))
    struct.pack_into("<H", data, at + 10, method)
    return bytes(data)


def _set_flag(archive: bytes, flag: int) -> bytes:
    """The first member marked with a general-purpose flag (0x1: encrypted)."""
    data = bytearray(archive)
    at = next(_local_headers(archive))
    struct.pack_into("<H", data, at + 6, struct.unpack_from("<H", data, at + 6)[0] | flag)
    at = next(_central_headers(archive))
    struct.pack_into("<H", data, at + 8, struct.unpack_from("<H", data, at + 8)[0] | flag)
    return bytes(data)


def _lie_size(archive: bytes) -> bytes:
    """Every member's declared uncompressed size set to 4 GB - 1."""
    data = bytearray(archive)
    for at in _central_headers(archive):
        struct.pack_into("<I", data, at + 24, 0xFFFFFFFE)
    for at in _local_headers(archive):
        struct.pack_into("<I", data, at + 22, 0xFFFFFFFE)
    return bytes(data)


# --------------------------------------------------------------------------------------------
# The whole corpus of mutants
# --------------------------------------------------------------------------------------------


def mutants(
    corpus: Path, examples: Path, *, seed: int = 9, flips: int = 6, xml_files: int = 6
) -> Iterator[Mutant]:
    """Every mutant, in a fixed order for a given seed."""
    rng = random.Random(seed)
    all_bases = bases(corpus, examples, xml_files=xml_files)
    by_format = {".json": json_mutants, ".csv": csv_mutants, ".xml": xml_mutants, ".txt": flat_mutants}
    for base in all_bases:
        yield from byte_mutants(base, rng, flips)
        yield from by_format[base.suffix](base, rng)
    small = [b for b in all_bases if b.suffix in (".xml", ".json") and len(b.data) < 60_000][:3]
    yield from archive_mutants(small, rng)


# --------------------------------------------------------------------------------------------
# Reading one mutant beside good files, and the figures over all of them
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    """What reading one mutant (beside the good files) gave."""

    name: str
    records: int = 0
    rejects: int = 0
    crash: str = ""  # an exception escaped, or extraction failed on a record that was read
    hang: bool = False
    lost: list[str] = field(default_factory=list)  # good trial ids that did not land
    unnamed: list[str] = field(default_factory=list)  # rejects that do not say where
    flat_file_field: int = 0  # rejects of flat.py that name the field `file` (see flat_names_file)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.crash or self.hang or self.lost or self.unnamed)


def check(mutant: Mutant, folder: str, good: list[str], good_ids: list[str], extract: bool = True) -> Result:
    """Read the mutant and the good files in one batch (the mutant first, so a crash would
    stop the good ones), extract every record the mutant gave, and judge the outcome."""
    import os
    import time

    from graphbuild.build.process import Processed, process_record
    from graphbuild.model import Record, Reject
    from graphbuild.readers import read_inputs

    start = time.perf_counter()
    result = Result(mutant.name)
    path = Path(folder) / mutant.filename
    path.write_bytes(mutant.data)
    try:
        items = list(read_inputs([str(path), *good]))
    except BaseException as exc:  # noqa: BLE001 - exactly what is being looked for
        result.crash = f"read: {type(exc).__name__}: {exc}"[:300]
        return result
    finally:
        os.unlink(path)
    mine = [i for i in items if (i.source.file if isinstance(i, Record) else i.file).startswith(str(path))]
    landed = {i.trial_id for i in items if isinstance(i, Record)}
    result.records = sum(isinstance(i, Record) for i in mine)
    result.rejects = sum(isinstance(i, Reject) for i in mine)
    result.lost = sorted((set(good_ids) | mutant.must_land) - landed)
    for item in mine:
        if isinstance(item, Reject):
            result.flat_file_field += flat_names_file(item)
            if (item.field in PLACEHOLDER_FIELDS and not flat_names_file(item)) or item.record in ("", "-") or not item.file:
                result.unnamed.append(str(item)[:300])
        elif extract:
            out = process_record(item)
            if not isinstance(out, Processed):
                result.crash = f"extract: {out}"[:300]
    try:  # every reject and record must be writable as UTF-8 (report.md, graph.nq); a file
        # name's undecodable bytes (surrogateescape) are written escaped
        for item in mine:
            str(item).encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as exc:
        result.crash = f"not writable as UTF-8: {exc}"[:300]
    result.seconds = time.perf_counter() - start
    return result


def run(mutant_list: Iterable[Mutant], folder: str, good: list[str], good_ids: list[str],
        timeout: float = 120.0, extract: bool = True) -> list[Result]:
    """Every mutant checked in a worker process; one that takes longer than `timeout` (a
    hang detector, far above any honest read) is a hang, and the worker is replaced."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results: list[Result] = []
    pool = context.Pool(1)
    try:
        for mutant in mutant_list:
            pending = pool.apply_async(check, (mutant, folder, good, good_ids, extract))
            try:
                results.append(pending.get(timeout))
            except multiprocessing.TimeoutError:
                results.append(Result(mutant.name, hang=True, seconds=timeout))
                pool.terminate()
                pool = context.Pool(1)
    finally:
        pool.terminate()
        pool.join()
    return results


def figures(mutant_list: list[Mutant], results: list[Result]) -> dict[str, int]:
    """The figures the README quotes."""
    return {
        "inputs tried": len(results),
        "records read": sum(r.records for r in results),
        "rejects": sum(r.rejects for r in results),
        "crashes": sum(bool(r.crash) for r in results),
        "hangs": sum(r.hang for r in results),
        "records lost": sum(len(r.lost) for r in results),
        "rejects not saying where": sum(len(r.unnamed) for r in results),
        "flat.py rejects with field `file`": sum(r.flat_file_field for r in results),
    }


def good_batch(corpus: Path, examples: Path, folder: Path) -> tuple[list[str], list[str]]:
    """Untouched real files read beside every mutant, and the trial ids they must give."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = [b for b in bases(corpus, examples) if b.suffix in (".json", ".xml", ".txt")]
    chosen = [chosen[0], *[b for b in chosen if b.suffix == ".xml"][:1], *[b for b in chosen if b.suffix == ".txt"][:1]]
    from graphbuild.model import Record
    from graphbuild.readers import read_inputs

    paths = []
    for b in chosen:
        path = folder / f"good-{b.name}{b.suffix}"
        path.write_bytes(b.data)
        paths.append(str(path))
    items = list(read_inputs(paths))
    assert all(isinstance(i, Record) for i in items), items
    return paths, [i.trial_id for i in items]
