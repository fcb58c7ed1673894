"""The review's pure rules: who may do what, the approval chain, parsing what an officer typed, and
the rows officers sign (weekly) and approve (monthly), with their digests.

No database and no clock: `hub.review.weekly` and `hub.review.monthly` read the tables and call these;
`floorledger verify` (`hub.audit`) calls the same digests to re-derive what was signed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from floorledger.base import i18n
from hub.accounts import Role
from hub.engine.compute import MonthIndex, compute_line_day, weekly_lines
from hub.engine.exact import shown
from hub.engine.model import DailyRecord, Month, MonthlyScore, MonthResult, RuleSet, iso_week_label
from hub.errors import HubError
from hub.review import texts
from hub.review.lock import STAGES

texts.register()

DEFAULT_PUBLISH_DAYS = 7
MAX_PUBLISH_DAYS = 31
REASON_MAX = 200
MAX_ADJUST_POINTS = Fraction(100)

_WEEK_RE = re.compile(r"(\d{4})-W(\d{2})")
_POINTS_RE = re.compile(r"[+-]?\d{1,3}(\.\d)?")


class AssessmentError(HubError):
    """An act refused by the rules; `code` names the reason, whose text is `assess.err.<code>`.

    `detail` says more in English for the logs (what was typed); officers see the translated text.
    """

    def __init__(self, code: str, detail: str = "", **values: object) -> None:
        super().__init__(f"assess.err.{code}", **values)
        self.code = code
        self.detail = detail


# --- pure rules ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who acts, with their scope: a line officer's lines, an area head's area."""

    username: str
    role: Role
    lines: tuple[str, ...] = ()
    area: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))  # a role typed as text is refused here


def in_scope(actor: Actor, area: str, area_lines: Iterable[str]) -> bool:
    """Whether `actor` may see and act on `area` (whose lines are `area_lines`)."""
    if actor.role in (Role.LABOR_SECTION, Role.ADMIN):
        return True
    if actor.role == Role.AREA_HEAD:
        return actor.area == area
    if actor.role == Role.LINE_OFFICER:
        return any(line in actor.lines for line in area_lines)
    return False


def reads_whole_area(actor: Actor) -> bool:
    """Whether `actor` reads every inmate of an area in scope; a line officer reads only the inmates
    posted on their own lines (docs/dashboard.md, roles), although their approval stage covers the area."""
    return actor.role != Role.LINE_OFFICER


def parse_week(text: str) -> tuple[date, date]:
    """`2026-W40` -> (Monday, Sunday) of that ISO week; AssessmentError for anything else."""
    match = _WEEK_RE.fullmatch(text.strip())
    if not match:
        raise AssessmentError("bad_week", f"not an ISO week (YYYY-Www): {text[:20]!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as err:
        raise AssessmentError("bad_week", f"no such ISO week: {text[:20]!r}") from err
    return monday, monday + timedelta(days=6)


def last_complete_week(today: date) -> str:
    """The week the weekly review opens on: the last ISO week that has ended (the one before today's),
    since the week in progress cannot be reviewed yet."""
    return iso_week_label(today - timedelta(days=7))


def last_complete_month(today: date) -> Month:
    """The month the monthly page opens on: the last month that has ended."""
    return Month.of(today.replace(day=1) - timedelta(days=1))


def parse_month(text: str) -> Month:
    try:
        return Month.parse(text.strip())
    except ValueError as err:
        raise AssessmentError("bad_month", f"not a month (YYYY-MM): {text[:20]!r}") from err


def parse_points(text: str) -> Fraction:
    """Points with at most one decimal, non-zero, within ±100: "-2", "+1.5"."""
    value = text.strip()
    if not _POINTS_RE.fullmatch(value):
        raise AssessmentError("bad_points", f"not a point value (e.g. -2 or 1.5): {value[:20]!r}")
    try:
        points = Fraction(Decimal(value))
    except InvalidOperation as err:  # pragma: no cover - the pattern admits only decimals
        raise AssessmentError("bad_points", f"not a point value: {value[:20]!r}") from err
    if not points or abs(points) > MAX_ADJUST_POINTS:
        raise AssessmentError("bad_points", "points must be non-zero and within ±100")
    return points


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise AssessmentError("no_reason", "a reason is required")
    if len(text) > REASON_MAX:
        raise AssessmentError("long_reason", f"the reason is longer than {REASON_MAX} characters")
    return text


def next_stage(approved: Sequence[str]) -> str | None:
    """The stage whose approval is due after the `approved` stages (in chain order); None when done."""
    for stage in STAGES:
        if stage not in approved:
            return stage
    return None


def month_state(approved: Sequence[str]) -> str:
    """`open`, `line_officer`, `area_head` (the last stage approved so far), or `locked`."""
    done = [s for s in STAGES if s in approved]
    if not done:
        return "open"
    return "locked" if done[-1] == STAGES[-1] else done[-1]


def check_approval(actor: Actor, area: str, area_lines: Iterable[str], approved: Sequence[str]) -> str:
    """The stage `actor` approves now, or AssessmentError saying why they may not."""
    stage = next_stage(approved)
    if stage is None:
        raise AssessmentError("locked", "the month is already approved and locked")
    if actor.role not in STAGES:
        raise AssessmentError("role", "this role takes no part in the approval chain")
    if not in_scope(actor, area, area_lines):
        raise AssessmentError("scope", f"area {area} is not in your scope")
    if actor.role != stage:
        if STAGES.index(actor.role) > STAGES.index(stage):
            raise AssessmentError("order", f"the {stage} stage must approve first")
        raise AssessmentError("done", f"the {actor.role} stage has already approved")
    return stage


class OpenItems(AssessmentError):
    """An approval refused while items are open; the text names each kind in the officer's language."""

    CODE = "open_items"  # an `AssessmentError` code: its text is `assess.err.open_items`

    def __init__(self, items: Mapping[str, int]) -> None:
        super().__init__(self.CODE, f"open items: {dict(items)}", count=sum(items.values()), items="")
        self.items = dict(items)

    def text(self, lang: str = "zh") -> str:
        listed = "、" if lang != "en" else ", "
        named = listed.join(f"{i18n.t(f'assess.open.{k}', lang)} {n}" for k, n in self.items.items())
        return i18n.t(self.key, lang, count=sum(self.items.values()), items=named)


def check_guard(
    month: Month,
    today: date,
    items: Mapping[str, int],
    override: str | None,
    *,
    final: bool = False,
    published_until: date | None = None,
) -> dict[str, Any] | None:
    """Whether a month may be approved now: only after it has ended and with no open item, and for
    the `final` stage (the lock) only once the month's publication, which ends on `published_until`,
    has passed (`check_publication`); or with an override reason. Returns the override to sign into
    the approval (None without one)."""
    running = today <= month.last_day
    if override is not None and override.strip():
        reason = check_reason(override)
        signed: dict[str, Any] = {"reason": reason, "running": running, "open": dict(sorted(items.items()))}
        if final:
            signed["published_until"] = None if published_until is None else published_until.isoformat()
        return signed
    if running:
        raise AssessmentError("running", f"{month} has not ended (today is {today})")
    if items:
        raise OpenItems(items)
    if final:
        check_publication(published_until, today)
    return None


def check_publication(until: date | None, today: date) -> None:
    """Whether the final approval may follow the month's publication (公示): only once it was
    published and its window (which ends on `until`, inclusive) has passed."""
    if until is None:
        raise AssessmentError("unpublished", "the month has not been published")
    if today <= until:
        raise AssessmentError("publishing", f"published until {until}", until=until.isoformat())


def check_reopen(actor: Actor, approved: Sequence[str], stage: str, reason: str) -> tuple[str, list[str]]:
    """The reason and the stages a reopen at `stage` voids (that stage and every later approved one)."""
    if actor.role != Role.LABOR_SECTION:
        raise AssessmentError("role", "only the labor section may reopen a month")
    if stage not in STAGES:
        raise AssessmentError("bad_stage", f"no such stage: {stage[:20]!r}")
    text = check_reason(reason)
    voided = [s for s in STAGES[STAGES.index(stage) :] if s in approved]
    if not voided:
        raise AssessmentError("nothing", "there is no approval to void at or after that stage")
    return text, voided


def check_publish_days(days: int) -> int:
    if not 1 <= days <= MAX_PUBLISH_DAYS:
        raise AssessmentError("bad_days", f"publish for 1 to {MAX_PUBLISH_DAYS} days")
    return days


def below_threshold(
    daily: Iterable[tuple[str, date, Fraction | None]], *, pct: Fraction = Fraction(80), days: int = 5
) -> list[tuple[str, int]]:
    """Inmates with completion below `pct` on at least `days` days: [(inmate, days below)], most first.

    Days without a quota (completion None, fully excused) are not counted either way.
    """
    counts: dict[str, int] = {}
    for inmate, _, completion in daily:
        if completion is not None and completion < pct:
            counts[inmate] = counts.get(inmate, 0) + 1
    found = [(inmate, n) for inmate, n in counts.items() if n >= days]
    return sorted(found, key=lambda item: (-item[1], item[0]))


# --- rows the pages, the board and the exports show -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekRow:
    """One inmate's ISO week: quota and earned in standard seconds (exact), units as shown."""

    inmate: str
    number: str
    name: str
    days: int
    quota_std_seconds: Fraction
    earned_std_seconds: Fraction
    quota_units: Fraction
    done_units: Fraction

    @property
    def completion_pct(self) -> Fraction | None:
        if not self.quota_std_seconds:
            return None
        return 100 * self.earned_std_seconds / self.quota_std_seconds

    def shown(self) -> dict[str, Any]:
        pct = self.completion_pct
        return {
            "inmate": self.inmate,
            "number": self.number,
            "name": self.name,
            "days": self.days,
            "quota_hours": shown(self.quota_std_seconds / 3600),
            "earned_hours": shown(self.earned_std_seconds / 3600),
            "quota_units": shown(self.quota_units),
            "done_units": shown(self.done_units),
            "completion_pct": None if pct is None else shown(pct),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthRow:
    """One inmate's monthly labor score as the engine computed it, with who they are and where."""

    inmate: str
    number: str
    name: str
    area: str
    score: MonthlyScore


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthView:
    """An area's month: the scores, the rule set, and the approval chain's state."""

    month: Month
    area: str
    rows: tuple[MonthRow, ...]
    rule_set: RuleSet
    approvals: tuple[tuple[str, str, int], ...]  # (stage, approver, approved_ms), active only
    state: str

    @property
    def digest(self) -> str:
        """The fingerprint of these rows an approval signs (the page sends back the one it showed)."""
        return rows_digest(score_key(r.score) for r in self.rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedView:
    """A published weekly review as the wall board reads it."""

    area: str
    week: str
    rows: tuple[dict[str, Any], ...]
    published_by: str
    valid_from: date
    until: date


def score_areas(
    result: MonthResult,
    line_area: Mapping[str, str],
    person_area: Mapping[str, str | None],
    adjusted: Mapping[str, str],
) -> dict[str, str]:
    """The area whose monthly assessment lists each inmate's score: the area of the line they worked
    last in the month, else the area of an adjustment entered for them, else their own area ("" when
    none). `floorledger verify` uses the same rule to re-derive approved digests."""
    last_line_area: dict[str, str] = {}
    for r in result.daily:  # in day order: the last one wins
        last_line_area[r.inmate] = line_area.get(r.line, "")
    return {
        s.inmate: last_line_area.get(s.inmate) or adjusted.get(s.inmate) or person_area.get(s.inmate) or ""
        for s in result.monthly
    }


def week_rows_of(records: Iterable[DailyRecord], people: Mapping[str, tuple[str, str]]) -> list[WeekRow]:
    """Each inmate's week from their daily records (`people`: inmate -> number, name); what officers
    sign off and publish, and what `floorledger verify` re-derives."""
    records = list(records)
    units: dict[str, tuple[Fraction, Fraction]] = {}
    for r in records:
        quota, done = units.get(r.inmate, (Fraction(0), Fraction(0)))
        units[r.inmate] = (quota + r.quota_units, done + r.done_units)
    by_inmate: dict[str, list[Any]] = {}
    for line in weekly_lines(records):  # a week spanning two months is one ISO week here
        by_inmate.setdefault(line.inmate, []).append(line)
    out: list[WeekRow] = []
    for inmate, parts in sorted(by_inmate.items()):
        number, name = people.get(inmate, (inmate, ""))
        out.append(
            WeekRow(
                inmate=inmate,
                number=number,
                name=name,
                days=sum(p.days for p in parts),
                quota_std_seconds=sum((p.quota_std_seconds for p in parts), Fraction(0)),
                earned_std_seconds=sum((p.earned_std_seconds for p in parts), Fraction(0)),
                quota_units=units[inmate][0],
                done_units=units[inmate][1],
            )
        )
    return out


def week_records(
    indexes: Iterable[MonthIndex], lines: Sequence[str], monday: date, sunday: date
) -> list[DailyRecord]:
    """The daily records of `lines` in the week, computed by the engine from each month's index (a
    week may run into a second month); raises `EngineError` where a line-day cannot be computed."""
    records: list[DailyRecord] = []
    for index in indexes:
        for line in lines:
            for n in range((sunday - monday).days + 1):
                when = monday + timedelta(days=n)
                if (line, when) in index.groups:
                    records.extend(compute_line_day(index, line, when).records)
    return records


def week_months(monday: date, sunday: date) -> list[Month]:
    """The one or two months the days of an ISO week fall in."""
    return sorted({Month.of(monday), Month.of(sunday)})


def rows_digest(rows: Iterable[Any]) -> str:
    """A fingerprint of the numbers an officer signed or approved (kept in the ledger entry)."""
    return hashlib.sha256(json.dumps(list(rows), sort_keys=True, default=str).encode()).hexdigest()


def score_key(score: MonthlyScore) -> list[str]:
    return [
        score.inmate,
        str(score.quota_std_seconds),
        str(score.earned_std_seconds),
        str(score.workdays),
        str(score.days_met),
        str(score.base_points),
        str(score.bonus_points),
        str(score.adjust_points),
        str(score.labor_points),
    ]
