"""Checking what officers type or upload as master data: single fields and whole CSV files (pure).

The dashboard's forms and its CSV import share these checks, so a value refused in a form is refused
the same way on line 7 of a file. Errors carry a text key and values (rendered in the officer's
language from `hub.masterdata.texts`), and CSV errors carry the file's line number, the header
being line 1: "第 3 行: 标准工时必须大于 0".

Nothing here touches the database: what a file is checked against (existing inmates, areas, steps)
is passed in, and a file is accepted only when every line is valid (`CsvResult.ok`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from floorledger.base import i18n
from hub.errors import HubError
from hub.masterdata import texts as texts  # registers the keys raised here
from hub.masterdata.checks import QUOTA_PCT_MAX, QUOTA_PCT_MIN

CODE_MAX = 40  # person codes carry ids of at most 40 characters (protocol/codes.py)
NAME_MAX = 100  # the name columns of hub/store/masterdata.py
REASON_MAX = 200
SECONDS_MAX = Decimal(86_400)
SHIFT_MINUTES_MAX = Decimal(1_440)
MAX_ROWS = 5_000
MAX_FILE_BYTES = 1_000_000

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldError(HubError):
    """A value an officer entered is not acceptable; `text(lang)` says why in their language.

    Values that are text keys themselves (a field's name, `md.f.*`) are shown in that language too.
    """

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        values = {
            k: i18n.t(v, lang) if isinstance(v, str) and v.startswith("md.") else v
            for k, v in self.values.items()
        }
        return i18n.t(self.key, lang, **values)


# --- single fields ----------------------------------------------------------------------------------


def code(value: str | None, label: str) -> str:
    """An id or code (inmate, line, product, step, badge): 1-40 of letters, digits, `.`, `_`, `-`."""
    text = (value or "").strip()
    if not text:
        raise FieldError("md.err.required", field=label)
    if len(text) > CODE_MAX:
        raise FieldError("md.err.too_long", field=label, max=CODE_MAX)
    if not _CODE.fullmatch(text):
        raise FieldError("md.err.code", field=label)
    return text


def name(value: str | None, label: str, *, max_len: int = NAME_MAX) -> str:
    """A name as typed (shown as text, never as HTML): required, bounded, no control characters."""
    text = (value or "").strip()
    if not text:
        raise FieldError("md.err.required", field=label)
    if len(text) > max_len:
        raise FieldError("md.err.too_long", field=label, max=max_len)
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text):
        raise FieldError("md.err.control", field=label)
    return text


def reason(value: str | None) -> str:
    """The reason a change needs (standard times, quota levels)."""
    return name(value, "md.f.reason", max_len=REASON_MAX)


def day(value: str | None, label: str) -> str:
    """A date written exactly YYYY-MM-DD (Python would also take 20250101; an officer should not)."""
    text = (value or "").strip()
    if not text:
        raise FieldError("md.err.required", field=label)
    if not _DATE.fullmatch(text):
        raise FieldError("md.err.date", field=label, value=text[:20])
    try:
        date.fromisoformat(text)
    except ValueError:
        raise FieldError("md.err.date", field=label, value=text) from None
    return text


def _decimal(value: str | None, label: str) -> Decimal:
    text = (value or "").strip()
    if not text:
        raise FieldError("md.err.required", field=label)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldError("md.err.number", field=label) from None
    if not number.is_finite():
        raise FieldError("md.err.number", field=label)
    return number


def standard_seconds(value: str | None) -> str:
    """Standard seconds per unit: more than 0, at most a day."""
    number = _decimal(value, "md.f.seconds")
    if number <= 0:
        raise FieldError("md.err.seconds_positive")
    if number > SECONDS_MAX:
        raise FieldError("md.err.range", field="md.f.seconds", low=0, high=SECONDS_MAX)
    return str(value).strip()


def shift_minutes(value: str | None) -> str:
    number = _decimal(value, "md.f.shift")
    if number <= 0 or number > SHIFT_MINUTES_MAX:
        raise FieldError("md.err.range", field="md.f.shift", low=0, high=SHIFT_MINUTES_MAX)
    return str(value).strip()


def quota_pct(value: str | None) -> str:
    """A personal quota level in percent, 0 to 200."""
    number = _decimal(value, "md.f.quota_pct")
    if number < QUOTA_PCT_MIN or number > QUOTA_PCT_MAX:
        raise FieldError("md.err.range", field="md.f.quota_pct", low=QUOTA_PCT_MIN, high=QUOTA_PCT_MAX)
    return str(value).strip()


# --- CSV files --------------------------------------------------------------------------------------

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    error: FieldError

    def text(self, lang: str) -> str:
        return i18n.t("md.csv.line", lang, line=self.line, message=self.error.text(lang))


@dataclass(slots=True)
class CsvResult(Generic[T]):
    """Rows that parsed (with their line numbers) and every error; usable only when `ok`."""

    rows: list[tuple[int, T]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


@dataclass(frozen=True, slots=True, kw_only=True)
class InmateRow:
    id: str
    number: str
    name: str
    quota_pct: str
    area: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StandardTimeRow:
    product: str
    step: str
    seconds: str
    valid_from: str
    reason: str


INMATE_COLUMNS = ("id", "number", "name", "quota_pct", "area")
INMATE_REQUIRED = ("id", "number", "name")
STANDARD_TIME_COLUMNS = ("product", "step", "seconds", "valid_from", "reason")


def _records(
    data: bytes | str, columns: tuple[str, ...], required: tuple[str, ...], result: CsvResult[T]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each data line as column -> text, with its line number; file-level problems go to `result`."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            result.errors.append(RowError(1, FieldError("md.csv.too_big", max=MAX_FILE_BYTES)))
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            result.errors.append(RowError(1, FieldError("md.csv.encoding")))
            return
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.errors.append(RowError(1, FieldError("md.csv.empty")))
        return
    except csv.Error:
        result.errors.append(RowError(1, FieldError("md.csv.broken")))
        return
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h not in columns]
    if missing or unknown or len(set(header)) != len(header):
        result.errors.append(RowError(1, FieldError("md.csv.header", columns=",".join(columns))))
        return
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            result.errors.append(RowError(reader.line_num, FieldError("md.csv.broken")))
            return
        if not any(c.strip() for c in cells):
            continue  # blank lines (often the last one) are not rows
        count += 1
        if count > MAX_ROWS:
            result.errors.append(RowError(reader.line_num, FieldError("md.csv.too_many", max=MAX_ROWS)))
            return
        if len(cells) != len(header):
            result.errors.append(RowError(reader.line_num, FieldError("md.csv.cells", expected=len(header))))
            continue
        yield reader.line_num, dict(zip(header, cells, strict=True))
    if count == 0 and not result.errors:
        result.errors.append(RowError(1, FieldError("md.csv.empty")))


def _collect(result: CsvResult[T], line: int, build: Callable[[], T]) -> T | None:
    try:
        row = build()
    except FieldError as err:
        result.errors.append(RowError(line, err))
        return None
    result.rows.append((line, row))
    return row


def parse_inmates(
    data: bytes | str,
    *,
    existing_ids: Collection[str],
    areas: Collection[str],
    allowed_area: str | None = None,
) -> CsvResult[InmateRow]:
    """Inmates to add: columns id, number, name, quota_pct (default 100), area.

    `allowed_area`: an area head may import only into their own area (None: any known area).
    """
    result: CsvResult[InmateRow] = CsvResult()
    seen: set[str] = set()

    def build(cells: dict[str, str]) -> InmateRow:
        ident = code(cells.get("id"), "md.f.inmate_id")
        if ident in existing_ids:
            raise FieldError("md.err.exists", value=ident)
        if ident in seen:
            raise FieldError("md.csv.duplicate", value=ident)
        area_text = (cells.get("area") or "").strip() or None
        if allowed_area is not None and area_text != allowed_area:
            raise FieldError("md.err.scope_area", area=allowed_area)
        if area_text is not None and area_text not in areas:
            raise FieldError("md.err.unknown", field="md.f.area", value=area_text[:CODE_MAX])
        pct = (cells.get("quota_pct") or "").strip() or "100"
        return InmateRow(
            id=ident,
            number=code(cells.get("number"), "md.f.number"),
            name=name(cells.get("name"), "md.f.name"),
            quota_pct=quota_pct(pct),
            area=area_text,
        )

    for line, cells in _records(data, INMATE_COLUMNS, INMATE_REQUIRED, result):
        row = _collect(result, line, lambda cells=cells: build(cells))  # type: ignore[misc]
        if row is not None:
            seen.add(row.id)
    return result


def parse_standard_times(
    data: bytes | str, *, steps: Collection[tuple[str, str]]
) -> CsvResult[StandardTimeRow]:
    """New standard-time versions: columns product, step, seconds, valid_from, reason (all required)."""
    result: CsvResult[StandardTimeRow] = CsvResult()
    seen: set[tuple[str, str, str]] = set()

    def build(cells: dict[str, str]) -> StandardTimeRow:
        product = code(cells.get("product"), "md.f.product")
        step = code(cells.get("step"), "md.f.step")
        if (product, step) not in steps:
            raise FieldError("md.err.unknown_step", product=product, step=step)
        row = StandardTimeRow(
            product=product,
            step=step,
            seconds=standard_seconds(cells.get("seconds")),
            valid_from=day(cells.get("valid_from"), "md.f.valid_from"),
            reason=reason(cells.get("reason")),
        )
        if (product, step, row.valid_from) in seen:
            raise FieldError("md.csv.duplicate", value=f"{product}/{step} {row.valid_from}")
        return row

    for line, cells in _records(data, STANDARD_TIME_COLUMNS, STANDARD_TIME_COLUMNS, result):
        row = _collect(result, line, lambda cells=cells: build(cells))  # type: ignore[misc]
        if row is not None:
            seen.add((row.product, row.step, row.valid_from))
    return result
