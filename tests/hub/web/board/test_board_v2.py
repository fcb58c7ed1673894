"""The wall board under rule book v2 (#14 item 4): a rated day shows its grade instead of units, an
exempt inmate never reads as owing, a trainee's quota is the training quota and says so.

The cell rules from tables; then the board source on the seeded demo site (SQLite file, real
master-data services and dashboard capture) with a rated post, an exemption and a training period."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path

import peewee
import pytest

from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.ledger.entries import Ledger
from hub.masterdata import queries as md_queries
from hub.results.worker import Results
from hub.review import capture as cx
from hub.seed import seed_site
from hub.store import db as hub_db
from hub.store.masterdata import Inmate
from hub.store.results import DailyResult
from hub.store.schema import prepare
from hub.web.board.model import BoardRow, RowKind, Status, owed_cells, row_status
from hub.web.board.source import HubBoardSource
from protocol.signing import Signer

HUB_KEY = Signer(bytes([47]) * 32)
TODAY = date(2026, 10, 14)
DAY = date(2026, 10, 13)
NOW_MS = 1_791_900_000_000
LABOR = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)


@pytest.mark.parametrize(
    ("row", "status", "cells"),
    [
        (
            BoardRow(number="1", quota_units=Fraction(100), done_units=Fraction(80), completion_pct=80),
            Status.BEHIND,
            ("100", "80", "-20"),
        ),
        # exempt: nothing owed, nothing missing, whatever numbers a stale source might carry
        (
            BoardRow(number="2", kind=RowKind.EXEMPT, quota_units=Fraction(100), done_units=0),
            Status.EXEMPT,
            ("", "", ""),
        ),
        (BoardRow(number="3", kind=RowKind.RATED, grade="B"), Status.GRADED, ("—", "B", "")),
        (BoardRow(number="4", kind=RowKind.RATED), Status.UNGRADED, ("—", "—", "")),
        (
            BoardRow(
                number="5",
                quota_units=Fraction(60),
                done_units=Fraction(61),
                completion_pct=101,
                training=True,
            ),
            Status.MET,
            ("60", "61", "+1"),
        ),
    ],
    ids=["counted", "exempt", "graded", "ungraded", "trainee"],
)
def test_board_cells_by_kind_of_row(row: BoardRow, status: Status, cells: tuple[str, str, str]) -> None:
    """Quota, done and +/- cells and the status word: pieces only for counted work; a rated day its
    grade (待评 until given); an exempt inmate owes nothing (no diff, status 免考核)."""
    assert row_status(row) == status
    assert owed_cells(row) == cells
    if row.kind is not RowKind.COUNTED:
        assert row.diff is None


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


@pytest.fixture
def site(seeded_file: Path, tmp_path: Path) -> Iterator[peewee.Database]:
    copy = tmp_path / "hub.db"
    shutil.copyfile(seeded_file, copy)
    db = hub_db.connect(str(copy))
    prepare(db)
    try:
        yield db
    finally:
        db.close()


def _number(inmate: str) -> str:
    row = Inmate.get_by_id(inmate)
    return str(row.number or inmate)


def test_the_board_shows_a_rated_grade_an_exempt_inmate_and_a_trainee(site: peewee.Database) -> None:
    """On L1's board of 2026-10-13 (a v2 month): P1001 on the kitchen post graded B reads 评级 B with
    no pieces; an inmate exempt from that day is listed 免考核 and owes nothing; a trainee's row is
    marked training with the engine's training quota (half his full quota on the ramp's first day);
    the other rows are unchanged."""
    clock = lambda: NOW_MS + 1000  # noqa: E731
    ledger = Ledger(site, HUB_KEY, clock)
    data = masterdata_service(site, record_act=ledger.record_act, clock_ms=clock)
    data.add_rule_set_version(
        LABOR, "JX-V2", valid_from="2026-10", parameters={"rule_book": "v2"}, reason="第二版"
    )
    source = HubBoardSource(site)
    before = {r.number: r for r in source.snapshot("L1", day=DAY, today=TODAY).rows}
    counted = sorted(i for i, a in md_queries.posts_on(DAY).items() if a.line == "L1" and i != "P1001")
    exempt, trainee, plain = counted[0], counted[1], counted[2]
    data.add_post(LABOR, "KITCHEN", "厨房", line="L1")
    data.assign(LABOR, "P1001", post="KITCHEN", valid_from="2026-10-08")
    data.add_exemption(LABOR, exempt, valid_from=DAY, reference="医院鉴定 2026-88")
    a = md_queries.assignment_on(trainee, DAY)
    assert a is not None
    data.assign(LABOR, trainee, line="L1", product=a.product, step=a.step, valid_from=DAY, training=True)
    cx.Capture(site, ledger, today=lambda: TODAY, clock_ms=clock).grade(LABOR, DAY, {"P1001": "B"})
    Results(site, today=lambda: TODAY, clock_ms=clock).recompute_day(DAY)  # as the hub does after each act

    snap = source.snapshot("L1", day=DAY, today=TODAY)
    assert snap.day == DAY
    rows = {r.number: r for r in snap.rows}
    assert len(snap.rows) == len(rows), "one row per inmate"
    rated = rows[_number("P1001")]
    assert (rated.kind, rated.grade, rated.step, rated.diff) == (RowKind.RATED, "B", "厨房", None)
    assert owed_cells(rated) == ("—", "B", "")
    gone = rows[_number(exempt)]
    assert (gone.kind, row_status(gone), owed_cells(gone)) == (RowKind.EXEMPT, Status.EXEMPT, ("", "", ""))
    learner = rows[_number(trainee)]
    stored = DailyResult.get((DailyResult.inmate == trainee) & (DailyResult.day == DAY.isoformat()))
    assert learner.training is True
    assert str(learner.quota_units) == stored.quota_units
    full = before[_number(trainee)].quota_units
    assert full is not None
    assert learner.quota_units is not None
    assert abs(Fraction(learner.quota_units) - Fraction(full) / 2) <= Fraction(1, 100)
    assert rows[_number(plain)] == before[_number(plain)]
