"""Master data on SQLite and PostgreSQL: posts, standard-time versions, badges, workdays, rule sets,
and every change handed to the ledger hook inside its transaction.

The `hub_db` fixture and `small_site` helper here are shared by the other hub-data tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import peewee as pw
import psycopg2
import pytest

from hub.engine.model import Month
from hub.masterdata import queries as md_queries
from hub.masterdata import service as md
from hub.masterdata.checks import MasterDataError
from hub.masterdata.queries import (
    active_badges,
    assignment_on,
    engine_standard_times,
    is_workday,
    line_workdays,
    person_of_badge,
    posts_on,
    rule_book,
)
from hub.review import lock
from hub.store import db as hubdb
from hub.store.masterdata import Inmate
from hub.store.review import Adjustment, MonthApproval, PublishedWeek, WeekSignoff
from hub.store.schema import prepare

PG_DSN = "dbname=test user=postgres host=127.0.0.1 port=5432"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh schema in the `test` database, made the search path of every libpq connection of this
    test (PGOPTIONS, read by libpq in this process and in hub processes the test starts), dropped after.
    """
    schema = f"fl_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_DSN)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE SCHEMA {schema}")
        monkeypatch.setenv("PGOPTIONS", f"-c search_path={schema}")
        yield PG_URL
        with admin.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    finally:
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty hub database URL: a SQLite file, or a new PostgreSQL schema dropped after."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hub.db'}"
    else:
        yield from _pg_schema(monkeypatch)


@pytest.fixture
def hub_db(hub_url: str) -> Iterator[pw.Database]:
    """The hub database with every table the hub-data parts use, bound."""
    db = hubdb.connect(hub_url)
    prepare(db)
    try:
        yield db
    finally:
        db.close()


LOCK_TABLES = (WeekSignoff, PublishedWeek, MonthApproval, Adjustment)  # what hub.review.lock binds


def month_lock(db: pw.Database) -> Callable[[str, str], bool]:
    """The month lock as the hub app wires it into `MasterData` (`hub.review.lock` on `db`)."""
    return lock.month_locked(db)


class Acts:
    """Collects what master data hands to the ledger hook."""

    def __init__(self) -> None:
        self.acts: list[tuple[str, str, str, dict[str, Any]]] = []

    def __call__(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        self.acts.append((actor, action, subject, payload))


def small_site(data: md.MasterData, first: date = date(2026, 10, 1)) -> None:
    """One area, one 480-minute line making a 2-step product, three inmates, an officer, Oct workdays."""
    with data.db.atomic():  # one commit: tests stay fast on a fsync'ing SQLite
        _small_site(data, first)


def _small_site(data: md.MasterData, first: date) -> None:
    data.add_area("admin", "A1", "一监区")
    data.add_product(
        "admin",
        "SHIRT",
        "衬衫",
        [("S1", "裁片", "60"), ("S2", "做领", "97.5")],
        valid_from=first,
        reason="初始",
    )
    data.add_line("admin", "L1", "服装一线", area="A1", shift_minutes=480, product="SHIRT")
    for n, name in enumerate(("张三", "李四", "王五")):
        data.add_inmate(
            "admin", f"P{n + 1}", number=f"32100{n + 1}", name=name, quota_pct=100 if n else 80, area="A1"
        )
        data.issue_badge("admin", f"B{n + 1}", f"P{n + 1}")
    data.add_officer("admin", "O1", name="赵警官", role="line_officer", area="A1", line="L1")
    data.issue_badge("admin", "B-O1", "O1")
    data.assign("admin", "P1", line="L1", product="SHIRT", step="S2", valid_from=first)
    data.assign("admin", "P2", line="L1", product="SHIRT", step="S2", valid_from=first)
    data.assign("admin", "P3", line="L1", product="SHIRT", step="S1", valid_from=first)
    days = [date(2026, 10, d) for d in range(1, 32) if date(2026, 10, d).weekday() < 5]
    data.add_workdays("admin", days)


def test_later_created_assignment_wins_the_days_it_overlaps(hub_db: pw.Database) -> None:
    """Two posts of one inmate overlap: the one created later is in force on the shared days only."""
    data = md.MasterData(hub_db, month_locked=month_lock(hub_db))
    small_site(data)
    data.assign(
        "admin", "P1", line="L1", product="SHIRT", step="S1", valid_from="2026-10-10", valid_to="2026-10-15"
    )
    assert assignment_on("P1", date(2026, 10, 9)).step == "S2"
    assert assignment_on("P1", date(2026, 10, 12)).step == "S1"
    assert assignment_on("P1", date(2026, 10, 16)).step == "S2"
    assert posts_on(date(2026, 10, 12))["P1"].step == "S1"


def test_ending_a_later_post_gives_the_earlier_post_back(hub_db: pw.Database) -> None:
    """A temporary post ended early: from the next day the inmate is on the earlier post again."""
    data = md.MasterData(hub_db, month_locked=month_lock(hub_db))
    small_site(data)
    temp = data.assign("admin", "P1", line="L1", product="SHIRT", step="S1", valid_from="2026-10-10")
    data.end_assignment("admin", temp, "2026-10-12")
    assert assignment_on("P1", date(2026, 10, 12)).step == "S1"
    assert assignment_on("P1", date(2026, 10, 13)).step == "S2"
    with pytest.raises(MasterDataError, match="before valid_from"):
        data.end_assignment("admin", temp, "2026-10-01")
    data.update_inmate("admin", "P1", name="张小三")
    assert md_queries.people()["P1"].name == "张小三"


def test_standard_time_versions_apply_from_their_date_with_a_reason(hub_db: pw.Database) -> None:
    """A new standard time applies from its date; earlier days keep the old one; no reason, no change."""
    data = md.MasterData(hub_db, month_locked=month_lock(hub_db))
    small_site(data)
    data.set_standard_time("admin", "SHIRT", "S2", "95", valid_from="2026-10-15", reason="工艺改进")
    versions = [(s.valid_from, s.seconds) for s in engine_standard_times() if s.step == "S2"]
    assert [(d.isoformat(), str(sec)) for d, sec in versions] == [
        ("2026-10-01", "195/2"),
        ("2026-10-15", "95"),
    ]
    with pytest.raises(MasterDataError, match="reason"):
        data.set_standard_time("admin", "SHIRT", "S2", "90", valid_from="2026-10-20", reason=" ")
    with pytest.raises(MasterDataError, match="seconds"):
        data.set_standard_time("admin", "SHIRT", "S2", "abc", valid_from="2026-10-20", reason="x")


def test_badges_map_to_people_until_revoked(hub_db: pw.Database) -> None:
    """A badge names its person until revoked; an active badge cannot be issued twice; a revoked one can."""
    data = md.MasterData(hub_db, month_locked=month_lock(hub_db))
    small_site(data)
    assert person_of_badge("B1") == "P1"
    with pytest.raises(MasterDataError, match="already issued"):
        data.issue_badge("admin", "B1", "P2")
    data.revoke_badge("admin", "B1", reason="lost")
    assert person_of_badge("B1") is None
    assert "P1" not in active_badges()
    data.issue_badge("admin", "B1", "P2")
    assert active_badges()["P2"] == ["B1", "B2"]
    assert md_queries.people()["O1"].badges == ("B-O1",)


def test_line_workdays_add_to_site_wide_days(hub_db: pw.Database) -> None:
    """A Saturday worked by one line is a workday of that line only."""
    data = md.MasterData(hub_db, month_locked=month_lock(hub_db))
    small_site(data)
    data.add_line("admin", "L2", "二线", area="A1", shift_minutes="450")
    data.add_workdays("admin", ["2026-10-10"], line="L2")
    assert date(2026, 10, 10) in line_workdays(date(2026, 10, 1), date(2026, 10, 31), "L2")
    assert date(2026, 10, 10) not in line_workdays(date(2026, 10, 1), date(2026, 10, 31), "L1")
    assert is_workday(date(2026, 10, 12), "L2")


def test_rule_set_versions_apply_from_their_month(hub_db: pw.Database) -> None:
    """A site's rule-set version changes the parameters from its month on, not before."""
    data = md.MasterData(hub_db, month_locked=month_lock(hub_db))
    data.add_rule_set_version(
        "admin", "JX-2026-11", valid_from="2026-11", parameters={"bonus_cap_points": "10"}, reason="省局通知"
    )
    book = rule_book()
    assert book.for_month(Month.parse("2026-10")).params.bonus_cap_points == 15
    nov = book.for_month(Month.parse("2026-11"))
    assert nov.params.bonus_cap_points == 10
    assert "JX-2026-11" in nov.version
    with pytest.raises(MasterDataError, match="unknown rule parameter"):
        data.add_rule_set_version("admin", "bad", valid_from="2026-12", parameters={"nope": "1"}, reason="x")


def test_every_change_reaches_the_ledger_hook_and_a_failing_hook_undoes_it(hub_db: pw.Database) -> None:
    """Each change is handed to record_act with the officer; if the ledger write fails, nothing changes."""
    acts = Acts()
    data = md.MasterData(hub_db, month_locked=month_lock(hub_db), record_act=acts)
    changed: list[str] = []
    data.on_change(changed.append)
    small_site(data)
    assert acts.acts[0] == ("admin", "area.add", "A1", {"code": "A1", "name": "一监区"})
    assert ("admin", "inmate.add", "P1") in [a[:3] for a in acts.acts]
    assert changed[-1] == "workday.add"

    def failing(actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        raise RuntimeError("ledger is down")

    broken = md.MasterData(hub_db, month_locked=month_lock(hub_db), record_act=failing)
    with pytest.raises(RuntimeError):
        broken.set_quota_pct("admin", "P2", 70, reason="年龄")
    assert Inmate.get_by_id("P2").quota_pct == "100"
