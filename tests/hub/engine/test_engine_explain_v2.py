"""Version 2 explanations: a rated day, an exempt day, a training day, rejects, the additions cap
and each deduction explain themselves in Chinese and in English."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hub.engine.compute import MonthIndex
from hub.engine.errors import EngineError
from hub.engine.explain import explain_daily, explain_day, explain_monthly, explain_rated
from hub.engine.scenario import load_scenario
from tests.hub.engine.engine_cases import MON, doc

TUE = "2026-10-06"
MONDAY, TUESDAY = date(2026, 10, 5), date(2026, 10, 6)


def index_of(**changes: Any) -> MonthIndex:
    """Version 2, two workdays: i1 cook (rated, 伙房), i2 trainee on step A since Monday, i3 on step A
    with rejects, i4 exempt all month; deductions and adjustments for i3."""
    document = doc(
        workdays=[MON, TUE],
        inmates=[
            {"id": "i1", "name": "刘德明"},
            {"id": "i2"},
            {"id": "i3"},
            {"id": "i4", "labor_exempt": [{"from": "2026-08-15"}]},
        ],
        assignments=[
            {"inmate": "i1", "line": "L1", "mode": "rated", "post": "伙房", "from": "2026-06-01"},
            {"inmate": "i2", "line": "L1", "product": "P", "step": "A", "from": MON, "training": True},
            {"inmate": "i3", "line": "L1", "product": "P", "step": "A", "from": "2026-09-01"},
            {"inmate": "i4", "line": "L1", "product": "P", "step": "A", "from": "2026-09-01"},
        ],
        attendance=[{"inmate": i, "date": MON, "present_minutes": 480} for i in ("i1", "i2", "i3")],
        warehoused=[{"line": "L1", "product": "P", "date": MON, "units": 900}],
        ratings=[{"date": MON, "inmate": "i1", "grade": "C"}, {"date": MON, "inmate": "i1", "grade": "B"}],
        rejects=[{"date": MON, "inmate": "i3", "product": "P", "step": "A", "units": 50}],
        deductions=[
            {"date": MON, "inmate": "i3", "category": "safety", "points": "6", "reason": "未戴防护手套操作"},
            {"date": TUE, "inmate": "i3", "category": "quality", "points": "2", "reason": "尺寸超差"},
        ],
        adjustments=[{"inmate": "i3", "points": "14", "reason": "技术革新"}],
    )
    document["rule_book"] = "v2"
    document.update(changes)
    scenario = load_scenario(document)
    return MonthIndex(scenario.inputs, scenario.rule_set())


def both(explanation: Any) -> tuple[str, str]:
    return explanation.render("zh"), explanation.render("en")


def test_a_rated_day_explains_quota_grade_percentage_and_earned() -> None:
    """The post, the quota formula, the grade with its word and percentage, a replaced grade, earned."""
    zh, en = both(explain_rated(index_of(), "i1", MONDAY))
    for expected in [
        'rated post "伙房" on line L1 (assignments[0]',
        "= 28800 standard seconds",
        "2. Grade: B (fairly good), rating_pct = 90%",
        "earlier grade(s) C were replaced by the later grade B",
        "Earned = quota 28800 × 90% = 25920 standard seconds; completion = 90%",
        "grade B, completion_pct 90.00",
    ]:
        assert expected in en
    for expected in [
        "无定额岗位「伙房」",
        "评定等级：B（较好），评定折算比例 = 90%",
        "先前的评定 C 已被后一次评定 B 取代",
        "完成率 = 90%",
    ]:
        assert expected in zh


def test_an_ungraded_rated_day_says_it_earns_0_and_is_missing() -> None:
    zh, en = both(explain_day(index_of(), "i1", TUESDAY))
    assert "none given for the day yet, so it earns 0; listed in missing_ratings" in en
    assert "当日尚未评定，完成按 0 计，列入待评定" in zh


def test_an_exempt_day_explains_the_exemption_instead_of_a_record() -> None:
    """`explain_day` on a labor-exempt day names the period and says nothing is owed; the counted-day
    explanation refuses it in one line."""
    zh, en = both(explain_day(index_of(), "i4", MONDAY))
    assert "labor-exempt (assessed by the prison hospital)" in en
    assert "Exemption period: 2026-08-15 to open end" in en
    assert "no quota, nothing owed, not a workday for them" in en
    assert "丧失劳动能力" in zh
    assert "无定额、无欠额" in zh
    with pytest.raises(EngineError, match="^inmate i4 is labor-exempt on 2026-10-05, so no daily record$"):
        explain_daily(index_of(), "i4", MONDAY)


def test_a_training_day_explains_the_ramp_step() -> None:
    """d whole days since the start, the ramp step chosen, and the share of the quota."""
    zh, en = both(explain_day(index_of(), "i2", TUESDAY))
    assert "d = 1 whole days since the assignment's start 2026-10-05" in en
    assert (
        "the first training_ramp step with days > 1 is days 7, so 50% of the quota; "
        "quota = 28800 × 50% = 14400" in en
    )
    assert "培训期" in zh
    assert "定额 = 28800 × 50% = 14400 标准秒" in zh


def test_a_training_day_after_the_ramp_owes_the_full_quota() -> None:
    index = index_of(rules={"training_ramp": [{"days": 1, "pct": "40"}]})
    _, en = both(explain_day(index, "i2", TUESDAY))
    assert "no training_ramp step has days > 1, so 100% of the quota = 28800" in en


def test_rejects_explain_the_credit_before_and_after() -> None:
    """Time mode shares 900 units by presence between i2 and i3 (the exempt i4 takes no part): 450
    each; 50 rejects leave i3 400."""
    zh, en = both(explain_day(index_of(), "i3", MONDAY))
    assert "Rejects: 50 units of this inmate's P/A work that day were found faulty" in en
    assert "max(0, 450 − 50) = 400 units" in en
    assert "the discrepancy check uses the counts before rejects" in en
    assert "次品 50 件" in zh
    _, other = both(explain_day(index_of(), "i2", MONDAY))
    assert "Rejects: none that day" in other


def test_the_month_explains_each_deduction_the_additions_cap_and_the_labor_points() -> None:
    zh, en = both(explain_monthly(index_of(), "i3"))
    for expected in [
        "Deduction 6 points (safety, range 2..10) on 2026-10-05: 未戴防护手套操作",
        "Deduction 2 points (quality, range 1..5) on 2026-10-06: 尺寸超差",
        "Deductions in total: deduct_points = 8",
        "Additions = min(cap additions_cap_pct 50% × labor_base_points 30 = 15, "
        "bonus 0 + positive adjustments 14 = 14) = 14",
        "Labor points = max(0, base ",
        "− deductions 8)",
        "additions_points 14.0",
        "deduct_points 8.0",
    ]:
        assert expected in en
    for expected in [
        "扣分 6 分（safety，范围 2..10）",
        "扣分合计 = 8",
        "加分 = min(上限",
        "劳动改造得分 = max(0",
    ]:
        assert expected in zh


def test_the_cap_is_shown_where_it_bites() -> None:
    _, en = both(
        explain_monthly(index_of(adjustments=[{"inmate": "i3", "points": "20", "reason": "r"}]), "i3")
    )
    assert "positive adjustments 20 = 20) = 15" in en


def test_a_month_exempt_on_every_workday_explains_why_there_are_no_points() -> None:
    zh, en = both(explain_monthly(index_of(), "i4"))
    assert "Labor-exempt workdays (2, no daily record): 2026-10-05, 2026-10-06" in en
    assert "labor_assessed = false, no labor points" in en
    assert "labor_assessed false, base_points null" in en
    assert "监管改造 50、教育和文化改造 50" in zh


def test_a_rated_month_lists_rated_days_with_their_grades() -> None:
    _, en = both(explain_monthly(index_of(), "i1"))
    assert '2026-10-05 L1 rated post "伙房" grade B: quota 28800, earned 25920' in en
    assert '2026-10-06 L1 rated post "伙房" grade -: quota 28800, earned 0' in en
    assert "rule_book v2" in en
    assert "rating_pct A 100, B 90, C 75, D 50" in en
