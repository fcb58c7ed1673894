"""Monthly assessment (月考核): the month's scores per area, approvals, reopening and adjustments.

The engine's monthly labor scores (`compute_month`) from THE month input
(`hub.results.inputs.month_input`, adjustments included). Approval chain per area and month: line
officer -> area head -> labor section, each by its own role and scope, in order. The labor section's
approval locks the month (`hub.review.lock.is_locked`): no adjustment here, and no correction or
master-data change elsewhere, may alter it. Reopening (labor section only, with a reason) voids the
approval of the chosen stage and of every stage after it; earlier approvals stay.

An approval signs its inputs: its ledger entry carries the digest of the area's rows and the `Cut`
they were computed at (local date, kiosk heads, ledger size, adjustment ids, rule set), and the page
sends the digest it showed; if the month recomputed now gives another digest, the approval is
refused (`stale`). `floorledger verify` then re-derives it by one recomputation (docs/audit.md).

**Adjustments** (加扣分) are entered per inmate and month with a reason; a new adjustment (or the
voiding of one) changes the numbers, so it voids any approvals already given for that area and
month. Nothing is deleted: an adjustment is voided by a new recorded act.

Every act is recorded in the hub's ledger inside the same transaction, so a failing ledger write
undoes the act. `Assessment` is the one object the pages use for both reviews.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from hub.engine.compute import MonthIndex, compute_month
from hub.engine.explain import explain_monthly
from hub.engine.model import Month, MonthResult
from hub.results import inputs as mi
from hub.review import month_publication as mp
from hub.review.lock import STAGES, active_stages, is_locked
from hub.review.open_items import open_items
from hub.review.rules import (
    Actor,
    AssessmentError,
    MonthRow,
    MonthView,
    check_approval,
    check_guard,
    check_reason,
    check_reopen,
    month_state,
    parse_month,
    parse_points,
    score_areas,
)
from hub.review.weekly import WeeklyReview
from hub.store.db import write_transaction
from hub.store.ledger import LedgerEntry
from hub.store.masterdata import Inmate, Line
from hub.store.review import Adjustment, MonthApproval, MonthReviewAnswer

__all__ = ["Assessment"]

# Transitional, for callers outside the review that still name these here (hub.masterdata.service's
# lock check and its tests); new code imports hub.review.lock, hub.review.rules and hub.store.review.
__all__ += ["STAGES", "Actor", "MonthApproval", "is_locked"]


class Assessment(WeeklyReview):
    """The weekly (`WeeklyReview`) and monthly acts on a bound hub database.

    `month_publish_days` is how long the area head's approval publishes the month (the site's
    setting); `on_change()` runs after an act the kiosks must learn of (a publication, a withdrawal,
    an answer to a review request): the hub app republishes the line plans."""

    month_publish_days: int = mp.DEFAULT_MONTH_PUBLISH_DAYS
    on_change: Callable[[], object] | None = None

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # --- monthly assessment --------------------------------------------------------------------------

    def month_result(self, month: Month) -> tuple[MonthResult, mi.MonthInputs]:
        """The whole site's month, adjustments included, and the input (with its cut) it came from."""
        read = mi.month_input(self.db, month, through=self.today())
        return compute_month(read.inputs, read.rule_set), read

    def month_view(self, month: Month, area: str) -> MonthView:
        return self._month_view(month, area)[0]

    def _month_view(self, month: Month, area: str) -> tuple[MonthView, mi.Cut]:
        result, read = self.month_result(month)
        line_area = {x.code: x.area for x in Line.select()}
        people = {i.id: i for i in Inmate.select()}
        adjusted = {a.inmate: a.area for a in Adjustment.select().where(Adjustment.month == str(month))}
        areas = score_areas(result, line_area, {i: p.area for i, p in people.items()}, adjusted)
        rows = []
        for score in result.monthly:
            person = people.get(score.inmate)
            where = areas[score.inmate]
            if where != area:
                continue
            rows.append(
                MonthRow(
                    inmate=score.inmate,
                    number=person.number if person else score.inmate,
                    name=person.name if person else "",
                    area=where or "",
                    score=score,
                )
            )
        approvals = (
            MonthApproval.select()
            .where(
                (MonthApproval.month == str(month))
                & (MonthApproval.area == area)
                & MonthApproval.voided_ms.is_null()
            )
            .order_by(MonthApproval.id)
        )
        active = tuple((a.stage, a.approver, a.approved_ms) for a in approvals)
        view = MonthView(
            month=month,
            area=area,
            rows=tuple(rows),
            rule_set=read.rule_set,
            approvals=active,
            state=month_state([a[0] for a in active]),
        )
        assert read.cut is not None  # month_input read the records itself
        return view, read.cut

    def readable_view(self, actor: Actor, view: MonthView) -> MonthView:
        """`view` with only the rows `actor` may read (a line officer: inmates posted on their lines in
        the month). Its digest is then not the area's: approvals send the whole view's."""
        allowed = self.readable_inmates(actor, view.area, view.month.first_day, view.month.last_day)
        if allowed is None:
            return view
        return replace(view, rows=tuple(r for r in view.rows if r.inmate in allowed))

    def require_inmate(self, actor: Actor, month: Month, area: str, inmate: str) -> None:
        """Refuse an act on an inmate `actor` may not read this month (a line officer: another line's)."""
        allowed = self.readable_inmates(actor, area, month.first_day, month.last_day)
        if allowed is not None and inmate not in allowed:
            raise AssessmentError("inmate_scope", f"inmate {inmate[:20]!r} is not posted on your lines")

    def explain(self, month: Month, inmate: str, lang: str = "zh") -> str:
        """The engine's explanation of one inmate's monthly score, adjustments included."""
        _, read = self.month_result(month)
        index = MonthIndex(read.inputs, read.rule_set)
        return explain_monthly(index, inmate).render("en" if lang == "en" else "zh")

    def open_items(self, month: Month, area: str) -> dict[str, int]:
        """The items still open in the area's month, per kind (`hub.review.open_items`)."""
        read = mi.month_input(self.db, month, through=self.today())
        return open_items(read, month, self.area_lines(area))

    def overrides(self, month: Month, area: str) -> list[tuple[str, str, str]]:
        """(stage, approver, reason) of each approval in force given with an override, in order:
        read from the signed acts, shown to every later approver."""
        return [
            (str(p["stage"]), actor, str(p["override"]["reason"]))
            for actor, p in self._approval_acts(month, area)
            if isinstance(p.get("override"), dict)
        ]

    def _approval_acts(self, month: Month, area: str) -> list[tuple[str, dict[str, Any]]]:
        """(actor, payload) of the `month.approve` act behind each approval in force, in stage order."""
        if not LedgerEntry.table_exists():  # type: ignore[no-untyped-call]
            return []
        in_force = {
            (a.stage, a.approver, a.rows_digest)
            for a in MonthApproval.select().where(
                (MonthApproval.month == str(month))
                & (MonthApproval.area == area)
                & MonthApproval.voided_ms.is_null()
            )
        }
        acts = LedgerEntry.select(LedgerEntry.actor, LedgerEntry.payload).where(
            (LedgerEntry.action == "month.approve") & (LedgerEntry.subject == f"month:{area}:{month}")
        )
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for entry in acts.order_by(LedgerEntry.entry_index):
            payload = json.loads(entry.payload)
            if (payload.get("stage"), entry.actor, payload.get("rows_digest")) in in_force:
                found[str(payload["stage"])] = (str(entry.actor), payload)
        return [found[stage] for stage in STAGES if stage in found]

    def approve(
        self,
        actor: Actor,
        month: Month,
        area: str,
        shown_digest: str | None = None,
        *,
        override: str | None = None,
    ) -> str:
        """Approve the area's month at the next stage; `shown_digest` is `MonthView.digest` as the
        page showed it (refused if the month recomputed now differs). Refused while the month runs or
        an item is open in the area (`hub.review.open_items`) unless `override` gives a reason, which
        the ledger act carries (`override`: reason, whether the month was running, the open items)."""
        lines = self.area_lines(area)
        if area not in self.areas():
            raise AssessmentError("no_area", f"no such area: {area[:20]!r}")
        # refuse before computing the month
        due = check_approval(actor, area, lines, active_stages(month, area))
        final = due == STAGES[-1]
        published = mp.in_force(month, area) if final else None
        guard = check_guard(
            month,
            self.today(),
            self.open_items(month, area),
            override,
            final=final,
            published_until=None if published is None else date.fromisoformat(published.until),
        )
        view, cut = self._month_view(month, area)
        digest = view.digest
        if shown_digest is not None and shown_digest != digest:
            raise AssessmentError("stale", "the numbers changed after the page was shown")
        with write_transaction(self.db):
            stage = check_approval(actor, area, lines, active_stages(month, area))
            if tuple(i for i, _ in mi.in_force_adjustments(month)) != cut.adjustment_ids:
                raise AssessmentError("stale", "an adjustment changed the month while it was computed")
            MonthApproval.create(
                month=str(month),
                area=area,
                stage=stage,
                approver=actor.username,
                rows_digest=digest,
                approved_ms=self.clock_ms(),
            )
            self._act(
                actor,
                "month.approve",
                f"month:{area}:{month}",
                {
                    "stage": stage,
                    "rows_digest": digest,
                    "rule_set": view.rule_set.version,
                    "inputs": cut.payload(),
                    **({} if guard is None else {"override": guard}),
                },
            )
            if stage == STAGES[1]:  # the area head's approval publishes the month (公示)
                mp.publish(
                    actor=actor.username,
                    month=month,
                    area=area,
                    rows=view.rows,
                    today=self.today(),
                    days=self.month_publish_days,
                    now_ms=self.clock_ms(),
                    record_act=self.record_act,
                )
        if stage == STAGES[1]:
            self._changed()
        return stage

    def reopen(self, actor: Actor, month: Month, area: str, reason: str, stage: str = STAGES[0]) -> list[str]:
        """Void the approval of `stage` and every later stage (labor section only); returns them."""
        self.require_area(actor, area)
        with write_transaction(self.db):
            text, voided = check_reopen(actor, active_stages(month, area), stage, reason)
            withdrawn = self._void(month, area, voided, f"reopen: {text}")
            self._act(actor, "month.reopen", f"month:{area}:{month}", {"stages": voided, "reason": text})
        if withdrawn:
            self._changed()
        return voided

    def _void(self, month: Month, area: str, stages: Sequence[str], reason: str) -> bool:
        """Void the stages' approvals (inside the caller's transaction); True when that withdrew the
        month's publication (the area head's approval published it): the caller then tells the
        kiosks, once the transaction is committed."""
        withdrawn = STAGES[1] in stages and mp.withdraw(month, area, self.clock_ms()) > 0
        MonthApproval.update(voided_ms=self.clock_ms(), void_reason=reason).where(
            (MonthApproval.month == str(month))
            & (MonthApproval.area == area)
            & MonthApproval.stage.in_(list(stages))
            & MonthApproval.voided_ms.is_null()
        ).execute()
        return withdrawn

    def adjustments(self, month: Month, area: str) -> list[Adjustment]:
        query = Adjustment.select().where((Adjustment.month == str(month)) & (Adjustment.area == area))
        return list(query.order_by(Adjustment.id))

    def add_adjustment(
        self, actor: Actor, month: Month, area: str, inmate: str, points: str, reason: str
    ) -> Adjustment:
        """Add or deduct points; voids approvals already given (the numbers change); refused when locked."""
        self.require_area(actor, area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not enter adjustments")
        value = parse_points(points)
        text = check_reason(reason)
        if Inmate.get_or_none(Inmate.id == inmate.strip()) is None:
            raise AssessmentError("no_inmate", f"no such inmate: {inmate[:20]!r}")
        self.require_inmate(actor, month, area, inmate.strip())
        with write_transaction(self.db):
            approved = active_stages(month, area)
            if STAGES[-1] in approved:
                raise AssessmentError("locked", "the month is approved and locked; reopen it first")
            row = Adjustment.create(
                month=str(month),
                inmate=inmate.strip(),
                area=area,
                points=str(Decimal(value.numerator) / Decimal(value.denominator)),
                reason=text,
                created_by=actor.username,
                created_ms=self.clock_ms(),
            )
            withdrawn = bool(approved) and self._void(month, area, approved, "adjustment changed the month")
            self._act(
                actor,
                "month.adjust",
                f"month:{area}:{month}",
                {
                    "id": row.id,
                    "inmate": row.inmate,
                    "points": row.points,
                    "reason": text,
                    "voided": approved,
                },
            )
        if withdrawn:
            self._changed()
        return row

    def void_adjustment(self, actor: Actor, adjustment_id: int, reason: str) -> None:
        row = Adjustment.get_or_none(Adjustment.id == adjustment_id)
        if row is None or row.voided_ms is not None:
            raise AssessmentError("no_adjustment", "no such adjustment in force")
        self.require_area(actor, row.area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not enter adjustments")
        text = check_reason(reason)
        month = Month.parse(row.month)
        self.require_inmate(actor, month, row.area, row.inmate)
        with write_transaction(self.db):
            approved = active_stages(month, row.area)
            if STAGES[-1] in approved:
                raise AssessmentError("locked", "the month is approved and locked; reopen it first")
            Adjustment.update(voided_ms=self.clock_ms(), voided_by=actor.username, void_reason=text).where(
                Adjustment.id == adjustment_id
            ).execute()
            withdrawn = bool(approved) and self._void(month, row.area, approved, "adjustment voided")
            self._act(
                actor,
                "month.adjust_void",
                f"month:{row.area}:{month}",
                {"id": adjustment_id, "reason": text, "voided": approved},
            )
        if withdrawn:
            self._changed()

    # --- the inmates' month: review requests (复核) ----------------------------------------------------

    def publication(self, month: Month, area: str) -> mp.PublishedMonthView | None:
        """The area's publication of `month` in force, if any (shown on the monthly page)."""
        row = mp.in_force(month, area)
        if row is None:
            return None
        return mp.PublishedMonthView(
            area=row.area,
            month=row.month,
            rows=tuple(json.loads(row.rows)),
            valid_from=date.fromisoformat(row.valid_from),
            until=date.fromisoformat(row.until),
        )

    def review_requests(self, month: Month, area: str) -> list[mp.ReviewRequest]:
        """The review requests of the area's published month (of the inmates any publication of it
        listed, a withdrawn one too), with their answers."""
        persons = mp.published_persons(month, area)
        return mp.review_requests(month, persons) if persons else []

    def answer_review(
        self, actor: Actor, kiosk: str, seq: int, outcome: str, reason: str
    ) -> MonthReviewAnswer:
        """Answer an inmate's review request: `kept` or `changed` (the points were changed, e.g. by
        an adjustment), with a reason his kiosk shows; refused out of scope or in a locked month."""
        request = mp.request_of(kiosk, seq)
        month = parse_month(request.month)
        area = self._area_of_request(month, request.person)
        self.require_area(actor, area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not answer review requests")
        self.require_inmate(actor, month, area, request.person)
        text = check_reason(reason)
        if outcome not in mp.OUTCOMES:
            raise AssessmentError("bad_outcome", f"not an outcome: {outcome[:20]!r}")
        with write_transaction(self.db):
            if request.answer is not None or mp.request_of(kiosk, seq).answer is not None:
                raise AssessmentError("answered", f"{kiosk}#{seq} is already answered")
            if is_locked(self.db, month, area):
                raise AssessmentError("locked", "the month is approved and locked")
            answer = mp.record_answer(
                request=request,
                area=area,
                outcome=outcome,
                reason=text,
                officer=actor.username,
                now_ms=self.clock_ms(),
                record_act=self.record_act,
            )
        self._changed()
        return answer

    def _area_of_request(self, month: Month, person: str) -> str:
        """The area whose publication of `month` listed `person` (the latest one), else his own."""
        area = mp.area_of_person(month, person)
        if area is not None:
            return area
        person_row = Inmate.get_or_none(Inmate.id == person)
        if person_row is None or not person_row.area:
            raise AssessmentError("not_review", f"no publication lists {person[:20]!r}")
        return str(person_row.area)
