"""Table tests for each rule of rule book version 2, at its edges.

Each test builds a small version-2 scenario document (the public file format) and checks what the
board, the weekly review or the monthly score would show.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from hub.engine.compute import MonthIndex, compute_line_day, compute_month
from hub.engine.documents import result_json
from hub.engine.model import MonthResult, RatedRecord, Rating, Reject
from hub.engine.scenario import load_scenario
from tests.hub.engine.engine_cases import MON, daily, doc, monthly, run

TUE, WED = "2026-10-06", "2026-10-07"


def v2(**changes: Any) -> dict[str, Any]:
    document = doc(**changes)
    document["rule_book"] = "v2"
    return document


def rated(result: MonthResult, inmate: str, day: str = MON) -> RatedRecord:
    (record,) = [r for r in result.rated if r.inmate == inmate and r.day == date.fromisoformat(day)]
    return record


def cook(**extra: Any) -> dict[str, Any]:
    """i1 on a rated post (伙房) of line L1 (480 min): quota 28800 standard seconds a day."""
    return {"inmate": "i1", "line": "L1", "mode": "rated", "post": "伙房", "from": "2026-10-01"} | extra


# --- rated posts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "earned"), [("A", 28800), ("B", 25920), ("C", 21600), ("D", 14400)])
def test_a_rated_day_earns_the_quota_times_the_grades_percentage(grade: str, earned: int) -> None:
    """earned = quota × rating_pct(grade) / 100 with the defaults A 100, B 90, C 75, D 50."""
    document = v2(assignments=[cook()], ratings=[{"date": MON, "inmate": "i1", "grade": grade}])
    record = rated(run(document), "i1")
    assert (record.quota_std_seconds, record.earned_std_seconds, record.grade) == (28800, earned, grade)
    assert record.completion_pct == Fraction(earned * 100, 28800)


def test_a_later_rating_of_the_same_day_replaces_the_earlier() -> None:
    """The officer corrects a grade by giving it again: the later listed one counts."""
    ratings = [{"date": MON, "inmate": "i1", "grade": g} for g in ("D", "A", "C")]
    assert rated(run(v2(assignments=[cook()], ratings=ratings)), "i1").grade == "C"


def test_a_day_without_a_rating_earns_0_and_is_listed_as_missing() -> None:
    """No grade: earned 0, completion 0, and the day is in missing_ratings until graded."""
    result = run(v2(assignments=[cook()]))
    record = rated(result, "i1")
    assert (record.grade, record.earned_std_seconds, record.completion_pct) == (None, 0, 0)
    printed = result_json(result)
    assert printed["missing_ratings"] == [{"date": MON, "inmate": "i1", "line": "L1", "post": "伙房"}]


def test_a_fully_excused_rated_day_is_not_missing_a_rating() -> None:
    """Quota 0 (excused the whole shift): nothing to grade, so it is not listed as missing."""
    attendance = [{"inmate": "i1", "date": MON, "present_minutes": 0, "excused_minutes": 480}]
    result = run(v2(assignments=[cook()], attendance=attendance))
    assert rated(result, "i1").quota_std_seconds == 0
    assert result.missing_ratings == ()


def test_rated_quota_follows_shift_excused_efficiency_and_quota_level() -> None:
    """A rated day's quota is a counted day's: (shift − excused) × 60 × efficiency × quota_pct."""
    document = v2(
        assignments=[cook()],
        inmates=[{"id": "i1", "quota_pct": 80}],
        attendance=[{"inmate": "i1", "date": MON, "present_minutes": 300, "excused_minutes": 180}],
        ratings=[{"date": MON, "inmate": "i1", "grade": "B"}],
        rules={"target_efficiency_pct": "90"},
    )
    record = rated(run(document), "i1")
    assert record.quota_std_seconds == 300 * 60 * Fraction(90, 100) * Fraction(80, 100)
    assert record.earned_std_seconds == record.quota_std_seconds * Fraction(9, 10)


def test_rated_days_print_a_post_and_a_grade_and_no_units() -> None:
    """The daily record of a rated day: mode rated, post, grade; quota/done/diff units are null."""
    document = v2(assignments=[cook()], ratings=[{"date": MON, "inmate": "i1", "grade": "A"}])
    (printed,) = result_json(run(document))["daily"]  # type: ignore[misc]
    assert printed == {
        "inmate": "i1",
        "date": MON,
        "mode": "rated",
        "line": "L1",
        "post": "伙房",
        "grade": "A",
        "quota_std_seconds": 28800,
        "earned_std_seconds": 28800,
        "quota_units": None,
        "done_units": None,
        "diff_units": None,
        "completion_pct": 100,
    }


def test_a_rating_without_a_rated_post_that_day_is_ignored() -> None:
    """A grade for an inmate on a counted step (or without an assignment) changes nothing."""
    base = run(v2())
    graded = run(v2(ratings=[{"date": MON, "inmate": "i2", "grade": "D"}]))
    assert graded.daily == base.daily
    assert graded.monthly == base.monthly


def test_rated_days_count_like_counted_days_in_the_month_and_the_week() -> None:
    """completion, workdays and days_met, and the weekly sums, include rated days."""
    document = v2(
        workdays=[MON, TUE, WED],
        assignments=[cook()],
        attendance=[],
        ratings=[
            {"date": MON, "inmate": "i1", "grade": "A"},
            {"date": TUE, "inmate": "i1", "grade": "B"},
        ],
    )
    result = run(document)
    score = monthly(result, "i1")
    assert (score.workdays, score.days_met) == (3, 1)
    assert score.completion_pct == Fraction(100 * (28800 + 25920), 3 * 28800)
    assert score.base_points == 19  # 30 × 54720/86400, rounded to 0.1
    (week,) = result.weekly
    assert (week.quota_std_seconds, week.earned_std_seconds) == (3 * 28800, 28800 + 25920)


# --- labor exemption ------------------------------------------------------------------------------


def test_an_exempt_day_has_no_record_and_the_inmate_does_not_share_the_warehouse() -> None:
    """Inside an exemption period: no daily record, whatever the assignment; the group shares W
    without the exempt inmate (his presence and counts take no part)."""
    document = v2(workdays=[MON, TUE], warehoused=[{"line": "L1", "product": "P", "date": MON, "units": 480}])
    document["inmates"][0]["labor_exempt"] = [{"from": MON, "to": MON}]
    result = run(document)
    assert [(r.inmate, r.day.isoformat()) for r in result.daily if r.inmate == "i1"] == [("i1", TUE)]
    assert daily(result, "i2").done_units == 240  # W 480 shared by i2 and i3 only
    (score,) = [m for m in result.monthly if m.inmate == "i1"]
    assert (score.workdays, score.labor_assessed) == (1, True)


def test_an_inmate_exempt_on_every_workday_has_an_unassessed_line_even_without_an_assignment() -> None:
    """labor_assessed false and every point null, so the scoring database applies the exempt split."""
    document = v2(
        inmates=[{"id": "i1"}, {"id": "i2"}, {"id": "i3"}, {"id": "i4", "labor_exempt": [{"from": MON}]}]
    )
    printed = result_json(run(document))
    (line,) = [m for m in printed["monthly"] if m["inmate"] == "i4"]  # type: ignore[union-attr, index]
    assert line == {
        "inmate": "i4",
        "quota_std_seconds": 0,
        "earned_std_seconds": 0,
        "completion_pct": None,
        "workdays": 0,
        "days_met": 0,
        "labor_assessed": False,
        "base_points": None,
        "bonus_points": None,
        "additions_points": None,
        "adjust_points": None,
        "deduct_points": None,
        "labor_points": None,
    }
    assert all(w.inmate != "i4" for w in run(document).weekly)


def test_exemption_periods_are_inclusive_and_open_ended() -> None:
    """`from` and `to` are both exempt days; without `to` the period has no end."""
    document = v2(workdays=[MON, TUE, WED])
    document["inmates"][0]["labor_exempt"] = [{"from": TUE, "to": TUE}]
    document["inmates"][1]["labor_exempt"] = [{"from": TUE}]
    result = run(document)
    days = {(r.inmate, r.day.isoformat()) for r in result.daily}
    assert {("i1", MON), ("i1", WED), ("i2", MON)} <= days
    assert not {("i1", TUE), ("i2", TUE), ("i2", WED)} & days


# --- training -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "pct"),
    [
        (MON, 50),  # d = 0: the first day
        ("2026-09-29", 50),  # d = 6: still below days 7
        ("2026-09-28", 75),  # d = 7: the first step with days > 7 is days 14
        ("2026-09-22", 75),  # d = 13
        ("2026-09-21", 100),  # d = 14: no step has days > 14
    ],
)
def test_training_quota_follows_the_ramp_from_the_assignments_start(start: str, pct: int) -> None:
    """quota × training_pct/100, training_pct the pct of the first ramp step whose days > d."""
    assignment = {"inmate": "i1", "line": "L1", "product": "P", "step": "A", "from": start, "training": True}
    record = daily(run(v2(assignments=[assignment])), "i1")
    assert record.quota_std_seconds == 28800 * Fraction(pct, 100)
    assert record.training_pct == pct


def test_training_applies_to_rated_posts_and_a_site_ramp_replaces_the_default() -> None:
    """A rated post in training owes the ramp's share; a `training_ramp` parameter replaces the whole
    table (an empty ramp: full quota from day one)."""
    document = v2(
        assignments=[cook(training=True, **{"from": MON})],
        ratings=[{"date": MON, "inmate": "i1", "grade": "A"}],
    )
    assert rated(run(document), "i1").quota_std_seconds == 14400
    document["rules"] = {"training_ramp": [{"days": 1, "pct": "20"}]}
    assert rated(run(document), "i1").quota_std_seconds == 5760
    document["rules"] = {"training_ramp": []}
    assert rated(run(document), "i1").quota_std_seconds == 28800


def test_without_the_training_flag_a_new_step_owes_the_full_quota() -> None:
    """Only an assignment marked training has a ramp."""
    assignment = {"inmate": "i1", "line": "L1", "product": "P", "step": "A", "from": MON}
    record = daily(run(v2(assignments=[assignment])), "i1")
    assert (record.quota_std_seconds, record.training_pct) == (28800, None)


# --- rejects --------------------------------------------------------------------------------------


def rejects_doc(*rejects: tuple[str, str, int], counts: list[int] | None = None) -> dict[str, Any]:
    document = v2(
        rejects=[{"date": MON, "inmate": i, "product": "P", "step": s, "units": u} for i, s, u in rejects]
    )
    if counts is not None:
        document["counts"] = [{"inmate": f"i{n + 1}", "date": MON, "units": c} for n, c in enumerate(counts)]
    return document


def test_rejects_come_off_the_inmates_shared_credit() -> None:
    """After sharing (time mode: 160 units each), i1's 30 rejects leave him 130; others keep theirs."""
    result = run(rejects_doc(("i1", "A", 20), ("i1", "A", 10)))
    assert (daily(result, "i1").done_units, daily(result, "i1").earned_std_seconds) == (130, 130 * 60)
    assert daily(result, "i1").rejected_units == 30
    assert daily(result, "i2").done_units == 160


def test_rejects_never_take_the_credit_below_0() -> None:
    result = run(rejects_doc(("i1", "A", 500)))
    assert daily(result, "i1").done_units == 0
    assert daily(result, "i1").earned_std_seconds == 0


def test_rejects_of_a_step_the_inmate_did_not_hold_that_day_are_ignored() -> None:
    """i1 is on step A: rejects traced to his step B that day change nothing."""
    assert run(rejects_doc(("i1", "B", 50))).daily == run(v2()).daily


def test_the_discrepancy_check_uses_the_counts_before_rejects() -> None:
    """Counts 160 each equal W 480: no flag, even though rejects leave fewer credited units."""
    result = run(rejects_doc(("i1", "A", 100), counts=[160, 160, 160]))
    assert result.discrepancies == ()
    assert daily(result, "i1").done_units == 60


# --- deductions and the additions cap -------------------------------------------------------------


def scored(**changes: Any) -> dict[str, Any]:
    """i1 alone at 120 % on 5 days (every day met): base 30, bonus 2 steps × 3 = 6."""
    days = [MON, TUE, WED, "2026-10-08", "2026-10-09"]
    return v2(
        workdays=days,
        inmates=[{"id": "i1"}],
        assignments=[{"inmate": "i1", "line": "L1", "product": "P", "step": "A", "from": "2026-10-01"}],
        attendance=[{"inmate": "i1", "date": d, "present_minutes": 480} for d in days],
        warehoused=[{"line": "L1", "product": "P", "date": d, "units": 576} for d in days],
        **changes,
    )


@pytest.mark.parametrize(
    ("adjustments", "additions", "labor"),
    [
        ([], 6, 36),  # bonus alone, under the cap of 50 % × 30 = 15
        (["9"], 15, 45),  # bonus 6 + 9 = 15: exactly the cap
        (["12"], 15, 45),  # 18 capped at 15
        (["12", "-4"], 15, 41),  # negative adjustments are not part of the additions
        (["-40"], 6, 0),  # never below 0
    ],
)
def test_additions_are_capped_at_half_the_base(adjustments: list[str], additions: int, labor: int) -> None:
    """additions = min(additions_cap_pct % × labor_base_points, bonus + Σpositive adjustments);
    labor = max(0, base + additions + Σnegative adjustments − deductions)."""
    document = scored(adjustments=[{"inmate": "i1", "points": p, "reason": "r"} for p in adjustments])
    score = monthly(run(document), "i1")
    assert (score.base_points, score.bonus_points) == (30, 6)
    assert (score.additions_points, score.labor_points) == (additions, labor)


def test_the_bonus_before_the_cap_is_shown_and_a_site_may_set_the_cap() -> None:
    """bonus_points is the bonus before the cap; additions_cap_pct 10 caps additions at 3."""
    score = monthly(run(scored(rules={"additions_cap_pct": "10"})), "i1")
    assert (score.bonus_points, score.additions_points, score.labor_points) == (6, 3, 33)


def test_deductions_come_off_after_the_cap_and_are_listed() -> None:
    """deduct_points is their sum (positive); each deduction stays on the line for the monthly page."""
    deductions = [
        {"date": MON, "inmate": "i1", "category": "safety", "points": "6", "reason": "未戴防护手套"},
        {"date": TUE, "inmate": "i1", "category": "quality", "points": "1.5", "reason": "漏针"},
        {"date": "2026-11-02", "inmate": "i1", "category": "quality", "points": "5", "reason": "next month"},
    ]
    score = monthly(
        run(scored(deductions=deductions, adjustments=[{"inmate": "i1", "points": "20", "reason": "r"}])),
        "i1",
    )
    assert (score.additions_points, score.deduct_points, score.labor_points) == (
        15,
        Fraction(15, 2),
        Fraction(75, 2),
    )
    assert [(d.category, d.points, d.reason) for d in score.deductions] == [
        ("safety", 6, "未戴防护手套"),
        ("quality", Fraction(3, 2), "漏针"),
    ]


def test_a_deduction_alone_makes_a_monthly_line() -> None:
    """An inmate with no assignment on a workday but a deduction in the month has a monthly line."""
    document = v2(
        inmates=[{"id": "i1"}, {"id": "i2"}, {"id": "i3"}, {"id": "i9"}],
        deductions=[
            {"date": MON, "inmate": "i9", "category": "equipment", "points": "2", "reason": "剪刀未归还"}
        ],
    )
    score = monthly(run(document), "i9")
    assert (score.workdays, score.base_points, score.deduct_points, score.labor_points) == (0, 0, 2, 0)
    assert score.labor_assessed


# --- recomputing one line-day (the hub after each new grade or reject) ----------------------------


def test_a_new_grade_or_reject_names_its_line_day_and_recomputes_like_the_whole_month() -> None:
    """`add_rating` / `add_reject` fold one record into the month's index and say which line-day to
    recompute; that line-day then equals the whole month computed with the record in its inputs.
    Records that change nothing (no rated post, another step, not a workday) name no line-day."""
    document = v2(assignments=[cook(), *doc()["assignments"][1:]])
    scenario = load_scenario(document)
    rule_set = scenario.rule_set()
    index = MonthIndex(scenario.inputs, rule_set)
    monday = date.fromisoformat(MON)
    grade = Rating(inmate="i1", day=monday, grade="B")
    reject = Reject(inmate="i2", day=monday, product="P", step="A", units=Fraction(7))
    assert index.add_rating(grade) == ("L1", monday)
    assert index.add_reject(reject) == ("L1", monday)
    assert index.add_rating(Rating(inmate="i2", day=monday, grade="A")) is None  # i2 is on a counted step
    assert index.add_reject(replace(reject, step="B")) is None  # i2 did not hold step B
    assert index.add_rating(replace(grade, day=date(2026, 10, 4))) is None  # a Sunday, not a workday
    line_day = compute_line_day(index, "L1", monday)
    whole = compute_month(replace(scenario.inputs, ratings=(grade,), rejects=(reject,)), rule_set)
    assert (line_day.records, line_day.rated) == (whole.daily, whole.rated)
    assert rated(whole, "i1").grade == "B"
    assert daily(whole, "i2").rejected_units == 7
