"""Officers' actions on the suggestions (#17 items 4-5), their thresholds' versions, and the reads the
suggestion and action pages share.

Acts (each one transaction with its hub-signed ledger entry, whose payload carries every compared
column so `hub.masterdata.replay` rebuilds the row and `floorledger verify` reports an SQL edit):
- `suggest_settings.add`: thresholds that apply from a day on (the labor section; like rule-set
  versions, a new version only lists what it changes, and nothing is edited in place);
- `action.record`: a post change or a training of an inmate, with what, when, who, why and the
  suggestion it answers. A post change is made through the master-data path (`MasterData.assign`:
  its scope, month lock and `assignment.add` act) inside the same transaction, and the action signs
  the post's id.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Protocol

import peewee as pw

from hub.accounts import Principal, Role
from hub.errors import HubError
from hub.masterdata.queries import area_of_line
from hub.masterdata.service import MasterData
from hub.review import effects as fx
from hub.review import suggest_texts
from hub.review import suggestions as sg
from hub.review.skills import exact, exact_sum
from hub.store import analytics as an
from hub.store.db import raw_rows, write_transaction
from hub.store.masterdata import Inmate, Line, Step
from hub.store.results import DailyResult
from protocol import fields as f
from protocol.errors import ProtocolError

suggest_texts.register()

SETTINGS_ADD, ACTION_RECORD = "suggest_settings.add", "action.record"
MAX_REASON = 400
KINDS = (an.POST_CHANGE, an.TRAINING)


class ActionError(HubError):
    """An act refused; `key` is a `suggest.err.` text."""


class Ledger(Protocol):
    def append(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> object: ...


# --- reads ------------------------------------------------------------------------------------------


def _tuples(query: Any) -> list[tuple[Any, ...]]:
    return raw_rows(query)


def settings_versions() -> list[sg.SettingsVersion]:
    return [
        sg.SettingsVersion(valid_from=date.fromisoformat(v.valid_from), order=v.id, parameters=v.parameters)
        for v in an.SuggestSettingsVersion.select()
    ]


def settings_on(day: date) -> sg.SuggestSettings:
    return sg.settings_on(settings_versions(), day)


def lines_of(area: str) -> list[str]:
    return [x.code for x in Line.select(Line.code).where(Line.area == area)]


def work_days(lines: Iterable[str], first: date, last: date, inmate: str | None = None) -> list[sg.WorkDay]:
    """The counted daily results on `lines` from `first` to `last` (one inmate's, if given)."""
    where = DailyResult.line.in_(list(lines)) & DailyResult.day.between(first.isoformat(), last.isoformat())
    if inmate is not None:
        where &= DailyResult.inmate == inmate
    query = DailyResult.select(
        DailyResult.inmate, DailyResult.line, DailyResult.product, DailyResult.step, DailyResult.day,
        DailyResult.quota_std_seconds, DailyResult.earned_std_seconds, DailyResult.quota_units,
    ).where(where & (DailyResult.mode == "counted"))  # fmt: skip
    days: dict[str, date] = {}
    out = []
    for i, ln, p, s, d, q, e, u in _tuples(query):
        when = days.get(d)
        if when is None:
            when = days[d] = date.fromisoformat(d)
        out.append(sg.WorkDay(inmate=i, line=ln, step=(p, s), day=when, quota_s=exact(q), earned_s=exact(e),
                              quota_units=exact(u)))  # fmt: skip
    return out


def area_suggestions(area: str, today: date, readable: frozenset[str] | None = None) -> list[sg.Suggestion]:
    """The suggestions of `area` as of `today` (only inmates in `readable`, when given; a line's
    shortage stays, as it is the line's)."""
    settings = settings_on(today)
    first = today - timedelta(days=settings.window_days - 1)
    found = sg.suggest(work_days(lines_of(area), first, today), today, settings)
    return [s for s in found if readable is None or s.inmate is None or s.inmate in readable]


def inmate_suggestions(inmate: str, today: date) -> list[sg.Suggestion]:
    """His own suggestions (the shortage of his line's steps is the area page's)."""
    settings = settings_on(today)
    first = today - timedelta(days=settings.window_days - 1)
    lines = {r.line for r in DailyResult.select(DailyResult.line).where(
        (DailyResult.inmate == inmate) & (DailyResult.day >= first.isoformat())).distinct()}  # fmt: skip
    rows = work_days(lines, first, today)  # his line-mates too: a step short of people names a move
    return [s for s in sg.suggest(rows, today, settings) if s.inmate == inmate]


@dataclass(frozen=True, slots=True, kw_only=True)
class Measured:
    action: an.Action
    effect: fx.Effect
    workdays: int


def _by_day(rows: Iterable[tuple[str, str, str]]) -> list[fx.DayFigures]:
    quota: dict[str, list[Fraction]] = defaultdict(list)
    earned: dict[str, list[Fraction]] = defaultdict(list)
    for day, q, e in rows:
        quota[day].append(exact(q))
        earned[day].append(exact(e))
    return [
        fx.DayFigures(day=date.fromisoformat(d), quota_s=exact_sum(quota[d]), earned_s=exact_sum(earned[d]))
        for d in sorted(quota)
    ]


def measured(actions: Iterable[an.Action], today: date) -> list[Measured]:
    """Each action with its effect (the workdays compared are those in force on the action's day).

    Reads in one query per line and one for the inmates, over the span the actions need: n workdays
    either side fit in 3n calendar days unless the line stood still for weeks."""
    chosen = list(actions)
    if not chosen:
        return []
    versions = settings_versions()
    start = {a.id: date.fromisoformat(a.day) for a in chosen}
    n = {a.id: sg.settings_on(versions, start[a.id]).effect_workdays for a in chosen}
    reach = timedelta(days=3 * max(n.values()))
    first = (min(start.values()) - reach).isoformat()
    last = min(today, max(start.values()) + reach).isoformat()
    cols = (DailyResult.day, DailyResult.quota_std_seconds, DailyResult.earned_std_seconds)
    span = DailyResult.day.between(first, last)
    lines: dict[str, list[fx.DayFigures]] = {}
    for line in {a.line for a in chosen}:
        lines[line] = _by_day(_tuples(DailyResult.select(*cols).where(span & (DailyResult.line == line))))
    his_rows: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    inmates = sorted({a.inmate for a in chosen})
    for inmate, day, q, e in _tuples(
        DailyResult.select(DailyResult.inmate, *cols).where(span & DailyResult.inmate.in_(inmates))
    ):
        his_rows[inmate].append((day, q, e))
    his = {inmate: _by_day(rows) for inmate, rows in his_rows.items()}
    return [
        Measured(
            action=a,
            effect=fx.effect(his.get(a.inmate, []), lines[a.line], start[a.id], n[a.id]),
            workdays=n[a.id],
        )
        for a in chosen
    ]


def actions_in(area: str | None = None, inmate: str | None = None) -> list[an.Action]:
    """Actions newest first, of an area's lines or of one inmate."""
    query = an.Action.select()
    if area is not None:
        query = query.where(an.Action.line.in_(lines_of(area)))
    if inmate is not None:
        query = query.where(an.Action.inmate == inmate)
    return list(query.order_by(an.Action.day.desc(), an.Action.id.desc()))


# --- acts -------------------------------------------------------------------------------------------


def _day(text: str | date) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text.strip())
    except ValueError as err:
        raise ActionError("suggest.err.day", day=text) from err


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ActionError("suggest.err.reason", limit=MAX_REASON)
    return reason


class Actions:
    """The acts of this module. `ledger.append(actor, action, subject, payload)` signs each one;
    `masterdata` makes a post change's assignment (None: post changes are refused)."""

    def __init__(
        self,
        db: pw.Database,
        ledger: Ledger | None,
        masterdata: MasterData | None,
        *,
        clock_ms: Callable[[], int],
    ) -> None:
        self.db = db
        self.ledger = ledger
        self.masterdata = masterdata
        self.clock_ms = clock_ms

    def _sign(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        if self.ledger is not None:
            self.ledger.append(actor, action, subject, payload)

    def add_settings(
        self, who: Principal, version: str, *, valid_from: str | date, parameters: dict[str, Any], reason: str
    ) -> an.SuggestSettingsVersion:
        """Thresholds that apply from `valid_from` on; only the labor section changes them (site-wide)."""
        if who.role is not Role.LABOR_SECTION:
            raise ActionError("suggest.err.scope")
        try:
            f.ident(version, "version")
        except ProtocolError as err:
            raise ActionError("suggest.err.version", version=version) from err
        if an.SuggestSettingsVersion.get_or_none(an.SuggestSettingsVersion.version == version) is not None:
            raise ActionError("suggest.err.version", version=version)
        clean = sg.parse_parameters({k: v for k, v in parameters.items() if str(v).strip()})
        if not clean:
            raise ActionError("suggest.err.no_params")
        start = _day(valid_from).isoformat()
        why = _reason(reason)
        text = json.dumps(clean, sort_keys=True)
        now = self.clock_ms()
        with write_transaction(self.db):
            row = an.SuggestSettingsVersion.create(
                version=version, valid_from=start, parameters=text, reason=why, created_by=who.username,
                created_ms=now,
            )  # fmt: skip
            payload = {"id": row.id, "version": version, "from": start, "parameters": clean, "reason": why,
                       "created_by": who.username, "created_ms": now}  # fmt: skip
            self._sign(who.username, SETTINGS_ADD, version, payload)
        return row

    def record(
        self,
        who: Principal,
        *,
        kind: str,
        inmate: str,
        line: str,
        step: str,
        day: str | date,
        officer: str,
        reason: str,
        what: str = "",
        suggestion: str | None = None,
    ) -> an.Action:
        """Record an action; a post change also makes his post on `step` of `line` from `day` on."""
        if kind not in KINDS:
            raise ActionError("suggest.err.kind", kind=kind)
        person = Inmate.get_or_none(Inmate.id == inmate)
        if person is None:
            raise ActionError("suggest.err.inmate", inmate=inmate)
        row_line = Line.get_or_none(Line.code == line)
        product = "" if row_line is None else str(row_line.product or "")
        found = Step.get_or_none((Step.product == product) & (Step.code == step))
        if row_line is None or found is None:
            raise ActionError("suggest.err.step", line=line, step=step)
        if not who.may_see_line(line, area_of_line(line)):
            raise ActionError("suggest.err.scope")
        start = _day(day).isoformat()
        by = (officer or "").strip()[:100]
        if not by:
            raise ActionError("suggest.err.officer")
        why = _reason(reason)
        said = (what or "").strip()[:200] or str(found.name)
        if kind == an.TRAINING and not said:
            raise ActionError("suggest.err.what")
        if kind == an.POST_CHANGE and self.masterdata is None:
            raise ActionError("suggest.err.no_masterdata")
        now = self.clock_ms()
        with write_transaction(self.db):
            post = None
            if kind == an.POST_CHANGE and self.masterdata is not None:
                # the master-data path: its scope, month lock and signed act, in this transaction
                post = self.masterdata.assign(
                    who, inmate, line=line, product=product, step=step, valid_from=start
                )
            values: dict[str, Any] = {
                "kind": kind, "inmate": inmate, "line": line, "product": product, "step": step,
                "what": said, "day": start, "officer": by, "reason": why, "suggestion": suggestion,
                "assignment": post, "created_by": who.username, "created_ms": now,
            }  # fmt: skip
            row = an.Action.create(**values)
            self._sign(who.username, ACTION_RECORD, inmate, {"id": row.id, **values})
        return row
