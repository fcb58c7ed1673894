"""The skill matrix finds planted patterns: an inmate better on another step, a slow trainee getting
better, and a cell on too few days marked uncertain; the weighting is exact and favours recent days."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hub.review.skills import SkillSettings, StepDay, skill_matrix

TODAY = date(2026, 10, 31)
COLLAR, SLEEVE = ("SHIRT", "S1"), ("SHIRT", "S2")
QUOTA = Fraction(28800)


def _days(inmate: str, step: tuple[str, str], pcts: list[int], *, ending: date = TODAY) -> list[StepDay]:
    """One day per entry of `pcts`, the last on `ending`, each earning that share of a full quota."""
    start = ending - timedelta(days=len(pcts) - 1)
    return [
        StepDay(inmate=inmate, step=step, day=start + timedelta(days=n), quota_s=QUOTA,
                earned_s=QUOTA * pct / 100)
        for n, pct in enumerate(pcts)
    ]  # fmt: skip


def test_an_inmate_better_on_another_step_shows_as_such() -> None:
    """P1014: 128 % on 上领 (20 days) and 72 % on 上袖 (18 days, earlier): both cells, exactly."""
    rows = _days("P1014", COLLAR, [128] * 20) + _days(
        "P1014", SLEEVE, [72] * 18, ending=TODAY - timedelta(days=25)
    )
    matrix = skill_matrix(rows, TODAY)
    collar, sleeve = matrix.cell("P1014", COLLAR), matrix.cell("P1014", SLEEVE)
    assert collar is not None
    assert sleeve is not None
    assert (collar.efficiency_pct, collar.days, collar.uncertain) == (128, 20, False)
    assert (sleeve.efficiency_pct, sleeve.days, sleeve.uncertain) == (72, 18, False)
    assert matrix.steps == (COLLAR, SLEEVE)


def test_recent_days_weigh_more_and_a_rising_trainee_trends_up() -> None:
    """A trainee at 60 % a month ago and 90 % in the last 10 days: efficiency nearer 90 than the plain
    average (weights halve every 14 days), and the trend is +30 points."""
    rows = _days("P1022", SLEEVE, [60] * 10, ending=TODAY - timedelta(days=30)) + _days(
        "P1022", SLEEVE, [90] * 10
    )
    cell = skill_matrix(rows, TODAY).cell("P1022", SLEEVE)
    assert cell is not None
    assert cell.trend_pct == 30
    assert cell.efficiency_pct is not None
    assert Fraction(75) < cell.efficiency_pct < Fraction(90)
    assert cell.efficiency_pct != 75  # not the plain average: weights favour the recent 90 % days


def test_a_cell_on_too_few_days_is_uncertain_and_no_quota_is_no_number() -> None:
    """Two days: uncertain (fewer than 5); days with no quota (excused): no efficiency at all."""
    rows = _days("P1030", COLLAR, [150, 150]) + [
        StepDay(inmate="P1031", step=COLLAR, day=TODAY, quota_s=Fraction(0), earned_s=Fraction(0))
    ]
    matrix = skill_matrix(rows, TODAY, SkillSettings(min_days=5))
    few = matrix.cell("P1030", COLLAR)
    assert few is not None
    assert few.uncertain
    none = matrix.cell("P1031", COLLAR)
    assert none is not None
    assert none.efficiency_pct is None
    assert matrix.cell("P1030", SLEEVE) is None
