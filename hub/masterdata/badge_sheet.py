"""An A4 sheet of badge cards, each with the person's QR code (pure: data in, SVG and CSS out).

Decision: an HTML print page, not a PDF. No PDF library is installed in the hub's environment
(checked with `pip list`: only `qrcode`, no reportlab/fpdf/weasyprint), and the qrcode library draws
SVG without Pillow. The dashboard shows the cards in a page whose `@page` CSS sets A4 with fixed
card sizes in millimetres, so the browser's print (or "save as PDF") gives true-size cards.

The QR holds the person code of `protocol/codes.py` (`FLP1|person=<id>`), which the kiosks' scanners
read; the badge id and name are printed under it as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
import qrcode.constants
import qrcode.image.svg

from protocol.codes import encode_person_code

CARD_WIDTH_MM = 63
CARD_HEIGHT_MM = 84  # 3 rows (252 mm + gaps) leave room for the sheet title within A4's 277 mm
CARDS_PER_PAGE = 9
QR_SIZE_MM = 40

PRINT_CSS = f"""
@page {{ size: A4 portrait; margin: 10mm; }}
.fl-sheet {{ display: grid; grid-template-columns: repeat(3, {CARD_WIDTH_MM}mm); gap: 2mm; }}
.fl-card {{ width: {CARD_WIDTH_MM}mm; height: {CARD_HEIGHT_MM}mm; border: 0.3mm dashed #888;
  box-sizing: border-box; padding: 4mm; display: flex; flex-direction: column; align-items: center;
  break-inside: avoid; page-break-inside: avoid; }}
.fl-card .fl-qr svg {{ width: {QR_SIZE_MM}mm; height: {QR_SIZE_MM}mm; }}
.fl-card .fl-name {{ font-size: 14pt; font-weight: bold; margin-top: 3mm; text-align: center;
  overflow-wrap: anywhere; }}
.fl-card .fl-line {{ font-size: 10pt; }}
@media print {{
  .q-header, .fl-no-print, .q-page .text-h5 {{ display: none !important; }}
  .nicegui-content, .q-pa-md {{ padding: 0 !important; }}
  .q-page-container {{ padding-top: 0 !important; }}
}}
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class BadgeCard:
    badge: str
    person: str
    name: str
    number: str
    payload: str  # the QR's text: the person code

    @property
    def svg(self) -> str:
        return qr_svg(self.payload)


def qr_code(payload: str) -> qrcode.QRCode:
    """The QR symbol for `payload` (medium error correction: survives a scratched card)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_svg(payload: str) -> str:
    """An SVG drawing of the QR symbol: only path data, no text from the payload."""
    image = qr_code(payload).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg: str = image.to_string(encoding="unicode")
    return svg


def cards(badges: Iterable[tuple[str, str, str, str]]) -> list[BadgeCard]:
    """One card per `(badge, person, name, number)`, in the order given.

    Raises `protocol.codes.CodeFormatError` when a person id cannot be put into a person code.
    """
    return [
        BadgeCard(badge=badge, person=person, name=name, number=number, payload=encode_person_code(person))
        for badge, person, name, number in badges
    ]
