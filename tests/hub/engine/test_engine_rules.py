"""Table tests for each rule of the labor-assessment rule book, at its edges.

Each test builds a small scenario document (the public file format) and checks what the wall
board, the weekly review or the monthly score would show.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from tests.hub.engine.engine_cases import MON, daily, doc, monthly, one_inmate, run

# --- 1. quota ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shift", "excused", "quota_pct", "efficiency", "quota"),
    [
        (480, 0, 100, 100, 28800),  # the full shift
        (480, 120, 100, 100, 21600),  # excused minutes come off the shift
        (480, 480, 100, 100, 0),  # fully excused: quota 0
        (480, 600, 100, 100, 0),  # excused beyond the shift: clamped at 0, never negative
        (480, 0, 80, 100, 23040),  # personal quota level 80 %
        (450, 0, 100, 90, 24300),  # target efficiency 90 %
        (450, 210, 80, 90, 10368),  # all of it together
        ("420.5", 0, "97.5", 100, "24599.25"),  # decimals stay exact: 420.5 × 60 × 0.975
    ],
)
def test_quota_is_shift_minus_excused_times_efficiency_and_quota_level(
    shift: Any, excused: int, quota_pct: Any, efficiency: int, quota: Any
) -> None:
    """quota = max(0, shift − excused) × 60 × target_efficiency_pct/100 × quota_pct/100, exactly."""
    document = one_inmate(excused=excused, present=0, inmates=[{"id": "i1", "quota_pct": quota_pct}])
    document["lines"] = [{"code": "L1", "shift_minutes": shift}]
    document["rules"] = {"target_efficiency_pct": efficiency}
    assert daily(run(document), "i1").quota_std_seconds == Fraction(quota)


def test_absent_inmate_without_attendance_entry_owes_the_full_quota() -> None:
    """No attendance entry: present 0, excused 0, so the full quota is owed and nothing is credited."""
    result = run(doc(attendance=[{"inmate": i, "date": MON, "present_minutes": 480} for i in ("i1", "i2")]))
    absent = daily(result, "i3")
    assert absent.quota_std_seconds == 28800
    assert absent.done_units == 0
    assert absent.completion_pct == 0


def test_fully_excused_day_has_no_completion_and_is_not_a_workday_of_the_month() -> None:
    """Quota 0 shows completion none (null); the day does not count in `workdays` nor in `days_met`."""
    document = one_inmate(present=0, excused=480)
    document["workdays"] = [MON, "2026-10-06"]
    document["attendance"].append({"inmate": "i1", "date": "2026-10-06", "present_minutes": 480})
    document["warehoused"].append({"line": "L1", "product": "P", "date": "2026-10-06", "units": 480})
    result = run(document)
    excused_day = daily(result, "i1")
    assert (excused_day.quota_std_seconds, excused_day.earned_std_seconds, excused_day.completion_pct) == (
        0,
        0,
        None,
    )
    assert excused_day.quota_units == 0
    score = monthly(result, "i1")
    assert (score.workdays, score.days_met, score.completion_pct) == (1, 1, 100)


def test_inmate_excused_all_month_gets_no_base_points() -> None:
    """With no quota at all in the month, completion is none and base points are 0."""
    score = monthly(run(one_inmate(present=0, excused=480)), "i1")
    assert (score.completion_pct, score.workdays, score.base_points, score.labor_points) == (None, 0, 0, 0)


# --- 2. credit: time mode ------------------------------------------------------------------------


def test_time_mode_shares_the_warehouse_by_presence() -> None:
    """Without counts each inmate of a step gets W × present / Σpresent."""
    result = run(
        doc(
            attendance=[
                {"inmate": "i1", "date": MON, "present_minutes": 480},
                {"inmate": "i2", "date": MON, "present_minutes": 240},
                {"inmate": "i3", "date": MON, "present_minutes": 0, "excused_minutes": 240},
            ]
        )
    )
    assert [daily(result, i).done_units for i in ("i1", "i2", "i3")] == [320, 160, 0]
    assert {daily(result, i).mode for i in ("i1", "i2", "i3")} == {"time"}


def test_time_mode_credits_nobody_when_nobody_was_present() -> None:
    """Σpresent = 0: everyone on the step is credited 0, even with units in the warehouse."""
    result = run(doc(attendance=[]))
    assert [daily(result, i).done_units for i in ("i1", "i2", "i3")] == [0, 0, 0]


def test_every_step_of_a_product_shares_the_whole_warehouse_count() -> None:
    """Each (line, product, step) group is credited the product's warehoused units in full."""
    document = doc()
    document["assignments"][2]["step"] = "B"
    result = run(document)
    assert (daily(result, "i1").done_units, daily(result, "i2").done_units) == (240, 240)
    assert daily(result, "i3").done_units == 480
    assert daily(result, "i3").earned_std_seconds == 480 * 120


def test_several_warehouse_entries_and_attendance_entries_of_a_day_add_up() -> None:
    """Two warehouse batches of the day are one W; two check-in sessions are one presence."""
    document = one_inmate(units=100)
    document["warehoused"].append({"line": "L1", "product": "P", "date": MON, "units": 380})
    document["attendance"] = [
        {"inmate": "i1", "date": MON, "present_minutes": 200, "excused_minutes": 60},
        {"inmate": "i1", "date": MON, "present_minutes": 220, "excused_minutes": 60},
    ]
    record = daily(run(document), "i1")
    assert (record.done_units, record.quota_std_seconds) == (480, 360 * 60)


def test_warehouse_of_another_product_is_not_shared() -> None:
    """Units of product Q on the line are not credited to inmates making product P."""
    document = one_inmate(units=0)
    document["products"].append({"code": "Q", "steps": ["A"]})
    document["warehoused"].append({"line": "L1", "product": "Q", "date": MON, "units": 999})
    assert daily(run(document), "i1").done_units == 0


# --- 2. credit: counted mode ---------------------------------------------------------------------


def counts(*entries: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"inmate": i, "date": MON, "units": u} for i, u in entries]


@pytest.mark.parametrize(
    ("entries", "warehoused", "credited", "flagged"),
    [
        ([("i1", 100), ("i2", 100), ("i3", 100)], 300, [100, 100, 100], False),  # counts equal the warehouse
        (
            [("i1", 100), ("i2", 100), ("i3", 94)],
            300,
            [100, 100, 94],
            False,
        ),  # below, 2 % exactly: not flagged
        ([("i1", 100), ("i2", 100), ("i3", 90)], 300, [100, 100, 90], True),  # below: never scaled up
        ([("i1", 200), ("i2", 100), ("i3", 100)], 300, [150, 75, 75], True),  # above: scaled down
        ([("i1", 102), ("i2", 100), ("i3", 104)], 300, [100, Fraction(5000, 51), Fraction(5200, 51)], False),
        ([("i1", 50), ("i2", 50)], 300, [50, 50, 0], True),  # i3 has no count: 0
        ([("i1", 0), ("i2", 0)], 300, [0, 0, 0], True),  # counts summing to 0
        ([("i1", 0)], 0, [0, 0, 0], False),  # nothing counted, nothing warehoused
        ([("i1", 10)], 0, [0, 0, 0], True),  # counts with an empty warehouse
        ([("i1", 60), ("i1", 40), ("i2", 100), ("i3", 100)], 300, [100, 100, 100], False),  # entries add up
    ],
)
def test_counted_mode_credits_counts_scaled_down_to_the_warehouse(
    entries: list[tuple[str, int]], warehoused: int, credited: list[Any], flagged: bool
) -> None:
    """credit = count × min(1, W / Σcounts); a flag when |Σcounts − W| > 2 % × W."""
    document = doc(counts=counts(*entries))
    document["warehoused"][0]["units"] = warehoused
    result = run(document)
    assert [daily(result, i).done_units for i in ("i1", "i2", "i3")] == credited
    assert {daily(result, i).mode for i in ("i1", "i2", "i3")} == {"counted"}
    assert sum(daily(result, i).done_units for i in ("i1", "i2", "i3")) <= warehoused
    assert bool(result.discrepancies) is flagged
    if flagged:
        (flag,) = result.discrepancies
        assert (flag.line, flag.product, flag.step, flag.warehoused_units) == ("L1", "P", "A", warehoused)
        assert flag.counted_units == sum(u for _, u in entries)


@pytest.mark.parametrize(
    ("tolerance", "counted", "flagged"),
    [
        ("2", 306, False),
        ("2", 307, True),
        ("2", 294, False),
        ("2", 293, True),
        ("0", 301, True),
        ("0.5", 301, False),
    ],
)
def test_discrepancy_tolerance_is_a_strict_bound(tolerance: str, counted: int, flagged: bool) -> None:
    """|Σcounts − W| equal to tolerance % × W is within tolerance; one unit more is flagged."""
    document = doc(counts=counts(("i1", counted)), rules={"discrepancy_tolerance_pct": tolerance})
    document["warehoused"][0]["units"] = 300
    assert bool(run(document).discrepancies) is flagged


def test_counts_of_an_inmate_without_assignment_are_ignored() -> None:
    """A count from someone not assigned that day neither credits them nor turns the step to counted."""
    document = doc(counts=[{"inmate": "i9", "date": MON, "units": 500}])
    document["inmates"].append({"id": "i9"})
    result = run(document)
    assert [r.inmate for r in result.daily] == ["i1", "i2", "i3"]
    assert {r.mode for r in result.daily} == {"time"}
    assert result.discrepancies == ()


def test_mode_is_chosen_per_step_group() -> None:
    """A count on step A puts only A in counted mode; step B of the same line stays in time mode."""
    document = doc(counts=counts(("i1", 480)))
    document["assignments"][2]["step"] = "B"
    result = run(document)
    assert (daily(result, "i1").mode, daily(result, "i2").mode, daily(result, "i3").mode) == (
        "counted",
        "counted",
        "time",
    )
    assert (daily(result, "i1").done_units, daily(result, "i2").done_units) == (480, 0)


# --- 3./4. earned and the board ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("units", "completion", "diff"),
    [(480, 100, 0), (479, Fraction(47900, 480), -1), (481, Fraction(48100, 480), 1)],
)
def test_board_shows_quota_done_diff_and_completion(units: int, completion: Fraction, diff: int) -> None:
    """quota_units = quota / std, diff = done − quota_units, completion = 100 × earned/quota, exact."""
    record = daily(run(one_inmate(units=units)), "i1")
    assert (record.quota_units, record.done_units, record.diff_units) == (480, units, diff)
    assert record.completion_pct == completion
    assert record.met is (units >= 480)


def test_exactly_100_percent_earns_full_base_and_no_bonus() -> None:
    """Completion of exactly 100 % meets the day and the month, but is not over-fulfilment."""
    score = monthly(run(one_inmate(units=480)), "i1")
    assert (score.completion_pct, score.days_met, score.base_points, score.bonus_points) == (100, 1, 30, 0)
