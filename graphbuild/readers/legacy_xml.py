"""Legacy ClinicalTrials.gov `<clinical_study>` XML (public.xsd, 2019), one study per file.

Parsed with defusedxml: a document that declares entities (billion laughs) or points at an
external resource (`<!ENTITY x SYSTEM "file:///etc/passwd">`) is refused as a whole and
reported as a Reject; nothing is ever expanded or fetched. Textblocks are re-flowed (the XML
hard-wraps them at 80 columns), title-case enums become the API v2 spelling, month-name dates
become ISO prefixes. The XML's MeSH terms carry no ids, so their id stays "".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, XMLPullParser
from xml.etree.ElementTree import fromstring as _c_fromstring

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import fromstring

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
    clean_line,
    enum_value,
    intervention_type,
    iso_date,
    phases,
    to_int,
    unwrap_textblock,
)
from graphbuild.readers.registry import register
from graphbuild.readers.source import Source, display_name, open_source, stem

ROOT = "clinical_study"
# No XML declaration, or one naming an encoding in which ASCII bytes mean ASCII characters.
_ASCII_COMPATIBLE = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:(?!<\?xml)|<\?xml(?![^>]*encoding)"
    rb"|<\?xml[^>]*encoding\s*=\s*[\"'](?:utf-?8|us-ascii|ascii|iso-8859-1|latin-?1)[\"'])",
    re.IGNORECASE,
)
_OUTCOME_TAGS = (
    ("primary_outcome", OutcomeRole.PRIMARY),
    ("secondary_outcome", OutcomeRole.SECONDARY),
    ("other_outcome", OutcomeRole.OTHER),
)
# Model field -> where the XML keeps it (also the field's origin).
_ORIGINS = {
    "nct_id": "id_info/nct_id",
    "brief_title": "brief_title",
    "official_title": "official_title",
    "acronym": "acronym",
    "brief_summary": "brief_summary/textblock",
    "detailed_description": "detailed_description/textblock",
    "conditions": "condition",
    "keywords": "keyword",
    "interventions": "intervention",
    "arms": "arm_group",
    "outcomes": "primary_outcome, secondary_outcome, other_outcome",
    "phases": "phase",
    "study_type": "study_type",
    "status": "overall_status",
    "start_date": "start_date",
    "primary_completion_date": "primary_completion_date",
    "completion_date": "completion_date",
    "enrollment": "enrollment",
    "sponsor": "sponsors/lead_sponsor/agency",
    "collaborators": "sponsors/collaborator/agency",
    "allocation": "study_design_info/allocation",
    "intervention_model": "study_design_info/intervention_model",
    "masking": "study_design_info/masking",
    "primary_purpose": "study_design_info/primary_purpose",
    "condition_mesh": "condition_browse/mesh_term",
    "intervention_mesh": "intervention_browse/mesh_term",
}


def _text(el: Element, path: str) -> str:
    found = el.find(path)
    return found.text or "" if found is not None else ""


def _all(el: Element, path: str) -> tuple[str, ...]:
    return tuple(v for v in (clean_line(e.text) for e in el.iterfind(path)) if v)


def study_to_record(study: Element, file: str, index: int, member: str | None) -> Record:
    """One `<clinical_study>` element -> a Record."""
    interventions = tuple(
        Intervention(
            type=intervention_type(_text(iv, "intervention_type")),
            name=clean_line(_text(iv, "intervention_name")),
            description=clean_block(_text(iv, "description")),
            other_names=_all(iv, "other_name"),
            arm_labels=_all(iv, "arm_group_label"),
            source_field="intervention",
        )
        for iv in study.iterfind("intervention")
    )
    arms = tuple(
        Arm(
            label=(label := clean_line(_text(arm, "arm_group_label"))),
            type=enum_value(_text(arm, "arm_group_type")),
            description=clean_block(_text(arm, "description")),
            # the XML states membership on the intervention side; read it from there
            intervention_names=tuple(iv.name for iv in interventions if label in iv.arm_labels),
        )
        for arm in study.iterfind("arm_group")
    )
    outcomes = tuple(
        Outcome(
            role=role,
            measure=clean_line(_text(o, "measure")),
            description=clean_block(_text(o, "description")),
            time_frame=clean_line(_text(o, "time_frame")),
            source_field=tag,
        )
        for tag, role in _OUTCOME_TAGS
        for o in study.iterfind(tag)
    )
    design = study.find("study_design_info")
    design_el = design if design is not None else Element("study_design_info")
    nct = clean_line(_text(study, "id_info/nct_id")) or None
    values = {
        "brief_title": clean_line(_text(study, "brief_title")),
        "official_title": clean_line(_text(study, "official_title")),
        "acronym": clean_line(_text(study, "acronym")),
        "brief_summary": unwrap_textblock(_text(study, "brief_summary/textblock")),
        "detailed_description": unwrap_textblock(_text(study, "detailed_description/textblock")),
        "conditions": _all(study, "condition"),
        "keywords": _all(study, "keyword"),
        "interventions": interventions,
        "arms": arms,
        "outcomes": outcomes,
        "phases": phases(_text(study, "phase")),
        "study_type": enum_value(_text(study, "study_type")),
        "status": enum_value(_text(study, "overall_status")),
        "start_date": iso_date(_text(study, "start_date")),
        "primary_completion_date": iso_date(_text(study, "primary_completion_date")),
        "completion_date": iso_date(_text(study, "completion_date")),
        "enrollment": to_int(_text(study, "enrollment")),
        "sponsor": clean_line(_text(study, "sponsors/lead_sponsor/agency")),
        "collaborators": _all(study, "sponsors/collaborator/agency"),
        "allocation": enum_value(_text(design_el, "allocation")),
        "intervention_model": enum_value(_text(design_el, "intervention_model")),
        "masking": enum_value(_text(design_el, "masking")),
        "primary_purpose": enum_value(_text(design_el, "primary_purpose")),
        "condition_mesh": tuple(MeshTerm("", t) for t in _all(study, "condition_browse/mesh_term")),
        "intervention_mesh": tuple(
            MeshTerm("", t) for t in _all(study, "intervention_browse/mesh_term")
        ),
    }
    origins = {
        field: _ORIGINS[field] for field, value in values.items() if value not in ("", (), None)
    }
    if nct:
        origins["nct_id"] = _ORIGINS["nct_id"]
    return Record(
        trial_id=nct or (stem(file, member) if index == 0 else f"{stem(file, member)}-{index}"),
        source=SourceRef(file, str(index), member),
        format=SourceFormat.XML,
        nct_id=nct,
        origins=origins,
        **values,  # type: ignore[arg-type]
    )


def parse_safely(data: bytes) -> Element:
    """The document's root element, never expanding an entity nor fetching a resource.

    Entities can only be declared in a document type declaration. A document without one (as
    every ClinicalTrials.gov record is) has nothing to expand or fetch, so it goes to the C
    parser; anything with a DOCTYPE, or in an encoding where that check could be fooled, goes
    through defusedxml, which refuses entity declarations and external references."""
    if (
        b"<!DOCTYPE" not in data
        and b"<!ENTITY" not in data
        and b"\x00" not in data
        and _ASCII_COMPATIBLE.match(data[:256]) is not None
    ):
        return _c_fromstring(data)
    return fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)


_NCT_ID = re.compile(rb"<nct_id>\s*(NCT\d{8})\s*</nct_id>")


def _record_at(data: bytes) -> str:
    """`0 (NCT01234567)` when the broken document still shows its NCT number, else `0`."""
    match = _NCT_ID.search(data)
    return f"0 ({match.group(1).decode()})" if match else "0"


def _element_at(data: bytes) -> str:
    """The path of the element open where a malformed document breaks (`clinical_study/
    brief_title`), found by an incremental parse up to the error. A document with a DOCTYPE is
    not re-parsed (its entities are never handed to a parser that would expand them)."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return "DOCTYPE"
    parser = XMLPullParser(events=("start", "end"))
    stack: list[str] = []
    try:
        for k in range(0, len(data), 1 << 16):
            parser.feed(data[k : k + (1 << 16)])
            for event, element in parser.read_events():
                if event == "start":
                    stack.append(element.tag)
                else:
                    stack.pop()
                    element.clear()
        parser.close()
    except (ParseError, LookupError, ValueError):
        for event, element in parser.read_events():
            if event == "start":
                stack.append(element.tag)
            elif stack:
                stack.pop()
    return "/".join(stack[:8]) or "XML prolog"


def _refusal(exc: DefusedXmlException) -> tuple[str, str]:
    """(field, reason) for a document defusedxml refused to parse."""
    if isinstance(exc, EntitiesForbidden):
        if exc.sysid or exc.pubid:
            return "DOCTYPE", (
                f"external entity {exc.name!r} -> {exc.sysid or exc.pubid!r} refused: "
                "external resources are never read"
            )
        return "DOCTYPE", (
            f"entity declaration {exc.name!r} refused: XML entities are never expanded "
            "(entity-expansion bomb protection)"
        )
    if isinstance(exc, ExternalReferenceForbidden):
        return (
            "DOCTYPE",
            f"external reference {exc.sysid or exc.pubid!r} refused: external resources are never read",
        )
    if isinstance(exc, DTDForbidden):
        return "DOCTYPE", "document type declarations are refused"
    return "DOCTYPE", f"refused: {exc}"


@register(SourceFormat.XML)
def read(
    source: Source, name: str | None = None, *, member: str | None = None
) -> Iterator[Record | Reject]:
    """A legacy XML document -> one Record per `<clinical_study>` (normally exactly one)."""
    with open_source(source, name) as (stream, file):
        data = stream.read()
    where = display_name(file, member)
    try:
        root = parse_safely(data)
    except DefusedXmlException as exc:
        field, reason = _refusal(exc)
        yield Reject(where, "0", field, reason)
        return
    except ParseError as exc:
        yield Reject(where, _record_at(data), _element_at(data), f"malformed XML: {exc}")
        return
    except (LookupError, ValueError) as exc:  # an unknown or unusable declared encoding
        yield Reject(where, _record_at(data), "XML declaration (encoding)", f"unreadable XML declaration: {exc}")
        return
    studies = [root] if root.tag == ROOT else list(root.iter(ROOT))
    if not studies:
        yield Reject(where, "0", ROOT, f"no <{ROOT}> element (the root is <{root.tag}>)")
        return
    for index, study in enumerate(studies):
        yield study_to_record(study, file, index, member)
