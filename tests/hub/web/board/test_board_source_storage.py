"""Board snapshots from the hub's tables on both databases the hub supports: a SQLite file and
PostgreSQL. The same data gives the same board, and month to date stays exact."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path

import peewee
import pytest

from hub.ledger import checkpoints
from hub.ledger import entries as ledger
from hub.masterdata import queries as md_queries
from hub.results import worker as results
from hub.store import db
from hub.store import kiosks as models
from hub.web.board.model import BoardSnapshot
from hub.web.board.source import HubBoardSource, UnknownTarget
from protocol.signing import Signer
from tests.hub.conftest_web import put_result, seed_site

DAY = date(2025, 11, 27)
TODAY = date(2025, 11, 28)


def _prepare(database: peewee.Database) -> None:
    db.bind(database, models.MODELS)
    md_queries.bind(database)
    results.bind(database)
    ledger.bind(database)
    checkpoints.bind(database)
    seed_site(3)
    with database.atomic():
        put_result("A1001", "A1", DAY, quota=Fraction(100), done=Fraction(105))
        put_result("A1002", "A1", DAY, quota=Fraction(100), done=Fraction(1, 3))
        put_result("A2001", "A2", DAY, quota=Fraction(0), done=Fraction(0))
        put_result("A1001", "A1", date(2025, 11, 3), quota=Fraction(100), done=Fraction(95))
        put_result("A1002", "A1", TODAY, quota=Fraction(50), done=Fraction(20))
        put_result("A2001", "A2", TODAY, quota=Fraction(40), done=Fraction(10))
        # Thirds and sevenths of units on steps of different standard times: stored as exact n/d texts
        put_result(
            "A1003", "A1", DAY, quota=Fraction(90), done=Fraction(100, 7), standard_seconds=Fraction(61, 3)
        )
        put_result("A1003", "A2", date(2025, 11, 10), quota=Fraction(80), done=Fraction(55, 3))
        put_result("A1003", "A1", date(2025, 10, 31), quota=Fraction(80), done=Fraction(80))  # last month
    checkpoints.CheckpointLog(database, Signer.generate(), lambda: 1, "hub").make_checkpoint()


def _board(database: peewee.Database, target: str) -> BoardSnapshot:
    return HubBoardSource(database).snapshot(target, day=DAY, today=TODAY)


def _check(database: peewee.Database) -> None:
    area = _board(database, "A")
    assert (area.area_name, area.line_name, area.day) == ("一监区", None, DAY)
    assert [(r.number, r.line) for r in area.rows] == [
        ("A1001", "服装一线"),
        ("A1002", "服装一线"),
        ("A1003", "服装一线"),
        ("A2001", "服装二线"),
    ]
    first, second, third, excused = area.rows
    assert (first.quota_units, first.done_units, first.diff) == (100, 105, 5)
    assert first.completion_pct == 105
    assert first.month_pct == 100  # (105 + 95) / (100 + 100)
    assert str(second.done_units) == "0.33"  # the engine's shown value, as stored
    assert excused.completion_pct is None
    # earned over quota standard seconds from the 1st, whichever line the days were worked on
    earned = Fraction(100, 7) * Fraction(61, 3) + Fraction(55, 3) * 60
    quota = 90 * Fraction(61, 3) + 80 * 60
    assert third.month_pct == 100 * earned / quota
    assert [(p.line, p.done_units, p.quota_units, p.people) for p in area.today] == [
        ("A1", 20, 50, 1),
        ("A2", 10, 40, 1),
    ]
    assert area.fingerprint is not None
    assert len(area.fingerprint) == 64
    line = _board(database, "B1")
    assert (line.area_name, line.line_name, line.rows) == ("二监区", "电子一线", ())
    with pytest.raises(UnknownTarget):
        _board(database, "nowhere")


def test_board_snapshot_on_sqlite(tmp_path: Path) -> None:
    """An area board: rows of both lines, month to date, today's strip, the checkpoint root."""
    database = db.connect(f"sqlite:///{tmp_path / 'hub.db'}")
    _prepare(database)
    _check(database)
    database.close()


@pytest.fixture
def postgres() -> Iterator[peewee.Database]:
    name = f"fl_board_{uuid.uuid4().hex[:12]}"
    admin = peewee.PostgresqlDatabase("postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.connect()
    admin.connection().autocommit = True
    admin.execute_sql(f"CREATE DATABASE {name}")
    database = db.connect(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        yield database
    finally:
        database.close()
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.mark.postgres
def test_board_snapshot_on_postgresql(postgres: peewee.Database) -> None:
    """The same board from PostgreSQL."""
    _prepare(postgres)
    _check(postgres)
