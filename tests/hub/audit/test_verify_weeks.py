"""`floorledger verify` holds the weekly review's sign-offs and publications (周评议, 公示) against the
hub-signed ledger and re-derives the numbers officers signed off and published from the signed records.

The site is the seeded demo site of tests/hub/test_assessment_domain.py (real engine, real ledger,
SQLite file); officers act through `hub.review.monthly.Assessment`, and tampering is done in SQL the way
someone with database access could. Helpers come from tests/hub/test_verify_months.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorledger import cli
from hub.app import masterdata_service
from hub.audit import verify
from hub.audit import weeks as vw
from hub.ledger.entries import Ledger
from hub.review import monthly as asm
from hub.review import rules, weekly
from hub.seed import seed_site
from hub.store import db as hubdb
from hub.store import results as result_tables
from hub.store import review as review_tables
from hub.store.schema import prepare
from protocol.signing import Verifier
from tests.hub.audit.test_verify_months import _entry, _late_count, _officers, _report
from tests.hub.review.test_assessment_domain import (
    HEAD_A1,
    HUB_KEY,
    LINE_L1,
    LINE_L3,
    NOW_MS,
    TODAY,
    Site,
    open_copy,
)

SECTION = "weekly reviews (sign-offs and publications, re-derived)"
WEEK = "2026-W43"  # 19-25 October: five workdays of history on the seeded site


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    s = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield s
    s.db.close()


def _weeks(report: verify.Report) -> verify.Section:
    return next(s for s in report.sections if s.title == SECTION)


def _review_a1(site: Site) -> tuple[review_tables.WeekSignoff, review_tables.PublishedWeek]:
    """The line officer signs off A1's week 43 and the area head publishes it (until 4 November)."""
    site.assessment.sign_off_week(LINE_L1, "A1", WEEK)
    assert site.assessment.publish_week(HEAD_A1, "A1", WEEK) == date(2026, 11, 4)
    return review_tables.WeekSignoff.get(), review_tables.PublishedWeek.get()


# --- a normal database verifies -------------------------------------------------------------------------


def test_signed_off_and_published_weeks_verify(site: Site) -> None:
    """Two officers sign off A1's week 43, it is published; A1's week 44 (running into November) and
    A2's week 43 are signed off too: every row matches its ledger act, every act's digest is
    re-derived from the signed records, and the weekly section says so, placed before daily results."""
    a = site.assessment
    _review_a1(site)
    a.sign_off_week(HEAD_A1, "A1", WEEK)
    a.sign_off_week(LINE_L1, "A1", "2026-W44")
    a.publish_week(LINE_L1, "A1", "2026-W44", days=3)
    a.sign_off_week(LINE_L3, "A2", WEEK)
    report = _report(site)
    assert report.ok, report.render()
    # 4 sign-off rows and 2 publication rows compared, 6 acts re-derived
    assert f"{SECTION}: 12 checked, ok" in report.render()
    assert report.sections[-1].title.startswith("daily results")
    assert report.sections[-2].title == SECTION


def test_verify_command_exits_zero_on_published_weeks(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    """An auditor running `floorledger verify` on a database with a signed-off, published week gets exit 0."""
    _review_a1(site)
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
    assert f"{SECTION}: 4 checked, ok" in out


def test_a_week_re_signed_and_re_published_after_late_records_is_not_reported(site: Site) -> None:
    """Week 44 is signed off and published; an hour later a kiosk that was offline sends a count for
    the 28th, the area head signs off the changed numbers and publishes them again. Each act is
    re-derived as of its own time, so neither the first (now outdated) nor the second is a finding."""
    site.assessment.sign_off_week(LINE_L1, "A1", "2026-W44")
    site.assessment.publish_week(LINE_L1, "A1", "2026-W44")
    _late_count(site, NOW_MS + 3_600_000)
    later = _officers(site, NOW_MS + 7_200_000, TODAY)
    later.sign_off_week(HEAD_A1, "A1", "2026-W44")
    later.publish_week(HEAD_A1, "A1", "2026-W44")
    first, second = review_tables.WeekSignoff.select().order_by(review_tables.WeekSignoff.id)
    assert first.rows_digest != second.rows_digest  # the late count changed the week
    report = _report(site)
    assert report.ok, report.render()
    assert f"{SECTION}: 8 checked, ok" in report.render()


def test_a_record_committed_while_the_officer_signed_off_is_not_a_finding(site: Site) -> None:
    """A count received a few seconds before the sign-off's ledger time, but after the page had read
    the week (the results worker had not stored it yet), does not make verify fail."""
    _officers(site, NOW_MS + 60_000, TODAY).sign_off_week(LINE_L1, "A1", "2026-W44")
    _late_count(site, NOW_MS + 58_000)
    report = _report(site)
    assert report.ok, report.render()


def test_master_data_changed_after_a_sign_off_is_a_note_not_a_finding(site: Site) -> None:
    """Nothing locks a week: an inmate's name corrected (in the ledger) after the sign-off changes the
    rows the page shows now, which verify notes without failing."""
    signoff, _ = _review_a1(site)
    data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    inmate = json.loads(review_tables.PublishedWeek.get().rows)[0]["inmate"]
    data.update_inmate("admin", inmate, name="改名")
    report = _report(site)
    assert report.ok, report.render()
    assert any(
        n.startswith("2 weekly sign-off(s) or publication(s) differ from the re-derived week")
        and f"week {WEEK} area A1, signed off by off_l1 (ledger entry {_entry('week.signoff').entry_index})"
        in n
        for n in report.notes
    ), report.notes


# --- tampering the weekly check reveals ------------------------------------------------------------------


def test_publication_inserted_in_sql_is_reported(site: Site) -> None:
    """A publication written straight into the table puts numbers on A2's boards that no officer
    published: the board shows it, verify names the row and says no ledger entry records it."""
    rows = [
        {
            "inmate": "P3001",
            "number": "3001",
            "name": "假",
            "days": 5,
            "quota_hours": "40",
            "earned_hours": "48",
            "quota_units": "100",
            "done_units": "120",
            "completion_pct": "120",
        }
    ]
    site.db.execute_sql(
        "INSERT INTO assess_published_week (area, week, rows, published_by, valid_from, until, created_ms) "
        "VALUES ('A2', ?, ?, 'head_a2', '2026-10-29', '2026-11-04', ?)",
        (WEEK, json.dumps(rows), NOW_MS),
    )
    forged = review_tables.PublishedWeek.get()
    assert [v.week for v in weekly.published_weeks(site.db, "L3", TODAY)] == [WEEK]  # on the wall board
    report = _report(site)
    assert report.findings() == [
        f"assess_published_week id={forged.id} (week {WEEK} area A2, by head_a2, on the boards from "
        "2026-10-29 until 2026-11-04): no ledger entry records this publication"
    ]
    assert report.findings() == _weeks(report).findings


def test_publication_kept_on_the_boards_longer_in_sql_is_reported(site: Site) -> None:
    """Moving `until` from 4 to 30 November keeps the week on the boards for weeks after its
    publication ends; verify names the column against the ledger entry."""
    _, published = _review_a1(site)
    site.db.execute_sql("UPDATE assess_published_week SET until = '2026-11-30' WHERE id = ?", (published.id,))
    assert weekly.published_weeks(site.db, "A1", date(2026, 11, 20))  # still shown
    entry = _entry("week.publish")
    assert _report(site).findings() == [
        f"assess_published_week id={published.id}: column until is '2026-11-30' "
        f"but ledger entry {entry.entry_index} says '2026-11-04'"
    ]


def test_published_numbers_edited_in_sql_are_reported(site: Site) -> None:
    """One inmate's done units raised in the published rows (what the board shows): the stored rows no
    longer give the digest the publication's ledger entry signed."""
    _, published = _review_a1(site)
    rows = json.loads(published.rows)
    rows[0]["done_units"] = "999"
    site.db.execute_sql(
        "UPDATE assess_published_week SET rows = ? WHERE id = ?", (json.dumps(rows), published.id)
    )
    entry = _entry("week.publish")
    signed = json.loads(entry.payload)["rows_digest"]
    tampered = rules.rows_digest(rows)
    assert _report(site).findings() == [
        f"assess_published_week id={published.id}: column rows (the published numbers) digests to "
        f"{tampered[:16]}... but ledger entry {entry.entry_index} signed {signed[:16]}..."
    ]


def test_publication_deleted_in_sql_is_reported(site: Site) -> None:
    """A deleted publication disappears from the boards; verify names the ledger act whose row is gone."""
    _, published = _review_a1(site)
    site.db.execute_sql("DELETE FROM assess_published_week WHERE id = ?", (published.id,))
    entry = _entry("week.publish")
    assert _report(site).findings() == [
        f"week {WEEK} area A1: the publication by head_a1 from 2026-10-29 until 2026-11-04 "
        f"(ledger entry {entry.entry_index} (week.publish by head_a1)) is missing from assess_published_week"
    ]


def test_sign_offs_edited_or_inserted_in_sql_are_reported(site: Site) -> None:
    """A sign-off's digest and signer rewritten, and a second sign-off written into the table (which
    would let the week be published on an officer's name): each is named against the ledger."""
    signoff, _ = _review_a1(site)
    site.db.execute_sql(
        "UPDATE assess_week_signoff SET rows_digest = ?, signed_by = 'head_a1' WHERE id = ?",
        ("f" * 64, signoff.id),
    )
    site.db.execute_sql(
        "INSERT INTO assess_week_signoff (area, week, signed_by, role, rows_digest, signed_ms) "
        "VALUES ('A2', ?, 'off_l3', 'line_officer', ?, ?)",
        (WEEK, "0" * 64, NOW_MS),
    )
    forged = review_tables.WeekSignoff.select().order_by(review_tables.WeekSignoff.id.desc()).first()
    entry = _entry("week.signoff")
    assert _report(site).findings() == [
        f"assess_week_signoff id={forged.id} (week {WEEK} area A2, signed off by off_l3): "
        "no ledger entry records this sign-off",
        f"assess_week_signoff id={signoff.id}: column signed_by is 'head_a1' "
        f"but ledger entry {entry.entry_index} says 'off_l1'",
        f"assess_week_signoff id={signoff.id}: column rows_digest is {'f' * 64!r} "
        f"but ledger entry {entry.entry_index} says {signoff.rows_digest!r}",
    ]


def test_daily_results_edited_before_the_sign_off_cannot_be_signed(site: Site) -> None:
    """Someone raises an inmate's earned time in `daily_result` before the officer opens the week:
    the page shows the edited week, and the sign-off sending that page's digest is refused (the week
    recomputed from the signed records differs), so nothing is signed; what is signed is always the
    records' week, which verify re-derives."""
    row = (
        result_tables.DailyResult.select()
        .where((result_tables.DailyResult.line == "L1") & (result_tables.DailyResult.day == "2026-10-21"))
        .order_by(result_tables.DailyResult.inmate)
        .first()
    )
    site.db.execute_sql("UPDATE daily_result SET earned_std_seconds = ? WHERE id = ?", ("99999", row.id))
    shown = rules.rows_digest(r.shown() for r in site.assessment.week_rows("A1", WEEK))
    with pytest.raises(rules.AssessmentError) as refused:
        site.assessment.sign_off_week(LINE_L1, "A1", WEEK, shown)
    assert refused.value.code == "stale"
    assert review_tables.WeekSignoff.select().count() == 0
    site.db.execute_sql(
        "UPDATE daily_result SET earned_std_seconds = ? WHERE id = ?", (row.earned_std_seconds, row.id)
    )
    shown = rules.rows_digest(r.shown() for r in site.assessment.week_rows("A1", WEEK))
    site.assessment.sign_off_week(LINE_L1, "A1", WEEK, shown)
    assert json.loads(_entry("week.signoff").payload)["rows_digest"] == shown
    report = _report(site)
    assert report.ok, report.render()


def test_week_acts_sign_their_inputs_and_are_verified_without_search(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sign-off and a publication carry the local date, the kiosk heads and the ledger size; verify
    recomputes each act once from them, never searching."""
    _review_a1(site)
    inputs = json.loads(_entry("week.signoff").payload)["inputs"]
    assert inputs["through"] == TODAY.isoformat()
    assert inputs["heads"]
    assert "inputs" in json.loads(_entry("week.publish").payload)

    def no_search(*args: object, **kwargs: object) -> None:
        raise AssertionError("a signed week act was searched for")

    monkeypatch.setattr(vw.WeekRows, "search", no_search)
    report = _report(site)
    assert report.ok, report.render()


def test_week_acts_made_before_inputs_were_signed_still_verify_by_search(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Week acts written before this change carry no `inputs`: verify re-derives them through the
    legacy search (docs/audit.md)."""
    officer = _officers(site, NOW_MS, TODAY, legacy=True)
    officer.sign_off_week(LINE_L1, "A1", WEEK)
    officer.publish_week(HEAD_A1, "A1", WEEK)
    searched: list[str] = []
    search = vw.WeekRows.search

    def spy(self: vw.WeekRows, act: vw.WeekAct, *, all_cuts: bool = True) -> vw.WeekOutcome:
        searched.append(act.action)
        return search(self, act, all_cuts=all_cuts)

    monkeypatch.setattr(vw.WeekRows, "search", spy)
    report = _report(site)
    assert report.ok, report.render()
    assert searched == ["week.signoff", "week.publish"]


def test_a_publication_without_a_sign_off_in_the_ledger_is_reported() -> None:
    """The hub publishes only a signed-off week; a signed publication with none before it, or a
    second sign-off by the same officer, contradicts the rules and is named."""

    def act(index: int, action: str, actor: str, payload: dict[str, str]) -> vw.WeekAct:
        found = vw.week_act(index, actor, action, f"week:A1:{WEEK}", payload, NOW_MS)
        assert found is not None
        return found

    publication = {"from": "2026-10-29", "until": "2026-11-04", "rows_digest": "0" * 64}
    ledgered = vw.replay(
        [
            act(7, vw.PUBLISH, "head_a1", publication),
            act(8, vw.SIGNOFF, "off_l1", {"rows_digest": "1" * 64}),
            act(9, vw.SIGNOFF, "off_l1", {"rows_digest": "2" * 64}),
            act(10, vw.PUBLISH, "head_a1", {**publication, "until": "2026-12-31"}),
        ]
    )
    assert ledgered.problems == [
        f"ledger entry 7 (week.publish by head_a1): week {WEEK} area A1: published, but no earlier "
        "ledger entry signed it off",
        f"ledger entry 9 (week.signoff by off_l1): week {WEEK} area A1: signed off again (ledger entry 8 "
        "signed it off already)",
        f"ledger entry 10 (week.publish by head_a1): week {WEEK} area A1: publishes from 2026-10-29 until "
        "2026-12-31, not 1 to 31 days",
    ]


# --- a week spanning two months ---------------------------------------------------------------------------

DEC_TODAY = date(2026, 12, 3)
DEC_NOW_MS = int(datetime(2026, 12, 3, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site seeded on Thursday 3 December with ten days of history: week 49 (30 November to
    6 December) has workdays in two months."""
    path = tmp_path_factory.mktemp("december") / "hub.db"
    database = hubdb.connect(f"sqlite:///{path}")
    seed_site(database, hub_signer=HUB_KEY, today=DEC_TODAY, history_days=10, clock_ms=lambda: DEC_NOW_MS)
    database.close()
    return path


def test_a_week_spanning_two_months_is_re_derived_from_both(december: Path) -> None:
    """Week 49's rows sum 30 November and 1-3 December; verify re-derives them from both months'
    records and the sign-off holds."""
    database = hubdb.connect(f"sqlite:///{december}")
    try:
        prepare(database)
        ledger = Ledger(database, HUB_KEY, lambda: DEC_NOW_MS)
        a = asm.Assessment(
            database,
            record_act=ledger.record_act,
            today=lambda: DEC_TODAY,
            clock_ms=lambda: DEC_NOW_MS,
        )
        a.sign_off_week(LINE_L1, "A1", "2026-W49")
        days = {r.days for r in a.week_rows("A1", "2026-W49")}
        assert days == {4}  # Monday in November, Tuesday to today in December
        report = verify.verify_database(database, Verifier(HUB_KEY.public_key), workers=1)
        assert report.ok, report.render()
        assert f"{SECTION}: 2 checked, ok" in report.render()
    finally:
        database.close()
