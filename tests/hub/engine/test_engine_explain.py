"""Explanations: every daily record and monthly score says how it was computed, in zh and en."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hub.engine.compute import MonthIndex
from hub.engine.errors import EngineError
from hub.engine.explain import LANGS, TEXT, explain_daily, explain_monthly
from hub.engine.scenario import load_scenario

MON = "2026-10-05"


def index_of(**changes: Any) -> MonthIndex:
    document: dict[str, Any] = {
        "month": "2026-10",
        "workdays": [MON, "2026-10-06"],
        "lines": [{"code": "L1", "shift_minutes": 450}],
        "products": [{"code": "P", "steps": ["CUT", "SEW"]}],
        "standard_times": [
            {"product": "P", "step": "SEW", "from": "2026-01-01", "seconds": "97.5"},
            {"product": "P", "step": "SEW", "from": "2026-10-06", "seconds": "90"},
            {"product": "P", "step": "CUT", "from": "2026-01-01", "seconds": "30"},
        ],
        "inmates": [{"id": "a", "name": "陈杰"}, {"id": "b", "quota_pct": 80}],
        "assignments": [
            {"inmate": "a", "line": "L1", "product": "P", "step": "SEW", "from": "2026-09-01"},
            {"inmate": "b", "line": "L1", "product": "P", "step": "SEW", "from": "2026-09-01"},
        ],
        "attendance": [
            {"inmate": "a", "date": MON, "present_minutes": 240, "excused_minutes": 210},
            {"inmate": "b", "date": MON, "present_minutes": 450},
        ],
        "warehoused": [{"line": "L1", "product": "P", "date": MON, "units": 600}],
    }
    document.update(changes)
    scenario = load_scenario(document)
    return MonthIndex(scenario.inputs, scenario.rule_set())


def test_every_sentence_exists_in_both_languages() -> None:
    """The translation table has a Chinese and an English text for every sentence."""
    for key, texts in TEXT.items():
        assert set(texts) == set(LANGS), key


def test_daily_explanation_shows_inputs_mode_versions_and_each_value() -> None:
    """A time-mode day: attendance, group presence, W, standard-time version, rule set, formulas."""
    text = explain_daily(index_of(), "a", date(2026, 10, 5)).render("en")
    for expected in [
        "inmate a 陈杰 on 2026-10-05",
        "version rulebook-v1",
        "assignments[0]",
        "uses the version from 2026-01-01: 97.5 standard seconds per unit",
        "present 240 min, excused (leave, medical, visit, education) 210 min",
        "max(0, shift 450 − excused 210) min × 60 × target efficiency 100% × personal quota 100% = 14400",
        "W = 600",
        "- b: present 450 min, individual count none",
        "Time mode",
        "600 × 240 / 690 = 208.70 (= 4800/23) units",
        "diff_units",
        "completion_pct 141.30",
    ]:
        assert expected in text


def test_daily_explanation_in_chinese_uses_the_board_words() -> None:
    """The Chinese text names 定额, 计时模式, 超额 and 完成率, with the same numbers."""
    text = explain_daily(index_of(), "b", date(2026, 10, 5)).render("zh")
    for expected in ["罪犯 b", "定额", "个人定额 80%", "计时模式", "超额", "完成率", "= 21600 标准秒"]:
        assert expected in text


def test_counted_day_explains_the_scaling_and_the_discrepancy() -> None:
    """In counted mode the explanation shows Σcounts, the scale-down and the discrepancy check."""
    counts = [{"inmate": "a", "date": MON, "units": 500}, {"inmate": "b", "date": MON, "units": 300}]
    text = explain_daily(index_of(counts=counts), "a", date(2026, 10, 5)).render("en")
    assert "Counted mode" in text
    assert "500 × min(1, 600 / 800) = 375 units" in text
    assert "Discrepancy flagged: |Σcounts − W| = 200 > tolerance 2% × W = 12" in text


def test_day_without_attendance_entry_says_so() -> None:
    """No attendance entry: the explanation says present 0 and excused 0 were assumed."""
    text = explain_daily(index_of(), "a", date(2026, 10, 6)).render("en")
    assert "no entry for the day" in text
    assert "uses the version from 2026-10-06: 90 standard seconds" in text
    assert "nobody was present" in text


def test_monthly_explanation_shows_days_sums_base_bonus_adjustments() -> None:
    """The month lists each day, the sums, completion, base, why there is (no) bonus, and adjustments."""
    adjustments = [{"inmate": "a", "points": "-1.5", "reason": "质量问题:返工 12 件"}]
    text = explain_monthly(index_of(adjustments=adjustments), "a").render("en")
    for expected in [
        "monthly labor score of inmate a 陈杰 for 2026-10",
        "2026-10-05 L1/P/SEW time: quota 14400",
        "2026-10-06 L1/P/SEW time: quota 27000, earned 0",
        "Σquota = 41400",
        "completion = Σearned / Σquota",
        "Base points = labor_base_points 30 × completion",
        "Bonus points = 0 (completion is not above 100 %)",
        "Adjustment -1.5 points: 质量问题:返工 12 件",
        "Labor points = max(0, base ",
    ]:
        assert expected in text


def test_monthly_explanation_of_the_bonus_shows_the_cap() -> None:
    """With a bonus, the explanation shows the steps, the points per step and the cap of the rule set."""
    index = index_of(
        workdays=[MON],
        attendance=[{"inmate": "a", "date": MON, "present_minutes": 450}],
        rules={"bonus_cap_points": "4"},
    )
    text = explain_monthly(index, "a").render("en")
    assert "version rulebook-v1+scenario" in text
    assert "bonus_cap_points 4" in text
    assert "= min(4, " in text
    assert "labor_points 34.0" in text


@pytest.mark.parametrize(
    ("inmate", "day", "reason"),
    [
        ("a", date(2026, 10, 7), "not a workday of the month"),
        ("a", date(2026, 11, 2), "not in the month 2026-10"),
        ("c", date(2026, 10, 5), "no assignment on 2026-10-05"),
    ],
)
def test_no_daily_record_is_explained_by_why(inmate: str, day: date, reason: str) -> None:
    """Asking for a record that does not exist says why, in one line."""
    index = index_of(inmates=[{"id": "a"}, {"id": "b"}, {"id": "c"}])
    with pytest.raises(EngineError, match=reason):
        explain_daily(index, inmate, day)


def test_inmate_with_no_monthly_line_is_explained() -> None:
    """An inmate without an assignment on a workday and without an adjustment has no monthly line."""
    with pytest.raises(EngineError, match="no monthly line"):
        explain_monthly(index_of(inmates=[{"id": "a"}, {"id": "b"}, {"id": "c"}]), "c")
