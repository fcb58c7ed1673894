"""Board snapshots from the hub's tables: master data, daily results and the latest checkpoint.

Runs in a worker thread (the board calls it through `run.io_bound`). A target is a line code or an
area code. The day shown is the latest day before today that has results for the target's lines
(yesterday on a working week; Friday on a Monday), and today's strip sums today's results so far.

Weekly reviews published to the board (公示) are read from `published(target, today)` when the hub
gives such a callable (the weekly-review page owns that table); without one nothing is published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import peewee

from hub import checkpoints, masterdata, results
from hub.web.board_model import BoardRow, BoardSnapshot, LineProgress, Published

PublishedSource = Callable[[str, date], Sequence[Published]]


class UnknownTarget(LookupError):
    """No line or area has this code: the board shows nothing."""


def _decimal(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


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
        dr = results.DailyResult
        shown_day = (
            dr.select(peewee.fn.MAX(dr.day)).where(dr.line.in_(codes) & (dr.day <= day.isoformat())).scalar()
            if codes
            else None
        )
        board_day = date.fromisoformat(shown_day) if shown_day else day
        day_rows = (
            list(dr.select().where(dr.line.in_(codes) & (dr.day == board_day.isoformat()))) if codes else []
        )
        inmate_ids = sorted({r.inmate for r in day_rows})
        inmates = (
            {i.id: i for i in masterdata.Inmate.select().where(masterdata.Inmate.id.in_(inmate_ids))}
            if inmate_ids
            else {}
        )
        steps = {(s.product, s.code): s.name for s in masterdata.Step.select()}
        month_pct = self._month_pct(inmate_ids, board_day)
        rows = [
            BoardRow(
                number=inmates[r.inmate].number if r.inmate in inmates else r.inmate,
                name=inmates[r.inmate].name if r.inmate in inmates else None,
                line=names.get(r.line, r.line),
                step=steps.get((r.product, r.step), r.step),
                quota_units=_decimal(r.quota_units),
                done_units=_decimal(r.done_units),
                diff_units=_decimal(r.diff_units),
                completion_pct=_decimal(r.completion_pct),
                month_pct=month_pct.get(r.inmate),
            )
            for r in day_rows
        ]
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

    def _month_pct(self, inmate_ids: list[str], day: date) -> dict[str, Fraction]:
        """Month to date: earned over quota standard seconds, exact, from the 1st to `day`."""
        if not inmate_ids:
            return {}
        dr = results.DailyResult
        first = day.replace(day=1).isoformat()
        earned: dict[str, Fraction] = defaultdict(Fraction)
        quota: dict[str, Fraction] = defaultdict(Fraction)
        query = dr.select(dr.inmate, dr.earned_std_seconds, dr.quota_std_seconds).where(
            dr.inmate.in_(inmate_ids) & (dr.day >= first) & (dr.day <= day.isoformat())
        )
        for row in query:
            earned[row.inmate] += results.exact(row.earned_std_seconds)
            quota[row.inmate] += results.exact(row.quota_std_seconds)
        return {i: 100 * earned[i] / quota[i] for i in quota if quota[i]}

    def _today(self, lines: list[masterdata.Line], today: date) -> tuple[LineProgress, ...]:
        dr = results.DailyResult
        out = []
        for line in lines:
            quota = Decimal(0)
            done = Decimal(0)
            people = 0
            for row in dr.select(dr.quota_units, dr.done_units).where(
                (dr.line == line.code) & (dr.day == today.isoformat())
            ):
                quota += _decimal(row.quota_units) or 0
                done += _decimal(row.done_units) or 0
                people += 1
            out.append(
                LineProgress(
                    line=line.code,
                    line_name=line.name,
                    quota_units=quota if people else None,
                    done_units=done if people else None,
                    people=people,
                )
            )
        return tuple(out)

    def _fingerprint(self) -> str | None:
        sc = checkpoints.StoredCheckpoint
        latest = sc.select(sc.root).order_by(sc.tree_size.desc(), sc.id.desc()).first()
        return None if latest is None else str(latest.root)
