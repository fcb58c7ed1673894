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
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from hub.engine.exact import shown
from hub.ledger.checkpoints import latest_checkpoint
from hub.review.rules import AssessmentError, MonthView
from hub.store.db import write_transaction
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
    "base_points",
    "bonus_points",
    "adjustments",
    "labor_points",
    "rule_set_version",
    "approval_state",
    "export_time",
    "checkpoint_root",
)
NUMERIC = frozenset(
    {"workdays", "days_met", "completion_pct", "base_points", "bonus_points", "adjustments", "labor_points"}
)


def export_rows(view: MonthView, *, export_time: datetime, checkpoint_root: str) -> list[dict[str, Any]]:
    """The rows of an area's month, in `COLUMNS` order; numbers as rounded decimal text (None: no quota)."""
    out: list[dict[str, Any]] = []
    stamp = export_time.isoformat(timespec="seconds")
    for row in view.rows:
        score = row.score
        pct = score.completion_pct
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
                "base_points": shown(score.base_points, 1),
                "bonus_points": shown(score.bonus_points, 1),
                "adjustments": shown(score.adjust_points, 1),
                "labor_points": shown(score.labor_points, 1),
                "rule_set_version": view.rule_set.version,
                "approval_state": view.state,
                "export_time": stamp,
                "checkpoint_root": checkpoint_root,
            }
        )
    return out


def latest_root() -> str:
    """The latest signed checkpoint's root (hex), or "" before the first checkpoint."""
    found = latest_checkpoint()
    return "" if found is None else str(found.root)


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]]) -> bytes:
    """One sheet, a header row of `COLUMNS`; numeric columns as numbers (Decimal, exact as rounded)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "labor"
    sheet.append(list(COLUMNS))
    for row in rows:
        cells: list[Any] = []
        for column in COLUMNS:
            value = row[column]
            if column in NUMERIC and isinstance(value, str):
                value = Decimal(value)
            cells.append(value)
        sheet.append(cells)
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
