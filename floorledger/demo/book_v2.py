"""The demo site adopts rule book v2 this month (#14), so that every kind of inmate the rule book
knows is on the floor to be walked: counted steps, posts without quotas, a trainee, an inmate who
cannot work.

Last month stays under rule book v1 (a month computed under v1 stays v1). From this month on, as the
labor section would enter them on the dashboard, each a signed act:
- the rule set `JX-V2` (`rule_book: v2`);
- a kitchen post (厨房) on L1 and a cleaning post (保洁) on L2, each held by one inmate of the line's
  busiest step from the first day of the month with records; their days are graded by the line's
  officers (line1 on L1, area1 on L2) up to the day before the board's day, so the board's day still
  reads 待评, the kiosk's 评分 shows it missing and the work queue lists it;
- an inmate of L2 exempt from labor from the same day (the prison hospital's finding);
- from today an inmate of L1 on a step he never held: a training assignment (the flag set by default);
- one quality deduction on L1, proposed by line1 and confirmed by area1.
Each line's one-person counter station is left as it is. The month's results are then recomputed,
as the hub's results worker does after a master-data act.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

import peewee as pw

from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.engine.model import Month
from hub.ledger.entries import Ledger
from hub.masterdata import queries as md_queries
from hub.results.worker import Results
from hub.review.capture import Capture
from hub.store.results import DailyResult

LABOR = Principal(username="labor", display_name="吴晓红", role=Role.LABOR_SECTION)
LINE1 = Principal(username="line1", display_name="赵建国", role=Role.LINE_OFFICER, lines=("L1",), area="A1")
AREA1 = Principal(username="area1", display_name="李明华", role=Role.AREA_HEAD, area="A1")
GRADES = ("A", "B", "A", "A", "C", "B")  # the kitchen's and the cleaners' days, in turn
HOSPITAL = "省监狱中心医院鉴定〔2026〕17号"
DEDUCTION_REASON = "未按规定佩戴防护用品，经教育后改正"


def _busiest(today: date, line: str, keep: set[str]) -> list[str]:
    """The inmates of `line`'s most-staffed counted step today, not at a one-person station."""
    posts = {i: a for i, a in md_queries.posts_on(today).items() if a.line == line and a.mode != "rated"}
    counts = Counter(str(a.step) for a in posts.values())
    step = max(sorted(counts), key=lambda s: counts[s])
    return sorted(i for i, a in posts.items() if a.step == step and str(a.step) not in keep)


def adopt_rule_book_v2(
    db: pw.Database, ledger: Ledger, today: date, clock_ms: Callable[[], int], stations: dict[str, str]
) -> None:
    """See the module docstring; `stations` is each line's counter-station step (left alone)."""
    month = Month.of(today)
    data = masterdata_service(db, record_act=ledger.record_act, clock_ms=clock_ms)
    data.add_rule_set_version(
        LABOR, "JX-V2", valid_from=str(month), parameters={"rule_book": "v2"}, reason="本月起执行第二版细则"
    )
    query = (
        DailyResult.select(DailyResult.day)
        .where((DailyResult.day >= month.first_day.isoformat()) & (DailyResult.day < today.isoformat()))
        .distinct()
    )
    days = sorted(date.fromisoformat(str(row.day)) for row in query)
    start = days[0] if days else today
    keep = set(stations.values())
    l1, l2 = _busiest(today, "L1", keep), _busiest(today, "L2", keep)
    cook, trainee, fined = l1[-1], l1[-2], l1[0]
    cleaner, exempt = l2[-1], l2[-2]
    data.add_post(LABOR, "KITCHEN", "厨房", line="L1")
    data.add_post(LABOR, "CLEAN", "保洁", line="L2")
    data.assign(LABOR, cook, post="KITCHEN", valid_from=start)
    data.assign(LABOR, cleaner, post="CLEAN", valid_from=start)
    data.add_exemption(LABOR, exempt, valid_from=start, reference=HOSPITAL)
    held = md_queries.assignment_on(trainee, today)
    assert held is not None, "the trainee is on L1 today"
    steps = {str(a.step) for a in md_queries.posts_on(today).values() if a.line == "L1" and a.mode != "rated"}
    new_step = min(steps - {str(held.step)} - keep)
    data.assign(LABOR, trainee, line="L1", product=held.product, step=new_step, valid_from=today)

    desk = Capture(db, ledger, today=lambda: today, clock_ms=clock_ms)
    for n, day in enumerate(days[:-1]):  # the board's day (the last) is left to grade at the kiosk
        desk.grade(LINE1, day, {cook: GRADES[n % len(GRADES)]})
        desk.grade(AREA1, day, {cleaner: GRADES[(n + 3) % len(GRADES)]})
    if days:
        row = desk.propose_deduction(
            LINE1, inmate=fined, day=days[-1], category="safety", points="2", reason=DEDUCTION_REASON
        )
        desk.confirm_deduction(AREA1, int(row.id))
    Results(db, today=lambda: today, follow_s=None).recompute_month(month)
