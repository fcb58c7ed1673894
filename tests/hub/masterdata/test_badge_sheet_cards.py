"""Badge sheet: one card per badge, each QR holding exactly the person code the kiosks' scanners read,
drawn as SVG without any text of the person in it, on an A4 print layout.

No QR decoder is installed, so the QR content is read back from the qrcode library's own data
segments, and the drawing is compared with a fresh drawing of the same symbol's module matrix.
"""

from __future__ import annotations

import re

import pytest

from hub.masterdata import badge_sheet
from protocol.codes import CodeFormatError, parse_person_code


def test_each_card_carries_the_person_code_of_its_person() -> None:
    """The QR data of every card parses as a person code naming that card's person."""
    cards = badge_sheet.cards([("BG-1", "A1001", "张三", "A1001"), ("BG-2", "OFF-7", "王警官", "OFF-7")])
    assert [c.badge for c in cards] == ["BG-1", "BG-2"]
    for card in cards:
        symbol = badge_sheet.qr_code(card.payload)
        assert len(symbol.data_list) == 1
        decoded = symbol.data_list[0].data.decode("utf-8")
        assert decoded == card.payload == f"FLP1|person={card.person}"
        assert parse_person_code(decoded).person_id == card.person


def test_the_svg_draws_the_symbols_modules_and_holds_no_text() -> None:
    """The SVG has one dark square per dark module of the QR matrix, and no name or id as text."""
    card = badge_sheet.cards([("BG-1", "A1001", "<script>x</script>", "A1001")])[0]
    svg = card.svg
    assert svg.startswith("<svg")
    assert "<text" not in svg
    assert "script" not in svg
    assert "A1001" not in svg
    matrix = badge_sheet.qr_code(card.payload).get_matrix()
    dark = sum(sum(1 for cell in row if cell) for row in matrix)
    squares = re.findall(r"M(\d+),(\d+)H", svg)
    assert len(squares) == dark
    for x, y in squares:
        assert matrix[int(y)][int(x)]


def test_a_person_id_that_cannot_be_a_person_code_is_refused() -> None:
    """An id a scanner could not read back (spaces, `|`, too long) raises instead of printing a bad card."""
    for person in ("A 1", "A|1", "X" * 41):
        with pytest.raises(CodeFormatError):
            badge_sheet.cards([("BG-1", person, "张三", "1")])


def test_the_print_css_sets_a4_and_true_size_cards() -> None:
    """@page A4, cards sized in millimetres, and the dashboard chrome hidden when printing."""
    css = badge_sheet.PRINT_CSS
    assert "size: A4 portrait" in css
    assert f"width: {badge_sheet.CARD_WIDTH_MM}mm" in css
    assert "@media print" in css
    assert ".q-header" in css
