"""The wall board's pure cell rules, from tables: names by privacy, numbers, status words, pages."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from hub.web.board.model import (
    BoardRow,
    Privacy,
    Status,
    display_name,
    fmt_number,
    fmt_pct,
    fmt_pieces,
    page_count,
    page_rows,
    short_fingerprint,
    status_of,
)


@pytest.mark.parametrize(
    ("name", "privacy", "shown"),
    [
        ("张三", Privacy.FULL, "张三"),
        ("张三", Privacy.MASKED, "张*"),
        ("欧阳小明", Privacy.MASKED, "欧*"),
        ("张三", Privacy.NUMBER_ONLY, "A001"),
        (None, Privacy.FULL, "—"),
        ("  ", Privacy.MASKED, "—"),
        ("<b>x</b>", Privacy.FULL, "<b>x</b>"),  # text, rendered as text by ui.label
    ],
)
def test_names_follow_the_privacy_setting(name: str | None, privacy: Privacy, shown: str) -> None:
    """Full name, first character and *, or number only; a missing name is a dash."""
    assert display_name("A001", name, privacy) == shown


@pytest.mark.parametrize(
    ("value", "signed", "text"),
    [
        (Fraction(1, 3), False, "0.3"),
        (Fraction(5, 100), False, "0.1"),  # half up, not banker's rounding
        (Decimal("12.0"), False, "12"),
        (Fraction(-1, 20), True, "-0.1"),
        (Decimal("-0.04"), True, "0"),
        (20, True, "+20"),
        (0, True, "0"),
        (None, False, "—"),
        (float("nan"), False, "—"),
    ],
)
def test_numbers_are_rounded_half_up_to_one_place(value: object, signed: bool, text: str) -> None:
    """Units and differences show one decimal at most, with + for an exceeded quota."""
    assert fmt_number(value, signed=signed) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("pct", "status"),
    [(Decimal(100), Status.MET), (Decimal("99.99"), Status.NEAR), (90, Status.NEAR), (89, Status.BEHIND),
     (None, Status.UNKNOWN), (Fraction(250), Status.MET)],
)  # fmt: skip
def test_status_bands(pct: object, status: Status) -> None:
    """Met from 100 %, nearly met from 90 %, behind below; no quota means no status."""
    assert status_of(pct) is status  # type: ignore[arg-type]


def test_percentages_and_fingerprints_read_short() -> None:
    """Whole percent, and the checkpoint root's first four groups of four hex digits."""
    assert fmt_pct(Fraction(2001, 20)) == "100%"
    assert fmt_pct(None) == "—"
    assert short_fingerprint("E3B0C44298FC1C149AFBF4C8996FB924") == "e3b0 c442 98fc 1c14"
    assert short_fingerprint(None) == "—"


def test_pages_cycle_and_never_come_out_empty() -> None:
    """300 rows at 14 a page make 22 pages; page 23 is page 1 again; no rows still make one page."""
    rows = [BoardRow(number=str(n)) for n in range(300)]
    assert page_count(300, 14) == 22
    assert page_count(0, 14) == 1
    assert [r.number for r in page_rows(rows, 22, 14)] == [str(n) for n in range(294, 300)]
    assert page_rows(rows, 23, 14) == page_rows(rows, 1, 14)


def test_the_difference_is_whole_pieces_done_minus_whole_pieces_owed_as_shown() -> None:
    """The three numbers of a row add up on screen: 387.9 done against 303.2 owed shows 388, 303 and
    +85 (not +84.8); halves round up; without quota or done the difference is missing."""
    row = BoardRow(number="1", quota_units=Decimal("303.2"), done_units=Decimal("387.9"))
    assert (fmt_pieces(row.quota_units), fmt_pieces(row.done_units), fmt_pieces(row.diff, signed=True)) == (
        "303",
        "388",
        "+85",
    )
    assert int(fmt_pieces(row.done_units)) - int(fmt_pieces(row.quota_units)) == row.diff
    assert BoardRow(number="1", quota_units=10, done_units=Fraction(13, 2)).diff == -3  # 6.5 shows as 7
    assert fmt_pieces(Decimal("376.96")) == "377"
    assert fmt_pieces(0, signed=True) == "0"
    assert fmt_pieces(-4, signed=True) == "-4"
    assert BoardRow(number="1", quota_units=None, done_units=7).diff is None
    assert fmt_pieces(None) == "—"
