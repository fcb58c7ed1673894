"""The rule book's computation: daily records, weekly review lines, monthly scores, discrepancies.

Pure functions over a `MonthIndex`, the month's inputs arranged by (line, day). The unit of work
is one line-day (`compute_line_day`): the hub recomputes exactly that after each new floor record
(`MonthIndex.add_count` and friends say which line-day a record touches), and `compute_month`
is nothing but every line-day followed by `summarize`.

Version 2 of the rule book (the rule set's `rule_book` is "v2") adds, on the same line-days:
labor exemptions (an exempt inmate is treated as unassigned that day: no record, not in any
group), training assignments (quota × `training_pct`), rejects (taken off the shared credit, never
below 0), rated posts (`RatedRecord`, earned = quota × the grade's percentage) and, per month,
deductions and the additions cap. `check_inputs` refuses what the book refuses. Under version 1
none of this runs, and a month with any version-2 input is refused.

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

from hub.engine.errors import InputError, MissingStandardTimeError
from hub.engine.exact import decimal_text, is_decimal, round_fraction
from hub.engine.model import (
    HUNDRED,
    ZERO,
    Adjustment,
    Assignment,
    Attendance,
    Count,
    DailyRecord,
    Deduction,
    Discrepancy,
    Grade,
    Inmate,
    Line,
    MissingRating,
    Mode,
    MonthInput,
    MonthlyScore,
    MonthResult,
    RatedRecord,
    Rating,
    Reject,
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
    rated: tuple[RatedRecord, ...] = ()
    missing_ratings: tuple[MissingRating, ...] = ()


V2_ONLY = "a version-2 input, but the month is computed under rule book v1"


def _num(value: Fraction) -> str:
    return decimal_text(value) if is_decimal(value) else str(value)


def check_inputs(inputs: MonthInput, params: RuleParams, exempt_all: frozenset[str]) -> None:
    """Refuse, naming the entry, what the rule book refuses for this month and rule set:
    version-2 inputs under version 1; under version 2, a deduction outside its category's range
    or of an unknown category, and an adjustment or deduction of an inmate exempt on every workday
    of the month (there is no labor score to apply it to)."""
    if not params.v2:
        for key in ("ratings", "rejects", "deductions"):
            if getattr(inputs, key):
                raise InputError(key, V2_ONLY)
        for n, i in enumerate(inputs.inmates):
            if i.labor_exempt:
                raise InputError(f"inmates[{n}].labor_exempt", V2_ONLY)
        for n, a in enumerate(inputs.assignments):
            if a.mode != "counted":
                raise InputError(f"assignments[{n}].mode", V2_ONLY)
            if a.training:
                raise InputError(f"assignments[{n}].training", V2_ONLY)
        return
    month = inputs.month
    for n, d in enumerate(inputs.deductions):
        where = f"deductions[{n}]"
        if d.points <= 0:
            raise InputError(f"{where}.points", f"must be greater than 0, not {_num(d.points)}")
        found = params.deduction_range(d.category)
        if found is None:
            known = ", ".join(r.category for r in params.deduction_categories)
            raise InputError(f"{where}.category", f'unknown category "{d.category}" (known: {known})')
        if not found.min_points <= d.points <= found.max_points:
            raise InputError(
                f"{where}.points",
                f"{_num(d.points)} is outside the {d.category} range "
                f"{_num(found.min_points)}..{_num(found.max_points)}",
            )
        if d.inmate in exempt_all and month.contains(d.day):
            raise InputError(where, _exempt_refusal(d.inmate, month))
    for n, a2 in enumerate(inputs.adjustments):
        if a2.inmate in exempt_all and (a2.day is None or month.contains(a2.day)):
            raise InputError(f"adjustments[{n}]", _exempt_refusal(a2.inmate, month))


def _exempt_refusal(inmate: str, month: object) -> str:
    return (
        f"inmate {inmate} is labor-exempt on every workday of {month}, "
        "so there is no labor score to apply it to"
    )


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
        "_ratings",
        "_rejects",
        "_std_cache",
        "_std_versions",
        "_warehoused",
        "adjustments",
        "assigned",
        "day_set",
        "days",
        "deductions",
        "exempt_all",
        "exempt_days",
        "groups",
        "inmates",
        "inputs",
        "lines",
        "quota_factor",
        "rated",
        "rule_set",
        "step_rank",
        "v2",
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

        self.v2 = rule_set.params.v2
        days = self.days
        # Version 2: the workdays on which each inmate is labor-exempt; exempt on all of them (and
        # the month has workdays) means a monthly line that is not assessed.
        self.exempt_days: dict[str, frozenset[date]] = {}
        if self.v2:
            for person in inputs.inmates:
                if person.labor_exempt:
                    self.exempt_days[person.id] = frozenset(d for d in days if person.exempt_on(d))
        self.exempt_all = frozenset(
            i for i, off in self.exempt_days.items() if days and len(off) == len(days)
        )
        check_inputs(inputs, rule_set.params, self.exempt_all)

        # One assignment per inmate and day: where two overlap, the one listed later wins. An
        # exempt inmate holds none that day (version 2: no record, not part of any group).
        self.assigned: dict[date, dict[str, int]] = {day: {} for day in days}
        for n, a in enumerate(inputs.assignments):
            start = bisect.bisect_left(days, a.valid_from)
            stop = len(days) if a.valid_to is None else bisect.bisect_right(days, a.valid_to)
            for day in days[start:stop]:
                self.assigned[day][a.inmate] = n
        for inmate, off in self.exempt_days.items():
            for day in off:
                self.assigned[day].pop(inmate, None)
        self.groups: dict[LineDayKey, dict[GroupKey, list[str]]] = {}
        self.rated: dict[LineDayKey, list[str]] = {}
        assignments = inputs.assignments
        for day, on_day in self.assigned.items():
            for inmate, n in on_day.items():
                a = assignments[n]
                if a.mode == "rated":
                    self.rated.setdefault((a.line, day), []).append(inmate)
                else:
                    self.groups.setdefault((a.line, day), {}).setdefault((a.product, a.step), []).append(
                        inmate
                    )

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
        # Version 2: ratings (a later one of the same inmate and day replaces the earlier), rejects
        # by (inmate, product, step) per day, and the month's deductions.
        self._ratings: dict[date, dict[str, Grade]] = {}
        for rating in inputs.ratings:
            self._fold_rating(rating)
        self._rejects: dict[date, dict[tuple[str, str, str], Fraction]] = {}
        for reject in inputs.rejects:
            self._fold_reject(reject)
        self.deductions: dict[str, list[Deduction]] = {}
        for d in inputs.deductions:
            if month.contains(d.day):
                self.deductions.setdefault(d.inmate, []).append(d)

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

    def _fold_rating(self, rating: Rating) -> bool:
        if rating.day not in self.day_set:
            return False
        self._ratings.setdefault(rating.day, {})[rating.inmate] = rating.grade
        return True

    def _fold_reject(self, reject: Reject) -> bool:
        if reject.day not in self.day_set:
            return False
        on_day = self._rejects.setdefault(reject.day, {})
        key = (reject.inmate, reject.product, reject.step)
        before = on_day.get(key)
        on_day[key] = reject.units if before is None else _plus(before, reject.units)
        return True

    def add_rating(self, rating: Rating) -> LineDayKey | None:
        """Version 2: add a grade (it replaces an earlier one of the inmate and day); the line-day
        it changes, or None (not a workday, no rated assignment that day)."""
        if not self._fold_rating(rating):
            return None
        n = self.assignment_index(rating.inmate, rating.day)
        if n is None or self.inputs.assignments[n].mode != "rated":
            return None
        return (self.inputs.assignments[n].line, rating.day)

    def add_reject(self, reject: Reject) -> LineDayKey | None:
        """Version 2: add rejected units; the line-day they change, or None (not a workday, or no
        counted assignment of that product and step that day: then they are ignored)."""
        if not self._fold_reject(reject):
            return None
        n = self.assignment_index(reject.inmate, reject.day)
        if n is None:
            return None
        a = self.inputs.assignments[n]
        if a.mode != "counted" or (a.product, a.step) != (reject.product, reject.step):
            return None
        return (a.line, reject.day)

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
        keys = self.groups.keys() | self.rated.keys() if self.rated else self.groups.keys()
        return sorted(keys, key=lambda key: (key[1], key[0]))

    def exempt_on(self, inmate: str, day: date) -> bool:
        """Version 2: the inmate is labor-exempt on this workday (always False under version 1)."""
        off = self.exempt_days.get(inmate)
        return off is not None and day in off

    def grade(self, inmate: str, day: date) -> Grade | None:
        """Version 2: the inmate's grade of the day (the last one given), or None."""
        return self._ratings.get(day, {}).get(inmate)

    def rejected(self, inmate: str, product: str, step: str, day: date) -> Fraction:
        """Version 2: units rejected of the inmate's work on (product, step) that day."""
        return self._rejects.get(day, {}).get((inmate, product, step), ZERO)

    def training_pct(self, a: Assignment, day: date) -> Fraction | None:
        """Version 2: the quota share on a day of a training assignment, None when not training."""
        if not (self.v2 and a.training):
            return None
        return self.rule_set.params.training_pct((day - a.ramp_from).days)

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
    rated, missing = _rated_line_day(index, line, day) if index.v2 else ((), ())
    if not groups:
        return LineDay(
            line=line,
            day=day,
            records=(),
            discrepancies=(),
            rated=tuple(rated),
            missing_ratings=tuple(missing),
        )
    v2 = index.v2
    assignments, on_day = index.inputs.assignments, index.assigned[day]
    rejects_today = index._rejects.get(day)
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
            if v2:
                a = assignments[on_day[m]]
                training = index.training_pct(a, day) if a.training else None
                if training is not None:
                    quota = quota * training / HUNDRED
                rejected = rejects_today.get((m, product, step), ZERO) if rejects_today else ZERO
                if rejected:  # taken off the shared credit, never below 0
                    credit = max(ZERO, credit - rejected)
                    earn = credit * seconds
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
                        training_pct=training,
                        rejected_units=rejected,
                    )
                )
                continue
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
    return LineDay(
        line=line,
        day=day,
        records=tuple(records),
        discrepancies=tuple(discrepancies),
        rated=tuple(rated),
        missing_ratings=tuple(missing),
    )


def _rated_line_day(index: MonthIndex, line: str, day: date) -> tuple[list[RatedRecord], list[MissingRating]]:
    """Version 2: the rated posts of a line on a day: quota as a counted day's (with training),
    earned = quota × rating_pct(grade) / 100; a day with a quota and no grade is missing one."""
    members = index.rated.get((line, day))
    records: list[RatedRecord] = []
    missing: list[MissingRating] = []
    if not members:
        return records, missing
    params = index.rule_set.params
    assignments, on_day = index.inputs.assignments, index.assigned[day]
    for m in sorted(members):
        a = assignments[on_day[m]]
        quota = index.quota(line, m, day)
        training = index.training_pct(a, day)
        if training is not None:
            quota = quota * training / HUNDRED
        grade = index.grade(m, day)
        pct = ZERO if grade is None else params.grade_pct(grade)
        records.append(
            RatedRecord(
                inmate=m,
                day=day,
                line=line,
                post=a.post,
                grade=grade,
                rating_pct=pct,
                quota_std_seconds=quota,
                earned_std_seconds=quota * pct / HUNDRED,
                training_pct=training,
            )
        )
        if grade is None and quota > 0:
            missing.append(MissingRating(day=day, inmate=m, line=line, post=a.post))
    return records, missing


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


DayRecord = DailyRecord | RatedRecord
"""A day that counts in the week and the month: counted (both books) or rated (version 2)."""


def _tally(records: Iterable[DayRecord]) -> dict[str, _Tally]:
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
    deductions: Sequence[Deduction] = (),
    assessed: bool = True,
) -> MonthlyScore:
    """The rule book's monthly labor score from an inmate's month totals.

    completion = Σearned / Σquota is kept as the integer pair `c_num / c_den`, so the comparisons
    and the floor of the bonus steps are exact integer operations.
    """
    if not assessed:  # version 2: exempt on every workday of the month, no labor score at all
        return MonthlyScore(
            inmate=inmate,
            quota_std_seconds=quota,
            earned_std_seconds=earned,
            workdays=workdays,
            days_met=days_met,
            base_points=ZERO,
            bonus_points=ZERO,
            adjust_points=ZERO,
            labor_points=ZERO,
            labor_assessed=False,
        )
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
    if params.v2:
        # Additions (bonus and positive adjustments) at most additions_cap_pct % of the base points.
        positive = sum((a.points for a in adjustments if a.points > 0), ZERO)
        negative = sum((a.points for a in adjustments if a.points < 0), ZERO)
        cap = params.additions_cap_pct * params.labor_base_points / HUNDRED
        additions = min(cap, bonus + positive)
        deduct = sum((d.points for d in deductions), ZERO)
        return MonthlyScore(
            inmate=inmate,
            quota_std_seconds=quota,
            earned_std_seconds=earned,
            workdays=workdays,
            days_met=days_met,
            base_points=base,
            bonus_points=bonus,
            adjust_points=adjust,
            labor_points=max(ZERO, base + additions + negative - deduct),
            additions_points=additions,
            deduct_points=deduct,
            deductions=tuple(deductions),
        )
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


def weekly_lines(records: Iterable[DayRecord]) -> tuple[WeeklyLine, ...]:
    """Per inmate and ISO week: sums of quota and earned over the given daily records."""
    return tuple(
        line for inmate, tally in sorted(_tally(records).items()) for line in _weekly_of(inmate, tally)
    )


def monthly_score(
    inmate: str,
    records: Sequence[DayRecord],
    adjustments: Sequence[Adjustment],
    params: RuleParams,
    deductions: Sequence[Deduction] = (),
    *,
    assessed: bool = True,
) -> MonthlyScore:
    """One inmate's labor score from their daily (counted and rated) records of the month (rule
    book, "Monthly"); version 2 also takes the month's deductions, and `assessed=False` for an
    inmate exempt on every workday of the month."""
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
        deductions,
        assessed,
    )


def _weekly_and_monthly(
    records: Iterable[DayRecord],
    adjustments: dict[str, list[Adjustment]],
    params: RuleParams,
    deductions: dict[str, list[Deduction]] | None = None,
    exempt_all: frozenset[str] = frozenset(),
) -> tuple[tuple[WeeklyLine, ...], tuple[MonthlyScore, ...]]:
    """Weekly lines, and a monthly line for every inmate with a record or an adjustment in the
    month; under version 2 also with a deduction, or exempt on every workday (not assessed)."""
    tallies = _tally(records)
    weekly: list[WeeklyLine] = []
    monthly: list[MonthlyScore] = []
    deductions = deductions or {}
    for inmate in sorted(tallies.keys() | adjustments.keys() | deductions.keys() | exempt_all):
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
                deductions.get(inmate, ()),
                inmate not in exempt_all,
            )
        )
    return tuple(weekly), tuple(monthly)


def monthly_scores(
    records: Iterable[DayRecord], adjustments: dict[str, list[Adjustment]], params: RuleParams
) -> tuple[MonthlyScore, ...]:
    """A monthly line for every inmate with a daily record or an adjustment in the month."""
    return _weekly_and_monthly(records, adjustments, params)[1]


def summarize(
    index: MonthIndex,
    daily: Sequence[DailyRecord],
    discrepancies: Sequence[Discrepancy],
    rated: Sequence[RatedRecord] = (),
    missing_ratings: Sequence[MissingRating] = (),
) -> MonthResult:
    """The month's result from all its line-days' records and flags (version 2: rated days too)."""
    days: Iterable[DayRecord] = [*daily, *rated] if rated else daily
    weekly, monthly = _weekly_and_monthly(
        days, index.adjustments, index.rule_set.params, index.deductions, index.exempt_all
    )
    return MonthResult(
        month=index.inputs.month,
        rule_set=index.rule_set,
        daily=tuple(daily),
        weekly=weekly,
        monthly=monthly,
        discrepancies=tuple(discrepancies),
        rated=tuple(rated),
        missing_ratings=tuple(missing_ratings),
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
        rated: list[RatedRecord] = []
        missing: list[MissingRating] = []
        for line, day in index.line_days():
            result = compute_line_day(index, line, day)
            daily.extend(result.records)
            discrepancies.extend(result.discrepancies)
            if result.rated:
                rated.extend(result.rated)
                missing.extend(result.missing_ratings)
        return summarize(index, daily, discrepancies, rated, missing)
