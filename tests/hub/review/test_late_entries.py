"""Late entries (补录) with four eyes, on a real hub database: records through the real ingest,
results by the real results worker, acts signed into the real ledger, and `floorledger verify`'s
re-derivation from the signed frames.

The line-day: L1 on 2026-10-05 (a Monday). P1 and P2 checked in at 08:00 and out at 16:00 and were
counted on S2; P3 checked in at 08:00 and nobody checked him out; nobody entered the 入库数.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import peewee as pw
import pytest

from hub.app import masterdata_service
from hub.audit.verify import verify_database
from hub.engine.model import Month
from hub.kiosks.ingest import Ingest
from hub.ledger.entries import LATE_ENTRY, Ledger
from hub.results import worker as rs
from hub.review import late as lx
from hub.review import lock, rules
from hub.review.corrections import CorrectionError
from hub.review.monthly import Assessment
from hub.store import db as hubdb
from hub.store import results as result_tables
from hub.store import review as review_tables
from hub.store.kiosks import ENROLLED, Kiosk
from hub.store.ledger import LedgerEntry
from hub.store.review import MonthApproval
from hub.store.schema import prepare
from hub.web.board.source import HubBoardSource
from protocol import batch
from protocol.records import CheckIn, CheckOut, UnitCount
from protocol.signing import Signer, Verifier
from protocol.topics import Topics
from tests.hub.conftest_web import StepClock
from tests.hub.masterdata.test_masterdata_store import small_site
from tests.hub.results.test_results_recompute import DAY, KioskChain
from tests.hub.review.test_corrections_domain import HEAD, LABOR, OFF1, OFF2, OFFX, SITE, ZONE, _Sink

MONTH = Month.of(DAY)
NEXT_MORNING_MS = int(datetime(2026, 10, 6, 9, 0, tzinfo=ZONE).timestamp() * 1000)


@dataclass
class Floor:
    db: pw.Database
    clock: StepClock
    hub_key: Signer
    ledger: Ledger
    results: rs.Results
    late: lx.LateEntries
    assessment: Assessment


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    database = hubdb.connect(f"sqlite:///{tmp_path / 'hub.db'}")
    prepare(database)
    small_site(masterdata_service(database))
    clock = StepClock(NEXT_MORNING_MS)
    hub_key = Signer(b"\x05" * 32)
    book = Ledger(database, hub_key, clock)

    def today() -> date:
        return datetime.fromtimestamp(clock() / 1000, ZONE).date()

    results = rs.Results(database, today=today)
    results.start()
    late = lx.LateEntries(
        database, book, today=today, clock_ms=clock, zone=ZONE, window_days=7, on_applied=results.request_day
    )
    chain = KioskChain()
    Kiosk.create(
        id=chain.kiosk, public_key=chain.signer.public_key, line="L1", status=ENROLLED, enrolled_ms=1
    )
    ingest = Ingest(
        database, _Sink(), Topics.for_site(SITE), SITE, Signer.generate(), on_committed=results.on_committed
    )
    ingest.reload_keys()
    day = DAY.isoformat()
    records = [
        chain.sign(CheckIn(person="P1", line="L1", day=day, method="badge"), "08:00"),
        chain.sign(CheckIn(person="P2", line="L1", day=day, method="badge"), "08:00"),
        chain.sign(CheckIn(person="P3", line="L1", day=day, method="badge"), "08:00"),
        chain.sign(
            UnitCount(person="P1", line="L1", day=day, product="SHIRT", step="S2", units=50, source="manual"),
            "12:00",
        ),
        chain.sign(
            UnitCount(person="P2", line="L1", day=day, product="SHIRT", step="S2", units=40, source="manual"),
            "12:00",
        ),
        chain.sign(CheckOut(person="P1", line="L1", day=day, method="badge"), "16:00"),
        chain.sign(CheckOut(person="P2", line="L1", day=day, method="badge"), "16:00"),
    ]
    ingest.handle_records(Topics.for_site(SITE).records("K1"), batch.pack([r.frame for r in records]))
    assert results.flush()
    assessment = Assessment(database, record_act=book.record_act, today=today, clock_ms=clock)
    try:
        yield Floor(database, clock, hub_key, book, results, late, assessment)
    finally:
        results.stop()
        database.close()


def result_of(inmate: str, day: date = DAY) -> result_tables.DailyResult:
    return result_tables.DailyResult.get(
        (result_tables.DailyResult.inmate == inmate) & (result_tables.DailyResult.day == day.isoformat())
    )


def draft(kind: str, **values: object) -> lx.Draft:
    return lx.Draft(type=kind, day=values.pop("day", DAY), reason="检验科次日报数", **values)  # type: ignore[arg-type]


def warehoused(units: str = "90") -> lx.Draft:
    return draft("warehoused_count", line="L1", product="SHIRT", value=units)


def verified(floor: Floor) -> str:
    """`floorledger verify`'s report after the worker recomputed the month; fails on any finding of the
    sections a late entry or an approval feeds (this fixture's master data and kiosk are not enrolled
    through signed acts, so those sections are not asked)."""
    assert floor.results.flush()
    floor.results.recompute_month(MONTH)  # verify compares whole months
    report = verify_database(floor.db, Verifier(floor.hub_key.public_key), workers=1)
    sections = {s.key: s for s in report.sections}
    for key in ("ledger", "scores", "weeks", "results"):
        assert sections[key].findings == [], report.render()
    assert sections["results"].checked > 0
    return report.render()


# --- pure rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "today", "key"),
    [
        (date(2026, 10, 5), date(2026, 10, 4), date(2026, 10, 6), "review.err.late_range"),
        (date(2026, 10, 30), date(2026, 11, 2), date(2026, 11, 6), "review.err.late_range"),
        (date(2026, 10, 7), date(2026, 10, 7), date(2026, 10, 6), "review.err.late_future"),
        (date(2026, 10, 5), date(2026, 10, 11), date(2026, 10, 8), "review.err.late_future"),
    ],
)
def test_days_after_today_or_a_range_across_months_are_refused(
    first: date, last: date, today: date, key: str
) -> None:
    """A late entry is for days that have happened, and an excused range stays inside one month (the
    month is what an approval locks)."""
    with pytest.raises(CorrectionError) as caught:
        lx.check_days(first, last, today)
    assert caught.value.key == key
    lx.check_days(first, first, first)  # today itself is fine


@pytest.mark.parametrize("text", ["", "8", "24:00", "7:60", "０８:００", "08:00:00"])
def test_a_check_time_is_hh_mm(text: str) -> None:
    """Anything but a 24-hour HH:MM is refused with its own message."""
    with pytest.raises(CorrectionError) as caught:
        lx.parse_time(text)
    assert caught.value.key == "review.err.late_time"


def test_the_month_guard_refuses_a_running_month_and_open_items_without_an_override() -> None:
    """Running month: refused; ended with open items: refused naming them in Chinese and English; an
    override reason lets it through and is what the approval signs."""
    with pytest.raises(rules.AssessmentError) as caught:
        rules.check_guard(MONTH, date(2026, 10, 31), {}, None)
    assert caught.value.code == "running"
    with pytest.raises(rules.OpenItems) as open_items:
        rules.check_guard(MONTH, date(2026, 11, 1), {"dispute": 2, "late": 1}, "  ")
    assert "未答复申辩 2" in open_items.value.text("zh")
    assert "late-entry proposals 1" in open_items.value.text("en")
    assert rules.check_guard(MONTH, date(2026, 11, 1), {}, None) is None
    assert rules.check_guard(MONTH, date(2026, 10, 20), {"late": 1}, " 上级要求提前报送 ") == {
        "reason": "上级要求提前报送",
        "running": True,
        "open": {"late": 1},
    }


# --- acts on the database ----------------------------------------------------------------------------


def test_a_missed_warehoused_count_entered_next_morning_and_approved_changes_the_day(floor: Floor) -> None:
    """off1 enters yesterday's 入库数 at 09:00, off2 approves: the line's counted inmates get credit for
    that day in the stored results (what the board reads), the review lists who entered and who
    approved, the act is hub-signed, and `verify` re-derives the same results from the signed inputs."""
    board = HubBoardSource(floor.db)
    before = {r.number: r.done_units for r in board.snapshot("L1", day=DAY, today=DAY).rows}
    assert result_of("P1").done_units == "0.00"
    entry = floor.late.propose(OFF1, warehoused("90"))
    assert floor.results.flush()
    assert result_of("P1").done_units == "0.00"  # a proposal alone changes nothing
    floor.late.approve(OFF2, entry.id)
    assert floor.results.flush()
    assert result_of("P1").done_units == "50.00"
    assert result_of("P2").done_units == "40.00"
    after = {r.number: r.done_units for r in board.snapshot("L1", day=DAY, today=DAY).rows}
    assert (before["321001"], after["321001"]) == (Decimal("0.00"), Decimal("50.00"))  # P1 on the board
    [shown] = lx.entries_for("L1", DAY)
    assert (shown.proposer, shown.approver, shown.status) == ("off1", "off2", review_tables.APPROVED)
    [act] = LedgerEntry.select().where(LedgerEntry.action == LATE_ENTRY)
    assert act.actor == "off2"
    assert '"proposer":"off1"' in act.payload.replace(" ", "")
    verified(floor)


def test_the_officer_who_entered_it_cannot_approve_it(floor: Floor) -> None:
    """Four eyes on the server: the proposer's approval is refused and nothing reaches the results."""
    entry = floor.late.propose(OFF1, warehoused())
    with pytest.raises(CorrectionError) as caught:
        floor.late.approve(OFF1, entry.id)
    assert caught.value.key == "review.err.late_own"
    assert review_tables.LateEntry.get_by_id(entry.id).status == review_tables.PROPOSED
    assert LedgerEntry.select().where(LedgerEntry.action == LATE_ENTRY).count() == 0
    floor.late.approve(HEAD, entry.id)
    with pytest.raises(CorrectionError) as again:
        floor.late.approve(OFF2, entry.id)  # approved once
    assert again.value.key == "review.err.not_open"


def test_a_week_of_hospital_leave_entered_once_removes_that_weeks_quota(floor: Floor) -> None:
    """P2 in hospital 10-05..10-11, entered once with 480 minutes a day: each workday of that week owes
    no quota, the next Monday does, and the re-derivation agrees."""
    floor.clock.ms = int(datetime(2026, 10, 12, 9, 0, tzinfo=ZONE).timestamp() * 1000)
    for day in (date(2026, 10, n) for n in range(5, 13)):
        floor.results.request_day(day)
    assert floor.results.flush()
    assert result_of("P2", date(2026, 10, 7)).quota_units != "0.00"
    entry = floor.late.propose(
        OFF1, draft("excused_absence", person="P2", last_day=date(2026, 10, 11), value="480")
    )
    floor.late.approve(OFF2, entry.id)
    assert floor.results.flush()
    for n in range(5, 10):  # Monday to Friday; the weekend is no workday
        assert result_of("P2", date(2026, 10, n)).quota_units == "0.00"
    assert result_of("P2", date(2026, 10, 12)).quota_units != "0.00"
    assert result_of("P1", date(2026, 10, 7)).quota_units != "0.00"  # nobody else's
    excused = {
        a.day: a.excused_minutes
        for a in floor.results.month_input(MONTH).inputs.attendance
        if a.inmate == "P2"
    }
    assert excused[date(2026, 10, 9)] == Fraction(480)
    verified(floor)


def test_a_missed_check_out_gives_the_minutes_present(floor: Floor) -> None:
    """P3 checked in at 08:00 and was never checked out (no minutes); a check-out at 16:00 entered and
    approved pairs with that check-in: 480 minutes present, so his time-mode step shares the day's
    warehoused units once they are entered too."""
    assert result_of("P3").done_units == "0.00"
    entry = floor.late.propose(HEAD, draft("check_out", person="P3", at="16:00"))
    floor.late.approve(OFF1, entry.id)
    assert floor.results.flush()
    [p3] = [a for a in floor.results.month_input(MONTH).inputs.attendance if a.inmate == "P3"]
    assert p3.present_minutes == Fraction(480)
    floor.late.approve(OFF2, floor.late.propose(OFF1, warehoused()).id)
    assert floor.results.flush()
    assert result_of("P3").done_units != "0.00"  # S1 shares the warehoused units by minutes present
    verified(floor)


def test_a_missed_count_adds_to_the_inmates_units(floor: Floor) -> None:
    """A count of 10 entered late for P1 adds to his 50 in the engine's inputs."""
    floor.late.approve(OFF2, floor.late.propose(OFF1, draft("unit_count", person="P1", value="10")).id)
    assert floor.results.flush()
    counts = [c.units for c in floor.results.month_input(MONTH).inputs.counts if c.inmate == "P1"]
    assert sum(counts) == 60


def test_line_officer_scope_is_enforced_on_the_server(floor: Floor) -> None:
    """An officer of another line can neither enter for L1 (its 入库数 or its inmates) nor approve an
    entry of L1."""
    for wrong in (warehoused(), draft("unit_count", person="P1", value="5")):
        with pytest.raises(CorrectionError) as caught:
            floor.late.propose(OFFX, wrong)
        assert caught.value.key == "review.err.scope"
    entry = floor.late.propose(OFF1, warehoused())
    with pytest.raises(CorrectionError) as caught:
        floor.late.approve(OFFX, entry.id)
    assert caught.value.key == "review.err.scope"
    assert review_tables.LateEntry.select().count() == 1


def test_a_locked_month_refuses_entries_and_approvals(floor: Floor) -> None:
    """Once the labor section's approval locks the month, no late entry is taken or approved."""
    entry = floor.late.propose(OFF1, warehoused())
    for stage in lock.STAGES:
        MonthApproval.create(
            month=str(MONTH), area="A1", stage=stage, approver="x", rows_digest="0" * 64, approved_ms=1
        )
    with pytest.raises(CorrectionError) as caught:
        floor.late.approve(OFF2, entry.id)
    assert caught.value.key == "review.err.locked"
    with pytest.raises(CorrectionError) as again:
        floor.late.propose(OFF1, warehoused())
    assert again.value.key == "review.err.locked"
    assert result_of("P1").done_units == "0.00"


def test_past_the_window_only_the_labor_section_approves(floor: Floor) -> None:
    """Ten days later an officer may still enter a missed figure, but another line officer or area head
    cannot approve it; the labor section can."""
    floor.clock.advance(10 * 86400)
    entry = floor.late.propose(OFF1, warehoused())
    for who in (OFF2, HEAD):
        with pytest.raises(CorrectionError) as caught:
            floor.late.approve(who, entry.id)
        assert caught.value.key == "review.err.window"
    floor.late.approve(LABOR, entry.id)
    assert floor.results.flush()
    assert result_of("P1").done_units == "50.00"


LINE_L1 = rules.Actor(username="off1", role="line_officer", lines=("L1",))


def test_a_month_is_approved_only_after_it_ends_and_with_nothing_open_or_with_an_override(
    floor: Floor,
) -> None:
    """Mid-month the approval is refused; after the month an open late-entry proposal and the worked
    line-day without 入库数 refuse it; an override with a reason is accepted, signed into the ledger,
    shown to the next approver and reported by `verify` as a note."""
    with pytest.raises(rules.AssessmentError) as running:
        floor.assessment.approve(LINE_L1, MONTH, "A1")
    assert running.value.code == "running"
    floor.late.propose(OFF1, draft("unit_count", person="P1", value="5"))
    floor.clock.ms = int(datetime(2026, 11, 2, 9, 0, tzinfo=ZONE).timestamp() * 1000)
    items = floor.assessment.open_items(MONTH, "A1")
    assert items["late"] == 1
    assert items["warehoused"] == 1
    with pytest.raises(rules.OpenItems) as refused:
        floor.assessment.approve(LINE_L1, MONTH, "A1")
    assert "待批准补录 1" in refused.value.text("zh")
    assert MonthApproval.select().count() == 0
    reason = "检验科十月入库单遗失，经监区长同意先行审批"
    assert floor.assessment.approve(LINE_L1, MONTH, "A1", override=reason) == "line_officer"
    assert floor.assessment.overrides(MONTH, "A1") == [("line_officer", "off1", reason)]
    [act] = LedgerEntry.select().where(LedgerEntry.action == "month.approve")
    assert reason in act.payload
    report = verified(floor)
    assert reason in report
    assert "override" in report


def test_approving_the_open_items_clears_them(floor: Floor) -> None:
    """The missing 入库数 entered and approved: nothing is open, and the month approves without override."""
    floor.late.approve(OFF2, floor.late.propose(OFF1, warehoused()).id)
    floor.clock.ms = int(datetime(2026, 11, 2, 9, 0, tzinfo=ZONE).timestamp() * 1000)
    assert floor.results.flush()
    assert floor.assessment.open_items(MONTH, "A1") == {}
    assert floor.assessment.approve(LINE_L1, MONTH, "A1") == "line_officer"
    assert floor.assessment.overrides(MONTH, "A1") == []
