"""Property tests: what must hold for any month, not just the samples."""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.engine.compute import MonthIndex, compute_month
from hub.engine.documents import compare_results, json_text, result_json, scenario_json
from hub.engine.exact import round_half_up
from hub.engine.explain import explain_daily, explain_monthly
from hub.engine.model import (
    Adjustment,
    Assignment,
    Attendance,
    Count,
    DailyRecord,
    Inmate,
    Line,
    Month,
    MonthInput,
    MonthResult,
    Product,
    RuleParams,
    StandardTime,
    Warehoused,
)
from hub.engine.rules import make_rule_set
from hub.engine.scenario import load_scenario

T = TypeVar("T")
ZERO_TOLERANCE = Decimal(0)
OCTOBER = Month(year=2026, month=10)
DAYS = [date(2026, 9, 28) + timedelta(days=k) for k in range(42)]  # Sep 28 .. Nov 8: the month and its edges
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MORE = settings(SETTINGS, max_examples=60)

small_decimals = st.integers(0, 5000).map(lambda n: Fraction(n, 10))


@st.composite
def months(draw: st.DrawFn, *, counted: bool | None = None) -> MonthInput:
    """A small random month: 1-2 lines, 1-2 products, up to 6 inmates, overlapping assignments,
    standard-time versions, partial attendance, counts (or none, or only), warehouse entries."""
    lines = tuple(
        Line(code=f"L{n}", shift_minutes=Fraction(draw(st.sampled_from([0, 420, 450, "472.5"]))))
        for n in range(draw(st.integers(1, 2)))
    )
    products = tuple(
        Product(code=f"P{n}", steps=tuple(f"S{k}" for k in range(draw(st.integers(1, 3)))))
        for n in range(draw(st.integers(1, 2)))
    )
    standard_times: list[StandardTime] = []
    for p in products:
        for step in p.steps:
            standard_times.append(
                StandardTime(
                    product=p.code,
                    step=step,
                    valid_from=date(2026, 1, 1),
                    seconds=Fraction(draw(st.integers(1, 3000)), 10),
                )
            )
            if draw(st.booleans()):
                standard_times.append(
                    StandardTime(
                        product=p.code,
                        step=step,
                        valid_from=draw(st.sampled_from(DAYS)),
                        seconds=Fraction(draw(st.integers(1, 3000)), 10),
                    )
                )
    inmates = tuple(
        Inmate(id=f"i{n}", quota_pct=Fraction(draw(st.sampled_from([0, 60, 80, 100, "97.5", 120]))))
        for n in range(draw(st.integers(1, 6)))
    )
    ids = [i.id for i in inmates]
    workdays = tuple(draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=10)))
    groups = [(line.code, p.code, step) for line in lines for p in products for step in p.steps]
    assignments: list[Assignment] = []
    for _ in range(draw(st.integers(1, 9))):
        line, product, step = draw(st.sampled_from(groups))
        start = draw(st.sampled_from(DAYS))
        end = draw(st.none() | st.sampled_from([d for d in DAYS if d >= start]))
        assignments.append(
            Assignment(
                inmate=draw(st.sampled_from(ids)),
                line=line,
                product=product,
                step=step,
                valid_from=start,
                valid_to=end,
            )
        )
    attendance = tuple(
        Attendance(inmate=inmate, day=day, present_minutes=present, excused_minutes=excused)
        for inmate, day, present, excused in draw(
            st.lists(
                st.tuples(st.sampled_from(ids), st.sampled_from(workdays), small_decimals, small_decimals),
                max_size=20,
            )
        )
    )
    count_list = st.lists(
        st.tuples(st.sampled_from(ids), st.sampled_from(workdays), st.integers(0, 300)),
        min_size=1 if counted else 0,
        max_size=0 if counted is False else 15,
    )
    counts = tuple(Count(inmate=i, day=d, units=Fraction(u)) for i, d, u in draw(count_list))
    warehoused = tuple(
        Warehoused(line=line.code, product=product.code, day=day, units=Fraction(units))
        for line, product, day, units in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(lines),
                    st.sampled_from(products),
                    st.sampled_from(workdays),
                    st.integers(0, 900),
                ),
                max_size=12,
            )
        )
    )
    adjustments = tuple(
        Adjustment(inmate=i, points=Fraction(p, 2), reason="r")
        for i, p in draw(st.lists(st.tuples(st.sampled_from(ids), st.integers(-80, 20)), max_size=3))
    )
    return MonthInput(
        month=OCTOBER,
        workdays=workdays,
        lines=lines,
        products=products,
        standard_times=tuple(standard_times),
        inmates=inmates,
        assignments=tuple(assignments),
        attendance=attendance,
        counts=counts,
        warehoused=warehoused,
        adjustments=adjustments,
    )


def by_group(result: MonthResult) -> dict[tuple[str, str, str, date], list[DailyRecord]]:
    groups: dict[tuple[str, str, str, date], list[DailyRecord]] = defaultdict(list)
    for r in result.daily:
        groups[(r.line, r.product, r.step, r.day)].append(r)
    return groups


@SETTINGS
@given(months())
def test_credited_units_of_a_step_never_exceed_the_warehouse(inputs: MonthInput) -> None:
    """In counted and in time mode, the units credited to one step's inmates add up to at most W;
    in time mode with anyone present, exactly W."""
    result = compute_month(inputs)
    index = MonthIndex(inputs)
    for (line, product, _, day), records in by_group(result).items():
        warehoused = index.warehoused_units(line, product, day)
        credited = sum(r.done_units for r in records)
        assert credited <= warehoused
        assert all(r.done_units >= 0 for r in records)
        present = sum(index.present_minutes(r.inmate, day) for r in records)
        if records[0].mode == "time" and present:
            assert credited == warehoused


@SETTINGS
@given(months(counted=True))
def test_counted_mode_never_credits_more_than_an_inmate_counted(inputs: MonthInput) -> None:
    """Counts are scaled down to the warehouse, never up; no count, no credit."""
    index = MonthIndex(inputs)
    for r in compute_month(inputs).daily:
        if r.mode == "counted":
            count = index.count(r.inmate, r.day)
            assert r.done_units <= (count or 0)


@SETTINGS
@given(months(counted=False), st.integers(1, 5))
def test_time_mode_credit_is_proportional_to_presence(inputs: MonthInput, factor: int) -> None:
    """Credit shares follow presence: credit_a × present_b = credit_b × present_a, and scaling every
    presence by the same factor changes no credit."""
    result = compute_month(inputs)
    index = MonthIndex(inputs)
    for records in by_group(result).values():
        for a in records:
            for b in records:
                present_a, present_b = (
                    index.present_minutes(a.inmate, a.day),
                    index.present_minutes(b.inmate, b.day),
                )
                assert a.done_units * present_b == b.done_units * present_a
    scaled = replace(
        inputs,
        attendance=tuple(replace(t, present_minutes=t.present_minutes * factor) for t in inputs.attendance),
    )
    assert [r.done_units for r in compute_month(scaled).daily] == [r.done_units for r in result.daily]


def shuffled(inputs: MonthInput, rnd: random.Random) -> MonthInput:
    """Every input list in another order; assignments keep only each inmate's own order (it decides
    which of two overlapping assignments wins), and are interleaved differently across inmates."""

    def mix(items: tuple[T, ...]) -> tuple[T, ...]:
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    slots = mix(inputs.assignments)
    own: dict[str, list[Assignment]] = defaultdict(list)
    for a in inputs.assignments:
        own[a.inmate].append(a)
    assignments = tuple(own[a.inmate].pop(0) for a in slots)
    return replace(
        inputs,
        workdays=mix(inputs.workdays),
        lines=mix(inputs.lines),
        products=mix(inputs.products),
        standard_times=mix(inputs.standard_times),
        inmates=mix(inputs.inmates),
        assignments=assignments,
        attendance=mix(inputs.attendance),
        counts=mix(inputs.counts),
        warehoused=mix(inputs.warehoused),
        adjustments=mix(inputs.adjustments),
    )


@SETTINGS
@given(months(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_the_input_lists(
    inputs: MonthInput, rnd: random.Random
) -> None:
    """The same inputs in any order give the same result, to the digit and in the same order."""
    assert compute_month(shuffled(inputs, rnd)) == compute_month(inputs)


@SETTINGS
@given(months())
def test_every_record_and_score_is_reproduced_by_its_explanation(inputs: MonthInput) -> None:
    """The explanation's plain formulas give the engine's numbers for every daily record and score."""
    result = compute_month(inputs)
    index = MonthIndex(inputs)
    for r in result.daily:
        explain_daily(index, r.inmate, r.day)  # raises EngineError if it cannot reproduce the record
    for m in result.monthly:
        assert f"labor_points {round_half_up(m.labor_points, 1)}" in explain_monthly(index, m.inmate).render(
            "en"
        )


@SETTINGS
@given(months())
def test_a_month_exported_as_a_scenario_file_computes_the_same(inputs: MonthInput) -> None:
    """`scenario_json` then `load_scenario` gives back the inputs, so an exported month re-runs exactly."""
    text = json_text(scenario_json(inputs))
    again = load_scenario(json.loads(text, parse_float=Decimal)).inputs
    assert again == inputs
    assert result_json(compute_month(again)) == result_json(compute_month(inputs))


@SETTINGS
@given(months())
def test_printed_board_values_are_the_record_values_rounded_half_up(inputs: MonthInput) -> None:
    """The JSON output's derived values (computed from integers) equal the records' exact values rounded."""
    result = compute_month(inputs)
    printed = result_json(result)["daily"]
    assert isinstance(printed, list)
    for r, out in zip(result.daily, printed, strict=True):
        pct = r.completion_pct
        assert out["quota_units"] == round_half_up(r.quota_units, 2)
        assert out["diff_units"] == round_half_up(r.diff_units, 2)
        assert out["completion_pct"] == (None if pct is None else round_half_up(pct, 2))


def reference_result(inputs: MonthInput, params: RuleParams) -> dict[str, object]:
    """The rule book read literally, with plain Fractions and brute-force searches: slow, obvious,
    and sharing no code with the engine beyond the data types and the output rounding."""
    month = inputs.month
    days = sorted({d for d in inputs.workdays if month.contains(d)})
    shift = {line.code: line.shift_minutes for line in inputs.lines}
    quota_pct = {i.id: i.quota_pct for i in inputs.inmates}
    r2 = lambda v: round_half_up(v, 2)  # noqa: E731
    r1 = lambda v: round_half_up(v, 1)  # noqa: E731

    def post(inmate: str, day: date) -> Assignment | None:
        found = None
        for a in inputs.assignments:  # the later listed wins
            if a.inmate == inmate and a.valid_from <= day and (a.valid_to is None or day <= a.valid_to):
                found = a
        return found

    def seconds(product: str, step: str, day: date) -> Fraction:
        versions = [
            v for v in inputs.standard_times if (v.product, v.step) == (product, step) and v.valid_from <= day
        ]
        return max(versions, key=lambda v: v.valid_from).seconds

    daily: dict[tuple[str, date], tuple[Assignment, Fraction, Fraction, Fraction, Fraction]] = {}
    flags: list[dict[str, object]] = []
    for day in days:
        groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for i in inputs.inmates:
            a = post(i.id, day)
            if a is not None:
                groups[(a.line, a.product, a.step)].append(i.id)
        for (line, product, step), members in groups.items():
            w = sum(
                (x.units for x in inputs.warehoused if (x.line, x.product, x.day) == (line, product, day)),
                Fraction(0),
            )
            counts = {m: [c.units for c in inputs.counts if (c.inmate, c.day) == (m, day)] for m in members}
            present = {
                m: sum(
                    (t.present_minutes for t in inputs.attendance if (t.inmate, t.day) == (m, day)),
                    Fraction(0),
                )
                for m in members
            }
            excused = {
                m: sum(
                    (t.excused_minutes for t in inputs.attendance if (t.inmate, t.day) == (m, day)),
                    Fraction(0),
                )
                for m in members
            }
            credit: dict[str, Fraction] = {}
            if any(counts[m] for m in members):
                total = sum((sum(v, Fraction(0)) for v in counts.values()), Fraction(0))
                for m in members:
                    own = sum(counts[m], Fraction(0))
                    credit[m] = own * min(Fraction(1), w / total) if total else own
                if abs(total - w) > params.discrepancy_tolerance_pct / 100 * w:
                    flags.append(
                        {
                            "date": day.isoformat(),
                            "line": line,
                            "product": product,
                            "step": step,
                            "counted_units": r2(total),
                            "warehoused_units": r2(w),
                        }
                    )
            else:
                total = sum(present.values(), Fraction(0))
                credit = {m: w * present[m] / total if total else Fraction(0) for m in members}
            s = seconds(product, step, day)
            for m in members:
                a = post(m, day)
                assert a is not None
                quota = (
                    max(Fraction(0), shift[line] - excused[m])
                    * 60
                    * params.target_efficiency_pct
                    / 100
                    * quota_pct[m]
                    / 100
                )
                daily[(m, day)] = (a, quota, credit[m] * s, credit[m], s)

    def completion(earned: Fraction, quota: Fraction) -> Decimal | None:
        return r2(100 * earned / quota) if quota else None

    out_daily = [
        {
            "inmate": m,
            "date": d.isoformat(),
            "line": a.line,
            "product": a.product,
            "step": a.step,
            "quota_std_seconds": r2(q),
            "earned_std_seconds": r2(e),
            "quota_units": r2(q / s),
            "done_units": r2(c),
            "diff_units": r2(c - q / s),
            "completion_pct": completion(e, q),
        }
        for (m, d), (a, q, e, c, s) in daily.items()
    ]
    weeks: dict[tuple[str, str], list[tuple[Fraction, Fraction]]] = defaultdict(list)
    for (m, d), (_, q, e, _, _) in daily.items():
        iso = d.isocalendar()
        weeks[(m, f"{iso.year}-W{iso.week:02d}")].append((q, e))
    out_weekly = [
        {
            "inmate": m,
            "week": week,
            "quota_std_seconds": r2(sum(q for q, _ in v)),
            "earned_std_seconds": r2(sum(e for _, e in v)),
            "completion_pct": completion(sum(e for _, e in v), sum(q for q, _ in v)),
        }
        for (m, week), v in weeks.items()
    ]
    adjustments = [a for a in inputs.adjustments if a.day is None or month.contains(a.day)]
    out_monthly = []
    for m in sorted({m for m, _ in daily} | {a.inmate for a in adjustments}):
        days_of = [v for (i, _), v in daily.items() if i == m]
        quota = sum((q for _, q, _, _, _ in days_of), Fraction(0))
        earned = sum((e for _, _, e, _, _ in days_of), Fraction(0))
        workdays = sum(1 for _, q, _, _, _ in days_of if q > 0)
        met = sum(1 for _, q, e, _, _ in days_of if q > 0 and e >= q)
        base = bonus = Fraction(0)
        if quota:
            ratio = earned / quota
            base = Fraction(r1(params.labor_base_points * min(Fraction(1), ratio)))
            if ratio > 1 and met >= params.bonus_min_days_met_pct / 100 * workdays:
                steps = math.floor((ratio * 100 - 100) / params.bonus_step_pct)
                bonus = min(params.bonus_cap_points, steps * params.bonus_points_per_step)
        adjust = sum((a.points for a in adjustments if a.inmate == m), Fraction(0))
        out_monthly.append(
            {
                "inmate": m,
                "quota_std_seconds": r2(quota),
                "earned_std_seconds": r2(earned),
                "completion_pct": completion(earned, quota),
                "workdays": workdays,
                "days_met": met,
                "base_points": r1(base),
                "bonus_points": r1(bonus),
                "adjust_points": r1(adjust),
                "labor_points": r1(max(Fraction(0), base + bonus + adjust)),
            }
        )
    return {
        "month": str(month),
        "daily": out_daily,
        "weekly": out_weekly,
        "monthly": out_monthly,
        "discrepancies": flags,
    }


OTHER_PARAMS = RuleParams(
    bonus_cap_points=Fraction(4),
    bonus_step_pct=Fraction(5),
    bonus_points_per_step=Fraction(5, 2),
    discrepancy_tolerance_pct=Fraction(0),
    target_efficiency_pct=Fraction(90),
    bonus_min_days_met_pct=Fraction(50),
)


@MORE
@given(months(), st.sampled_from([RuleParams(), OTHER_PARAMS]))
def test_engine_agrees_with_a_literal_reading_of_the_rule_book(
    inputs: MonthInput, params: RuleParams
) -> None:
    """Every printed number equals that of a naive, independent implementation of the rule book."""
    rule_set = make_rule_set(version="test", valid_from=OCTOBER, params=params)
    assert (
        compare_results(
            result_json(compute_month(inputs, rule_set)), reference_result(inputs, params), ZERO_TOLERANCE
        )
        == []
    )


@settings(max_examples=200)
@given(st.integers(-(10**9), 10**9), st.integers(0, 6), st.integers(0, 4))
def test_rounding_agrees_with_decimal_round_half_up(n: int, twos: int, places: int) -> None:
    """`round_half_up` of an exact decimal equals Decimal's ROUND_HALF_UP (halves away from zero)."""
    value = Fraction(n, 2**twos * 5**twos)
    expected = (Decimal(n) / Decimal(2**twos * 5**twos)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    assert round_half_up(value, places) == expected
