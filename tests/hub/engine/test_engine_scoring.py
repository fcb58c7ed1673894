"""Table tests for the monthly score, assignments, standard times, weeks, rule sets and rounding of
the labor-assessment rule book, at their edges (the quota and credit rules are in test_engine_rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from hub.engine.compute import MonthIndex, compute_line_day
from hub.engine.errors import MissingStandardTimeError
from hub.engine.exact import round_half_up
from hub.engine.model import Count, Month
from hub.engine.rules import DEFAULT_RULE_BOOK, RULEBOOK_VERSION, parse_rule_book
from hub.engine.scenario import load_scenario
from tests.hub.engine.engine_cases import MON, Doc, doc, monthly, one_inmate, run

# --- monthly score -------------------------------------------------------------------------------


def month_doc(daily_units: list[int], **changes: Any) -> Doc:
    """i1 alone on step A (60 s), full presence, with the given warehoused units on successive days."""
    days = [f"2026-10-{d:02d}" for d in (5, 6, 7, 8, 9, 12, 13, 14, 15, 16)][: len(daily_units)]
    values: dict[str, Any] = {
        "workdays": days,
        "attendance": [{"inmate": "i1", "date": d, "present_minutes": 480} for d in days],
        "warehoused": [
            {"line": "L1", "product": "P", "date": d, "units": u}
            for d, u in zip(days, daily_units, strict=True)
        ],
    }
    values.update(changes)
    return one_inmate(**values)


@pytest.mark.parametrize(
    ("units", "completion", "base"),
    [
        ([240], 50, Fraction("15.0")),
        ([363], Fraction(36300, 480), Fraction("22.7")),  # 22.6875 rounds up
        ([362], Fraction(36200, 480), Fraction("22.6")),  # 22.625: below the half of 22.6|22.7
        (
            [3624, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            Fraction(362400, 4800),
            Fraction("22.7"),
        ),  # 22.65 exactly: half up
        ([0], 0, 0),
    ],
)
def test_base_points_are_deducted_in_proportion_and_rounded_half_up_to_a_tenth(
    units: list[int], completion: Fraction, base: Fraction
) -> None:
    """base = labor_base_points × completion below 100 %, rounded half up to 0.1 before it is added."""
    score = monthly(run(month_doc(units)), "i1")
    assert score.completion_pct == completion
    assert score.base_points == base
    assert score.labor_points == base


@pytest.mark.parametrize(
    ("units", "days_met", "bonus"),
    [
        ([528] * 5, 5, 3),  # 110 % exactly: one full step of 10 %
        ([527] * 5, 5, 0),  # 109.79 %: no full step
        ([576] * 5, 5, 6),  # 120 %: two steps
        ([600, 600, 600, 600, 480], 5, 6),  # 120 % over the month, one day only just met
        ([960] * 5, 5, 15),  # 200 %: ten steps, capped at 15
        ([660, 660, 660, 660, 0], 4, 3),  # days met exactly 80 % of workdays (4 of 5): bonus
        ([880, 880, 880, 0, 0], 3, 0),  # 110 % but only 3 of 5 days met: not sustained
    ],
)
def test_bonus_needs_sustained_over_fulfilment_and_is_capped(
    units: list[int], days_met: int, bonus: int
) -> None:
    """bonus = min(cap, floor((completion − 100 %) / step %) × points) when days_met ≥ 80 % × workdays."""
    score = monthly(run(month_doc(units)), "i1")
    assert score.days_met == days_met
    assert score.bonus_points == bonus
    assert score.labor_points == score.base_points + bonus


def test_bonus_threshold_exactly_met_and_just_missed_in_days() -> None:
    """With 10 workdays, 8 days met (80 %) earns the bonus and 7 does not."""
    met_8 = monthly(run(month_doc([600] * 8 + [300] * 2)), "i1")  # completion 112.5 %
    met_7 = monthly(run(month_doc([660] * 7 + [330] * 3)), "i1")  # completion 116.875 %
    assert (met_8.days_met, met_8.bonus_points) == (8, 3)
    assert (met_7.days_met, met_7.bonus_points) == (7, 0)
    assert met_7.completion_pct is not None
    assert met_7.completion_pct > 110


@pytest.mark.parametrize(("cap", "bonus"), [("4", 4), ("15", 15), ("0", 0), ("100", 30)])
def test_bonus_cap_is_a_rule_parameter(cap: str, bonus: int) -> None:
    """The bonus never exceeds `bonus_cap_points` of the rule set in force."""
    score = monthly(run(month_doc([960] * 5, rules={"bonus_cap_points": cap})), "i1")
    assert score.bonus_points == bonus


@pytest.mark.parametrize(
    ("points", "labor"),
    [
        (["-1.5"], Fraction("28.5")),
        (["2", "-0.5"], Fraction("31.5")),
        (["-40"], 0),
        (["-29.95"], Fraction("0.05")),
    ],
)
def test_adjustments_add_to_the_score_which_never_goes_below_zero(points: list[str], labor: Fraction) -> None:
    """labor_points = max(0, base + bonus + Σadjustments)."""
    adjustments = [{"inmate": "i1", "points": p, "reason": "质量问题"} for p in points]
    score = monthly(run(one_inmate(adjustments=adjustments)), "i1")
    assert score.adjust_points == sum(Fraction(p) for p in points)
    assert score.labor_points == labor


def test_an_adjustment_alone_makes_a_monthly_line() -> None:
    """An inmate with no assignment but an adjustment in the month gets a line with no quota."""
    document = one_inmate(adjustments=[{"inmate": "i2", "points": "2", "reason": "安全生产表扬"}])
    document["inmates"].append({"id": "i2"})
    score = monthly(run(document), "i2")
    assert (score.quota_std_seconds, score.completion_pct, score.workdays, score.base_points) == (
        0,
        None,
        0,
        0,
    )
    assert (score.adjust_points, score.labor_points) == (2, 2)


def test_adjustment_dated_outside_the_month_is_not_counted() -> None:
    """An adjustment with a date in another month does not belong to this month's score."""
    adjustments = [
        {"inmate": "i1", "points": "-1", "reason": "in", "date": "2026-10-20"},
        {"inmate": "i1", "points": "-5", "reason": "out", "date": "2026-11-02"},
    ]
    assert monthly(run(one_inmate(adjustments=adjustments)), "i1").adjust_points == -1


def test_inmate_without_assignment_or_adjustment_has_no_lines() -> None:
    """Attendance alone does not make daily, weekly or monthly lines."""
    document = one_inmate()
    document["inmates"].append({"id": "i2"})
    document["attendance"].append({"inmate": "i2", "date": MON, "present_minutes": 480})
    result = run(document)
    assert {r.inmate for r in result.daily} | {m.inmate for m in result.monthly} == {"i1"}


# --- assignments and standard times --------------------------------------------------------------


@pytest.mark.parametrize(("later_step", "expected_step"), [("B", "B"), ("A", "A")])
def test_overlapping_assignments_the_later_listed_wins(later_step: str, expected_step: str) -> None:
    """Where two assignments of an inmate cover a day, the one listed later is in force."""
    earlier = "A" if later_step == "B" else "B"
    document = one_inmate(
        assignments=[
            {"inmate": "i1", "line": "L1", "product": "P", "step": earlier, "from": "2026-10-01"},
            {
                "inmate": "i1",
                "line": "L1",
                "product": "P",
                "step": later_step,
                "from": "2026-09-01",
                "to": MON,
            },
        ]
    )
    result = run(document)
    assert [r.step for r in result.daily] == [expected_step]


def test_assignment_bounds_are_inclusive() -> None:
    """An assignment covers its `from` and its `to` day, and no day outside them."""
    days = ["2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"]
    document = one_inmate(
        workdays=days,
        assignments=[
            {"inmate": "i1", "line": "L1", "product": "P", "step": "A", "from": days[1], "to": days[2]}
        ],
    )
    assert [r.day.isoformat() for r in run(document).daily] == days[1:3]


def test_a_later_assignment_moves_the_inmate_for_its_days_only() -> None:
    """A short later assignment to another line overrides the open one only while it lasts."""
    days = ["2026-10-05", "2026-10-06", "2026-10-07"]
    document = one_inmate(workdays=days)
    document["lines"].append({"code": "L2", "shift_minutes": 450})
    document["assignments"].append(
        {"inmate": "i1", "line": "L2", "product": "P", "step": "B", "from": days[1], "to": days[1]}
    )
    assert [(r.line, r.step) for r in run(document).daily] == [("L1", "A"), ("L2", "B"), ("L1", "A")]


def test_standard_time_change_mid_month_applies_from_its_day() -> None:
    """A day uses the standard-time version with the latest `from` not after it."""
    days = ["2026-10-14", "2026-10-15", "2026-10-16"]
    document = one_inmate(
        workdays=days,
        attendance=[{"inmate": "i1", "date": d, "present_minutes": 480} for d in days],
        warehoused=[{"line": "L1", "product": "P", "date": d, "units": 400} for d in days],
    )
    document["standard_times"] += [
        {"product": "P", "step": "A", "from": "2026-10-15", "seconds": "72"},
        {"product": "P", "step": "A", "from": "2026-11-01", "seconds": "1"},
    ]
    result = run(document)
    assert [(r.standard_seconds, r.standard_from.isoformat()) for r in result.daily] == [
        (60, "2026-01-01"),
        (72, "2026-10-15"),
        (72, "2026-10-15"),
    ]
    assert [r.earned_std_seconds for r in result.daily] == [24000, 28800, 28800]
    assert [r.quota_units for r in result.daily] == [480, 400, 400]


def test_missing_standard_time_names_the_assignment() -> None:
    """A step assigned on a day before any standard-time version is an input error, not a crash."""
    document = one_inmate()
    document["standard_times"][0]["from"] = "2026-10-06"
    with pytest.raises(MissingStandardTimeError, match=r"assignments\[0\]: no standard time .* 2026-10-05"):
        run(document)


# --- the month and its weeks ---------------------------------------------------------------------


def test_workdays_outside_the_month_are_ignored() -> None:
    """Workdays of September or November in an October file make no records and no weekly sums."""
    days = ["2026-09-30", "2026-10-01", "2026-10-30", "2026-11-02"]
    document = one_inmate(
        workdays=days,
        attendance=[{"inmate": "i1", "date": d, "present_minutes": 480} for d in days],
        warehoused=[{"line": "L1", "product": "P", "date": d, "units": 480} for d in days],
        counts=[{"inmate": "i1", "date": "2026-09-30", "units": 5}],
    )
    result = run(document)
    assert [r.day.isoformat() for r in result.daily] == ["2026-10-01", "2026-10-30"]
    assert [w.week for w in result.weekly] == ["2026-W40", "2026-W44"]
    assert monthly(result, "i1").workdays == 2
    assert result.discrepancies == ()


def test_duplicate_workdays_count_once() -> None:
    """A day listed twice in `workdays` is one workday."""
    assert len(run(one_inmate(workdays=[MON, MON])).daily) == 1


def test_iso_weeks_that_straddle_months_sum_only_the_months_days() -> None:
    """2026-W40 runs Sep 28 – Oct 4; the October review sums Oct 1 and 2 only."""
    days = ["2026-09-28", "2026-09-29", "2026-10-01", "2026-10-02", "2026-10-05"]
    document = one_inmate(
        workdays=days,
        attendance=[{"inmate": "i1", "date": d, "present_minutes": 480} for d in days],
        warehoused=[{"line": "L1", "product": "P", "date": d, "units": 480} for d in days],
    )
    weeks = {w.week: w for w in run(document).weekly}
    assert list(weeks) == ["2026-W40", "2026-W41"]
    assert (weeks["2026-W40"].days, weeks["2026-W40"].quota_std_seconds) == (2, 2 * 28800)
    assert weeks["2026-W41"].days == 1


def test_weeks_are_labelled_with_the_iso_year() -> None:
    """January 1, 2027 is in ISO week 2026-W53; December 28, 2026 is in 2026-W53 too."""
    document = one_inmate(month="2027-01", workdays=["2027-01-01", "2027-01-04"])
    document["attendance"] = []
    assert [w.week for w in run(document).weekly] == ["2026-W53", "2027-W01"]
    document = one_inmate(month="2026-12", workdays=["2026-12-28"], attendance=[])
    assert [w.week for w in run(document).weekly] == ["2026-W53"]


def test_weekly_line_includes_zero_quota_days_and_has_no_completion_without_quota() -> None:
    """A fully excused week has quota 0 and completion none, but still a weekly line."""
    result = run(one_inmate(present=0, excused=480))
    (week,) = result.weekly
    assert (week.days, week.quota_std_seconds, week.completion_pct) == (1, 0, None)


# --- rule sets -----------------------------------------------------------------------------------


def test_rule_set_versions_apply_by_month() -> None:
    """A site version from 2027-01 changes nothing before it and applies from then on."""
    site = parse_rule_book(
        {"versions": [{"version": "JX-2027", "from": "2027-01", "parameters": {"bonus_cap_points": "10"}}]},
        "rules",
        label="site",
    )
    book = DEFAULT_RULE_BOOK.then(site)
    december, january = book.for_month(Month.parse("2026-12")), book.for_month(Month.parse("2027-01"))
    assert (december.version, december.params.bonus_cap_points) == (RULEBOOK_VERSION, 15)
    assert (january.version, january.params.bonus_cap_points) == (f"{RULEBOOK_VERSION}+JX-2027", 10)
    assert str(january.valid_from) == "2027-01"
    assert december.digest != january.digest


def test_result_records_the_rule_set_that_produced_it() -> None:
    """The scenario's own rules are layered on the rule book, and the result names both."""
    result = run(one_inmate(rules={"bonus_cap_points": "4"}))
    assert result.rule_set.version == f"{RULEBOOK_VERSION}+scenario"
    assert result.rule_set.params.bonus_cap_points == 4
    assert run(one_inmate()).rule_set.version == RULEBOOK_VERSION


def test_site_rules_win_over_the_scenario_rules() -> None:
    """`--rules FILE` is layered after the scenario's `rules`, so it wins for the same parameter."""
    scenario = load_scenario(one_inmate(rules={"bonus_cap_points": "4", "bonus_step_pct": "5"}))
    site = parse_rule_book({"bonus_cap_points": "7"}, "", label="jx")
    rule_set = scenario.rule_set(site)
    assert (rule_set.params.bonus_cap_points, rule_set.params.bonus_step_pct) == (7, 5)
    assert rule_set.version == f"{RULEBOOK_VERSION}+scenario+jx"


# --- line-days and rounding ----------------------------------------------------------------------


def test_one_line_day_recomputes_after_a_new_count() -> None:
    """`add_count` names the line-day a count changes; recomputing just it gives the new records."""
    scenario = load_scenario(doc())
    index = MonthIndex(scenario.inputs, scenario.rule_set())
    before = compute_line_day(index, "L1", date(2026, 10, 5))
    assert {r.mode for r in before.records} == {"time"}
    key = index.add_count(Count(inmate="i1", day=date(2026, 10, 5), units=Fraction(500)))
    assert key == ("L1", date(2026, 10, 5))
    after = compute_line_day(index, *key)
    assert [r.done_units for r in after.records] == [480, 0, 0]
    assert len(after.discrepancies) == 1
    assert (
        index.add_count(Count(inmate="i1", day=date(2026, 10, 4), units=Fraction(1))) is None
    )  # not a workday


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Fraction(2345, 1000), 2, "2.35"),
        (Fraction(-2345, 1000), 2, "-2.35"),
        (Fraction(2344999, 1000000), 2, "2.34"),
        (Fraction(1, 3), 2, "0.33"),
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(-1, 300), 2, "0.00"),
        (Fraction(2265, 100), 1, "22.7"),
        (Fraction(30), 1, "30.0"),
    ],
)
def test_rounding_is_half_up_on_output_only(value: Fraction, places: int, shown: str) -> None:
    """Shown values round half away from zero (四舍五入); tiny negatives show as 0."""
    assert f"{round_half_up(value, places):f}" == shown
    assert abs(
        round_half_up(value, places) - Decimal(value.numerator) / Decimal(value.denominator)
    ) <= Decimal("0.5").scaleb(-places)
