"""The printed sheets (hub/paper) from the seeded demo site: what a reader of the PDF sees.

Each sheet is rendered from a real seeded hub database, read back with poppler (`pdftotext`,
`pdffonts`) and rasterised to screenshots/paper/*.png to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.engine.exact import shown
from hub.paper import canvas, sources
from hub.paper.daily import DailyRow, DailySheet, diff, render_daily, status
from hub.paper.monthly import render_monthly
from hub.paper.weekly import render_weekly
from hub.store.ledger import StoredCheckpoint
from hub.store.masterdata import Assignment, Inmate
from hub.store.results import DailyResult
from hub.web.board.model import BoardRow, status_of
from tests.hub.paper.pdf_tools import fonts_of, page_count, pages_as_png, text_of
from tests.hub.review.test_assessment_domain import HEAD_A1, LABOR, LINE_L1, MID_MONTH, MONTH, Site, open_copy

DAY = date(2026, 10, 28)


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


def _whole(text: str) -> int:
    return int(Decimal(text).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def _assert_cjk_embedded(pdf: Path) -> None:
    fonts = fonts_of(pdf)
    assert fonts, "no fonts in the PDF"
    assert all(f.embedded for f in fonts), fonts  # not one font left to the viewer's substitution
    assert any("NotoSansCJKSC" in f.name and f.subset for f in fonts), fonts


def test_daily_sheet_lists_every_inmate_with_whole_pieces_that_add_up_and_the_fingerprint(
    site: Site, tmp_path: Path
) -> None:
    """The 日记载 of L1 on 28 October: every inmate who has a result that day appears with prison
    number and Chinese name, quota and done in whole pieces and 超/欠 = shown done − shown quota; the
    discrepancy flag, the signature line and the latest checkpoint's fingerprint are printed; the
    CJK font is embedded."""
    sheet = sources.daily_sheet("L1", DAY, printed_by="王警官", printed_at="2026-10-29 12:00")
    pdf = tmp_path / "daily.pdf"
    pdf.write_bytes(render_daily(sheet))
    text = text_of(pdf)
    lines = text.splitlines()
    results = list(
        DailyResult.select().where((DailyResult.line == "L1") & (DailyResult.day == DAY.isoformat()))
    )
    assert len(results) == len(sheet.rows) == 20
    people = {i.id: i for i in Inmate.select()}
    for r in results:
        person = people[r.inmate]
        quota, done = _whole(r.quota_units), _whole(r.done_units)
        [row] = [line for line in lines if person.number in line]
        assert person.name in row
        numbers = row.split()
        sign = f"+{done - quota}" if done > quota else str(done - quota)
        assert [str(quota), str(done), sign] == numbers[numbers.index(str(quota)) :][:3], row
    assert "劳动日记载" in text
    assert "2026-10-28" in text
    assert "计数差异" in text  # the demo's warehouse counts differ on this day
    assert "带班民警签名" in text
    root = StoredCheckpoint.select().order_by(StoredCheckpoint.tree_size.desc()).first().root
    assert f"今日数据指纹：{root[:4]} {root[4:8]} {root[8:12]} {root[12:16]}" in text
    _assert_cjk_embedded(pdf)
    assert pages_as_png(pdf, "daily-L1")


def test_monthly_draft_is_marked_and_holds_the_engines_points(site: Site, tmp_path: Path) -> None:
    """October not locked: the 月考核 sheet of A1 says 草稿/未审批 on every page, lists all 40
    inmates by Chinese name with the engine's labor points (rounded as exported), the rule-set
    version, an adjustment with its reason, and every approval stage as not yet approved."""
    site.assessment.add_adjustment(HEAD_A1, MONTH, "A1", "P1002", "-2.5", "安全扣分：未戴护目镜")
    view = site.assessment.month_view(MONTH, "A1")
    sheet = sources.monthly_sheet(
        site.assessment, None, MONTH, "A1", zone=None, printed_by="劳改科", printed_at="2026-10-29 12:00"
    )
    pdf = tmp_path / "monthly.pdf"
    pdf.write_bytes(render_monthly(sheet))
    text = text_of(pdf)
    assert sheet.draft
    pages = page_count(pdf)
    assert text.count("劳动改造月考核表（草稿/未审批）") == pages
    assert len(view.rows) == 40
    for row in view.rows:
        # the first line naming the inmate is the score table's (the adjustments follow it)
        line = next(x for x in text.splitlines() if row.number in x and row.name in x)
        assert line.split()[-1] == shown(row.score.labor_points, 1)
    assert f"规则版本：{view.rule_set.version}" in text
    assert "-2.5" in text
    assert "安全扣分：未戴护目镜" in text
    assert text.count("（未审批）") == 3
    _assert_cjk_embedded(pdf)
    assert pages_as_png(pdf, "monthly-A1-draft")


def test_locked_month_prints_final_with_each_approver_and_time(site: Site, tmp_path: Path) -> None:
    """After line officer, area head and labor section approve, the sheet has no draft marking and
    names each stage's officer with the time of the approval."""
    for who in (LINE_L1, HEAD_A1, LABOR):
        site.assessment.approve(who, MONTH, "A1", override=MID_MONTH)
    sheet = sources.monthly_sheet(
        site.assessment, None, MONTH, "A1", zone=ZoneInfo("Asia/Shanghai"), printed_by="劳改科",
        printed_at="2026-10-29 12:00",
    )  # fmt: skip
    assert not sheet.draft
    pdf = tmp_path / "locked.pdf"
    pdf.write_bytes(render_monthly(sheet))
    text = text_of(pdf)
    assert "草稿" not in text
    assert "劳改科已审，已锁定" in text
    for stage, officer in (("分监区民警", "off_l1"), ("监区长", "head_a1"), ("劳动改造科", "labor")):
        [line] = [x for x in text.splitlines() if x.strip().startswith(stage)]
        assert officer in line
        assert "2026-10-29 12:00" in line  # the approval time in the site's zone
    assert pages_as_png(pdf, "monthly-A1-locked")


def test_a_line_officers_monthly_sheet_holds_only_their_lines_inmates(site: Site, tmp_path: Path) -> None:
    """Built for the officer of L1, the sheet of area A1 holds L1's 20 inmates and none of L2's, and
    says it is partial."""
    sheet = sources.monthly_sheet(
        site.assessment, LINE_L1, MONTH, "A1", zone=None, printed_by="王警官", printed_at="2026-10-29"
    )
    pdf = tmp_path / "mine.pdf"
    pdf.write_bytes(render_monthly(sheet))
    text = text_of(pdf)
    on_l1 = {a.inmate for a in Assignment.select().where(Assignment.line == "L1")}
    only_l2 = {a.inmate for a in Assignment.select().where(Assignment.line == "L2")} - on_l1
    people = {i.id: i for i in Inmate.select()}
    assert len(sheet.rows) == 20
    assert all(people[i].number in text for i in on_l1)
    assert not any(people[i].number in text for i in only_l2)
    assert "全监区 40 名" in text


@pytest.mark.parametrize(
    ("quota", "done", "pct"),
    [
        ("303.2", "387.9", "127.93"),
        ("100", "99.5", "99.5"),
        ("100", "90", "90"),
        ("100", "89.99", "89.99"),
        ("0.4", "0.6", "150"),
        (None, "5", None),
    ],
)
def test_paper_and_wall_board_say_the_same_numbers_and_status(
    quota: str | None, done: str, pct: str | None
) -> None:
    """A row on paper has the same 超/欠 and status word as on the wall board."""
    q = None if quota is None else Decimal(quota)
    p = None if pct is None else Decimal(pct)
    row = DailyRow(number="1", name="甲", step="s", quota_units=q, done_units=Decimal(done), completion_pct=p)
    board = BoardRow(number="1", quota_units=q, done_units=Decimal(done), completion_pct=p)
    assert diff(row) == board.diff
    assert status(row) == status_of(p).value


def test_no_cjk_font_is_a_clear_refusal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without fonts-noto-cjk the hub refuses to print (never a PDF with boxes for Chinese)."""
    monkeypatch.setattr(canvas, "REGULAR", tmp_path / "none.ttc")
    sheet = sources_free_sheet()
    with pytest.raises(canvas.PaperError) as err:
        render_daily(sheet)
    assert "fonts-noto-cjk" in err.value.text("zh")


def sources_free_sheet() -> DailySheet:
    return DailySheet(
        area_name="一监区",
        line_code="L1",
        line_name="服装一线",
        day=DAY,
        rows=(),
        checkpoint=None,
        printed_by="x",
        printed_at="y",
    )


def test_weekly_sheet_holds_the_weeks_hours_and_the_sign_offs_with_names_and_dates(
    site: Site, tmp_path: Path
) -> None:
    """The 周评议 sheet of A1 for 2026-W43 lists its 40 inmates with the weekly page's hours and
    completion; unsigned it offers empty signature rows; after the officer of L1 and the area head
    sign off on the dashboard it names both with their roles and dates."""
    week = "2026-W43"
    before = sources.weekly_sheet(
        site.assessment, None, "A1", week, zone=None, printed_by="x", printed_at="y"
    )
    assert not before.signoffs
    pdf = tmp_path / "unsigned.pdf"
    pdf.write_bytes(render_weekly(before))
    assert "尚无民警在系统中签认" in text_of(pdf)
    site.assessment.sign_off_week(LINE_L1, "A1", week)
    site.assessment.sign_off_week(HEAD_A1, "A1", week)
    sheet = sources.weekly_sheet(
        site.assessment, None, "A1", week, zone=ZoneInfo("Asia/Shanghai"), printed_by="x", printed_at="y"
    )
    pdf = tmp_path / "weekly.pdf"
    pdf.write_bytes(render_weekly(sheet))
    text = text_of(pdf)
    assert "劳动改造周评议表" in text
    assert "2026-W43（2026-10-19 至 2026-10-25）" in text
    rows = site.assessment.week_rows("A1", week)
    assert len(rows) == len(sheet.rows) == 40
    for row in rows:
        line = next(x for x in text.splitlines() if row.number in x)
        shown_row = row.shown()
        assert row.name in line
        assert line.split()[-3:] == [
            str(shown_row["quota_hours"]),
            str(shown_row["earned_hours"]),
            str(shown_row["completion_pct"]),
        ]
    for officer, role in (("off_l1", "分监区民警"), ("head_a1", "监区长")):
        [line] = [x for x in text.splitlines() if x.strip().startswith(officer)]
        assert role in line
        assert "2026-10-29 12:00" in line
    _assert_cjk_embedded(pdf)
    assert pages_as_png(pdf, "weekly-A1")
