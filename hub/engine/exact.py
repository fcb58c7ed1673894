"""Exact numbers: rounding half up for display and export, and decimal text for files.

The engine computes with `Fraction` only. These helpers are the one place where an exact value
becomes a shown one: `round_half_up` (the rule book's rounding, away from zero at the half, as
四舍五入 does for the magnitude) and `decimal_text` (the exact decimal a scenario file stores).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from fractions import Fraction

from hub.engine.errors import InputError


def round_half_up(value: Fraction, places: int) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero: 2.345 -> 2.35, -2.345 -> -2.35."""
    return round_ratio(value.numerator, value.denominator, places)


def round_ratio(numerator: int, denominator: int, places: int) -> Decimal:
    """`numerator / denominator` (denominator > 0) rounded like `round_half_up`, from integers only."""
    magnitude = (abs(numerator) * 10**places * 2 + denominator) // (2 * denominator)
    if numerator < 0 and magnitude:
        magnitude = -magnitude
    return Decimal(magnitude).scaleb(-places)


def round_fraction(value: Fraction, places: int) -> Fraction:
    """Like `round_half_up`, but stays a Fraction (for values that are defined as rounded)."""
    scale = 10**places
    magnitude = (abs(value.numerator) * scale * 2 + value.denominator) // (2 * value.denominator)
    return Fraction(-magnitude if value.numerator < 0 else magnitude, scale)


def is_decimal(value: Fraction) -> bool:
    """True when the value has a finite decimal expansion (its denominator is 2^a x 5^b)."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def decimal_text(value: Fraction) -> str:
    """The exact decimal text of a value with a finite expansion: 97.5 -> "97.5", 90 -> "90".

    Raises ValueError for values such as 1/3, which no decimal text can store exactly.
    """
    if not is_decimal(value):
        raise ValueError(f"{value} has no finite decimal form")
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    if not places:
        return str(value.numerator)
    return f"{round_half_up(value, places):f}"


def shown(value: Fraction, places: int = 2) -> str:
    """The rounded text of a value as the board shows it: 308.666.. -> "308.67", 100 -> "100.00"."""
    return f"{round_half_up(value, places):f}"


def exact_text(value: Fraction, places: int = 2) -> str:
    """A value for an explanation: exact when short ("97.5"), else rounded with its exact fraction.

    `3512/19` -> "184.84 (= 3512/19)"; an auditor can re-derive every digit from the fraction.
    """
    if is_decimal(value):
        text = decimal_text(value)
        if len(text.partition(".")[2]) <= max(places, 4):
            return text
    return f"{shown(value, places)} (= {value.numerator}/{value.denominator})"


_NUMBER_RE = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")


def describe(value: object) -> str:
    """A short JSON-like rendering of a bad value for an error message."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except ValueError:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_number(value: object, place: str) -> Fraction:
    """An exact number from JSON: an integer, a decimal (parsed as Decimal, never float) or a decimal
    string such as "97.5". Booleans, NaN and anything else raise `InputError` naming `place`.
    """
    if isinstance(value, bool):
        raise InputError(place, f"not a number: {describe(value)}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        # Only reachable when the caller parsed JSON with floats; repr is the text the file held.
        value = Decimal(repr(value))
    if isinstance(value, str) and _NUMBER_RE.fullmatch(value):
        value = Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return Fraction(value)
    raise InputError(place, f"not a number: {describe(value)}")
