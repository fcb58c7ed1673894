"""Board snapshots shared between screens (`hub.web.board.cache`): one build serves every screen of a
board, and a change notice, a failed read or the snapshot's age always lead to a fresh read, so no
screen shows numbers older than the last notice. Real SQLite hub tables and the real board source."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import peewee
import pytest
from nicegui.testing.user import User

from hub.web import ResultsFeed
from hub.web.board.cache import SnapshotCache
from hub.web.board.model import BoardSettings, BoardSnapshot, Privacy
from hub.web.board.source import HubBoardSource
from tests.hub.conftest_web import StepClock, hub_db, make_context, put_result, seed_site, web_user

TODAY = date(2025, 11, 29)  # the StepClock's day in Shanghai
YESTERDAY = TODAY - timedelta(days=1)


class Monotonic:
    """Seconds that a test moves on by hand (the cache's notion of a snapshot's age)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database(tmp_path: Path) -> Iterator[peewee.Database]:
    database = hub_db(tmp_path / "hub.db")
    seed_site(3)
    for n in range(3):
        put_result(f"A1{n + 1:03d}", "A1", YESTERDAY, quota=Fraction(100), done=Fraction(90 + n))
    put_result("A2001", "A2", YESTERDAY, quota=Fraction(80), done=Fraction(81))
    try:
        yield database
    finally:
        database.close()


def done(snapshot: BoardSnapshot, number: str) -> object:
    return next(row.done_units for row in snapshot.rows if row.number == number)


def board(cache: SnapshotCache, target: str = "A1") -> BoardSnapshot:
    return cache.snapshot(target, day=YESTERDAY, today=TODAY)


def test_screens_of_one_board_share_one_build_until_a_result_changes(database: peewee.Database) -> None:
    """Eight screens asking at once get the same board from one read of the tables; after a new
    result and its notice the next screen gets the new number, and another board is its own."""
    feed = ResultsFeed()
    cache = SnapshotCache(HubBoardSource(database), version=lambda: feed.version, max_age_s=60)
    with ThreadPoolExecutor(8) as pool:
        shown = list(pool.map(lambda _: board(cache), range(8)))
    assert all(s is shown[0] for s in shown)
    assert cache.builds == 1
    assert done(shown[0], "A1002") == 91

    put_result("A1002", "A1", YESTERDAY, quota=Fraction(100), done=Fraction(97))
    feed.notify([("A1", YESTERDAY)])
    assert done(board(cache), "A1002") == 97
    assert board(cache) is board(cache)
    assert cache.builds == 2
    assert [row.number for row in board(cache, "A2").rows] == ["A2001"]
    assert cache.builds == 3


def test_a_change_without_a_notice_shows_once_the_snapshot_is_too_old(database: peewee.Database) -> None:
    """A result written without a change notice (e.g. by another process) is on the board as soon
    as the shared snapshot has reached its age limit."""
    clock = Monotonic()
    cache = SnapshotCache(HubBoardSource(database), version=lambda: 0, max_age_s=2.0, clock=clock)
    assert done(board(cache), "A1001") == 90
    put_result("A1001", "A1", YESTERDAY, quota=Fraction(100), done=Fraction(99))
    clock.now += 1.9
    assert done(board(cache), "A1001") == 90  # shared: screens within the age limit cost no read
    clock.now += 0.1
    assert done(board(cache), "A1001") == 99


def test_a_failed_read_is_not_shared_and_the_next_read_is_fresh(database: peewee.Database) -> None:
    """Once the shared snapshot is past its age, every screen's load fails while the results table
    cannot be read (so each marks its rows 数据未更新); once it is back the board shows the tables as
    they are now."""
    clock = Monotonic()
    cache = SnapshotCache(HubBoardSource(database), version=lambda: 0, max_age_s=2.0, clock=clock)
    assert done(board(cache), "A1003") == 92
    database.execute_sql("ALTER TABLE daily_result RENAME TO daily_result_away")
    clock.now += 2.0
    for _ in range(2):
        with pytest.raises((peewee.PeeweeException, sqlite3.Error)):
            board(cache)
    database.execute_sql("ALTER TABLE daily_result_away RENAME TO daily_result")
    put_result("A1003", "A1", YESTERDAY, quota=Fraction(100), done=Fraction(50))
    assert done(board(cache), "A1003") == 50


async def test_a_board_opened_after_a_new_result_shows_the_new_number(database: peewee.Database) -> None:
    """A screen opened right after a result changed (its notice given) shows the new number at once,
    not the snapshot another screen of the same board was just shown."""
    ctx = make_context(database, StepClock(), board_settings=BoardSettings(privacy=Privacy.FULL))
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await user.open(f"/board/A1?token={token}")
        await user.should_see(marker="board-row")
        assert rows(user)[1][:5] == ["A1002", "王某某", "缝裤腰", "100", "91"]

        put_result("A1002", "A1", YESTERDAY, quota=Fraction(100), done=Fraction(97))
        ctx.feed.notify([("A1", YESTERDAY)])
        await user.open(f"/board/A1?token={token}")  # a second screen, with the data in its first paint
        assert rows(user)[1][:5] == ["A1002", "王某某", "缝裤腰", "100", "97"]


def rows(user: User) -> list[list[str]]:
    """The board's rows as the cell texts a person reads, top to bottom."""
    found = sorted(user.find(marker="board-row").elements, key=lambda e: e.id)
    return [[child.text for child in row.default_slot.children] for row in found]  # type: ignore[attr-defined]
