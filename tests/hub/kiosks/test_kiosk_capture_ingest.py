"""Rule book v2 capture from the kiosk (#14): a kiosk's signed `grade` and `reject` records, through
the real ingest on the seeded demo site (SQLite file, real ledger, real engine), become the rows the
dashboard capture makes, naming their kiosk record, with one hub act each in the storing transaction;
the engine reads them and the results worker recomputes their days; a refused one is stored and
ledgered as refused; `floorledger verify` passes and reports a kiosk-sourced grade edited in SQL, an
act that says otherwise than the record, and a kiosk record whose act is missing."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path

import peewee
import pytest

from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.audit import verify
from hub.audit.masterdata import TITLE
from hub.engine.compute import compute_month
from hub.engine.model import Month
from hub.kiosks.capture import REFUSED, KioskCapture
from hub.kiosks.capture import officer as officer_of
from hub.kiosks.enrollment import Enrollment
from hub.kiosks.ingest import Ingest
from hub.kiosks.plans import build_plan
from hub.ledger.entries import Ledger
from hub.masterdata import queries as md_queries
from hub.results import facts as fx
from hub.results import inputs as mi
from hub.results.worker import Results
from hub.review import capture as cx
from hub.seed import seed_site
from hub.store import capture as cap
from hub.store import db as hub_db
from hub.store.kiosks import KioskRecord
from hub.store.ledger import LedgerEntry
from hub.store.masterdata import Officer
from hub.store.schema import prepare
from protocol import batch
from protocol.messages import LinePlan, open_frame, seal
from protocol.records import GENESIS_HASH, Body, Grade, Record, Reject, SignedRecord, sign_record
from protocol.signing import Signer, Verifier
from protocol.topics import Topics
from tests.system.delivery_support import hub_database_url

HUB_KEY = Signer(bytes([47]) * 32)
KIOSK_KEY = Signer(bytes([9]) * 32)
TODAY = date(2026, 10, 14)
NOW_MS = 1_791_900_000_000
GRADED_DAY = date(2026, 10, 12)
TOPICS = Topics.for_site("HUB")
LABOR = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)


class _Acks:
    """The broker side of ingest: acks are collected, nothing is subscribed."""

    def __init__(self) -> None:
        self.published: list[str] = []

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> object:
        self.published.append(topic)
        return None

    def subscribe(self, topic: str, handler: Callable[[str, bytes], object], qos: int = 1) -> None:
        return None


@dataclass
class Floor:
    db: peewee.Database
    ingest: Ingest
    officer: str
    seq: int = 0
    prev: str = GENESIS_HASH

    def send(self, *bodies: Body) -> list[SignedRecord]:
        signed = []
        for body in bodies:
            self.seq += 1
            record = Record(
                kiosk="KX",
                seq=self.seq,
                prev=self.prev,
                boot="b1",
                wall_ms=NOW_MS,
                mono_ms=self.seq,
                body=body,
            )
            signed.append(sign_record(record, KIOSK_KEY))
            self.prev = signed[-1].hash
        result = self.ingest.handle_records(TOPICS.records("KX"), batch.pack([s.frame for s in signed]))
        assert result is not None
        assert result.head.seq == self.seq
        return signed


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "hub.db"
    db = hub_db.connect(str(path))
    try:
        seed_site(db, hub_signer=HUB_KEY, seed=5, today=TODAY, history_days=6, clock_ms=lambda: NOW_MS)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[no-untyped-call]
    finally:
        db.close()
    return path


def _floor(db: peewee.Database) -> Floor:
    """October under rule book v2, P1001 on the kitchen post of L1 from 2026-10-08, and kiosk KX of
    L1 enrolled by QR code as an officer does, feeding the ingest with the kiosk-capture hooks."""
    prepare(db)
    clock = lambda: NOW_MS + 1000  # noqa: E731
    ledger = Ledger(db, HUB_KEY, clock)
    data = masterdata_service(db, record_act=ledger.record_act, clock_ms=clock)
    data.add_rule_set_version(
        LABOR, "JX-V2", valid_from="2026-10", parameters={"rule_book": "v2"}, reason="第二版"
    )
    data.add_post(LABOR, "KITCHEN", "厨房", line="L1")
    data.assign(LABOR, "P1001", post="KITCHEN", valid_from="2026-10-08")
    Enrollment(db, ledger, clock).enroll_qr(
        "admin", f"floorledger-enroll:1:KX:{KIOSK_KEY.public_key_b64}", line="L1"
    )
    desk = cx.Capture(db, ledger, today=lambda: TODAY, clock_ms=clock)
    ingest = Ingest(
        db, _Acks(), TOPICS, "HUB", HUB_KEY, shared=False, clock_ms=clock, apply=KioskCapture(desk).apply
    )
    ingest.reload_keys()
    officer = Officer.select().where((Officer.line == "L1") & (Officer.role == "line_officer")).first()
    assert officer is not None, "the seeded site has a line officer on L1"
    return Floor(db=db, ingest=ingest, officer=str(officer.id))


@pytest.fixture
def floor(seeded_file: Path, tmp_path: Path) -> Iterator[Floor]:
    """`_floor` on a copy of the seeded SQLite file."""
    copy = tmp_path / "hub.db"
    shutil.copyfile(seeded_file, copy)
    db = hub_db.connect(str(copy))
    try:
        yield _floor(db)
    finally:
        db.close()


@pytest.fixture
def pg_floor(tmp_path: Path) -> Iterator[Floor]:
    """`_floor` on PostgreSQL: the demo site seeded into a schema of its own (two days of history)."""
    with hub_database_url("postgresql", tmp_path) as url:
        db = hub_db.connect(url)
        try:
            seed_site(db, hub_signer=HUB_KEY, seed=5, today=TODAY, history_days=2, clock_ms=lambda: NOW_MS)
            yield _floor(db)
        finally:
            db.close()


def _counted_on_l1(day: date) -> tuple[str, str, str]:
    for inmate, a in sorted(md_queries.posts_on(day).items()):
        if a.line == "L1" and a.mode != "rated":
            return inmate, str(a.product), str(a.step)
    raise AssertionError("the seeded site has nobody counted on L1")


def _month(db: peewee.Database) -> tuple[mi.MonthInputs, object]:
    read = mi.month_input(db, Month.of(TODAY), through=TODAY)
    return read, compute_month(read.inputs, read.rule_set)


def _masterdata_findings(db: peewee.Database) -> list[str]:
    report = verify.verify_database(db, Verifier(HUB_KEY.public_key), workers=1)
    section = next(s for s in report.sections if s.title == TITLE)
    return [str(f) for f in section.findings]


def test_a_kiosk_grade_and_reject_become_capture_rows_the_engine_reads(floor: Floor) -> None:
    """A grade B for P1001's kitchen day and 2 rejected units of a counted inmate, sent by kiosk KX:
    each is stored, each makes the dashboard's row with `source` KX#n and the officer as author, one
    hub act each names it; the month's engine earns 90 % for the day and takes 2 units off the credit;
    verify finds nothing."""
    day = date(2026, 10, 9)
    inmate, product, step = _counted_on_l1(day)
    _, before = _month(floor.db)
    [was] = [r for r in before.daily if r.inmate == inmate and r.day == day]  # type: ignore[attr-defined]
    grade = Grade(
        person="P1001",
        line="L1",
        day=GRADED_DAY.isoformat(),
        post="KITCHEN",
        grade="B",
        officer=floor.officer,
    )
    reject = Reject(
        person=inmate,
        line="L1",
        day=day.isoformat(),
        product=product,
        step=step,
        units=2,
        reason="sewing",
        officer=floor.officer,
        ref="B-17",
    )
    floor.send(grade, reject)

    assert KioskRecord.select().where(KioskRecord.kiosk == "KX").count() == 2
    # the results worker, handed the committed records, recomputes both days (they feed no facts)
    stored = [fx.as_fact(r) for r in KioskRecord.select().where(KioskRecord.kiosk == "KX")]
    recomputed = Results(floor.db, today=lambda: TODAY, clock_ms=lambda: NOW_MS).process_records(stored)
    assert {("L1", day), ("L1", GRADED_DAY)} <= set(recomputed)
    [row] = list(cap.Grade.select())
    assert (row.inmate, row.day, row.grade, row.graded_by, row.source) == (
        "P1001",
        "2026-10-12",
        "B",
        floor.officer,
        "KX#1",
    )
    [rej] = list(cap.Reject.select())
    assert (rej.inmate, rej.units, rej.reason, rej.source) == (inmate, "2", "缝制不良", "KX#2")
    sources = [
        e.payload for e in LedgerEntry.select().where(LedgerEntry.action.in_(("grade.set", "reject.add")))
    ]
    assert ['"source":"KX#1"' in sources[0], '"source":"KX#2"' in sources[1]] == [True, True]

    _, result = _month(floor.db)
    [rated] = [r for r in result.rated if r.inmate == "P1001" and r.day == GRADED_DAY]  # type: ignore[attr-defined]
    assert rated.grade == "B"
    assert rated.earned_std_seconds == rated.quota_std_seconds * Fraction(90, 100)
    [now] = [r for r in result.daily if r.inmate == inmate and r.day == day]  # type: ignore[attr-defined]
    assert now.rejected_units == 2
    assert now.done_units == was.done_units - 2
    assert _masterdata_findings(floor.db) == []


@pytest.mark.postgres
def test_on_postgresql_a_kiosk_grade_is_applied_in_the_storing_transaction(pg_floor: Floor) -> None:
    """The same on PostgreSQL (the capture's transactions nest inside ingest's as savepoints): the
    grade's row and act are there, verify's master-data section is clean."""
    pg_floor.send(
        Grade(
            person="P1001",
            line="L1",
            day=GRADED_DAY.isoformat(),
            post="KITCHEN",
            grade="B",
            officer=pg_floor.officer,
        )
    )
    [row] = list(cap.Grade.select())
    assert (row.grade, row.source) == ("B", "KX#1")
    assert LedgerEntry.select().where(LedgerEntry.action == "grade.set").count() == 1
    assert _masterdata_findings(pg_floor.db) == []


def test_a_resent_record_is_applied_once(floor: Floor) -> None:
    """The kiosk resends its grade (no ack reached it): stored once, one act, one row."""
    [signed] = floor.send(
        Grade(
            person="P1001",
            line="L1",
            day=GRADED_DAY.isoformat(),
            post="KITCHEN",
            grade="C",
            officer=floor.officer,
        )
    )
    floor.ingest.handle_records(TOPICS.records("KX"), batch.pack([signed.frame]))
    assert LedgerEntry.select().where(LedgerEntry.action == "grade.set").count() == 1
    assert cap.Grade.select().count() == 1


def test_a_refused_kiosk_grade_is_stored_ledgered_as_refused_and_changes_no_row(floor: Floor) -> None:
    """A grade the rule set does not know and a grade of a counted inmate: both records are stored
    (the kiosk's chain goes on), no row is made, and each gets a `capture.refused` act naming it and
    why; verify is still clean."""
    inmate, _, _ = _counted_on_l1(GRADED_DAY)
    floor.send(
        Grade(
            person="P1001",
            line="L1",
            day=GRADED_DAY.isoformat(),
            post="KITCHEN",
            grade="E",
            officer=floor.officer,
        ),
        Grade(
            person=inmate,
            line="L1",
            day=GRADED_DAY.isoformat(),
            post="KITCHEN",
            grade="A",
            officer=floor.officer,
        ),
    )
    assert cap.Grade.select().count() == 0
    refused = list(
        LedgerEntry.select().where(LedgerEntry.action == REFUSED).order_by(LedgerEntry.entry_index)
    )
    assert [r.subject for r in refused] == ["KX#1", "KX#2"]
    assert '"reason":"capture.err.grade"' in refused[0].payload
    assert '"reason":"capture.err.not_rated"' in refused[1].payload
    assert _masterdata_findings(floor.db) == []


def test_verify_reports_a_kiosk_grade_edited_in_sql_and_a_record_without_its_act(floor: Floor) -> None:
    """A kiosk-sourced grade changed in SQL is named (row against the replayed act); a kiosk grade
    record slipped in without the hub's act (the hook bypassed) is named as having no act."""
    floor.send(
        Grade(
            person="P1001",
            line="L1",
            day=GRADED_DAY.isoformat(),
            post="KITCHEN",
            grade="B",
            officer=floor.officer,
        )
    )
    cap.Grade.update(grade="A").execute()
    findings = _masterdata_findings(floor.db)
    assert any("cap_grade" in f and "grade" in f and "'A'" in f and "'B'" in f for f in findings), findings

    cap.Grade.update(grade="B").execute()
    floor.ingest.apply = None  # a hub that stores the record but never applies it
    floor.send(
        Grade(
            person="P1001",
            line="L1",
            day=GRADED_DAY.isoformat(),
            post="KITCHEN",
            grade="D",
            officer=floor.officer,
        )
    )
    findings = _masterdata_findings(floor.db)
    assert findings == ["kiosk record KX#2 (grade): no hub act applied or refused it"], findings


def test_the_line_plan_carries_rated_posts_grades_training_and_exemption(floor: Floor) -> None:
    """Today's plan of L1 (v2 month): P1001's kitchen post and the grade the kiosk gave today, the
    rule set's grades; an inmate exempt from today owes nothing (no quota, flagged); an inmate who
    starts a training assignment today owes half his full quota tomorrow (the ramp's first step,
    50 %; tomorrow has no stored result yet, so the plan computes the quota itself)."""
    data = masterdata_service(floor.db, record_act=Ledger(floor.db, HUB_KEY, lambda: NOW_MS).record_act)
    counted = sorted(i for i, a in md_queries.posts_on(TODAY).items() if a.line == "L1" and a.mode != "rated")
    exempt, trainee = counted[0], counted[1]
    tomorrow = date(2026, 10, 15)
    full = {
        p.id: p.quota_units
        for p in build_plan(hub="HUB", line="L1", day=tomorrow, hub_ms=1, revision=1).people
    }
    assert full[trainee] is not None
    data.add_exemption(LABOR, exempt, valid_from=TODAY, reference="医院鉴定 2026-88")
    a = md_queries.assignment_on(trainee, TODAY)
    assert a is not None
    data.assign(LABOR, trainee, line="L1", product=a.product, step=a.step, valid_from=TODAY, training=True)
    floor.send(
        Grade(
            person="P1001", line="L1", day=TODAY.isoformat(), post="KITCHEN", grade="A", officer=floor.officer
        )
    )

    plan = build_plan(hub="HUB", line="L1", day=TODAY, hub_ms=1, revision=1)
    people = {p.id: p for p in plan.people}
    assert plan.grades == ("A", "B", "C", "D")
    assert (people["P1001"].post, dict(people["P1001"].grades)) == ("KITCHEN", {TODAY.isoformat(): "A"})
    assert (people["P1001"].product, people["P1001"].step) == (None, None)
    assert (people[exempt].exempt, people[exempt].quota_units) == (True, None)
    ahead = {p.id: p for p in build_plan(hub="HUB", line="L1", day=tomorrow, hub_ms=1, revision=1).people}
    assert ahead[trainee].training is True
    assert ahead[exempt].quota_units is None
    assert Fraction(ahead[trainee].quota_units or "0") == pytest.approx(
        Fraction(full[trainee] or "0") / 2, abs=0.01
    )


def test_verify_reports_an_act_that_says_otherwise_than_the_kiosk_record(floor: Floor) -> None:
    """A hub that applied a kiosk grade B as a C (its act and row agree, the kiosk's signed record
    does not) is named by verify, field by field."""
    floor.ingest.apply = None
    floor.send(
        Grade(
            person="P1001",
            line="L1",
            day=GRADED_DAY.isoformat(),
            post="KITCHEN",
            grade="B",
            officer=floor.officer,
        )
    )
    desk = cx.Capture(
        floor.db,
        Ledger(floor.db, HUB_KEY, lambda: NOW_MS + 5000),
        today=lambda: TODAY,
        clock_ms=lambda: NOW_MS,
    )
    person = officer_of(floor.officer)
    assert person is not None
    desk.grade(person, GRADED_DAY, {"P1001": "C"}, source="KX#1")
    findings = _masterdata_findings(floor.db)
    assert len(findings) == 1, findings
    assert findings[0].startswith("kiosk record KX#1 (grade): ledger entry ")
    assert findings[0].endswith("says grade 'C', the kiosk's signed record 'B'")


def test_on_a_monday_the_plan_offers_fridays_grades_and_who_was_rated_then(floor: Floor) -> None:
    """The kiosk grades today and the line's previous workday (the board's day): on Monday 10-12
    that is Friday 10-09, not Sunday. The plan says so, carries Friday's grade given on the
    dashboard, and names the post of whoever was rated on Friday, here P1001, moved off the kitchen
    to a counted step on Monday. P1002, on the kitchen from Monday only, has no previous post."""
    monday, friday = date(2026, 10, 12), date(2026, 10, 9)
    data = masterdata_service(floor.db, record_act=Ledger(floor.db, HUB_KEY, lambda: NOW_MS).record_act)
    _, product, step = _counted_on_l1(monday)
    data.assign(LABOR, "P1001", line="L1", product=product, step=step, valid_from=monday)
    data.assign(LABOR, "P1002", post="KITCHEN", valid_from=monday)
    person = officer_of(floor.officer)
    assert person is not None
    cx.Capture(
        floor.db, Ledger(floor.db, HUB_KEY, lambda: NOW_MS), today=lambda: TODAY, clock_ms=lambda: NOW_MS
    ).grade(person, friday, {"P1001": "C"})

    plan = build_plan(hub="HUB", line="L1", day=monday, hub_ms=1, revision=1)
    people = {p.id: p for p in plan.people}
    assert plan.previous_day == friday.isoformat()
    moved, newcomer = people["P1001"], people["P1002"]
    assert (moved.post, moved.previous_post, moved.previous_post_name) == (None, "KITCHEN", "厨房")
    assert dict(moved.grades) == {friday.isoformat(): "C"}
    assert (newcomer.post, newcomer.previous_post) == ("KITCHEN", None)
    frame = seal(plan, HUB_KEY)  # the new fields survive the hub's signature and the wire
    assert open_frame(frame, Verifier(HUB_KEY.public_key), LinePlan) == plan
