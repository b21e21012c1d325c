"""Context guards: a concept match is dropped when the words around it read like another
sense ("SD" after "mean \u00b1" is a standard deviation, "PR interval" an ECG reading, "first
complete remission" a disease state, "expansion" without cells nearby no cell expansion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class _Guard:
    """A match of `key` is dropped when the words before/after it read like another sense."""

    key: str
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None
    text: re.Pattern[str] | None = None  # only for matches whose own words fit this
    require: re.Pattern[str] | None = None  # kept only if this is found within 80 characters


# Words that put cell kinetics ("expansion", "persistence") in a cell-therapy context.
_CELL_CONTEXT = re.compile(
    r"\bCAR|CART|T[\s-]?cells?|\bNK\b|\bcells?\b|transgene|vector|infus|engraft|in\s+vivo|CTL\d|leucel\b|\bproducts?\b", re.I
)
# "for / among / in patients who (do not) achieve(d) / reach / are in ...", "those (patients) who
# achieve ...": the patients a measure is read in, named by their response
_RESPONSE_SUBGROUP = re.compile(
    r"(?:\b(?:for|among|in)\s+(?:the\s+patients|patients|participants|subjects)|\bthose(?:\s+patients)?)"
    r"(?:\s+(?:who|that))?(?:\s+(?:have|had|has|do|did|does|will))?(?:\s+not)?"
    r"\s+(?:achiev\w*|attain\w*|reach\w*|in|with)\s+(?:an?\s+)?"
    r"(?:(?:s?CR|CRi|PR|VGPR)\s*(?:/|,|\bor\b|\band\b)\s*)*$",  # "a CR/CRi": the second too
    re.I,
)
_GUARDS: tuple[_Guard, ...] = (
    _Guard("SD", before=re.compile(r"(?:\u00b1|\+/-|\bmean\b[^.;]{0,15}|\bmedian\b[^.;]{0,15})\s*$", re.I),
           after=re.compile(r"^(?:\s*[=:]\s*\d|\s+of\s+(?:\d|the\s+mean|mean)|-[A-Za-z])")),
    _Guard("PR", after=re.compile(r"^\s+(?:interval|prolongation|segment)", re.I)),
    # the definition of Tmax: "the time required for a drug to reach peak concentration"
    _Guard("CMAX", before=re.compile(r"\btime\b[^.;]{0,50}?\b(?:(?:to|until)\s+(?:reach|achieve|attain)|when|at\s+which)\s+(?:the\s+|its\s+|a\s+)?$", re.I)),
    # ROC curves, glucose curves: an area under a curve that is not a drug's exposure
    _Guard("AUC", before=re.compile(r"(?:\bROC\b|receiver|operating\s+characteristic|discriminat\w*|diagnostic|predictive"
                                    r"|prediction|accuracy|glucose|insulin)[^.;]{0,60}$", re.I),
           after=re.compile(r"^\s*(?:-\s*ROC|\(?\s*ROC|of\s+(?:the\s+)?ROC|for\s+(?:the\s+)?(?:model|prediction|diagnos))", re.I)),
    # "immune cytopenia" is a disease; "non-hematologic toxicity" is every toxicity but cytopenia
    _Guard("CYTOPENIA", before=re.compile(r"(?:\bimmune\s+|\bnon[\s-]*)$", re.I)),
    _Guard("EXPANSION", text=re.compile(r"^amplif", re.I), before=re.compile(r"\bPCR\)?\s*$")),
    _Guard("TMAX", text=re.compile(r"^time", re.I),
           after=re.compile(r"^\s+(?:glucose|sensory|perfusion|enhancement|flow|velocity|effect)", re.I)),
    _Guard("PK", text=re.compile(r"^clearance", re.I), before=re.compile(r"(?:creatinine|MRD|disease|tumou?r|vir\w*|blasts?)\)?\s*$", re.I),
           after=re.compile(r"^\s+of\s+(?:\S+\s+){0,3}?\S*(?:\+|positive|cells?\b|blasts|MRD|disease|vir)", re.I)),
    # "dose-limiting (DLT) toxicity" is DLT only; "toxicity-evaluable" patients are a population;
    # "financial toxicity" is the cost of care to the patient, no adverse event
    _Guard("AE", before=re.compile(r"(?:dose[\s-]*limiting|\bDLTs?\)?|\bfinancial)\s*$", re.I), after=re.compile(r"^-?\s*evaluable", re.I)),
    # "adverse events defined as dose-limiting toxicities", "adverse events, meeting the DLT
    # definition": the events a DLT counts, named by it (the DLT is matched on its own)
    *(
        _Guard(key, after=re.compile(r"^\s*,?\s*(?:defined\s+as|meeting\s+the|that\s+(?:meet|are|qualify\s+as)"
                                     r"|qualifying\s+as|considered)\s+(?:an?\s+|the\s+)?(?:dose[\s-]*limit\w*|DLTs?\b)", re.I))
        for key in ("AE", "TRAE", "SAE", "TEAE")
    ),
    # follow-up logistics: "followed until treatment-related toxicities have stabilized"
    *(
        _Guard(key, before=re.compile(r"\buntil\s+(?:\S+\s+){0,3}$", re.I),
               after=re.compile(r"^\s+(?:have|has)\s+(?:stabili[sz]ed|resolved)", re.I))
        for key in ("AE", "TRAE", "SAE", "TEAE")
    ),
    _Guard("CIR", after=re.compile(r"^[\s-]*free", re.I)),  # "incidence of relapse-free survival"
    # bare "survival" is OS, but not "metastasis-free survival", "survival curves", "followed for survival"
    _Guard("OS", text=re.compile(r"^survival$", re.I),
           before=re.compile(r"(?:\b(?:for|of\s+cell|cells?|implants?|grafts?|prosthes[ie]s|prosthetic|devices?|allografts?)\s+"
                             r"|[\w)]+[\s-]*(?:free|specific|related)[\s/-]*(?:\w+\s+)?)$", re.I),
           after=re.compile(r"^[\s-]+(?:curves?|regression|analys[ie]s|distributions?|endpoints?|follow-?up|status"
                            r"|models?|differences?|data)\b", re.I)),
    # a patient subset, not an endpoint: "participants who do not undergo ... transplantation",
    # "For treatment population that subsequently proceeds to HSCT"
    _Guard("HSCT_RATE", before=re.compile(r"(?:\bnot|\bnever|\bwithout|\bfor\s+(?:the\s+)?(?:\S+\s+){0,3}(?:that|who)"
                                          r"(?:\s+subsequently)?)\s+$", re.I)),
    # IL3 as a CAR ligand is no cytokine read-out; nor is IL-2 given as a drug ("NK cells plus
    # low-dose IL-2") or IL-15 used to prime cells ("IL-15-stimulated NK cells")
    _Guard("CYTOKINES", after=re.compile(r"^[\s-]*(?:CAR|zetakine|ligand|stimulated|activated|expanded|primed|induced"
                                         r"|armou?red|secreting|transduced|based|infusions?|therapy|treatment"
                                         r"|injections?|administration)", re.I),
           before=re.compile(r"(?:\bplus|\bfollowed\s+by|\blow[\s-]dose|\bhigh[\s-]dose|\bsubcutaneous)\s*(?:low[\s-]dose\s+)?$", re.I)),
    _Guard("PK", text=re.compile(r"^cell", re.I), after=re.compile(r"^\s+of\s+(?:\S+\s+){0,2}?\S*(?:positive|\+)", re.I)),
    # Tmax / AUC / Cmax of cytokines are pharmacodynamics (the cytokine is matched on its own)
    *(
        _Guard(key, after=re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:of|for)\s+(?:the\s+)?(?:serum\s+|plasma\s+)?"
                                     r"(?:cytokines?|IL-?\d|interleukin|IFN|TNF|interferon)", re.I),
               before=re.compile(r"\bcytokines?\b[^.;]{0,120}$", re.I))
        for key in ("TMAX", "AUC", "CMAX")
    ),
    # cell kinetics words mean something else without cells nearby ("infarct expansion")
    _Guard("EXPANSION", require=_CELL_CONTEXT),
    _Guard("PK", text=re.compile(r"^(?:copy|transgene|vector)", re.I), before=re.compile(r"variation\s*$", re.I),
           require=re.compile(r"\bCAR\b|CAR-?T|T[\s-]?cells?|NK\b|transgene|vector|infus", re.I)),
    _Guard("PERSISTENCE", require=_CELL_CONTEXT),
    _Guard("TRAFFICKING", require=_CELL_CONTEXT),
    # the patients' disease or the graft's processing, not a read-out: "in patients with CD19+ B
    # cell malignancies", "CD19+ B-cell depletion"
    _Guard("ANTIGEN_POSITIVE_CELLS", after=re.compile(
        r"^[\s-]*(?:malignanc|lymphoma|leuk|disease|tumou?r|cancer|neoplas|depletion|depleted|selected|selection)", re.I)),
    # "at the recommended dose(s) for expansion": a condition of the measure, not an endpoint
    _Guard("RP2D", before=re.compile(r"\b(?:at|using|with)\s+(?:the\s+)?$", re.I)),
    # engraftment of the infused cells is their kinetics ("CAR19 T-cell engraftment"; "Engraftment,
    # expansion and persistence of CAR19 T-cells"), not haematopoietic engraftment
    _Guard("ENGRAFTMENT", before=re.compile(r"(?:CAR\S*|T[\s-]?cells?|NK[\s-]?cells?)[\s-]*$", re.I),
           after=re.compile(r"^\s*,?\s*(?:expansion|persistence)\b", re.I)),
    # counts of the infused cells are their kinetics ("CAR-T cell counts"), not reconstitution
    _Guard("IMMUNE_RECONSTITUTION", text=re.compile(r"^T", re.I), before=re.compile(r"(?:CAR|CART\w*|[+])\)?[\s-]*$", re.I)),
    # T-cell subsets of the infused product ("HA-1 T cell receptor (TCR) CD4+ T cells") are its
    # kinetics, not the patient's immune reconstitution
    _Guard("IMMUNE_RECONSTITUTION", before=re.compile(
        r"(?:\bTCR|\bCAR|receptor|transferr\w*|transduc\w*|infused|modified|engineered|redirected)\b\)?[^.;]{0,30}$", re.I)),
    # a response criterion ("CR: ... no constitutional symptoms, normal lymphocyte count"), not a
    # measure of the patient's lymphocytes
    _Guard("IMMUNE_RECONSTITUTION", before=re.compile(r"\bnormal\s+$", re.I)),
    # the definition of an AE: "any unfavorable sign (including an abnormal laboratory finding)"
    _Guard("LAB_ABNORMALITIES", before=re.compile(r"\bincluding\s+(?:an?\s+)?$", re.I)),
    # antibodies of a given specificity ("anti-Spike IgG levels") are an immune response
    _Guard("IMMUNOGLOBULINS", before=re.compile(r"(?:\banti[\w-]*|specific|spike|nucleocapsid|antibod\w*)[\s-]*$", re.I)),
    # "patients with high tumour burden" is a subset, not a measure
    _Guard("TUMOR_BURDEN", before=re.compile(r"\b(?:high|low|higher|lower|bulky|minimal|large)[\s-]*$", re.I)),
    _Guard("MR", before=re.compile(r"(?:mitral|tricuspid|aortic)\s*(?:valve\s*)?$", re.I),
           after=re.compile(r"^\s*(?:angiograph|imaging|spectroscop|elastograph|enterograph|\(\s*[<>])", re.I)),
    _Guard("CR", before=re.compile(r"\b(?:in|achieved|reached)\s+(?:a\s+)?(?:first|second|third|1st|2nd|3rd)\s+$", re.I)),
    # a subgroup defined by its response, not a measure of it: "summarized for those achieving a
    # CR/CRi", "MRD in patients who have achieved CR", "analysed separately in patients in CR"
    *(
        _Guard(key, before=_RESPONSE_SUBGROUP)
        for key in ("CR", "CRI", "PR", "VGPR", "SCR")
    ),
    # "complete response rate with incomplete hematologic recovery (CRi)" is CRi, not CR
    _Guard("CR", after=re.compile(r"^\s*(?:rates?\s+)?with\s+incomplete\b", re.I)),
    # an ex vivo drug-sensitivity curve ("IC50 and AUC values" of cultured blasts): no drug exposure
    _Guard("AUC", before=re.compile(r"(?:\bIC50|ex\s+vivo|in\s+vitro|drug\s+sensitivity)[^.;]{0,60}$", re.I)),
    _Guard("ORR", text=re.compile(r"^response\s+rates?$", re.I),
           before=re.compile(r"(?:better|above|higher|greater|\bor|\band|negative|positive|cytogenetic|molecular|hematologic"
                             r"|haematologic|metabolic|patholog\w*|serologic\w*|biochemical|immune|antibody|vaccine|tumou?r"
                             r"|MRD|VGPR|CR|PR|sCR|CRi|complete|\+|/)\s*$", re.I)),
    _Guard("INFECTION", before=re.compile(r"(?:\bHIV|hepatitis\s+[BC]|\bHBV|\bHCV|\bHPV)[\s-]*(?:\w+[\s-]+)?$", re.I)),
    _Guard("EXPANSION", before=re.compile(r"manufactur\w*(?:\s+\S+){0,3}\s+$", re.I)),  # ex vivo, in production
    _Guard("EXPANSION", before=re.compile(r"(?:escalation|run-?in|safety|part\s*\w+|phase\s*\w+)\s*(?:and|/|&|:|,)?\s*$|\(\s*$", re.I),
           after=re.compile(r"^\s*(?:cohorts?|phases?|parts?|stages?|arms?|portion|period)\b", re.I)),
    # "laryngectomy-free survival", "distant metastasis-free survival": a survival with its own
    # event, which has no key unless it is one of the survivals the lexicon names
    _Guard("OS", text=re.compile(r"^survival", re.I), before=re.compile(r"[\w)]-?\s*free\s*$|\w-free\s*$", re.I)),
    # "number of dose delays at the MTD": a dose level the measure is taken at, not an endpoint
    _Guard("MTD", before=re.compile(r"\b(?:at|below|above)\s+(?:the\s+)?$", re.I)),
    # "adverse events, regardless of whether related to the study drug": every AE, not TRAE
    _Guard("TRAE", before=re.compile(
        r"(?:regardless|irrespective)\s+of\s+(?:whether\s+)?(?:\w+\s+){0,3}$|\bwhether\s+or\s+not\s+(?:\w+\s+){0,2}$", re.I)),
    # "Tmax of serum cytokine levels": the kinetics of a cytokine are pharmacodynamics (CYTOKINES)
    *(
        _Guard(key, after=re.compile(r"^\s*(?:\)\s*)?(?:of|for)\s+(?:the\s+)?(?:serum\s+|plasma\s+)?(?:cytokine|interleukin|IL-?\d)", re.I))
        for key in ("TMAX", "CMAX", "AUC", "HALF_LIFE")
    ),
    # the survival (rate) of an implant, a graft or a device is how long it lasts in place, not
    # the patients' overall survival ("the survival rate of zygomatic implants"; "overall
    # survival" itself is never dropped here)
    _Guard("OS", text=re.compile(r"^survival(?:\s+rates?)?$", re.I),
           before=re.compile(r"\b(?:implants?|implant-\w+|prosthe\w*)\b[^.;:]{0,60}$", re.I),
           after=re.compile(r"^(?:\s+rates?)?\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:implants?|grafts?|allografts?"
                            r"|prosthes[ie]s|teeth|tooth|restorations?|crowns?|flaps?|devices?|stents?|catheters?"
                            r"|fistula[es]?|valves?|shunts?)\b", re.I)),
    # the area under a pain-score, a scale's or a forecast's curve is no drug exposure (unless a
    # concentration is named in between: "pain scores and the plasma AUC")
    _Guard("AUC", before=re.compile(r"(?:sensitivity|specificity|forecast\w*|warning|pain|scores?|NRS|VAS)"
                                    r"(?![^.;]*(?:concentration|plasma|serum|pharmacokinetic|\bPK\b|\bdrug))"
                                    r"[^.;]{0,60}$", re.I),
           after=re.compile(r"^\s*(?:\([^)]*\)\s*)?(?:of|for)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:pain|scores?|scales?"
                            r"|NRS|VAS|forecasts?|sensitivity)\b", re.I)),
    # "LFS" is leukemia-free survival only beside a leukaemia ("laryngectomy-free survival (LFS)")
    _Guard("LFS", text=re.compile(r"^LFS$"),
           require=re.compile(r"leuka?emi|\bAML\b|\bALL\b|\bMDS\b|transplant|\bH?SCT\b|\bHCT\b|remission", re.I)),
    _Guard("PERSISTENCE", before=re.compile(r"(?:\bMRD|disease|leuka?emia|blasts?)[\s-]*$", re.I),
           after=re.compile(r"^\s+of\s+(?:MRD|minimal|measurable|disease|leuka?emi|blasts|the\s+disease|malignant|tumou?r)", re.I)),
)


# The guards of each key, in the order above (most keys have none).
_GUARDS_BY_KEY: dict[str, tuple[_Guard, ...]] = {}
for _guard in _GUARDS:
    _GUARDS_BY_KEY[_guard.key] = _GUARDS_BY_KEY.get(_guard.key, ()) + (_guard,)
del _guard


def _guarded(key: str, text: str, match: re.Match[str]) -> bool:
    for guard in _GUARDS_BY_KEY.get(key, ()):
        if guard.text is not None and not guard.text.search(match.group(0)):
            continue
        if guard.before is not None and guard.before.search(text[max(0, match.start() - 40):match.start()]):
            return True
        if guard.after is not None and guard.after.search(text[match.end():match.end() + 30]):
            return True
        if guard.require is not None and not guard.require.search(text[max(0, match.start() - 80):match.end() + 80]):
            return True
    return False
