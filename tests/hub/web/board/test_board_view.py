"""The wall board in NiceGUI's simulated browser: tokens, privacy, status words, paging, live updates,
stale data and recovery. Data comes from real `daily_result` rows in a SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from nicegui.testing.user import User

from hub.engine.model import Month, MonthlyScore
from hub.ledger import checkpoints
from hub.review import month_publication
from hub.review.rules import MonthRow
from hub.store.ledger import StoredCheckpoint
from hub.store.masterdata import Line
from hub.web import WebContext
from hub.web.board.model import BoardSettings, Privacy, Published, PublishedRow
from hub.web.review.assessment import board_published
from protocol.signing import Signer
from tests.hub.conftest_web import StepClock, hub_db, make_context, put_result, seed_site, web_user

TODAY = date(2025, 11, 29)  # the StepClock's day in Shanghai
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    database = hub_db(tmp_path / "hub.db")
    seed_site(5, long_name=True)
    for n, done in enumerate((Fraction(120), Fraction(95), Fraction(50), Fraction(100), Fraction(0))):
        put_result(f"A1{n + 1:03d}", "A1", YESTERDAY, quota=Fraction(100), done=done)
    put_result("A2001", "A2", YESTERDAY, quota=Fraction(80), done=Fraction(81))
    put_result("A1001", "A1", TODAY, quota=Fraction(100), done=Fraction(40))
    checkpoints.CheckpointLog(database, Signer.generate(), lambda: 1, "hub").make_checkpoint()
    database.close()
    return tmp_path / "hub.db"


def context(path: Path, **settings: object) -> WebContext:
    board = BoardSettings(**{"privacy": Privacy.FULL, **settings})  # type: ignore[arg-type]
    ctx = make_context(hub_db(path), StepClock(), board_settings=board)
    return ctx


def rows(user: User) -> list[list[str]]:
    """The board's rows as the cell texts a person reads, top to bottom."""
    out = []
    for row in sorted(user.find(marker="board-row").elements, key=lambda e: e.id):
        out.append([child.text for child in row.default_slot.children])  # type: ignore[attr-defined]
    return out


async def open_board(ctx: WebContext, user: User, target: str, token: str) -> None:
    await user.open(f"/board/{target}?token={token}")


async def test_a_valid_token_shows_yesterdays_rows_with_title_and_fingerprint(site: Path) -> None:
    """Title with area and line, 日记载 of yesterday, one row per inmate with the status word, the
    fingerprint of the latest checkpoint, and today's strip."""
    ctx = context(site)
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see("一监区 · 服装一线")
        await user.should_see(f"日记载 · {YESTERDAY.isoformat()} 记录")
        await user.should_see("● 实时")
        root = StoredCheckpoint.select().first().root
        await user.should_see(f"今日数据指纹 {root[0:4]} {root[4:8]} {root[8:12]} {root[12:16]}")
        await user.should_see("服装一线 40/100 (40%)")
        table = rows(user)
        assert [r[0] for r in table] == ["A1001", "A1002", "A1003", "A1004", "A1005"]
        assert table[1] == ["A1002", "王某某", "缝裤腰", "100", "95", "-5", "95%", "95%", "≈ 接近"]
        assert table[0][5:] == ["+20", "120%", "120%", "✓ 完成"]
        assert table[2][-1] == "✗ 欠额"
        assert table[3][-1] == "✓ 完成"
        await user.should_see("第 1/1 页")
    ctx.db.close()


async def test_a_wrong_or_revoked_token_shows_no_data_but_says_what_to_do(site: Path) -> None:
    """No title, no rows, no fingerprint for a wrong token, another board's token, a revoked token, a
    token of a line that no longer exists; instead a page telling the installer the link is not
    valid and where a new one is made."""
    ctx = context(site)
    async with web_user(ctx) as user:
        info, token = ctx.boards.create("A1", by="admin")
        _, gone = ctx.boards.create("ZZ", by="admin")  # a line that no longer exists
        for target, secret in (("A1", "wrong"), ("A1", ""), ("A2", token), ("ZZ", gone)):
            await open_board(ctx, user, target, secret)
            await user.should_see(marker="board-refused")
            await user.should_see("此看板链接无效或已撤销")
            await user.should_see("看板令牌")
            await user.should_not_see(marker="board-title")
            await user.should_not_see(marker="board-row")
        await open_board(ctx, user, "A1", token)
        await user.should_see(marker="board-row")
        ctx.boards.revoke(info.id, by="admin")
        # An open screen loses its board at the next reload (a change notice here).
        ctx.feed.notify()
        await user.should_not_see(marker="board-row", retries=20)
        await open_board(ctx, user, "A1", token)
        await user.should_not_see(marker="board-title")
        await user.should_see(marker="board-refused")
    ctx.db.close()


@pytest.mark.parametrize(
    ("privacy", "expected"),
    [(Privacy.FULL, "王某某"), (Privacy.MASKED, "王*"), (Privacy.NUMBER_ONLY, "A1002")],
)
async def test_privacy_setting_decides_how_names_show(site: Path, privacy: Privacy, expected: str) -> None:
    """Full name, first character and *, or the number only; the full name never reaches the page."""
    ctx = context(site, privacy=privacy)
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see(marker="board-row")
        assert rows(user)[1][1] == expected
        if privacy is not Privacy.FULL:
            await user.should_not_see("王某某")
    ctx.db.close()


async def test_an_area_board_shows_every_line_of_the_area(site: Path) -> None:
    """The area's board lists both lines' inmates under the area's name."""
    ctx = context(site)
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A", by="admin")
        await open_board(ctx, user, "A", token)
        await user.should_see(marker="board-row")
        assert [r[0] for r in rows(user)] == ["A1001", "A1002", "A1003", "A1004", "A1005", "A2001"]
        await user.should_see("服装二线 —/— (—)")  # no results today: dashes, not an error
    ctx.db.close()


async def test_missing_and_long_values_never_break_a_row(site: Path) -> None:
    """A zero quota (no completion) reads "—" and an unknown status; a very long name stays one cell."""
    ctx = context(site)
    put_result("A1005", "A1", YESTERDAY, quota=Fraction(0), done=Fraction(0))
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see(marker="board-row")
        table = rows(user)
        assert all(len(r) == 9 for r in table)
        assert table[4][6:] == ["—", "—", "—"]
        assert table[0][1].startswith("阿卜杜热合曼")
    ctx.db.close()


async def test_300_rows_page_automatically(tmp_path: Path) -> None:
    """300 inmates at 14 rows a page: 第 1/22 页, and the next page follows by itself."""
    database = hub_db(tmp_path / "hub.db")
    seed_site(300)
    with database.atomic():
        for n in range(300):
            put_result(f"B1{n + 1:03d}", "B1", YESTERDAY, quota=Fraction(100), done=Fraction(n))
    ctx = make_context(
        database,
        StepClock(),
        board_settings=BoardSettings(privacy=Privacy.MASKED, seconds_per_page=0.5, rows_per_page=14),
    )
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("B1", by="admin")
        await open_board(ctx, user, "B1", token)
        await user.should_see("第 1/22 页")
        assert [r[0] for r in rows(user)] == [f"B1{n:03d}" for n in range(1, 15)]
        await user.should_see("第 2/22 页", retries=20)
        assert [r[0] for r in rows(user)] == [f"B1{n:03d}" for n in range(15, 29)]
    database.close()


async def test_a_new_result_appears_without_reload(site: Path) -> None:
    """A result changed in the database shows on the open board within a second of the change notice."""
    ctx = context(site, poll_seconds=60.0)  # only the notice can explain the update
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see(marker="board-row")
        client = user.client
        put_result("A1003", "A1", YESTERDAY, quota=Fraction(100), done=Fraction(91))
        ctx.feed.notify([("A1", YESTERDAY)])
        loop = asyncio.get_running_loop()
        started = loop.time()
        while rows(user)[2][4] != "91":
            assert loop.time() - started < 1.0, "the board did not update within a second"
            await asyncio.sleep(0.05)
        assert user.client is client  # the same page, not a reload
        assert rows(user)[2][-1] == "≈ 接近"
    ctx.db.close()


async def test_unreachable_data_keeps_the_last_rows_marked_stale_then_recovers(site: Path) -> None:
    """While the results table cannot be read the board keeps its rows under 数据未更新; then live again."""
    ctx = context(site, poll_seconds=0.3)
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see("● 实时")
        ctx.db.execute_sql("ALTER TABLE daily_result RENAME TO daily_result_away")
        await user.should_see(marker="board-stale", retries=30)
        assert len(rows(user)) == 5  # the last data stays on the wall
        ctx.db.execute_sql("ALTER TABLE daily_result_away RENAME TO daily_result")
        await user.should_see(marker="board-live", retries=30)
        assert len(rows(user)) == 5
    ctx.db.close()


async def test_published_weekly_reviews_join_the_page_cycle_until_their_last_day(site: Path) -> None:
    """A weekly review published to the board (公示) shows as its own page, with its own title and its
    figures in standard hours (which add up across steps), while `until` is not past."""
    shown_until = {"A1": TODAY}

    def published(target: str, today: date) -> list[Published]:
        until = shown_until.get(target)
        if until is None or today > until:
            return []
        row = PublishedRow(
            number="A1002", name="王某某", days=5, quota_hours=40, earned_hours=Decimal("38.4"),
            completion_pct=96,
        )  # fmt: skip
        return [Published(title="2025-W48", until=until, rows=(row,))]

    board = BoardSettings(privacy=Privacy.MASKED, seconds_per_page=0.5)
    ctx = make_context(hub_db(site), StepClock(), board_settings=board, published=published)
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see("第 1/2 页")
        await user.should_see(f"周评议公示 · 2025年第48周 · 公示至 {TODAY.isoformat()}", retries=20)
        await user.should_see("第 2/2 页")
        await user.should_not_see("日记载")  # the publication has its own title
        await user.should_see("定额工时")
        assert rows(user) == [["A1002", "王*", "5", "40", "38.4", "96%", "≈ 接近"]]
        ctx.clock.advance(24 * 3600)  # type: ignore[attr-defined]
        ctx.feed.notify()
        await user.should_see("第 1/1 页", retries=30)
    ctx.db.close()


async def test_a_name_with_markup_is_shown_as_text(site: Path) -> None:
    """An inmate name holding HTML reaches the board as the literal characters, in a text label."""
    database = hub_db(site)
    from hub.store.masterdata import Inmate

    Inmate.update(name="<img src=x onerror=alert(1)>").where(Inmate.id == "A1002").execute()
    ctx = make_context(database, StepClock(), board_settings=BoardSettings(privacy=Privacy.FULL))
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see(marker="board-row")
        assert rows(user)[1][1] == "<img src=x onerror=alert(1)>"
    database.close()


async def test_the_board_says_stale_while_the_hub_is_not_receiving(site: Path) -> None:
    """When the hub reports it is not receiving (broker lost), the rows stay under 数据未更新."""
    receiving = {"now": True}
    board = BoardSettings(privacy=Privacy.MASKED, poll_seconds=0.3)
    ctx = make_context(hub_db(site), StepClock(), board_settings=board, live=lambda: receiving["now"])
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see(marker="board-live")
        receiving["now"] = False
        await user.should_see(marker="board-stale", retries=30)
        assert len(rows(user)) == 5
        receiving["now"] = True
        await user.should_see(marker="board-live", retries=30)
    ctx.db.close()


async def test_a_published_month_shows_as_its_own_pages_with_completion_and_points(site: Path) -> None:
    """The monthly result the area head's approval published (公示) joins the board's page cycle
    with its own title (month and last day), each inmate's workdays, completion and labor points,
    from the stored snapshot (`hub.review.month_publication`), on the area's and the line's board."""
    database = hub_db(site)
    score = MonthlyScore(
        inmate="A1002", quota_std_seconds=Fraction(1000), earned_std_seconds=Fraction(1025), workdays=21,
        days_met=15, base_points=Fraction(10), bonus_points=Fraction(1, 2), adjust_points=Fraction(0),
        labor_points=Fraction(21, 2),
    )  # fmt: skip
    area = str(Line.get_by_id("A1").area)  # the board of line A1 shows its area's publication
    row = MonthRow(inmate="A1002", number="A1002", name="王某某", area=area, score=score)
    month_publication.publish(
        actor="head", month=Month(year=2025, month=11), area=area, rows=[row], today=TODAY, days=5,
        now_ms=1, record_act=None,
    )  # fmt: skip
    board = BoardSettings(privacy=Privacy.MASKED, seconds_per_page=0.5)
    ctx = make_context(database, StepClock(), board_settings=board, published=board_published(database))
    async with web_user(ctx) as user:
        _, token = ctx.boards.create("A1", by="admin")
        await open_board(ctx, user, "A1", token)
        await user.should_see("第 1/2 页")
        until = (TODAY + timedelta(days=4)).isoformat()
        await user.should_see(f"月度考核公示 · 2025年11月 · 公示至 {until}", retries=20)
        await user.should_see("劳动改造分")
        assert rows(user) == [["A1002", "王*", "21", "103%", "10.5", "✓ 完成"]]
    ctx.db.close()
