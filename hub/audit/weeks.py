"""`floorledger verify`: the weekly review (周评议) checked against the hub-signed ledger and re-derived
from the signed kiosk records. Pure: `hub.audit.verify` reads the tables and hands the rows here.

Every weekly act is a hub-signed ledger entry (`hub.review.monthly.Assessment`), subject
`week:<area>:<YYYY-Www>`:

- `week.signoff` (payload `rows_digest`, `inputs`): one `assess_week_signoff` row; `signed_by` is the entry's
  actor, `signed_ms` its time;
- `week.publish` (payload `from`, `until`, `rows_digest`): one `assess_published_week` row, what the
  area's wall boards show as 公示 from `valid_from` to `until`; `rows` is the JSON of the numbers
  published, and the entry signs their digest, so the board's numbers are checked to the digit.

`replay` reads those acts in ledger order; `compare_signoffs` and `compare_publications` report every
row that differs (inserted, edited or deleted in SQL). The signed-off and published rows are not
stored by the engine: `Assessment.week_rows` sums the stored daily results of the area's lines in the
week. A week act signs its inputs (`inputs`: local date, kiosk heads, ledger size) and
`WeekRows.check_signed` recomputes it once from them; an act without them (the legacy path) is
searched: `WeekRows.search` recomputes those daily results from the signed records **as of the act** (as
`hub.audit.months` does for approvals: the records received by the entry's `hub_ms`, cuts within
`SLACK_MS` of it, the dashboard corrections before it in the ledger, and for a month in progress the
days through the act's local date, tried for the UTC date and the day either side), sums them as the
weekly page does and compares the digest with the signed one. A re-signed or re-published week is
checked as of each act, so later records never make an earlier act fail.

The stored daily results an officer saw are the results worker's (`hub.results.worker`): recomputed within
a second of each record (the cuts cover that) and for every line-day of each new day. Master data is
the hub's tables as they are now and nothing locks a week against changes, so an act that no longer
matches after later master-data acts in the ledger is `explained`, a note rather than a finding.
`role` of a sign-off is the dashboard account's role, which the entry does not hold: only checked to
be a role that signs off weeks at all.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from floorledger.base import i18n
from hub.audit.months import MAX_CUTS, SLACK_MS, MonthData, column
from hub.audit.report import Finding, finding
from hub.engine.compute import MonthIndex, compute_line_day
from hub.engine.errors import EngineError
from hub.engine.model import DailyRecord, Month
from hub.results import facts as fx
from hub.results import inputs as mi
from hub.review.lock import STAGES
from hub.review.rules import (
    MAX_PUBLISH_DAYS,
    AssessmentError,
    parse_week,
    rows_digest,
    week_records,
    week_rows_of,
)

# the action names `hub.review.monthly.Assessment` records
SIGNOFF = "week.signoff"
PUBLISH = "week.publish"
ACTIONS = frozenset({SIGNOFF, PUBLISH})
CLOCK_SLACK_MS = SLACK_MS  # a row's time and its entry's come from one clock in one transaction

R = TypeVar("R", "SignoffRow", "PublishedRow")


# --- the ledger's account ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekAct:
    """One hub-signed act of the weekly review (`subject` split into area and week)."""

    index: int
    actor: str
    action: str
    area: str
    week: str
    payload: Mapping[str, Any]
    hub_ms: int

    def named(self) -> i18n.Text:
        return i18n.Text(
            "ledger.v.act", index=self.index, action=i18n.Label("act", self.action), actor=self.actor
        )

    @property
    def digest(self) -> str:
        return str(self.payload.get("rows_digest"))

    @property
    def days(self) -> tuple[date, date]:
        """Monday and Sunday of the week."""
        return parse_week(self.week)


def week_act(
    index: int, actor: str, action: str, subject: str, payload: Mapping[str, Any], hub_ms: int
) -> WeekAct | None:
    """The act if `action` is one of the weekly review's and `subject` is `week:<area>:<YYYY-Www>`."""
    if action not in ACTIONS or not subject.startswith("week:"):
        return None
    area, _, week = subject[len("week:") :].rpartition(":")
    try:
        parse_week(week)
    except AssessmentError:
        return None
    return WeekAct(
        index=index, actor=actor, action=action, area=area, week=week, payload=payload, hub_ms=hub_ms
    )


@dataclass(slots=True)
class WeekLedgered:
    """The weekly review as the ledger tells it; `problems` are acts the hub would not have written."""

    signoffs: list[WeekAct] = field(default_factory=list)
    publications: list[WeekAct] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def acts(self) -> list[WeekAct]:
        return sorted([*self.signoffs, *self.publications], key=lambda a: a.index)


def _publication_problem(act: WeekAct) -> Finding | None:
    p = act.payload
    if not all(isinstance(p.get(k), str) for k in ("from", "until", "rows_digest")):
        return finding("week.pub_not_text")
    try:
        start, until = date.fromisoformat(p["from"]), date.fromisoformat(p["until"])
    except ValueError:
        return finding("week.pub_dates", start=repr(p["from"]), until=repr(p["until"]))
    if not 1 <= (until - start).days + 1 <= MAX_PUBLISH_DAYS:
        return finding("week.pub_span", start=start, until=until, days=MAX_PUBLISH_DAYS)
    return None


def replay(acts: Iterable[WeekAct]) -> WeekLedgered:
    """Read the acts in ledger order: the sign-offs and publications, and what contradicts the rules
    (an officer signing off a week twice, a week published before anyone signed it off)."""
    out = WeekLedgered()
    signed: dict[tuple[str, str, str], WeekAct] = {}
    for act in acts:
        where = {"act": act.named(), "week": act.week, "area": act.area}
        if act.action == SIGNOFF:
            if not isinstance(act.payload.get("rows_digest"), str):
                out.problems.append(finding("week.signoff_no_digest", **where))
            key = (act.area, act.week, act.actor)
            if key in signed:
                out.problems.append(finding("week.signoff_again", **where, other=signed[key].index))
            signed.setdefault(key, act)
            out.signoffs.append(act)
        elif act.action == PUBLISH:
            problem = _publication_problem(act)
            if problem is not None:
                out.problems.append(finding("week.act_problem", **where, problem=problem))
            if not any(a.week == act.week and a.area == act.area for a in signed.values()):
                out.problems.append(finding("week.unsigned_publish", **where))
            out.publications.append(act)
    return out


# --- the tables against it ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SignoffRow:
    """An `assess_week_signoff` row."""

    id: int
    area: str
    week: str
    signed_by: str
    role: str
    rows_digest: str
    signed_ms: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedRow:
    """An `assess_published_week` row (`rows`: the stored JSON text of the published numbers)."""

    id: int
    area: str
    week: str
    rows: str
    published_by: str
    valid_from: str
    until: str
    created_ms: int


def published_digest(rows: str) -> str | None:
    """The digest of a publication's stored rows as `Assessment.publish_week` computed it (None if
    the text is not a JSON list)."""
    try:
        parsed = json.loads(rows)
    except (TypeError, ValueError):
        return None
    return rows_digest(parsed) if isinstance(parsed, list) else None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _pair(
    rows: Sequence[R],
    acts: Sequence[WeekAct],
    key_of_row: Callable[[R], tuple[str, str]],
    matchers: Sequence[Callable[[WeekAct, R], bool]],
) -> tuple[list[tuple[WeekAct, R]], list[WeekAct], list[R]]:
    """Rows and acts of an area's week paired in order (ids and ledger indexes grow together), by each
    matcher in turn (the strictest first), so one edited or deleted row is named alone instead of
    shifting every pair after it. Returns the pairs, the acts without a row and the rows without an act."""
    by_key: dict[tuple[str, str], list[R]] = {}
    for r in rows:
        by_key.setdefault(key_of_row(r), []).append(r)
    pairs: list[tuple[WeekAct, R]] = []
    lonely: list[WeekAct] = []
    for a in acts:
        free = by_key.get((a.area, a.week), [])
        row = None
        for matches in matchers:
            row = next((r for r in free if matches(a, r)), None)
            if row is not None:
                break
        if row is None:
            lonely.append(a)
        else:
            free.remove(row)
            pairs.append((a, row))
    left = [r for free in by_key.values() for r in free]
    return pairs, lonely, left


def _time_diff(where: i18n.Text, name: str, stored: int, act: WeekAct) -> list[str]:
    if abs(stored - act.hub_ms) <= CLOCK_SLACK_MS:
        return []
    return [
        finding(
            "week.time",
            where=where,
            name=column(name),
            stored=stored,
            seconds=f"{abs(stored - act.hub_ms) / 1000:.0f}",
            index=act.index,
            hub_ms=act.hub_ms,
        )
    ]


def compare_signoffs(rows: Sequence[SignoffRow], ledgered: WeekLedgered) -> list[str]:
    """Every sign-off row no signed act created, every act without its row, every column that differs."""
    ordered = sorted(rows, key=lambda r: r.id)
    pairs, lonely, left = _pair(
        ordered,
        ledgered.signoffs,
        lambda r: (r.area, r.week),
        [
            lambda a, r: (r.signed_by, r.rows_digest) == (a.actor, a.digest),
            lambda a, r: r.signed_by == a.actor,
            lambda a, r: True,
        ],
    )
    out: list[str] = [
        finding("week.signoff_missing", week=a.week, area=a.area, actor=a.actor, act=a.named())
        for a in lonely
    ]
    out.extend(
        finding("week.signoff_extra", id=r.id, week=r.week, area=r.area, actor=r.signed_by) for r in left
    )
    for a, r in sorted(pairs, key=lambda pair: pair[1].id):
        where = i18n.Text("verify.f.week.signoff_row", id=r.id)
        out.extend(
            finding(
                "week.column",
                where=where,
                name=column(name),
                stored=_short(stored),
                index=a.index,
                signed=_short(signed),
            )
            for name, stored, signed in (
                ("signed_by", r.signed_by, a.actor),
                ("rows_digest", r.rows_digest, a.digest),
            )
            if stored != signed
        )
        if r.role not in STAGES:
            out.append(finding("week.role", where=where, role=_short(r.role)))
        out.extend(_time_diff(where, "signed_ms", r.signed_ms, a))
    return out


def compare_publications(rows: Sequence[PublishedRow], ledgered: WeekLedgered) -> list[str]:
    """Every publication row no signed act created, every act without its row, every column that
    differs, and published numbers that are not the ones the entry signed."""
    ordered = sorted(rows, key=lambda r: r.id)
    digests = {r.id: published_digest(r.rows) for r in ordered}

    def says(a: WeekAct) -> tuple[str, str, str, str]:
        return (a.actor, str(a.payload.get("from")), str(a.payload.get("until")), a.digest)

    pairs, lonely, left = _pair(
        ordered,
        ledgered.publications,
        lambda r: (r.area, r.week),
        [
            lambda a, r: (r.published_by, r.valid_from, r.until, digests[r.id]) == says(a),
            lambda a, r: r.published_by == a.actor and abs(r.created_ms - a.hub_ms) <= CLOCK_SLACK_MS,
            lambda a, r: r.published_by == a.actor,
            lambda a, r: True,
        ],
    )
    out: list[str] = [
        finding(
            "week.pub_missing",
            week=a.week,
            area=a.area,
            actor=a.actor,
            start=a.payload.get("from"),
            until=a.payload.get("until"),
            act=a.named(),
        )
        for a in lonely
    ]
    out.extend(
        finding(
            "week.pub_extra",
            id=r.id,
            week=r.week,
            area=r.area,
            actor=r.published_by,
            start=r.valid_from,
            until=r.until,
        )
        for r in left
    )
    for a, r in sorted(pairs, key=lambda pair: pair[1].id):
        where = i18n.Text("verify.f.week.pub_row", id=r.id)
        out.extend(
            finding(
                "week.column",
                where=where,
                name=column(name),
                stored=_short(stored),
                index=a.index,
                signed=_short(signed),
            )
            for name, stored, signed in (
                ("published_by", r.published_by, a.actor),
                ("valid_from", r.valid_from, a.payload.get("from")),
                ("until", r.until, a.payload.get("until")),
            )
            if stored != signed
        )
        digest = digests[r.id]
        if digest is None:
            out.append(finding("week.rows_not_json", where=where))
        elif digest != a.digest:
            out.append(
                finding(
                    "week.rows_digest", where=where, digest=digest[:16], index=a.index, signed=a.digest[:16]
                )
            )
        out.extend(_time_diff(where, "created_ms", r.created_ms, a))
    return out


# --- the rows re-derived ----------------------------------------------------------------------------


def week_months(week: str) -> list[Month]:
    """The one or two months the days of an ISO week fall in."""
    monday, sunday = parse_week(week)
    return sorted({Month.of(monday), Month.of(sunday)})


@dataclass(frozen=True, slots=True)
class WeekOutcome:
    """One act re-derived: `digest` is what the records give (None if they cannot be computed)."""

    act: WeekAct
    holds: bool
    digest: str | None
    error: str | None = None


class WeekRows:
    """Re-derives an area's week rows as of each act; each distinct state is computed once.

    `people`: inmate -> (number, name); `add` the data of every month an act's week touches before
    checking it (`MonthData.line_area` says which lines are an area's; `person_area` is not used).
    """

    def __init__(self, people: Mapping[str, tuple[str, str]], months: Iterable[MonthData] = ()) -> None:
        self.people = people
        self.months: dict[Month, MonthData] = {}
        self._received: dict[Month, list[int]] = {}
        self._derived: dict[tuple[Month, int], fx.Facts] = {}
        self._indexes: dict[tuple[Any, ...], MonthIndex] = {}
        self._digests: dict[tuple[Any, ...], str] = {}
        for data in months:
            self.add(data)

    def add(self, data: MonthData) -> None:
        """Take a month's data (the weeks that touch it can be checked once their other month is in)."""
        self.months[data.month] = data
        self._received[data.month] = sorted(r for r, _ in data.records)
        if data.derived is not None:
            self._derived[(data.month, len(data.records))] = data.derived

    def drop(self, month: Month) -> None:
        """Forget a month no week left to check needs (a month's records are large)."""
        self.months.pop(month, None)
        self._received.pop(month, None)
        for cache in (self._derived, self._indexes):
            for key in [k for k in cache if k[0] == month]:
                del cache[key]

    def check(self, act: WeekAct, *, all_cuts: bool = True) -> WeekOutcome:
        """Whether some candidate moment of `act` gives its signed digest (see the module docstring);
        `all_cuts=False` tries only the records received by the act's time (for an explained act)."""
        signed = act.payload.get("inputs")
        if signed is not None:
            return self.check_signed(act, signed)
        return self.search(act, all_cuts=all_cuts)

    def check_signed(self, act: WeekAct, signed: Any) -> WeekOutcome:
        """One recomputation from the act's signed `inputs`: the records below the kiosk heads, the
        ledger's dashboard corrections up to its size, and the local date."""
        months = week_months(act.week)
        try:
            through = date.fromisoformat(str(signed["through"]))
            heads = {str(k): int(v) for k, v in dict(signed["heads"]).items()}
            size = int(signed["ledger_size"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return WeekOutcome(act, False, None, finding("month.inputs"))
        indexes = []
        for month in months:
            data = self.months.get(month)
            if data is None:
                return WeekOutcome(act, False, None, finding("week.month_unread", month=month))
            facts = fx.derive([f for _, f in data.records if f.seq <= heads.get(f.kiosk, 0)], month)
            master = replace(data.master, hub_corrections=tuple(c for i, c in data.corrections if i <= size))
            inputs = mi.assemble(month, master, facts, through=through, adjustments=())
            indexes.append(MonthIndex(inputs, data.rule_set))
        monday, sunday = act.days
        line_area = next(iter(self.months.values())).line_area
        lines = sorted(line for line, area in line_area.items() if area == act.area)
        try:
            records = week_records(indexes, lines, monday, sunday)
        except EngineError as err:
            return WeekOutcome(act, False, None, finding("week.cannot", error=str(err)))
        digest = rows_digest(r.shown() for r in week_rows_of(records, self.people))
        return WeekOutcome(act, digest == act.digest, digest)

    def search(self, act: WeekAct, *, all_cuts: bool = True) -> WeekOutcome:
        """The legacy path: candidate moments of an act that did not sign its inputs."""
        months = week_months(act.week)
        first: str | None = None
        cuts = self._cuts(months, act.hub_ms)
        for limit in cuts if all_cuts else cuts[:1]:
            for day in _local_days(act.hub_ms):
                digest = self._digest_as_of(act, months, limit, day)
                if first is None:
                    first = digest
                if digest == act.digest:
                    return WeekOutcome(act, True, digest)
        assert first is not None
        if isinstance(first, Finding):  # not computable: the reason
            return WeekOutcome(act, False, None, first)
        return WeekOutcome(act, False, first)

    def _cuts(self, months: Sequence[Month], hub_ms: int) -> list[int]:
        """Receipt-time limits (records received before the limit count): by `hub_ms` first, then the
        boundaries between distinct receipt times within SLACK_MS of it, nearest first."""
        received = sorted(r for m in months for r in self._received.get(m, []))
        primary = bisect.bisect_right(received, hub_ms)
        lo = bisect.bisect_left(received, hub_ms - SLACK_MS)
        hi = bisect.bisect_right(received, hub_ms + SLACK_MS)
        limits = {primary: hub_ms + 1}
        for n in range(lo, hi + 1):
            if n in limits or not (n in (0, len(received)) or received[n - 1] != received[n]):
                continue
            limits[n] = received[n] if n < len(received) else received[-1] + 1
        order = sorted(limits, key=lambda n: (n != primary, abs(n - primary), n > primary))
        return [limits[n] for n in order[:MAX_CUTS]]

    def _digest_as_of(self, act: WeekAct, months: Sequence[Month], limit: int, day: date) -> str:
        """The digest of the area's week rows with the records received before `limit`, the days
        through `day`, and the ledger's corrections before the act; a `Finding` (why) if not computable."""
        keys = []
        for month in months:
            if month not in self.months:
                return finding("week.month_unread", month=month)
            keys.append(self._index_key(month, limit, day, act.index))
        key = (act.area, act.week, *keys)
        if key not in self._digests:
            self._digests[key] = self._digest(act, [self._index(k) for k in keys])
        return self._digests[key]

    def _digest(self, act: WeekAct, indexes: Sequence[MonthIndex]) -> str:
        monday, sunday = act.days
        line_area = next(iter(self.months.values())).line_area
        lines = sorted(line for line, area in line_area.items() if area == act.area)
        records: list[DailyRecord] = []
        for index in indexes:
            for line in lines:
                for n in range((sunday - monday).days + 1):
                    when = monday + timedelta(days=n)
                    if (line, when) not in index.groups:
                        continue
                    try:
                        records.extend(compute_line_day(index, line, when).records)
                    except EngineError as err:
                        return finding("result.cannot", line=line, day=when, error=str(err))
        return rows_digest(r.shown() for r in week_rows_of(records, self.people))

    def _index_key(self, month: Month, limit: int, day: date, index: int) -> tuple[Any, ...]:
        """What a month's engine index depends on: the records counted, the last day of a month in
        progress (a month ended by `day` counts whole, a later one empty) and the corrections."""
        cut = bisect.bisect_left(self._received[month], limit)
        through = None if day >= month.last_day else max(day, month.first_day - timedelta(days=1))
        corrections = sum(1 for i, _ in self.months[month].corrections if i < index)
        return (month, cut, through, corrections)

    def _index(self, key: tuple[Any, ...]) -> MonthIndex:
        if key not in self._indexes:
            month, cut, through, corrections = key
            data = self.months[month]
            master = replace(data.master, hub_corrections=tuple(c for _, c in data.corrections[:corrections]))
            inputs = mi.assemble(month, master, self._derive(month, cut), through=through, adjustments=())
            self._indexes[key] = MonthIndex(inputs, data.rule_set)
        return self._indexes[key]

    def _derive(self, month: Month, cut: int) -> fx.Facts:
        key = (month, cut)
        if key not in self._derived:
            data, received = self.months[month], self._received[month]
            if cut == len(received):
                chosen = [f for _, f in data.records]
            else:
                first_left_out = received[cut]
                chosen = [f for r, f in data.records if r < first_left_out]
            self._derived[key] = fx.derive(chosen, month)
        return self._derived[key]


def _local_days(hub_ms: int) -> list[date]:
    """The site's date at `hub_ms`: the UTC date first, then the day after and before (every time
    zone lies within a day of UTC)."""
    utc = datetime.fromtimestamp(hub_ms / 1000, UTC).date()
    return [utc, utc + timedelta(days=1), utc - timedelta(days=1)]


def explained(act: WeekAct, master_changes: Sequence[int]) -> list[int]:
    """Master-data acts after `act` (nothing locks a week against them): they may have changed its rows."""
    return [i for i in master_changes if i > act.index]
