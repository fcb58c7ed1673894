"""One export file with its signature, made the same way by the dashboard, `floorledger export` and
the push: the rows of a month view, rendered in a layout (columns, names, encoding), the daily detail
on request, and the hub's detached signature (`hub.review.export_signature`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from hub.review import export_signature, exports
from hub.review.monthly import Assessment
from hub.review.rules import MonthView
from protocol.signing import Signer

KINDS = ("csv", "xlsx", "json")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportFile:
    name: str
    data: bytes
    signature: bytes | None  # None only where no hub key is at hand (a page mounted without the hub)
    month: str
    area: str
    release: str
    rows: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def act(self, **more: Any) -> dict[str, Any]:
        """The `export.file` ledger act's payload: what left the hub."""
        return {"file": self.name, "sha256": self.sha256, "release": self.release, "rows": self.rows, **more}


def render(rows: list[dict[str, Any]], kind: str, lang: str, layout: exports.Layout) -> bytes:
    if kind == "csv":
        return exports.to_csv(rows, lang=lang, layout=layout)
    if kind == "xlsx":
        return exports.to_xlsx(rows, lang=lang, layout=layout)
    return exports.to_json(rows, layout=layout)


def make_export(
    assessment: Assessment,
    view: MonthView,
    *,
    release: str,
    kind: str,
    lang: str,
    layout: exports.Layout,
    daily: bool,
    export_time: datetime,
    zone: tzinfo,
    signer: Signer | None,
    signed_ms: int,
    name: str | None = None,
) -> ExportFile:
    """The file of `view`'s rows (already scoped to the reader), signed as `release`. `daily` (or a
    layout that places `daily_detail`) adds each inmate's day rows, from the month's own computation."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    days = None
    if daily or exports.DAILY in layout.columns:
        result, _ = assessment.month_result(view.month)
        days = exports.day_items(result.daily)
    rows = exports.export_rows(
        view,
        export_time=export_time,
        checkpoint_root=exports.latest_root(),
        adjustments=exports.adjustment_items(str(view.month), view.area, zone),
        days=days,
    )
    data = render(rows, kind, lang, layout.with_daily(days is not None))
    name = name or exports.file_name(view, kind)
    signature = None
    if signer is not None:
        signature = export_signature.sign(
            data, name=name, month=str(view.month), area=view.area, release=release, signed_ms=signed_ms,
            signer=signer,
        )  # fmt: skip
    return ExportFile(
        name=name,
        data=data,
        signature=signature,
        month=str(view.month),
        area=view.area,
        release=release,
        rows=len(rows),
    )
