"""`floorledger demo` seeds rule book v2 this month (#14), so that every kind of inmate is on the floor
to be walked: a fresh demo site must compute under v2 this month and v1 last month, hold a graded
kitchen and cleaning post, an exempt inmate, a trainee and a confirmed deduction, all as signed acts
that `floorledger verify` re-derives without a finding."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from floorledger.demo.book_v2 import DEDUCTION_REASON, HOSPITAL
from floorledger.demo.site import DEMO_TIMEZONE, prepare_site
from hub.app import assessment_service
from hub.audit import verify
from hub.engine.model import Month
from hub.kiosks.plans import build_plan
from hub.masterdata import queries as md_queries
from hub.store import capture as cap
from hub.store import db as hub_db
from hub.store.masterdata import Exemption
from hub.store.schema import prepare
from protocol.signing import Signer, Verifier

SIGNER = Signer(bytes([45]) * 32)


def test_a_fresh_v2_demo_site_has_every_kind_of_inmate_and_verifies(tmp_path: Path) -> None:
    prepare_site(
        tmp_path / "hub.db",
        hub_signer=SIGNER,
        seed=1,
        data=tmp_path,
        kiosk_port=1,
        admin=("admin", "pw-demo-2"),
        rule_book="v2",
    )
    today = datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
    month, last = Month.of(today), Month.of(today.replace(day=1) - timedelta(days=1))
    db = hub_db.connect(str(tmp_path / "hub.db"))
    prepare(db)
    try:
        book = md_queries.rule_book()
        assert (book.for_month(month).params.v2, book.for_month(last).params.v2) == (True, False)
        posts = {i: a for i, a in md_queries.posts_on(today).items() if a.mode == "rated"}
        assert sorted(str(a.post) for a in posts.values()) == ["CLEAN", "KITCHEN"]
        exempt = [i.id for i in md_queries.engine_inmates() if i.exempt_on(today)]
        assert [(e.inmate, e.reference) for e in Exemption.select()] == [(exempt[0], HOSPITAL)]
        trainees = [i for i, a in md_queries.posts_on(today).items() if a.training]
        assert len(trainees) == 1, "one inmate starts a step he never held: a training assignment"
        deductions = list(cap.Deduction.select())

        review = assessment_service(db, record_act=None, today=lambda: today, clock_ms=lambda: 0)
        result, _ = review.month_result(month)
        rated_days = {r.day for r in result.rated if r.day < today}
        if rated_days:  # the month has days before today (not so on its first workday)
            board_day = max(rated_days)
            missing = {(r.day, r.post) for r in result.rated if r.grade is None and r.day < today}
            # graded on the dashboard up to the day before the board's day, which waits for the kiosk
            assert missing == {(board_day, "KITCHEN"), (board_day, "CLEAN")}
            plan = build_plan(hub="HUB", line="L1", day=today, hub_ms=1, revision=1)
            assert plan.previous_day == board_day.isoformat()
            assert [p.previous_post for p in plan.people if p.previous_post] == ["KITCHEN"]
            [deduction] = deductions  # dated on the board's day
            assert (deduction.status, deduction.reason) == (cap.CONFIRMED, DEDUCTION_REASON)
            scored = {m.inmate: m for m in result.monthly}
            assert scored[deduction.inmate].deduct_points == 2
        else:  # on the month's first workday there is no earlier day to grade or to date a deduction
            assert deductions == []
        report = verify.verify_database(db, Verifier(SIGNER.public_key), workers=1)
    finally:
        db.close()
    assert report.ok, report.render()
