"""The engine's data: a month's inputs, a rule set, and the results, as frozen dataclasses.

Every quantity is exact: `Fraction` for numbers (inputs are decimals, derived values are rationals),
`date` for days. Nothing here is rounded; rounding happens only where a number is shown or exported
(`hub.engine.exact.round_half_up`). Derived board values (`quota_units`, `diff_units`,
`completion_pct`) are properties, so a record holds only what the rule book computes and cannot
contradict itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Literal

Mode = Literal["time", "counted"]
"""How a (line, product, step) group was credited on a day: by presence or by individual counts."""

ZERO = Fraction(0)
HUNDRED = Fraction(100)

_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


# --- calendar ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Month:
    """A calendar month, written `YYYY-MM`."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 1 <= self.month <= 12):
            raise ValueError(f"not a month: {self.year:04d}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-10` -> Month(year=2026, month=10); anything else raises ValueError."""
        match = _MONTH_RE.fullmatch(text)
        if not match:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(year=int(match[1]), month=int(match[2]))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(year=day.year, month=day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        following = date(self.year + 1, 1, 1) if self.month == 12 else date(self.year, self.month + 1, 1)
        return following - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return day.year == self.year and day.month == self.month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


EARLIEST_MONTH = Month(year=1, month=1)
"""`from` of a rule-set version that applies to every month (the rule book's defaults)."""


def iso_week_label(day: date) -> str:
    """The ISO week of a day as the weekly review writes it: `2026-W40` (ISO year, not calendar year)."""
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """A production line (生产线) and the scheduled labor minutes of one of its workdays."""

    code: str
    shift_minutes: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    """A product (产品) and its steps (工序), in production order."""

    code: str
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StandardTime:
    """One version of a step's standard time (标准工时), in force from `valid_from` until the next."""

    product: str
    step: str
    valid_from: date
    seconds: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Inmate:
    """An inmate and the personal quota level (个性化定额) officers set, in percent."""

    id: str
    name: str = ""
    quota_pct: Fraction = HUNDRED


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """A post (岗位): an inmate on one (line, product, step) from a day to an optional day, inclusive."""

    inmate: str
    line: str
    product: str
    step: str
    valid_from: date
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True, kw_only=True)
class Attendance:
    """Minutes present (check-in/out) and excused (请假、就医、会见、学习) of an inmate on a day."""

    inmate: str
    day: date
    present_minutes: Fraction
    excused_minutes: Fraction = ZERO


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    """Units an inmate reported or scanned at the kiosk for their step on a day (计件)."""

    inmate: str
    day: date
    units: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Warehoused:
    """Units of a product from a line that passed inspection and entered the warehouse (入库数)."""

    line: str
    product: str
    day: date
    units: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Adjustment:
    """Points an officer adds (positive) or deducts (negative) in the month, with the reason.

    `day` is optional; an adjustment dated outside the month does not belong to it.
    """

    inmate: str
    points: Fraction
    reason: str
    day: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthInput:
    """All the inputs of one month, as a scenario file or the hub's ledger holds them."""

    month: Month
    workdays: tuple[date, ...]
    lines: tuple[Line, ...]
    products: tuple[Product, ...]
    standard_times: tuple[StandardTime, ...]
    inmates: tuple[Inmate, ...]
    assignments: tuple[Assignment, ...]
    attendance: tuple[Attendance, ...] = ()
    counts: tuple[Count, ...] = ()
    warehoused: tuple[Warehoused, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()


# --- rule sets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleParams:
    """The rule parameters of the rule book; the defaults are its table "Default rule set"."""

    labor_base_points: Fraction = Fraction(30)
    target_efficiency_pct: Fraction = HUNDRED
    bonus_step_pct: Fraction = Fraction(10)
    bonus_points_per_step: Fraction = Fraction(3)
    bonus_cap_points: Fraction = Fraction(15)
    bonus_min_days_met_pct: Fraction = Fraction(80)
    discrepancy_tolerance_pct: Fraction = Fraction(2)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """The rule parameters in force for a month, and which versions they come from.

    `version` names the versions applied, oldest first (`rulebook-v1+scenario`); `valid_from` is
    the month from which this combination applies; `digest` identifies the parameter values
    themselves, so two results with the same digest were computed with the same numbers.
    """

    version: str
    valid_from: Month
    params: RuleParams
    digest: str


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyRecord:
    """One inmate's day on the wall board (日记载): quota, credit and what they earned."""

    inmate: str
    day: date
    line: str
    product: str
    step: str
    mode: Mode
    standard_seconds: Fraction
    standard_from: date
    quota_std_seconds: Fraction
    earned_std_seconds: Fraction
    done_units: Fraction

    @property
    def quota_units(self) -> Fraction:
        return self.quota_std_seconds / self.standard_seconds

    @property
    def diff_units(self) -> Fraction:
        """Positive: exceeded by (超额); negative: still owed (欠额)."""
        return self.done_units - self.quota_units

    @property
    def completion_pct(self) -> Fraction | None:
        """100 x earned / quota; None when the quota is 0 (fully excused)."""
        if not self.quota_std_seconds:
            return None
        return HUNDRED * self.earned_std_seconds / self.quota_std_seconds

    @property
    def met(self) -> bool:
        """Counted as a day on which the quota was met: quota > 0 and earned >= quota."""
        return self.quota_std_seconds > 0 and self.earned_std_seconds >= self.quota_std_seconds


def completion_pct(earned: Fraction, quota: Fraction) -> Fraction | None:
    return HUNDRED * earned / quota if quota else None


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyLine:
    """One inmate's ISO week (周评议) over the month's workdays on which they had an assignment."""

    inmate: str
    week: str
    days: int
    quota_std_seconds: Fraction
    earned_std_seconds: Fraction

    @property
    def completion_pct(self) -> Fraction | None:
        return completion_pct(self.earned_std_seconds, self.quota_std_seconds)


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthlyScore:
    """The labor part of one inmate's monthly assessment (月考核, 劳动改造部分).

    `base_points` is already rounded to 0.1 as the rule book defines it; bonus, adjustments and
    labor points are exact.
    """

    inmate: str
    quota_std_seconds: Fraction
    earned_std_seconds: Fraction
    workdays: int
    days_met: int
    base_points: Fraction
    bonus_points: Fraction
    adjust_points: Fraction
    labor_points: Fraction

    @property
    def completion_pct(self) -> Fraction | None:
        return completion_pct(self.earned_std_seconds, self.quota_std_seconds)


@dataclass(frozen=True, slots=True, kw_only=True)
class Discrepancy:
    """A counted-mode day whose counts differ from the warehouse by more than the tolerance."""

    day: date
    line: str
    product: str
    step: str
    counted_units: Fraction
    warehoused_units: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthResult:
    """Everything the rule book computes for a month, and the rule set that produced it."""

    month: Month
    rule_set: RuleSet
    daily: tuple[DailyRecord, ...]
    weekly: tuple[WeeklyLine, ...]
    monthly: tuple[MonthlyScore, ...]
    discrepancies: tuple[Discrepancy, ...]
