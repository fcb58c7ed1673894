"""Exports of the monthly assessment for the prison's scoring database (计分考核数据库).

One row shape (`COLUMNS`, documented in docs/exports.md) in three forms: CSV (UTF-8 with a BOM so
spreadsheet programs read the Chinese names), XLSX (openpyxl; numbers as numbers) and JSON from
`GET /api/month/{month}?area=...` with `Authorization: Bearer <token>` (the route is the web
layer's, `hub.web.api`; the rows and the tokens are here). Numbers are the engine's,
rounded half up exactly as the rule book says (`hub.engine.exact.shown`): points to 0.1,
completion to 0.01 %. API tokens are created by an admin; only their SHA-256 is stored.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from hub.config import ConfigError, ExportConfig
from hub.engine.exact import decimal_text, shown
from hub.engine.model import DailyRecord
from hub.ledger.checkpoints import latest_checkpoint
from hub.review.rules import AssessmentError, MonthView
from hub.store.db import write_transaction
from hub.store.review import Adjustment
from hub.store.web import TOKEN_NAME_MAX, ApiToken

COLUMNS: tuple[str, ...] = (
    "inmate_id",
    "number",
    "name",
    "area",
    "month",
    "workdays",
    "days_met",
    "completion_pct",
    "labor_assessed",
    "base_points",
    "bonus_points",
    "additions_points",
    "adjustments",
    "adjustment_detail",
    "deduct_points",
    "deduction_detail",
    "labor_points",
    "rule_set_version",
    "approval_state",
    "release",
    "export_time",
    "checkpoint_root",
)
# On request only (`--daily-detail`, the page's box, `export.daily_detail`): each inmate's day rows.
DAILY = "daily_detail"
KNOWN: tuple[str, ...] = (*COLUMNS, DAILY)
NUMERIC = frozenset(
    {
        "workdays",
        "days_met",
        "completion_pct",
        "base_points",
        "bonus_points",
        "additions_points",
        "adjustments",
        "deduct_points",
        "labor_points",
    }
)
# Header rows and the approval state in the officer's language: Chinese labels by default; "en"
# gives the column codes themselves (stable names for a program that reads the file).
HEADERS: dict[str, str] = {
    "inmate_id": "内部编号",
    "number": "罪犯编号",
    "name": "姓名",
    "area": "监区",
    "month": "月份",
    "workdays": "考核日数",
    "days_met": "达标日数",
    "completion_pct": "完成率(%)",
    "labor_assessed": "劳动部分考核",
    "base_points": "基础分",
    "bonus_points": "超产奖励分",
    "additions_points": "加分(封顶后)",
    "adjustments": "加扣分",
    "adjustment_detail": "加扣分明细",
    "deduct_points": "扣分",
    "deduction_detail": "扣分明细",
    "labor_points": "劳动分",
    "rule_set_version": "规则版本",
    "approval_state": "审批状态",
    "release": "发布状态",
    "export_time": "导出时间",
    "checkpoint_root": "数据指纹",
    "daily_detail": "日明细",
}
STATES: dict[str, str] = {
    "open": "未审批",
    "line_officer": "分监区民警已审",
    "area_head": "监区长已审",
    "locked": "劳改科已审,已锁定",
}
# XLSX: number formats by column (points to 0.1, completion to 0.01, counts whole) and widths in
# characters, so the sheet opens readable and 27 shows as 27.0.
FORMATS: dict[str, str] = {
    "workdays": "0",
    "days_met": "0",
    "completion_pct": "0.00",
    "base_points": "0.0",
    "bonus_points": "0.0",
    "additions_points": "0.0",
    "adjustments": "+0.0;-0.0;0.0",
    "deduct_points": "0.0",
    "labor_points": "0.0",
}
WIDTHS: dict[str, int] = {
    "name": 10,
    "adjustment_detail": 40,
    "deduction_detail": 40,
    "rule_set_version": 22,
    "export_time": 26,
    "checkpoint_root": 66,
    "daily_detail": 60,
}
RELEASES = {"final": "正式", "draft": "草稿/未审批"}
ASSESSED = {True: "是", False: "否(丧失劳动能力)"}
# Deduction categories of the default rule set in Chinese (a site's own category keeps its code).
CATEGORIES = {"quality": "质量", "safety": "安全生产", "discipline": "劳动纪律", "equipment": "设备工具"}


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustmentItem:
    """One adjustment in force on an exported row: points, reason, the day it was entered, by whom."""

    points: str
    reason: str
    day: str
    by: str

    def text(self) -> str:
        sign = "" if self.points.startswith("-") else "+"
        return f"{sign}{self.points} {self.reason} ({self.day} {self.by})"


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """Which columns a file has, in which order, under which headers, and the CSV's encoding: the
    receiving scoring database's mapping (`[export]` in hub.toml). The default is `COLUMNS` under
    our headers in UTF-8 with a BOM; `daily_detail` is added (last, unless placed) on request."""

    columns: tuple[str, ...] = COLUMNS
    names: Mapping[str, str] | None = None  # column code -> the receiver's header (both languages)
    encoding: str = "utf-8-sig"

    def with_daily(self, daily: bool) -> Layout:
        """This layout with the daily detail (last, unless placed) or without it."""
        if daily and DAILY not in self.columns:
            return Layout(columns=(*self.columns, DAILY), names=self.names, encoding=self.encoding)
        if not daily and DAILY in self.columns:
            kept = tuple(c for c in self.columns if c != DAILY)
            return Layout(columns=kept, names=self.names, encoding=self.encoding)
        return self

    def header(self, column: str, lang: str) -> str:
        named = (self.names or {}).get(column)
        if named is not None:
            return named
        return HEADERS[column] if lang == "zh" else column


DEFAULT_LAYOUT = Layout()


def layout(config: ExportConfig) -> Layout:
    """The layout `config` asks for; `ConfigError` naming the key of an unknown column code (the hub
    and `floorledger export` call this as they start, so a bad mapping stops them with one line)."""
    for n, code in enumerate(config.columns or ()):
        if code not in KNOWN:
            raise ConfigError(f"export.columns[{n}]: unknown column {code!r} (known: {', '.join(KNOWN)})")
    for code, _ in config.names:
        if code not in KNOWN:
            raise ConfigError(f"export.names.{code}: unknown column {code!r} (known: {', '.join(KNOWN)})")
    columns = config.columns or COLUMNS
    for code, _ in config.names:
        if code not in columns and code != DAILY:
            raise ConfigError(f"export.names.{code}: column {code!r} is not in export.columns")
    return Layout(columns=columns, names=dict(config.names) or None, encoding=config.encoding)


@dataclass(frozen=True, slots=True, kw_only=True)
class DayItem:
    """One of an inmate's day rows (日明细): the step worked, quota, done, over (+) or owed (-) in
    whole pieces as the board shows them (one decimal), and the completion."""

    day: str
    line: str
    product: str
    step: str
    quota: str
    done: str
    diff: str
    completion_pct: str | None

    def text(self) -> str:
        pct = "-" if self.completion_pct is None else f"{self.completion_pct}%"
        diff = self.diff if self.diff.startswith("-") else f"+{self.diff}"
        return f"{self.day} {self.line} {self.product}/{self.step} {self.quota}/{self.done} ({diff}) {pct}"


def day_items(daily: Sequence[DailyRecord]) -> dict[str, list[DayItem]]:
    """The engine's day records of a month, by inmate, by day (the month's own computation, so the
    day rows add up to the month's row)."""
    out: dict[str, list[DayItem]] = {}
    for r in sorted(daily, key=lambda r: (r.inmate, r.day, r.line, r.product, r.step)):
        pct = r.completion_pct
        out.setdefault(r.inmate, []).append(
            DayItem(
                day=r.day.isoformat(),
                line=r.line,
                product=r.product,
                step=r.step,
                quota=shown(r.quota_units, 1),
                done=shown(r.done_units, 1),
                diff=shown(r.diff_units, 1),
                completion_pct=None if pct is None else shown(pct, 2),
            )
        )
    return out


def release_of(view: MonthView) -> str:
    """ "final" for a month the labor section has locked; "draft" for any other."""
    return "final" if view.state == "locked" else "draft"


def require_release(view: MonthView, *, draft: bool) -> str:
    """The release of an export of `view`: an unlocked month is exported only as an explicit draft."""
    release = release_of(view)
    if release == "draft" and not draft:
        raise AssessmentError(
            "not_locked", f"{view.month} of {view.area} is not approved and locked: export it as a draft"
        )
    return release


def adjustment_items(month: str, area: str, zone: tzinfo | None) -> dict[str, list[AdjustmentItem]]:
    """The adjustments in force of an area's month, by inmate, oldest first."""
    out: dict[str, list[AdjustmentItem]] = {}
    query = Adjustment.select().where(
        (Adjustment.month == month) & (Adjustment.area == area) & Adjustment.voided_ms.is_null()
    )
    for a in query.order_by(Adjustment.id):
        day = datetime.fromtimestamp(a.created_ms / 1000, zone).date().isoformat()
        out.setdefault(a.inmate, []).append(
            AdjustmentItem(points=a.points, reason=a.reason, day=day, by=a.created_by)
        )
    return out


def deduction_text(item: Mapping[str, Any], lang: str) -> str:
    """One deduction as the files write it: `安全生产 -4 未戴护目镜 (2026-10-09)`."""
    category = str(item["category"])
    if lang == "zh":
        category = CATEGORIES.get(category, category)
    return f"{category} -{item['points']} {item['reason']} ({item['day']})"


def header_row(lang: str = "zh", layout: Layout = DEFAULT_LAYOUT) -> list[str]:
    """The header of the CSV and XLSX files in `lang` ("zh": Chinese labels, "en": column codes),
    the receiver's names where the layout gives them."""
    return [layout.header(c, lang) for c in layout.columns]


def _cell(row: dict[str, Any], column: str, lang: str) -> Any:
    value = row[column]
    if column in ("adjustment_detail", "deduction_detail", DAILY) and isinstance(value, str):
        return value  # a detail already written as text
    if column == DAILY:
        return "；".join(DayItem(**item).text() for item in value or ())
    if column == "adjustment_detail":
        return "；".join(AdjustmentItem(**item).text() for item in value)
    if column == "deduction_detail":
        return "；".join(deduction_text(item, lang) for item in value)
    if column == "labor_assessed":
        return ASSESSED[bool(value)] if lang == "zh" else ("true" if value else "false")
    if column == "approval_state" and lang == "zh":
        return STATES.get(str(value), value)
    if column == "release" and lang == "zh":
        return RELEASES.get(str(value), value)
    return value


def file_name(view: MonthView, kind: str) -> str:
    """`labor-A1-2026-10.csv`; a draft says so in its name: `labor-A1-2026-10-草稿.csv`."""
    draft = "-草稿" if release_of(view) == "draft" else ""
    return f"labor-{view.area}-{view.month}{draft}.{kind}"


def export_rows(
    view: MonthView,
    *,
    export_time: datetime,
    checkpoint_root: str,
    adjustments: Mapping[str, Sequence[AdjustmentItem]] | None = None,
    days: Mapping[str, Sequence[DayItem]] | None = None,
) -> list[dict[str, Any]]:
    """The rows of an area's month, in `COLUMNS` order; numbers as rounded decimal text (None: no quota).
    `adjustment_detail` is the list of each inmate's adjustments in force (the files write it as
    text: `-2.5 安全扣分 (2026-10-12 line1)`, separated by "；"). With `days` (on request), each row
    also carries `daily_detail`, the inmate's day rows (`DayItem`)."""
    out: list[dict[str, Any]] = []
    stamp = export_time.isoformat(timespec="seconds")
    release = release_of(view)
    items = adjustments or {}
    for row in view.rows:
        score = row.score
        pct = score.completion_pct
        assessed = score.labor_assessed  # False: exempt all month, no labor points (null in every form)
        out.append(
            {
                "inmate_id": row.inmate,
                "number": row.number,
                "name": row.name,
                "area": row.area,
                "month": str(view.month),
                "workdays": score.workdays,
                "days_met": score.days_met,
                "completion_pct": None if pct is None else shown(pct, 2),
                "labor_assessed": assessed,
                "base_points": shown(score.base_points, 1) if assessed else None,
                "bonus_points": shown(score.bonus_points, 1) if assessed else None,
                "additions_points": shown(score.additions_points, 1) if assessed else None,
                "adjustments": shown(score.adjust_points, 1),
                "adjustment_detail": [
                    {"points": a.points, "reason": a.reason, "day": a.day, "by": a.by}
                    for a in items.get(row.inmate, ())
                ],
                "deduct_points": shown(score.deduct_points, 1),
                "deduction_detail": [
                    {
                        "category": d.category,
                        "points": decimal_text(d.points),
                        "day": d.day.isoformat(),
                        "reason": d.reason,
                    }
                    for d in score.deductions
                ],
                "labor_points": shown(score.labor_points, 1) if assessed else None,
                "rule_set_version": view.rule_set.version,
                "approval_state": view.state,
                "release": release,
                "export_time": stamp,
                "checkpoint_root": checkpoint_root,
            }
        )
        if days is not None:
            out[-1][DAILY] = [
                {
                    "day": d.day,
                    "line": d.line,
                    "product": d.product,
                    "step": d.step,
                    "quota": d.quota,
                    "done": d.done,
                    "diff": d.diff,
                    "completion_pct": d.completion_pct,
                }
                for d in days.get(row.inmate, ())
            ]
    return out


def latest_root() -> str:
    """The latest signed checkpoint's root (hex), or "" before the first checkpoint."""
    found = latest_checkpoint()
    return "" if found is None else str(found.root)


def to_csv(rows: Sequence[dict[str, Any]], *, lang: str = "zh", layout: Layout = DEFAULT_LAYOUT) -> bytes:
    """CRLF lines, one header row, in the layout's encoding (default UTF-8 with a BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header_row(lang, layout))
    for row in rows:
        writer.writerow(["" if row.get(c) is None else _cell(row, c, lang) for c in layout.columns])
    return buffer.getvalue().encode(layout.encoding)


def to_json(rows: Sequence[dict[str, Any]], *, layout: Layout = DEFAULT_LAYOUT) -> bytes:
    """`{"columns": [...], "rows": [{column: value}]}` (UTF-8): the layout's columns in its order,
    keyed by the receiver's names where it gives them, else by the codes (as the JSON endpoint)."""
    names = [layout.header(c, "en") for c in layout.columns]
    body = {
        "columns": names,
        "rows": [{n: row.get(c) for n, c in zip(names, layout.columns, strict=True)} for row in rows],
    }
    return (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]], *, lang: str = "zh", layout: Layout = DEFAULT_LAYOUT) -> bytes:
    """One sheet, a bold frozen header row with a filter; numeric columns as numbers (Decimal, exact
    as rounded) with their number formats; columns wide enough for their content."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "劳动考核" if lang == "zh" else "labor"
    headers = header_row(lang, layout)
    sheet.append(headers)
    for row in rows:
        cells: list[Any] = []
        for column in layout.columns:
            value = None if row.get(column) is None else _cell(row, column, lang)
            if column in NUMERIC and isinstance(value, str):
                value = Decimal(value)
            cells.append(value)
        sheet.append(cells)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(layout.columns, start=1):
        letter = get_column_letter(index)
        header = headers[index - 1]
        # a CJK character is about two columns wide
        wanted = max(WIDTHS.get(column, 10), sum(2 if ord(ch) > 0x2E80 else 1 for ch in header) + 2)
        sheet.column_dimensions[letter].width = wanted
        number_format = FORMATS.get(column)
        if number_format is not None:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- API tokens --------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    actor: str, name: str, *, record_act: Callable[[str, str, str, dict[str, Any]], None] | None = None
) -> str:
    """A new token named `name`; returns the token itself (only its hash is kept)."""
    text = name.strip()
    if not text or len(text) > TOKEN_NAME_MAX:
        raise AssessmentError("bad_token_name", f"a token name of 1 to {TOKEN_NAME_MAX} characters")
    token = secrets.token_urlsafe(32)
    with write_transaction(ApiToken._meta.database):
        if ApiToken.get_or_none(ApiToken.name == text) is not None:
            raise AssessmentError("token_exists", "a token with this name exists")
        ApiToken.create(
            name=text, token_hash=_hash(token), created_by=actor, created_ms=time.time_ns() // 1_000_000
        )
        if record_act is not None:
            record_act(actor, "export.token_create", f"export-token:{text}", {"name": text})
    return token


def revoke_token(
    actor: str, name: str, *, record_act: Callable[[str, str, str, dict[str, Any]], None] | None = None
) -> None:
    with write_transaction(ApiToken._meta.database):
        changed = (
            ApiToken.update(revoked_ms=time.time_ns() // 1_000_000)
            .where((ApiToken.name == name) & ApiToken.revoked_ms.is_null())
            .execute()
        )
        if not changed:
            raise AssessmentError("no_token", "no such token in force")
        if record_act is not None:
            record_act(actor, "export.token_revoke", f"export-token:{name}", {"name": name})


def token_valid(token: str) -> bool:
    """Whether `token` is a token in force; compared by hash in constant time."""
    if not token or len(token) > 200:
        return False
    digest = _hash(token)
    for row in ApiToken.select().where(ApiToken.revoked_ms.is_null()):
        if hmac.compare_digest(row.token_hash, digest):
            return True
    return False


def tokens() -> list[ApiToken]:
    return list(ApiToken.select().order_by(ApiToken.id))
