"""The kiosk's one page: a frame (line, time, link state, messages) around the current screen.

The screen shown (idle, inmate, officer) comes from the controller's session state; what is only a
matter of this page (which panel is open, the digits typed so far: `kiosk.ui.panels`) is kept here
and reset whenever the person on screen changes. The officer's screen is in `kiosk.ui.officer`.
Every element a test touches carries a `.mark()`.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from functools import partial

import qrcode
import qrcode.image.svg
from nicegui import ui
from nicegui.events import KeyEventArguments

from devices.events import interpret_code
from kiosk import inputs
from kiosk import session as s
from kiosk.texts import text
from kiosk.ui.controller import KioskController, input_for
from kiosk.ui.officer import OfficerScreens
from kiosk.ui.pictograms import pictogram
from kiosk.ui.wedge import WedgeBuffer
from protocol.messages import PeriodSummary, PlanPerson

# What an inmate may pick to explain a dispute for 其他 (no keyboard on the floor): kiosk.texts `note.*`.
DISPUTE_NOTES = ("ticket_missed", "absence", "step_wrong", "counter_wrong", "talk")
# What he may pick to explain 其他 for a review of his month (复核), likewise: kiosk.texts `note.*`.
MONTH_NOTES = ("absence", "ticket_missed", "deduction_unknown", "talk")
# The pictogram beside each reason for a review (for those who read little).
MONTH_REASON_ICONS = {
    "points_wrong": "pencil",
    "days_wrong": "absence",
    "output_wrong": "box",
    "grade_wrong": "person",
    "deduction_wrong": "warning",
    "other": "keypad",
}

HEAD = """
<style>
  body { background: #eef1f4; overscroll-behavior: none; user-select: none; }
  .kbtn { min-height: 60px; min-width: 64px; font-size: 22px !important; line-height: 1.1; }
  .kbtn .q-icon { font-size: 30px; }
  .kwide { min-width: 200px; min-height: 72px; }
  .kpick { min-height: 56px; padding: 0 4px; font-size: 20px !important; }
  .kgrade { min-height: 56px; min-width: 64px; font-size: 26px !important; font-weight: 700; }
  .kkey { min-height: 56px; min-width: 88px; font-size: 28px !important; }
  .khead { min-height: 48px; min-width: 96px; font-size: 18px !important; }
  .kroster td, .kroster th { font-size: 20px !important; height: 40px !important; }
  .kbig { font-size: 30px; font-weight: 700; }
  .kprompt { font-size: 48px; font-weight: 700; color: #1d3557; }
  .kmsg-ok { background: #2a9d8f; color: white; }
  .kmsg-error { background: #d62828; color: white; }
  @keyframes fl-ok { from { background: #8fe3b0; } to { background: #eef1f4; } }
  @keyframes fl-error { from { background: #ff8a8a; } to { background: #eef1f4; } }
  @keyframes fl-tap { from { background: #d8e6ff; } to { background: #eef1f4; } }
  body.fl-flash-ok { animation: fl-ok 0.6s; }
  body.fl-flash-error { animation: fl-error 0.9s; }
  body.fl-flash-tap { animation: fl-tap 0.25s; }
</style>
<script>
  window.flFeedback = function (kind) {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) {
        window.flAudio = window.flAudio || new Ctx();
        // Told apart without reading: saved = two rising notes, refused = two low falling ones,
        // a tap = one short click.
        const a = window.flAudio, g = a.createGain(), t0 = a.currentTime;
        const notes = {ok: [880, 1320], error: [330, 220], tap: [1400]}[kind] || [880];
        const len = kind === 'tap' ? 0.05 : (kind === 'error' ? 0.22 : 0.12);
        g.gain.value = 0.2; g.connect(a.destination);
        notes.forEach((f, i) => {
          const o = a.createOscillator();
          o.type = kind === 'error' ? 'square' : 'sine';
          o.frequency.value = f; o.connect(g);
          o.start(t0 + i * len); o.stop(t0 + (i + 1) * len);
        });
      }
    } catch (e) { /* no sound device: the flash still shows */ }
    const b = document.body;
    b.classList.remove('fl-flash-ok', 'fl-flash-error', 'fl-flash-tap');
    void b.offsetWidth;
    b.classList.add('fl-flash-' + kind);
  };
</script>
"""


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    svg = image.to_string().decode("utf-8")
    # Scale to the box it is put in, instead of the millimetre size qrcode writes.
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', '<svg width="100%" height="100%"', svg, count=1)


class KioskView(OfficerScreens):
    """One browser tab's view of the kiosk: the frame, the idle and inmate screens (the officer's
    come from `OfficerScreens`)."""

    def __init__(self, ctrl: KioskController) -> None:
        super().__init__(ctrl)
        self.seen = (ctrl.state.screen, ctrl.state.person)
        self.seen_feedback = ctrl.feedback
        self.wedge = WedgeBuffer()
        self.clock_label: ui.label | None = None
        self.pending_label: ui.label | None = None
        self.seen_keys = self.keys()
        self.action_buttons: dict[str, ui.button] = {}
        self.extras: ui.column | None = None
        self.ticket_hint: ui.label | None = None
        self.period_label: ui.label | None = None
        self.period_shown = False

    # -- life cycle ------------------------------------------------------------------------------

    def on_change(self) -> None:
        state = self.ctrl.state
        panel_reset = False
        if (state.screen, state.person) != self.seen:
            self.seen = (state.screen, state.person)
            panel_reset = self.panel != "main" or self.pick_person is not None
            self.reset_panel()
        if self.ctrl.feedback != self.seen_feedback:
            self.seen_feedback = self.ctrl.feedback
            # Only a saved act sounds "saved": a step with no message (a confirmation opened or
            # cancelled, 完成) gets the tap's click.
            message = state.message
            kind = "tap" if message is None else ("ok" if message.ok else "error")
            self.client.run_javascript(f"flFeedback('{kind}')")
        keys = self.keys()
        header, banners, body, officer, inmate = (
            key != seen for key, seen in zip(keys, self.seen_keys, strict=True)
        )
        self.seen_keys = keys
        if header:
            self.header.refresh()
        elif self.pending_label is not None:
            self.pending_label.set_text(self.t("kiosk.pending", n=self.ctrl.link.pending))  # sent if changed
        if banners:
            self.banners.refresh()
        if body:
            self.body.refresh()  # calls sync()
            return
        if officer or panel_reset:
            self.officer_view.refresh()
        if panel_reset or inmate:
            self.inmate_actions.refresh()
        self.sync()

    async def on_key(self, e: KeyEventArguments) -> None:
        if not e.action.keydown or e.action.repeat:
            return
        code = self.wedge.feed(e.key.name, time.monotonic())
        if code is None:
            return
        event = input_for(interpret_code("wedge", code))
        if event is not None:
            await self.send(event)

    async def second(self) -> None:
        if self.clock_label is not None:
            self.clock_label.set_text(self.ctrl.clock.now().strftime("%Y-%m-%d %H:%M:%S"))
        await self.ctrl.tick()

    # -- frame -----------------------------------------------------------------------------------

    def render(self) -> None:
        self.header()
        self.banners()
        self.body()

    def keys(self) -> tuple[object, object, object, object, object]:
        """What each part of the page depends on: a part is rebuilt only when its key changes."""
        ctrl = self.ctrl
        plan = ctrl.plan
        # The backlog figure changes with every record and ack: it is updated in place (`on_change`),
        # not by rebuilding the header each time.
        names = None if plan is None else (plan.line_name, plan.product_name)
        header = (names, ctrl.link.connected, ctrl.language)
        banners = (ctrl.storage_full, ctrl.clock_warning_seconds, ctrl.state.message, ctrl.language)
        body = (ctrl.enrollment, ctrl.language)
        officer = (
            ctrl.state.screen is s.Screen.OFFICER,
            ctrl.state.person,
            ctrl.state.pending,
            ctrl.state.ticket,
            None if plan is None else (plan.day, plan.revision),
            len(ctrl.records()),
        )
        # The inmate's panel is rebuilt only for a confirmation step (or its end); the buttons
        # offered (签到 or 签退) are shown and hidden by `sync`.
        inmate = (ctrl.state.screen is s.Screen.INMATE, ctrl.state.pending)
        return header, banners, body, officer, inmate

    @ui.refreshable_method
    def header(self) -> None:
        ctrl = self.ctrl
        plan = s.usable_plan(ctrl.context())
        with ui.row().classes("w-full items-center no-wrap gap-2 px-3 py-1 bg-slate-800 text-white"):
            title = f"{plan.line_name} · {plan.product_name or ''}" if plan else ctrl.line
            ui.label(title).classes("text-xl font-bold").mark("line-title")
            ui.space()
            self.clock_label = ui.label(ctrl.clock.now().strftime("%Y-%m-%d %H:%M:%S")).classes("text-lg")
            link = ctrl.link
            ui.label(self.t("kiosk.online" if link.connected else "kiosk.offline")).classes(
                "px-2 rounded " + ("bg-green-600" if link.connected else "bg-red-600")
            ).mark("link-state")
            self.pending_label = ui.label(self.t("kiosk.pending", n=link.pending)).mark("pending")
            ui.button(self.t("kiosk.language"), on_click=self.switch_language).props(
                "flat no-caps color=white"
            ).classes("khead").mark("lang")

    @ui.refreshable_method
    def banners(self) -> None:
        ctrl = self.ctrl
        if ctrl.storage_full:
            ui.label(self.t("kiosk.storage_banner")).classes("w-full text-center kbig kmsg-error").mark(
                "storage-full"
            )
        warning = ctrl.clock_warning_seconds
        if warning is not None:
            ui.label(self.t("kiosk.clock_warning", seconds=warning)).classes(
                "w-full text-center text-lg bg-amber-400"
            ).mark("clock-warning")
        message = ctrl.state.message
        if message is not None:
            ui.label(self.t(f"msg.{message.key}", **message.params())).classes(
                "w-full text-center kbig py-1 " + ("kmsg-ok" if message.ok else "kmsg-error")
            ).mark("message")

    @ui.refreshable_method
    def body(self) -> None:
        """Rebuilt only for a new language or when enrollment ends. The idle and inmate screens are
        built once and then only updated and shown or hidden: a badge tap changes a few texts
        instead of rebuilding the page, which keeps the tap-to-screen time low on a Pi."""
        with ui.column().classes("w-full grow px-3 py-2 gap-2"):
            if self.ctrl.enrollment is not None:
                self.enrollment_screen()
                return
            self.idle_box = ui.column().classes("w-full items-center gap-4 pt-6")
            with self.idle_box:
                self.idle_screen()
            self.inmate_box = ui.column().classes("w-full gap-2")
            with self.inmate_box:
                self.inmate_screen()
            self.officer_box = ui.column().classes("w-full gap-2")
            with self.officer_box:
                self.officer_view()
        self.sync()

    async def switch_language(self) -> None:
        self.tap()
        self.ctrl.set_language("en" if self.ctrl.language == "zh" else "zh")

    # -- screens ---------------------------------------------------------------------------------

    def enrollment_screen(self) -> None:
        enrollment = self.ctrl.enrollment
        assert enrollment is not None
        with ui.row().classes("w-full no-wrap items-center gap-6"):
            ui.html(qr_svg(enrollment.qr_text)).classes("w-80 h-80 bg-white shrink-0").mark("enroll-qr")
            with ui.column().classes("gap-2"):
                ui.label(self.t("enroll.title")).classes("kbig")
                ui.label(self.t("enroll.kiosk", kiosk=enrollment.kiosk)).classes("text-xl").mark(
                    "enroll-kiosk"
                )
                ui.label(self.t("enroll.fingerprint", fingerprint=enrollment.fingerprint)).classes(
                    "text-2xl font-mono"
                ).mark("enroll-fingerprint")
                ui.label(self.t("enroll.hint")).classes("text-lg")
                self.button(self.t("enroll.done"), "enroll-done", self.ctrl.dismiss_enrollment)

    def idle_screen(self) -> None:
        ui.label(self.t("kiosk.prompt")).classes("kprompt").mark("prompt")
        self.no_plan_label = (
            ui.label(self.t("kiosk.no_plan_yet")).classes("text-xl text-red-700").mark("no-plan")
        )
        self.progress_label = ui.label().classes("text-2xl").mark("progress")
        self.progress_bar = (
            ui.linear_progress(value=0.0, show_value=False).props("size=20px rounded").classes("w-2/3")
        )

    def inmate_screen(self) -> None:
        with ui.row().classes("w-full no-wrap gap-4"):
            with ui.column().classes("gap-1 w-5/12"):
                self.name_label = ui.label().classes("kbig").mark("person-name")
                with ui.row().classes("items-center gap-1 no-wrap"):
                    self.state_icon = ui.icon(pictogram("no_circle"), size="32px")
                    self.state_label = ui.label().classes("text-xl").mark("check-state")
                self.step_label = ui.label().classes("text-xl")
                self.quota_label = ui.label().classes("text-xl").mark("quota")
                self.units_label = ui.label().classes("text-2xl font-bold").mark("units-so-far")
                self.answered_label = ui.label().classes("text-lg").mark("answered")
            with ui.column().classes("grow gap-2"):
                self.inmate_actions()
                # His week and month so far (completion, grade days, deductions, points under the
                # rules), beside his day: below the buttons, where the column has room.
                self.period_label = (
                    ui.label().classes("w-full text-lg").style("white-space: pre-line").mark("period")
                )
        # Under the main panel only: a keypad or a dispute panel needs the height.
        self.extras = ui.column().classes("w-full gap-2")
        with self.extras:
            self.notice_label = (
                ui.label()
                .classes("w-full text-xl px-2 py-1 rounded bg-amber-200")
                .style("white-space: pre-line")
                .mark("notice")
            )
            # His published monthly result (公示) with 确认 and 申请复核, like yesterday's record below.
            self.month_row = ui.row().classes("w-full no-wrap items-center gap-4 bg-sky-100 rounded px-1")
            # Yesterday's record with 确认 and 申辩: big, at the two ends of the row, so a glove cannot
            # hit one for the other.
            self.answer_row = ui.row().classes("w-full no-wrap items-center gap-4")
        with self.month_row:
            self.month_confirm_button = self.button(
                self.t("month.confirm"),
                "month-confirm",
                lambda: self.send(inputs.MonthConfirmPressed()),
                color="positive",
                icon="thumb_up",
            ).classes("kwide")
            self.month_label = (
                ui.label()
                .classes("grow text-center text-base leading-tight")
                .style("white-space: pre-line")
                .mark("month")
            )
            self.month_review_button = self.button(
                self.t("month.review"),
                "month-review",
                lambda: self.open_panel("month_review"),
                color="negative",
                icon="warning",
            ).classes("kwide")
        with self.answer_row:
            self.button(
                self.t("inmate.confirm"),
                "confirm",
                lambda: self.send(inputs.ConfirmPressed()),
                color="positive",
                icon="thumb_up",
            ).classes("kwide")
            self.yesterday_label = ui.label().classes("grow text-center text-lg").mark("yesterday")
            self.button(
                self.t("inmate.dispute"),
                "dispute",
                lambda: self.open_panel("dispute"),
                color="negative",
                icon="warning",
            ).classes("kwide")

    @ui.refreshable_method
    def inmate_actions(self) -> None:
        pending = self.ctrl.state.pending
        if self.extras is not None:
            self.extras.set_visibility(self.panel == "main" and pending is None)
        if self.period_label is not None:  # a keypad or a list of reasons needs the column's height
            self.period_label.set_visibility(self.panel == "main" and pending is None and self.period_shown)
        if pending is not None and self.ctrl.state.screen is s.Screen.INMATE:
            self.inmate_confirm_step(pending)
        elif self.panel == "keypad":
            self.keypad(lambda: inputs.UnitsEntered(text=self.entry))
        elif self.panel == "dispute":
            self.dispute_panel()
        elif self.panel == "dispute_other":
            self.dispute_other_panel()
        elif self.panel == "month_review":
            self.month_review_panel()
        elif self.panel == "month_review_other":
            self.month_review_other_panel()
        else:
            # All four are built once; `sync_inmate` shows only those that make sense now.
            with ui.grid(columns=2).classes("w-full gap-2"):
                self.action_buttons = {
                    "check_in": self.button(
                        self.t("inmate.check_in"),
                        "check-in",
                        lambda: self.send(inputs.CheckInPressed()),
                        icon="check_in",
                        color="positive",
                    ),
                    "check_out": self.button(
                        self.t("inmate.check_out"),
                        "check-out",
                        lambda: self.send(inputs.CheckOutPressed()),
                        icon="check_out",
                        color="orange-9",
                    ),
                    "report": self.button(
                        self.t("inmate.report"), "report", lambda: self.open_panel("keypad"), icon="keypad"
                    ),
                    "done": self.button(
                        self.t("done"),
                        "done",
                        lambda: self.send(inputs.DonePressed()),
                        color="grey-8",
                        icon="ok",
                    ),
                }
            self.ticket_hint = ui.label(self.t("inmate.scan_ticket")).classes("text-lg text-slate-600")
            # A refresh runs after the caller's `sync`: show the right buttons from the start.
            self.sync_actions()

    def sync(self) -> None:
        """Show the current screen and bring its texts up to date (cheap: only changed texts are sent)."""
        ctrl = self.ctrl
        if ctrl.enrollment is not None:
            return
        ctx = ctrl.context()
        screen = ctrl.state.screen
        self.idle_box.set_visibility(screen is s.Screen.IDLE)
        self.inmate_box.set_visibility(screen is s.Screen.INMATE)
        self.officer_box.set_visibility(screen is s.Screen.OFFICER)
        if screen is s.Screen.IDLE:
            has_plan = s.usable_plan(ctx) is not None
            self.no_plan_label.set_visibility(not has_plan)
            self.progress_label.set_visibility(has_plan)
            self.progress_bar.set_visibility(has_plan)
            if has_plan:
                done, quota = s.line_progress(ctx)
                self.progress_label.set_text(self.t("kiosk.progress", done=done, quota=quota))
                self.progress_bar.set_value(min(done / quota, 1.0) if quota else 0.0)
        elif screen is s.Screen.INMATE:
            person = s.find_person(s.usable_plan(ctx), ctrl.state.person or "")
            if person is not None:
                self.sync_inmate(person, s.person_status(person, ctx.records, ctx.kiosk, ctx.day))

    def sync_inmate(self, person: PlanPerson, status: s.PersonStatus) -> None:
        self.name_label.set_text(f"{person.shown_number} {person.name}")
        self.step_label.set_text(self.inmate_post_text(person))
        self.quota_label.set_text(self.inmate_quota_text(person))
        self.units_label.set_visibility(person.post is None and not person.exempt)
        self.units_label.set_text(self.t("inmate.units", units=status.units))
        self.state_label.set_text(self.t("inmate.state_in" if status.checked_in else "inmate.state_out"))
        color = "text-green-700" if status.checked_in else "text-red-700"
        self.state_label.classes(replace="text-xl " + color)
        self.state_icon.set_name(pictogram("yes_circle" if status.checked_in else "no_circle"))
        self.state_icon.classes(replace=color)
        self.sync_actions(status)
        news = self.news(person)
        self.notice_label.set_visibility(bool(news))
        self.notice_label.set_text("\n".join(news))
        self.sync_month(person)
        result = person.yesterday
        self.answered_label.set_visibility(result is not None and status.answered is not None)
        self.answer_row.set_visibility(result is not None)
        answering = s.may_answer(status)
        for element in self.answer_row:
            if isinstance(element, ui.button):
                element.set_visibility(answering)
        if result is not None:
            quota_then = s.whole_quota(result.quota_units)
            self.yesterday_label.set_text(
                self.t(
                    "inmate.yesterday",
                    day=result.day,
                    done=s.whole_done(result.done_units),
                    quota="-" if quota_then is None else quota_then,
                )
            )
        if status.answered is not None:
            self.answered_label.set_text(self.t(f"inmate.answered.{status.answered}"))

    def inmate_post_text(self, person: PlanPerson) -> str:
        if person.post is not None:
            return self.t("inmate.post", post=person.step_name or person.post)
        return self.t("inmate.step", step=person.step_name or person.step or "")

    def inmate_quota_text(self, person: PlanPerson) -> str:
        """What he owes today, rule book v2 included: nothing when exempt, his grade on a rated
        post (or that it is still to come), the training quota in a training period."""
        if person.exempt:
            return self.t("inmate.exempt")
        if person.post is not None:
            ctx = self.ctrl.context()
            grade = s.given_grade(ctx, person, ctx.day)
            return self.t("inmate.grade", grade=grade) if grade else self.t("inmate.grade_missing")
        quota = s.whole_quota(person.quota_units)
        shown = "-" if quota is None else quota
        return self.t("inmate.training_quota" if person.training else "inmate.quota", quota=shown)

    def inmate_confirm_step(self, pending: s.Pending) -> None:
        """确认 or 取消 of the inmate's act that waits (a dispute, his month's confirmation or review)."""
        person = s.find_person(s.usable_plan(self.ctrl.context()), self.ctrl.state.person or "")
        published = None if person is None else person.published
        month = "" if published is None else published.month
        points = "-" if published is None or published.points is None else published.points
        if pending.kind == "month_confirm":
            question = self.t("confirm.month_confirm", month=month, points=points)
            self.confirm_step(question, self.t("confirm.yes_sign"))
            return
        key = "month.reason." if pending.kind == "month_review" else "reason."
        reason = self.t(f"{key}{pending.reason}")
        if pending.text:
            reason = f"{reason}（{pending.text}）"
        if pending.kind == "month_review":
            self.confirm_step(
                self.t("confirm.month_review", month=month, reason=reason), self.t("confirm.yes")
            )
        else:
            self.confirm_step(self.t("confirm.dispute", reason=reason), self.t("confirm.yes"))

    def sync_month(self, person: PlanPerson) -> None:
        """His week and month so far, and his published month with its buttons while he may answer."""
        ctx = self.ctrl.context()
        lines = [self.period_text(p) for p in (person.week, person.month_so_far) if p is not None]
        self.period_shown = bool(lines)
        main = self.panel == "main" and self.ctrl.state.pending is None
        if self.period_label is not None:
            self.period_label.set_visibility(self.period_shown and main)
            self.period_label.set_text("\n".join(lines))
        published = person.published
        self.month_row.set_visibility(published is not None)
        answering = s.may_answer_month(person, ctx.records, ctx.day)
        self.month_confirm_button.set_visibility(answering)
        self.month_review_button.set_visibility(answering)
        if published is None:
            return
        state = s.month_state(person, ctx.records) or "open"
        text = self.t(
            "month.published",
            month=published.month,
            days=published.days,
            pct="-" if published.completion_pct is None else published.completion_pct,
            points="-" if published.points is None else published.points,
        )
        text += "\n" + self.t(f"month.state.{state}", until=published.until)
        if published.answer:
            text += "\n" + self.t("month.answer", answer=published.answer)
        self.month_label.set_text(text)

    def period_text(self, period: PeriodSummary) -> str:
        """One line of his week or month so far (`protocol.messages.PeriodSummary`)."""
        week = "-W" in period.period
        text = self.t(
            "period.week" if week else "period.month",
            period=period.period,
            days=period.days,
            pct="-" if period.completion_pct is None else period.completion_pct,
        )
        if period.rated_days:
            text += self.t("period.graded", graded=period.graded_days, rated=period.rated_days)
        text += self.t("period.deducted", points=period.deduct_points)
        if period.points is not None:
            text += self.t("period.points", points=period.points)
        return text

    def news(self, person: PlanPerson) -> list[str]:
        """What the officers' review changed for this inmate (from the plan): the answer to his
        dispute, and days re-counted after an upheld dispute, his or a line-mate's (whole pieces)."""
        lines = [self.t("inmate.notice", notice=person.notice)] if person.notice else []
        for change in person.changes:
            done = s.whole_done(change.done_units)
            lines.append(
                self.t(f"inmate.change.{change.cause}", day=change.day, done="-" if done is None else done)
            )
        return lines

    def sync_actions(self, status: s.PersonStatus | None = None) -> None:
        """Show only the inmate's buttons that make sense now (`session.inmate_actions`)."""
        if self.panel != "main" or self.ctrl.state.pending is not None:
            return  # the buttons are not built: a panel or a confirmation is open
        if status is None:
            ctx = self.ctrl.context()
            person = s.find_person(s.usable_plan(ctx), self.ctrl.state.person or "")
            if self.ctrl.state.screen is not s.Screen.INMATE or person is None:
                return
            status = s.person_status(person, ctx.records, ctx.kiosk, ctx.day)
        offered = s.inmate_actions(status)
        for action, button in self.action_buttons.items():
            button.set_visibility(action in offered)
        if self.ticket_hint is not None:
            self.ticket_hint.set_visibility("report" in offered)

    def dispute_panel(self) -> None:
        ui.label(self.t("dispute.choose")).classes("text-xl")
        with ui.grid(columns=2).classes("w-full gap-2"):
            for reason in s.DISPUTE_REASONS:
                action: Callable[[], object]
                if reason == "other":
                    action = partial(self.open_panel, "dispute_other")
                else:
                    action = partial(self.submit, inputs.DisputePressed(reason=reason))
                self.button(self.t(f"reason.{reason}"), f"reason-{reason}", action)
            self.button(
                self.t("keypad.cancel"), "key-cancel", lambda: self.open_panel("main"), color="grey-8"
            )

    def dispute_other_panel(self) -> None:
        """其他 without a keyboard: the inmate picks what is wrong from a short list (recorded in
        Chinese, the officers' language, whatever language the screen shows)."""
        ui.label(self.t("dispute.explain")).classes("text-xl")
        with ui.grid(columns=2).classes("w-full gap-2"):
            for note in DISPUTE_NOTES:
                event = inputs.DisputePressed(reason="other", text=text(f"note.{note}", "zh"))
                self.button(self.t(f"note.{note}"), f"note-{note}", partial(self.submit, event))
            self.button(
                self.t("keypad.cancel"), "key-cancel", lambda: self.open_panel("main"), color="grey-8"
            )

    def month_review_panel(self) -> None:
        """Why he asks for a review of his month: a reason with its pictogram, or 其他."""
        ui.label(self.t("month.review_choose")).classes("text-xl")
        with ui.grid(columns=2).classes("w-full gap-2"):
            for reason in s.MONTH_REVIEW_REASONS:
                action: Callable[[], object]
                if reason == "other":
                    action = partial(self.open_panel, "month_review_other")
                else:
                    action = partial(self.submit, inputs.MonthReviewPressed(reason=reason))
                self.button(
                    self.t(f"month.reason.{reason}"),
                    f"month-reason-{reason}",
                    action,
                    icon=MONTH_REASON_ICONS[reason],
                )
            self.button(
                self.t("keypad.cancel"),
                "key-cancel",
                lambda: self.open_panel("main"),
                color="grey-8",
                icon="cancel",
            )

    def month_review_other_panel(self) -> None:
        """其他 without a keyboard, as for a dispute (recorded in Chinese, the officers' language)."""
        ui.label(self.t("dispute.explain")).classes("text-xl")
        with ui.grid(columns=2).classes("w-full gap-2"):
            for note in MONTH_NOTES:
                event = inputs.MonthReviewPressed(reason="other", text=text(f"note.{note}", "zh"))
                self.button(self.t(f"note.{note}"), f"month-note-{note}", partial(self.submit, event))
            self.button(
                self.t("keypad.cancel"),
                "key-cancel",
                lambda: self.open_panel("main"),
                color="grey-8",
                icon="cancel",
            )

    # -- panel helpers ---------------------------------------------------------------------------

    def refresh_panel(self) -> None:
        if self.ctrl.state.screen is s.Screen.OFFICER:
            self.officer_view.refresh()
        else:
            self.inmate_actions.refresh()


def kiosk_page(ctrl: KioskController) -> None:
    """Build the kiosk page for the current client (NiceGUI root function or page body)."""
    ctrl.attach_loop(asyncio.get_running_loop())
    ui.page_title(text("kiosk.title", ctrl.language))
    ui.add_head_html(HEAD)
    ui.colors(primary="#1d4ed8")  # white text on NiceGUI's light default blue is too faint for the floor
    ui.query(".nicegui-content").classes("p-0 gap-0")
    view = KioskView(ctrl)
    ui.keyboard(on_key=view.on_key, ignore=["input", "textarea"]).mark("wedge")
    view.render()
    unsubscribe = ctrl.subscribe(view.on_change)
    view.client.on_delete(unsubscribe)
    ui.timer(1.0, view.second)
