"""The daily review's late-entry section (补录): the line-day's late entries with who entered and who
approved each, an approve button for open ones, and the form to enter one for a day of an open month.

Every act goes through `hub.review.late.LateEntries`, which checks scope, lock, window and four eyes
on the server; the form only offers choices. Texts are in `hub.web.review.late_texts`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from nicegui import ui

from hub.accounts import Principal
from hub.app import late_entries_service
from hub.masterdata import queries as md_queries
from hub.review import late as lx
from hub.review.corrections import CorrectionError
from hub.store import masterdata as md_tables
from hub.store import review as review_tables
from hub.web.context import WebContext
from hub.web.people import officer_labels
from hub.web.review.late_texts import t

KINDS = ("warehoused_count", "excused_absence", "check_in", "check_out", "unit_count")
Act = Callable[[Callable[[Principal], object]], Callable[[], Any]]


def late_desk(ctx: WebContext) -> lx.LateEntries | None:
    """The late-entry service from the hub's context (None without a ledger); an approval asks the
    results worker to recompute each day it covers."""
    if ctx.ledger is None:
        return None
    window = int(getattr(ctx.config, "correction_window_days", 7) if ctx.config is not None else 7)
    return late_entries_service(
        ctx.db,
        ctx.ledger,
        today=ctx.today,
        clock_ms=ctx.clock,
        zone=ctx.zone,
        window_days=window,
        on_applied=None if ctx.results is None else ctx.results.request_day,
    )


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError as err:
        raise CorrectionError("review.err.day") from err


class LateSection:
    """Built inside the daily review's refreshable sections; `act` is the page's guarded click."""

    def __init__(
        self, ctx: WebContext, desk: lx.LateEntries, lang: str, line: str, day: date, act: Act
    ) -> None:
        self.ctx, self.desk, self.lang, self.line, self.day, self.act = ctx, desk, lang, line, day, act

    def build(self, names: dict[str, str]) -> None:
        """`names`: inmate id -> "prison number name" (hub.web.people.inmate_labels)."""
        self.officers = officer_labels(self.lang)
        ui.label(t("late.title", self.lang)).classes("text-h6")
        entries = lx.entries_for(self.line, self.day)
        if not entries:
            ui.label(t("late.none", self.lang)).mark("late-none")
        for entry in entries:
            self._row(entry, names)
        self._form(names)

    def _what(self, entry: review_tables.LateEntry, names: dict[str, str]) -> str:
        kind = t(f"late.kind.{entry.type}", self.lang)
        who = names.get(entry.person, entry.person) if entry.person else ""
        if entry.type in lx.CHECKS:
            at = datetime.fromtimestamp(int(entry.at_ms or 0) / 1000, self.ctx.zone).strftime("%H:%M")
            amount = at
        elif entry.type == "excused_absence":
            amount = t("late.minutes", self.lang, minutes=entry.value)
        else:
            amount = t("late.units", self.lang, units=entry.value)
        days = entry.day if entry.day == entry.last_day else f"{entry.day} ~ {entry.last_day}"
        return " ".join(x for x in (days, kind, who, entry.product or "", amount) if x)

    def _row(self, entry: review_tables.LateEntry, names: dict[str, str]) -> None:
        state = (
            t(
                "late.approved",
                self.lang,
                approver=self.officers.get(str(entry.approver), str(entry.approver)),
            )
            if entry.status == review_tables.APPROVED
            else t("late.proposed", self.lang)
        )
        with ui.column().classes("gap-0"):
            ui.label(
                t(
                    "late.row",
                    self.lang,
                    what=self._what(entry, names),
                    proposer=self.officers.get(entry.proposer, entry.proposer),
                    state=state,
                )
            ).mark(f"late-{entry.id}")
            ui.label(t("late.reason_row", self.lang, reason=entry.reason)).mark(f"late-reason-{entry.id}")
            if entry.status == review_tables.PROPOSED:

                def approve(who: Principal, entry_id: int = entry.id) -> object:
                    return self.desk.approve(who, entry_id)

                ui.button(t("late.approve", self.lang), on_click=self.act(approve)).mark(
                    f"late-approve-{entry.id}"
                )

    def _form(self, names: dict[str, str]) -> None:
        ui.label(t("late.enter", self.lang)).classes("text-subtitle1")
        people = {
            person: names.get(person, person)
            for person, post in sorted(md_queries.posts_on(self.day).items())
            if post.line == self.line
        }
        products = {
            p.code: f"{p.name} ({p.code})"
            for p in md_tables.Product.select().order_by(md_tables.Product.code)
        }
        with ui.row().classes("items-end"):
            kind = ui.select(
                {k: t(f"late.kind.{k}", self.lang) for k in KINDS},
                value=KINDS[0],
                label=t("late.kind", self.lang),
            ).classes("w-40")
            kind.mark("late-kind")
            first = ui.input(t("late.day", self.lang), value=self.day.isoformat()).props("maxlength=10")
            first.classes("w-32").mark("late-day")
            last = ui.input(t("late.last_day", self.lang), value=self.day.isoformat()).props("maxlength=10")
            last.classes("w-32").mark("late-last-day")
            person = ui.select(people, label=t("late.person", self.lang)).classes("w-48").mark("late-person")
            product = ui.select(products, label=t("late.product", self.lang)).classes("w-48")
            product.mark("late-product")
            value = ui.input(t("late.value", self.lang)).classes("w-36").mark("late-value")
            at = ui.input(t("late.time", self.lang)).props("maxlength=5").classes("w-24").mark("late-time")
            reason = ui.input(t("late.reason", self.lang)).classes("w-96").mark("late-reason")

            def show(_: object = None) -> None:
                # only the fields the chosen kind reads
                chosen = kind.value
                last.set_visibility(chosen == "excused_absence")
                person.set_visibility(chosen != "warehoused_count")
                product.set_visibility(chosen == "warehoused_count")
                value.set_visibility(chosen not in lx.CHECKS)
                at.set_visibility(chosen in lx.CHECKS)

            kind.on_value_change(show)
            show()

            def propose(who: Principal) -> object:
                return self.desk.propose(
                    who,
                    lx.Draft(
                        type=str(kind.value or ""),
                        day=_day(first.value),
                        last_day=_day(last.value) if kind.value == "excused_absence" else None,
                        line=self.line,
                        product=str(product.value or ""),
                        person=str(person.value or ""),
                        value=str(value.value or ""),
                        at=str(at.value or ""),
                        reason=str(reason.value or ""),
                    ),
                )

            ui.button(t("late.submit", self.lang), on_click=self.act(propose)).mark("late-propose")
