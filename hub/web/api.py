"""The hub's HTTP API for other systems: `GET /api/month/{month}?area=A1` with a bearer token.

The web layer owns the route (NiceGUI's FastAPI app); the rows and the tokens are the review's
(`hub.review.exports`), the same rows as the CSV and XLSX exports (docs/exports.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Header, HTTPException
from nicegui import app

from hub.engine.model import Month
from hub.review.exports import (
    COLUMNS,
    adjustment_items,
    export_rows,
    latest_root,
    require_release,
    token_valid,
)
from hub.review.monthly import Assessment
from hub.review.rules import AssessmentError


def register_api(make_assessment: Callable[[], Assessment], now: Callable[[], datetime]) -> None:
    """Mount `GET /api/month/{month}?area=A1` (bearer token) on NiceGUI's FastAPI app.

    401 without a token in force, 400 for a bad month or area, 409 for an area whose month is not
    locked unless `draft=true` (then its rows say `"release": "draft"`), else `{"columns": [...],
    "rows": [...]}` with the same rows as the CSV and XLSX (all areas when `area` is not given).
    """

    @app.get("/api/month/{month}")
    def month_api(
        month: str, area: str = "", draft: bool = False, authorization: str = Header(default="")
    ) -> dict[str, Any]:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token_valid(token.strip()):
            raise HTTPException(status_code=401, detail="a valid bearer token is required")
        assessment = make_assessment()
        try:
            parsed = Month.parse(month)
            areas = [area] if area else list(assessment.areas())
            if area and area not in assessment.areas():
                raise AssessmentError("no_area", "no such area")
        except (ValueError, AssessmentError) as err:
            raise HTTPException(status_code=400, detail=str(err)) from err
        root, stamp = latest_root(), now()
        rows: list[dict[str, Any]] = []
        for code in areas:
            view = assessment.month_view(parsed, code)
            try:
                require_release(view, draft=draft)
            except AssessmentError as err:
                raise HTTPException(status_code=409, detail=str(err)) from err
            items = adjustment_items(str(parsed), code, stamp.tzinfo)
            rows.extend(export_rows(view, export_time=stamp, checkpoint_root=root, adjustments=items))
        return {"columns": list(COLUMNS), "rows": rows}
