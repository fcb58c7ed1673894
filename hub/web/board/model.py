"""What the wall board shows, as plain data, and the pure rules that turn numbers into cells.

No NiceGUI and no database here: `hub.web.board.page` renders a `BoardSnapshot` and `hub.web.board.source`
builds one from the hub's tables. Keeping the formatting pure lets the tests check privacy masking,
status words and paging from tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from floorledger.base import pieces

Number = Fraction | Decimal | int | float

MISSING = "—"
NEAR_PCT = 90  # from 90 % up to the quota a row reads "nearly met" (≈ 接近)


class Privacy(StrEnum):
    FULL = "full"
    MASKED = "masked"
    NUMBER_ONLY = "number_only"


class Status(StrEnum):
    MET = "met"
    NEAR = "near"
    BEHIND = "behind"
    UNKNOWN = "unknown"
    EXEMPT = "exempt"  # rule book v2: exempt from labor that day (免考核), owes nothing
    GRADED = "graded"  # rule book v2: a rated post's day with its grade
    UNGRADED = "ungraded"  # a rated post's day still without a grade (待评)


class RowKind(StrEnum):
    """What a board row stands for: counted units (rule book v1 and v2), a rated post's day, or an
    inmate exempt from labor that day (both rule book v2)."""

    COUNTED = "counted"
    RATED = "rated"
    EXEMPT = "exempt"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardRow:
    """One inmate's line on the board; any field may be missing (shown as "—", never an error)."""

    number: str
    name: str | None = None
    line: str | None = None
    step: str | None = None
    quota_units: Number | None = None
    done_units: Number | None = None
    completion_pct: Number | None = None
    month_pct: Number | None = None
    kind: RowKind = RowKind.COUNTED
    grade: str | None = None  # a rated day's grade (A B C D by default), None while missing
    training: bool = False  # a training period (培训期): `quota_units` is the training quota

    @property
    def diff(self) -> int | None:
        """Whole pieces done minus whole pieces owed, as both are shown: the three numbers on a row
        always add up (387.9 − 303.2 shows as 388 − 303 = +85, never +84.8). Only a counted row
        has pieces: a rated or exempt one owes none."""
        if self.kind is not RowKind.COUNTED or self.quota_units is None or self.done_units is None:
            return None
        return whole_pieces(self.done_units) - whole_pieces(self.quota_units)


@dataclass(frozen=True, slots=True, kw_only=True)
class LineProgress:
    """Today's live progress of one line, for the strip under the title."""

    line: str
    line_name: str
    quota_units: Number | None
    done_units: Number | None
    people: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedRow:
    """One inmate's weekly review result as officers published it (公示).

    A week may span several steps, whose pieces cannot be added: the board shows the week in
    standard hours (quota and earned), which do add up, and the completion rate over them."""

    number: str
    name: str | None
    days: int | None = None
    quota_hours: Number | None = None
    earned_hours: Number | None = None
    completion_pct: Number | None = None
    points: Number | None = None  # a published month's labor points


@dataclass(frozen=True, slots=True, kw_only=True)
class Published:
    """A weekly review (`kind` week, `title` 2026-W44) or a monthly result (`kind` month, `title`
    2026-10) published to the board until (and including) `until`."""

    title: str
    until: date
    rows: tuple[PublishedRow, ...] = ()
    kind: str = "week"


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardSnapshot:
    """Everything one board screen shows at one moment."""

    area_name: str
    line_name: str | None  # None when the board shows a whole area
    day: date  # the day whose records are shown (yesterday by default)
    rows: tuple[BoardRow, ...]
    today: tuple[LineProgress, ...] = ()
    fingerprint: str | None = None  # the latest signed checkpoint's root, hex
    published: tuple[Published, ...] = field(default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardSettings:
    """How boards look on this site (from the hub config)."""

    privacy: Privacy = Privacy.MASKED
    seconds_per_page: float = 10.0
    # 8 rows fill a 1080p panel with row text of about 52 px, legible at 5 m (≈ 33 mm on a 55" panel)
    rows_per_page: int = 8
    poll_seconds: float = 5.0  # reload even without a change notice, so a failed source is retried
    language: str = "zh"


# --- cell rules --------------------------------------------------------------------------------------


def display_name(number: str, name: str | None, privacy: Privacy) -> str:
    """The name as the site's privacy setting allows: full, masked as 张* (first character), or none."""
    if privacy is Privacy.NUMBER_ONLY:
        return number
    if not name or not name.strip():
        return MISSING
    name = name.strip()
    if privacy is Privacy.MASKED:
        return name[0] + "*"
    return name


def to_decimal(value: Number) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def fmt_number(value: Number | None, *, places: int = 1, signed: bool = False) -> str:
    """Half-up to `places` decimals, trailing ".0" dropped; "—" for missing or non-finite values."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    rounded = to_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if signed and rounded > 0:
        text = "+" + text
    return text


def whole_pieces(value: Number) -> int:
    """A piece count as the floor reads it: whole pieces, half up (`floorledger.base.pieces`, the
    kiosk's rule too)."""
    return pieces.whole_pieces(to_decimal(value))


def fmt_pieces(value: Number | None, *, signed: bool = False) -> str:
    """Whole pieces, "—" when missing; `signed` puts "+" before a positive difference."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    pieces = value if isinstance(value, int) else whole_pieces(value)
    return f"+{pieces}" if signed and pieces > 0 else str(pieces)


def fmt_pct(value: Number | None) -> str:
    text = fmt_number(value, places=0)
    return MISSING if text == MISSING else text + "%"


def row_status(row: BoardRow) -> Status:
    """The status word of a row: an exempt inmate never reads as owing, a rated day reads its grade
    (or 待评 until given), a counted day its completion."""
    if row.kind is RowKind.EXEMPT:
        return Status.EXEMPT
    if row.kind is RowKind.RATED:
        return Status.UNGRADED if row.grade is None else Status.GRADED
    return status_of(row.completion_pct)


def owed_cells(row: BoardRow) -> tuple[str, str, str]:
    """The quota, done and +/- cells of a row: pieces for a counted day; for a rated day no pieces,
    the grade in the done column; for an exempt inmate nothing at all (blank, not "—": nothing is
    missing, nothing is owed). The page puts the 免考核 word in the status column."""
    if row.kind is RowKind.EXEMPT:
        return "", "", ""
    if row.kind is RowKind.RATED:
        return MISSING, row.grade or MISSING, ""
    return fmt_pieces(row.quota_units), fmt_pieces(row.done_units), fmt_pieces(row.diff, signed=True)


def status_of(completion_pct: Number | None) -> Status:
    if completion_pct is None:
        return Status.UNKNOWN
    pct = to_decimal(completion_pct)
    if pct >= 100:
        return Status.MET
    if pct >= NEAR_PCT:
        return Status.NEAR
    return Status.BEHIND


def page_count(rows: int, per_page: int) -> int:
    return max(1, math.ceil(rows / max(1, per_page)))


def page_rows(rows: Sequence[BoardRow], page: int, per_page: int) -> Sequence[BoardRow]:
    """Rows of 1-based `page`; a page past the end wraps around (the board cycles for ever)."""
    pages = page_count(len(rows), per_page)
    index = (page - 1) % pages
    return rows[index * per_page : (index + 1) * per_page]


def short_fingerprint(root_hex: str | None) -> str:
    """The first four groups of four hex digits, e.g. "3f2a 9c01 77de 0b45"."""
    if not root_hex:
        return MISSING
    clean = root_hex.strip().lower()
    return " ".join(clean[i : i + 4] for i in range(0, min(16, len(clean)), 4))
