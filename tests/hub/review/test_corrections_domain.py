"""Four-eyes corrections, dispute answers and discrepancy notes on a real hub database.

Records arrive through the real ingest (verified, stored), results come from the real results worker,
acts are signed into the real ledger; an approved correction changes the daily result while the
signed kiosk record stays byte for byte, and the re-derivation `floorledger verify` runs agrees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
import pytest

from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.audit.verify import verify_database
from hub.engine.model import Month
from hub.kiosks import plans
from hub.kiosks.ingest import Ingest
from hub.ledger.entries import CORRECTION, Ledger
from hub.results import worker as rs
from hub.review import corrections as cx
from hub.review import lock
from hub.store import db as hubdb
from hub.store import results as result_tables
from hub.store import review as review_tables
from hub.store.kiosks import ENROLLED, Kiosk, KioskRecord
from hub.store.ledger import LedgerEntry
from hub.store.review import MonthApproval
from hub.store.schema import prepare
from protocol.records import (
    CheckIn,
    CheckOut,
    Countersign,
    Dispute,
    ExcusedAbsence,
    SignedRecord,
    UnitCount,
    WarehousedCount,
)
from protocol.signing import Signer, Verifier
from protocol.topics import Topics
from tests.hub.conftest_web import StepClock
from tests.hub.masterdata.test_masterdata_store import small_site
from tests.hub.results.test_results_recompute import DAY, KioskChain

ZONE = ZoneInfo("Asia/Shanghai")
NOON_MS = int(datetime(DAY.year, DAY.month, DAY.day, 12, 0, tzinfo=ZONE).timestamp() * 1000)
SITE = "T1"


class _Sink:
    """Where the ingest publishes acknowledgements: no kiosk listens in these tests."""

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        return None

    def subscribe(self, topic: str, handler: object, qos: int = 1) -> None:
        return None


@dataclass
class Site:
    db: pw.Database
    clock: StepClock
    hub_key: Signer
    ledger: Ledger
    results: rs.Results
    desk: cx.Corrections
    count: SignedRecord  # P1's count of 50 on S2
    lot: SignedRecord  # 200 units warehoused
    excuse: SignedRecord  # P3 excused 60 minutes
    dispute: SignedRecord  # P1 disputes the count
    answered: list[str]


def officer(username: str, role: Role, *, lines: tuple[str, ...] = (), area: str | None = None) -> Principal:
    return Principal(username=username, display_name=username, role=role, lines=lines, area=area)


OFF1 = officer("off1", Role.LINE_OFFICER, lines=("L1",))
OFF2 = officer("off2", Role.LINE_OFFICER, lines=("L1",))
OFFX = officer("offx", Role.LINE_OFFICER, lines=("L9",))
HEAD = officer("head", Role.AREA_HEAD, area="A1")
HEAD_B = officer("head_b", Role.AREA_HEAD, area="B")
LABOR = officer("labor", Role.LABOR_SECTION)


def build_site(path: Path) -> Iterator[Site]:
    """Line L1 on 2026-10-05 at noon: check-in/out, a count, a warehouse lot, an excuse, a dispute,
    a countersign."""
    database = hubdb.connect(f"sqlite:///{path}")

    prepare(database)
    small_site(masterdata_service(database))
    clock = StepClock(NOON_MS)
    hub_key = Signer(b"\x05" * 32)
    book = Ledger(database, hub_key, clock)
    results = rs.Results(database, today=lambda: datetime.fromtimestamp(clock() / 1000, ZONE).date())
    results.start()
    answered: list[str] = []
    desk = cx.Corrections(
        database,
        book,
        today=results.today,
        clock_ms=clock,
        window_days=7,
        on_applied=results.request_day,
        on_answer=answered.append,
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
        chain.sign(CheckOut(person="P1", line="L1", day=day, method="badge"), "16:00"),
    ]
    count = chain.sign(
        UnitCount(person="P1", line="L1", day=day, product="SHIRT", step="S2", units=50, source="manual"),
        "10:00",
    )
    lot = chain.sign(WarehousedCount(line="L1", product="SHIRT", day=day, units=200, officer="O1"), "16:10")
    excuse = chain.sign(
        ExcusedAbsence(person="P3", day=day, minutes=60, reason="medical", officer="O1"), "11:00"
    )
    dispute = chain.sign(Dispute(person="P1", day=day, reason="count_wrong", text="我做了60件"), "16:20")
    sign = chain.sign(Countersign(officer="O1", line="L1", day=day), "17:00")
    from protocol import batch

    ingest.handle_records(
        Topics.for_site(SITE).records("K1"),
        batch.pack([r.frame for r in [*records, count, lot, excuse, dispute, sign]]),
    )
    assert results.flush()
    try:
        yield Site(database, clock, hub_key, book, results, desk, count, lot, excuse, dispute, answered)
    finally:
        results.stop()
        database.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path / "hub.db")


def done_of(inmate: str) -> str:
    return str(
        result_tables.DailyResult.get(
            (result_tables.DailyResult.inmate == inmate) & (result_tables.DailyResult.day == DAY.isoformat())
        ).done_units
    )


# --- pure rules --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "record_day", "today", "allowed"),
    [
        ("line_officer", date(2026, 10, 5), date(2026, 10, 12), True),  # the 7th day after: still inside
        ("line_officer", date(2026, 10, 5), date(2026, 10, 13), False),
        ("area_head", date(2026, 10, 5), date(2026, 10, 13), False),
        ("labor_section", date(2026, 10, 5), date(2027, 1, 1), True),
        ("admin", date(2026, 10, 5), date(2026, 10, 5), False),  # admins run the system, not the books
    ],
)
def test_only_the_labor_section_may_correct_after_the_window(
    role: str, record_day: date, today: date, allowed: bool
) -> None:
    """Within 7 days of the record's day line officers and area heads may act; after it only the
    labor section."""
    assert cx.may_act(role, record_day, today, 7) is allowed


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "review.err.reason_empty"),
        ("   ", "review.err.reason_empty"),
        ("x" * 201, "review.err.reason_long"),
    ],
)
def test_a_reason_is_required_and_bounded(text: str, key: str) -> None:
    """An empty or blank reason, or one longer than a plan notice can carry, is refused with its own
    message."""
    with pytest.raises(cx.CorrectionError) as caught:
        cx.clean_reason(text)
    assert caught.value.key == key


@pytest.mark.parametrize("text", ["", "-5", "1.5", "１２", "100001", "abc"])
def test_a_new_value_must_be_a_whole_number_in_range(text: str) -> None:
    """Negative, fractional, full-width, oversize or non-numeric values are refused."""
    with pytest.raises(cx.CorrectionError):
        cx.parse_value(text, "units")


# --- acts on the database ----------------------------------------------------------------------------


def test_an_approved_correction_changes_the_result_and_the_original_record_stays(site: Site) -> None:
    """off1 proposes 50 -> 20, off2 approves: the daily result follows, the signed record is unchanged,
    the ledger holds both acts, and the results re-derived as `floorledger verify` does agree."""
    assert done_of("P1") == "50.00"
    proposal = site.desk.propose(OFF1, "K1", site.count.record.seq, "20", "键入错误")
    assert done_of("P1") == "50.00"  # a proposal alone changes nothing
    site.desk.approve(OFF2, proposal.id)
    assert site.results.flush()
    assert done_of("P1") == "20.00"
    original = KioskRecord.get((KioskRecord.kiosk == "K1") & (KioskRecord.seq == site.count.record.seq))
    assert bytes(original.frame) == site.count.frame
    assert '"units":50' in original.body
    actions = [e.action for e in LedgerEntry.select().order_by(LedgerEntry.entry_index)]
    assert actions[-2:] == [cx.PROPOSE, CORRECTION]
    site.results.recompute_month(Month.of(DAY))  # verify compares whole months
    assert done_of("P1") == "20.00"
    report = verify_database(site.db, Verifier(site.hub_key.public_key), workers=1)
    results_section = report.sections[-1]
    assert results_section.checked > 0
    assert results_section.findings == []
    assert report.sections[0].findings == []  # the ledger chain and hub signatures


def test_the_proposer_cannot_approve_their_own_correction(site: Site) -> None:
    """Four eyes: the server refuses the proposer's approval and nothing changes."""
    proposal = site.desk.propose(OFF1, "K1", site.count.record.seq, "20", "键入错误")
    with pytest.raises(cx.CorrectionError) as caught:
        site.desk.approve(OFF1, proposal.id)
    assert caught.value.key == "review.err.own"
    assert review_tables.CorrectionProposal.get_by_id(proposal.id).status == review_tables.PROPOSED
    assert LedgerEntry.select().where(LedgerEntry.action == CORRECTION).count() == 0


def test_a_second_proposal_for_a_record_with_one_waiting_is_refused(site: Site) -> None:
    """One open proposal per record: a second (which, approved too, would correct the count twice)
    is refused with the first one's number; once the first is approved a new one may follow."""
    seq = site.count.record.seq
    first = site.desk.propose(OFF1, "K1", seq, "20", "键入错误")
    with pytest.raises(cx.CorrectionError) as err:
        site.desk.propose(OFF2, "K1", seq, "25", "又数了一遍")
    assert err.value.key == "review.err.pending"
    assert err.value.values["proposal"] == first.id
    proposals = review_tables.CorrectionProposal
    assert proposals.select().where(proposals.ref_seq == seq).count() == 1
    site.desk.approve(OFF2, first.id)
    site.desk.propose(OFF2, "K1", seq, "25", "又数了一遍")


def test_line_officers_are_refused_outside_the_window_and_outside_their_lines(site: Site) -> None:
    """Another line's officer and another area's head are refused; after 7 days only the labor section may."""
    seq = site.count.record.seq
    for who in (OFFX, HEAD_B):
        with pytest.raises(cx.CorrectionError) as caught:
            site.desk.propose(who, "K1", seq, "20", "键入错误")
        assert caught.value.key == "review.err.scope"
    site.clock.advance(8 * 86400)
    for who in (OFF1, HEAD):
        with pytest.raises(cx.CorrectionError) as caught:
            site.desk.propose(who, "K1", seq, "20", "键入错误")
        assert caught.value.key == "review.err.window"
    proposal = site.desk.propose(LABOR, "K1", seq, "20", "盘点核实")
    with pytest.raises(cx.CorrectionError):
        site.desk.approve(HEAD, proposal.id)  # outside the window the area head cannot approve either
    assert review_tables.CorrectionProposal.select().count() == 1


def test_warehouse_and_excused_corrections_reach_the_engine(site: Site) -> None:
    """A warehouse lot and an excused absence corrected by two officers change the inputs the engine gets."""
    lot = site.desk.propose(HEAD, "K1", site.lot.record.seq, "150", "入库单复核")
    site.desk.approve(OFF1, lot.id)
    excuse = site.desk.propose(OFF1, "K1", site.excuse.record.seq, "90", "就医时间更正")
    site.desk.approve(LABOR, excuse.id)
    assert site.results.flush()
    inputs = site.results.month_input(Month.of(DAY)).inputs
    assert [w.units for w in inputs.warehoused] == [150]
    [p3] = [a for a in inputs.attendance if a.inmate == "P3"]
    assert p3.excused_minutes == 90
    assert cx.target_of("K1", site.lot.record.seq).current == 150  # a further correction starts from here


def test_a_rejected_dispute_reaches_the_next_line_plan_as_a_notice(site: Site) -> None:
    """Rejected: the reason is ledgered, the line's plan is asked to refresh, and P1's plan entry
    carries it."""
    site.desk.answer_dispute(
        OFF1, "K1", site.dispute.record.seq, upheld=False, reason_text="<b>已核对</b>计数无误"
    )
    assert site.answered == ["L1"]
    plan = plans.build_plan(hub="hub", line="L1", day=DAY, hub_ms=NOON_MS, revision=1)
    people = {p.id: p for p in plan.people}
    assert people["P1"].notice == "<b>已核对</b>计数无误"
    assert people["P2"].notice is None
    assert LedgerEntry.select().where(LedgerEntry.action == cx.DISPUTE_ANSWER).count() == 1
    with pytest.raises(cx.CorrectionError):  # answered once only
        site.desk.answer_dispute(HEAD, "K1", site.dispute.record.seq, upheld=False, reason_text="再次")


def test_an_upheld_dispute_proposes_a_linked_correction(site: Site) -> None:
    """Upheld: a correction proposal linked to the dispute, awaiting another officer; no plan notice."""
    answer = site.desk.answer_dispute(
        OFF1,
        "K1",
        site.dispute.record.seq,
        upheld=True,
        reason_text="复核属实",
        correct=("K1", site.count.record.seq, "60"),
    )
    proposal = review_tables.CorrectionProposal.get_by_id(answer.proposal)
    assert (proposal.new, proposal.old, proposal.status) == (60, 50, review_tables.PROPOSED)
    assert proposal.dispute == f"K1#{site.dispute.record.seq}"
    assert site.answered == []
    plan = plans.build_plan(hub="hub", line="L1", day=DAY, hub_ms=NOON_MS, revision=1)
    assert {p.id: p for p in plan.people}["P1"].notice is None


def test_a_discrepancy_is_resolved_with_a_ledgered_note(site: Site) -> None:
    """Counts 50 against 200 warehoused is flagged; a note resolves it, signed into the ledger."""
    [flag] = result_tables.DiscrepancyFlag.select().where(result_tables.DiscrepancyFlag.line == "L1")
    with pytest.raises(cx.CorrectionError):
        site.desk.resolve_discrepancy(OFF1, flag.id, "")
    note = site.desk.resolve_discrepancy(OFF1, flag.id, "部分件数次日入库")
    assert (note.counted_units, note.warehoused_units) == (flag.counted_units, flag.warehoused_units)
    assert LedgerEntry.select().where(LedgerEntry.action == cx.DISCREPANCY_RESOLVE).count() == 1


def test_a_locked_month_cannot_be_corrected(site: Site) -> None:
    """Once the month's assessment is fully approved (locked), proposals and approvals are refused."""
    proposal = site.desk.propose(OFF1, "K1", site.count.record.seq, "20", "键入错误")
    prepare(site.db)
    area = cx.area_of("L1") or ""
    for stage in lock.STAGES:
        MonthApproval.create(
            month=str(Month.of(DAY)),
            area=area,
            stage=stage,
            approver="x",
            rows_digest="0" * 64,
            approved_ms=1,
        )
    assert lock.is_locked(site.db, Month.of(DAY), area)
    with pytest.raises(cx.CorrectionError) as caught:
        site.desk.approve(OFF2, proposal.id)
    assert caught.value.key == "review.err.locked"
    with pytest.raises(cx.CorrectionError):
        site.desk.propose(OFF1, "K1", site.count.record.seq, "30", "键入错误")
    assert done_of("P1") == "50.00"
