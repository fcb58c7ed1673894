"""The inmates' month (公示, 签名确认, 复核): the area head's approval publishes the month, the boards and
the line plans show it, inmates confirm or ask for a review with kiosk-signed records, an officer
answers the review as a hub-signed act, and the labor section's lock waits for the window and the
answers. Pure rules from tables; the flow on a copy of the seeded demo site (real ingest, engine,
ledger) and checked by `floorledger verify` at the end."""

from __future__ import annotations

import json
from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from hub.accounts import Principal, Role
from hub.audit.verify import verify_database
from hub.engine.model import DailyRecord, Deduction, Month, MonthlyScore, MonthResult, RatedRecord
from hub.engine.rules import DEFAULT_RULE_SET
from hub.kiosks import plans
from hub.review import corrections as cx
from hub.review import lock, rules
from hub.review import month_publication as mp
from hub.seed import demo_kiosk_signer, store_signed
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.ledger import LedgerEntry
from hub.store.review import MonthReviewAnswer, PublishedMonth
from hub.web.review.assessment import board_published
from protocol.messages import LinePlan, PlanPerson
from protocol.records import MonthConfirm, MonthReview, Record, SignedRecord, sign_record
from protocol.signing import Verifier
from tests.hub.review.test_assessment_domain import HUB_KEY, MONTH, Site, seeded_copy

__all__ = ["seeded_copy"]  # the fixture, used by name

ZONE = ZoneInfo("Asia/Shanghai")
LINE_L3 = rules.Actor(username="off_l3", role=Role.LINE_OFFICER, lines=("L3",))
LINE_L1 = rules.Actor(username="off_l1", role=Role.LINE_OFFICER, lines=("L1",))
HEAD_A2 = rules.Actor(username="head_a2", role=Role.AREA_HEAD, area="A2")
LABOR = rules.Actor(username="labor", role=Role.LABOR_SECTION)
NOV = date(2026, 11, 1)


# --- pure rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("until", "today", "code"),
    [
        (None, date(2026, 11, 9), "unpublished"),
        (date(2026, 11, 6), date(2026, 11, 6), "publishing"),  # the last day is still inside
        (date(2026, 11, 6), date(2026, 11, 2), "publishing"),
        (date(2026, 11, 6), date(2026, 11, 7), None),
    ],
)
def test_the_lock_waits_for_the_publication_window(until: date | None, today: date, code: str | None) -> None:
    """The final stage may approve only once the month was published and its window has passed;
    earlier stages are not held by it."""
    if code is None:
        assert rules.check_guard(MONTH, today, {}, None, final=True, published_until=until) is None
    else:
        with pytest.raises(rules.AssessmentError) as err:
            rules.check_guard(MONTH, today, {}, None, final=True, published_until=until)
        assert err.value.code == code
    assert rules.check_guard(MONTH, today, {}, None, final=False, published_until=None) is None


def test_an_override_signs_the_publication_it_skipped() -> None:
    """With an override reason the lock is given inside the window, and the override names the
    window's last day and the open review requests it went past."""
    signed = rules.check_guard(
        MONTH, date(2026, 11, 3), {"month_review": 2}, "劳改科：提前锁定", final=True,
        published_until=date(2026, 11, 6),
    )  # fmt: skip
    assert signed == {
        "reason": "劳改科：提前锁定",
        "running": False,
        "open": {"month_review": 2},
        "published_until": "2026-11-06",
    }


def test_unanswered_review_requests_hold_the_approval() -> None:
    """A review request with no answer is an open item like any other: no approval without override."""
    with pytest.raises(rules.OpenItems) as err:
        rules.check_guard(MONTH, date(2026, 11, 9), {"month_review": 1}, None, final=True,
                          published_until=date(2026, 11, 6))  # fmt: skip
    assert err.value.items == {"month_review": 1}
    assert "未答复复核申请 1" in err.value.text("zh")


@pytest.mark.parametrize(
    ("confirmed", "answer", "asked", "state"),
    [
        (False, None, False, "open"),
        (True, None, False, "confirmed"),
        (False, None, True, "review"),
        (False, ("kept", "核对无误"), True, "kept"),
        (True, ("changed", "已加分"), True, "changed"),
    ],
)
def test_the_state_an_inmate_reads(
    confirmed: bool, answer: tuple[str, str] | None, asked: bool, state: str
) -> None:
    """His month reads open, confirmed, under review, or the answer's outcome once answered."""
    assert mp.status_of(confirmed, answer, asked) == state


def _counted(day: int, quota: int, earned: int) -> DailyRecord:
    return DailyRecord(
        inmate="P1", day=date(2026, 11, day), line="L1", product="X", step="S", mode="counted",
        standard_seconds=Fraction(60), standard_from=NOV, quota_std_seconds=Fraction(quota),
        earned_std_seconds=Fraction(earned), done_units=Fraction(earned, 60),
    )  # fmt: skip


def test_the_week_and_month_so_far_add_counted_and_rated_days() -> None:
    """Week = this ISO week's days of the month up to today; month = every day so far; completion
    over both kinds of day; rated and graded days counted; deductions of the period; points only
    for the month."""
    rated = RatedRecord(
        inmate="P1", day=date(2026, 11, 10), line="L1", post="QC", grade=None, rating_pct=Fraction(0),
        quota_std_seconds=Fraction(100), earned_std_seconds=Fraction(0),
    )  # fmt: skip
    graded = RatedRecord(
        inmate="P1", day=date(2026, 11, 11), line="L1", post="QC", grade="A", rating_pct=Fraction(100),
        quota_std_seconds=Fraction(100), earned_std_seconds=Fraction(100),
    )  # fmt: skip
    deduction = Deduction(inmate="P1", day=date(2026, 11, 3), category="c", points=Fraction(2), reason="r")
    score = MonthlyScore(
        inmate="P1", quota_std_seconds=Fraction(500), earned_std_seconds=Fraction(400), workdays=4,
        days_met=2, base_points=Fraction(8), bonus_points=Fraction(0), adjust_points=Fraction(0),
        labor_points=Fraction(6), deduct_points=Fraction(2), deductions=(deduction,),
    )  # fmt: skip
    result = MonthResult(
        month=Month(year=2026, month=11), rule_set=DEFAULT_RULE_SET,
        daily=(_counted(3, 100, 100), _counted(9, 200, 100)), weekly=(), monthly=(score,),
        discrepancies=(), rated=(rated, graded),
    )  # fmt: skip
    week, month = mp.summaries(result, "P1", date(2026, 11, 11))  # Wednesday of W46 (9-15 Nov)
    assert week is not None
    assert month is not None
    assert (week.period, week.days, week.completion_pct) == ("2026-W46", 3, "50.00")  # 200 of 400
    assert (week.rated_days, week.graded_days, week.deduct_points, week.points) == (2, 1, "0.0", None)
    assert (month.period, month.days, month.completion_pct) == ("2026-11", 4, "60.00")  # 300 of 500
    assert (month.deduct_points, month.points) == ("2.0", "6.0")
    assert mp.summaries(result, "P2", date(2026, 11, 11)) == (None, None)


# --- the flow on the seeded site ---------------------------------------------------------------------


def _on(site: Site, day: date) -> None:
    site.assessment.today = lambda: day


def _kiosk_sign(kiosk: str, body: MonthConfirm | MonthReview, when: date) -> SignedRecord:
    """The next record of the seeded history kiosk `kiosk` (its demo key), after its stored head."""
    head = Kiosk.get_by_id(kiosk)
    wall = int(datetime(when.year, when.month, when.day, 9, 0, tzinfo=ZONE).timestamp() * 1000)
    record = Record(
        kiosk=kiosk, seq=head.head_seq + 1, prev=head.head_hash, boot="pub1", wall_ms=wall,
        mono_ms=wall, body=body,
    )  # fmt: skip
    return sign_record(record, demo_kiosk_signer(1, kiosk))


def _plan(line: str, day: date) -> dict[str, PlanPerson]:
    plan = plans.build_plan(hub="hub", line=line, day=day, hub_ms=1, revision=1)
    return {p.id: p for p in LinePlan.from_dict({"v": 1, **plan.to_dict()}).people}


def _answer_a2_disputes(site: Site, today: date) -> None:
    """A2's seeded disputes get their answer, so the area has no other open item after the month."""
    desk = cx.Corrections(site.db, site.ledger, today=lambda: today, clock_ms=lambda: 1, window_days=30)
    head = Principal(username="head_a2", display_name="head_a2", role=Role.AREA_HEAD, area="A2")
    for item in site.assessment.open_items(MONTH, "A2"):
        assert item == "dispute", item
    for r in KioskRecord.select().where(KioskRecord.type == "dispute"):
        if cx.line_of(r) == "L3":
            desk.answer_dispute(head, r.kiosk, int(r.seq), upheld=False, reason_text="记录无误")


def test_the_inmates_month_from_publication_to_lock(seeded_copy: Site) -> None:
    """A2 after October: the area head's approval publishes it for 5 days (rows, act, boards, plans);
    the labor section is refused inside the window; one inmate confirms and one asks for a review at
    the kiosk; the request holds the lock until a line officer answers it; the answer reaches the
    plan; the lock is then given, and `verify` finds the site clean."""
    site = seeded_copy
    _on(site, date(2026, 11, 2))
    _answer_a2_disputes(site, date(2026, 11, 2))
    assert site.assessment.open_items(MONTH, "A2") == {}
    site.assessment.approve(LINE_L3, MONTH, "A2")
    assert site.assessment.publication(MONTH, "A2") is None
    site.assessment.approve(HEAD_A2, MONTH, "A2")

    published = site.assessment.publication(MONTH, "A2")
    assert published is not None
    assert (published.valid_from, published.until) == (date(2026, 11, 2), date(2026, 11, 6))
    view = site.assessment.month_view(MONTH, "A2")
    assert list(published.rows) == mp.month_rows_shown(view.rows)
    act = LedgerEntry.select().where(LedgerEntry.action == mp.PUBLISH).get()
    assert act.actor == "head_a2"
    assert act.subject == "month:A2:2026-10"
    assert json.loads(act.payload)["rows_digest"] == rules.rows_digest(list(published.rows))

    # the boards of the area and of its line show it; A1's do not
    boards = board_published(site.db)
    month_pages = [p for p in boards("A2", date(2026, 11, 3)) if p.kind == "month"]
    assert [(p.title, p.until) for p in month_pages] == [("2026-10", date(2026, 11, 6))]
    assert len(month_pages[0].rows) == len(view.rows)
    assert [p for p in boards("L3", date(2026, 11, 3)) if p.kind == "month"][0].rows
    assert not [p for p in boards("A1", date(2026, 11, 3)) if p.kind == "month"]
    assert not [p for p in boards("A2", date(2026, 11, 7)) if p.kind == "month"]

    # the plan tells each inmate his published result
    first, second = view.rows[0], view.rows[1]
    people = _plan("L3", date(2026, 11, 3))
    mine = people[first.inmate].published
    assert mine is not None
    assert mine.status == "open"
    assert mine.month == "2026-10"
    assert mine.points == next(r["points"] for r in published.rows if r["inmate"] == first.inmate)

    _on(site, date(2026, 11, 3))
    with pytest.raises(rules.AssessmentError) as err:
        site.assessment.approve(LABOR, MONTH, "A2")
    assert err.value.code == "publishing"

    points = mine.points or "0"
    confirm = _kiosk_sign(
        "H-L3", MonthConfirm(person=first.inmate, month="2026-10", points=points, day="2026-11-03"),
        date(2026, 11, 3),
    )  # fmt: skip
    store_signed(site.db, "demo", [confirm], clock_ms=lambda: 1)
    theirs = people[second.inmate].published
    assert theirs is not None
    review = _kiosk_sign(
        "H-L3",
        MonthReview(person=second.inmate, month="2026-10", points=theirs.points or "0", day="2026-11-03",
                    reason="points_wrong", text=""),
        date(2026, 11, 3),
    )  # fmt: skip
    store_signed(site.db, "demo", [review], clock_ms=lambda: 1)
    people = _plan("L3", date(2026, 11, 4))
    assert people[first.inmate].published.status == "confirmed"  # type: ignore[union-attr]
    assert people[second.inmate].published.status == "review"  # type: ignore[union-attr]

    _on(site, date(2026, 11, 7))
    assert site.assessment.open_items(MONTH, "A2") == {"month_review": 1}
    with pytest.raises(rules.OpenItems) as held:
        site.assessment.approve(LABOR, MONTH, "A2")
    assert held.value.items == {"month_review": 1}
    [request] = site.assessment.review_requests(MONTH, "A2")
    assert (request.person, request.reason, request.answer) == (second.inmate, "points_wrong", None)

    with pytest.raises(rules.AssessmentError) as scope:  # another line's officer may not answer
        site.assessment.answer_review(LINE_L1, request.kiosk, request.seq, mp.KEPT, "核对无误")
    assert scope.value.code == "scope"
    site.assessment.answer_review(LINE_L3, request.kiosk, request.seq, mp.KEPT, "核对出勤与产量，分数无误")
    with pytest.raises(rules.AssessmentError) as twice:
        site.assessment.answer_review(LINE_L3, request.kiosk, request.seq, mp.CHANGED, "再答")
    assert twice.value.code == "answered"
    answer = MonthReviewAnswer.get()
    assert (answer.outcome, answer.officer, answer.area) == ("kept", "off_l3", "A2")
    answered = LedgerEntry.select().where(LedgerEntry.action == mp.ANSWER).get()
    assert answered.subject == f"{request.kiosk}#{request.seq}"
    assert json.loads(answered.payload)["outcome"] == "kept"

    theirs_now = _plan("L3", date(2026, 11, 7))[second.inmate].published
    assert theirs_now is not None
    assert (theirs_now.status, theirs_now.answer) == ("kept", "核对出勤与产量，分数无误")

    assert site.assessment.open_items(MONTH, "A2") == {}
    assert site.assessment.approve(LABOR, MONTH, "A2") == "labor_section"
    assert lock.is_locked(site.db, MONTH, "A2")

    report = verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    assert report.ok, report.render()

    # the published numbers and the answer are held against their signed acts
    shown = json.loads(PublishedMonth.get().rows)
    shown[0]["points"] = "99.0"
    PublishedMonth.update(rows=json.dumps(shown, ensure_ascii=False)).execute()
    MonthReviewAnswer.update(reason="改过的理由").execute()
    text = verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1).render()
    row = PublishedMonth.get()
    assert f"assess_published_month id={row.id}: column rows (the published numbers) digests to" in text
    assert f"review_month_answer id={answer.id}: column reason is 改过的理由 but ledger entry" in text


def test_a_reopen_of_the_area_heads_stage_withdraws_the_publication(seeded_copy: Site) -> None:
    """Voiding the area head's approval takes the month off the boards (a review request asked
    meanwhile still waits and is answered); approving again publishes anew from that day. Each of
    these tells the kiosks (`on_change`: the hub republishes the plans), once committed."""
    site = seeded_copy
    told: list[int] = []
    site.assessment.on_change = lambda: told.append(PublishedMonth.select().count())
    _on(site, date(2026, 11, 2))
    site.assessment.approve(LINE_L3, MONTH, "A2", override="测试：待办另行处理")
    assert told == []  # nothing published by the line officer's approval
    site.assessment.approve(HEAD_A2, MONTH, "A2", override="测试：待办另行处理")
    assert told == [1]  # after the commit: the publication is there to read
    first = site.assessment.publication(MONTH, "A2")
    assert first is not None
    row = first.rows[0]
    body = MonthReview(
        person=str(row["inmate"]), month="2026-10", points=str(row["points"]), day="2026-11-02",
        reason="days_wrong", text="",
    )  # fmt: skip
    store_signed(site.db, "demo", [_kiosk_sign("H-L3", body, date(2026, 11, 2))], clock_ms=lambda: 1)
    site.assessment.reopen(LABOR, MONTH, "A2", "重新核对", stage="area_head")
    assert site.assessment.publication(MONTH, "A2") is None
    [request] = site.assessment.review_requests(MONTH, "A2")
    site.assessment.answer_review(HEAD_A2, request.kiosk, request.seq, mp.CHANGED, "出勤已更正")
    assert MonthReviewAnswer.get().area == "A2"
    assert len(told) == 3  # the withdrawal, the answer
    assert PublishedMonth.get().withdrawn_ms is not None
    assert not [p for p in board_published(site.db)("A2", date(2026, 11, 2)) if p.kind == "month"]
    _on(site, date(2026, 11, 4))
    site.assessment.approve(HEAD_A2, MONTH, "A2", override="测试：待办另行处理")
    again = site.assessment.publication(MONTH, "A2")
    assert again is not None
    assert (again.valid_from, again.until) == (date(2026, 11, 4), date(2026, 11, 8))


def test_the_published_rows_show_workdays_completion_and_points_and_none_for_the_unassessed() -> None:
    """A published row: prison number, name, workdays, completion (2 places) and labor points (one
    place); an inmate exempt all month (not assessed) has no points to show or confirm."""
    score = MonthlyScore(
        inmate="P1", quota_std_seconds=Fraction(300), earned_std_seconds=Fraction(301), workdays=20,
        days_met=12, base_points=Fraction(8), bonus_points=Fraction(0), adjust_points=Fraction(-1, 2),
        labor_points=Fraction(15, 2),
    )  # fmt: skip
    exempt = MonthlyScore(
        inmate="P2", quota_std_seconds=Fraction(0), earned_std_seconds=Fraction(0), workdays=0,
        days_met=0, base_points=Fraction(0), bonus_points=Fraction(0), adjust_points=Fraction(0),
        labor_points=Fraction(0), labor_assessed=False,
    )  # fmt: skip
    rows = mp.month_rows_shown(
        [
            rules.MonthRow(inmate="P1", number="32101001", name="张三", area="A1", score=score),
            rules.MonthRow(inmate="P2", number="32101002", name="李四", area="A1", score=exempt),
        ]
    )
    assert rows == [
        {"inmate": "P1", "number": "32101001", "name": "张三", "days": 20, "completion_pct": "100.33",
         "points": "7.5"},
        {"inmate": "P2", "number": "32101002", "name": "李四", "days": 0, "completion_pct": None,
         "points": None},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("today", "days", "window"),
    [
        (date(2026, 11, 2), 5, (date(2026, 11, 2), date(2026, 11, 6))),
        (date(2026, 11, 30), 1, (date(2026, 11, 30), date(2026, 11, 30))),
        (date(2026, 12, 29), 5, (date(2026, 12, 29), date(2027, 1, 2))),
    ],
)
def test_a_publication_runs_from_the_approval_day_for_its_days(
    today: date, days: int, window: tuple[date, date]
) -> None:
    """The window starts on the day of the area head's approval and counts that day."""
    assert mp.publication_window(today, days) == window
