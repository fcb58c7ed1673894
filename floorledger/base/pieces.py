"""Whole pieces as the floor reads them, the one rule for every screen (kiosk and wall board).

Shared credit makes fractional piece counts (376.96 件); people see whole pieces, each figure rounded
half up on its own, and a difference is always the shown done minus the shown quota, so the numbers
on a screen add up. The exact values stay in the results and decide the status (met, near, owed).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction


def whole_pieces(value: Fraction | Decimal | int | str) -> int:
    """`value` in whole pieces, half up (376.96 -> 377, 80.5 -> 81, 80.49 -> 80)."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(value)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def whole_pieces_of_text(text: str | None) -> int | None:
    """A decimal text (as a plan or a result carries it) in whole pieces; None when missing or not a
    number."""
    if text is None or text == "":
        return None
    try:
        return whole_pieces(Decimal(text))
    except (InvalidOperation, ValueError):
        return None
