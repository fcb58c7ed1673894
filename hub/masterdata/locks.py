"""Which locked months a master-data change would reach into: the guards `MasterData` runs inside a
change's transaction, asking the injected `month_locked(month, area)` (the review layer's lock).

A change names the days it alters (a post's days, a standard time's days in force, workdays) or
none at all (shift minutes, a quota level: every month of the line or the inmate). Open ends are
closed at the span of dated master data (`queries.dated_span`) or the current month, whichever is
later: before and after it no day is a workday and no post is held, so no month there has results
that a lock protects, and asking month by month stays a short loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime

from hub.engine.model import Month
from hub.masterdata.checks import MasterDataError
from hub.masterdata.queries import all_areas, areas_of, dated_span
from hub.store.masterdata import Assignment

MonthLocked = Callable[[str, str], bool]
"""`month_locked(month "YYYY-MM", area)`: whether the area's month is approved and locked."""

Guard = Callable[[], None]


class MonthGuards:
    """Refusals of changes that reach into a locked month; each raises MasterDataError naming it."""

    def __init__(self, month_locked: MonthLocked, clock_ms: Callable[[], int]) -> None:
        self.month_locked = month_locked
        self.clock_ms = clock_ms

    def refuse(
        self,
        areas: Iterable[str] | None,
        first: date | None,
        last: date | None,
        *,
        key: str = "md.data.locked",
    ) -> None:
        """MasterDataError `key` if a locked month of one of `areas` (None: any area) overlaps
        [first, last] (None: unbounded); the earliest such month is named, then the first area."""
        wanted = all_areas() if areas is None else sorted({a for a in areas if a})
        if not wanted:
            return
        for month in self._months(first, last):
            for area in wanted:
                if self.month_locked(str(month), area):
                    raise MasterDataError(key, month=str(month), area=area)

    def _months(self, first: date | None, last: date | None) -> list[Month]:
        now = Month.of(datetime.fromtimestamp(self.clock_ms() / 1000, UTC).date())
        span = dated_span()
        low = now if span is None else min(now, Month.of(span[0]))
        high = _following(now) if span is None else max(_following(now), Month.of(span[1]))
        start = low if first is None else Month.of(first)
        end = high if last is None else min(Month.of(last), max(high, start))
        months = []
        while start <= end:
            months.append(start)
            if start == end:
                break
            start = _following(start)
        return months

    def posts(self, inmate: str, lines: Iterable[str], first: date, last: date | None) -> Guard:
        """Refuse a post change over [first, last] if it touches a locked month of the area of `lines`
        or of the inmate's other posts on those days (whose days it takes or gives back)."""

        def guard() -> None:
            query = Assignment.select(Assignment.line).where(
                (Assignment.inmate == inmate)
                & (Assignment.valid_to.is_null() | (Assignment.valid_to >= first.isoformat()))
            )
            if last is not None:
                query = query.where(Assignment.valid_from <= last.isoformat())
            self.refuse(areas_of([*lines, *(a.line for a in query)]), first, last)

        return guard

    def days(self, days: Sequence[str], line: str | None) -> Guard:
        """Refuse workday changes on a locked month of the line's area (site-wide days: any area)."""

        def guard() -> None:
            areas = None if line is None else areas_of([line])
            for month in sorted({Month.of(date.fromisoformat(d)) for d in days}):
                self.refuse(areas, month.first_day, month.last_day)

        return guard


def _following(month: Month) -> Month:
    """The next month (the current one's next, for a clock near a month's end in another zone)."""
    if month.month == 12:
        return Month(year=min(month.year + 1, 9999), month=1 if month.year < 9999 else 12)
    return Month(year=month.year, month=month.month + 1)
