"""Trends (趋势) in NiceGUI's simulated browser: the charts' series are the stored engine rows, the
completion chart holds the area's lines and only the inmates an officer picks, and the list of
inmates below the low-completion threshold (the suggestions' one) on five or more days is exactly
what the daily results say, each name a link to the inmate's page."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import pytest
from nicegui import ui

from hub.accounts import Principal, Role
from hub.results.worker import DailyResult
from hub.review import rules, weekly
from hub.store import masterdata as md
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.assessment import register_assessment
from hub.web.review.trends import MAX_PICKED, register_trends
from hub.web.suggestions import actions_of
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.test_assessment_domain import NOW_MS, Site, open_copy


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    """A private copy of the seeded demo month (see tests/hub/test_assessment_domain.py)."""
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def ctx(site: Site) -> WebContext:

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


def _expected_below(lines: list[str], pct: int = 80) -> dict[str, int]:
    """Counted straight from the stored rows: days with completion < pct % per inmate, kept when >= 5."""
    days: dict[str, int] = {}
    query = DailyResult.select().where(DailyResult.line.in_(lines) & (DailyResult.day.startswith("2026-10")))
    for row in query:
        quota, earned = Fraction(row.quota_std_seconds), Fraction(row.earned_std_seconds)
        if quota and 100 * earned / quota < pct:
            days[row.inmate] = days.get(row.inmate, 0) + 1
    return {k: v for k, v in days.items() if v >= 5}


async def test_trends_show_lines_output_charts_and_the_below_list_with_links(ctx: WebContext) -> None:
    """A1's October: one completion series per line (not forty inmates), an output-vs-quota chart per
    line, and the below-80 % list whose numbers and names open the inmate page."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "head_a1")
        await user.open("/trends?area=A1&month=2026-10")
        await user.should_see(marker="below-table", retries=100)
        [completion] = user.find(marker="completion-chart").elements
        assert isinstance(completion, ui.echart)
        series = completion.options["series"]
        assert [s["name"].split()[0] for s in series] == ["L1", "L2"]
        assert "type" not in completion.options["legend"]  # a plain legend: it never pages
        days = completion.options["xAxis"]["data"]
        assert days[0] == "2026-10-15"
        assert all(len(s["data"]) == len(days) for s in series)
        assert series[0]["markLine"]["data"] == [{"yAxis": 80.0}]
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
        assert all(r["href"] == f"/inmate?id={r['inmate']}" for r in table.rows)
        assert {"body-cell-number", "body-cell-name"} <= set(table.slots)
        assert all(c["sortable"] for c in table.columns)
        await user.should_not_see(marker="output-chart-L3")


async def test_a_line_s_completion_is_its_output_over_its_quota(ctx: WebContext) -> None:
    """The L1 series on a day is the day's summed output over the summed quota of L1's stored rows."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "head_a1")
        await user.open("/trends?area=A1&month=2026-10")
        await user.should_see(marker="below-table", retries=100)
        [completion] = user.find(marker="completion-chart").elements
        assert isinstance(completion, ui.echart)
        days = completion.options["xAxis"]["data"]
        l1 = completion.options["series"][0]["data"]
        for day, shown_pct in zip(days, l1, strict=True):
            rows = DailyResult.select().where((DailyResult.line == "L1") & (DailyResult.day == day))
            quota = sum((Fraction(r.quota_std_seconds) for r in rows), Fraction(0))
            earned = sum((Fraction(r.earned_std_seconds) for r in rows), Fraction(0))
            if not quota:
                assert shown_pct is None
            else:
                assert abs(shown_pct - float(100 * earned / quota)) <= 0.005


async def test_picking_inmates_draws_their_lines_beside_the_area_s(ctx: WebContext) -> None:
    """The picker lists inmates as "number name"; picking two adds exactly their two series (by number
    and name, their stored completion per day); the picker holds at most five."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "head_a1")
        await user.open("/trends?area=A1&month=2026-10")
        await user.should_see(marker="below-table", retries=100)
        [picker] = user.find(marker="inmate-picker").elements
        assert isinstance(picker, ui.select)
        labels = list(picker.options.values())  # type: ignore[union-attr]
        assert len(labels) == 40
        numbers = {str(i.number) for i in md.Inmate.select()}
        assert all(label.split()[0] in numbers for label in labels)
        assert picker.props["max-values"] == str(MAX_PICKED)  # the browser stops a sixth chip
        chosen = list(picker.options)[:2]
        picker.set_value(chosen)
        [completion] = user.find(marker="completion-chart").elements
        assert isinstance(completion, ui.echart)
        series = completion.options["series"]
        assert len(series) == 4
        days = completion.options["xAxis"]["data"]
        for inmate, drawn in zip(chosen, series[2:], strict=True):
            person = md.Inmate.get_by_id(inmate)
            assert drawn["name"] == f"{person.number} {person.name}"
            stored = {
                r.day: Fraction(r.earned_std_seconds) / Fraction(r.quota_std_seconds)
                for r in DailyResult.select().where(DailyResult.inmate == inmate)
                if Fraction(r.quota_std_seconds)
            }
            for day, value in zip(days, drawn["data"], strict=True):
                if day in stored:
                    assert abs(value - float(100 * stored[day])) <= 0.005
        picker.set_value(list(picker.options)[: MAX_PICKED + 2])
        assert len(completion.options["series"]) == 2 + MAX_PICKED  # and the server draws five at most
        picker.set_value([])
        assert len(completion.options["series"]) == 2


async def test_the_low_threshold_follows_the_suggestions_settings(ctx: WebContext) -> None:
    """When the labor section sets the suggestions' low completion to 90 %, the trends list counts days
    below 90 % and says so; the chart's mark moves to 90."""
    labor = Principal(username="labor", role=Role.LABOR_SECTION, display_name="劳改科")
    actions_of(ctx).add_settings(
        labor, "v-low", valid_from="2026-01-01", parameters={"low_pct": "90"}, reason="试行"
    )
    expected = _expected_below(["L1", "L2"], pct=90)
    assert expected != _expected_below(["L1", "L2"])
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "head_a1")
        await user.open("/trends?area=A1&month=2026-10")
        await user.should_see(marker="below-table", retries=100)
        await user.should_see("完成率低于 90% 达 5 天及以上")
        [table] = user.find(marker="below-table").elements
        assert isinstance(table, ui.table)
        assert {r["inmate"]: r["days"] for r in table.rows} == expected
        [completion] = user.find(marker="completion-chart").elements
        assert isinstance(completion, ui.echart)
        assert completion.options["series"][0]["markLine"]["data"] == [{"yAxis": 90.0}]


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
