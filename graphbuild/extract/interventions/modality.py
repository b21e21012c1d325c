"""What kind of therapy a piece of text names: modality cues, product codes, cell source.

Pure functions over one string each; `info` decides which strings to read and in
what order. Cues are tried in tiers, because a name often carries several ("JK500 cell
injection, cyclophosphamide, fludarabine"; "anti-CD19 anti-CD20 bispecific CAR-T"):

1. engineered cells and curated targeted products (CAR-NK, CAR-T, TCR-T, tisagenlecleucel...),
2. antibody formats (ADC stems, bispecific formats, -mab),
3. ancillary study procedures (biospecimen collection, questionnaires, imaging),
4. everything else, earliest cue first (transplant, other cells, vaccine, radiation,
   chemotherapy and small-molecule agents, INN stems).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graphbuild.extract.antigens.mentions import checkpoint_blockade, find_mentions
from graphbuild.extract.interventions.products import Product, find_products
from graphbuild.extract.text import keywords
from graphbuild.model import CellSource, Modality

# ---------------------------------------------------------------------------------------------
# Modality cues
# ---------------------------------------------------------------------------------------------

# "CAR" glued to at most two letters (UCART19, JWCAR029, eCAR, cCAR), a digit (CD4CAR, 4SCAR7)
# or "Tri" (TriCAR-T) names a CAR; inside a longer word (BOSICART) it does not.
_CAR_LEFT = r"(?:(?<![A-Za-z])|(?<=\b[A-Za-z])|(?<=\b[A-Za-z]{2})|(?<=\d[A-Za-z])|(?<=Tri))"
_CAR_NK = re.compile(
    _CAR_LEFT + r"CAR[-\s.]?NK|\bCAR\b[^;|]{0,40}?(?:\bNK\b|natural[-\s]killer)|"
    r"(?:\bNK\b|natural[-\s]killer)[^.;|]{0,25}?\bCARs?\b|chimeric[-\s]antigen[-\s]receptor"
    r"[^.;|]{0,40}?(?:\bNK\b|natural[-\s]killer)"
)
_CAR_T = re.compile(
    _CAR_LEFT
    + r"CAR(?:[-\s.]?T\b|[-\s.]?\d|s?\b|T\b|T[-\s]?\d)|(?i:chimeric[-\s]antigen[-\s]receptors?|"
    r"chimeric[-\s]receptors?)|(?i:\bCAR[-\s]?T\b)"
)
# TCR-engineered T cells; a bare "TCR" is not one ("TCR clonotypes", "TCR gene rearrangement",
# "TCRαβ-depleted graft").
_TCR_T = re.compile(
    r"\bTCR[-\s]?T\b|\bTCR[-\s]+(?:gene[-\s]+)?(?:engineered|modified|transduced|redirected|transgenic|"
    r"expressing|therapy|T[-\s]cells?)|(?i:specific\s+TCRs?\b)|STAR[-\s]?T\b|"
    r"(?i:T[-\s]cell[-\s]receptor[-\s]+(?:gene[-\s]+)?(?:engineered|modified|transduced|redirected|"
    r"transgenic|T\b)|T[-\s]cell[-\s]receptor[-\s]T[-\s]cells?)"
)
_ADC = re.compile(
    r"(?i:ozogamicin|vedotin|mafodotin|deruxtecan|govitecan|tesirine|emtansine|ravtansine|"
    r"soravtansine|tirumotecan|pasudotox|talirine|antibody[-\s]drug[-\s]conjugate|"
    r"immunotoxin|immunoconjugate)|\bADC\b"
)
_BISPECIFIC = re.compile(
    r"(?i:bi-?specific(?:\s+\w+){0,2}\s+(?:antibod|engager)|T[-\s]cell\s+engager|\w+tamab\b|"
    r"\bTriKEs?\b|\bTandAbs?\b)|\bBiTE\b|\bDART\b"
)
_ANTIBODY = re.compile(r"(?i:\b\w{3,}mab\b|monoclonal\s+antibod|antibod(?:y|ies)\b)|\bmAbs?\b")
# Substrings every tier-2 cue contains (lower case): a cheap test before the patterns.
_ANTIBODY_HINTS = (
    "mab",
    "antibod",
    "conjugate",
    "toxin",
    "ozogamicin",
    "vedotin",
    "mafodotin",
    "deruxtecan",
    "govitecan",
    "tesirine",
    "emtansine",
    "ravtansine",
    "tirumotecan",
    "pasudotox",
    "talirine",
    "adc",
    "specific",
    "engager",
    "bite",
    "dart",
    "trike",
    "tandab",
)
_BLOCKADE_HINTS = ("inhibit", "block", "antagon")
_ANCILLARY = re.compile(
    r"(?i:collection|biopsy|aspirat|questionnaire|survey|assessment|analysis|analyses|assay|"
    r"imaging|\bscan\b|\btests?\b|testing|monitoring|follow[-\s]?up|observation|measurement|"
    r"phenotyping|characteri[sz]ation|sequencing|\bPCR\b|polymerase chain|RNA-seq|laboratory|"
    r"echocardiograph|electrocardiograph|tomography|magnetic resonance|\bMRI\b|\bPET\b|"
    r"radiography|quality[-\s]of[-\s]life|physical exam|pharmacolog|correlative|interview|"
    r"education|counsel+ing|photograph|diagnos|\bsamples?\b|sampling|blood draw|pheresis|"
    r"leukapheresis|apheresis|lumbar puncture|\breview\b|transfusion)"
)
_TRANSPLANT = re.compile(
    r"(?i:transplant|\bHSCT\b|\bSCT\b|\bBMT\b|\bASCT\b|\bPBSCT\b|\bHCT\b|stem[-\s]cells?|"
    r"cord[-\s]blood|progenitor[-\s]cells?|(?:cell|marrow)[-\s]graft|\bHSPCs?\b|"
    r"bone[-\s]marrow[-\s](?:infusion|harvest|rescue))"
)
# Cell products named only by their cells; such generic wordings are what a trial's own words
# can sharpen (RD13-02 cell infusion + "CD7 CAR-T" in the title -> CAR-T). Product wordings
# ("cell injection") compete with other cues; bare cell words ("T cells", "Cell
# Transplantation") only decide when nothing else does.
_CELL_PRODUCT_WORDS = re.compile(
    r"(?i:\bcells?[-\s](?:injection|infusion|therapy|product|suspension|immunotherapy)\b)"
)
_GENERIC_CELLS = re.compile(r"(?i:\bT[-\s]?cells?\b|\bT[-\s]lymphocytes?\b|\bPBLs?\b|\bcells?\b)")
_SPECIFIC_CELLS = re.compile(
    r"(?i:\bNK\b|natural[-\s]killer|\bCIK\b|cytokine[-\s]induced[-\s]killer|\bCTLs?\b|"
    r"cytotoxic\s+T|dendritic\s+cells?|\bTregs?\b|regulatory\s+T|donor\s+lymphocyte|\bDLI\b|"
    r"stromal\s+cells?|\bMSCs?\b|mesenchymal|\bTILs?\b|tumou?r[-\s]infiltrating|"
    r"\blymphocytes?\b|virus[-\s]specific|leuk[a]?emia[-\s]specific)"
)
_VACCINE = re.compile(r"(?i:vaccin)")
_RADIATION = re.compile(
    r"(?i:irradiation|radiotherapy|radiation|\bTBI\b|\bTMI\b|\bTLI\b|proton|brachytherapy|\d\s?Gy\b)"
)
_CHEMO_WORDS = re.compile(
    r"(?i:chemotherap|\bchemo\b|\bregimen\b|\bR?-?CHOP\b|EPOCH|\bFLAG\b|hyper-?CVAD|\bBEAM\b|"
    r"\bGemOx\b|\bDHAP\b|\bR?-?ICE\b|\binduction\b|\bconsolidation\b|\bconditioning\b|"
    r"\w+platin\b)"
)
# INN stems of small molecules; checked on words, not by a regex over the whole text.
_SMALL_MOLECULE_STEMS = (
    "nib",
    "ciclib",
    "parib",
    "lisib",
    "toclax",
    "clax",
    "zomib",
    "degib",
    "menib",
    "lidomide",
    "sertib",
    "nostat",
    "rasib",
    "dustat",
    "xaban",
    "gatran",
    "prazole",
    "prazan",
    "conazole",
    "floxacin",
    "cycline",
    "setron",
    "pitant",
    "statin",
    "gliptin",
    "gliflozin",
    "sartan",
    "pril",
    "olol",
    "dipine",
    "semide",
    "azepam",
    "zolam",
    "triptan",
    "coxib",
    "limus",
    "tide",
)
_WORD = re.compile(r"[A-Za-z]{5,}")
_INHIBITOR = re.compile(r"(?i:\binhibitors?\b)")
_PLACEBO = re.compile(r"(?i:placebo|\bsham\b|\bvehicle\b|\bdummy\b)")
_STANDARD_CARE = re.compile(
    r"(?i:standard[-\s](?:of[-\s])?(?:care|therapy|treatment|chemotherapy)|usual\s+care|"
    r"best\s+supportive\s+care|\bSOC\b|physician'?s?\s+choice|investigator'?s?\s+choice|"
    r"no\s+intervention|^(?:\S+\s+){0,2}control\b(?!\s+(?:training|of|over|for))|"
    r"\bcontrol\s+(?:group|arm|condition|cohort)\b)"
)

_TYPE_FALLBACK = {
    "DEVICE": Modality.DEVICE,
    "BEHAVIORAL": Modality.BEHAVIORAL,
    "PROCEDURE": Modality.PROCEDURE,
    "DIAGNOSTIC_TEST": Modality.PROCEDURE,
    "RADIATION": Modality.RADIATION,
    "DIETARY_SUPPLEMENT": Modality.OTHER,
}

ENGINEERED = frozenset({Modality.CAR_T, Modality.CAR_NK, Modality.TCR_T})
ANTIBODIES = frozenset(
    {Modality.MONOCLONAL_ANTIBODY, Modality.BISPECIFIC_ANTIBODY, Modality.ANTIBODY_DRUG_CONJUGATE}
)
# Modalities whose whole point is a target antigen: a trial of one with no named target is
# "unspecified", not "not applicable".
TARGETED = ENGINEERED | ANTIBODIES
CELL_BASED = ENGINEERED | {Modality.OTHER_CELL_THERAPY, Modality.STEM_CELL_TRANSPLANT}


@dataclass(frozen=True, slots=True)
class Reading:
    """What one text says about a therapy: the modality, the words that say it, the lexicon
    product (if a named agent decided it), and whether only generic cell words were seen."""

    modality: Modality
    start: int
    end: int
    product: Product | None = None
    generic_cells: bool = False


def _first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return pattern.search(text)


@lru_cache(maxsize=8192)
def read_modality(text: str) -> Reading | None:
    """The modality `text` names, by tier (see the module docstring); None if no cue.
    Cached: intervention names repeat across trials ("Cyclophosphamide", "Placebo")."""
    if not text:
        return None
    products = list(find_products(text))
    targeted = next((p for p in products if p[0].targeted or p[0].modality in ENGINEERED), None)
    engineered = find_engineered(text)
    if engineered and not (targeted and targeted[1] < engineered[1].start()):
        return Reading(engineered[0], engineered[1].start(), engineered[1].end())
    if targeted:
        product, start, end = targeted
        return Reading(product.modality, start, end, product)
    lowered = text.lower()
    if any(hint in lowered for hint in _BLOCKADE_HINTS):
        blockade = checkpoint_blockade(text)
        if blockade:
            return Reading(Modality.MONOCLONAL_ANTIBODY, *blockade)
    if any(hint in lowered for hint in _ANTIBODY_HINTS):
        for pattern, modality in (
            (_ADC, Modality.ANTIBODY_DRUG_CONJUGATE),
            (_BISPECIFIC, Modality.BISPECIFIC_ANTIBODY),
            (_ANTIBODY, Modality.MONOCLONAL_ANTIBODY),
        ):
            match = pattern.search(text)
            if match:
                return Reading(modality, match.start(), match.end())
    match = keywords.search(_ANCILLARY, text)
    if match:
        return Reading(Modality.PROCEDURE, match.start(), match.end())
    return _earliest(text, products)


def _earliest(text: str, products: list[tuple[Product, int, int]]) -> Reading | None:
    """Tier 4: the cue that comes first in the text."""
    candidates: list[Reading] = []
    for product, start, end in products[:1]:
        candidates.append(Reading(product.modality, start, end, product))
    for pattern, modality, generic in (
        (_TRANSPLANT, Modality.STEM_CELL_TRANSPLANT, False),
        (_SPECIFIC_CELLS, Modality.OTHER_CELL_THERAPY, False),
        (_CELL_PRODUCT_WORDS, Modality.OTHER_CELL_THERAPY, True),
        (_GENERIC_CELLS, Modality.OTHER_CELL_THERAPY, True),
        (_VACCINE, Modality.VACCINE, False),
        (_RADIATION, Modality.RADIATION, False),
        (_CHEMO_WORDS, Modality.CHEMOTHERAPY, False),
        (_INHIBITOR, Modality.SMALL_MOLECULE, False),
        (_PLACEBO, Modality.OTHER, False),
    ):
        match = keywords.search(pattern, text)
        if match:
            candidates.append(Reading(modality, match.start(), match.end(), generic_cells=generic))
    stem = next(
        (m for m in _WORD.finditer(text) if m.group().lower().endswith(_SMALL_MOLECULE_STEMS)), None
    )
    if stem:
        candidates.append(Reading(Modality.SMALL_MOLECULE, stem.start(), stem.end()))
    if not candidates:
        return None
    # bare cell words ("cells", "T cells") only decide when nothing else does: "Hematopoietic
    # Cell Transplantation" is a transplant, "NK cells" a specific product
    bare = (
        candidates[-1]
        if candidates[-1].generic_cells and _GENERIC_CELLS.match(text, candidates[-1].start)
        else None
    )
    rest = [c for c in candidates if c is not bare]
    return min(rest, key=lambda reading: reading.start) if rest else bare


def type_fallback(intervention_type: str) -> Modality | None:
    """The modality an intervention type alone implies (DEVICE -> device, ...)."""
    return _TYPE_FALLBACK.get(intervention_type.upper())


@lru_cache(maxsize=4096)
def is_placebo(text: str) -> bool:
    return keywords.search(_PLACEBO, text) is not None


@lru_cache(maxsize=4096)
def is_standard_care(text: str) -> bool:
    return _STANDARD_CARE.search(text) is not None


@lru_cache(maxsize=4096)
def is_ancillary(text: str) -> bool:
    return keywords.search(_ANCILLARY, text) is not None


# ---------------------------------------------------------------------------------------------
# The kind of engineered cell therapy a trial text speaks of
# ---------------------------------------------------------------------------------------------


# Every engineered-cell cue contains one of these (exact case): a cheap test that spares the
# full patterns the many texts that name no engineered cells.
_ENGINEERED_HINTS = (
    *("CAR", "TCR", "STAR"),
    *("Chimeric", "chimeric", "CHIMERIC", "Receptor", "receptor", "RECEPTOR"),
)


def find_engineered(text: str) -> tuple[Modality, re.Match[str]] | None:
    """The first engineered-cell cue of `text` (CAR-NK before CAR-T, which it contains)."""
    if not any(hint in text for hint in _ENGINEERED_HINTS):
        return None
    best: tuple[Modality, re.Match[str]] | None = None
    for pattern, modality in (
        (_CAR_NK, Modality.CAR_NK),
        (_CAR_T, Modality.CAR_T),
        (_TCR_T, Modality.TCR_T),
    ):
        match = pattern.search(text)
        if match and (
            best is None or match.start() < best[1].start() or modality is Modality.CAR_NK
        ):
            best = (modality, match)
            if modality is Modality.CAR_NK:
                break
    return best


_T_CELL_PRODUCT = re.compile(
    r"(?i:\b(?:autologous\s+|allogeneic\s+)?T[-\s]?cells?(?:\s+(?:injection|infusion|product|therapy))?\b)"
)
_CRS = re.compile(r"(?i:cytokine[-\s]release[-\s]syndrome|\bCRS\b|\bICANS\b|neurotoxicity)")


def find_t_cell_product(text: str) -> re.Match[str] | None:
    """ "Autologous T Cell Injection": a T-cell product named without its engineering."""
    return _T_CELL_PRODUCT.search(text)


def find_crs(text: str) -> re.Match[str] | None:
    """Cytokine release syndrome / ICANS: the toxicities that mark engineered T-cell therapy."""
    return keywords.search(_CRS, text)


# ---------------------------------------------------------------------------------------------
# Product codes
# ---------------------------------------------------------------------------------------------

# Letters then digits, with hyphenated parts: CT0594CP, SENL103, RD13-02, JNJ-68284528,
# C-CAR011, BI 836826, XmAb14045, Hu5F9-G4. A space before the digits needs 3 of them ("AMG
# 553", not "Level 1"); a single leading letter needs 3 digits (H057, not D28).
_CODE = re.compile(
    r"(?<![\w-])(?P<code>(?:[A-Z](?:[A-Za-z]{1,7}|(?=-[A-Z]))|[a-z]{1,3}(?=\d{3}))(?:-[A-Z][A-Za-z]{0,5})?"
    r"(?:-?\d{2,}|\s\d{3,})[A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*|[A-Z]-?\d{3,}[A-Za-z0-9]*)(?![\w-])"
)
_DIGIT = re.compile(r"\d")
_NOT_CODE_PREFIX = re.compile(
    r"(?:CD|IL|HLA|COVID|SARS|HIV|HBV|HCV|EBV|CMV|HPV|HTLV|NCT|ECOG|IMWG|CTCAE|ICANS|CRS|WHO|"
    r"FLT|IDH|TP|NPM|KMT|MLL|BCR|ABL|JAK|BCL|MCL|CDK|PIK|HER|PD|CTLA|ISS|MRD|EQ|QLQ|SF|KPS|NRS|"
    r"ICD|ISO|GVHD|Phase|Grade|Stage|Level|Cohort|Arm|Part|Group|Day|Days|Week|Weeks|Cycle|"
    r"Cycles|Month|Months|Year|Years|Version|Dose|Covid|CAR|CART|CAR-T|EORTC|MDS|AML|ALL|"
    r"CLL|CML|NHL|DLBCL|PTCL|WT|TNF|VEGF|EGFR|FGFR|RAS|KRAS|BRCA|MYC|ATM|DNMT|TET|ASXL|RUNX|"
    r"CEBPA|NPM|GATA|ETV|ERG|PML|RAR|RARA|CBF|MYH|AUC|NK|GM|ATG|ATRA|BEAM|IMiD|UK|USA|US|EU|"
    r"Trial|Study|Protocol|Amendment|Table|Figure)[-\s]?\d",
)


def find_codes(text: str) -> list[re.Match[str]]:
    """Code-like product names in `text` (not antigen names, gene or protocol words, nor
    CAR-number names such as CART19 / CAR-20)."""
    if not _DIGIT.search(text):
        return []
    codes = []
    for match in _CODE.finditer(text):
        code = match.group("code")
        if _NOT_CODE_PREFIX.match(code) or code[:4].lower() == "anti":
            continue
        if any(not m.construct for m in find_mentions(code)):
            continue  # an antigen name inside: "CAR-CD19", "CD22-CAR-transduced"
        codes.append(match)
    return codes


# ---------------------------------------------------------------------------------------------
# Cell source
# ---------------------------------------------------------------------------------------------

_AUTOLOGOUS = re.compile(
    r"(?i:\bautologous\b|\bautologus\b|\bauto-?(?:HSCT|SCT|ASCT)\b|patient[-\s]derived)"
)
_ALLOGENEIC = re.compile(
    r"(?i:\ballogen(?:e)?ic\b|\ballo-?(?:HSCT|SCT|HCT)\b|donor[-\s]derived|universal|"
    r"off[-\s]the[-\s]shelf|\bUCART|third[-\s]party)"
)
_SOURCE_HINTS = (
    "autolog",
    "allog",
    "allo",
    "donor",
    "universal",
    "shelf",
    "ucart",
    "third",
    "haplo",
    "cord",
    "ipsc",
    "cb-nk",
    "patient",
)
# In an intervention's own words a donor, a haplo-identical graft, cord blood or iPSCs also
# say allogeneic; in trial-level text they usually describe the transplant.
_ALLOGENEIC_OWN = re.compile(
    r"(?i:\bdonors?\b|haplo-?(?:identical)?|cord[-\s]blood|\biPSCs?\b|\bCB-NK\b)"
)
# "allogeneic transplant", "autologous stem cell transplantation": the transplant's source,
# not a cell product's.
_TRANSPLANT_AFTER = re.compile(
    r"(?i:[\s-]+(?:\w+[\s-]+){0,3}?(?:transplant\w*|HSCT|SCT|HCT|BMT|stem[-\s]cells?|graft|"
    r"hematopoietic|haematopoietic|bone[-\s]marrow|donors?)\b)"
)


def read_cell_source(
    text: str, *, own: bool, transplant: bool = False
) -> tuple[CellSource, re.Match[str]] | None:
    """The autologous / allogeneic word of `text`.

    `own`: the text is the intervention's own name or description (the first word wins, and
    "donor", "haplo", "cord blood" count); otherwise it is trial-level text, where a text naming
    both sources gives None. `transplant`: the intervention is a transplant, so "allogeneic
    stem cell transplant" is its own source rather than a word to skip."""
    lowered = text.lower()
    if not any(hint in lowered for hint in _SOURCE_HINTS):
        return None
    patterns = [(_AUTOLOGOUS, CellSource.AUTOLOGOUS), (_ALLOGENEIC, CellSource.ALLOGENEIC)]
    if own:
        patterns.append((_ALLOGENEIC_OWN, CellSource.ALLOGENEIC))
    found: list[tuple[CellSource, re.Match[str]]] = []
    for pattern, source in patterns:
        for match in pattern.finditer(text):
            if not transplant and _TRANSPLANT_AFTER.match(text, match.end()):
                continue
            found.append((source, match))
            break
    if not found:
        return None
    if not own and len({source for source, _ in found}) > 1:
        return None
    return min(found, key=lambda pair: pair[1].start())
