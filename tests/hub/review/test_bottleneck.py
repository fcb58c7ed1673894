"""The line's bottleneck: the step one person short is found on the days it was short, and counted."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hub.review.bottleneck import StepLoad, bottleneck_days, line_days

MONDAY = date(2026, 10, 5)


def _week(people: dict[str, int], per_person: int = 100) -> list[StepLoad]:
    """Five days, `people[step]` holders on each step, each with a quota of `per_person` pieces."""
    return [
        StepLoad(day=MONDAY + timedelta(days=d), step=step, quota_units=Fraction(per_person))
        for d in range(5)
        for step, n in people.items()
        for _ in range(n)
    ]


def test_the_step_one_person_short_is_the_bottleneck_every_day() -> None:
    """上领 has 2 holders, the others 3: 上领 caps the line at 200 pieces every day; a day with 180
    warehoused is 20 short of what the bottleneck allowed."""
    loads = _week({"cut": 3, "collar": 2, "sleeve": 3})
    warehoused = {MONDAY: Fraction(180)}
    days = line_days(loads, warehoused, ["cut", "collar", "sleeve"])
    assert [d.bottleneck for d in days] == ["collar"] * 5
    assert days[0].capacity == {"cut": 300, "collar": 200, "sleeve": 300}
    assert days[0].short_of == 20
    assert days[1].short_of is None  # no 入库数 that day
    assert bottleneck_days(days) == {"collar": 5}


def test_ties_go_to_the_earlier_step_and_an_empty_day_has_none() -> None:
    """Equal capacities: the product's earlier step is named; a day where every quota is 0 (all
    excused) has no bottleneck and is not counted."""
    loads = _week({"cut": 2, "collar": 2}) + [
        StepLoad(day=MONDAY + timedelta(days=7), step="cut", quota_units=Fraction(0))
    ]
    days = line_days(loads, {}, ["cut", "collar"])
    assert days[0].bottleneck == "cut"
    assert days[-1].bottleneck is None
    assert bottleneck_days(days) == {"cut": 5}
