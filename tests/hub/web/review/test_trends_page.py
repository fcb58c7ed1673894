"""Trends (趋势) in NiceGUI's simulated browser: the charts' series are the stored engine rows, and the
list of inmates below 80 % on five or more days is exactly what the daily results say."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from nicegui import ui

from hub.accounts import Role
from hub.results.worker import DailyResult
from hub.review import rules, weekly
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.assessment import register_assessment
from hub.web.review.trends import register_trends
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.test_assessment_domain import NOW_MS, Site, open_copy


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    """A private copy of the seeded demo month (see tests/hub/test_assessment_domain.py)."""
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def ctx(site: Site) -> Iterator[WebContext]:

    prepare(site.db)
    context = make_context(site.db, StepClock(NOW_MS), results=site.results)
    context.accounts.create(
        username="head_a1", password=PASSWORD, role=Role.AREA_HEAD, area="A1", display_name="甲"
    )
    context.accounts.create(
        username="off_l3", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L3"], display_name="李警官"
    )
    return context


def _pages(ctx: WebContext) -> None:
    register_assessment(ctx)
    register_trends(ctx)


def _expected_below(lines: list[str]) -> dict[str, int]:
    """Counted straight from the stored rows: days with completion < 80 % per inmate, kept when >= 5."""
    days: dict[str, int] = {}
    query = DailyResult.select().where(DailyResult.line.in_(lines) & (DailyResult.day.startswith("2026-10")))
    for row in query:
        quota, earned = Fraction(row.quota_std_seconds), Fraction(row.earned_std_seconds)
        if quota and 100 * earned / quota < 80:
            days[row.inmate] = days.get(row.inmate, 0) + 1
    return {k: v for k, v in days.items() if v >= 5}


async def test_trends_show_completion_and_output_charts_and_the_below_80_list(ctx: WebContext) -> None:
    """A1's October: one completion series per inmate, an output-vs-quota chart per line, and the list."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "head_a1")
        await user.open("/trends?area=A1&month=2026-10")
        await user.should_see(marker="below-table", retries=100)
        [completion] = user.find(marker="completion-chart").elements
        assert isinstance(completion, ui.echart)
        series = completion.options["series"]
        assert len(series) == 40
        days = completion.options["xAxis"]["data"]
        assert days[0] == "2026-10-15"
        assert all(len(s["data"]) == len(days) for s in series)
        for line in ("L1", "L2"):
            [output] = user.find(marker=f"output-chart-{line}").elements
            assert isinstance(output, ui.echart)
            quota, earned = output.options["series"]
            assert len(quota["data"]) == len(earned["data"]) > 0
        [table] = user.find(marker="below-table").elements
        assert isinstance(table, ui.table)
        expected = _expected_below(["L1", "L2"])
        assert expected
        assert {r["inmate"]: r["days"] for r in table.rows} == expected
        await user.should_not_see(marker="output-chart-L3")


async def test_trends_stay_in_the_officers_scope_and_refuse_a_bad_month(ctx: WebContext) -> None:
    """The officer of L3 asking for A1 gets A2's charts; a month written 2026/10 gets a clear message."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "off_l3")
        await user.open("/trends?area=A1&month=2026-10")
        await user.should_see(marker="output-chart-L3", retries=100)
        await user.should_not_see(marker="output-chart-L1")
        await user.open("/trends?area=A2&month=2026/10")
        await user.should_see("月份格式应为 2026-10", retries=100)
        await user.should_not_see(marker="completion-chart")


def test_below_threshold_matches_a_hand_count(site: Site) -> None:
    """The pure rule over the month's engine rows gives the same list as counting by hand."""
    records = weekly.daily_completions(["L3"], rules.parse_month("2026-10"))
    found = dict(rules.below_threshold((r.inmate, r.day, r.completion_pct) for r in records))
    assert found == _expected_below(["L3"])
