"""Property tests for rule book version 2: random version-2 months against a naive reading of the book.

The reference below reads the "Version 2" section of the rule book literally, with plain Fractions and
brute-force searches over the input lists; it shares no code with the engine beyond the data types
and the output rounding (as the version-1 reference in `test_engine_properties.py` does).
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from hub.engine.compute import MonthIndex, compute_month
from hub.engine.documents import compare_results, json_text, result_json, scenario_json
from hub.engine.errors import InputError
from hub.engine.exact import round_half_up
from hub.engine.explain import explain_day, explain_monthly
from hub.engine.model import (
    Adjustment,
    Assignment,
    Deduction,
    DeductionRange,
    ExemptPeriod,
    Grade,
    MonthInput,
    RampStep,
    Rating,
    Reject,
    RuleParams,
)
from hub.engine.rules import make_rule_set
from hub.engine.scenario import load_scenario
from tests.hub.engine.test_engine_properties import (
    DAYS,
    MORE,
    OCTOBER,
    SETTINGS,
    ZERO_TOLERANCE,
    months,
    reference_result,
    shuffled,
)

V2 = RuleParams(rule_book="v2")
OTHER_V2 = RuleParams(
    rule_book="v2",
    bonus_cap_points=Fraction(20),
    bonus_step_pct=Fraction(5),
    target_efficiency_pct=Fraction(90),
    bonus_min_days_met_pct=Fraction(50),
    discrepancy_tolerance_pct=Fraction(0),
    rating_pct=(("A", Fraction(110)), ("B", Fraction(95)), ("C", Fraction(60)), ("D", Fraction(0))),
    training_ramp=(RampStep(days=3, pct=Fraction(30)), RampStep(days=10, pct=Fraction("62.5"))),
    additions_cap_pct=Fraction(20),
    deduction_categories=(
        DeductionRange(category="quality", min_points=Fraction("0.5"), max_points=Fraction(4)),
        DeductionRange(category="noise", min_points=Fraction(1), max_points=Fraction(1)),
    ),
)
GRADE_LIST: list[Grade] = ["A", "B", "C", "D"]
POSTS = ["伙房", "保洁", "班组长"]


@st.composite
def v2_months(draw: st.DrawFn) -> MonthInput:
    """A random version-1 month (`months()`) with version 2's inputs drawn on top: some assignments
    rated or in training, exemption periods, ratings (some repeated, some for days without a rated
    post), rejects (some of steps the inmate did not hold), deductions and positive adjustments."""
    base = draw(months())
    ids = [i.id for i in base.inmates]
    workdays = list(base.workdays)
    lines = [line.code for line in base.lines]

    assignments: list[Assignment] = []
    for a in base.assignments:
        kind = draw(st.sampled_from(["counted", "counted", "rated"]))
        training = draw(st.booleans())
        if kind == "rated":
            a = replace(a, mode="rated", product="", step="", post=draw(st.sampled_from(POSTS)))
        assignments.append(replace(a, training=training, line=draw(st.sampled_from(lines))))

    inmates = []
    for inmate in base.inmates:
        periods: list[ExemptPeriod] = []
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.sampled_from(DAYS))
            end = draw(st.none() | st.sampled_from([d for d in DAYS if d >= start]))
            periods.append(ExemptPeriod(valid_from=start, valid_to=end))
        inmates.append(replace(inmate, labor_exempt=tuple(periods)))

    ratings = tuple(
        Rating(inmate=i, day=d, grade=g)
        for i, d, g in draw(
            st.lists(
                st.tuples(st.sampled_from(ids), st.sampled_from(workdays), st.sampled_from(GRADE_LIST)),
                max_size=20,
            )
        )
    )
    steps = [(p.code, s) for p in base.products for s in p.steps]
    rejects = tuple(
        Reject(inmate=i, day=d, product=ps[0], step=ps[1], units=Fraction(u))
        for i, d, ps, u in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(ids),
                    st.sampled_from(workdays),
                    st.sampled_from(steps),
                    st.integers(0, 200),
                ),
                max_size=10,
            )
        )
    )
    # Points inside both rule sets' ranges (quality 1..4 fits 1..5 and 0.5..4), plus other categories
    # that one of the rule sets refuses: the reference says which entries must be refused.
    deductions = tuple(
        Deduction(inmate=i, day=d, category=c, points=Fraction(p, 2), reason="r")
        for i, d, c, p in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(ids),
                    st.sampled_from(DAYS),
                    st.sampled_from(["quality"] * 6 + ["safety", "noise"]),
                    st.integers(1, 9),
                ),
                max_size=3,
            )
        )
    )
    adjustments = base.adjustments + tuple(
        Adjustment(inmate=i, points=Fraction(p, 2), reason="plus")
        for i, p in draw(st.lists(st.tuples(st.sampled_from(ids), st.integers(1, 40)), max_size=3))
    )
    return replace(
        base,
        inmates=tuple(inmates),
        assignments=tuple(assignments),
        ratings=ratings,
        rejects=rejects,
        deductions=deductions,
        adjustments=adjustments,
    )


# --- the rule book's version 2, read literally ----------------------------------------------------


def refusals(inputs: MonthInput, params: RuleParams) -> set[str]:
    """Every entry version 2 refuses: a deduction of an unknown category or outside its range, and
    an adjustment or deduction (of the month) for an inmate exempt on every workday of the month."""
    month = inputs.month
    days = sorted({d for d in inputs.workdays if month.contains(d)})
    periods = {i.id: i.labor_exempt for i in inputs.inmates}

    def exempt_all(inmate: str) -> bool:
        return bool(days) and all(
            any(p.valid_from <= d and (p.valid_to is None or d <= p.valid_to) for p in periods[inmate])
            for d in days
        )

    ranges = {r.category: (r.min_points, r.max_points) for r in params.deduction_categories}
    out: set[str] = set()
    for n, d in enumerate(inputs.deductions):
        if d.category not in ranges:
            out.add(f"deductions[{n}].category")
        elif not ranges[d.category][0] <= d.points <= ranges[d.category][1]:
            out.add(f"deductions[{n}].points")
        elif exempt_all(d.inmate) and month.contains(d.day):
            out.add(f"deductions[{n}]")
    for n, a in enumerate(inputs.adjustments):
        if exempt_all(a.inmate) and (a.day is None or month.contains(a.day)):
            out.add(f"adjustments[{n}]")
    return out


def reference_v2(inputs: MonthInput, params: RuleParams) -> dict[str, object]:
    """The version-2 result of a month that is not refused, in the `*.expected.json` shape."""
    month = inputs.month
    days = sorted({d for d in inputs.workdays if month.contains(d)})
    shift = {line.code: line.shift_minutes for line in inputs.lines}
    person = {i.id: i for i in inputs.inmates}
    grades_pct = dict(params.rating_pct)
    r2 = lambda v: round_half_up(v, 2)  # noqa: E731
    r1 = lambda v: round_half_up(v, 1)  # noqa: E731

    def exempt(inmate: str, day: date) -> bool:
        return any(
            p.valid_from <= day and (p.valid_to is None or day <= p.valid_to)
            for p in person[inmate].labor_exempt
        )

    def post(inmate: str, day: date) -> Assignment | None:
        if exempt(inmate, day):  # no daily record, whatever assignment they hold
            return None
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

    def minutes(inmate: str, day: date, field: str) -> Fraction:
        return sum(
            (getattr(t, field) for t in inputs.attendance if (t.inmate, t.day) == (inmate, day)), Fraction(0)
        )

    def quota(a: Assignment, day: date) -> Fraction:
        q = (
            max(Fraction(0), shift[a.line] - minutes(a.inmate, day, "excused_minutes"))
            * 60
            * params.target_efficiency_pct
            / 100
            * person[a.inmate].quota_pct
            / 100
        )
        if a.training:
            d = (day - a.valid_from).days
            pct = next((s.pct for s in params.training_ramp if s.days > d), Fraction(100))
            q = q * pct / 100
        return q

    def completion(earned: Fraction, q: Fraction) -> Decimal | None:
        return r2(100 * earned / q) if q else None

    # (inmate, day) -> (quota, earned, printed record)
    days_of: dict[tuple[str, date], tuple[Fraction, Fraction, dict[str, object]]] = {}
    flags: list[dict[str, object]] = []
    missing: list[dict[str, object]] = []
    for day in days:
        groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for i in inputs.inmates:
            a = post(i.id, day)
            if a is None:
                continue
            if a.mode == "rated":
                q = quota(a, day)
                given = [r.grade for r in inputs.ratings if (r.inmate, r.day) == (i.id, day)]
                grade = given[-1] if given else None
                earned = q * grades_pct[grade] / 100 if grade else Fraction(0)
                if grade is None and q > 0:
                    missing.append({"date": day.isoformat(), "inmate": i.id, "line": a.line, "post": a.post})
                days_of[(i.id, day)] = (
                    q,
                    earned,
                    {
                        "inmate": i.id,
                        "date": day.isoformat(),
                        "mode": "rated",
                        "line": a.line,
                        "post": a.post,
                        "grade": grade,
                        "quota_std_seconds": r2(q),
                        "earned_std_seconds": r2(earned),
                        "quota_units": None,
                        "done_units": None,
                        "diff_units": None,
                        "completion_pct": completion(earned, q),
                    },
                )
            else:
                groups[(a.line, a.product, a.step)].append(i.id)
        for (line, product, step), members in groups.items():
            w = sum(
                (x.units for x in inputs.warehoused if (x.line, x.product, x.day) == (line, product, day)),
                Fraction(0),
            )
            counts = {m: [c.units for c in inputs.counts if (c.inmate, c.day) == (m, day)] for m in members}
            credit: dict[str, Fraction] = {}
            if any(counts[m] for m in members):
                total = sum((sum(v, Fraction(0)) for v in counts.values()), Fraction(0))
                for m in members:
                    own = sum(counts[m], Fraction(0))
                    credit[m] = own * min(Fraction(1), w / total) if total else own
                if abs(total - w) > params.discrepancy_tolerance_pct / 100 * w:  # before rejects
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
                present = {m: minutes(m, day, "present_minutes") for m in members}
                total = sum(present.values(), Fraction(0))
                credit = {m: w * present[m] / total if total else Fraction(0) for m in members}
            s = seconds(product, step, day)
            for m in members:
                a = post(m, day)
                assert a is not None
                rejected = sum(
                    (
                        r.units
                        for r in inputs.rejects
                        if (r.inmate, r.day, r.product, r.step) == (m, day, product, step)
                    ),
                    Fraction(0),
                )
                done = max(Fraction(0), credit[m] - rejected)
                q = quota(a, day)
                days_of[(m, day)] = (
                    q,
                    done * s,
                    {
                        "inmate": m,
                        "date": day.isoformat(),
                        "mode": "counted",
                        "line": line,
                        "product": product,
                        "step": step,
                        "quota_std_seconds": r2(q),
                        "earned_std_seconds": r2(done * s),
                        "quota_units": r2(q / s),
                        "done_units": r2(done),
                        "diff_units": r2(done - q / s),
                        "completion_pct": completion(done * s, q),
                    },
                )

    weeks: dict[tuple[str, str], list[tuple[Fraction, Fraction]]] = defaultdict(list)
    for (m, d), (q, e, _) in days_of.items():
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
    deductions = [d for d in inputs.deductions if month.contains(d.day)]
    exempt_all = {i.id for i in inputs.inmates if days and all(exempt(i.id, d) for d in days)}
    out_monthly = []
    lines_for = {m for m, _ in days_of} | {a.inmate for a in adjustments} | {d.inmate for d in deductions}
    for m in sorted(lines_for | exempt_all):
        mine = [(q, e) for (i, _), (q, e, _) in days_of.items() if i == m]
        q = sum((x for x, _ in mine), Fraction(0))
        e = sum((y for _, y in mine), Fraction(0))
        workdays = sum(1 for x, _ in mine if x > 0)
        met = sum(1 for x, y in mine if x > 0 and y >= x)
        line: dict[str, object] = {
            "inmate": m,
            "quota_std_seconds": r2(q),
            "earned_std_seconds": r2(e),
            "completion_pct": completion(e, q),
            "workdays": workdays,
            "days_met": met,
            "labor_assessed": m not in exempt_all,
        }
        if m in exempt_all:
            for key in ("base", "bonus", "additions", "adjust", "deduct", "labor"):
                line[f"{key}_points"] = None
            out_monthly.append(line)
            continue
        base = bonus = Fraction(0)
        if q:
            ratio = e / q
            base = Fraction(r1(params.labor_base_points * min(Fraction(1), ratio)))
            if ratio > 1 and met >= params.bonus_min_days_met_pct / 100 * workdays:
                steps = math.floor((ratio * 100 - 100) / params.bonus_step_pct)
                bonus = min(params.bonus_cap_points, steps * params.bonus_points_per_step)
        mine_adj = [a.points for a in adjustments if a.inmate == m]
        positive = sum((p for p in mine_adj if p > 0), Fraction(0))
        negative = sum((p for p in mine_adj if p < 0), Fraction(0))
        additions = min(params.additions_cap_pct / 100 * params.labor_base_points, bonus + positive)
        deduct = sum((d.points for d in deductions if d.inmate == m), Fraction(0))
        line |= {
            "base_points": r1(base),
            "bonus_points": r1(bonus),
            "additions_points": r1(additions),
            "adjust_points": r1(sum(mine_adj, Fraction(0))),
            "deduct_points": r1(deduct),
            "labor_points": r1(max(Fraction(0), base + additions + negative - deduct)),
        }
        out_monthly.append(line)
    return {
        "month": str(month),
        "daily": [record for _, _, record in days_of.values()],
        "weekly": out_weekly,
        "monthly": out_monthly,
        "discrepancies": flags,
        "missing_ratings": missing,
    }


def computed(inputs: MonthInput, params: RuleParams) -> dict[str, object] | InputError:
    try:
        return result_json(
            compute_month(inputs, make_rule_set(version="test", valid_from=OCTOBER, params=params))
        )
    except InputError as err:
        return err


@MORE
@given(v2_months(), st.sampled_from([V2, OTHER_V2]))
def test_engine_agrees_with_a_literal_reading_of_version_2(inputs: MonthInput, params: RuleParams) -> None:
    """Every printed number of a random version-2 month equals that of a naive, independent reading
    of the book's version 2; and the engine refuses the month exactly when the book refuses an entry,
    naming one of those entries."""
    result = computed(inputs, params)
    refused = refusals(inputs, params)
    if refused:
        assert isinstance(result, InputError), refused
        assert result.place in refused
        return
    assert not isinstance(result, InputError), result
    assert compare_results(result, reference_v2(inputs, params), ZERO_TOLERANCE) == []


def valid(inputs: MonthInput, params: RuleParams) -> MonthInput:
    """The month without the entries the book refuses (so the other properties see whole results)."""
    refused = refusals(inputs, params)
    return replace(
        inputs,
        deductions=tuple(
            d
            for n, d in enumerate(inputs.deductions)
            if not {f"deductions[{n}]", f"deductions[{n}].points", f"deductions[{n}].category"} & refused
        ),
        adjustments=tuple(a for n, a in enumerate(inputs.adjustments) if f"adjustments[{n}]" not in refused),
    )


@SETTINGS
@given(months())
def test_a_month_without_version_2_inputs_or_positive_adjustments_gives_the_version_1_result(
    inputs: MonthInput,
) -> None:
    """With the default parameters, version 2 of a month without the new inputs and without positive
    adjustments gives version 1's numbers (plus the new fields), as the book promises."""
    inputs = replace(inputs, adjustments=tuple(a for a in inputs.adjustments if a.points <= 0))
    v1 = result_json(compute_month(inputs))
    v2 = result_json(compute_month(inputs, make_rule_set(version="v2", valid_from=OCTOBER, params=V2)))
    assert v2["missing_ratings"] == []
    new_fields = {"mode", "labor_assessed", "additions_points", "deduct_points"}
    for section in ("daily", "weekly", "monthly", "discrepancies"):
        old, new = v1[section], v2[section]
        assert isinstance(old, list)
        assert isinstance(new, list)
        stripped = [{k: v for k, v in record.items() if k not in new_fields} for record in new]
        assert sorted(map(str, stripped)) == sorted(map(str, old)), section
    assert compare_results(v1, reference_result(inputs, RuleParams()), ZERO_TOLERANCE) == []


@SETTINGS
@given(v2_months(), st.randoms(use_true_random=False))
def test_version_2_results_do_not_depend_on_the_order_of_the_input_lists(
    inputs: MonthInput, rnd: random.Random
) -> None:
    """The same version-2 inputs in any order give the same result, except where the book makes
    order meaningful: assignments of an inmate (later wins) and ratings of an inmate's day (later
    replaces earlier)."""
    inputs = valid(inputs, V2)
    mixed = shuffled(inputs, rnd)
    slots = list(inputs.ratings)
    rnd.shuffle(slots)
    own: dict[tuple[str, date], list[Rating]] = defaultdict(list)
    for r in inputs.ratings:
        own[(r.inmate, r.day)].append(r)
    ratings = tuple(own[(r.inmate, r.day)].pop(0) for r in slots)
    rejects = list(inputs.rejects)
    rnd.shuffle(rejects)
    deductions = list(inputs.deductions)
    rnd.shuffle(deductions)
    mixed = replace(mixed, ratings=ratings, rejects=tuple(rejects), deductions=tuple(deductions))
    rule_set = make_rule_set(version="v2", valid_from=OCTOBER, params=V2)
    first, second = compute_month(inputs, rule_set), compute_month(mixed, rule_set)
    assert (first.daily, first.rated, first.weekly, first.missing_ratings, first.discrepancies) == (
        second.daily,
        second.rated,
        second.weekly,
        second.missing_ratings,
        second.discrepancies,
    )
    # A monthly line keeps its deductions in input order; the numbers do not depend on it.
    assert [replace(m, deductions=()) for m in first.monthly] == [
        replace(m, deductions=()) for m in second.monthly
    ]


@SETTINGS
@given(v2_months(), st.sampled_from([V2, OTHER_V2]))
def test_every_version_2_number_is_reproduced_by_its_explanation(
    inputs: MonthInput, params: RuleParams
) -> None:
    """The explanation's plain formulas give the engine's numbers for every counted and rated day,
    every exempt day, and every monthly line (assessed or not)."""
    inputs = valid(inputs, params)
    rule_set = make_rule_set(version="v2", valid_from=OCTOBER, params=params)
    result = compute_month(inputs, rule_set)
    index = MonthIndex(inputs, rule_set)
    for r in (*result.daily, *result.rated):
        explain_day(index, r.inmate, r.day)  # raises EngineError if it cannot reproduce the record
    for m in result.monthly:
        text = explain_monthly(index, m.inmate).render("en")
        expected = (
            f"labor_points {round_half_up(m.labor_points, 1)}" if m.labor_assessed else "labor_points null"
        )
        assert expected in text


@SETTINGS
@given(v2_months())
def test_a_version_2_month_exported_as_a_scenario_file_computes_the_same(inputs: MonthInput) -> None:
    """`scenario_json(..., book="v2")` then `load_scenario` gives back every version-2 input."""
    scenario = load_scenario(json.loads(json_text(scenario_json(inputs, book="v2")), parse_float=Decimal))
    assert scenario.book == "v2"
    assert scenario.inputs == inputs


def test_the_version_2_defaults_are_the_books_table() -> None:
    """The defaults the reference and the engine share are the book's table "Version-2 parameters"."""
    assert dict(V2.rating_pct) == {"A": 100, "B": 90, "C": 75, "D": 50}
    assert [(s.days, s.pct) for s in V2.training_ramp] == [(7, 50), (14, 75)]
    assert V2.additions_cap_pct == 50
    assert {r.category: (r.min_points, r.max_points) for r in V2.deduction_categories} == {
        "quality": (1, 5),
        "safety": (2, 10),
        "discipline": (1, 3),
        "equipment": (1, 5),
    }
