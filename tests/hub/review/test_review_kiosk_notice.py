"""The answer to a rejected dispute reaches the inmate at the kiosk: the line plan's notice on the
inmate screen, as text, for that inmate only (the kiosk page on a real store, simulated badge reader)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nicegui.testing import user_simulation

from devices.api import BadgeReaderConfig, BadgeReaderSimulation
from kiosk.ui import kiosk_page
from tests.kiosk.conftest import FakeTime, build_controller, make_plan

NOTICE = "<b>已调阅记录</b>，计数无误"


async def test_the_inmate_sees_the_answer_to_their_dispute_and_others_do_not(tmp_path: Path) -> None:
    """Inmate 1001's plan entry carries the notice: shown on their screen literally; 1002 sees none."""
    plan = make_plan()
    people = tuple(replace(p, notice=NOTICE) if p.id == "1001" else p for p in plan.people)
    fake = FakeTime()
    ctrl, store = build_controller(tmp_path, fake, plan=replace(plan, people=people))
    badge = BadgeReaderSimulation(
        BadgeReaderConfig(name="badge0", url="sim://badge0"),
        clock=fake.seconds,
        on_event=ctrl.post_device_event,
    )
    try:
        async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
            await user.open("/")
            badge.start()
            try:
                fake.advance(3_000)
                badge.present("B1001")
                await ctrl.settle()
                await user.should_see("1001 张三")
                await user.should_see(f"申辩答复：{NOTICE}")
                fake.advance(3_000)
                badge.present("B1002")
                await ctrl.settle()
                await user.should_see("1002 李四")
                await user.should_not_see("申辩答复")
            finally:
                badge.stop()
    finally:
        store.close()
