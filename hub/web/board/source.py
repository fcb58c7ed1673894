"""Board snapshots from the hub's tables: master data, daily results and the latest checkpoint.

Runs in a worker thread (the board calls it through `run.io_bound`, behind one
`hub.web.board.cache.SnapshotCache` that all screens share). A target is a line code or an
area code. The day shown is the latest day before today that has results for the target's lines
(yesterday on a working week; Friday on a Monday), and today's strip sums today's results so far.

Weekly reviews published to the board (公示) are read from `published(target, today)` when the hub
gives such a callable (the weekly-review page owns that table); without one nothing is published.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import peewee

from hub.engine.model import Month
from hub.errors import HubError
from hub.masterdata import queries as md_queries
from hub.store import capture as cap
from hub.store import masterdata
from hub.store.ledger import StoredCheckpoint
from hub.store.results import DailyResult
from hub.web.board import texts
from hub.web.board.model import BoardRow, BoardSnapshot, LineProgress, Published, RowKind

texts.register()

PublishedSource = Callable[[str, date], Sequence[Published]]


class UnknownTarget(HubError, LookupError):
    """No line or area has this code: the board shows nothing."""

    def __init__(self, target: str) -> None:
        super().__init__("board.unknown_target", target=target)
        self.target = target


def _decimal(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _exact_parts(text: str) -> tuple[int, int]:
    """Numerator and denominator of an exact value as the results store it ("n/d" or "n")."""
    numerator, _, denominator = text.partition("/")
    try:
        return int(numerator), int(denominator) if denominator else 1
    except ValueError:  # any other form Fraction reads (e.g. "1.5"): the slow path
        value = Fraction(text)
        return value.numerator, value.denominator


def _sum_parts(parts: dict[int, int]) -> Fraction:
    """The exact sum of numerators grouped by denominator ({denominator: sum of numerators})."""
    common = math.lcm(*parts)
    return Fraction(
        sum(numerator * (common // denominator) for denominator, numerator in parts.items()), common
    )


class HubBoardSource:
    def __init__(self, db: peewee.Database, *, published: PublishedSource | None = None) -> None:
        self.db = db
        self.published = published

    def _lines(self, target: str) -> tuple[str, str | None, list[masterdata.Line]]:
        line = masterdata.Line.get_or_none(masterdata.Line.code == target)
        if line is not None:
            area = masterdata.Area.get_or_none(masterdata.Area.code == line.area)
            return (area.name if area else line.area), line.name, [line]
        area = masterdata.Area.get_or_none(masterdata.Area.code == target)
        if area is None:
            raise UnknownTarget(target)
        lines = list(
            masterdata.Line.select().where(masterdata.Line.area == target).order_by(masterdata.Line.code)
        )
        return area.name, None, lines

    def snapshot(self, target: str, *, day: date, today: date) -> BoardSnapshot:
        with self.db.connection_context():
            return self._snapshot(target, day=day, today=today)

    def _snapshot(self, target: str, *, day: date, today: date) -> BoardSnapshot:
        area_name, line_name, lines = self._lines(target)
        codes = [line.code for line in lines]
        names = {line.code: line.name for line in lines}
        dr = DailyResult
        inmate = masterdata.Inmate
        shown_day = (
            dr.select(peewee.fn.MAX(dr.day)).where(dr.line.in_(codes) & (dr.day <= day.isoformat())).scalar()
            if codes
            else None
        )
        board_day = date.fromisoformat(shown_day) if shown_day else day
        on_board = dr.line.in_(codes) & (dr.day == board_day.isoformat())
        day_rows = (
            self._rows(
                dr.select(
                    dr.inmate,
                    dr.line,
                    dr.product,
                    dr.step,
                    dr.quota_units,
                    dr.done_units,
                    dr.completion_pct,
                    inmate.number,
                    inmate.name,
                )
                .join(inmate, peewee.JOIN.LEFT_OUTER, on=(dr.inmate == inmate.id))
                .where(on_board)
            )
            if codes
            else []
        )
        md_step = masterdata.Step
        steps = {
            (p, c): n for p, c, n in self._rows(md_step.select(md_step.product, md_step.code, md_step.name))
        }
        month_pct = self._month_pct(dr.select(dr.inmate).where(on_board), board_day) if day_rows else {}
        keyed = [
            (
                who,
                BoardRow(
                    number=number if number is not None else who,
                    name=name,
                    line=names.get(line, line),
                    step=steps.get((product, step), step),
                    quota_units=_decimal(quota),
                    done_units=_decimal(done),
                    completion_pct=_decimal(pct),
                    month_pct=month_pct.get(who),
                ),
            )
            for who, line, product, step, quota, done, pct, number, name in day_rows
        ]
        rows = self._v2_rows(keyed, codes, names, board_day)
        rows.sort(key=lambda row: (row.line or "", row.number))
        return BoardSnapshot(
            area_name=area_name,
            line_name=line_name,
            day=board_day,
            rows=tuple(rows),
            today=self._today(lines, today),
            fingerprint=self._fingerprint(),
            published=tuple(self.published(target, today)) if self.published else (),
        )

    def _v2_rows(
        self, keyed: list[tuple[str, BoardRow]], codes: list[str], names: dict[str, str], day: date
    ) -> list[BoardRow]:
        """Rule book v2 on the board's day: a trainee's row is marked (its quota is the engine's
        training quota already); a rated post's day is a row with its grade (or 待评), never units; an
        inmate exempt that day is a 免考核 row that owes nothing (the engine makes no daily record
        for him, so without this he would silently vanish from his line)."""
        rows = [row for _, row in keyed]
        if not codes or not md_queries.rule_book().for_month(Month.of(day)).params.v2:
            return rows
        posts = {i: a for i, a in md_queries.posts_on(day).items() if a.line in codes}
        if not posts:
            return rows
        exempt = {i.id for i in md_queries.engine_inmates() if i.id in posts and i.exempt_on(day)}
        training = {i for i, a in posts.items() if a.training and a.mode != "rated"}
        grades = {
            str(g): str(v)
            for g, v in self._rows(
                cap.Grade.select(cap.Grade.inmate, cap.Grade.grade).where(cap.Grade.day == day.isoformat())
            )
        }
        post_names = {
            c: n for c, n in self._rows(masterdata.Post.select(masterdata.Post.code, masterdata.Post.name))
        }
        inmate = masterdata.Inmate
        people = {
            i: (num, name)
            for i, num, name in self._rows(
                inmate.select(inmate.id, inmate.number, inmate.name).where(inmate.id.in_(sorted(posts)))
            )
        }
        out: list[BoardRow] = []
        for who, row in keyed:
            if who in exempt or (who in posts and posts[who].mode == "rated"):
                continue  # a record from before he was exempt or rated: the row below replaces it
            out.append(dataclasses.replace(row, training=True) if who in training else row)
        for who, a in sorted(posts.items()):
            if who not in exempt and a.mode != "rated":
                continue
            kind = RowKind.EXEMPT if who in exempt else RowKind.RATED
            number, name = people.get(who, (None, None))
            out.append(
                BoardRow(
                    number=number or who,
                    name=name,
                    line=names.get(a.line, a.line),
                    step=post_names.get(a.post or "", a.post) if a.mode == "rated" else None,
                    kind=kind,
                    grade=grades.get(who) if kind is RowKind.RATED else None,
                )
            )
        return out

    def _month_pct(self, inmates: peewee.Select, day: date) -> dict[str, Fraction]:
        """Month to date: earned over quota standard seconds, exact, from the 1st to `day`, for the
        inmates `inmates` selects (whichever line they worked on).

        The stored values are exact fractions as text ("n/d"); a month of a 400-row board is ~8,000
        rows, so numerators are summed per denominator as plain ints and brought over one common
        denominator at the end: the same exact result as adding Fractions, in a fifth of the time."""
        dr = DailyResult
        earned: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        quota: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        query = dr.select(dr.inmate, dr.earned_std_seconds, dr.quota_std_seconds).where(
            dr.inmate.in_(inmates) & (dr.day >= day.replace(day=1).isoformat()) & (dr.day <= day.isoformat())
        )
        for who, earned_text, quota_text in self._rows(query):
            numerator, denominator = _exact_parts(earned_text)
            earned[who][denominator] += numerator
            numerator, denominator = _exact_parts(quota_text)
            quota[who][denominator] += numerator
        out = {}
        for who, parts in quota.items():
            total_quota = _sum_parts(parts)
            if total_quota:
                out[who] = 100 * _sum_parts(earned[who]) / total_quota
        return out

    def _today(self, lines: list[masterdata.Line], today: date) -> tuple[LineProgress, ...]:
        dr = DailyResult
        quota: dict[str, Decimal] = defaultdict(Decimal)
        done: dict[str, Decimal] = defaultdict(Decimal)
        people: dict[str, int] = defaultdict(int)
        query = dr.select(dr.line, dr.quota_units, dr.done_units).where(
            dr.line.in_([line.code for line in lines]) & (dr.day == today.isoformat())
        )
        for line, quota_text, done_text in self._rows(query) if lines else ():
            quota[line] += _decimal(quota_text) or 0
            done[line] += _decimal(done_text) or 0
            people[line] += 1
        return tuple(
            LineProgress(
                line=line.code,
                line_name=line.name,
                quota_units=quota[line.code] if people[line.code] else None,
                done_units=done[line.code] if people[line.code] else None,
                people=people[line.code],
            )
            for line in lines
        )

    def _rows(self, query: peewee.Select) -> list[tuple[Any, ...]]:
        """The query's rows as the database driver returns them. Not peewee models, nor its per-value
        conversion: for a 400-row board with a month of results that costs more than the queries, and
        every column read here is text already."""
        return list(self.db.execute(query))  # type: ignore[no-untyped-call]

    def _fingerprint(self) -> str | None:
        sc = StoredCheckpoint
        latest = sc.select(sc.root).order_by(sc.tree_size.desc(), sc.id.desc()).first()
        return None if latest is None else str(latest.root)
