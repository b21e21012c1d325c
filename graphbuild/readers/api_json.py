"""ClinicalTrials.gov API v2 JSON: a study object, a bare array of studies (the website
download), a `{"studies": [...], "nextPageToken": ...}` page, or studies one per line.

A document of up to `WHOLE_DOCUMENT_LIMIT` bytes (every per-study file of the bulk download,
any API page) is parsed in one go, with orjson when it is installed. A bigger one is cut study
by study (`json_scan`), so a large download is never held as one parsed tree; so is a document
that does not parse whole, so that one broken study is one Reject naming its position and the
studies around it are still read. The mapping reads the API's own
structure (`protocolSection.<module>.<field>`) and records that path as each field's origin.
"""

from __future__ import annotations

import io
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
from graphbuild.readers import json_scan
from graphbuild.readers.json_scan import Broken, FastError, fast_loads
from graphbuild.readers.limits import ArchiveError
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

# Documents up to this size are parsed whole (fast); bigger ones are streamed study by study.
WHOLE_DOCUMENT_LIMIT = 16 << 20
_CHUNK = 64 << 10  # read in pieces, so that a corrupt archive below keeps what came before
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


def _whole(data: bytes) -> list[Any] | None:
    """The studies of a whole document parsed at once, or None when it does not parse in one
    piece (broken, truncated, JSON lines): the study-by-study scan then finds what is readable."""
    try:
        value = fast_loads(data)
    except (FastError, ValueError, RecursionError):
        return None
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and isinstance(value.get("studies"), list):
        return value["studies"]
    return [value]


def _studies(stream: BinaryIO) -> Iterator[tuple[int, Any] | Broken]:
    """(index, study object) for every study, or a `Broken` study: small documents parsed
    whole, big ones and broken ones cut study by study (`json_scan`)."""
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= WHOLE_DOCUMENT_LIMIT and (chunk := stream.read(min(_CHUNK, WHOLE_DOCUMENT_LIMIT + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except ArchiveError:  # a corrupt archive under the document: the studies before the damage
        for item in json_scan.studies(io.BytesIO(b"".join(chunks))):
            if not (isinstance(item, Broken) and item.truncated):  # cut by the damage, not broken
                yield item
        raise  # the reader's caller names the damage (limits.ArchiveError)
    head = b"".join(chunks)
    if len(head) <= WHOLE_DOCUMENT_LIMIT:
        studies = _whole(head)
        if studies is not None:
            yield from enumerate(studies)
            return
        stream = io.BytesIO(head)
    else:
        stream = io.BufferedReader(Rewound(head, stream))  # type: ignore[arg-type]
    yield from json_scan.studies(stream)


@register(SourceFormat.JSON)
def read(
    source: Source, name: str | None = None, *, member: str | None = None
) -> Iterator[Record | Reject]:
    """API v2 JSON -> one Record per study (record = index of the study in the file). A study
    that does not parse is one Reject naming its index, its NCT number when readable, the JSON
    path, line, column and byte offset where it breaks; the studies after it are still read."""
    with open_source(source, name) as (stream, file):
        where = display_name(file, member)
        for item in _studies(stream):
            if isinstance(item, Broken):
                record = f"{item.index} ({item.trial_id})" if item.trial_id else str(item.index)
                yield Reject(
                    where,
                    record,
                    item.field,
                    f"{'truncated' if item.truncated else 'invalid'} JSON: {item.message} at line {item.line} column {item.column} "
                    f"(byte {item.offset})",
                )
            else:
                yield study_to_record(item[1], file, item[0], member)
