"""Unit counters on a running kiosk: their units become records of the step's holder, on a real
store, through the real KioskController, without disturbing the person on screen.

Counter `counter0` sits at step S3 (held by inmate 1002); `counter9` is in no `[counter_steps]`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from nicegui.testing import user_simulation

from devices.config import SerialCounterConfig
from devices.counter import SerialCounterHardware, UnitCounterSimulation
from devices.events import DeviceConnected, DeviceDisconnected, DeviceEvent, UnitsCounted
from devices.events import DeviceFault as DeviceFaultEvent
from devices.simulators import SerialCounterSimulator
from devices.testing import EventRecorder
from kiosk import inputs
from kiosk.errors import StorageFull
from kiosk.ui import kiosk_page
from protocol.records import Body, CheckIn, DeviceFault, UnitCount
from tests.kiosk.conftest import DAY, LINE, FakeTime, KioskHarness, build_controller, make_plan


def _count(units: int, person: str = "1002", ref: str = "counter0") -> UnitCount:
    return UnitCount(
        person=person, line=LINE, day=DAY, product="P1", step="S3", units=units, source="device", ref=ref
    )


@pytest.fixture
def counters(kiosk: KioskHarness) -> Iterator[tuple[UnitCounterSimulation, UnitCounterSimulation]]:
    """counter0 mapped to S3 and counter9 unmapped, both in-process simulations feeding the controller."""
    kiosk.ctrl.counter_steps = {"counter0": "S3"}
    mapped, unmapped = (
        UnitCounterSimulation(
            SerialCounterConfig(name=name, url=f"sim://{name}"),
            clock=kiosk.time.seconds,
            on_event=kiosk.ctrl.post_device_event,
        )
        for name in ("counter0", "counter9")
    )
    mapped.start()
    unmapped.start()
    yield mapped, unmapped
    mapped.stop()
    unmapped.stop()


async def _check_in(kiosk: KioskHarness, badge: str) -> None:
    await kiosk.tap(badge)
    await kiosk.click("check-in")
    await kiosk.user.should_see("签到成功")
    await kiosk.click("done")


async def test_counter_units_are_credited_to_the_step_holder_while_another_inmate_stays_on_screen(
    kiosk: KioskHarness, counters: tuple[UnitCounterSimulation, UnitCounterSimulation]
) -> None:
    """1002 (S3) checks in and leaves; 1001 is on screen when S3's counter counts 5 and then 700.
    The store holds 1002's device counts (700 split at the 500 limit), 1001's screen, message and
    units are untouched, and back on idle the line progress includes the counter's units."""
    counter, _ = counters
    user = kiosk.user
    await _check_in(kiosk, "B1002")
    await kiosk.tap("B1001")
    await user.should_see("1001 张三")
    state_before = kiosk.ctrl.state
    feedback_before = kiosk.ctrl.feedback
    counter.count(5)
    counter.count(700)
    await kiosk.ctrl.settle()
    assert kiosk.bodies() == [
        CheckIn(person="1002", line=LINE, day=DAY, method="badge"),
        _count(5),
        _count(500),
        _count(200),
    ]
    assert kiosk.ctrl.state == state_before  # no screen change, no message, idle timer untouched
    assert kiosk.ctrl.feedback == feedback_before  # no beep or flash for a machine's count
    await user.should_see("1001 张三")
    await user.should_see("已完成 0 件")
    await user.should_see("待上传 4 条")
    await kiosk.click("done")
    await user.should_see("今日进度 705 / 201 件")


async def test_counter_units_nobody_can_be_credited_with_become_a_fault_for_the_officer(
    kiosk: KioskHarness, counters: tuple[UnitCounterSimulation, UnitCounterSimulation]
) -> None:
    """S3's holder has not checked in: the units are stored as an unattributed_units fault naming
    them, never given to the inmate on screen; once 1002 checks in, the next units are theirs."""
    counter, _ = counters
    await kiosk.tap("B1001")
    await kiosk.click("check-in")
    await kiosk.user.should_see("签到成功")
    counter.count(8)
    await kiosk.ctrl.settle()
    await kiosk.click("done")
    await _check_in(kiosk, "B1002")
    counter.count(2)
    await kiosk.ctrl.settle()
    assert kiosk.bodies()[1:] == [
        DeviceFault(
            device="counter0", fault="unattributed_units", detail="8 units at step S3: 1002 is not checked in"
        ),
        CheckIn(person="1002", line=LINE, day=DAY, method="badge"),
        _count(2),
    ]


async def test_a_counter_without_a_step_is_recorded_once_per_boot_and_credits_nobody(
    kiosk: KioskHarness, counters: tuple[UnitCounterSimulation, UnitCounterSimulation]
) -> None:
    """counter9 is in no [counter_steps]: its first units make one unmapped_counter fault so an
    officer sees it counting; its later units add no records at all."""
    _, unmapped = counters
    await _check_in(kiosk, "B1002")
    unmapped.count(3)
    unmapped.count(4)
    await kiosk.ctrl.settle()
    assert kiosk.bodies()[1:] == [
        DeviceFault(
            device="counter9", fault="unmapped_counter", detail="3 units (total 3); no [counter_steps] entry"
        )
    ]
    assert not [b for b in kiosk.bodies() if isinstance(b, UnitCount)]


async def test_device_messages_with_control_characters_are_recorded_cleaned(kiosk: KioskHarness) -> None:
    """A device or OS error text holding DEL, C1 (NEL, CSI) or C0 controls still becomes a signed
    device_fault the hub accepts: each such character is replaced by U+FFFD, nothing is lost."""
    kiosk.ctrl.post_device_event(
        DeviceDisconnected(device="counter0", url="/dev/ttyUSB0", reason="gone\x7f\x85\x9b[2J\x1b")
    )
    kiosk.ctrl.post_device_event(DeviceFaultEvent(device="counter0", reason="exception reply \x9b\x00 3"))
    bodies = await _wait_for_bodies(kiosk, lambda b: len([x for x in b if isinstance(x, DeviceFault)]) == 2)
    assert [b for b in bodies if isinstance(b, DeviceFault)] == [
        DeviceFault(device="counter0", fault="disconnected", detail="gone\ufffd\ufffd\ufffd[2J\ufffd"),
        DeviceFault(device="counter0", fault="device_fault", detail="exception reply \ufffd\ufffd 3"),
    ]


async def _wait_for_bodies(kiosk: KioskHarness, predicate: Callable[[list[Body]], bool]) -> list[Body]:
    deadline = time.monotonic() + 5.0
    while True:
        await kiosk.ctrl.settle()
        bodies = kiosk.bodies()
        if predicate(bodies):
            return bodies
        if time.monotonic() > deadline:
            raise TimeoutError(f"records not as expected in time: {bodies}")
        await asyncio.sleep(0.02)


def _units(bodies: list[Body]) -> list[int]:
    return [b.units for b in bodies if isinstance(b, UnitCount)]


async def test_real_serial_counter_on_a_pty_lands_in_the_store_in_order_and_never_twice(
    kiosk: KioskHarness, tmp_path: Path
) -> None:
    """SerialCounterHardware reads a simulated ASCII counter on a real pty: repeated totals, noise
    and an unplugged cable (units made meanwhile arrive after replug) give exactly one UnitCount
    per increment, in order, credited to S3's holder; the loss itself is one device_fault."""
    kiosk.ctrl.counter_steps = {"counter0": "S3"}
    await _check_in(kiosk, "B1002")
    recorder = EventRecorder()

    def on_event(event: DeviceEvent) -> None:
        recorder(event)
        kiosk.ctrl.post_device_event(event)

    config = SerialCounterConfig(
        name="counter0", url=str(tmp_path / "counter0"), reconnect_min=0.02, reconnect_max=0.1
    )
    with SerialCounterSimulator(link=tmp_path / "counter0", initial_total=1000) as device:
        driver = SerialCounterHardware(config, on_event=on_event)
        driver.start()
        try:
            await asyncio.to_thread(recorder.wait_for, DeviceConnected)
            device.report()  # the baseline: units made before the kiosk started are not invented
            device.count(3)
            device.report()  # the same total again counts nothing
            device.noise()
            device.count(4)
            await asyncio.to_thread(recorder.wait_until, lambda: len(recorder.of_type(UnitsCounted)) == 2)
            device.unplug()
            await asyncio.to_thread(recorder.wait_for, DeviceDisconnected)
            device.count(10)  # made while the cable is out
            device.replug()
            await asyncio.to_thread(recorder.wait_for, DeviceConnected, 2)
            device.report()
            device.report()
            device.count(600)  # above max_units_per_entry: split, not refused
            bodies = await _wait_for_bodies(kiosk, lambda b: sum(_units(b)) >= 617)
        finally:
            driver.stop()
    await kiosk.ctrl.settle()
    bodies = kiosk.bodies()
    assert _units(bodies) == [3, 4, 10, 500, 100]
    assert [b for b in bodies if isinstance(b, UnitCount)] == [
        _count(3),
        _count(4),
        _count(10),
        _count(500),
        _count(100),
    ]
    faults = [b for b in bodies if isinstance(b, DeviceFault)]
    assert [(f.device, f.fault) for f in faults] == [("counter0", "disconnected")]
    assert bodies.index(faults[0]) == 3  # the loss sits between the units before and after it


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs of this test's own (the tests run as root), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs: {done.stderr.decode()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


async def test_counter_units_refused_by_a_full_disk_are_stored_with_the_next_count(tiny_disk: Path) -> None:
    """The disk fills while S3's counter counts 7: nothing is stored, the inmate on screen sees no
    refusal of theirs (only the storage banner), and once space returns the counter's next 2 units
    are stored together with the 7 held back: one count of 9, nothing lost, nothing twice."""
    ctrl, store = build_controller(tiny_disk, FakeTime(), plan=make_plan())
    ctrl.counter_steps = {"counter0": "S3"}
    counter = UnitCounterSimulation(
        SerialCounterConfig(name="counter0", url="sim://counter0"), on_event=ctrl.post_device_event
    )
    filler = tiny_disk / "filler"
    try:
        async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
            await user.open("/")
            counter.start()
            await ctrl.handle(inputs.BadgeTapped(badge="B1002"))
            await ctrl.handle(inputs.CheckInPressed())
            await user.should_see("签到成功")
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * 512):
                    pass
            os.close(fd)
            for _ in range(400):  # pages SQLite already holds may take a few more records
                try:
                    store.append(DeviceFault(device="disk", fault="fill"))
                except StorageFull:
                    break
            state_before = ctrl.state
            counter.count(7)
            await ctrl.settle()
            assert ctrl.state == state_before
            await user.should_see(marker="storage-full")
            assert not [r for r in store.records_for_day(DAY) if isinstance(r.body, UnitCount)]
            filler.unlink()
            counter.count(2)
            await ctrl.settle()
            assert [r.body for r in store.records_for_day(DAY) if isinstance(r.body, UnitCount)] == [
                _count(9)
            ]
            counter.stop()
    finally:
        store.close()


async def test_units_a_counter_made_while_the_kiosk_was_off_are_counted_once_after_restart(
    tmp_path: Path,
) -> None:
    """A real serial counter on a pty counts 3 for S3's checked-in holder; the kiosk goes off (store
    closed, driver gone) while the counter makes 5 more; the restarted kiosk resumes from the reading
    its stored units reach, so the 5 are credited once and the 3 are not counted again."""
    from kiosk.app import resume_total

    steps = {"counter0": "S3"}
    config = SerialCounterConfig(name="counter0", url=str(tmp_path / "counter0"), reconnect_min=0.02)

    async def run_kiosk(device: SerialCounterSimulator, make: Callable[[], None]) -> list[Body]:
        ctrl, store = build_controller(tmp_path, FakeTime(), plan=make_plan())
        ctrl.counter_steps = steps
        recorder = EventRecorder()

        def on_event(event: DeviceEvent) -> None:
            recorder(event)
            ctrl.post_device_event(event)

        driver = SerialCounterHardware(
            config, on_event=on_event, resume_total=resume_total(store, config, steps)
        )
        try:
            async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
                await user.open("/")
                if not [r for r in store.records_for_day(DAY) if isinstance(r.body, CheckIn)]:
                    await ctrl.handle(inputs.BadgeTapped(badge="B1002"))
                    await ctrl.handle(inputs.CheckInPressed())
                    await ctrl.handle(inputs.DonePressed())
                driver.start()
                await asyncio.to_thread(recorder.wait_for, DeviceConnected)
                device.report()
                make()
                await asyncio.to_thread(recorder.wait_until, lambda: bool(recorder.of_type(UnitsCounted)))
                deadline = time.monotonic() + 5.0
                while True:  # the event reaches the store through the controller's loop
                    await ctrl.settle()
                    bodies = [r.body for r in store.records_for_day(DAY)]
                    if (
                        any(isinstance(b, UnitCount | DeviceFault) for b in bodies)
                        or time.monotonic() > deadline
                    ):
                        return bodies
                    await asyncio.sleep(0.02)
        finally:
            driver.stop()
            store.close()

    with SerialCounterSimulator(link=tmp_path / "counter0", initial_total=1000) as device:

        def first_shift() -> None:
            device.count(3)

        def after_restart() -> None:
            device.report()  # the first reading after the restart already carries the 5

        assert _units(await run_kiosk(device, first_shift)) == [3]
        device.count(5)  # made while the kiosk is off
        bodies = await run_kiosk(device, after_restart)
    assert [b for b in bodies if isinstance(b, UnitCount)] == [_count(3), _count(5)]


async def _connected(counter: UnitCounterSimulation) -> None:
    """The simulation plugs itself in from its own thread: counts before that arrive later, at once."""
    for _ in range(500):
        if counter.connected:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the simulated counter never connected")


async def test_a_check_out_after_a_burst_of_counts_leaves_every_count_with_him(
    kiosk: KioskHarness, counters: tuple[UnitCounterSimulation, UnitCounterSimulation]
) -> None:
    """1002 is checked in at S3 and on screen; S3's counter counts 40 times, one piece each, and he taps
    签退 before the kiosk has stored them. The 40 pieces (queued first) are his, stored once each and
    before his check-out: none becomes an unattributed fault, none is lost or doubled."""
    counter, _ = counters
    await _check_in(kiosk, "B1002")
    await kiosk.tap("B1002")
    await kiosk.user.should_see("1002")
    await _connected(counter)
    for _ in range(40):
        counter.count(1)  # each frame is a device event queued for the controller, in order
    await kiosk.ctrl.handle(inputs.CheckOutPressed())
    await kiosk.ctrl.settle()
    bodies = kiosk.bodies()
    kinds = [type(b).__name__ for b in bodies]
    assert kinds == ["CheckIn"] + ["UnitCount"] * 40 + ["CheckOut"]
    assert bodies[1:41] == [_count(1)] * 40
    message = kiosk.ctrl.state.message
    assert message is not None
    assert message.key == "checked_out"


async def test_counts_queued_before_the_kiosk_gets_to_them_are_all_stored_in_order(
    kiosk: KioskHarness, counters: tuple[UnitCounterSimulation, UnitCounterSimulation]
) -> None:
    """60 counts reach the kiosk before it gets to them (as when the disk is slow under load, and they
    are then committed together): every piece is stored once, in order, and the counter's stored-up-to
    reading is its last total, so a restart neither loses nor repeats any."""
    counter, _ = counters
    await _check_in(kiosk, "B1002")
    await kiosk.ctrl.settle()
    await _connected(counter)
    for _ in range(60):
        counter.count(1)  # from the driver: queued, the screen's loop has not run yet
    await kiosk.ctrl.settle()
    counted = [b for b in kiosk.bodies() if isinstance(b, UnitCount)]
    assert counted == [_count(1)] * 60, [type(b).__name__ for b in kiosk.bodies()]
    assert kiosk.store.counter_total("counter0") == counter.counter_total == 60
