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

AssignmentMode = Literal["counted", "rated"]
"""Version 2: a counted assignment is on a (line, product, step); a rated one on a post without a
quota (无定额岗位: kitchen, cleaning, maintenance, inspection, team leader), graded daily."""

BookName = Literal["v1", "v2"]
"""Which version of the rule book a month is computed under (the rule set's `rule_book`)."""

Grade = Literal["A", "B", "C", "D"]
"""An officer's grade of a rated day: 好, 较好, 一般, 差."""

GRADES: tuple[Grade, ...] = ("A", "B", "C", "D")

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
class ExemptPeriod:
    """Version 2: a labor exemption (丧失劳动能力, assessed by the prison hospital), days inclusive;
    `valid_to` None is open. On such a day the inmate has no daily record and owes nothing."""

    valid_from: date
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True, kw_only=True)
class Inmate:
    """An inmate and the personal quota level (个性化定额) officers set, in percent.

    `labor_exempt` (version 2) lists the periods in which the hospital found the inmate unable to
    work; version 1 refuses a month that has any.
    """

    id: str
    name: str = ""
    quota_pct: Fraction = HUNDRED
    labor_exempt: tuple[ExemptPeriod, ...] = ()

    def exempt_on(self, day: date) -> bool:
        return any(p.covers(day) for p in self.labor_exempt)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """A post (岗位): an inmate on one (line, product, step) from a day to an optional day, inclusive.

    Version 2 adds two kinds: `mode="rated"` puts the inmate on a post without a quota (`post`, free
    text; `product` and `step` are then empty) on a line, whose shift gives the day's quota and
    whose board shows it; `training=True` marks a training period (培训期), in which the quota
    follows the rule set's `training_ramp` from `valid_from` on. Version 1 refuses both.
    """

    inmate: str
    line: str
    product: str
    step: str
    valid_from: date
    valid_to: date | None = None
    mode: AssignmentMode = "counted"
    post: str = ""
    training: bool = False
    training_from: date | None = None
    """The day the training began when it is earlier than `valid_from`: the hub lists a post as the
    pieces of it in force in a month (another post wins some days, or it began in an earlier month),
    and the ramp counts from the post's first day, not the piece's."""

    @property
    def ramp_from(self) -> date:
        """The day the training ramp counts from."""
        return self.valid_from if self.training_from is None else self.training_from

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
class Rating:
    """Version 2: an officer's grade for an inmate's day on a rated post; a later listed rating of
    the same inmate and day replaces an earlier one."""

    inmate: str
    day: date
    grade: Grade


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    """Version 2: units found faulty at inspection (次品、返工), traced to an inmate's work on a step
    on a day; they come off that day's credited units of that (product, step)."""

    inmate: str
    day: date
    product: str
    step: str
    units: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Deduction:
    """Version 2: points deducted (扣分) for one incident, in one of the rule set's categories and
    inside its range; `points` is positive and comes off the labor points."""

    inmate: str
    day: date
    category: str
    points: Fraction
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthInput:
    """All the inputs of one month, as a scenario file or the hub's ledger holds them.

    A version-2 month may also have `ratings`, `rejects` and `deductions`, besides rated and
    training assignments and labor exemptions (see `Assignment` and `Inmate`).
    """

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
    ratings: tuple[Rating, ...] = ()
    rejects: tuple[Reject, ...] = ()
    deductions: tuple[Deduction, ...] = ()


# --- rule sets -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RampStep:
    """One step of the training ramp: before `days` whole days of training, `pct` of the quota."""

    days: int
    pct: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class DeductionRange:
    """The points one incident of a deduction category may cost, inclusive."""

    category: str
    min_points: Fraction
    max_points: Fraction


DEFAULT_RATING_PCT: tuple[tuple[Grade, Fraction], ...] = (
    ("A", HUNDRED),
    ("B", Fraction(90)),
    ("C", Fraction(75)),
    ("D", Fraction(50)),
)
DEFAULT_TRAINING_RAMP = (RampStep(days=7, pct=Fraction(50)), RampStep(days=14, pct=Fraction(75)))
DEFAULT_DEDUCTION_CATEGORIES = (
    DeductionRange(category="quality", min_points=Fraction(1), max_points=Fraction(5)),
    DeductionRange(category="safety", min_points=Fraction(2), max_points=Fraction(10)),
    DeductionRange(category="discipline", min_points=Fraction(1), max_points=Fraction(3)),
    DeductionRange(category="equipment", min_points=Fraction(1), max_points=Fraction(5)),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleParams:
    """The rule parameters of the rule book; the defaults are its tables "Default rule set" and
    "Version-2 parameters". `rule_book` says which version of the book the month is computed
    under; the version-2 parameters are unused (and not part of the digest) under version 1.
    """

    labor_base_points: Fraction = Fraction(30)
    target_efficiency_pct: Fraction = HUNDRED
    bonus_step_pct: Fraction = Fraction(10)
    bonus_points_per_step: Fraction = Fraction(3)
    bonus_cap_points: Fraction = Fraction(15)
    bonus_min_days_met_pct: Fraction = Fraction(80)
    discrepancy_tolerance_pct: Fraction = Fraction(2)
    rule_book: BookName = "v1"
    rating_pct: tuple[tuple[Grade, Fraction], ...] = DEFAULT_RATING_PCT
    training_ramp: tuple[RampStep, ...] = DEFAULT_TRAINING_RAMP
    additions_cap_pct: Fraction = Fraction(50)
    deduction_categories: tuple[DeductionRange, ...] = DEFAULT_DEDUCTION_CATEGORIES

    @property
    def v2(self) -> bool:
        return self.rule_book == "v2"

    def grade_pct(self, grade: Grade) -> Fraction:
        return dict(self.rating_pct)[grade]

    def training_pct(self, days_in: int) -> Fraction:
        """The quota share on the day `days_in` whole days after a training assignment's start."""
        for step in self.training_ramp:
            if step.days > days_in:
                return step.pct
        return HUNDRED

    def deduction_range(self, category: str) -> DeductionRange | None:
        for r in self.deduction_categories:
            if r.category == category:
                return r
        return None


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
    """One inmate's day on the wall board (日记载): quota, credit and what they earned.

    This is a day of a counted assignment (both books). Under version 2, `training_pct` is the
    share of the quota owed on a training day (None on other days) and `rejected_units` the units
    taken off the shared credit for rejects; `done_units` is the credit after them.
    """

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
    training_pct: Fraction | None = None
    rejected_units: Fraction = ZERO

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


@dataclass(frozen=True, slots=True, kw_only=True)
class RatedRecord:
    """Version 2: one inmate's day on a rated post (无定额岗位). The quota is that of a counted day
    (with training if marked); `earned = quota × rating_pct(grade) / 100`, 0 without a grade.
    A post has no unit, so there are no quota, done or diff units."""

    inmate: str
    day: date
    line: str
    post: str
    grade: Grade | None
    rating_pct: Fraction
    quota_std_seconds: Fraction
    earned_std_seconds: Fraction
    training_pct: Fraction | None = None

    @property
    def completion_pct(self) -> Fraction | None:
        if not self.quota_std_seconds:
            return None
        return HUNDRED * self.earned_std_seconds / self.quota_std_seconds

    @property
    def met(self) -> bool:
        return self.quota_std_seconds > 0 and self.earned_std_seconds >= self.quota_std_seconds


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingRating:
    """Version 2: a rated day with a quota above 0 and no grade yet (it earns 0 until graded)."""

    day: date
    inmate: str
    line: str
    post: str


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

    Version 2 adds: `labor_assessed` False for an inmate exempt on every workday of the month (then
    every points field is 0 here and means "not assessed": documents write them as null);
    `additions_points`, bonus plus positive adjustments after the additions cap; `deduct_points`,
    the sum of the month's `deductions` (positive). Under version 1 these stay True, 0, 0, ().
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
    labor_assessed: bool = True
    additions_points: Fraction = ZERO
    deduct_points: Fraction = ZERO
    deductions: tuple[Deduction, ...] = ()

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
    rated: tuple[RatedRecord, ...] = ()
    missing_ratings: tuple[MissingRating, ...] = ()
    """Version 2: the days on rated posts (beside `daily`, the counted days), and those not graded."""
