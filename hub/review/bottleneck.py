"""The line's bottleneck (#17 item 3): per line and day, which step held the line's output back.

A step's capacity on a day is the pieces its holders' quotas call for that day (Σ quota units of
the inmates on it): a line cannot warehouse more finished pieces than its thinnest step makes. The
bottleneck is the step with the lowest capacity (ties: the first in the product's order); the day
shows it beside the warehoused count, so an officer sees whether the line met what that step
allowed. Over a week or a month, the steps are counted by the days each was the bottleneck. Pure
and exact.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class StepLoad:
    """One inmate's day on a step of the line: his quota there in pieces."""

    day: date
    step: str
    quota_units: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class LineDay:
    day: date
    capacity: dict[str, Fraction]  # step -> pieces its holders' quotas call for
    warehoused: Fraction | None
    bottleneck: str | None  # None: nobody on any step

    @property
    def short_of(self) -> Fraction | None:
        """Pieces the bottleneck allowed beyond what was warehoused (None without both figures)."""
        if self.bottleneck is None or self.warehoused is None:
            return None
        return self.capacity[self.bottleneck] - self.warehoused


def line_days(
    loads: Iterable[StepLoad], warehoused: Mapping[date, Fraction], step_order: Sequence[str]
) -> list[LineDay]:
    """The line's days, oldest first; `step_order` breaks ties (the product's order of steps)."""
    capacity: dict[date, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for load in loads:
        capacity[load.day][load.step] += load.quota_units
    rank = {step: n for n, step in enumerate(step_order)}
    out = []
    for day in sorted(capacity):
        steps = {s: c for s, c in capacity[day].items() if c > 0}
        neck = min(steps, key=lambda s: (steps[s], rank.get(s, len(rank)), s)) if steps else None
        out.append(
            LineDay(day=day, capacity=dict(capacity[day]), warehoused=warehoused.get(day), bottleneck=neck)
        )
    return out


def bottleneck_days(days: Iterable[LineDay]) -> Counter[str]:
    """How many days each step was the bottleneck."""
    return Counter(d.bottleneck for d in days if d.bottleneck is not None)
