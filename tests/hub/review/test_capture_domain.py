"""Rule book v2 capture on the dashboard (#14 items 3-4): grades of rated posts, rejects and
deductions with four eyes, on the seeded demo site (real ledger, real engine, SQLite file).

Each act is a hub-signed ledger entry; the month input the engine reads carries the grades, the
rejects and only confirmed deductions, and the month's numbers equal the rule book's reading of them;
refusals (range, four eyes, locked month, scope, v1 month) change nothing; `floorledger verify`
passes after the acts and names a grade, reject or deduction edited in SQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee
import pytest

from hub.accounts import Principal, Role
from hub.app import assessment_service, masterdata_service
from hub.audit import verify
from hub.audit.masterdata import TITLE
from hub.engine.compute import compute_month
from hub.engine.model import Month
from hub.ledger.entries import Ledger
from hub.masterdata import queries as md_queries
from hub.results import inputs as mi
from hub.review import capture as cx
from hub.review import exports, open_items
from hub.seed import seed_site
from hub.store import capture as cap
from hub.store import db as hub_db
from hub.store.ledger import LedgerEntry
from hub.store.masterdata import Line
from hub.store.review import MonthApproval
from hub.store.schema import prepare
from protocol.signing import Signer, Verifier

HUB_KEY = Signer(bytes([47]) * 32)
TODAY = date(2026, 10, 14)
MONTH = Month.of(TODAY)
NOW_MS = 1_791_900_000_000
GRADED_DAY = date(2026, 10, 12)

LABOR = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)


@dataclass
class Site:
    db: peewee.Database
    desk: cx.Capture
    off1: Principal
    off2: Principal
    offx: Principal
    area: str
    applied: list[date]


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "hub.db"
    db = hub_db.connect(str(path))
    try:
        seed_site(db, hub_signer=HUB_KEY, seed=5, today=TODAY, history_days=6, clock_ms=lambda: NOW_MS)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


@pytest.fixture
def site(seeded_file: Path, tmp_path: Path) -> Iterator[Site]:
    """A copy of the seeded site with October under rule book v2 and P1001 on the kitchen post of L1
    from 2026-10-08."""
    copy = tmp_path / "hub.db"
    shutil.copyfile(seeded_file, copy)
    db = hub_db.connect(str(copy))
    prepare(db)
    ledger = Ledger(db, HUB_KEY, lambda: NOW_MS + 1000)
    data = masterdata_service(db, record_act=ledger.record_act, clock_ms=lambda: NOW_MS + 1000)
    data.add_rule_set_version(
        LABOR, "JX-V2", valid_from="2026-10", parameters={"rule_book": "v2"}, reason="第二版"
    )
    data.add_post(LABOR, "KITCHEN", "厨房", line="L1")
    data.assign(LABOR, "P1001", post="KITCHEN", valid_from="2026-10-08")
    area = str(Line.get_by_id("L1").area)
    applied: list[date] = []
    desk = cx.Capture(
        db, ledger, today=lambda: TODAY, clock_ms=lambda: NOW_MS + 2000, on_applied=applied.append
    )
    try:
        yield Site(
            db=db,
            desk=desk,
            off1=Principal(username="off1", display_name="一", role=Role.LINE_OFFICER, lines=("L1",)),
            off2=Principal(username="off2", display_name="二", role=Role.LINE_OFFICER, lines=("L1",)),
            offx=Principal(username="offx", display_name="外", role=Role.LINE_OFFICER, lines=("L9",)),
            area=area,
            applied=applied,
        )
    finally:
        db.close()


def _counted_on_l1(day: date) -> tuple[str, str]:
    """An inmate on a counted step of L1 on `day`, and the step."""
    for inmate, a in sorted(md_queries.posts_on(day).items()):
        if a.line == "L1" and a.mode != "rated":
            return inmate, str(a.step)
    raise AssertionError("the seeded site has nobody counted on L1")


def _acts(action: str) -> list[LedgerEntry]:
    return list(LedgerEntry.select().where(LedgerEntry.action == action).order_by(LedgerEntry.entry_index))


def _month(db: peewee.Database) -> tuple[mi.MonthInputs, object]:
    read = mi.month_input(db, MONTH, through=TODAY)
    return read, compute_month(read.inputs, read.rule_set)


def test_grades_are_signed_acts_the_engine_reads_and_a_missing_grade_shows_until_given(site: Site) -> None:
    """P1001's kitchen day is listed without a grade (and as a missing rating of the month) until the
    officer grades it; the grade is a signed act, the engine earns 90 % of the quota for a B, and a
    later grade replaces the earlier one."""
    day = [r for r in cx.rated_on(GRADED_DAY, post="KITCHEN")]
    assert [(r.inmate, r.grade) for r in day] == [("P1001", None)]
    _, before = _month(site.db)
    assert any(m.inmate == "P1001" and m.day == GRADED_DAY for m in before.missing_ratings)  # type: ignore[attr-defined]

    assert site.desk.grade(site.off1, GRADED_DAY, {"P1001": "b"}) == 1
    assert [(r.inmate, r.grade) for r in cx.rated_on(GRADED_DAY, post="KITCHEN")] == [("P1001", "B")]
    [act] = _acts("grade.set")
    assert act.actor == "off1"
    assert act.subject == "P1001@2026-10-12"
    assert site.applied == [GRADED_DAY]
    read, result = _month(site.db)
    assert [(r.inmate, r.day, r.grade) for r in read.inputs.ratings] == [("P1001", GRADED_DAY, "B")]
    [rated] = [r for r in result.rated if r.inmate == "P1001" and r.day == GRADED_DAY]  # type: ignore[attr-defined]
    assert rated.grade == "B"
    assert rated.earned_std_seconds == rated.quota_std_seconds * Fraction(90, 100)
    assert not any(m.inmate == "P1001" and m.day == GRADED_DAY for m in result.missing_ratings)  # type: ignore[attr-defined]

    site.desk.grade(site.off2, GRADED_DAY, {"P1001": "A"})
    assert cap.Grade.select().count() == 1
    _, result = _month(site.db)
    [rated] = [r for r in result.rated if r.inmate == "P1001" and r.day == GRADED_DAY]  # type: ignore[attr-defined]
    assert rated.grade == "A"
    assert rated.earned_std_seconds == rated.quota_std_seconds


def test_grade_refusals_change_nothing(site: Site) -> None:
    """An unknown grade, an inmate not on a rated post, an officer of another line and a future day
    are refused with their messages; no row and no act is written."""
    counted, _ = _counted_on_l1(GRADED_DAY)
    cases = [
        (site.off1, GRADED_DAY, {"P1001": "E"}, "No grade E (known: A B C D)"),
        (site.off1, GRADED_DAY, {counted: "A"}, f"{counted} is not on a rated post on 2026-10-12"),
        (site.offx, GRADED_DAY, {"P1001": "A"}, "This line is not in your scope"),
        (site.off1, date(2026, 10, 15), {"P1001": "A"}, "A day that has not come cannot be entered"),
    ]
    for who, day, grades, message in cases:
        with pytest.raises(cx.CaptureError) as err:
            site.desk.grade(who, day, grades)
        assert str(err.value) == message
    assert cap.Grade.select().count() == 0
    assert _acts("grade.set") == []


def test_a_rejected_unit_comes_off_the_makers_credit(site: Site) -> None:
    """Two rejected units of a counted inmate's step that day: a signed act, and the engine's credit
    for that day is two units less than without them (the rule book's step 3)."""
    day = date(2026, 10, 9)
    inmate, step = _counted_on_l1(day)
    _, before = _month(site.db)
    [was] = [r for r in before.daily if r.inmate == inmate and r.day == day]  # type: ignore[attr-defined]
    assert was.done_units >= 2, "the seeded inmate made at least two units"
    site.desk.reject(site.off1, line="L1", day=day, inmate=inmate, step=step, units="2", reason="线头未剪")
    [act] = _acts("reject.add")
    assert act.payload
    assert act.actor == "off1"
    _, after = _month(site.db)
    [now] = [r for r in after.daily if r.inmate == inmate and r.day == day]  # type: ignore[attr-defined]
    assert now.rejected_units == 2
    assert now.done_units == was.done_units - 2

    with pytest.raises(cx.CaptureError, match="did not work step"):
        site.desk.reject(site.off1, line="L1", day=day, inmate="P1001", step=step, units="1", reason="x")
    with pytest.raises(cx.CaptureError, match="Units: a whole number"):
        site.desk.reject(site.off1, line="L1", day=day, inmate=inmate, step=step, units="0", reason="x")


def test_a_deduction_counts_only_once_a_second_officer_confirms_it(site: Site) -> None:
    """Proposed by off1 (with evidence stored by its SHA-256): the engine does not see it; off1 cannot
    confirm his own; off2 confirms and the month's line carries it, labor points = base + additions −
    deduction as the rule book says."""
    photo = b"\x89PNG fake photo bytes"
    row = site.desk.propose_deduction(
        site.off1,
        inmate="P1002",
        day=date(2026, 10, 9),
        category="safety",
        points="4",
        reason="未戴护目镜",
        evidence_name="photo.png",
        evidence_bytes=photo,
        evidence_type="image/png",
    )
    stored = cx.evidence(row.evidence)
    assert stored is not None
    assert bytes(stored.content) == photo
    assert row.evidence == cx.sha256_hex(photo)
    read, _ = _month(site.db)
    assert read.inputs.deductions == ()

    with pytest.raises(cx.CaptureError) as err:
        site.desk.confirm_deduction(site.off1, row.id)
    assert str(err.value) == "You cannot confirm your own deduction (a second officer must)"
    site.desk.confirm_deduction(site.off2, row.id)
    assert [a.actor for a in _acts("deduction.propose")] == ["off1"]
    assert [a.actor for a in _acts("deduction.confirm")] == ["off2"]

    read, result = _month(site.db)
    assert [(d.inmate, d.category, d.points) for d in read.inputs.deductions] == [("P1002", "safety", 4)]
    [line] = [m for m in result.monthly if m.inmate == "P1002"]  # type: ignore[attr-defined]
    assert line.deduct_points == 4
    assert [(d.category, d.reason) for d in line.deductions] == [("safety", "未戴护目镜")]
    assert line.labor_points == max(0, line.base_points + line.additions_points - 4)
    with pytest.raises(cx.CaptureError, match="not awaiting confirmation"):
        site.desk.confirm_deduction(site.off1, row.id)


@pytest.mark.parametrize(
    ("category", "points", "message"),
    [
        ("safety", "12", "points: 12 is outside the safety range 2..10"),
        ("safety", "1", "points: 1 is outside the safety range 2..10"),
        ("quality", "5.5", "points: 5.5 is outside the quality range 1..5"),
        ("noise", "1", "No deduction category noise (known: quality, safety, discipline, equipment)"),
        ("quality", "1.25", "Points: a number above 0 with one decimal at most"),
        ("quality", "-1", "Points: a number above 0 with one decimal at most"),
    ],
)
def test_deduction_points_outside_the_categorys_range_are_refused(
    site: Site, category: str, points: str, message: str
) -> None:
    """The rule set's category ranges bound each deduction; the message names the range."""
    with pytest.raises(cx.CaptureError) as err:
        site.desk.propose_deduction(
            site.off1, inmate="P1002", day=date(2026, 10, 9), category=category, points=points, reason="r"
        )
    assert str(err.value) == message
    assert cap.Deduction.select().count() == 0


def test_a_locked_month_refuses_grades_rejects_deductions_and_confirmations(site: Site) -> None:
    """Once the area's month is locked, every capture act is refused and nothing is written."""
    row = site.desk.propose_deduction(
        site.off1, inmate="P1002", day=date(2026, 10, 9), category="quality", points="2", reason="返工"
    )
    MonthApproval.create(
        month=str(MONTH),
        area=site.area,
        stage="labor_section",
        approver="labor",
        rows_digest="x",
        approved_ms=1,
    )
    inmate, step = _counted_on_l1(date(2026, 10, 9))
    calls = [
        lambda: site.desk.grade(site.off1, GRADED_DAY, {"P1001": "A"}),
        lambda: site.desk.reject(
            site.off1, line="L1", day=date(2026, 10, 9), inmate=inmate, step=step, units=1, reason="r"
        ),
        lambda: site.desk.propose_deduction(
            site.off1, inmate="P1002", day=date(2026, 10, 9), category="quality", points="2", reason="r"
        ),
        lambda: site.desk.confirm_deduction(site.off2, row.id),
    ]
    for call in calls:
        with pytest.raises(cx.CaptureError) as err:
            call()
        assert str(err.value) == "2026-10 is approved and locked"
    assert cap.Grade.select().count() == 0
    assert cap.Reject.select().count() == 0
    assert cap.Deduction.get_by_id(row.id).status == cap.PROPOSED


def test_a_v1_month_refuses_capture(site: Site) -> None:
    """September is computed under rule book v1: a deduction there is refused, naming the month."""
    with pytest.raises(cx.CaptureError) as err:
        site.desk.propose_deduction(
            LABOR, inmate="P1002", day=date(2026, 9, 30), category="quality", points="2", reason="r"
        )
    assert (
        str(err.value) == "2026-09 is computed under rule book v1: no grades, rejects or deduction categories"
    )


def test_verify_passes_after_capture_and_names_each_row_edited_in_sql(site: Site) -> None:
    """The acts replay to the stored rows (verify passes); then a grade, a reject's units and a
    deduction's points edited in SQL, and a deduction confirmed in SQL, are each reported."""
    day = date(2026, 10, 9)
    inmate, step = _counted_on_l1(day)
    site.desk.grade(site.off1, GRADED_DAY, {"P1001": "C"})
    reject = site.desk.reject(site.off1, line="L1", day=day, inmate=inmate, step=step, units=1, reason="r")
    confirmed = site.desk.propose_deduction(
        site.off1, inmate="P1002", day=day, category="quality", points="2", reason="返工"
    )
    site.desk.confirm_deduction(site.off2, confirmed.id)
    open_one = site.desk.propose_deduction(
        site.off1, inmate="P1003", day=day, category="discipline", points="1", reason="迟到"
    )
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    section = next(s for s in report.sections if s.title == TITLE)
    assert section.findings == [], report.render()

    cap.Grade.update(grade="A").execute()
    cap.Reject.update(units="0").where(cap.Reject.id == reject.id).execute()
    cap.Deduction.update(points="1").where(cap.Deduction.id == confirmed.id).execute()
    cap.Deduction.update(status="confirmed", confirmed_by="off1").where(
        cap.Deduction.id == open_one.id
    ).execute()
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    findings = next(s for s in report.sections if s.title == TITLE).findings
    assert not report.ok
    text = "\n".join(str(f) for f in findings)
    assert "cap_grade inmate=P1001 day=2026-10-12: column grade is 'A' but the signed acts say 'C'" in text
    assert f"cap_reject id={reject.id}: column units is '0' but the signed acts say '1'" in text
    assert f"cap_deduction id={confirmed.id}: column points is '1' but the signed acts say '2'" in text
    assert (
        f"cap_deduction id={open_one.id}: column status is 'confirmed' but the signed acts say 'proposed'"
        in text
    )


def test_the_monthly_view_and_the_export_carry_the_confirmed_deduction(site: Site) -> None:
    """A confirmed deduction reaches the area's month as the engine computes it: the export row has
    deduct_points, the additions after the cap, labor_assessed and the deduction's category, day and
    reason, and labor_points = base + additions − deduction."""
    row = site.desk.propose_deduction(
        site.off1, inmate="P1002", day=date(2026, 10, 9), category="safety", points="4", reason="未戴护目镜"
    )
    site.desk.confirm_deduction(site.off2, row.id)
    assessment = assessment_service(site.db, record_act=None, today=lambda: TODAY, clock_ms=lambda: NOW_MS)
    view = assessment.month_view(MONTH, site.area)
    stamp = datetime(2026, 10, 14, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    [line] = [
        r
        for r in exports.export_rows(view, export_time=stamp, checkpoint_root="")
        if r["inmate_id"] == "P1002"
    ]
    [score] = [r.score for r in view.rows if r.inmate == "P1002"]
    assert line["labor_assessed"] is True
    assert line["deduct_points"] == "4.0"
    assert line["deduction_detail"] == [
        {"category": "safety", "points": "4", "day": "2026-10-09", "reason": "未戴护目镜"}
    ]
    assert score.labor_points == max(0, score.base_points + score.additions_points - 4)
    text = exports.to_csv([line]).decode("utf-8-sig")
    assert "安全生产 -4 未戴护目镜 (2026-10-09)" in text


def test_evidence_changed_or_deleted_in_sql_is_reported(site: Site) -> None:
    """Evidence is kept under the SHA-256 its deduction's act signs: bytes replaced in SQL, and then
    the file deleted, are each named by verify."""
    row = site.desk.propose_deduction(
        site.off1,
        inmate="P1002",
        day=date(2026, 10, 9),
        category="quality",
        points="2",
        reason="返工",
        evidence_bytes=b"photo",
    )
    cap.Evidence.update(content=b"other photo").execute()
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    text = "\n".join(str(f) for f in next(s for s in report.sections if s.title == TITLE).findings)
    assert f"deduction evidence {row.evidence}: its bytes no longer hash to it (changed)" in text
    cap.Evidence.delete().execute()
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    text = "\n".join(str(f) for f in next(s for s in report.sections if s.title == TITLE).findings)
    assert f"deduction {row.id}: its evidence {row.evidence} is missing" in text


def test_the_work_queue_lists_each_missing_grade_and_drops_it_once_graded(site: Site) -> None:
    """#15's queue: every workday P1001 held the kitchen post without a grade is an open `grade` item
    on L1 (the engine's own missing ratings, so queue and score agree), the approval guard counts them,
    and grading one day removes exactly that item; another line's queue has none."""
    read, result = _month(site.db)
    missing = sorted((m.day, m.inmate) for m in result.missing_ratings)  # type: ignore[attr-defined]
    assert (GRADED_DAY, "P1001") in missing
    items = [i for i in open_items.list_open(read, MONTH, ["L1"]) if i.kind == "grade"]
    assert sorted((i.day, i.who) for i in items) == missing
    assert {(i.line, i.what) for i in items} == {("L1", "KITCHEN")}
    assert open_items.open_items(read, MONTH, ["L1"])["grade"] == len(missing)
    assert not [i for i in open_items.list_open(read, MONTH, ["L2"]) if i.kind == "grade"]

    site.desk.grade(site.off1, GRADED_DAY, {"P1001": "B"})
    read, _ = _month(site.db)
    after = sorted((i.day, i.who) for i in open_items.list_open(read, MONTH, ["L1"]) if i.kind == "grade")
    assert after == [x for x in missing if x != (GRADED_DAY, "P1001")]


def test_a_reject_entered_by_mistake_is_withdrawn_and_his_credit_comes_back(site: Site) -> None:
    """A wrong reject withdrawn with a reason: the row stays (who, when, why), a signed
    `reject.withdraw` act is written, the engine leaves the units out again, and it cannot be
    withdrawn twice; verify still passes, and a withdrawal written in SQL without an act is reported."""
    day = date(2026, 10, 9)
    inmate, step = _counted_on_l1(day)
    _, before = _month(site.db)
    [was] = [r for r in before.daily if r.inmate == inmate and r.day == day]  # type: ignore[attr-defined]
    row = site.desk.reject(
        site.off1, line="L1", day=day, inmate=inmate, step=step, units="2", reason="线头未剪"
    )
    with pytest.raises(cx.CaptureError, match="not in your scope"):
        site.desk.withdraw_reject(site.offx, row.id, "录错了")
    with pytest.raises(cx.CaptureError, match="A reason is required"):
        site.desk.withdraw_reject(site.off2, row.id, " ")
    withdrawn = site.desk.withdraw_reject(site.off2, row.id, "扎票号录错，不是他的")
    assert (withdrawn.withdrawn_by, withdrawn.withdraw_reason) == ("off2", "扎票号录错，不是他的")
    [act] = _acts("reject.withdraw")
    assert (act.actor, act.subject) == ("off2", f"{inmate}@{day.isoformat()}")
    _, after = _month(site.db)
    [now] = [r for r in after.daily if r.inmate == inmate and r.day == day]  # type: ignore[attr-defined]
    assert (now.rejected_units, now.done_units) == (0, was.done_units)
    with pytest.raises(cx.CaptureError, match="already withdrawn"):
        site.desk.withdraw_reject(site.off1, row.id, "again")
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    assert next(s for s in report.sections if s.title == TITLE).findings == [], report.render()

    other = site.desk.reject(site.off1, line="L1", day=day, inmate=inmate, step=step, units="1", reason="r")
    cap.Reject.update(withdrawn_by="off1", withdrawn_ms=NOW_MS, withdraw_reason="x").where(
        cap.Reject.id == other.id
    ).execute()
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    text = "\n".join(str(f) for f in next(s for s in report.sections if s.title == TITLE).findings)
    assert f"cap_reject id={other.id}: column withdrawn_by is 'off1' but the signed acts say None" in text


def test_a_deduction_is_withdrawn_before_it_counts_and_after_only_by_the_labor_section(site: Site) -> None:
    """A proposal is withdrawn by an officer in scope and never reaches the engine; a confirmed
    deduction counts, a line officer's withdrawal of it is refused, the labor section's takes it out
    of the month; a locked month refuses a withdrawal."""
    day = date(2026, 10, 9)
    proposal = site.desk.propose_deduction(
        site.off1, inmate="P1002", day=day, category="quality", points="2", reason="返工"
    )
    gone = site.desk.withdraw_deduction(site.off1, proposal.id, "找错了人")
    assert (gone.status, gone.withdrawn_by) == (cap.WITHDRAWN, "off1")
    with pytest.raises(cx.CaptureError, match="not awaiting confirmation"):
        site.desk.confirm_deduction(site.off2, proposal.id)

    confirmed = site.desk.propose_deduction(
        site.off1, inmate="P1003", day=day, category="discipline", points="1", reason="迟到"
    )
    site.desk.confirm_deduction(site.off2, confirmed.id)
    read, _ = _month(site.db)
    assert [d.inmate for d in read.inputs.deductions] == ["P1003"]
    with pytest.raises(cx.CaptureError) as err:
        site.desk.withdraw_deduction(site.off2, confirmed.id, "复核后撤销")
    assert str(err.value) == "Only the labor section withdraws a confirmed deduction"
    site.desk.withdraw_deduction(LABOR, confirmed.id, "复核后撤销")
    read, _ = _month(site.db)
    assert read.inputs.deductions == ()
    assert [a.actor for a in _acts("deduction.withdraw")] == ["off1", "labor"]
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)
    assert next(s for s in report.sections if s.title == TITLE).findings == [], report.render()

    late = site.desk.propose_deduction(
        site.off1, inmate="P1002", day=day, category="quality", points="1", reason="r"
    )
    MonthApproval.create(
        month=str(MONTH),
        area=site.area,
        stage="labor_section",
        approver="labor",
        rows_digest="x",
        approved_ms=1,
    )
    with pytest.raises(cx.CaptureError, match="approved and locked"):
        site.desk.withdraw_deduction(site.off2, late.id, "r")
    assert cap.Deduction.get_by_id(late.id).status == cap.PROPOSED
