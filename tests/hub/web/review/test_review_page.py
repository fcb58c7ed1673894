"""The daily review page (日审核) through NiceGUI's simulated user, on a real hub database.

The line-day is built by `tests.hub.review.test_corrections_domain.build_site` (records through the real
ingest, results by the real worker, acts into the real ledger); every click goes through the page's
guarded actions, so the refusals asserted here are the server's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing.user import User

from hub.accounts import Role
from hub.kiosks import plans
from hub.ledger.entries import CORRECTION
from hub.store import review as review_tables
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.daily import register_review
from tests.hub.conftest_web import PASSWORD, login, web_user
from tests.hub.review.test_corrections_domain import DAY, NOON_MS, Site, build_site, done_of

PAGE = f"/review?line=L1&day={DAY.isoformat()}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path / "hub.db")


@pytest.fixture
def ctx(site: Site) -> WebContext:
    context = WebContext(
        db=site.db, clock=site.clock, site="测试监狱", ledger=site.ledger, results=site.results
    )
    prepare(site.db)
    accounts = context.accounts
    accounts.create(
        username="off1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name="王警官"
    )
    accounts.create(
        username="off2", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name="赵警官"
    )
    accounts.create(
        username="offx", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L9"], display_name="李警官"
    )
    accounts.create(username="head", password=PASSWORD, role=Role.AREA_HEAD, area="A1", display_name="监区长")
    accounts.create(username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科")
    return context


def _user(ctx: WebContext, site: Site):  # type: ignore[no-untyped-def]
    return web_user(ctx, before=lambda: register_review(ctx, site.desk))


def _pick(user: User, marker: str, value: str) -> None:
    user.find(kind=ui.select, marker=marker).elements.pop().set_value(value)  # type: ignore[attr-defined]


def _propose(user: User, seq: int, value: str, reason: str) -> None:
    _pick(user, "propose-record", f"K1#{seq}")
    user.find(marker="propose-value").type(value)
    user.find(marker="propose-reason").type(reason)
    user.find(marker="propose").click()


async def _switch(user: User, username: str) -> None:
    user.find(marker="logout").click()
    await login(user, username)
    await user.open(PAGE)


async def test_an_officer_reviews_the_day_proposes_and_another_approves(ctx: WebContext, site: Site) -> None:
    """off1 sees the records, results with explanation, countersign and dispute, proposes 50 -> 20; off2
    approves; the result is recomputed while the original record is still listed with 50."""
    seq = site.count.record.seq
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        await user.should_see(f"10:00:00 报数 321001 张三 50 K1#{seq}")
        table = user.find(marker="results-table").elements.pop()
        [row] = [r for r in table.rows if r["number"] == "321001"]  # type: ignore[attr-defined]
        assert (row["name"], row["done"], row["flags"]) == ("张三", 50, "计数差异、申辩")
        await user.should_see("赵警官（民警） 于 17:00:00 签名")
        await user.should_see("321001 张三 申辩：件数有误 我做了60件")
        await user.should_see("衬衫/做领：计数 50 件，入库 200 件")
        user.find(marker="explain").click()
        for _ in range(200):  # the explanation is computed in a worker thread
            shown = user.find(marker="explanation").elements.pop().text  # type: ignore[attr-defined]
            if shown:
                break
            await asyncio.sleep(0.02)
        assert "P1" in shown or "张三" in shown
        _pick(user, "propose-record", f"K1#{seq}")
        user.find(marker="propose-value").type("20")
        user.find(marker="preview").click()  # before proposing: whose credit moves
        await user.should_see("批准后有 1 人的当日完成数变化")
        await user.should_see("321001 张三：50 → 20 件")
        user.find(marker="propose-reason").type("键入错误")
        user.find(marker="propose").click()
        await user.should_see("待审批")
        await user.should_see(f"K1#{seq} 报数 件数：原值 50，更正前 50 → 更正为 20")
        [proposal] = review_tables.CorrectionProposal.select()
        preview = user.find(marker=f"correction-preview-{proposal.id}").elements.pop()
        assert preview.text.splitlines()[1:] == ["321001 张三：50 → 20 件"]  # type: ignore[attr-defined]
        await _switch(user, "off2")
        user.find(marker=f"approve-{proposal.id}").click()
        await user.should_see("已由 赵警官（民警） 批准")
        assert site.results.flush()
        assert done_of("P1") == "20.00"
        await user.should_see(f"10:00:00 报数 321001 张三 50 K1#{seq}")  # the original stays visible
    assert LedgerEntry.select().where(LedgerEntry.action == CORRECTION).count() == 1


async def test_the_proposer_is_refused_approving_their_own_correction(ctx: WebContext, site: Site) -> None:
    """The approve button of one's own proposal is refused by the server; the proposal stays open."""
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        _propose(user, site.count.record.seq, "20", "键入错误")
        await user.should_see("待审批")
        [proposal] = review_tables.CorrectionProposal.select()
        user.find(marker=f"approve-{proposal.id}").click()
        await user.should_see("不能批准本人提出的更正")
    assert review_tables.CorrectionProposal.get_by_id(proposal.id).status == review_tables.PROPOSED
    assert done_of("P1") == "50.00"


async def test_an_officer_of_another_line_cannot_see_or_act_on_the_day(ctx: WebContext, site: Site) -> None:
    """offx (line L9) opening L1's day gets a refusal and none of its records."""
    async with _user(ctx, site) as user:
        await login(user, "offx")
        await user.open(PAGE)
        await user.should_see("没有该生产线或无权查看")
        await user.should_not_see(marker=f"rec-K1-{site.count.record.seq}")
        await user.should_not_see(marker="propose")


async def test_after_the_window_only_the_labor_section_may_propose(ctx: WebContext, site: Site) -> None:
    """Eight days later the line officer's proposal is refused with the window's message; labor's is taken."""
    site.clock.advance(8 * 86400)
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        _propose(user, site.count.record.seq, "20", "键入错误")
        await user.should_see("已超过 7 天更正期限，只能由劳改科处理")
        assert review_tables.CorrectionProposal.select().count() == 0
        await _switch(user, "labor")
        _propose(user, site.count.record.seq, "20", "盘点核实")
        await user.should_see("待审批")
    assert review_tables.CorrectionProposal.select().count() == 1


@pytest.mark.parametrize(
    ("reason", "message"), [("", "请填写理由"), ("理" * 201, "理由最多 200 字")], ids=["empty", "oversize"]
)
async def test_a_proposal_without_a_proper_reason_is_refused(
    ctx: WebContext, site: Site, reason: str, message: str
) -> None:
    """An empty or oversize reason gets a clear message and nothing is stored or ledgered."""
    before = LedgerEntry.select().count()
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        _propose(user, site.count.record.seq, "20", reason)
        await user.should_see(message)
    assert review_tables.CorrectionProposal.select().count() == 0
    assert LedgerEntry.select().count() == before


async def test_html_in_a_reason_is_shown_as_text(ctx: WebContext, site: Site) -> None:
    """A reason with markup is displayed literally, never rendered as HTML."""
    reason = "<b>粗体</b><script>alert(1)</script>"
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        _propose(user, site.count.record.seq, "20", reason)
        await user.should_see(f"理由：{reason}")
        assert not _has(user, ui.html)


def _has(user: User, kind: type) -> bool:
    try:
        return bool(user.find(kind=kind).elements)
    except AssertionError:
        return False


async def test_a_rejected_dispute_shows_its_reason_in_the_next_line_plan(ctx: WebContext, site: Site) -> None:
    """The head rejects P1's dispute with a reason: the page shows the answer, P1's plan carries it."""
    mark = f"K1-{site.dispute.record.seq}"
    async with _user(ctx, site) as user:
        await login(user, "head")
        await user.open(PAGE)
        user.find(marker=f"dispute-reason-{mark}").type("已调阅记录，计数无误")
        user.find(marker=f"dispute-reject-{mark}").click()
        await user.should_see("已答复（不成立，监区长（监区长））：已调阅记录，计数无误")
    plan = plans.build_plan(hub="hub", line="L1", day=DAY, hub_ms=NOON_MS, revision=2)
    assert {p.id: p.notice for p in plan.people}["P1"] == "已调阅记录，计数无误"


async def test_an_upheld_dispute_leads_to_a_correction_proposal(ctx: WebContext, site: Site) -> None:
    """Upholding P1's dispute with the count and its new value proposes that correction, awaiting approval."""
    mark = f"K1-{site.dispute.record.seq}"
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        user.find(marker=f"dispute-reason-{mark}").type("复核属实")
        _pick(user, f"dispute-record-{mark}", f"K1#{site.count.record.seq}")
        user.find(marker=f"dispute-value-{mark}").type("60")
        user.find(marker=f"dispute-uphold-{mark}").click()
        await user.should_see("已答复（成立，王警官（民警））：复核属实")
        await user.should_see("更正为 60")
        await user.should_see("待审批")
    [proposal] = review_tables.CorrectionProposal.select()
    assert proposal.dispute == f"K1#{site.dispute.record.seq}"


async def test_a_discrepancy_is_resolved_with_a_note(ctx: WebContext, site: Site) -> None:
    """The counts-vs-warehouse flag takes a note; the page shows it resolved by the officer."""
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        user.find(marker="flag-note-SHIRT-S2").type("余数次日入库")
        user.find(marker="flag-resolve-SHIRT-S2").click()
        await user.should_see("已处理（王警官（民警））：余数次日入库")
    assert review_tables.DiscrepancyNote.select().count() == 1


async def test_a_day_in_the_wrong_format_gets_a_clear_message(ctx: WebContext, site: Site) -> None:
    """/review with day 2026-13-01 says how to write a day and shows no records."""
    async with _user(ctx, site) as user:
        await login(user, "labor")
        await user.open("/review?line=L1&day=2026-13-01")
        await user.should_see("日期格式应为 YYYY-MM-DD")
        await user.should_not_see(marker="propose")


async def test_a_line_officer_opening_review_without_choosing_gets_their_line_today(
    ctx: WebContext, site: Site
) -> None:
    """/review with no line or day opens off1's own line L1 for today (the site's date); an officer
    with no line to see is asked to choose instead."""
    assert ctx.today() == DAY
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open("/review")
        await user.should_see(f"10:00:00 报数 321001 张三 50 K1#{site.count.record.seq}")
        await _switch(user, "offx")
        await user.open("/review")
        await user.should_see(marker="review-pick")
        await user.should_not_see(marker="propose")
