"""`floorledger verify` re-derives every stored daily record from the signed kiosk records (through
hub.results.facts and the rules engine) and reports a daily result edited in the database."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import peewee
import pytest

from hub.audit import verify
from hub.ledger.entries import CORRECTION, Ledger
from hub.seed import seed_site
from hub.store import db as hub_db
from hub.store import results as result_tables
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from protocol.signing import Signer, Verifier

HUB_KEY = Signer(bytes([42]) * 32)
TODAY = date(2026, 10, 14)


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded site per module (seeding takes seconds); each test works on its own copy."""
    path = tmp_path_factory.mktemp("seeded") / "hub.db"
    db = hub_db.connect(str(path))
    try:
        seed_site(
            db, hub_signer=HUB_KEY, seed=5, today=TODAY, history_days=6, clock_ms=lambda: 1_791_900_000_000
        )
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


@pytest.fixture
def seeded(seeded_file: Path, tmp_path: Path) -> Iterator[peewee.Database]:
    copy = tmp_path / "hub.db"
    shutil.copyfile(seeded_file, copy)
    db = hub_db.connect(str(copy))
    prepare(db)
    try:
        yield db
    finally:
        db.close()


def test_verify_rederives_seeded_daily_results(seeded: peewee.Database) -> None:
    """A seeded site (master data, a week of signed records, results, a checkpoint) verifies, and the
    report says how many daily records it recomputed."""
    report = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1)
    assert report.ok, report.render()
    section = report.sections[-1]
    assert section.title.startswith("daily results")
    assert section.checked == result_tables.DailyResult.select().count() > 0


def test_verify_reports_daily_result_edited_in_sql(seeded: peewee.Database) -> None:
    """Raising an inmate's done units in the results table is reported against the re-derived value."""
    row = (
        result_tables.DailyResult.select()
        .where(result_tables.DailyResult.done_units != "0")
        .order_by(result_tables.DailyResult.id)
        .first()
    )
    result_tables.DailyResult.update(done_units="999").where(result_tables.DailyResult.id == row.id).execute()
    findings = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1).findings()
    assert findings == [
        f"daily_result inmate {row.inmate} day {row.day} (id={row.id}): done_units is '999' "
        f"but the records give {row.done_units!r}"
    ]


def test_verify_reports_deleted_daily_result(seeded: peewee.Database) -> None:
    """A daily record deleted from the results table is reported as missing."""
    row = result_tables.DailyResult.select().order_by(result_tables.DailyResult.id.desc()).first()
    result_tables.DailyResult.delete().where(result_tables.DailyResult.id == row.id).execute()
    findings = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1).findings()
    assert findings == [
        f"daily_result inmate {row.inmate} day {row.day}: missing; the records give a daily record"
    ]


def _worker_behind_on_the_last_count(kiosk: str = "H-L1") -> tuple[int, result_tables.DailyResult]:
    """Progress rows as a results worker writes them, all kiosks computed but `kiosk` only up to the
    record before its last count; that count's line-day row, edited to 999 units."""
    last = (
        KioskRecord.select()
        .where((KioskRecord.kiosk == kiosk) & (KioskRecord.type == "unit_count"))
        .order_by(KioskRecord.seq.desc())
        .first()
    )
    for row in Kiosk.select():
        seq = last.seq - 1 if row.id == kiosk else row.head_seq
        result_tables.ResultsProgress.insert(kiosk=row.id, seq=seq, updated_ms=1).execute()
    target = (
        result_tables.DailyResult.select()
        .where((result_tables.DailyResult.day == last.day) & (result_tables.DailyResult.line == last.line))
        .order_by(result_tables.DailyResult.id)
        .first()
    )
    result_tables.DailyResult.update(done_units="999").where(
        result_tables.DailyResult.id == target.id
    ).execute()
    return last.id, target


def test_results_of_records_the_worker_has_not_computed_yet_are_pending(seeded: peewee.Database) -> None:
    """The worker's progress says H-L1's last count is not computed yet: its line-day's rows are listed
    as pending (even a wrong one: it is about to be replaced) and the hub verifies."""
    _, target = _worker_behind_on_the_last_count()
    report = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1)
    assert report.ok, report.render()
    waiting = f"daily_result inmate {target.inmate} day {target.day}: records of this line-day are"
    assert f"{waiting} still being computed" in report.pending()
    assert "pending (still being computed)" in report.render()


def test_a_record_the_worker_left_behind_for_minutes_is_not_pending(seeded: peewee.Database) -> None:
    """Pending is bounded: when newer records arrived more than two minutes after the uncomputed one,
    the worker is not catching up; the line-day is compared (the edit is a finding) and a note says
    how many records the worker has not computed."""
    _, target = _worker_behind_on_the_last_count()
    newest = KioskRecord.select().where(KioskRecord.kiosk == "H-L2").order_by(KioskRecord.seq.desc()).first()
    KioskRecord.update(received_ms=newest.received_ms + 10 * 60_000).where(
        KioskRecord.id == newest.id
    ).execute()
    report = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1)
    assert report.findings() == [
        f"daily_result inmate {target.inmate} day {target.day} (id={target.id}): done_units is '999' "
        f"but the records give {target.done_units!r}"
    ]
    assert report.pending() == []
    assert any("the results worker has not computed" in note for note in report.notes)


def test_a_database_without_progress_rows_has_nothing_pending(seeded: peewee.Database) -> None:
    """No results worker ever recorded progress (an old database, a seeded one): every row must match."""
    row = result_tables.DailyResult.select().order_by(result_tables.DailyResult.id.desc()).first()
    result_tables.DailyResult.update(done_units="999").where(result_tables.DailyResult.id == row.id).execute()
    report = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1)
    assert not report.ok
    assert report.pending() == []


def _correct_last_count(db: peewee.Database, *, computed: bool) -> KioskRecord:
    """A dashboard correction (+50 units) of the last count, ledgered but not recomputed; the worker's
    progress names every kiosk's head and, for the ledger, the entry before the act (`computed`:
    the act itself)."""
    count = (
        KioskRecord.select().where(KioskRecord.type == "unit_count").order_by(KioskRecord.id.desc()).first()
    )
    body = json.loads(count.body)
    ledger = Ledger(db, HUB_KEY, lambda: 1_791_900_001_000)
    for row in Kiosk.select():
        result_tables.ResultsProgress.insert(kiosk=row.id, seq=row.head_seq, updated_ms=1).execute()
    ledger.record_act(
        "O-L1",
        CORRECTION,
        f"record:{count.kiosk}#{count.seq}",
        {
            "ref_kiosk": count.kiosk,
            "ref_seq": count.seq,
            "ref_hash": count.hash,
            "type": "unit_count",
            "day": count.day,
            "person": body["person"],
            "line": body["line"],
            "product": body["product"],
            "field": "units",
            "old": body["units"],
            "new": body["units"] + 50,
            "reason": "复核",
        },
    )
    size = LedgerEntry.select(peewee.fn.MAX(LedgerEntry.entry_index)).scalar()
    result_tables.ResultsProgress.insert(
        kiosk=result_tables.LEDGER_PROGRESS, seq=size if computed else size - 1, updated_ms=1
    ).execute()
    return count


def test_a_dashboard_correction_the_worker_has_not_recomputed_yet_is_pending(seeded: peewee.Database) -> None:
    """An officer's correction committed a moment ago, its day not recomputed yet: the line-day's rows
    are pending, and the hub verifies."""
    count = _correct_last_count(seeded, computed=False)
    report = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1)
    assert report.ok, report.render()
    assert any(f"day {count.day}: records of this line-day" in line for line in report.pending())


def test_a_correction_the_worker_says_it_computed_is_compared(seeded: peewee.Database) -> None:
    """The same correction with the worker's progress past it: the rows that do not count it are
    findings (the progress row cannot hide what it claims is done)."""
    count = _correct_last_count(seeded, computed=True)
    report = verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=1)
    assert not report.ok
    assert report.pending() == []
    assert any(f"day {count.day} (id=" in line and "done_units" in line for line in report.findings())
