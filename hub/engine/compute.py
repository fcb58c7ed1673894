"""The rule book's computation: daily records, weekly review lines, monthly scores, discrepancies.

Pure functions over a `MonthIndex`, the month's inputs arranged by (line, day). The unit of work
is one line-day (`compute_line_day`): the hub recomputes exactly that after each new floor record
(`MonthIndex.add_count` and friends say which line-day a record touches), and `compute_month`
is nothing but every line-day followed by `summarize`.

Arithmetic is exact. The hot path works on integer numerators over a common denominator per
(line, product, step) group and builds each result `Fraction` once; sums use one common
denominator per inmate. `hub.engine.explain` recomputes any record with the rule book's formulas
written out plainly, and the tests hold the two to the same digits.
"""

from __future__ import annotations

import bisect
import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from math import gcd, lcm

from hub.engine.errors import MissingStandardTimeError
from hub.engine.exact import round_fraction
from hub.engine.model import (
    ZERO,
    Adjustment,
    Attendance,
    Count,
    DailyRecord,
    Discrepancy,
    Inmate,
    Line,
    Mode,
    MonthInput,
    MonthlyScore,
    MonthResult,
    RuleParams,
    RuleSet,
    StandardTime,
    Warehoused,
    WeeklyLine,
    iso_week_label,
)
from hub.engine.rules import DEFAULT_RULE_SET

GroupKey = tuple[str, str]
"""(product, step): the inmates of a line who share a day's warehoused units."""

LineDayKey = tuple[str, date]
"""(line, day): the unit of recomputation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LineDay:
    """The daily records and discrepancy flags of one line on one day."""

    line: str
    day: date
    records: tuple[DailyRecord, ...]
    discrepancies: tuple[Discrepancy, ...]


def _plus(a: Fraction, b: Fraction) -> Fraction:
    """a + b, with a fast path for whole numbers (several count entries of a day, minutes)."""
    if a.denominator == 1 and b.denominator == 1:
        return Fraction(a.numerator + b.numerator)
    return a + b


class MonthIndex:
    """A month's inputs arranged for computing one line-day at a time.

    Built once per month (`MonthIndex(inputs, rule_set)`); the `add_*` methods fold in one new floor
    record and return the (line, day) whose records it changes, so the caller recomputes only that.
    Per-inmate inputs are kept by day, then inmate, so a line-day reads them without building keys.
    It holds no I/O and no clock.
    """

    __slots__ = (
        "_counts",
        "_excused",
        "_full_quota",
        "_present",
        "_std_cache",
        "_std_versions",
        "_warehoused",
        "adjustments",
        "assigned",
        "day_set",
        "days",
        "groups",
        "inmates",
        "inputs",
        "lines",
        "quota_factor",
        "rule_set",
        "step_rank",
    )

    def __init__(self, inputs: MonthInput, rule_set: RuleSet = DEFAULT_RULE_SET) -> None:
        self.inputs = inputs
        self.rule_set = rule_set
        month = inputs.month
        self.days: tuple[date, ...] = tuple(sorted({d for d in inputs.workdays if month.contains(d)}))
        """The month's workdays, in order; workdays listed outside the month are ignored."""
        self.day_set = frozenset(self.days)
        self.lines: dict[str, Line] = {line.code: line for line in inputs.lines}
        self.inmates: dict[str, Inmate] = {inmate.id: inmate for inmate in inputs.inmates}
        self.step_rank: dict[GroupKey, int] = {
            (p.code, step): rank for p in inputs.products for rank, step in enumerate(p.steps)
        }
        versions: dict[GroupKey, list[StandardTime]] = {}
        for st in inputs.standard_times:
            versions.setdefault((st.product, st.step), []).append(st)
        self._std_versions = {key: sorted(vs, key=lambda st: st.valid_from) for key, vs in versions.items()}
        self._std_cache: dict[tuple[str, str, date], StandardTime] = {}
        efficiency = rule_set.params.target_efficiency_pct
        self.quota_factor: dict[str, Fraction] = {
            inmate.id: 60 * efficiency * inmate.quota_pct / 10_000 for inmate in inputs.inmates
        }
        self._full_quota: dict[str, dict[str, Fraction]] = {code: {} for code in self.lines}

        # One assignment per inmate and day: where two overlap, the one listed later wins.
        days = self.days
        self.assigned: dict[date, dict[str, int]] = {day: {} for day in days}
        for n, a in enumerate(inputs.assignments):
            start = bisect.bisect_left(days, a.valid_from)
            stop = len(days) if a.valid_to is None else bisect.bisect_right(days, a.valid_to)
            for day in days[start:stop]:
                self.assigned[day][a.inmate] = n
        self.groups: dict[LineDayKey, dict[GroupKey, list[str]]] = {}
        assignments = inputs.assignments
        for day, on_day in self.assigned.items():
            for inmate, n in on_day.items():
                a = assignments[n]
                self.groups.setdefault((a.line, day), {}).setdefault((a.product, a.step), []).append(inmate)

        self._present: dict[date, dict[str, Fraction]] = {day: {} for day in days}
        self._excused: dict[date, dict[str, Fraction]] = {day: {} for day in days}
        for att in inputs.attendance:
            self._fold_attendance(att)
        self._counts: dict[date, dict[str, Fraction]] = {day: {} for day in days}
        for count in inputs.counts:
            self._fold_count(count)
        self._warehoused: dict[tuple[str, str, date], Fraction] = {}
        for w in inputs.warehoused:
            self._fold_warehoused(w)
        self.adjustments: dict[str, list[Adjustment]] = {}
        for adj in inputs.adjustments:
            if adj.day is None or month.contains(adj.day):
                self.adjustments.setdefault(adj.inmate, []).append(adj)

    # --- folding in floor records ----------------------------------------------------------------

    def _fold_attendance(self, att: Attendance) -> bool:
        present = self._present.get(att.day)
        if present is None:
            return False  # not a workday of the month
        before = present.get(att.inmate)
        present[att.inmate] = att.present_minutes if before is None else _plus(before, att.present_minutes)
        if att.excused_minutes:
            excused = self._excused[att.day]
            before = excused.get(att.inmate)
            excused[att.inmate] = (
                att.excused_minutes if before is None else _plus(before, att.excused_minutes)
            )
        return True

    def _fold_count(self, count: Count) -> bool:
        counts = self._counts.get(count.day)
        if counts is None:
            return False
        before = counts.get(count.inmate)
        counts[count.inmate] = count.units if before is None else _plus(before, count.units)
        return True

    def _fold_warehoused(self, w: Warehoused) -> bool:
        if w.day not in self.day_set:
            return False
        key = (w.line, w.product, w.day)
        before = self._warehoused.get(key)
        self._warehoused[key] = w.units if before is None else _plus(before, w.units)
        return True

    def _line_of(self, inmate: str, day: date) -> LineDayKey | None:
        n = self.assignment_index(inmate, day)
        return None if n is None else (self.inputs.assignments[n].line, day)

    def add_attendance(self, att: Attendance) -> LineDayKey | None:
        """Add an attendance entry (entries of one inmate and day add up); the line-day it changes."""
        return self._line_of(att.inmate, att.day) if self._fold_attendance(att) else None

    def add_count(self, count: Count) -> LineDayKey | None:
        """Add an individual count; the line-day it changes, or None (not a workday, no assignment)."""
        return self._line_of(count.inmate, count.day) if self._fold_count(count) else None

    def add_warehoused(self, w: Warehoused) -> LineDayKey | None:
        """Add warehoused units; the line-day they change, or None if nobody on it shares them."""
        if not self._fold_warehoused(w):
            return None
        groups = self.groups.get((w.line, w.day), {})
        return (w.line, w.day) if any(product == w.product for product, _ in groups) else None

    # --- lookups ---------------------------------------------------------------------------------

    def line_days(self) -> list[LineDayKey]:
        """Every (line, day) with at least one assigned inmate, by day, then line."""
        return sorted(self.groups, key=lambda key: (key[1], key[0]))

    def assignment_index(self, inmate: str, day: date) -> int | None:
        """Position in `inputs.assignments` of the assignment in force (the later listed wins)."""
        on_day = self.assigned.get(day)
        return None if on_day is None else on_day.get(inmate)

    def members(self, line: str, product: str, step: str, day: date) -> list[str]:
        """The inmates assigned to (line, product, step) on a day, by id."""
        return sorted(self.groups.get((line, day), {}).get((product, step), []))

    def has_attendance(self, inmate: str, day: date) -> bool:
        return inmate in self._present.get(day, {}) or inmate in self._excused.get(day, {})

    def present_minutes(self, inmate: str, day: date) -> Fraction:
        return self._present.get(day, {}).get(inmate, ZERO)

    def excused_minutes(self, inmate: str, day: date) -> Fraction:
        return self._excused.get(day, {}).get(inmate, ZERO)

    def count(self, inmate: str, day: date) -> Fraction | None:
        """The inmate's individual count of the day (entries added up), or None without any entry."""
        return self._counts.get(day, {}).get(inmate)

    def warehoused_units(self, line: str, product: str, day: date) -> Fraction:
        return self._warehoused.get((line, product, day), ZERO)

    def standard_time(self, product: str, step: str, day: date) -> StandardTime | None:
        """The version of a step's standard time in force on a day: the latest `from` not after it."""
        key = (product, step, day)
        found = self._std_cache.get(key)
        if found is None:
            versions = self._std_versions.get((product, step), [])
            pos = bisect.bisect_right([st.valid_from for st in versions], day)
            if not pos:
                return None
            found = self._std_cache[key] = versions[pos - 1]
        return found

    def full_quota(self, line: str, inmate: str) -> Fraction:
        """Quota of an inmate with no excused minutes on a line's workday, in standard seconds."""
        cache = self._full_quota[line]
        quota = cache.get(inmate)
        if quota is None:
            shift = self.lines[line].shift_minutes
            quota = cache[inmate] = max(ZERO, shift) * self.quota_factor[inmate]
        return quota

    def quota(self, line: str, inmate: str, day: date) -> Fraction:
        """`max(0, shift − excused) × 60 × target_efficiency_pct/100 × quota_pct/100`."""
        excused = self._excused.get(day, {}).get(inmate)
        if excused is None:
            return self.full_quota(line, inmate)
        return max(ZERO, self.lines[line].shift_minutes - excused) * self.quota_factor[inmate]


# --- one line-day --------------------------------------------------------------------------------


def _over_common_denominator(values: Sequence[Fraction]) -> tuple[list[int], int]:
    """Integers `n_i` and one `d` with `values[i] == n_i / d`."""
    denominator = 1
    for v in values:
        if v.denominator != 1:
            denominator = lcm(denominator, v.denominator)
    if denominator == 1:
        return [v.numerator for v in values], 1
    return [v.numerator * (denominator // v.denominator) for v in values], denominator


def _shares(
    nums: list[int], scale_num: int, scale_den: int, s_num: int, s_den: int
) -> tuple[list[Fraction], list[Fraction]]:
    """Credited units `n × scale_num / scale_den` and earned seconds (× `s_num / s_den`) per member.

    Members with the same `n` (a full shift's presence, the same count) share one pair of
    Fractions: each distinct value is built once.
    """
    made: dict[int, tuple[Fraction, Fraction]] = {}
    credits: list[Fraction] = []
    earned: list[Fraction] = []
    for n in nums:
        pair = made.get(n)
        if pair is None:
            units = n * scale_num
            pair = made[n] = (Fraction(units, scale_den), Fraction(units * s_num, scale_den * s_den))
        credits.append(pair[0])
        earned.append(pair[1])
    return credits, earned


def compute_line_day(index: MonthIndex, line: str, day: date) -> LineDay:
    """The daily records and discrepancies of one line on one day (rule book, "Daily computation")."""
    groups = index.groups.get((line, day))
    if not groups:
        return LineDay(line=line, day=day, records=(), discrepancies=())
    tolerance = index.rule_set.params.discrepancy_tolerance_pct
    tol_num, tol_den = tolerance.numerator, tolerance.denominator
    present, counts, excused = index._present[day], index._counts[day], index._excused[day]
    full_quota = index._full_quota[line]
    records: list[DailyRecord] = []
    discrepancies: list[Discrepancy] = []
    rank = index.step_rank
    for (product, step), unsorted in sorted(
        groups.items(), key=lambda item: (item[0][0], rank.get(item[0], -1))
    ):
        members = sorted(unsorted)
        std = index.standard_time(product, step, day)
        if std is None:
            n = index.assigned[day][members[0]]
            raise MissingStandardTimeError(
                f"assignments[{n}]",
                f'no standard time of step "{step}" of product "{product}" is in force on {day}',
            )
        seconds = std.seconds
        s_num, s_den = seconds.numerator, seconds.denominator
        warehoused = index.warehoused_units(line, product, day)
        w_num, w_den = warehoused.numerator, warehoused.denominator
        member_counts = [counts.get(m) for m in members]
        mode: Mode
        credits: list[Fraction]
        earned: list[Fraction]
        if any(c is not None for c in member_counts):
            # Counted mode: each is credited count × min(1, W / Σcounts); no count, no credit.
            mode = "counted"
            nums, den = _over_common_denominator([ZERO if c is None else c for c in member_counts])
            total = sum(nums)  # Σcounts == total / den
            if w_num * den >= total * w_den:  # W >= Σcounts: counts stand as they are
                credits, earned = _shares(nums, 1, den, s_num, s_den)
            else:  # scaled down to the warehouse: count_i × W / Σcounts
                credits, earned = _shares(nums, w_num, total * w_den, s_num, s_den)
            # Flag when |Σcounts − W| > tolerance% × W.
            if abs(total * w_den - w_num * den) * 100 * tol_den > tol_num * w_num * den:
                discrepancies.append(
                    Discrepancy(
                        day=day,
                        line=line,
                        product=product,
                        step=step,
                        counted_units=Fraction(total, den),
                        warehoused_units=warehoused,
                    )
                )
        else:
            # Time mode: W × present / Σpresent (0 for all when nobody was present).
            mode = "time"
            nums, _ = _over_common_denominator([present.get(m, ZERO) for m in members])
            total = sum(nums)
            if total:
                credits, earned = _shares(nums, w_num, total * w_den, s_num, s_den)
            else:
                credits = earned = [ZERO] * len(members)
        for m, credit, earn in zip(members, credits, earned, strict=True):
            quota = full_quota.get(m)
            if quota is None or m in excused:
                quota = index.quota(line, m, day)
            records.append(
                DailyRecord(
                    inmate=m,
                    day=day,
                    line=line,
                    product=product,
                    step=step,
                    mode=mode,
                    standard_seconds=seconds,
                    standard_from=std.valid_from,
                    quota_std_seconds=quota,
                    earned_std_seconds=earn,
                    done_units=credit,
                )
            )
    return LineDay(line=line, day=day, records=tuple(records), discrepancies=tuple(discrepancies))


# --- weeks and the month -------------------------------------------------------------------------


def exact_sum(values: Iterable[Fraction]) -> Fraction:
    """Σ values, exactly, on integers: one running numerator over a growing common denominator
    (much faster than adding Fractions in turn, which normalises after every addition)."""
    num, den = 0, 1
    for value in values:
        n, d = value.as_integer_ratio()
        if d == den:
            num += n
        else:
            g = gcd(den, d)
            num = num * (d // g) + n * (den // g)
            den = den // g * d
    return Fraction(num, den)


class _Tally:
    """One inmate's month while records are being added up: per ISO week, and days counted."""

    __slots__ = ("days_met", "weeks", "workdays")

    def __init__(self) -> None:
        self.weeks: dict[str, tuple[list[Fraction], list[Fraction]]] = {}
        self.workdays = 0
        self.days_met = 0


def _tally(records: Iterable[DailyRecord]) -> dict[str, _Tally]:
    labels: dict[date, str] = {}
    tallies: dict[str, _Tally] = {}
    for r in records:
        tally = tallies.get(r.inmate)
        if tally is None:
            tally = tallies[r.inmate] = _Tally()
        label = labels.get(r.day)
        if label is None:
            label = labels[r.day] = iso_week_label(r.day)
        week = tally.weeks.get(label)
        if week is None:
            week = tally.weeks[label] = ([], [])
        quota, earned = r.quota_std_seconds, r.earned_std_seconds
        week[0].append(quota)
        week[1].append(earned)
        q_num = quota.numerator
        if q_num > 0:  # a workday; met when earned >= quota (cross-multiplied: exact and fast)
            tally.workdays += 1
            if earned.numerator * quota.denominator >= q_num * earned.denominator:
                tally.days_met += 1
    return tallies


def _weekly_of(inmate: str, tally: _Tally) -> list[WeeklyLine]:
    return [
        WeeklyLine(
            inmate=inmate,
            week=week,
            days=len(quotas),
            quota_std_seconds=exact_sum(quotas),
            earned_std_seconds=exact_sum(earned),
        )
        for week, (quotas, earned) in sorted(tally.weeks.items())
    ]


def _score(
    inmate: str,
    quota: Fraction,
    earned: Fraction,
    workdays: int,
    days_met: int,
    adjustments: Sequence[Adjustment],
    params: RuleParams,
) -> MonthlyScore:
    """The rule book's monthly labor score from an inmate's month totals.

    completion = Σearned / Σquota is kept as the integer pair `c_num / c_den`, so the comparisons
    and the floor of the bonus steps are exact integer operations.
    """
    base = bonus = ZERO
    if quota:
        c_num = earned.numerator * quota.denominator
        c_den = earned.denominator * quota.numerator
        points = params.labor_base_points
        if c_num >= c_den:
            base = round_fraction(points, 1)
        else:  # deducted in proportion, rounded to 0.1
            base = round_fraction(Fraction(points.numerator * c_num, points.denominator * c_den), 1)
        min_pct = params.bonus_min_days_met_pct
        if c_num > c_den and days_met * 100 * min_pct.denominator >= min_pct.numerator * workdays:
            step = params.bonus_step_pct  # floor((completion − 100 %) / step %)
            steps = ((c_num - c_den) * 100 * step.denominator) // (c_den * step.numerator)
            bonus = min(params.bonus_cap_points, steps * params.bonus_points_per_step)
    adjust = sum((a.points for a in adjustments), ZERO) if adjustments else ZERO
    labor = base
    if bonus or adjust:
        labor = max(ZERO, base + bonus + adjust)
    return MonthlyScore(
        inmate=inmate,
        quota_std_seconds=quota,
        earned_std_seconds=earned,
        workdays=workdays,
        days_met=days_met,
        base_points=base,
        bonus_points=bonus,
        adjust_points=adjust,
        labor_points=labor,
    )


def weekly_lines(records: Iterable[DailyRecord]) -> tuple[WeeklyLine, ...]:
    """Per inmate and ISO week: sums of quota and earned over the given daily records."""
    return tuple(
        line for inmate, tally in sorted(_tally(records).items()) for line in _weekly_of(inmate, tally)
    )


def monthly_score(
    inmate: str, records: Sequence[DailyRecord], adjustments: Sequence[Adjustment], params: RuleParams
) -> MonthlyScore:
    """One inmate's labor score from their daily records of the month (rule book, "Monthly")."""
    tally = _tally(records).get(inmate, _Tally())
    weeks = _weekly_of(inmate, tally)
    return _score(
        inmate,
        exact_sum([w.quota_std_seconds for w in weeks]),
        exact_sum([w.earned_std_seconds for w in weeks]),
        tally.workdays,
        tally.days_met,
        adjustments,
        params,
    )


def _weekly_and_monthly(
    records: Iterable[DailyRecord], adjustments: dict[str, list[Adjustment]], params: RuleParams
) -> tuple[tuple[WeeklyLine, ...], tuple[MonthlyScore, ...]]:
    """Weekly lines, and a monthly line for every inmate with a record or an adjustment in the month."""
    tallies = _tally(records)
    weekly: list[WeeklyLine] = []
    monthly: list[MonthlyScore] = []
    for inmate in sorted(tallies.keys() | adjustments.keys()):
        tally = tallies.get(inmate, _Tally())
        weeks = _weekly_of(inmate, tally)
        weekly.extend(weeks)
        monthly.append(
            _score(
                inmate,
                exact_sum([w.quota_std_seconds for w in weeks]),
                exact_sum([w.earned_std_seconds for w in weeks]),
                tally.workdays,
                tally.days_met,
                adjustments.get(inmate, ()),
                params,
            )
        )
    return tuple(weekly), tuple(monthly)


def monthly_scores(
    records: Iterable[DailyRecord], adjustments: dict[str, list[Adjustment]], params: RuleParams
) -> tuple[MonthlyScore, ...]:
    """A monthly line for every inmate with a daily record or an adjustment in the month."""
    return _weekly_and_monthly(records, adjustments, params)[1]


def summarize(
    index: MonthIndex, daily: Sequence[DailyRecord], discrepancies: Sequence[Discrepancy]
) -> MonthResult:
    """The month's result from all its line-days' records and flags."""
    weekly, monthly = _weekly_and_monthly(daily, index.adjustments, index.rule_set.params)
    return MonthResult(
        month=index.inputs.month,
        rule_set=index.rule_set,
        daily=tuple(daily),
        weekly=weekly,
        monthly=monthly,
        discrepancies=tuple(discrepancies),
    )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for a bulk computation, then restore it.

    A month creates a few hundred thousand small objects that all stay alive, and the collector
    keeps re-scanning the growing heap for cycles that the engine never makes (its values are
    frozen dataclasses, tuples and Fractions; reference counting frees them as usual). Pausing it
    saves about a quarter of a whole month's time. Results do not depend on it. If the collector was
    already disabled, it stays disabled.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute_month(inputs: MonthInput, rule_set: RuleSet = DEFAULT_RULE_SET) -> MonthResult:
    """Everything the rule book computes for a month, with the rule set in force for it."""
    with gc_paused():
        index = MonthIndex(inputs, rule_set)
        daily: list[DailyRecord] = []
        discrepancies: list[Discrepancy] = []
        for line, day in index.line_days():
            result = compute_line_day(index, line, day)
            daily.extend(result.records)
            discrepancies.extend(result.discrepancies)
        return summarize(index, daily, discrepancies)
