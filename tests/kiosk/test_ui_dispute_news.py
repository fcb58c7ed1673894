"""The review's answers reach the inmates at their next tap, through the hub-signed plan as the
uplink opens it: the answer to a dispute, an upheld dispute's corrected day, and a line-mate's day
re-counted because of it (whole pieces, rounded down)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nicegui.testing import user_simulation

from devices.api import BadgeReaderConfig, BadgeReaderSimulation
from kiosk.ui import kiosk_page
from protocol.messages import CreditChange, LinePlan, open_frame, seal
from protocol.signing import Signer, Verifier
from tests.kiosk.conftest import YESTERDAY, FakeTime, build_controller, make_plan

HUB = Signer(b"\x07" * 32)


def signed_plan() -> LinePlan:
    """The plan as the kiosk's uplink gets it: sealed by the hub, opened with the hub's key."""
    plan = make_plan()
    news = {
        "1001": {
            "notice": "复核属实，已更正",
            "changes": (CreditChange(day=YESTERDAY, cause="upheld", done_units="120.96"),),
        },
        "1002": {"changes": (CreditChange(day=YESTERDAY, cause="linemate", done_units="76.50"),)},
    }
    people = tuple(replace(p, **news[p.id]) if p.id in news else p for p in plan.people)  # type: ignore[arg-type]
    frame = seal(replace(plan, people=people), HUB)
    opened = open_frame(frame, Verifier(HUB.public_key), LinePlan)
    assert isinstance(opened, LinePlan)
    return opened


async def test_the_disputer_and_a_line_mate_each_see_what_changed_for_them(tmp_path: Path) -> None:
    """1001 sees the answer and his corrected day (120.96 -> 121 whole pieces, half up as on the wall
    board); 1002 sees his day re-counted after a line-mate's dispute (76.50 -> 77); each only his own."""
    fake = FakeTime()
    ctrl, store = build_controller(tmp_path, fake, plan=signed_plan())
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
                await user.should_see(
                    f"申辩答复：复核属实，已更正\n申辩成立：{YESTERDAY} 的记录已更正，完成 121 件"
                )
                fake.advance(3_000)
                badge.present("B1002")
                await ctrl.settle()
                await user.should_see("1002 李四")
                await user.should_see(f"同线人员申辩后重算：您 {YESTERDAY} 完成 77 件")
                await user.should_not_see("申辩答复")
            finally:
                badge.stop()
    finally:
        store.close()
