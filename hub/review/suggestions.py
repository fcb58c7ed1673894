"""Suggestions with reasons (#17 item 4): who might do better on another step, who needs training,
which step of a line is short of people this week. Never a move by itself: an officer reads the
reason and decides (`hub.review.actions` records what he did).

Pure and exact: it takes an area's stored days (`WorkDay`) and the thresholds in force
(`SuggestSettings`, versioned in the site's settings, `settings_on`) and returns `Suggestion`s whose
figures the page puts into words.

- **No suggestion** for an inmate with fewer than `min_days` days in the window: too little to judge.
- **Move** (调岗): on the step of his latest day he is at `cur`% over `n` days; on another step of the
  same product he reached `other`% over at least `min_days` days, at least `good_pct` and at least
  `better_margin_pct` points above `cur`. The best such step is named; if it is short of people on
  his line this week, the reason says so (those come first).
- **Training** (培训): on the step of his latest day, after at least `train_after_days` days there,
  his daily completion was below `low_pct` on at least `low_days` of his last `recent_days` days
  there. An inmate with a move suggestion gets none (the move is the answer offered).
- **Short** (缺人): over the last `week_days` days of a line, its thinnest step (fewest pieces its
  holders' quotas call for) stands below the next thinnest by at least one person's pieces on that
  step (rounded half up): "short of N persons this week".
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from fractions import Fraction
from math import floor
from typing import Any

from hub.errors import HubError
from hub.review import suggest_texts
from hub.review.skills import SkillSettings, exact_sum, weighted_pct

suggest_texts.register()

MOVE, TRAIN, SHORT = "move", "train", "short"


@dataclass(frozen=True, slots=True, kw_only=True)
class SuggestSettings:
    """The thresholds (defaults here; a site's versions change them from a day on)."""

    window_days: int = 90  # the days read back from today
    min_days: int = 10  # fewer days in the window, or on a step: no suggestion on it
    good_pct: Fraction = Fraction(100)  # a better step must reach at least this
    better_margin_pct: Fraction = Fraction(20)  # ... and be this many points above his current step
    low_pct: Fraction = Fraction(80)  # a day below this counts towards training
    recent_days: int = 20  # his last days on the step that are looked at
    low_days: int = 10  # ... of which at least this many were low
    train_after_days: int = 20  # training is suggested only after this many days on the step
    week_days: int = 7  # "this week": the line's last days for a shortage
    effect_workdays: int = 10  # an action's effect: this many workdays before and after


INT_PARAMS = frozenset(
    f.name for f in fields(SuggestSettings) if f.name not in ("good_pct", "better_margin_pct", "low_pct")
)
PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SuggestSettings))
MAX_DAYS = 366


class SettingsError(HubError):
    """A threshold that is not a number in its range (`name`: the parameter)."""

    def __init__(self, name: str) -> None:
        super().__init__("suggest.err.param", name=name)
        self.name = name


def parse_parameters(values: Mapping[str, Any]) -> dict[str, str]:
    """The changed thresholds as canonical text (whole days; percentages exact decimals 0-1000)."""
    out: dict[str, str] = {}
    for name, raw in values.items():
        if name not in PARAM_NAMES:
            raise SettingsError(name)
        text = str(raw).strip()
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError) as err:
            raise SettingsError(name) from err
        if name in INT_PARAMS:
            if value.denominator != 1 or not 1 <= value <= MAX_DAYS:
                raise SettingsError(name)
            out[name] = str(int(value))
        else:
            if not 0 <= value <= 1000 or "/" in text:
                raise SettingsError(name)
            out[name] = text
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class SettingsVersion:
    valid_from: date
    order: int  # versions of one day apply in this order (the row id)
    parameters: str  # JSON of canonical text, as stored and signed


def settings_on(versions: Iterable[SettingsVersion], day: date) -> SuggestSettings:
    """The thresholds in force on `day`: the defaults, changed by each version from its day on."""
    settings = SuggestSettings()
    for v in sorted(versions, key=lambda v: (v.valid_from, v.order)):
        if v.valid_from > day:
            break
        changes: dict[str, Any] = {}
        for name, text in json.loads(v.parameters).items():
            if name in PARAM_NAMES:
                changes[name] = int(text) if name in INT_PARAMS else Fraction(text)
        settings = replace(settings, **changes)
    return settings


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkDay:
    """One stored daily result of an inmate on a counted step, in standard seconds and pieces."""

    inmate: str
    line: str
    step: tuple[str, str]  # (product, step)
    day: date
    quota_s: Fraction
    earned_s: Fraction
    quota_units: Fraction


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    """One suggestion and the figures of its reason; `key` names it for an action that answers it."""

    kind: str  # MOVE | TRAIN | SHORT
    line: str
    step: tuple[str, str]  # the step to move to / to train on / that is short
    inmate: str | None = None
    from_step: tuple[str, str] | None = None  # MOVE: the step he is on
    pct: Fraction | None = None  # MOVE: on `step`; TRAIN: on `step` over his recent days
    days: int = 0  # MOVE: days on `step`; TRAIN: days on the step in the window
    from_pct: Fraction | None = None
    from_days: int = 0
    low: int = 0  # TRAIN: his days below `low_pct` among the last `recent`
    low_pct: Fraction | None = None
    recent: int = 0
    short_by: int = 0  # SHORT, or MOVE to a step that is short: persons

    @property
    def key(self) -> str:
        who = self.inmate or self.line
        return f"{self.kind}:{who}:{self.step[0]}/{self.step[1]}"


def _pct(days: Sequence[WorkDay]) -> Fraction | None:
    quota = exact_sum(d.quota_s for d in days)
    return 100 * exact_sum(d.earned_s for d in days) / quota if quota else None


def shortages(days: Iterable[WorkDay], today: date, settings: SuggestSettings) -> list[Suggestion]:
    """Each line's step short of at least one person over the last `week_days` days."""
    first = today - timedelta(days=settings.week_days - 1)
    capacity: dict[str, dict[tuple[str, str], Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    holders: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    worked: dict[str, set[date]] = defaultdict(set)
    for d in days:
        if first <= d.day <= today and d.quota_units > 0:
            capacity[d.line][d.step] += d.quota_units
            holders[d.line][d.step] += 1
            worked[d.line].add(d.day)
    out = []
    for line in sorted(capacity):
        steps = capacity[line]
        if len(steps) < 2:
            continue
        neck = min(steps, key=lambda s: (steps[s], s))
        target = min(c for s, c in steps.items() if s != neck)
        # one person's pieces on the step over the line's days: his day's quota times its days
        per_person = steps[neck] / holders[line][neck] * len(worked[line])
        persons = floor((target - steps[neck]) / per_person + Fraction(1, 2))
        if persons >= 1:
            out.append(Suggestion(kind=SHORT, line=line, step=neck, short_by=persons))
    return out


def suggest(days: Iterable[WorkDay], today: date, settings: SuggestSettings) -> list[Suggestion]:
    """Every suggestion for the area whose stored days in the window are `days` (any order).

    A step's efficiency is the skill matrix's (`hub.review.skills.weighted_pct`: recent days weigh
    more), computed only for the cells a suggestion can rest on."""
    first = today - timedelta(days=settings.window_days - 1)
    rows = [d for d in days if first <= d.day <= today]
    short = shortages(rows, today, settings)
    short_of = {(s.line, s.step): s.short_by for s in short}
    by_inmate: dict[str, list[WorkDay]] = defaultdict(list)
    for d in rows:
        by_inmate[d.inmate].append(d)
    moves: list[Suggestion] = []
    trains: list[Suggestion] = []
    for inmate in sorted(by_inmate):
        his = by_inmate[inmate]
        if len(his) < settings.min_days:
            continue  # too few days to judge anything
        his.sort(key=lambda d: d.day)
        latest = his[-1]
        by_step: dict[tuple[str, str], list[WorkDay]] = defaultdict(list)
        for d in his:
            by_step[d.step].append(d)
        move = _move(inmate, latest, by_step, today, settings, short_of)
        if move is not None:
            moves.append(move)
            continue
        on_step = by_step[latest.step]
        if len(on_step) < settings.train_after_days:
            continue
        recent = on_step[-settings.recent_days :]
        low = sum(1 for d in recent if d.quota_s and 100 * d.earned_s < settings.low_pct * d.quota_s)
        if low >= settings.low_days:
            trains.append(
                Suggestion(kind=TRAIN, inmate=inmate, line=latest.line, step=latest.step, pct=_pct(recent),
                           days=len(on_step), low=low, recent=len(recent), low_pct=settings.low_pct)
            )  # fmt: skip
    moves.sort(key=lambda s: (-s.short_by, -(s.pct or 0) + (s.from_pct or 0), s.inmate or ""))
    trains.sort(key=lambda s: (-s.low, s.inmate or ""))
    return [*short, *moves, *trains]


def _move(
    inmate: str,
    latest: WorkDay,
    by_step: Mapping[tuple[str, str], list[WorkDay]],
    today: date,
    settings: SuggestSettings,
    short_of: Mapping[tuple[str, tuple[str, str]], int],
) -> Suggestion | None:
    here_days = len(by_step[latest.step])
    if here_days < settings.min_days:
        return None
    half_life = SkillSettings().half_life_days  # as the skill matrix weighs them
    here_pct: Fraction | None = None
    best: tuple[Fraction, tuple[str, str], int] | None = None
    for step, days in sorted(by_step.items()):
        if step == latest.step or step[0] != latest.step[0] or len(days) < settings.min_days:
            continue  # a move stays within the product his line makes, on enough days there
        pct = weighted_pct(days, today, half_life)
        if pct is None or pct < settings.good_pct:
            continue
        if here_pct is None:
            here_pct = weighted_pct(by_step[latest.step], today, half_life)
            if here_pct is None:
                return None
        if pct - here_pct >= settings.better_margin_pct:
            rank = (short_of.get((latest.line, step), 0), pct)
            if best is None or rank > (short_of.get((latest.line, best[1]), 0), best[0]):
                best = (pct, step, len(days))
    if best is None or here_pct is None:
        return None
    pct, step, days_there = best
    return Suggestion(
        kind=MOVE,
        inmate=inmate,
        line=latest.line,
        step=step,
        from_step=latest.step,
        pct=pct,
        days=days_there,
        from_pct=here_pct,
        from_days=here_days,
        short_by=short_of.get((latest.line, step), 0),
    )
