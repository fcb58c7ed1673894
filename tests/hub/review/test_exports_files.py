"""Exports for the scoring database: XLSX and CSV equal the engine's numbers; the JSON API needs a token."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from hub.accounts import Role
from hub.engine.compute import compute_month
from hub.engine.exact import round_half_up
from hub.results.inputs import month_input
from hub.review import exports, rules
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from tests.hub.conftest_web import PASSWORD, StepClock, make_context, web_user
from tests.hub.review.test_assessment_domain import HEAD_A1, LINE_L1, MONTH, NOW_MS, TODAY, Site, open_copy


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    """A private copy of the seeded demo month (see tests/hub/test_assessment_domain.py)."""
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


STAMP = datetime(2026, 10, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _engine_scores(site: Site) -> dict[str, object]:
    read = month_input(site.db, MONTH, through=TODAY)
    result = compute_month(read.inputs, read.rule_set)
    return {m.inmate: m for m in result.monthly}


def _rows(site: Site) -> list[dict[str, object]]:
    view = site.assessment.month_view(MONTH, "A1")
    return exports.export_rows(view, export_time=STAMP, checkpoint_root=exports.latest_root())


def test_xlsx_opens_with_openpyxl_and_its_numbers_equal_the_engines(site: Site) -> None:
    """Every row of A1's October in the XLSX has the engine's points and completion, rounded half up."""
    site.assessment.add_adjustment(LINE_L1, MONTH, "A1", "P1001", "-2.5", "安全扣分")
    data = exports.to_xlsx(_rows(site), lang="en")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0]) == list(exports.COLUMNS)
    engine = _engine_scores(site)
    body = [dict(zip(exports.COLUMNS, row, strict=True)) for row in table[1:]]
    assert len(body) == 40
    root = exports.latest_root()
    assert len(root) == 64
    for row in body:
        score = engine[row["inmate_id"]]
        assert Decimal(str(row["labor_points"])) == round_half_up(score.labor_points, 1)
        assert Decimal(str(row["base_points"])) == round_half_up(score.base_points, 1)
        assert Decimal(str(row["bonus_points"])) == round_half_up(score.bonus_points, 1)
        assert Decimal(str(row["adjustments"])) == round_half_up(score.adjust_points, 1)
        assert Decimal(str(row["completion_pct"])) == round_half_up(score.completion_pct, 2)
        assert (row["workdays"], row["days_met"]) == (score.workdays, score.days_met)
        assert (row["month"], row["area"], row["approval_state"], row["checkpoint_root"]) == (
            "2026-10",
            "A1",
            "open",
            root,
        )
        assert row["rule_set_version"] == "rulebook-v1"
    assert {r["inmate_id"]: r["adjustments"] for r in body}["P1001"] == -2.5


def test_csv_has_the_documented_header_and_the_same_rows(site: Site) -> None:
    """The CSV (UTF-8 with BOM) reads back to exactly the export rows, Chinese names intact."""
    rows = _rows(site)
    text = exports.to_csv(rows, lang="en").decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text)))
    assert list(read[0]) == list(exports.COLUMNS)
    # the details are written as text ("" here: none in force), labor_assessed as true/false, the rest as is
    texts = {"adjustment_detail": "", "deduction_detail": "", "labor_assessed": "true"}
    assert [{k: texts.get(k, str(v)) for k, v in r.items()} for r in rows] == read
    assert all(r["name"] for r in read)


def test_files_speak_chinese_by_default_and_the_sheet_is_formatted(site: Site) -> None:
    """By default the header row is in Chinese (罪犯编号, 劳动分 …) and the approval state reads 未审批,
    in the CSV and the XLSX; the XLSX has a bold frozen header with a filter, points shown with
    one decimal (27 as 27.0), completion with two, and columns wide enough for their header."""
    rows = _rows(site)
    text = exports.to_csv(rows).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == exports.header_row("zh")
    assert "罪犯编号" in read[0]
    assert "劳动分" in read[0]
    assert all(not any(ch.isascii() and ch.isalpha() for ch in h) for h in read[0])
    state = read[0].index("审批状态")
    assert {r[state] for r in read[1:]} == {"未审批"}
    sheet = load_workbook(io.BytesIO(exports.to_xlsx(rows))).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == exports.header_row("zh")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref
    assert all(c.font.bold for c in sheet[1])
    labor = exports.COLUMNS.index("labor_points") + 1
    pct = exports.COLUMNS.index("completion_pct") + 1
    assert sheet.cell(row=2, column=labor).number_format == "0.0"
    assert sheet.cell(row=2, column=pct).number_format == "0.00"
    for index in range(1, len(exports.COLUMNS) + 1):
        letter = sheet.cell(row=1, column=index).column_letter
        assert sheet.column_dimensions[letter].width >= 10


@pytest.fixture
def api_site(site: Site) -> Iterator[tuple[Site, object]]:

    prepare(site.db)
    prepare(site.db)
    ctx = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    ctx.accounts.create(username="admin", password=PASSWORD, role=Role.ADMIN, display_name="管理员")
    return site, ctx


async def test_the_json_api_needs_a_token_in_force_and_returns_the_export_rows(
    api_site: tuple[Site, object],
) -> None:
    """No token or a wrong one: 401, no rows; the admin's token: an open month is refused (409) unless
    asked for as a draft, then the rows of the files marked draft; revoked: 401."""
    from hub.web.review.assessment import register_assessment

    site, ctx = api_site
    token = exports.create_token("admin", "计分考核数据库", record_act=site.ledger.record_act)
    assert exports.ApiToken.get().token_hash != token
    assert token not in exports.ApiToken.get().token_hash
    async with web_user(ctx, before=lambda: register_assessment(ctx)) as user:  # type: ignore[arg-type]
        client = user.http_client
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token}):
            refused = await client.get("/api/month/2026-10?area=A1", headers=headers)
            assert refused.status_code == 401
            assert "rows" not in refused.text
        auth = {"Authorization": f"Bearer {token}"}
        unlocked = await client.get("/api/month/2026-10?area=A1", headers=auth)
        assert unlocked.status_code == 409
        assert "rows" not in unlocked.text
        good = await client.get("/api/month/2026-10?area=A1&draft=true", headers=auth)
        assert good.status_code == 200
        assert {r["release"] for r in good.json()["rows"]} == {"draft"}
        body = good.json()
        expected = _rows(site)
        assert body["columns"] == list(exports.COLUMNS)
        strip = [{k: v for k, v in r.items() if k != "export_time"} for r in expected]
        assert [{k: v for k, v in r.items() if k != "export_time"} for r in body["rows"]] == strip
        bad = await client.get("/api/month/2026-13", headers={"Authorization": f"Bearer {token}"})
        assert bad.status_code == 400
        everyone = await client.get("/api/month/2026-10?draft=true", headers=auth)
        assert len(everyone.json()["rows"]) == 60
        exports.revoke_token("admin", "计分考核数据库", record_act=site.ledger.record_act)
        gone = await client.get("/api/month/2026-10?area=A1", headers={"Authorization": f"Bearer {token}"})
        assert gone.status_code == 401
    actions = [e.action for e in LedgerEntry.select().where(LedgerEntry.action.startswith("export."))]
    assert actions == ["export.token_create", "export.token_revoke"]


def test_token_names_are_checked(site: Site) -> None:
    """An empty, oversize or repeated token name is refused; no token row is written for it."""
    prepare(site.db)
    for name in ("", " ", "x" * 65):
        with pytest.raises(rules.AssessmentError):
            exports.create_token("admin", name)
    exports.create_token("admin", "db")
    with pytest.raises(rules.AssessmentError):
        exports.create_token("admin", "db")
    assert exports.ApiToken.select().count() == 1
    assert not exports.token_valid("")
    assert not exports.token_valid("x" * 500)


def test_docs_list_every_export_column() -> None:
    """docs/exports.md documents each column the files and the API carry."""
    text = (Path(__file__).parents[3] / "docs" / "exports.md").read_text(encoding="utf-8")
    for column in exports.COLUMNS:
        assert f"`{column}`" in text
    _ = HEAD_A1
