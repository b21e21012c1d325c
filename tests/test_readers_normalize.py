"""Light normalization: the same trial reads the same from every format."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graphbuild.readers.normalize import (
    LAST_SIX_DIGIT_DESCRIPTOR,
    clean_block,
    clean_line,
    enum_value,
    iso_date,
    mesh_id,
    phases,
    split_list,
    to_int,
    unwrap_textblock,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("ACTIVE_NOT_RECRUITING", "ACTIVE_NOT_RECRUITING"),
        ("Unknown status", "UNKNOWN"),
        ("Enrolling by invitation", "ENROLLING_BY_INVITATION"),
        ("Single Group Assignment", "SINGLE_GROUP"),
        ("None (Open Label)", "NONE"),
        ("Double (Participant, Investigator)", "DOUBLE"),
        ("QUADRUPLE (PARTICIPANT, CARE_PROVIDER, INVESTIGATOR, OUTCOMES_ASSESSOR)", "QUADRUPLE"),
        ("Non-Randomized", "NON_RANDOMIZED"),
        ("N/A", "NA"),
        ("Observational [Patient Registry]", "OBSERVATIONAL"),
        ("Dietary Supplement", "DIETARY_SUPPLEMENT"),
        ("Biological", "BIOLOGICAL"),
        ("", ""),
    ],
)
def test_enum_value(raw: str, expected: str) -> None:
    assert enum_value(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Phase 1/Phase 2", ("PHASE1", "PHASE2")),
        ("PHASE1|PHASE2", ("PHASE1", "PHASE2")),
        (["PHASE2", "PHASE3"], ("PHASE2", "PHASE3")),
        ("Early Phase 1", ("EARLY_PHASE1",)),
        (["EARLY_PHASE1"], ("EARLY_PHASE1",)),
        ("N/A", ("NA",)),
        ("NA", ("NA",)),
        (["NA"], ("NA",)),
        ("", ()),
    ],
)
def test_phases(raw: object, expected: tuple[str, ...]) -> None:
    assert phases(raw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("December 1992", "1992-12"),
        ("September 12, 2016", "2016-09-12"),
        ("Sept 2016", "2016-09"),
        ("2016-04", "2016-04"),
        ("2016-04-01", "2016-04-01"),
        ("sometime soon", "sometime soon"),  # kept, never guessed
    ],
)
def test_iso_date(raw: str, expected: str) -> None:
    assert iso_date(raw) == expected


def test_text_cleaning() -> None:
    assert clean_line("  a\n  b \\[c\\] \\> d  ") == "a b [c] > d"
    assert clean_block("First  line \r\n second\n\n\n\nThird\\*") == "First line\nsecond\n\nThird*"
    assert split_list("A| |B|C ") == ("A", "B", "C")
    assert (
        to_int("60") == 60 and to_int(60.0) == 60 and to_int("") is None and to_int("n/a") is None
    )


def test_unwrap_textblock_reflows_hard_wrapped_xml_text() -> None:
    block = """
      This is a single arm, open-label study, to determine the safety of
      CD19-TriCAR-T in NHL.

        Inclusion Criteria:

          1. All subjects must sign
             the consent form;
          2. Aged 18 to 65 years;
    """
    assert unwrap_textblock(block) == (
        "This is a single arm, open-label study, to determine the safety of CD19-TriCAR-T in NHL.\n\n"
        "Inclusion Criteria:\n\n"
        "1. All subjects must sign the consent form;\n2. Aged 18 to 65 years;"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D000009101", "D009101"),  # padded old 6-digit UI (Multiple Myeloma)
        ("D000063646", "D063646"),  # padded, near the end of the 6-digit series
        ("D000069283", "D000069283"),  # genuine 9-digit UI (Rituximab)
        ("D000069279", "D000069279"),
        ("D009101", "D009101"),
        ("C000579720", "C000579720"),  # SCR ids are kept as given
    ],
)
def test_mesh_id(raw: str, expected: str) -> None:
    assert mesh_id(raw) == expected


def test_mesh_padding_bound_matches_the_mesh_table(vocab_dir: Path) -> None:
    """Every 6-digit descriptor UI is at most the bound and every 9-digit one lies above it, so
    un-padding is exact: padded old UIs come back, genuine new ones are kept."""
    with open(vocab_dir / "mesh_descriptors.tsv", newline="", encoding="utf-8") as f:
        uis = [row["ui"] for row in csv.DictReader(f, delimiter="\t")]
    six = [u for u in uis if len(u) == 7]
    nine = [u for u in uis if len(u) == 10]
    assert six and nine
    assert max(int(u[1:]) for u in six) == LAST_SIX_DIGIT_DESCRIPTOR
    assert min(int(u[1:]) for u in nine) > LAST_SIX_DIGIT_DESCRIPTOR
    assert all(mesh_id(f"D000{u[1:]}") == u for u in six)
    assert all(mesh_id(u) == u for u in nine)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # the CSV export keeps markdown's character references ("Alzheimer&#39;s Disease")
        ("Alzheimer&#39;s Disease", "Alzheimer's Disease"),
        ("Overweight (BMI &gt; 25)", "Overweight (BMI > 25)"),
        ("grade &gt;= 3 &amp; related", "grade >= 3 & related"),
        ("x &#x27;y", "x 'y"),
        # an ampersand that starts no well-formed reference stays
        ("R&D and AT&T", "R&D and AT&T"),
        ("Q&A; and &foo;", "Q&A; and &foo;"),
        # decoded once: a reference written as text in the source stays one
        ("&amp;gt;", "&gt;"),
    ],
)
def test_html_character_references_are_decoded_once(raw: str, expected: str) -> None:
    assert clean_line(raw) == expected
    assert clean_block(raw) == expected


def test_character_references_of_the_corpus_read_as_the_legacy_xml_reads_them(
    corpus_dir: Path,
) -> None:
    """A condition the CSV export writes `Alzheimer&#39;s Disease` reads as the text, and no
    record of the corpus keeps a reference HTML knows in its conditions or titles (one keeps
    `Alzheimer&Amp;#39;s`: the registry title-cased an escaped `&amp;`, which names nothing)."""
    import html

    from graphbuild.model import Record
    from graphbuild.readers.inputs import read_inputs
    from graphbuild.readers.normalize import HTML_ENTITY

    seen = False
    for item in read_inputs([corpus_dir]):
        if not isinstance(item, Record):
            continue
        for text in (item.brief_title, item.official_title, *item.conditions):
            for ref in HTML_ENTITY.findall(text):
                assert html.unescape(ref) == ref, (item.trial_id, text)
        seen = seen or "Alzheimer's Disease or Related Diseases" in item.conditions
    assert seen
