"""An action's measured effect (#17 item 5): completion over `n` workdays before it and `n` workdays
from its day on, for the inmate and for his line. Pure and exact.

A workday here is a day with a stored result (his own days for him, the line's days for the line):
days off, sick days and other lines' days do not dilute the comparison. Completion over a span is
Σearned / Σquota standard seconds x100, the rule book's own. The effect is `ready` once the inmate
has `n` days after the action; before that the page shows how far it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class DayFigures:
    day: date
    quota_s: Fraction
    earned_s: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Effect:
    before_pct: Fraction | None
    after_pct: Fraction | None
    after_days: int  # his days from the action on, up to n
    line_before_pct: Fraction | None
    line_after_pct: Fraction | None
    ready: bool

    @property
    def change_pct(self) -> Fraction | None:
        if self.before_pct is None or self.after_pct is None:
            return None
        return self.after_pct - self.before_pct

    @property
    def line_change_pct(self) -> Fraction | None:
        if self.line_before_pct is None or self.line_after_pct is None:
            return None
        return self.line_after_pct - self.line_before_pct


def _pct(days: Sequence[DayFigures]) -> Fraction | None:
    quota = sum((d.quota_s for d in days), Fraction(0))
    return 100 * sum((d.earned_s for d in days), Fraction(0)) / quota if quota else None


def _around(days: Iterable[DayFigures], start: date, n: int) -> tuple[list[DayFigures], list[DayFigures]]:
    ordered = sorted((d for d in days if d.quota_s > 0), key=lambda d: d.day)
    before = [d for d in ordered if d.day < start][-n:]
    after = [d for d in ordered if d.day >= start][:n]
    return before, after


def effect(his: Iterable[DayFigures], line: Iterable[DayFigures], start: date, n: int) -> Effect:
    """The effect of an action taking effect on `start` (`line`: the line's days, summed per day)."""
    before, after = _around(his, start, n)
    line_before, line_after = _around(line, start, n)
    ready = len(after) >= n
    return Effect(
        before_pct=_pct(before),
        after_pct=_pct(after),
        after_days=len(after),
        line_before_pct=_pct(line_before),
        line_after_pct=_pct(line_after) if ready else None,
        ready=ready,
    )
