"""The skill matrix (技能矩阵, #17 item 2): for each inmate and each step he worked, his efficiency
there, how many days it rests on, and where it is heading.

Pure: it takes the stored daily results as plain rows and returns the matrix, in exact arithmetic.
- **Efficiency** of a cell: earned over quota standard seconds on his own days on that step, recent
  days weighted more: a day's weight halves for every `half_life_days` of age (whole periods, so the
  weights are exact fractions: 1, 1/2, 1/4 ...). 100 % means his quota's pace.
- **Days** behind it, and **uncertain** when fewer than `min_days` (a cell of two days says little).
- **Trend**: efficiency on his last `trend_days` days there minus that of the days before them (None
  when either side is empty).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class StepDay:
    """One stored daily result: an inmate's day on a step, in standard seconds."""

    inmate: str
    step: tuple[str, str]  # (product, step)
    day: date
    quota_s: Fraction
    earned_s: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class SkillSettings:
    half_life_days: int = 14
    min_days: int = 5
    trend_days: int = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Cell:
    efficiency_pct: Fraction | None  # None: no quota on any of his days there
    days: int
    uncertain: bool
    trend_pct: Fraction | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Matrix:
    inmates: tuple[str, ...]
    steps: tuple[tuple[str, str], ...]
    cells: dict[tuple[str, tuple[str, str]], Cell]

    def cell(self, inmate: str, step: tuple[str, str]) -> Cell | None:
        return self.cells.get((inmate, step))


@lru_cache(maxsize=65536)
def exact(text: str) -> Fraction:
    """Stored exact text as a Fraction; quotas repeat across thousands of rows, so each text is
    parsed once (the analytics pages read an area's months)."""
    return Fraction(text)


def exact_sum(values: Iterable[Fraction]) -> Fraction:
    """Σ values, exact; whole numbers (most stored standard seconds) are added as ints, which is many
    times faster than Fraction addition on an area's months of rows."""
    whole = 0
    rest = Fraction(0)
    for v in values:
        if v.denominator == 1:
            whole += v.numerator
        else:
            rest += v
    return rest + whole


def _plain(days: Sequence[StepDay]) -> Fraction | None:
    quota = exact_sum(d.quota_s for d in days)
    return 100 * exact_sum(d.earned_s for d in days) / quota if quota else None


class Figures(Protocol):
    """A day's figures as `weighted_pct` reads them (a `StepDay`, or another module's own row)."""

    @property
    def day(self) -> date: ...
    @property
    def quota_s(self) -> Fraction: ...
    @property
    def earned_s(self) -> Fraction: ...


def weighted_pct(days: Sequence[Figures], today: date, half_life: int) -> Fraction | None:
    """A cell's efficiency: Σ w·earned / Σ w·quota with w = 1/2^k for a day k half-lives old; summed
    per k first, then both sums scaled by 2^K (the oldest k), so the ratio is exact with a handful of
    Fraction steps."""
    if not days:
        return None
    buckets: dict[int, list[Figures]] = defaultdict(list)
    for d in days:
        buckets[(today - d.day).days // half_life].append(d)
    oldest = max(buckets)
    quota = Fraction(0)
    earned = Fraction(0)
    for k, group in buckets.items():
        scale = 2 ** (oldest - k)
        quota += scale * exact_sum(d.quota_s for d in group)
        earned += scale * exact_sum(d.earned_s for d in group)
    return 100 * earned / quota if quota else None


def skill_matrix(rows: Iterable[StepDay], today: date, settings: SkillSettings = SkillSettings()) -> Matrix:
    """The matrix of `rows` as of `today`."""
    by_cell: dict[tuple[str, tuple[str, str]], list[StepDay]] = defaultdict(list)
    for row in rows:
        by_cell[(row.inmate, row.step)].append(row)
    cells: dict[tuple[str, tuple[str, str]], Cell] = {}
    for key, days in by_cell.items():
        days.sort(key=lambda d: d.day)
        recent, earlier = days[-settings.trend_days :], days[: -settings.trend_days]
        now, before = _plain(recent), _plain(earlier)
        cells[key] = Cell(
            efficiency_pct=weighted_pct(days, today, settings.half_life_days),
            days=len(days),
            uncertain=len(days) < settings.min_days,
            trend_pct=None if now is None or before is None else now - before,
        )
    inmates = tuple(sorted({k[0] for k in cells}))
    steps = tuple(sorted({k[1] for k in cells}))
    return Matrix(inmates=inmates, steps=steps, cells=cells)
