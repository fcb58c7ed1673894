"""What every panel of the kiosk page shares: its state (which panel is open, the digits typed, the
picks), the big touch buttons, the keypad and the moves between panels.

The screens (`kiosk.ui.officer`, `kiosk.ui.page`) build on this; none of it touches the controller's
session state except through `send`.
"""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from kiosk import inputs
from kiosk.texts import text
from kiosk.ui.controller import KioskController
from kiosk.ui.pictograms import pictogram


class Panels:
    """The panel state and widgets of one browser tab's view (see `kiosk.ui.page.KioskView`)."""

    def __init__(self, ctrl: KioskController) -> None:
        self.ctrl = ctrl
        self.client = ui.context.client
        self.panel = "main"  # main | keypad | dispute | excuse | correct | officer_check | grade | reject
        self.entry = ""
        self.pick_person: str | None = None
        self.pick_reason: str | None = None
        self.pick_count: int | None = None
        self.correction_reason = ""
        self.grade_day: str | None = None  # the day the grading panel shows (today when None)
        self.entry_label: ui.label | None = None

    def t(self, key: str, **values: object) -> str:
        return text(key, self.ctrl.language, **values)

    def tap(self) -> None:
        self.client.run_javascript("flFeedback('tap')")

    async def send(self, event: inputs.Input) -> None:
        await self.ctrl.handle(event)

    def button(
        self,
        label: str,
        marker: str,
        on_click: Callable[[], object],
        *,
        color: str = "primary",
        icon: str | None = None,
    ) -> ui.button:
        """A touch button; `icon` (a `kiosk.ui.pictograms` name) is the pictogram shown above the
        label for those who read little."""
        button = (
            ui.button(label, on_click=on_click).props(f"color={color} unelevated no-caps").classes("kbtn")
        )
        if color.endswith("-3"):  # a light button (a choice not taken): dark text to stay readable
            button.props("text-color=blue-grey-10")
        if icon is not None:
            button.props["icon"] = pictogram(icon)  # an SVG path: has spaces, so not via a props string
            button.props("stack")
        return button.mark(marker)

    def confirm_step(self, question: str, yes: str) -> None:
        """The confirmation of an act waiting in the session (`State.pending`): the question, then
        确认 and 取消 big and at the two ends of the row."""
        with ui.column().classes("w-full gap-3 items-stretch"):
            ui.label(question).classes("kbig text-center").mark("confirm-question")
            with ui.row().classes("w-full no-wrap justify-between"):
                self.button(yes, "confirm-yes", self.confirm_yes, color="positive", icon="ok").classes(
                    "kwide"
                )
                self.button(
                    self.t("confirm.no"), "confirm-no", self.confirm_no, color="grey-8", icon="cancel"
                ).classes("kwide")

    async def confirm_yes(self) -> None:
        await self.submit(inputs.YesPressed())

    async def confirm_no(self) -> None:
        """Back to the main panel: the session drops the act, the page redraws for that."""
        self.tap()
        self.reset_panel()
        await self.send(inputs.NoPressed())

    def reset_panel(self) -> None:
        self.panel = "main"
        self.entry = ""
        self.pick_person = self.pick_reason = None
        self.pick_count = None
        self.correction_reason = ""
        self.grade_day = None

    # -- panel helpers ---------------------------------------------------------------------------

    def refresh_panel(self) -> None:
        """Rebuild the open panel: the page knows which screen holds it."""
        raise NotImplementedError

    def open_panel(self, panel: str) -> None:
        self.tap()
        self.reset_panel()
        self.panel = panel
        self.ctrl.touch()
        self.refresh_panel()

    def choose(
        self, *, person: str | None = None, reason: str | None = None, count: int | None = None
    ) -> None:
        self.tap()
        if person is not None:
            self.pick_person = person
        if reason is not None:
            self.pick_reason = reason
        if count is not None:
            self.pick_count = count
        self.refresh_panel()

    def preset_reason(self, reason: str) -> None:
        """Gloves and on-screen keyboards do not mix: common reasons are one tap."""
        self.tap()
        self.correction_reason = reason
        self.refresh_panel()

    async def submit(self, event: inputs.Input) -> None:
        """Send a panel's entry; back to the main panel once it was saved, else keep it to fix."""
        await self.send(event)
        message = self.ctrl.state.message
        if message is not None and message.ok:
            self.reset_panel()
            self.refresh_panel()
        elif self.panel == "keypad" or self.entry:
            self.entry = ""
            self.refresh_panel()

    def keypad(self, build: Callable[[], inputs.Input], caption: str = "") -> None:
        """Phone order (1 2 3 on top, 0 at the bottom in the middle) with the display above and
        取消 / 确定 in a fourth column; `caption` (what is typed: 分钟, 更正为) sits in the display
        instead of a line of its own, so the keypad fits 800x480 under the header and a message."""
        with ui.grid(columns=4).classes("gap-2"):
            with ui.row().classes("col-span-3 no-wrap items-center bg-white px-3 rounded"):
                ui.label(caption).classes("text-lg text-slate-600")
                ui.space()
                self.entry_label = ui.label(self.entry or "0").classes("kbig").mark("keypad-display")
            ui.button(self.t("keypad.cancel"), on_click=lambda: self.open_panel("main")).props(
                "color=grey-8 unelevated no-caps"
            ).classes("kkey").mark("key-cancel")
            for digit in "123":
                self.key(digit)
            ok = ui.button(self.t("keypad.ok"), on_click=lambda: self.submit(build())).props(
                "color=positive unelevated no-caps stack"
            )
            ok.props["icon"] = pictogram("ok")
            ok.classes("kkey row-span-4").mark("key-ok")
            for digit in "456789":
                self.key(digit)
            ui.button(self.t("keypad.clear"), on_click=self.clear_entry).props(
                "color=grey-7 unelevated no-caps"
            ).classes("kkey").mark("key-clear")
            self.key("0")

    def key(self, digit: str) -> None:
        ui.button(digit, on_click=lambda: self.type_digit(digit)).props(
            "color=blue-grey-8 unelevated"
        ).classes("kkey").mark(f"key-{digit}")

    def type_digit(self, digit: str) -> None:
        self.tap()
        self.ctrl.touch()
        if len(self.entry) < 7:
            self.entry += digit
        if self.entry_label is not None:
            self.entry_label.set_text(self.entry)

    def clear_entry(self) -> None:
        self.tap()
        self.entry = ""
        if self.entry_label is not None:
            self.entry_label.set_text("0")
