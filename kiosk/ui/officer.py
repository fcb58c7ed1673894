"""The officer's screen of the kiosk: the line's roster and the officer's panels (warehoused units,
excused minutes, count corrections, checking inmates in and out, the countersign's confirmation,
and rule book v2's grades of rated posts and rejects from a scanned bundle ticket).

Every panel fits the 800x480 panel without scrolling the page: a person is picked from a grid of
this line's inmates first, then the rest of the form replaces the grid (a long list scrolls inside
its own box, never the page)."""

from __future__ import annotations

from functools import partial

from nicegui import ui

from kiosk import inputs
from kiosk import session as s
from kiosk.ui.panels import Panels
from protocol.records import EXCUSE_REASONS, REJECT_REASONS

# The roster and the person grid show at most this tall a box; longer lists scroll inside it.
LIST_MAX_PX = 290
# The grading list: four rated inmates at a time under the title row and a message (800x480).
GRADE_LIST_PX = 236


class OfficerScreens(Panels):
    """The officer's part of one browser tab's view; `KioskView` shows it on the officer screen."""

    @ui.refreshable_method
    def officer_view(self) -> None:
        if self.ctrl.state.screen is not s.Screen.OFFICER:
            return
        ctx = self.ctrl.context()
        plan = s.usable_plan(ctx)
        officer = s.find_person(plan, self.ctrl.state.person or "")
        ui.label(self.t("officer.title", name=officer.name if officer else "")).classes(
            "text-2xl font-bold"
        ).mark("officer-title")
        if self.ctrl.state.pending is not None:
            self.confirm_step(self.t("confirm.countersign", day=ctx.day), self.t("confirm.yes_sign"))
            return
        if self.panel == "keypad":
            self.warehoused_panel(ctx)
            return
        if self.panel == "excuse":
            self.excuse_panel(ctx)
            return
        if self.panel == "correct":
            self.correct_panel(ctx)
            return
        if self.panel == "officer_check":
            self.officer_check_panel(ctx)
            return
        if self.ctrl.state.ticket is not None and self.panel != "reject":
            # a bundle ticket scanned on the officer's screen opens its reject at once
            self.reset_panel()
            self.panel = "reject"
        if self.panel == "grade":
            self.grade_panel(ctx)
            return
        if self.panel == "reject":
            self.reject_panel(ctx)
            return
        columns = [
            {"name": "id", "label": self.t("col.number"), "field": "id", "align": "left"},
            {"name": "name", "label": self.t("col.name"), "field": "name", "align": "left"},
            {"name": "step", "label": self.t("col.step"), "field": "step", "align": "left"},
            {"name": "state", "label": self.t("col.state"), "field": "state", "align": "left"},
            {"name": "units", "label": self.t("col.units"), "field": "units", "align": "right"},
        ]
        rows = [
            {
                "id": st.person.shown_number,
                "name": st.person.name,
                "step": st.person.step_name or st.person.step or st.person.post or "-",
                "state": self.t("inmate.state_in" if st.checked_in else "inmate.state_out"),
                "units": st.units,
            }
            for st in s.roster(ctx)
        ]
        with ui.row().classes("w-full no-wrap gap-3"):
            # Quasar's dense cells are 13 px: `kroster` makes them 20 px, readable at arm's length.
            ui.table(columns=columns, rows=rows, row_key="id").props("dense").classes("w-7/12 kroster").style(
                f"max-height: {LIST_MAX_PX}px"
            ).mark("roster")
            with ui.grid(columns=2).classes("grow gap-2"):
                self.button(
                    self.t("officer.warehoused"),
                    "warehoused",
                    lambda: self.open_panel("keypad"),
                    icon="box",
                )
                self.button(
                    self.t("officer.excuse"), "excuse", lambda: self.open_panel("excuse"), icon="absence"
                )
                self.button(
                    self.t("officer.correct"), "correct", lambda: self.open_panel("correct"), icon="pencil"
                )
                self.button(
                    self.t("officer.check_in"),
                    "officer-check",
                    lambda: self.open_panel("officer_check"),
                    icon="person",
                )
                if plan is not None and plan.grades:  # rule book v2 months only
                    self.button(
                        self.t("officer.grade") + self.missing_badge(ctx),
                        "grade",
                        lambda: self.open_panel("grade"),
                        icon="pencil",
                    )
                    self.button(
                        self.t("officer.reject"),
                        "reject",
                        lambda: self.open_panel("reject"),
                        color="orange-9",
                        icon="warning",
                    )
                self.button(
                    self.t("officer.countersign"),
                    "countersign",
                    lambda: self.send(inputs.CountersignPressed()),
                    color="positive",
                    icon="yes_circle",
                )
                self.button(
                    self.t("done"),
                    "done",
                    lambda: self.send(inputs.DonePressed()),
                    color="grey-8",
                    icon="ok",
                )

    def warehoused_panel(self, ctx: s.Context) -> None:
        """The keypad, with what was already booked today beside it: entries add up, so a second
        officer sees the first one's entry before adding the same batch again."""
        with ui.row().classes("w-full no-wrap gap-4"):
            with ui.column().classes("w-4/12 gap-2"):
                ui.label(self.t("officer.warehoused")).classes("kbig")
                ui.label(self.t("officer.booked_today", units=s.warehoused_today(ctx))).classes(
                    "text-2xl font-bold text-blue-900"
                ).mark("booked-today")
            self.keypad(lambda: inputs.WarehousedEntered(text=self.entry))

    def person_grid(self, ctx: s.Context) -> None:
        """This line's inmates as big buttons (number and name), five to a row: a line of 25 fits
        the 800x480 panel; a longer one scrolls inside its box, never the page."""
        with ui.row().classes("w-full items-center no-wrap"):
            ui.label(self.t("officer.pick_inmate")).classes("text-xl grow")
            self.button(
                self.t("keypad.cancel"), "key-cancel", lambda: self.open_panel("main"), color="grey-8"
            )
        with (
            ui.element("div").classes("w-full").style(f"max-height: {LIST_MAX_PX}px; overflow-y: auto"),
            ui.grid(columns=5).classes("w-full gap-2"),
        ):
            for st in s.roster(ctx):
                self.button(
                    f"{st.person.shown_number} {st.person.name}",
                    f"pick-{st.person.id}",
                    partial(self.choose, person=st.person.id),
                    color="blue-grey-7",
                ).classes("kpick")

    def chosen_person(self, ctx: s.Context) -> None:
        person = s.find_person(s.usable_plan(ctx), self.pick_person or "")
        name = f"{person.shown_number} {person.name}" if person is not None else ""
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.label(self.t("officer.chosen", name=name)).classes("text-2xl font-bold").mark("chosen-person")
            self.button(
                self.t("officer.change_person"), "change-person", self.change_person, color="blue-grey-3"
            )

    def change_person(self) -> None:
        self.tap()
        self.pick_person = None
        self.refresh_panel()

    def excuse_panel(self, ctx: s.Context) -> None:
        if self.pick_person is None:
            self.person_grid(ctx)
            return
        with ui.row().classes("w-full no-wrap gap-3"):
            with ui.column().classes("w-5/12 gap-2"):
                self.chosen_person(ctx)
                ui.label(self.t("officer.reason")).classes("text-xl")
                with ui.grid(columns=2).classes("w-full gap-2"):
                    for reason in EXCUSE_REASONS:
                        self.button(
                            self.t(f"excuse.{reason}"),
                            f"excuse-{reason}",
                            partial(self.choose, reason=reason),
                            color="primary" if reason == self.pick_reason else "blue-grey-3",
                        )
            with ui.column().classes("grow gap-1"):
                self.keypad(
                    lambda: inputs.ExcuseEntered(
                        person=self.pick_person or "", minutes=self.entry, reason=self.pick_reason or ""
                    ),
                    self.t("officer.minutes"),
                )

    def correct_panel(self, ctx: s.Context) -> None:
        plan = s.usable_plan(ctx)
        with ui.row().classes("w-full no-wrap gap-3"):
            with ui.column().classes("w-1/2 gap-2"):
                ui.label(self.t("officer.count")).classes("text-lg")
                with ui.column().classes("gap-1 w-full").style("max-height: 150px; overflow-y: auto"):
                    for entry in reversed(s.count_entries(ctx.records, ctx.kiosk, ctx.day)):
                        person = s.find_person(plan, entry.person)
                        name = person.name if person else entry.person
                        self.button(
                            f"#{entry.seq} {name} {entry.units}",
                            f"count-{entry.seq}",
                            partial(self.choose, count=entry.seq),
                            color="primary" if entry.seq == self.pick_count else "blue-grey-3",
                        )
                ui.input(self.t("officer.reason"), value=self.correction_reason).props(
                    "outlined dense"
                ).classes("w-full text-xl").on_value_change(
                    lambda e: setattr(self, "correction_reason", e.value or "")
                ).mark("correction-reason")
                with ui.row().classes("gap-2"):
                    for preset in ("typo", "duplicate", "recount"):
                        self.button(
                            self.t(f"preset.{preset}"),
                            f"preset-{preset}",
                            partial(self.preset_reason, self.t(f"preset.{preset}")),
                            color="blue-grey-3",
                        )
            with ui.column().classes("grow"):
                self.keypad(
                    lambda: inputs.CorrectionEntered(
                        ref_seq=self.pick_count or 0, units=self.entry, reason=self.correction_reason
                    ),
                    self.t("officer.new_units"),
                )

    def officer_check_panel(self, ctx: s.Context) -> None:
        if self.pick_person is None:
            self.person_grid(ctx)
            return
        with ui.column().classes("w-full gap-3"):
            self.chosen_person(ctx)
            with ui.row().classes("w-full no-wrap justify-between"):
                for check_in, key, marker, icon in (
                    (True, "officer.check_in", "officer-check-in", "check_in"),
                    (False, "officer.check_out", "officer-check-out", "check_out"),
                ):
                    self.button(
                        self.t(key),
                        marker,
                        partial(self.officer_check, check_in),
                        color="positive",
                        icon=icon,
                    ).classes("kwide")
                self.button(
                    self.t("keypad.cancel"), "key-cancel", lambda: self.open_panel("main"), color="grey-8"
                ).classes("kwide")

    async def officer_check(self, check_in: bool) -> None:
        """Check the picked inmate in or out (the pick is read when the button is pressed)."""
        await self.submit(inputs.OfficerCheckPressed(person=self.pick_person or "", check_in=check_in))

    # -- rule book v2: grades and rejects ---------------------------------------------------------

    def missing_badge(self, ctx: s.Context) -> str:
        """`（2）` after 评分 while grades of today or the previous workday are missing: visible until
        given (a grade missing from further back is the dashboard's: its queue lists it)."""
        missing = sum(1 for day in s.grading_days(ctx) for r in s.rated_roster(ctx, day) if r.grade is None)
        return f"（{missing}）" if missing else ""

    def grade_panel(self, ctx: s.Context) -> None:
        """One screen for the line's rated posts of a day: each inmate with the rule set's grades as
        big buttons (the given one filled); a tap records the grade. Missing ones come first, marked
        未评, and are counted until all are given."""
        plan = s.usable_plan(ctx)
        days = s.grading_days(ctx)
        day = self.grade_day if self.grade_day in days else ctx.day
        rows = s.rated_roster(ctx, day)
        missing = sum(1 for r in rows if r.grade is None)
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.label(self.t("grade.title", day=day)).classes("text-2xl font-bold").mark("grade-title")
            for which, key in zip(days, ("grade.today", "grade.yesterday"), strict=True):
                self.button(
                    self.t(key),
                    f"grade-day-{key.rsplit('.', 1)[1]}",
                    partial(self.choose_grade_day, which),
                    color="primary" if which == day else "blue-grey-3",
                ).classes("khead")
            ui.space()
            if rows:  # in the title row: the list keeps the height for the inmates
                ui.label(self.t("grade.missing", n=missing) if missing else self.t("grade.all_done")).classes(
                    "text-xl font-bold " + ("text-red-700" if missing else "text-green-700")
                ).mark("grade-missing")
            self.button(
                self.t("keypad.cancel"), "key-cancel", lambda: self.open_panel("main"), color="grey-8"
            ).classes("khead")
        if not rows:
            ui.label(self.t("grade.nobody")).classes("text-xl").mark("grade-nobody")
            return
        grades = plan.grades if plan is not None else ()
        with (
            ui.element("div").classes("w-full").style(f"max-height: {GRADE_LIST_PX}px; overflow-y: auto"),
            ui.column().classes("w-full gap-1"),
        ):
            for row in rows:
                person = row.person
                with ui.row().classes("w-full items-center no-wrap gap-2").mark(f"rated-{person.id}"):
                    ui.label(f"{person.shown_number} {person.name}").classes("text-xl w-48")
                    ui.label(row.post_name).classes("text-lg grow text-slate-600")
                    if row.grade is None:
                        ui.label(self.t("grade.none")).classes(
                            "text-lg px-2 rounded bg-red-600 text-white"
                        ).mark(f"ungraded-{person.id}")
                    for grade in grades:
                        self.button(
                            grade,
                            f"grade-{person.id}-{grade}",
                            partial(self.give_grade, person.id, day, grade),
                            color="primary" if grade == row.grade else "blue-grey-3",
                        ).classes("kgrade")

    def choose_grade_day(self, day: str) -> None:
        self.tap()
        self.ctrl.touch()  # choosing the day is a touch: the screen must not return to idle under him
        self.grade_day = day
        self.refresh_panel()

    async def give_grade(self, person: str, day: str, grade: str) -> None:
        """Record the grade; the panel stays open for the next inmate (it redraws with the record)."""
        await self.send(inputs.GradePressed(person=person, day=day, grade=grade))
        self.refresh_panel()

    def reject_panel(self, ctx: s.Context) -> None:
        """Rejects (次品): of the scanned ticket's maker, or of a picked inmate's step today; then a
        reason and the units on the keypad."""
        ticket = self.ctrl.state.ticket
        plan = s.usable_plan(ctx)
        if ticket is not None:
            makers = s.ticket_makers(ctx, ticket)
            if self.pick_person is None and len(makers) == 1:
                self.pick_person = makers[0].person.id
            if self.pick_person is None:
                with ui.row().classes("w-full items-center no-wrap"):
                    ui.label(self.t("officer.pick_inmate")).classes("text-xl grow")
                    self.button(self.t("keypad.cancel"), "key-cancel", self.cancel_reject, color="grey-8")
                with ui.grid(columns=5).classes("w-full gap-2"):
                    for maker in makers:
                        self.button(
                            f"{maker.person.shown_number} {maker.person.name}",
                            f"pick-{maker.person.id}",
                            partial(self.choose, person=maker.person.id),
                            color="blue-grey-7",
                        ).classes("kpick")
                return
            day = next((m.day for m in makers if m.person.id == self.pick_person), ctx.day)
            names = {p.step: p.step_name for p in (plan.people if plan else ()) if p.step == ticket.step}
            step = names.get(ticket.step) or ticket.step
            # the day only when it is not today (a ticket counted on an earlier day)
            caption = self.t("reject.ticket", bundle=ticket.bundle, step=step, day=day)
            if day == ctx.day:
                caption = self.t("reject.ticket_today", bundle=ticket.bundle, step=step)
        else:
            if self.pick_person is None:
                ui.label(self.t("reject.hint")).classes("text-lg text-slate-600").mark("reject-hint")
                self.counted_grid(ctx)
                return
            caption = ""
        with ui.row().classes("w-full no-wrap gap-3"):
            with ui.column().classes("w-5/12 gap-2"):
                self.chosen_person(ctx)
                if caption:
                    ui.label(caption).classes("text-lg").mark("reject-ticket")
                with ui.grid(columns=3).classes("w-full gap-2"):
                    for reason in REJECT_REASONS:
                        self.button(
                            self.t(f"reject.reason.{reason}"),
                            f"reject-{reason}",
                            partial(self.choose, reason=reason),
                            color="primary" if reason == self.pick_reason else "blue-grey-3",
                        ).classes("kpick")
            with ui.column().classes("grow gap-1"):
                self.keypad(
                    lambda: inputs.RejectEntered(
                        person=self.pick_person or "", units=self.entry, reason=self.pick_reason or ""
                    ),
                    self.t("reject.units"),
                )

    def counted_grid(self, ctx: s.Context) -> None:
        """The line's counted inmates (a reject needs a step) as big buttons."""
        with ui.row().classes("w-full items-center no-wrap"):
            ui.label(self.t("officer.pick_inmate")).classes("text-xl grow")
            self.button(self.t("keypad.cancel"), "key-cancel", self.cancel_reject, color="grey-8")
        with (
            ui.element("div").classes("w-full").style(f"max-height: {LIST_MAX_PX}px; overflow-y: auto"),
            ui.grid(columns=5).classes("w-full gap-2"),
        ):
            for st in s.roster(ctx):
                if st.person.step is None:
                    continue
                self.button(
                    f"{st.person.shown_number} {st.person.name}",
                    f"pick-{st.person.id}",
                    partial(self.choose, person=st.person.id),
                    color="blue-grey-7",
                ).classes("kpick")

    async def cancel_reject(self) -> None:
        """Back to the main panel; a scanned ticket's reject is dropped (the session forgets it)."""
        self.tap()
        self.reset_panel()
        await self.send(inputs.NoPressed())
        self.refresh_panel()
