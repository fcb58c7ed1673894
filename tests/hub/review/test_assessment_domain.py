"""Weekly review and monthly assessment on a real seeded site (SQLite file, real engine, real ledger).

Also holds `seeded_copy`, the fixture the other assessment, export and trends tests import: the demo
site is seeded once per session (a month of signed records and results) and copied per test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
import pytest

from hub.engine.compute import compute_month
from hub.engine.model import Month
from hub.ledger.entries import Ledger
from hub.results import worker as rs
from hub.results.inputs import month_input
from hub.review import lock, rules, weekly
from hub.review import monthly as asm
from hub.seed import seed_site
from hub.store import db as hubdb
from hub.store import results as result_tables
from hub.store import review as review_tables
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from protocol.signing import Signer

# approvals before the month has ended (or with items open) need an override since the guard
# (hub.review.rules.check_guard); these tests are about other rules
MID_MONTH = "测试：月中审批，待办另行处理"

TODAY = date(2026, 10, 29)
MONTH = Month(year=2026, month=10)
HUB_KEY = Signer(b"\x05" * 32)
NOW_MS = int(datetime(2026, 10, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)
_TEMPLATE: dict[str, Path] = {}

LINE_L1 = rules.Actor(username="off_l1", role="line_officer", lines=("L1",))
LINE_L3 = rules.Actor(username="off_l3", role="line_officer", lines=("L3",))
HEAD_A1 = rules.Actor(username="head_a1", role="area_head", area="A1")
HEAD_A2 = rules.Actor(username="head_a2", role="area_head", area="A2")
LABOR = rules.Actor(username="labor", role="labor_section")


@dataclass
class Site:
    db: pw.Database
    ledger: Ledger
    results: rs.Results
    assessment: asm.Assessment


def template(factory: pytest.TempPathFactory) -> Path:
    """The seeded site's database file, made once per session (seeding takes a few seconds)."""
    if "db" not in _TEMPLATE:
        path = factory.mktemp("seeded") / "hub.db"
        database = hubdb.connect(f"sqlite:///{path}")
        seed_site(database, hub_signer=HUB_KEY, today=TODAY, history_days=14, clock_ms=lambda: NOW_MS)
        database.close()
        _TEMPLATE["db"] = path
    return _TEMPLATE["db"]


def open_copy(factory: pytest.TempPathFactory, target: Path) -> Site:
    shutil.copy(template(factory), target)
    database = hubdb.connect(f"sqlite:///{target}")
    prepare(database)
    book = Ledger(database, HUB_KEY, lambda: NOW_MS)
    results = rs.Results(database, today=lambda: TODAY, clock_ms=lambda: NOW_MS)
    assessment = asm.Assessment(
        database, record_act=book.record_act, today=lambda: TODAY, clock_ms=lambda: NOW_MS
    )
    return Site(database, book, results, assessment)


@pytest.fixture
def seeded_copy(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    site = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield site
    site.db.close()


def _acts(action: str) -> list[LedgerEntry]:
    return list(LedgerEntry.select().where(LedgerEntry.action == action).order_by(LedgerEntry.entry_index))


# --- pure rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approved", "due", "state"),
    [
        ([], "line_officer", "open"),
        (["line_officer"], "area_head", "line_officer"),
        (["line_officer", "area_head"], "labor_section", "area_head"),
        (["line_officer", "area_head", "labor_section"], None, "locked"),
    ],
)
def test_the_chain_runs_line_officer_then_area_head_then_labor_section(
    approved: list[str], due: str | None, state: str
) -> None:
    """Each stage is due only after the ones before it; the labor section's approval locks."""
    assert rules.next_stage(approved) == due
    assert rules.month_state(approved) == state


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2026-W40", True),
        ("2026-W53", True),
        ("2025-W53", False),
        ("2026-40", False),
        ("", False),
        ("<b>", False),
    ],
)
def test_weeks_are_iso_weeks_written_yyyy_www(text: str, ok: bool) -> None:
    """2026 has 53 ISO weeks, 2025 has 52; anything not YYYY-Www is refused with bad_week."""
    if ok:
        monday, sunday = rules.parse_week(text)
        assert monday.isoweekday() == 1
        assert (sunday - monday).days == 6
    else:
        with pytest.raises(rules.AssessmentError) as err:
            rules.parse_week(text)
        assert err.value.code == "bad_week"


@pytest.mark.parametrize("text", ["", "abc", "0", "0.0", "101", "1.25", "1e2", "<b>2</b>", "-" * 5000])
def test_bad_point_values_are_refused(text: str) -> None:
    """Points are non-zero, at most one decimal, within ±100; everything else is bad_points."""
    with pytest.raises(rules.AssessmentError) as err:
        rules.parse_points(text)
    assert err.value.code == "bad_points"


def test_good_point_values_are_exact() -> None:
    """ "-2", "+1.5" and "100" are read as exact fractions, never floats."""
    assert [rules.parse_points(x) for x in ("-2", "+1.5", "100")] == [
        Fraction(-2),
        Fraction(3, 2),
        Fraction(100),
    ]


def test_below_threshold_needs_five_days_under_80_percent() -> None:
    """Four days under 80 % is not listed, five is; days without a quota count neither way."""
    d = date(2026, 10, 1)
    rows = [("A", d, Fraction(79))] * 5 + [("B", d, Fraction(79))] * 4 + [("B", d, None)] * 3
    rows += [("C", d, Fraction(80))] * 9
    assert rules.below_threshold(rows) == [("A", 5)]


# --- monthly approval chain ---------------------------------------------------------------------------


def test_full_chain_locks_the_month_and_each_approval_is_in_the_ledger(seeded_copy: Site) -> None:
    """Line officer, area head, labor section approve A1 in order: A1 is locked, A2 is not."""
    a = seeded_copy.assessment
    assert [a.approve(who, MONTH, "A1", override=MID_MONTH) for who in (LINE_L1, HEAD_A1, LABOR)] == list(
        lock.STAGES
    )
    assert lock.is_locked(seeded_copy.db, MONTH, "A1")
    assert not lock.is_locked(seeded_copy.db, MONTH, "A2")
    assert a.month_view(MONTH, "A1").state == "locked"
    approvals = _acts("month.approve")
    assert [(e.actor, e.subject) for e in approvals] == [
        ("off_l1", "month:A1:2026-10"),
        ("head_a1", "month:A1:2026-10"),
        ("labor", "month:A1:2026-10"),
    ]


def test_a_line_officer_cannot_approve_another_area(seeded_copy: Site) -> None:
    """The officer of L3 (area A2) approving A1 is refused for scope and nothing is recorded."""
    with pytest.raises(rules.AssessmentError) as err:
        seeded_copy.assessment.approve(LINE_L3, MONTH, "A1", override=MID_MONTH)
    assert err.value.code == "scope"
    assert lock.active_stages(MONTH, "A1") == []
    assert _acts("month.approve") == []


def test_an_area_head_cannot_approve_before_the_line_officer(seeded_copy: Site) -> None:
    """The area head first is refused (order); the labor section before both too; nothing recorded."""
    a = seeded_copy.assessment
    for who in (HEAD_A1, LABOR):
        with pytest.raises(rules.AssessmentError) as err:
            a.approve(who, MONTH, "A1", override=MID_MONTH)
        assert err.value.code == "order"
    with pytest.raises(rules.AssessmentError) as other:
        a.approve(HEAD_A2, MONTH, "A1", override=MID_MONTH)
    assert other.value.code == "scope"
    assert lock.active_stages(MONTH, "A1") == []


def test_a_locked_month_cannot_be_adjusted(seeded_copy: Site) -> None:
    """After the labor section approves, adding or voiding an adjustment is refused and changes nothing."""
    a = seeded_copy.assessment
    row = a.add_adjustment(LINE_L1, MONTH, "A1", "P1001", "-2", "质量扣分")
    for who in (LINE_L1, HEAD_A1, LABOR):
        a.approve(who, MONTH, "A1", override=MID_MONTH)
    with pytest.raises(rules.AssessmentError) as err:
        a.add_adjustment(HEAD_A1, MONTH, "A1", "P1002", "1", "安全奖励")
    assert err.value.code == "locked"
    with pytest.raises(rules.AssessmentError) as err2:
        a.void_adjustment(HEAD_A1, row.id, "录错")
    assert err2.value.code == "locked"
    assert [x.inmate for x in a.adjustments(MONTH, "A1")] == ["P1001"]
    assert review_tables.Adjustment.get_by_id(row.id).voided_ms is None


def test_reopen_voids_the_chosen_stage_and_the_later_ones(seeded_copy: Site) -> None:
    """Reopening at the area head stage voids area head and labor section; the line officer's stays."""
    a = seeded_copy.assessment
    for who in (LINE_L1, HEAD_A1, LABOR):
        a.approve(who, MONTH, "A1", override=MID_MONTH)
    assert a.reopen(LABOR, MONTH, "A1", "复核扣分", stage="area_head") == ["area_head", "labor_section"]
    assert lock.active_stages(MONTH, "A1") == ["line_officer"]
    assert not lock.is_locked(seeded_copy.db, MONTH, "A1")
    voided = review_tables.MonthApproval.select().where(review_tables.MonthApproval.voided_ms.is_null(False))
    assert sorted(v.void_reason for v in voided) == ["reopen: 复核扣分"] * 2
    [entry] = _acts("month.reopen")
    assert (entry.actor, entry.subject) == ("labor", "month:A1:2026-10")
    assert (
        a.approve(HEAD_A1, MONTH, "A1", override=MID_MONTH) == "area_head"
    )  # the chain goes on from where it was reopened


def test_reopen_needs_the_labor_section_and_a_reason(seeded_copy: Site) -> None:
    """An area head cannot reopen; an empty or oversize reason is refused; the lock stays."""
    a = seeded_copy.assessment
    for who in (LINE_L1, HEAD_A1, LABOR):
        a.approve(who, MONTH, "A1", override=MID_MONTH)
    with pytest.raises(rules.AssessmentError) as err:
        a.reopen(HEAD_A1, MONTH, "A1", "理由")
    assert err.value.code == "role"
    for reason, code in (("  ", "no_reason"), ("长" * 201, "long_reason")):
        with pytest.raises(rules.AssessmentError) as bad:
            a.reopen(LABOR, MONTH, "A1", reason)
        assert bad.value.code == code
    assert lock.is_locked(seeded_copy.db, MONTH, "A1")
    assert _acts("month.reopen") == []


# --- adjustments ----------------------------------------------------------------------------------------


def test_an_adjustment_changes_the_engine_score_and_voids_earlier_approvals(seeded_copy: Site) -> None:
    """A 2-point quality deduction lowers labor points by exactly 2 (engine numbers) and voids approvals."""
    a = seeded_copy.assessment
    before = {r.inmate: r.score for r in a.month_view(MONTH, "A1").rows}["P1002"]
    a.approve(LINE_L1, MONTH, "A1", override=MID_MONTH)
    a.add_adjustment(HEAD_A1, MONTH, "A1", "P1002", "-2", "质量扣分：返工 3 件")
    after = {r.inmate: r.score for r in a.month_view(MONTH, "A1").rows}["P1002"]
    assert after.adjust_points == -2
    assert after.labor_points == max(Fraction(0), before.labor_points - 2)
    read = month_input(seeded_copy.db, MONTH, through=TODAY)
    engine = compute_month(read.inputs, read.rule_set)
    assert {m.inmate: m for m in engine.monthly}["P1002"] == after
    assert lock.active_stages(MONTH, "A1") == []
    assert "质量扣分：返工 3 件" in a.explain(MONTH, "P1002")
    [entry] = _acts("month.adjust")
    assert entry.actor == "head_a1"


def test_bad_adjustments_change_nothing(seeded_copy: Site) -> None:
    """Unknown inmate, bad points, empty reason, another area: each refused with its reason, none stored."""
    a = seeded_copy.assessment
    cases = [
        (LINE_L1, "NOBODY", "-1", "理由", "no_inmate"),
        (LINE_L1, "P1001", "abc", "理由", "bad_points"),
        (LINE_L1, "P1001", "-1", "", "no_reason"),
        (LINE_L3, "P1001", "-1", "理由", "scope"),
        (LINE_L1, "P1001", "-1", "长" * 201, "long_reason"),
        (LINE_L1, "", "-1", "理由", "no_inmate"),
    ]
    for who, inmate, points, reason, code in cases:
        with pytest.raises(rules.AssessmentError) as err:
            a.add_adjustment(who, MONTH, "A1", inmate, points, reason)
        assert err.value.code == code
    assert review_tables.Adjustment.select().count() == 0
    assert _acts("month.adjust") == []


def test_a_voided_adjustment_no_longer_counts(seeded_copy: Site) -> None:
    """Voiding is a new recorded act: the row stays (marked voided) and the engine no longer sees it."""
    a = seeded_copy.assessment
    row = a.add_adjustment(LINE_L1, MONTH, "A1", "P1003", "1.5", "安全生产奖励")
    a.void_adjustment(HEAD_A1, row.id, "重复登记")
    assert month_input(seeded_copy.db, MONTH, through=TODAY).inputs.adjustments == ()
    assert review_tables.Adjustment.get_by_id(row.id).voided_by == "head_a1"
    assert len(_acts("month.adjust_void")) == 1


# --- weekly review ---------------------------------------------------------------------------------------


def test_weekly_rows_are_the_engine_weeks_of_the_area(seeded_copy: Site) -> None:
    """Week 2026-W43 of A1 lists the 40 inmates of L1 and L2 with the engine's weekly sums."""
    rows = seeded_copy.assessment.week_rows("A1", "2026-W43")
    assert len(rows) == 40
    read = seeded_copy.results.month_input(MONTH)
    engine = {w.inmate: w for w in compute_month(read.inputs, read.rule_set).weekly if w.week == "2026-W43"}
    on_area = {
        r.inmate
        for r in result_tables.DailyResult.select().where(result_tables.DailyResult.line.in_(["L1", "L2"]))
    }
    assert {r.inmate for r in rows} == on_area
    for r in rows:
        assert (r.quota_std_seconds, r.earned_std_seconds, r.days) == (
            engine[r.inmate].quota_std_seconds,
            engine[r.inmate].earned_std_seconds,
            engine[r.inmate].days,
        )


def test_signed_off_week_is_published_to_the_area_boards_for_seven_days(seeded_copy: Site) -> None:
    """Publishing needs a sign-off; the published week is on L1's and A1's boards until day 7, not after;
    the area's board shows all 40 rows, a line's board only the inmates who worked on that line."""
    a = seeded_copy.assessment
    with pytest.raises(rules.AssessmentError) as err:
        a.publish_week(HEAD_A1, "A1", "2026-W43")
    assert err.value.code == "unsigned"
    a.sign_off_week(LINE_L1, "A1", "2026-W43")
    with pytest.raises(rules.AssessmentError) as twice:
        a.sign_off_week(LINE_L1, "A1", "2026-W43")
    assert twice.value.code == "signed"
    assert a.publish_week(HEAD_A1, "A1", "2026-W43") == date(2026, 11, 4)
    [on_area] = weekly.published_weeks(seeded_copy.db, "A1", TODAY)
    assert len(on_area.rows) == 40
    [on_line] = weekly.published_weeks(seeded_copy.db, "L1", TODAY)
    assert on_line.week == "2026-W43"
    dr = result_tables.DailyResult
    worked_l1 = {
        r.inmate
        for r in dr.select().where((dr.line == "L1") & (dr.day >= "2026-10-19") & (dr.day <= "2026-10-25"))
    }
    assert 0 < len(worked_l1) < 40
    assert {r["inmate"] for r in on_line.rows} == worked_l1
    assert on_line.published_by == "head_a1"
    assert weekly.published_weeks(seeded_copy.db, "A1", date(2026, 11, 4))
    assert weekly.published_weeks(seeded_copy.db, "A1", date(2026, 11, 5)) == []
    assert weekly.published_weeks(seeded_copy.db, "L3", TODAY) == []
    assert [e.action for e in _acts("week.signoff") + _acts("week.publish")] == [
        "week.signoff",
        "week.publish",
    ]


def test_weekly_acts_outside_scope_or_with_bad_input_are_refused(seeded_copy: Site) -> None:
    """Another area's officer, a bad week, 0 or 32 days: refused, nothing signed or published."""
    a = seeded_copy.assessment
    with pytest.raises(rules.AssessmentError) as scope:
        a.sign_off_week(LINE_L3, "A1", "2026-W43")
    assert scope.value.code == "scope"
    with pytest.raises(rules.AssessmentError) as week:
        a.sign_off_week(LINE_L1, "A1", "2026-41")
    assert week.value.code == "bad_week"
    a.sign_off_week(LINE_L1, "A1", "2026-W43")
    for days in (0, 32):
        with pytest.raises(rules.AssessmentError) as bad:
            a.publish_week(LINE_L1, "A1", "2026-W43", days)
        assert bad.value.code == "bad_days"
    assert review_tables.PublishedWeek.select().count() == 0


def test_every_assessment_text_has_chinese_and_english() -> None:
    """Each page text and each refusal code has both languages, so a switch to English never shows a key."""
    from hub.web.review.assessment_texts import TEXTS

    assert all(words.get("zh") and words.get("en") for words in TEXTS.values())
    codes = ["bad_week", "bad_month", "bad_points", "no_reason", "long_reason", "locked", "role", "scope"]
    codes += ["order", "done", "nothing", "bad_stage", "bad_days", "signed", "unsigned", "empty", "no_area"]
    codes += ["no_inmate", "no_adjustment", "bad_token_name", "token_exists", "no_token"]
    assert all(f"assess.err.{code}" in TEXTS for code in codes)
    assert all(f"assess.state.{state}" in TEXTS for state in ("open", *lock.STAGES[:2], "locked"))


def test_an_approval_of_numbers_that_changed_after_the_page_is_refused(seeded_copy: Site) -> None:
    """The page sends the digest it showed; an adjustment entered by another officer meanwhile changes
    the month, so the approval is refused with a translated message and nothing is recorded."""
    a = seeded_copy.assessment
    shown = a.month_view(MONTH, "A1").digest
    a.add_adjustment(HEAD_A1, MONTH, "A1", "P1002", "-2", "质量扣分")
    with pytest.raises(rules.AssessmentError) as err:
        a.approve(LINE_L1, MONTH, "A1", shown, override=MID_MONTH)
    assert err.value.code == "stale"
    assert err.value.text("zh") == "页面显示后数据已变化，请刷新后核对再审批"
    assert str(err.value).startswith("The numbers changed after the page was shown")
    assert lock.active_stages(MONTH, "A1") == []
    assert _acts("month.approve") == []
    assert (
        a.approve(LINE_L1, MONTH, "A1", a.month_view(MONTH, "A1").digest, override=MID_MONTH)
        == "line_officer"
    )
