"""The officer's screen of the kiosk: the line's roster and the officer's panels (warehoused units,
excused minutes, count corrections, checking officers in and out)."""

from __future__ import annotations

from functools import partial

from nicegui import ui

from kiosk import inputs
from kiosk import session as s
from kiosk.ui.panels import Panels
from protocol.records import EXCUSE_REASONS


class OfficerScreens(Panels):
    """The officer's part of one browser tab's view; `KioskView` shows it on the officer screen."""

    @ui.refreshable_method
    def officer_view(self) -> None:
        if self.ctrl.state.screen is not s.Screen.OFFICER:
            return
        ctx = self.ctrl.context()
        plan = s.usable_plan(ctx)
        officer = s.find_person(plan, self.ctrl.state.person or "")
        ui.label(self.t("officer.title", name=officer.name if officer else "")).classes("text-2xl font-bold")
        if self.panel == "keypad":
            with ui.row().classes("w-full justify-center"):
                ui.label(self.t("officer.warehoused")).classes("kbig")
                self.keypad(lambda: inputs.WarehousedEntered(text=self.entry))
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
        columns = [
            {"name": "id", "label": self.t("col.number"), "field": "id", "align": "left"},
            {"name": "name", "label": self.t("col.name"), "field": "name", "align": "left"},
            {"name": "step", "label": self.t("col.step"), "field": "step", "align": "left"},
            {"name": "state", "label": self.t("col.state"), "field": "state", "align": "left"},
            {"name": "units", "label": self.t("col.units"), "field": "units", "align": "right"},
        ]
        rows = [
            {
                "id": st.person.id,
                "name": st.person.name,
                "step": st.person.step_name or st.person.step or "-",
                "state": self.t("inmate.state_in" if st.checked_in else "inmate.state_out"),
                "units": st.units,
            }
            for st in s.roster(ctx)
        ]
        with ui.row().classes("w-full no-wrap gap-3"):
            ui.table(columns=columns, rows=rows, row_key="id").props("dense virtual-scroll").classes(
                "w-7/12 text-lg"
            ).style("max-height: 300px").mark("roster")
            with ui.grid(columns=2).classes("grow gap-2"):
                self.button(self.t("officer.warehoused"), "warehoused", lambda: self.open_panel("keypad"))
                self.button(self.t("officer.excuse"), "excuse", lambda: self.open_panel("excuse"))
                self.button(self.t("officer.correct"), "correct", lambda: self.open_panel("correct"))
                self.button(
                    self.t("officer.check_in"), "officer-check", lambda: self.open_panel("officer_check")
                )
                self.button(
                    self.t("officer.countersign"),
                    "countersign",
                    lambda: self.send(inputs.CountersignPressed()),
                    color="positive",
                )
                self.button(self.t("done"), "done", lambda: self.send(inputs.DonePressed()), color="grey-8")

    def person_picker(self, ctx: s.Context) -> None:
        with ui.row().classes("w-full gap-2"):
            for st in s.roster(ctx):
                chosen = st.person.id == self.pick_person
                self.button(
                    f"{st.person.id} {st.person.name}",
                    f"pick-{st.person.id}",
                    partial(self.choose, person=st.person.id),
                    color="primary" if chosen else "blue-grey-3",
                )

    def excuse_panel(self, ctx: s.Context) -> None:
        with ui.row().classes("w-full no-wrap gap-3"):
            with ui.column().classes("w-1/2 gap-2"):
                ui.label(self.t("officer.person")).classes("text-lg")
                self.person_picker(ctx)
                ui.label(self.t("officer.reason")).classes("text-lg")
                with ui.row().classes("gap-2"):
                    for reason in EXCUSE_REASONS:
                        self.button(
                            self.t(f"excuse.{reason}"),
                            f"excuse-{reason}",
                            partial(self.choose, reason=reason),
                            color="primary" if reason == self.pick_reason else "blue-grey-3",
                        )
            with ui.column().classes("grow"):
                ui.label(self.t("officer.minutes")).classes("text-lg")
                self.keypad(
                    lambda: inputs.ExcuseEntered(
                        person=self.pick_person or "", minutes=self.entry, reason=self.pick_reason or ""
                    )
                )

    def correct_panel(self, ctx: s.Context) -> None:
        plan = s.usable_plan(ctx)
        with ui.row().classes("w-full no-wrap gap-3"):
            with ui.column().classes("w-1/2 gap-2"):
                ui.label(self.t("officer.count")).classes("text-lg")
                with ui.column().classes("gap-1 w-full").style("max-height: 200px; overflow-y: auto"):
                    for entry in reversed(s.count_entries(ctx.records, ctx.kiosk, ctx.day)):
                        person = s.find_person(plan, entry.person)
                        name = person.name if person else entry.person
                        self.button(
                            f"#{entry.seq} {name} {entry.units}",
                            f"count-{entry.seq}",
                            partial(self.choose, count=entry.seq),
                            color="primary" if entry.seq == self.pick_count else "blue-grey-3",
                        )
                ui.input(self.t("officer.reason"), value=self.correction_reason).props("outlined").classes(
                    "w-full text-xl"
                ).on_value_change(lambda e: setattr(self, "correction_reason", e.value or "")).mark(
                    "correction-reason"
                )
                with ui.row().classes("gap-2"):
                    for preset in ("typo", "duplicate", "recount"):
                        self.button(
                            self.t(f"preset.{preset}"),
                            f"preset-{preset}",
                            partial(self.preset_reason, self.t(f"preset.{preset}")),
                            color="blue-grey-3",
                        )
            with ui.column().classes("grow"):
                ui.label(self.t("officer.new_units")).classes("text-lg")
                self.keypad(
                    lambda: inputs.CorrectionEntered(
                        ref_seq=self.pick_count or 0, units=self.entry, reason=self.correction_reason
                    )
                )

    def officer_check_panel(self, ctx: s.Context) -> None:
        with ui.column().classes("w-full gap-2"):
            ui.label(self.t("officer.person")).classes("text-lg")
            self.person_picker(ctx)
            with ui.row().classes("gap-2"):
                for check_in, key, marker in (
                    (True, "officer.check_in", "officer-check-in"),
                    (False, "officer.check_out", "officer-check-out"),
                ):
                    self.button(
                        self.t(key),
                        marker,
                        partial(self.officer_check, check_in),
                        color="positive",
                    )
                self.button(
                    self.t("keypad.cancel"), "key-cancel", lambda: self.open_panel("main"), color="grey-8"
                )

    async def officer_check(self, check_in: bool) -> None:
        """Check the picked officer in or out (the pick is read when the button is pressed)."""
        await self.submit(inputs.OfficerCheckPressed(person=self.pick_person or "", check_in=check_in))
