"""Antigen names in text, and the phrases that state an antigen as a therapy's target.

An antigen name alone says little: "CD19+ B-ALL", "CD7-positive", "CD33-expressing" and
"TCRαβ/CD19-depleted graft" name biomarkers or graft processing, not targets. What makes a
name a *target statement* is its grammar:

* a therapy word after it: "CD7 CAR-T", "BCMA/CD19 dual CAR", "CD19-CD22 bispecific CAR",
  "CD19-directed", "CD22-specific CARs", "CD123 x CD3 bispecific", "CD33 (FL-33) CAR T";
* a targeting word before it: "anti-BCMA", "CAR-T targeting GPRC5D", "directed against CD22",
  "targeted to PD-L1", "TriCAR-T-CD19";
* the antigen glued into a CAR name: CART19, CAR-20/19-T, CART-123, BE CAR7, CAR.70, CD4CAR.

Names joined by `/ , + & - x and or and/or` form one chain ("CLL-1, CD33 and/or CD123-specific",
"CD19/22"), and the chain shares the statement. A name followed by `+`, `-positive`,
`-negative`, `expression`, `depleted`, ... is a biomarker unless a targeting word precedes it
("targeting CD19 positive malignancies"). A statement in the patient's history ("after CD19
CAR-T") is dropped (`textmatch.negated_by_history`).

The lexicon (`ontology/vocab/antigens.tsv`) is loaded once into two trie regexes (symbols
case-sensitively, spelled-out names case-insensitively), so a field is scanned once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from graphbuild.extract.text.textmatch import name_key, negated_by_history, trie_regex
from graphbuild.model import Antigen
from graphbuild.vocab.lexicon import load_lexicon, split_multi

# Families of therapy words: which kind of intervention a statement is about.
CELL = "cell"
ANTIBODY = "antibody"
ANY = "any"


@dataclass(frozen=True, slots=True)
class AntigenEntry:
    """One row of antigens.tsv. `names` are the text forms (symbol, synonyms, common names);
    `in_text` is False for antigens reached only through the product lexicon."""

    symbol: str
    hgnc_id: str
    names: tuple[str, ...]
    in_text: bool
    inferable: bool
    ligands: tuple[str, ...] = ()
    checkpoint: bool = False

    def antigen(self, label: str = "") -> Antigen:
        return Antigen(symbol=self.symbol, hgnc_id=self.hgnc_id, label=label or self.symbol)


@dataclass(frozen=True, slots=True)
class Mention:
    """An antigen name in a text: its HGNC symbol and where it is."""

    symbol: str
    label: str  # the antigen's name as written ("BCMA"; "CD123" for the construct "CART-123")
    start: int
    end: int
    construct: bool = False  # the antigen number glued into a CAR name (CART19, BE CAR33)


@dataclass(frozen=True, slots=True)
class Statement:
    """A phrase stating one or more antigens as a target (`start:end` spans the whole phrase,
    e.g. "CD19/CD22 CAR", "anti-BCMA"). `family` says what kind of therapy the phrase names."""

    mentions: tuple[Mention, ...]
    start: int
    end: int
    family: str
    inferred: bool = False  # a ligand-based CAR: the text names the binder, not the antigen


# ---------------------------------------------------------------------------------------------
# Lexicon
# ---------------------------------------------------------------------------------------------


@cache
def antigen_entries() -> dict[str, AntigenEntry]:
    """antigens.tsv by HGNC symbol."""
    entries: dict[str, AntigenEntry] = {}
    for row in load_lexicon("antigens"):
        names = (row["symbol"], *split_multi(row["synonyms"]), *split_multi(row["common_names"]))
        entries[row["symbol"]] = AntigenEntry(
            symbol=row["symbol"],
            hgnc_id=row["hgnc_id"],
            names=names,
            in_text=row["match"] == "text",
            inferable=row["infer"] == "yes",
            ligands=split_multi(row.get("ligands", "")),
            checkpoint=row.get("checkpoint") == "yes",
        )
    return entries


def antigen_for(symbol: str, label: str = "") -> Antigen:
    """The grounded Antigen of a lexicon symbol (KeyError for symbols outside the lexicon)."""
    return antigen_entries()[symbol].antigen(label)


_CD_NAME = re.compile(r"CD\d")


def _is_symbol_like(name: str) -> bool:
    """Symbols and aliases (CD19, PD-L1, FRα) match case-sensitively; spelled-out names
    (mesothelin, Claudin 18.2) match in any case."""
    letters = [c for c in name if c.isascii() and c.isalpha()]
    lower = sum(c.islower() for c in letters)
    return lower <= 1 and not (" " in name and lower)


@cache
def _name_index() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...], dict[str, str]]:
    """The mention regexes (symbols case-sensitively; spelled-out names on lower-cased text,
    tried only when a cheap substring test finds one of their stems) and the lookup (folded
    name -> symbol)."""
    cased: list[str] = []
    folded: list[str] = []
    lookup: dict[str, str] = {}
    for entry in antigen_entries().values():
        if not entry.in_text:
            continue
        for name in entry.names:
            lookup.setdefault(_fold(name), entry.symbol)
            if _is_symbol_like(name):
                cased.append(name)
                if _CD_NAME.match(name):
                    cased.append("CD " + name[2:])  # "CD 70", "CD-19"
            else:
                folded.append(name.lower())
    # No left boundary in the regex: a pattern that starts with the names lets the engine skip
    # to their first letters (7x faster than a leading look-behind); `_left_bounded` checks it.
    # a name may run into "CAR" (CD19CAR) or into an engager's "x CD3" (CD20xCD3)
    right = r"(?:(?=CAR)|(?=[x×*]\s?(?:anti-?)?CD3)|(?![A-Za-z0-9]))"
    stems = tuple(sorted({name[:5] for name in folded}))
    return (
        re.compile(r"(?P<name>" + trie_regex(cased) + r")" + right),
        re.compile(r"(?P<name>" + trie_regex(folded) + r")" + right),
        stems,
        lookup,
    )


def _left_bounded(text: str, start: int) -> bool:
    """A name starts a word, or follows "anti" (AntiCD19) or a humanised "hu" (huCD19)."""
    if start == 0:
        return True
    before = text[start - 1]
    if not (before.isascii() and before.isalnum()):
        return True
    if text[max(0, start - 2) : start] == "hu":
        return start == 2 or not text[start - 3].isalnum()
    return text[max(0, start - 4) : start].lower() == "anti"


def _fold(name: str) -> str:
    return name_key(name)


def _cd_number(number: str) -> str | None:
    """The symbol for "CD<number>" (CAR-number names: CART19, CAR33), if the lexicon has it."""
    return _name_index()[3].get(f"cd{int(number)}")


# "CART19", "CART-19", "UCART019", "PCAR-019", "CAR-20/19-T", "CART-123", "BE CAR7", "4SCAR7",
# "CAR.70", "MLM-CAR44.1", "SC-DARIC33": an antigen's CD number glued to CAR (or DARIC).
_CAR_NUMBER = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z0-9]{0,4}?(?:CAR|DARIC)[-.]?T?[-.]?0*(?P<n1>\d{1,3})(?:\s?/\s?0*(?P<n2>\d{1,3}))?(?!\d|[-.]?1BB)"
)


def find_mentions(text: str) -> list[Mention]:
    """Every antigen name in `text` (CAR-number names included), left to right."""
    return list(_mentions_in(text))


@lru_cache(maxsize=2048)
def _mentions_in(text: str) -> tuple[Mention, ...]:
    """`find_mentions` once per text (titles and summaries are read by several passes)."""
    cased, folded, stems, lookup = _name_index()
    found = [m for m in cased.finditer(text)]
    lowered = text.lower()
    if len(lowered) == len(text) and any(map(lowered.__contains__, stems)):
        found.extend(folded.finditer(lowered))
    mentions = [
        Mention(
            lookup[_fold(m.group("name"))],
            text[m.start() : m.end("name")],
            m.start(),
            m.end("name"),
        )
        for m in found
        if _left_bounded(text, m.start()) and _fold(m.group("name")) in lookup
    ]
    if "CAR" in text or "DARIC" in text:
        for m in _CAR_NUMBER.finditer(text):
            for group in ("n1", "n2"):
                number = m.group(group)
                symbol = _cd_number(number) if number else None
                if symbol:
                    label = f"CD{int(number)}"
                    mentions.append(Mention(symbol, label, m.start(), m.end(), construct=True))
    mentions.sort(key=lambda mention: (mention.start, mention.end))
    return tuple(mentions)


# ---------------------------------------------------------------------------------------------
# Target statements
# ---------------------------------------------------------------------------------------------

# Text allowed between two names of one chain.
_CHAIN_GAP = re.compile(
    r"(?:\s*(?:/|,|\+|&|-|–|x|×|\*|and/or|and|or|plus|anti-?)\s*|\s+)+", re.IGNORECASE
)
_MAX_GAP = 14
# "CD19/22", "CD19 /22": a second CD number after a slash.
_CD_SHORTHAND = re.compile(r"\s?/\s?(\d{1,3})(?!\d)")

# After a chain: a biomarker reading ("CD19+", "CD7-positive", "CD33-expressing", "CD19 depleted").
_BIOMARKER = re.compile(
    r"\s*[（(]?\+|[\s\-–]*(?:positive|negative|pos|neg|expressing|expression|expressed|bright|"
    r"dim|high|low|hi|lo|depleted|depletion|selected|selection|enriched|enrichment|loss|escape|"
    r"refractory|resistant|relapsed?|naive|exposed|null|knock-?out|KO|deficient|mutations?|"
    r"mutated|mutant|transcripts?|levels?|counts?|cells?|antigen[- ]?(?:positive|negative|"
    r"loss|escape|expression))\b",
    re.IGNORECASE,
)
# Biomarker readings that even a targeting word before the name does not override.
_HARD_BIOMARKER = re.compile(
    r"[\s\-–]*(?:negative|neg|depleted|depletion|selected|selection|enriched|enrichment|loss|"
    r"escape|refractory|resistant|relapsed?|naive|exposed|null|knock-?out|KO|deficient)\b",
    re.IGNORECASE,
)

_CELL_WORDS = (
    r"c?CAR(?:[-\s]?(?:T|NK))?s?|CART|eCAR|TriCAR|DARIC|STAR[-\s]?T|TCR(?:[-\s]?T)?s?|"
    r"chimeric[-\s]antigen[-\s]receptors?|chimeric[-\s]receptors?|T[-\s]cell[-\s]receptors?|"
    r"redirected|re-directed"
)
_ANTIBODY_WORDS = (
    r"antibod(?:y|ies)|mAbs?|monoclonal|bi-?specific|BiTEs?|DART|TandAb|engagers?|ADCs?|"
    r"antibody[-\s]drug[-\s]conjugates?|immunotoxins?|immunoconjugates?|x\s?CD3|×\s?CD3|\*\s?CD3|BsAbs?"
)
_NEUTRAL_WORDS = r"specific|directed|targeted|targeting"
# Words that may stand between a chain and its therapy word ("CD19 2nd generation CAR").
_FILLER = (
    r"(?:dual|tandem|bivalent|trivalent|humani[sz]ed|fully[-\s]human|human|murine|universal|"
    r"allogeneic|autologous|donor[-\s]derived|enhanced|optimi[sz]ed|modified|engineered|"
    r"armou?red|(?:2nd|3rd|4th|second|third|fourth)[-\s]generation|and|or|"
    r"BB[zζ]|28[zζ]|4-?1BB|CD28[zζ]?|CD3[zζ]|zeta|"
    r"(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Z])[A-Za-z0-9-]{2,15})"
)
_POST = re.compile(
    r"(?:\s*/\s*[A-Za-z][\w.]{1,10}(?=\s*/|[-\s]))*"  # unknown names further down a "/" list
    r"(?:\s*[（(][^()（）]{1,30}[)）])?"
    r"(?:[\s\-–_./)）]*" + _FILLER + r"(?![A-Za-z0-9])){0,3}"
    r"[\s\-–_./)）]*"
    r"(?:(?P<cell>"
    + _CELL_WORDS
    + r")|(?P<antibody>"
    + _ANTIBODY_WORDS
    + r")|(?P<any>"
    + _NEUTRAL_WORDS
    + r"))(?![A-Za-z])",
    re.IGNORECASE,
)
# Before a chain: a targeting word ("anti-", "targeting", "directed against", "CAR-T-").
_PRE = re.compile(
    r"(?:\banti[-\s]?|\btargets?\s+|\btargeting\s+|\btargeted\s+(?:to|at|against)\s+|"
    r"\b(?:re)?directed\s+(?:to|at|against|toward|towards)\s+|\bspecific\s+(?:for|to)\s+|"
    r"\bagainst\s+|\brecogni[sz]ing\s+|\b(?:binds?|binding|attach(?:es)?|attaching)\s+(?:to\s+)?|"
    r"\bCAR[-\s.]?T?[-_\s.]|\bTriCAR[-_]T[-_])"
    r"(?:(?:the|both|either)\s+)?$",
    re.IGNORECASE,
)
_PRE_WINDOW = 40
# After an immune checkpoint: its blocking antibody ("PD-1 inhibitor", "PD-L1 blockade").
_BLOCKADE = re.compile(
    r"(?:\s*/\s*[A-Za-z][\w-]{1,8})?[\s-]+(?:inhibitors?|blockade|blockers?|blocking|"
    r"antagonists?)\b",
    re.IGNORECASE,
)
# "anti-CD34 monoclonal antibody to paramagnetic beads": a cell-selection reagent, not a drug.
_SELECTION_REAGENT = re.compile(
    r"[^.;]{0,40}?(?:beads|microbeads|paramagnetic|magnetic|immunomagnetic|columns?|CliniMACS|"
    r"Dynabeads|cell[-\s]selection|selection\s+device)",
    re.IGNORECASE,
)
# After a chain: a part the cells co-express rather than a target they are aimed at ("anti-PD-1
# scFv-secreting CD19 CAR-T", "PD-1 switch receptor", "IL-12 armoured"): gold conventions v2.
_CO_EXPRESSED = re.compile(
    r"[\s\-–]*(?:(?:blocking|neutrali[sz]ing)[\s\-–]+)?(?:(?:scFvs?|antibod(?:y|ies)|nanobod(?:y|ies)|minibod\w*|"
    r"mAbs?)[\s\-–]*)?(?:secret\w*|armou?r\w*|co-?express\w*|switch|dominant[\s\-–]negative|DNR)\b",
    re.IGNORECASE,
)
# A cell-therapy word shortly after an antibody-like one: "anti-CD19 anti-CD20 Bispecific CAR-T".
_LATER_CELL = re.compile(
    r"[\s\-–_./]*(?:[\w-]+[\s\-–_./]+){0,2}(?:" + _CELL_WORDS + r")(?![A-Za-z])", re.IGNORECASE
)


def _chains(text: str, mentions: list[Mention]) -> Iterator[list[Mention]]:
    """Group mentions joined by list separators into chains."""
    chain: list[Mention] = []
    for mention in mentions:
        if chain:
            gap = text[chain[-1].end : mention.start]
            joined = mention.start >= chain[-1].end and (
                gap == "" or (len(gap) <= _MAX_GAP and _CHAIN_GAP.fullmatch(gap) is not None)
            )
            if mention.start < chain[-1].end:  # the same name seen twice (CAR-number)
                if mention.symbol not in {m.symbol for m in chain}:
                    chain.append(mention)
                continue
            if joined:
                chain.append(mention)
                continue
            yield chain
        chain = [mention]
    if chain:
        yield chain


def _extend_shorthand(text: str, chain: list[Mention]) -> list[Mention]:
    """Read the shorthand "CD19/22" as CD19 and CD22."""
    last = chain[-1]
    if not last.label.upper().startswith("CD"):
        return chain
    match = _CD_SHORTHAND.match(text, last.end)
    if not match:
        return chain
    symbol = _cd_number(match.group(1))
    if symbol is None:
        return chain
    return chain + [Mention(symbol, "CD" + match.group(1), match.start(1), match.end(1))]


def _checkpoints(chain: list[Mention] | tuple[Mention, ...]) -> bool:
    """Are all these antigens immune checkpoints (whose "inhibitor" is an antibody)?"""
    entries = antigen_entries()
    return all(entries[m.symbol].checkpoint for m in chain)


def checkpoint_blockade(text: str) -> tuple[int, int] | None:
    """The span of the first "PD-1 inhibitor"-like phrase: an antibody, whatever the word."""
    for statement in find_statements(text):
        if statement.family == ANTIBODY and _checkpoints(statement.mentions):
            return statement.start, statement.end
    return None


def find_statements(text: str) -> list[Statement]:
    """The target statements of `text`, left to right."""
    mentions = find_mentions(text)
    if not mentions:
        return []
    statements: list[Statement] = []
    for chain in _chains(text, mentions):
        chain = _extend_shorthand(text, chain)
        start, end = chain[0].start, chain[-1].end
        glued = any(m.construct for m in chain)
        if _CO_EXPRESSED.match(text, end):
            continue
        pre = _PRE.search(text, max(0, start - _PRE_WINDOW), start)
        post = None if _BIOMARKER.match(text, end) else _POST.match(text, end)
        family = None
        if glued:
            family = CELL
        elif post:
            family = next(k for k in (CELL, ANTIBODY, ANY) if post.group(k))
            end = post.end()
            if family != CELL and _LATER_CELL.match(text, end):
                family = CELL
        elif pre and not _HARD_BIOMARKER.match(text, end):
            family = CELL if "car" in pre.group().lower() else ANY
        elif _checkpoints(chain) and _BLOCKADE.match(text, end):
            family = ANTIBODY  # "PD-1 inhibitor", "PD-L1 blockade"
            end = _BLOCKADE.match(text, end).end()
        if family is None or _SELECTION_REAGENT.match(text, end):
            continue
        if pre:
            start = pre.start()
        if negated_by_history(text, start):
            continue
        statements.append(Statement(tuple(chain), start, end, family))
    return statements


# The effector arm of a T-cell engager: "CD19 x CD3", "anti-CD19 x anti-CD3", "CD3-bispecific",
# "CD3 T-cell engager", "bispecific ... targeting CD20 and CD3". CD3 alone is no target: "CD3+ T
# cells" is a marker, "CD3/CD28 beads" a reagent, "CD3ζ" / "CD3-zeta" a CAR signalling domain.
_CD3 = r"CD3(?:ε|-?epsilon|[eE](?![A-Za-z]))?(?![A-Za-z0-9ζ+])(?!\s*(?:[-/]\s*)?(?:zeta|ζ|z\b|positive|\+|/\s*CD28|CD28))"
_ENGAGER_WORDS = r"bi-?specifics?|BiTEs?|BsAbs?|engag\w*|DARTs?|TandAbs?|redirect\w*|tri-?specifics?"
_ENGAGER_ARM = re.compile(
    r"(?:[x×*]\s?(?:anti[-\s]?)?(?P<after_x>" + _CD3 + r"))"
    r"|(?:\banti[-\s]?)?(?P<before_word>" + _CD3 + r")(?:[\s-]+(?:T[\s-]?cell[\s-]+)?|[\s-]*)(?:" + _ENGAGER_WORDS + r")"
    r"|(?:\banti[-\s]?)?(?P<before_x>" + _CD3 + r")\s?[x×*/]\s?(?:anti[-\s]?)?[A-Z]"
    r"|(?:\b(?:targeting|targets|against|binding(?:\s+to)?|binds(?:\s+to)?|directed\s+(?:to|against))\s+"
    r"(?:\S+\s+){0,3}?(?:and|&|/|,)\s*(?:anti[-\s]?)?(?P<listed>" + _CD3 + r"))",
    re.IGNORECASE,
)
_ENGAGER_CONTEXT = re.compile(r"(?:" + _ENGAGER_WORDS + r"|[x×*]\s?(?:anti-?)?CD3)", re.IGNORECASE)


def find_engager_arms(text: str) -> list[Statement]:
    """The CD3 (effector) arm of a T-cell engager the text states: a target of the engager
    (gold conventions v2: both arms of a bispecific count)."""
    if "CD3" not in text and "cd3" not in text:
        return []
    found = []
    for match in _ENGAGER_ARM.finditer(text):
        group = next(g for g in ("after_x", "before_word", "before_x", "listed") if match.group(g))
        if group in ("listed", "before_x") and not _ENGAGER_CONTEXT.search(text, max(0, match.start() - 120), match.end() + 60):
            continue  # "targeting CD19 and CD3", "CD3 x CD20" only in a bispecific's words
        start, end = match.span(group)
        if negated_by_history(text, start):
            continue
        mention = Mention("CD3E", text[start:end], start, end)
        found.append(Statement((mention,), start, end, ANTIBODY))
    return found


@cache
def _ligand_index() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]]]:
    """The binder names and, for each, every antigen it reaches (one for IL3, eight for NKG2D)."""
    lookup: dict[str, tuple[str, ...]] = {}
    for entry in antigen_entries().values():
        for ligand in entry.ligands:
            known = lookup.get(_fold(ligand), ())
            if entry.symbol not in known:
                lookup[_fold(ligand)] = (*known, entry.symbol)
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?P<name>" + trie_regex(sorted(lookup)) + r")"
        r"(?:[\s\-–_./]+(?:targeted|based|ligand|zetakine))*[\s\-–_./]*"
        r"(?P<kw>CAR(?:[-\s]?(?:T|NK))?s?|CART|zetakines?)(?![A-Za-z])",
        re.IGNORECASE,
    )
    return pattern, lookup


def find_ligand_statements(text: str) -> list[Statement]:
    """Ligand- and receptor-based CARs ("IL3 CAR-T", "IL13 zetakine", "NKG2D CAR-NK"): what the
    binder reaches is the target, which the text implies rather than states (`inferred`)."""
    if "car" not in text.lower() and "zetakine" not in text.lower():
        return []
    pattern, lookup = _ligand_index()
    found = []
    for match in pattern.finditer(text):
        symbols = lookup.get(_fold(match.group("name")))
        if not symbols or negated_by_history(text, match.start()):
            continue
        mentions = tuple(
            Mention(symbol, match.group("name"), match.start("name"), match.end("name")) for symbol in symbols
        )
        found.append(Statement(mentions, match.start(), match.end(), CELL, inferred=True))
    return found


# ---------------------------------------------------------------------------------------------
# Measured antigens (for the pharmacodynamic inference)
# ---------------------------------------------------------------------------------------------

_MEASURED_PREFIX = re.compile(r"(?:free|soluble|serum|plasma|circulating)[\s-]?$", re.IGNORECASE)
_PROCESSING = re.compile(
    r"[\s\-–]*(?:depleted|depletion|selected|selection|enriched|enrichment)\b", re.IGNORECASE
)


def find_measured(text: str) -> Iterator[tuple[Mention, int, int]]:
    """Antigens a text measures ("BCMA+ plasma cells", "free BCMA"), with the span of the
    measured phrase; graft processing ("CD19-depleted") and markers that are never inferred
    (CD4, WT1, ...: see antigens.tsv `infer`) are left out."""
    entries = antigen_entries()
    for mention in find_mentions(text):
        if not entries[mention.symbol].inferable or _PROCESSING.match(text, mention.end):
            continue
        start, end = mention.start, mention.end
        prefix = _MEASURED_PREFIX.search(text, max(0, start - 12), start)
        if prefix:
            start = prefix.start()
        if text[end : end + 1] == "+":
            end += 1
        yield mention, start, end
