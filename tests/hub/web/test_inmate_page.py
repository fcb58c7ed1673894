"""The inmate page (#17 item 1): one inmate's months, posts, disputes and adjustments, with the
monthly assessment's own points, in Chinese; an officer outside his scope is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing.user import User

from hub.accounts import Role
from hub.engine.exact import shown
from hub.paper.report import companion_from_pdf
from hub.review import report_signature
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.inmate import PENDING
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.paper.pdf_tools import text_of
from tests.hub.review.test_assessment_domain import HUB_KEY, LINE_L1, MONTH, NOW_MS, Site, open_copy


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def ctx(site: Site) -> WebContext:
    prepare(site.db)
    context = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    context.accounts.create(
        username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科"
    )
    context.accounts.create(
        username="line3", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L3"], display_name="孙志强"
    )
    return context


async def _settle(user: User, marker: str) -> None:
    for _ in range(100):
        try:
            if user.find(marker=marker).elements:
                return
        except AssertionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{marker} never showed")


async def test_the_inmate_page_shows_his_months_posts_disputes_and_adjustments(
    ctx: WebContext, site: Site
) -> None:
    """P1001 as the labor section: header with prison number and name; October's labor points equal
    the monthly assessment's; his post on L1; his dispute with its reason in Chinese (件数有误); the
    adjustment an officer entered."""
    site.assessment.add_adjustment(LINE_L1, MONTH, "A1", "P1001", "-1.5", "质量扣分")
    score = next(r.score for r in site.assessment.month_view(MONTH, "A1").rows if r.inmate == "P1001")
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/inmate?id=P1001")
        await _settle(user, "inmate-months")
        await user.should_see("32101001")
        table = user.find(marker="inmate-months").elements.pop()
        for _ in range(100):  # the points follow the page's first content (hub.web.inmate._scores)
            if all(m["labor"] != PENDING for m in table.rows):  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.1)
        months = table.rows  # type: ignore[attr-defined]
        october = next(m for m in months if m["month"] == "2026-10")
        assert october["labor"] == shown(score.labor_points, 1)
        assert october["days"] > 0
        posts = user.find(marker="inmate-posts").elements.pop().rows  # type: ignore[attr-defined]
        assert any(p["line"] == "L1" for p in posts)
        await user.should_see("件数有误 我的计件少记了一捆")
        await user.should_see("质量扣分")
        await user.should_see(marker="inmate-chart")


async def test_an_officer_of_another_line_is_refused(ctx: WebContext) -> None:
    """The officer of L3 asking for P1001 (posted on L1) sees the refusal and none of his data; the
    same answer as for an inmate who does not exist."""
    async with web_user(ctx) as user:
        await login(user, "line3")
        for inmate in ("P1001", "NOBODY"):
            await user.open(f"/inmate?id={inmate}")
            await user.should_see(marker="refused")
            await user.should_not_see("32101001")


async def test_a_name_on_the_monthly_page_opens_the_inmate_page(ctx: WebContext) -> None:
    """Every row of the monthly table carries the address of its inmate's page, which the name cell
    links to."""
    from hub.web.review.assessment import register_assessment

    async with web_user(ctx, before=lambda: register_assessment(ctx)) as user:
        await login(user, "labor")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        rows = user.find(marker="month-table").elements.pop().rows  # type: ignore[attr-defined]
        assert rows
        assert all(r["href"] == f"/inmate?id={r['inmate']}" for r in rows)


async def test_the_skill_matrix_shows_each_inmate_s_steps_and_exports(ctx: WebContext, site: Site) -> None:
    """/skills for area A1 as the labor section: a row per inmate who worked there, a column per
    step, each filled cell `NN% · N天`; the CSV export holds the same rows."""
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/skills?area=A1")
        await _settle(user, "skills-table")
        rows = user.find(marker="skills-table").elements.pop().rows  # type: ignore[attr-defined]
        assert rows
        cells = [v for r in rows for k, v in r.items() if k.startswith("s") and v]
        assert cells
        assert all("%" in c and "天" in c for c in cells)
        user.find(marker="skills-export").click()
        exported = (await user.download.next(timeout=10)).content.decode("utf-8-sig")
        assert len(exported.strip().splitlines()) == len(rows) + 1


async def test_the_bottleneck_page_names_a_step_for_each_working_day(ctx: WebContext) -> None:
    """/bottleneck for L1 in October as the labor section: one row per working day with the 入库数,
    each step's capacity and the bottleneck step, whose capacity is the day's lowest."""
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/bottleneck?line=L1&month=2026-10")
        await _settle(user, "bottleneck-table")
        table = user.find(marker="bottleneck-table").elements.pop()
        rows = table.rows  # type: ignore[attr-defined]
        assert rows
        steps = [c for c in table.columns if c["name"] not in ("day", "warehoused", "neck")]  # type: ignore[attr-defined]
        for row in rows:
            capacities = {c["label"]: float(row[c["field"]]) for c in steps if row[c["field"]]}
            assert capacities[row["neck"]] == min(capacities.values())  # shown rounded: ties allowed
        await user.should_see("为瓶颈")


async def test_the_print_button_downloads_a_report_the_hub_s_key_verifies(
    ctx: WebContext, site: Site, tmp_path: Path
) -> None:
    """打印考核报告 on P1001's page as the labor section: a PDF in Chinese with his name and the
    officer as issuer, and its signed companion, which `report_signature.check` accepts with the
    hub's key; the issue is in the ledger as `report.issue` by the officer."""
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/inmate?id=P1001")
        await _settle(user, "print-report")
        before = len(user.download.http_responses)  # type: ignore[attr-defined]
        user.find(marker="print-report").click()
        for _ in range(300):  # made in a worker thread (font subsetting: a few seconds)
            got = user.download.http_responses[before:]  # type: ignore[attr-defined]
            if len(got) >= 2:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("no report downloaded")
    pdf, companion = got[0].content, got[1].content
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = text_of(path)
    assert "罪犯劳动改造考核报告" in text
    assert "何国健" in text
    assert "劳改科" in text  # the issuing officer's name
    assert companion_from_pdf(pdf) == companion
    document, sealed, problems = report_signature.check(companion, HUB_KEY.public_key)
    assert problems == []
    assert sealed is not None
    assert f"核验码：{sealed.code}" in text
    acts = list(LedgerEntry.select().where(LedgerEntry.action == "report.issue"))
    assert [(a.actor, a.subject) for a in acts] == [("labor", "P1001")]
