"""ClinicalTrials.gov API v2 JSON: a study object, a bare array of studies (the website
download), a `{"studies": [...], "nextPageToken": ...}` page, or studies one per line.

A document of up to `WHOLE_DOCUMENT_LIMIT` bytes (every per-study file of the bulk download,
any API page) is parsed in one go, with orjson when it is installed. A bigger one is streamed
study by study with `JSONDecoder.raw_decode`, so a large download is never held as one parsed
tree; so is a document that does not parse whole, so that a file cut short still yields every
study before the cut plus one Reject naming the position. The mapping reads the API's own
structure (`protocolSection.<module>.<field>`) and records that path as each field's origin.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from graphbuild.model import (
    Arm,
    Intervention,
    MeshTerm,
    Outcome,
    OutcomeRole,
    Record,
    Reject,
    SourceFormat,
    SourceRef,
)
from graphbuild.readers.normalize import (
    clean_block,
    clean_items,
    clean_line,
    enum_value,
    intervention_type,
    iso_date,
    mesh_id,
    phases,
    to_int,
)
from graphbuild.readers.registry import register
from graphbuild.readers.source import Rewound, Source, display_name, open_source, stem

try:  # orjson parses ~2.5x faster; the stdlib stays the fallback and the streaming parser
    from orjson import JSONDecodeError as _FastError
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover - exercised where orjson is absent
    _FastError = json.JSONDecodeError  # type: ignore[misc,assignment]
    _fast_loads = json.loads

CHUNK = 1 << 20
# Documents up to this size are parsed whole (fast); bigger ones are streamed study by study.
WHOLE_DOCUMENT_LIMIT = 16 << 20
_DECODER = json.JSONDecoder()
_WS = " \t\n\r"
_P = "protocolSection"
_OUTCOME_FIELDS = tuple(
    (key, role, f"{_P}.outcomesModule.{key}")
    for key, role in (
        ("primaryOutcomes", OutcomeRole.PRIMARY),
        ("secondaryOutcomes", OutcomeRole.SECONDARY),
        ("otherOutcomes", OutcomeRole.OTHER),
    )
)
_TYPE_PREFIXES = (
    "Drug",
    "Biological",
    "Device",
    "Procedure",
    "Radiation",
    "Behavioral",
    "Genetic",
    "Dietary Supplement",
    "Combination Product",
    "Diagnostic Test",
    "Other",
)


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strip_type(name: str) -> str:
    """`Drug: Venetoclax` (an arm's intervention name) -> `Venetoclax`, the intervention's name."""
    head, sep, rest = name.partition(": ")
    return rest if sep and head in _TYPE_PREFIXES else name


_MESH_CACHE: dict[tuple[str, str, bool], MeshTerm] = {}
_MESH_CACHE_MAX = 200_000  # MeSH has ~30k descriptors and ~300k SCRs; the corpus repeats a few


def _mesh_term(raw: Any, ancestor: bool) -> MeshTerm | None:
    """A MeshTerm, shared between records (frozen, so sharing is safe and saves the build)."""
    if not isinstance(raw, dict):
        return None
    key = (_s(raw.get("id")), _s(raw.get("term")), ancestor)
    term = _MESH_CACHE.get(key)
    if term is None:
        if len(_MESH_CACHE) >= _MESH_CACHE_MAX:
            _MESH_CACHE.clear()
        term = _MESH_CACHE[key] = MeshTerm(mesh_id(key[0]), clean_line(key[1]), ancestor)
    return term


def _mesh(module: dict[str, Any]) -> tuple[MeshTerm, ...]:
    terms = [_mesh_term(m, False) for m in _l(module.get("meshes"))]
    terms += [_mesh_term(m, True) for m in _l(module.get("ancestors"))]
    return tuple(t for t in terms if t is not None)


def study_to_record(study: Any, file: str, index: int, member: str | None) -> Record | Reject:
    """One API v2 study object -> a Record (or a Reject when it is not a study)."""
    where = display_name(file, member)
    if not isinstance(study, dict) or not isinstance(study.get(_P), dict):
        kind = type(study).__name__
        return Reject(
            where, str(index), _P, f"not an API v2 study: a {kind} without a protocolSection object"
        )
    p = study[_P]
    ident = _d(p.get("identificationModule"))
    status = _d(p.get("statusModule"))
    sponsors = _d(p.get("sponsorCollaboratorsModule"))
    desc = _d(p.get("descriptionModule"))
    conds = _d(p.get("conditionsModule"))
    design = _d(p.get("designModule"))
    info = _d(design.get("designInfo"))
    arms_iv = _d(p.get("armsInterventionsModule"))
    outcomes_m = _d(p.get("outcomesModule"))
    derived = _d(study.get("derivedSection"))

    interventions = tuple(
        Intervention(
            intervention_type(iv.get("type")),
            clean_line(iv.get("name")),
            clean_block(iv.get("description")),
            clean_items(iv.get("otherNames")),
            clean_items(iv.get("armGroupLabels")),
            _ORIGINS["interventions"],
        )
        for iv in _l(arms_iv.get("interventions"))
        if type(iv) is dict
    )
    arms = tuple(
        Arm(
            clean_line(a.get("label")),
            enum_value(a.get("type")),
            clean_block(a.get("description")),
            clean_items([_strip_type(n) for n in _l(a.get("interventionNames")) if type(n) is str]),
        )
        for a in _l(arms_iv.get("armGroups"))
        if type(a) is dict
    )
    outcomes = tuple(
        Outcome(
            role,
            clean_line(o.get("measure")),
            clean_block(o.get("description")),
            clean_line(o.get("timeFrame")),
            field,
        )
        for key, role, field in _OUTCOME_FIELDS
        for o in _l(outcomes_m.get(key))
        if type(o) is dict
    )
    nct = clean_line(ident.get("nctId")) or None
    values: dict[str, Any] = {
        "brief_title": clean_line(ident.get("briefTitle")),
        "official_title": clean_line(ident.get("officialTitle")),
        "acronym": clean_line(ident.get("acronym")),
        "brief_summary": clean_block(desc.get("briefSummary")),
        "detailed_description": clean_block(desc.get("detailedDescription")),
        "conditions": clean_items(conds.get("conditions")),
        "keywords": clean_items(conds.get("keywords")),
        "interventions": interventions,
        "arms": arms,
        "outcomes": outcomes,
        "phases": phases([x for x in _l(design.get("phases")) if type(x) is str]),
        "study_type": enum_value(design.get("studyType")),
        "status": enum_value(status.get("overallStatus")),
        "start_date": iso_date(_d(status.get("startDateStruct")).get("date")),
        "primary_completion_date": iso_date(
            _d(status.get("primaryCompletionDateStruct")).get("date")
        ),
        "completion_date": iso_date(_d(status.get("completionDateStruct")).get("date")),
        "enrollment": to_int(_d(design.get("enrollmentInfo")).get("count")),
        "sponsor": clean_line(_d(sponsors.get("leadSponsor")).get("name")),
        "collaborators": clean_items(
            [_d(c).get("name") for c in _l(sponsors.get("collaborators"))]
        ),
        "allocation": enum_value(info.get("allocation")),
        "intervention_model": enum_value(info.get("interventionModel")),
        "masking": enum_value(_d(info.get("maskingInfo")).get("masking")),
        "primary_purpose": enum_value(info.get("primaryPurpose")),
        "condition_mesh": _mesh(_d(derived.get("conditionBrowseModule"))),
        "intervention_mesh": _mesh(_d(derived.get("interventionBrowseModule"))),
    }
    origins = {
        field: _ORIGINS[field] for field, value in values.items() if value not in ("", (), None)
    }
    if nct:
        origins["nct_id"] = _ORIGINS["nct_id"]
    return Record(
        trial_id=nct or f"{stem(file, member)}-{index}",
        source=SourceRef(file, str(index), member),
        format=SourceFormat.JSON,
        nct_id=nct,
        origins=origins,
        **values,
    )


_ORIGINS = {
    "nct_id": f"{_P}.identificationModule.nctId",
    "brief_title": f"{_P}.identificationModule.briefTitle",
    "official_title": f"{_P}.identificationModule.officialTitle",
    "acronym": f"{_P}.identificationModule.acronym",
    "brief_summary": f"{_P}.descriptionModule.briefSummary",
    "detailed_description": f"{_P}.descriptionModule.detailedDescription",
    "conditions": f"{_P}.conditionsModule.conditions",
    "keywords": f"{_P}.conditionsModule.keywords",
    "interventions": f"{_P}.armsInterventionsModule.interventions",
    "arms": f"{_P}.armsInterventionsModule.armGroups",
    "outcomes": f"{_P}.outcomesModule",
    "phases": f"{_P}.designModule.phases",
    "study_type": f"{_P}.designModule.studyType",
    "status": f"{_P}.statusModule.overallStatus",
    "start_date": f"{_P}.statusModule.startDateStruct.date",
    "primary_completion_date": f"{_P}.statusModule.primaryCompletionDateStruct.date",
    "completion_date": f"{_P}.statusModule.completionDateStruct.date",
    "enrollment": f"{_P}.designModule.enrollmentInfo.count",
    "sponsor": f"{_P}.sponsorCollaboratorsModule.leadSponsor.name",
    "collaborators": f"{_P}.sponsorCollaboratorsModule.collaborators",
    "allocation": f"{_P}.designModule.designInfo.allocation",
    "intervention_model": f"{_P}.designModule.designInfo.interventionModel",
    "masking": f"{_P}.designModule.designInfo.maskingInfo.masking",
    "primary_purpose": f"{_P}.designModule.designInfo.primaryPurpose",
    "condition_mesh": "derivedSection.conditionBrowseModule",
    "intervention_mesh": "derivedSection.interventionBrowseModule",
}


class _Truncated(Exception):
    """The JSON text stops (`at_end`) or breaks at `offset` (characters), line `line`,
    column `col`."""

    def __init__(self, message: str, offset: int, line: int, col: int, at_end: bool) -> None:
        super().__init__(message)
        self.message, self.offset, self.line, self.col, self.at_end = (
            message,
            offset,
            line,
            col,
            at_end,
        )


class _Stream:
    """UTF-8 text of a byte stream, read in chunks, with positions kept absolute so errors
    can name a line and column however much has been consumed."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.buf = ""
        self.pos = 0  # index into buf
        self.base = 0  # characters dropped before buf
        self.base_lines = 0  # newlines dropped before buf
        self.base_col_start = 0  # absolute offset where the current line starts, if dropped
        self.eof = False

    def fill(self, size: int | None = None) -> bool:
        """Append more text; False at end of input."""
        if self.eof:
            return False
        chunk = self.stream.read(size or CHUNK)
        try:
            text = self.decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise self.error(
                f"not UTF-8: byte 0x{exc.object[exc.start]:02x}", len(self.buf)
            ) from None
        if not chunk:
            self.eof = True
            self.buf += text
            return False
        if self.pos > CHUNK:  # drop consumed text, keep positions absolute
            dropped = self.buf[: self.pos]
            newlines = dropped.count("\n")
            if newlines:
                self.base_col_start = self.base + dropped.rindex("\n") + 1
            self.base_lines += newlines
            self.base += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += text
        return bool(chunk)

    def skip_ws(self) -> str:
        """The next non-whitespace character ('' at end), reading more as needed."""
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self.fill():
                return ""

    def value(self) -> Any:
        """Decode one JSON value at the cursor, reading more text until it is complete."""
        size = CHUNK
        while True:
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # An error before the end of what is buffered is real: more text cannot fix it.
                need_more = exc.pos >= len(self.buf) - 1 or exc.msg.startswith("Unterminated")
                if need_more and self.fill(size):
                    size *= 2  # a big value: grow reads so retries stay linear overall
                    continue
                raise self.error(exc.msg, exc.pos) from None
            self.pos = end
            return obj

    def error(self, message: str, index: int) -> _Truncated:
        offset = self.base + index
        newlines = self.buf.count("\n", 0, index)
        line = self.base_lines + newlines + 1
        line_start = (
            (self.base + self.buf.rindex("\n", 0, index) + 1) if newlines else self.base_col_start
        )
        at_end = self.eof and (
            index >= len(self.buf.rstrip()) or message.startswith("Unterminated")
        )
        return _Truncated(message, offset, line, offset - line_start + 1, at_end)


def _whole(data: bytes) -> list[Any] | None:
    """The studies of a whole document parsed at once, or None when it does not parse in one
    piece (broken, truncated, JSON lines): the streaming parser then finds what is readable."""
    try:
        value = _fast_loads(data)
    except (_FastError, ValueError, RecursionError):
        return None
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and isinstance(value.get("studies"), list):
        return value["studies"]
    return [value]


def _studies(stream: BinaryIO) -> Iterator[tuple[int, Any]]:
    """(index, study object) for every study: small documents parsed whole, big ones and
    broken ones streamed."""
    head = stream.read(WHOLE_DOCUMENT_LIMIT + 1)
    if len(head) <= WHOLE_DOCUMENT_LIMIT:
        studies = _whole(head)
        if studies is not None:
            yield from enumerate(studies)
            return
        stream = io.BytesIO(head)
    else:
        stream = io.BufferedReader(Rewound(head, stream))  # type: ignore[arg-type]
    yield from _stream_studies(stream)


def _stream_studies(stream: BinaryIO) -> Iterator[tuple[int, Any]]:
    """(index, study object) for every study in the text, streaming top-level arrays."""
    text = _Stream(stream)
    index = 0
    while True:
        first = text.skip_ws()
        if not first:
            return
        if first == "[":
            text.pos += 1
            if text.skip_ws() == "]":
                text.pos += 1
                continue
            while True:
                yield index, text.value()
                index += 1
                nxt = text.skip_ws()
                if nxt == ",":
                    text.pos += 1
                    text.skip_ws()
                    continue
                if nxt == "]":
                    text.pos += 1
                    break
                raise text.error(
                    "expected ',' or ']' after an array element"
                    if nxt
                    else "the array is not closed",
                    text.pos,
                )
        else:
            value = text.value()
            if isinstance(value, dict) and isinstance(value.get("studies"), list):
                for study in value["studies"]:
                    yield index, study
                    index += 1
            else:
                yield index, value
                index += 1


@register(SourceFormat.JSON)
def read(
    source: Source, name: str | None = None, *, member: str | None = None
) -> Iterator[Record | Reject]:
    """API v2 JSON -> one Record per study (record = index of the study in the file). Broken
    or truncated JSON ends the file with one Reject naming line, column and character."""
    with open_source(source, name) as (stream, file):
        done = 0
        try:
            for index, study in _studies(stream):
                yield study_to_record(study, file, index, member)
                done = index + 1
        except _Truncated as exc:
            kind = "truncated" if exc.at_end else "invalid"
            message = exc.message[:1].lower() + exc.message[1:]
            message = message.removesuffix(" at")  # "Unterminated string starting at"
            yield Reject(
                display_name(file, member),
                str(done),
                "(json)",
                f"{kind} JSON: {message} at line {exc.line} column {exc.col} (char {exc.offset}); "
                f"{done} studies before it were read",
            )
