"""`floorledger verify` re-derives the monthly scores officers approved (月考核) from the signed records
and holds the approval and adjustment rows against the hub-signed ledger.

The site is the seeded demo site of tests/hub/test_assessment_domain.py (real engine, real ledger,
SQLite file); officers act through `hub.review.monthly.Assessment`, and tampering is done in SQL the way
someone with database access could.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from floorledger import cli
from hub.app import masterdata_service
from hub.audit import months as vm
from hub.audit import verify
from hub.ledger.entries import Ledger
from hub.review import monthly as asm
from hub.review import rules
from hub.seed import demo_kiosk_signer, history_kiosk, store_signed
from hub.store import review as review_tables
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.ledger import LedgerEntry
from protocol.records import parse_frame, sign_record
from protocol.signing import Signer, Verifier
from tests.hub.review.test_assessment_domain import (
    HEAD_A1,
    HUB_KEY,
    LABOR,
    LINE_L1,
    MONTH,
    NOW_MS,
    TODAY,
    Site,
    open_copy,
)

# approvals before the month has ended (or with items open) need an override since the guard
# (hub.review.rules.check_guard); these tests are about other rules
MID_MONTH = "测试：月中审批，待办另行处理"

SECTION = "monthly scores (re-derived from the signed records)"


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    s = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield s
    s.db.close()


def _report(site: Site) -> verify.Report:
    return verify.verify_database(site.db, Verifier(HUB_KEY.public_key), workers=1)


def _scores(report: verify.Report) -> verify.Section:
    return next(s for s in report.sections if s.title == SECTION)


def _lock_a1(site: Site) -> list[review_tables.MonthApproval]:
    for who in (LINE_L1, HEAD_A1, LABOR):
        site.assessment.approve(who, MONTH, "A1", override=MID_MONTH)
    return list(review_tables.MonthApproval.select().order_by(review_tables.MonthApproval.id))


def _entry(action: str, n: int = -1) -> LedgerEntry:
    return list(LedgerEntry.select().where(LedgerEntry.action == action).order_by(LedgerEntry.entry_index))[n]


def _officers(site: Site, clock_ms: int, today: date, *, legacy: bool = False) -> asm.Assessment:
    """The assessment acting at another moment (its ledger entries carry that hub time); `legacy`:
    its acts carry no `inputs`, as every act made before approvals signed their inputs."""
    ledger = Ledger(site.db, HUB_KEY, lambda: clock_ms)

    def record_act(actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        if legacy:
            payload = {k: v for k, v in payload.items() if k != "inputs"}
        ledger.record_act(actor, action, subject, payload)

    return asm.Assessment(site.db, record_act=record_act, today=lambda: today, clock_ms=lambda: clock_ms)


def _late_count(site: Site, received_ms: int, extra_units: int = 40) -> None:
    """A signed unit count of line L1 for October, taken in by the ingest at `received_ms` (a kiosk
    that was offline), and the month's daily results recomputed as the hub does."""
    kiosk = history_kiosk("L1")
    head = Kiosk.get_by_id(kiosk)
    last = (
        KioskRecord.select()
        .where((KioskRecord.kiosk == kiosk) & (KioskRecord.type == "unit_count"))
        .order_by(KioskRecord.seq.desc())
        .first()
    )
    old = parse_frame(bytes(last.frame)).record
    record = replace(
        old,
        seq=head.head_seq + 1,
        prev=head.head_hash,
        wall_ms=old.wall_ms + 1000,
        mono_ms=old.mono_ms + 1000,
        body=replace(old.body, units=old.body.units + extra_units),
    )
    signed = sign_record(record, demo_kiosk_signer(1, kiosk))
    assert store_signed(site.db, "demo", [signed], clock_ms=lambda: received_ms) == 1
    site.results.recompute_month(MONTH)


def _a1_digest_now(site: Site) -> str:
    view = site.assessment.month_view(MONTH, "A1")
    return rules.rows_digest(rules.score_key(r.score) for r in view.rows)


# --- a normal database verifies -------------------------------------------------------------------------


def test_an_approved_reopened_and_adjusted_month_verifies(site: Site) -> None:
    """Approve A1 through the chain, reopen it, add and void an adjustment, approve again, approve part
    of A2: every row matches the ledger, every approval in force is re-derived, and verify says so."""
    a = site.assessment
    _lock_a1(site)
    a.reopen(LABOR, MONTH, "A1", "复核扣分", stage="area_head")
    row = a.add_adjustment(HEAD_A1, MONTH, "A1", "P1001", "-2", "质量扣分")
    a.void_adjustment(HEAD_A1, row.id, "重复登记")
    a.add_adjustment(LINE_L1, MONTH, "A1", "P1002", "1.5", "安全生产奖励")
    for who in (LINE_L1, HEAD_A1, LABOR):
        a.approve(who, MONTH, "A1", override=MID_MONTH)
    a.approve(
        rules.Actor(username="off_l3", role="line_officer", lines=("L3",)), MONTH, "A2", override=MID_MONTH
    )
    report = _report(site)
    assert report.ok, report.render()
    # 7 approval rows, 2 adjustment rows and the 2 publications of A1 (one per area-head approval,
    # hub.audit.publication) compared, 4 approvals in force re-derived
    assert _scores(report).checked == 7 + 2 + 2 + 4
    assert f"{SECTION}: 15 checked, ok" in report.render()


def test_verify_command_exits_zero_on_a_locked_month(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    """An auditor running `floorledger verify` on a database with a locked month gets exit 0."""
    _lock_a1(site)
    site.db.close()
    status = cli.main(
        [
            "verify",
            "--db",
            f"sqlite:///{site.db.database}",
            "--hub-key-pub",
            HUB_KEY.public_key_b64,
            "--workers",
            "1",
            "--lang",
            "en",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert f"{SECTION}: 7 checked, ok" in out  # 3 approvals, the area head's publication, 3 re-derived


def test_records_arriving_after_the_lock_are_not_held_against_it(site: Site) -> None:
    """A kiosk that was offline sends an October count after the labor section locked A1: today's
    numbers differ from the approved ones, but the approval is re-derived from the records the hub
    had when it was given, so verify holds."""
    approvals = _lock_a1(site)
    _late_count(site, NOW_MS + 3_600_000)
    assert _a1_digest_now(site) != approvals[-1].rows_digest
    report = _report(site)
    assert report.ok, report.render()


@pytest.mark.parametrize("legacy", [False, True], ids=["signed-inputs", "legacy-search"])
def test_a_record_committed_while_the_officer_approved_is_not_a_finding(site: Site, legacy: bool) -> None:
    """A count received a few seconds before the approval's ledger time, but after the officer's page
    had computed the month (so not in the approved digest), does not make verify fail: the signed
    kiosk heads leave it out, and a legacy approval's search tries the cut without it."""
    officer = _officers(site, NOW_MS + 60_000, TODAY, legacy=legacy)
    officer.approve(LINE_L1, MONTH, "A1", override=MID_MONTH)
    _late_count(site, NOW_MS + 50_000)
    report = _report(site)
    assert report.ok, report.render()


@pytest.mark.parametrize("legacy", [False, True], ids=["signed-inputs", "legacy-search"])
def test_an_approval_in_the_early_morning_counts_the_local_day(site: Site, legacy: bool) -> None:
    """At 07:30 on 30 October in Shanghai (still 29 October in UTC) a month in progress counts the
    30th as a workday; verify reads the local date the approval signed, or finds it (legacy)."""
    early = int(datetime(2026, 10, 30, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)
    _officers(site, early, date(2026, 10, 30), legacy=legacy).approve(
        LINE_L1, MONTH, "A1", override=MID_MONTH
    )
    assert review_tables.MonthApproval.get().rows_digest != _a1_digest_now(site)  # the 29th's numbers differ
    report = _report(site)
    assert report.ok, report.render()


def test_an_approval_signs_its_inputs_and_is_verified_without_search(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The approval's ledger entry carries the local date, the kiosk heads, the ledger size, the
    adjustment ids and the rule set; verify recomputes each approval once from them, never searching."""
    row = site.assessment.add_adjustment(LINE_L1, MONTH, "A1", "P1002", "1.5", "安全生产奖励")
    _lock_a1(site)
    inputs = json.loads(_entry("month.approve").payload)["inputs"]
    assert inputs["through"] == TODAY.isoformat()
    assert inputs["adjustment_ids"] == [row.id]
    assert inputs["heads"]
    assert all(seq > 0 for seq in inputs["heads"].values())
    assert inputs["ledger_size"] > 0
    assert inputs["rule_set"]

    def no_search(*args: object, **kwargs: object) -> None:
        raise AssertionError("a signed approval was searched for")

    monkeypatch.setattr(vm.MonthScores, "search", no_search)
    report = _report(site)
    assert report.ok, report.render()
    # 3 rows + 1 adjustment + the area head's publication + 3 re-derived
    assert f"{SECTION}: 8 checked, ok" in report.render()


def test_an_approval_made_before_inputs_were_signed_still_verifies_by_search(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Acts written before this change carry no `inputs`: verify still re-derives them through the
    legacy search over local dates and receipt cuts (docs/audit.md)."""
    officer = _officers(site, NOW_MS, TODAY, legacy=True)
    for who in (LINE_L1, HEAD_A1, LABOR):
        officer.approve(who, MONTH, "A1", override=MID_MONTH)
    assert "inputs" not in json.loads(_entry("month.approve").payload)
    searched: list[str] = []
    search = vm.MonthScores.search

    def spy(self: vm.MonthScores, approval: vm.Approval, *, all_cuts: bool = True) -> vm.Outcome:
        searched.append(approval.stage)
        return search(self, approval, all_cuts=all_cuts)

    monkeypatch.setattr(vm.MonthScores, "search", spy)
    report = _report(site)
    assert report.ok, report.render()
    assert searched == ["line_officer", "area_head", "labor_section"]


def test_a_signed_count_rewritten_below_the_signed_heads_is_found(site: Site) -> None:
    """Tamper with an approved input: a count the lock was computed from gets other units in its
    stored frame. The record check names it, and the one recomputation from the signed inputs no
    longer gives the approved digest."""
    _lock_a1(site)
    row = (
        KioskRecord.select()
        .where((KioskRecord.type == "unit_count") & (KioskRecord.line == "L1"))
        .order_by(KioskRecord.id)
        .first()
    )
    frame = bytes(row.frame)
    old = parse_frame(frame).record
    forged = sign_record(replace(old, body=replace(old.body, units=old.body.units + 500)), Signer.generate())
    site.db.execute_sql("UPDATE kiosk_record SET frame = ? WHERE id = ?", (forged.frame, row.id))
    report = _report(site)
    assert not report.ok
    assert any("but the signed records give" in f for f in _scores(report).findings), report.render()


def test_master_data_changed_after_an_early_stage_is_a_note_not_a_finding(site: Site) -> None:
    """Only the lock refuses master-data changes: a quota level changed (in the ledger) after the line
    officer's approval makes that approval stale, which verify notes without failing."""
    site.assessment.approve(LINE_L1, MONTH, "A1", override=MID_MONTH)
    data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    data.set_quota_pct("admin", "P1001", 80, reason="个性化定额")
    site.results.recompute_month(MONTH)
    report = _report(site)
    assert report.ok, report.render()
    entry = _entry("month.approve")
    assert any(
        n.startswith("1 approval(s) before the lock differ from the re-derived scores")
        and n.endswith(f"month 2026-10 area A1, line_officer (ledger entry {entry.entry_index})")
        for n in report.notes
    ), report.notes


# --- tampering only the monthly check reveals ------------------------------------------------------------


def test_approval_digest_edited_in_sql_is_reported(site: Site) -> None:
    """The labor section's approval row is given another digest: named against its ledger entry."""
    approvals = _lock_a1(site)
    site.db.execute_sql(
        "UPDATE assess_month_approval SET rows_digest = ? WHERE id = ?", ("f" * 64, approvals[-1].id)
    )
    entry = _entry("month.approve")
    assert _report(site).findings() == [
        f"assess_month_approval id={approvals[-1].id}: column rows_digest is {'f' * 64!r} "
        f"but ledger entry {entry.entry_index} says {approvals[-1].rows_digest!r}"
    ]


def test_forged_and_deleted_approval_rows_are_reported(site: Site) -> None:
    """A lock written straight into the table has no ledger entry; a deleted approval row is missing."""
    approvals = _lock_a1(site)
    first = _entry("month.approve", 0)
    site.db.execute_sql("DELETE FROM assess_month_approval WHERE id = ?", (approvals[0].id,))
    site.db.execute_sql(
        "INSERT INTO assess_month_approval (month, area, stage, approver, rows_digest, approved_ms) "
        "VALUES ('2026-10', 'A2', 'labor_section', 'labor', ?, ?)",
        ("0" * 64, NOW_MS),
    )
    forged = review_tables.MonthApproval.select().order_by(review_tables.MonthApproval.id.desc()).first()
    assert _report(site).findings() == [
        f"month 2026-10 area A1: the line_officer approval by off_l1 (ledger entry {first.entry_index}) "
        "is missing from assess_month_approval",
        f"assess_month_approval id={forged.id} (month 2026-10 area A2, labor_section by labor): "
        "no ledger entry records this approval",
    ]


def test_approval_revived_in_sql_after_a_reopen_is_reported(site: Site) -> None:
    """Clearing `voided_ms` of a reopened lock would lock the month again without an officer's act."""
    approvals = _lock_a1(site)
    site.assessment.reopen(LABOR, MONTH, "A1", "复核扣分", stage="labor_section")
    site.db.execute_sql("UPDATE assess_month_approval SET voided_ms = NULL WHERE id = ?", (approvals[-1].id,))
    reopen = _entry("month.reopen")
    assert _report(site).findings() == [
        f"assess_month_approval id={approvals[-1].id}: in force in the table, but ledger entry "
        f"{reopen.entry_index} (month.reopen by labor) voided it"
    ]


def test_adjustments_edited_or_voided_in_sql_are_reported(site: Site) -> None:
    """Points raised in SQL, and an adjustment silently voided in SQL (so the engine drops it), are
    each named against the ledger entry that created the row."""
    a = site.assessment
    raised = a.add_adjustment(HEAD_A1, MONTH, "A1", "P1001", "-2", "质量扣分")
    dropped = a.add_adjustment(HEAD_A1, MONTH, "A1", "P1002", "-1", "迟到")
    site.db.execute_sql("UPDATE assess_adjustment SET points = '5' WHERE id = ?", (raised.id,))
    site.db.execute_sql(
        "UPDATE assess_adjustment SET voided_ms = ?, voided_by = 'head_a1', void_reason = '录错' "
        "WHERE id = ?",
        (NOW_MS, dropped.id),
    )
    assert _report(site).findings() == [
        f"assess_adjustment id={raised.id}: column points is '5' "
        f"but ledger entry {_entry('month.adjust', 0).entry_index} says '-2'",
        f"assess_adjustment id={dropped.id}: voided in the table, but no ledger act voided it",
    ]


def test_adjustment_deleted_or_inserted_in_sql_is_reported(site: Site) -> None:
    """A deleted adjustment is missing from the table; one inserted beyond the ledger has no act."""
    a = site.assessment
    row = a.add_adjustment(HEAD_A1, MONTH, "A1", "P1001", "-2", "质量扣分")
    entry = _entry("month.adjust")
    site.db.execute_sql("DELETE FROM assess_adjustment WHERE id = ?", (row.id,))
    site.db.execute_sql(
        "INSERT INTO assess_adjustment (id, month, inmate, area, points, reason, created_by, created_ms) "
        "VALUES (?, '2026-10', 'P1003', 'A1', '10', '奖励', 'head_a1', ?)",
        (row.id + 7, NOW_MS),
    )
    assert _report(site).findings() == [
        f"adjustment id={row.id} (month 2026-10 area A1, inmate P1001, -2 points, ledger entry "
        f"{entry.entry_index}) is missing from assess_adjustment",
        f"assess_adjustment id={row.id + 7} (month 2026-10 area A1, inmate P1003, 10 points): "
        "no ledger entry records this adjustment",
    ]


def test_master_data_edited_in_sql_after_the_lock_is_reported(site: Site) -> None:
    """An inmate's quota level lowered in SQL after the lock, with the daily results recomputed to
    match: records, ledger and daily results all agree; the master-data section names the edited
    row, and the re-derived monthly scores differ from what each stage approved."""
    approvals = _lock_a1(site)
    site.db.execute_sql("UPDATE md_inmate SET quota_pct = '80' WHERE id = 'P1001'")
    site.results.recompute_month(MONTH)
    report = _report(site)
    edited, *findings = report.findings()
    assert edited.startswith("md_inmate id=P1001: column quota_pct is '80' but the signed acts say '100'")
    assert len(findings) == 3, report.render()
    assert all(f in _scores(report).findings for f in findings)
    entries = list(
        LedgerEntry.select().where(LedgerEntry.action == "month.approve").order_by(LedgerEntry.entry_index)
    )
    for approval, entry, line in zip(approvals, entries, findings, strict=True):
        assert line.startswith(
            f"month 2026-10 area A1: approved by {approval.approver} at stage {approval.stage} "
            f"(ledger entry {entry.entry_index}) with digest {approval.rows_digest[:16]}..., "
            "but the signed records give "
        )


def test_signed_record_deleted_after_the_lock_is_reported_as_a_changed_month(site: Site) -> None:
    """Deleting one of L1's counts breaks the kiosk's chain and the log, and the locked month no
    longer has the scores the labor section approved."""
    _lock_a1(site)
    row = (
        KioskRecord.select()
        .where((KioskRecord.kiosk == history_kiosk("L1")) & (KioskRecord.type == "unit_count"))
        .order_by(KioskRecord.seq)
        .first()
    )
    site.db.execute_sql("DELETE FROM kiosk_record WHERE id = ?", (row.id,))
    findings = _report(site).findings()
    assert any(f"record(s) {row.seq} missing before signed record {row.seq + 1}" in f for f in findings)
    lock = _entry("month.approve")
    assert any(
        f.startswith(
            f"month 2026-10 area A1: approved by labor at stage labor_section "
            f"(ledger entry {lock.entry_index})"
        )
        and "but the signed records give" in f
        for f in findings
    ), findings


def test_inmates_are_placed_in_areas_as_the_approval_page_places_them() -> None:
    """verify digests each area's rows as `Assessment.month_view` groups them: by the line an inmate
    worked last in the month, else by the area of an adjustment entered for them, else their own."""
    from fractions import Fraction

    from hub.audit.months import area_digests
    from hub.engine.model import DailyRecord, MonthlyScore, MonthResult
    from hub.engine.rules import DEFAULT_RULE_SET

    def score(inmate: str) -> MonthlyScore:
        zero = Fraction(0)
        return MonthlyScore(
            inmate=inmate,
            quota_std_seconds=zero,
            earned_std_seconds=zero,
            workdays=0,
            days_met=0,
            base_points=zero,
            bonus_points=zero,
            adjust_points=zero,
            labor_points=zero,
        )

    def day(inmate: str, line: str, n: int) -> DailyRecord:
        zero = Fraction(0)
        return DailyRecord(
            inmate=inmate,
            day=date(2026, 10, n),
            line=line,
            product="X",
            step="S",
            mode="time",
            standard_seconds=Fraction(1),
            standard_from=date(2026, 1, 1),
            quota_std_seconds=zero,
            earned_std_seconds=zero,
            done_units=zero,
        )

    result = MonthResult(
        month=MONTH,
        rule_set=DEFAULT_RULE_SET,
        daily=(day("P1", "L1", 1), day("P1", "L3", 2)),  # moved to L3 (area A2) on the 2nd
        weekly=(),
        monthly=(score("P1"), score("P2"), score("P3")),
        discrepancies=(),
    )
    digests = area_digests(
        result, {"L1": "A1", "L3": "A2"}, {"P1": "A1", "P2": "A1", "P3": "A1"}, {"P2": "A2"}
    )
    key = rules.score_key
    assert digests == {
        "A2": rules.rows_digest([key(score("P1")), key(score("P2"))]),
        "A1": rules.rows_digest([key(score("P3"))]),
    }
