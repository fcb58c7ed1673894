"""The daily sheet (日记载) of one line: what each inmate did that day, for wet signatures.

Pure: `DailySheet` is plain data (`hub.paper.sources.daily_sheet` reads it from the hub) and
`render_daily` lays it out on A4. Pieces are whole, half up, and 超/欠 is the shown done minus the
shown quota, so the three numbers on a row always add up, exactly as on the wall board; the status
word comes from the exact completion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from floorledger.base.pieces import whole_pieces as whole
from hub.paper.canvas import Frame, Sheet
from hub.paper.texts import t

# The wall board's thresholds (hub.web.board.model.status_of): paper and wall say the same word;
# tests/hub/paper checks that they agree.
MET_PCT = 100
NEAR_PCT = 90
FLAGS = ("discrepancy", "dispute", "corrected")


@dataclass(frozen=True, slots=True, kw_only=True)
class DailyRow:
    """One inmate on one step that day; quota, done and completion as the results store them."""

    number: str
    name: str
    step: str
    inmate: str = ""  # the internal id: for links and explanations, never printed
    quota_units: Decimal | None
    done_units: Decimal | None
    completion_pct: Decimal | None
    flags: tuple[str, ...] = ()  # of FLAGS


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """The latest signed checkpoint when the sheet was printed (the board's 今日数据指纹)."""

    root: str  # hex
    tree_size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DailySheet:
    area_name: str
    line_code: str
    line_name: str
    day: date
    rows: tuple[DailyRow, ...]
    checkpoint: Checkpoint | None
    printed_by: str
    printed_at: str
    lang: str = "zh"


def diff(row: DailyRow) -> int | None:
    """Shown done minus shown quota; None when either is missing."""
    if row.quota_units is None or row.done_units is None:
        return None
    return whole(row.done_units) - whole(row.quota_units)


def status(row: DailyRow) -> str:
    """ "met", "near", "behind" or "unknown" (no quota that day), from the exact completion."""
    if row.completion_pct is None:
        return "unknown"
    if row.completion_pct >= MET_PCT:
        return "met"
    return "near" if row.completion_pct >= NEAR_PCT else "behind"


def short_fingerprint(root_hex: str) -> str:
    """The first four groups of four hex digits, as the wall board shows them."""
    clean = root_hex.strip().lower()
    return " ".join(clean[i : i + 4] for i in range(0, min(16, len(clean)), 4))


def cells(row: DailyRow, index: int, lang: str) -> list[str]:
    missing = t("paper.missing", lang)
    d = diff(row)
    return [
        str(index),
        row.number,
        row.name or missing,
        row.step,
        missing if row.quota_units is None else str(whole(row.quota_units)),
        missing if row.done_units is None else str(whole(row.done_units)),
        missing if d is None else (f"+{d}" if d > 0 else str(d)),
        t(f"paper.status.{status(row)}", lang),
        "、".join(t(f"paper.flag.{f}", lang) for f in row.flags),
        "",
    ]


COLUMNS = ("no", "number", "name", "step", "quota", "done", "diff", "status", "flags", "sign")
WIDTHS = (9.0, 22.0, 17.0, 27.0, 15.0, 15.0, 13.0, 12.0, 20.0, 30.0)  # 180 mm between the margins
ALIGN = ("C", "L", "L", "L", "R", "R", "R", "C", "L", "L")


def summary(rows: Sequence[DailyRow], lang: str) -> str:
    states = [status(r) for r in rows]
    return t(
        "paper.daily.summary",
        lang,
        rows=len(rows),
        people=len({r.number for r in rows}),
        met=states.count("met"),
        near=states.count("near"),
        behind=states.count("behind"),
    )


def render_daily(sheet: DailySheet) -> bytes:
    """The sheet as an A4 PDF: one ruled row per inmate and step (tall enough to sign in), the
    summary, the officer's signature line and the day's data fingerprint."""
    lang = sheet.lang
    frame = Frame(
        title=t("paper.daily.title", lang),
        subtitle=t(
            "paper.daily.subtitle",
            lang,
            area=sheet.area_name,
            line=sheet.line_name,
            code=sheet.line_code,
            day=sheet.day.isoformat(),
        ),
        printed_by=sheet.printed_by,
        printed_at=sheet.printed_at,
        lang=lang,
    )
    pdf = Sheet(frame)
    pdf.grid(
        [t(f"paper.daily.col.{c}", lang) for c in COLUMNS],
        [cells(row, i, lang) for i, row in enumerate(sheet.rows, start=1)],
        WIDTHS,
        ALIGN,
        line_height=8,  # room for a handwritten signature
    )
    pdf.ln(2)
    pdf.text_line(summary(sheet.rows, lang))
    pdf.text_line(t("paper.daily.note", lang), size=8)
    pdf.ln(4)
    pdf.signature(t("paper.sign.officer", lang), t("paper.sign.date", lang))
    pdf.ln(4)
    if sheet.checkpoint is None:
        pdf.text_line(t("paper.fingerprint.none", lang), size=9)
    else:
        point = sheet.checkpoint
        pdf.text_line(
            t(
                "paper.fingerprint",
                lang,
                short=short_fingerprint(point.root),
                size=point.tree_size,
                root=point.root,
            ),
            size=8,
        )
        pdf.text_line(t("paper.fingerprint.check", lang), size=8)
    return pdf.pdf_bytes()
