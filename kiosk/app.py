"""Assembles a kiosk: config, key, store, screen model, devices, uplink, UI; stops in reverse.

The key, the store (with its integrity check and pruning) and the screen model are made before the
web server starts, so a bad key file or a damaged database stops the kiosk with one clear line. The
devices and the uplink start once NiceGUI's event loop runs, because their events are handed to it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping
from typing import Any

from nicegui import app, ui

from devices.api import (
    DeviceConfig,
    ModbusCounterConfig,
    SerialCounterConfig,
    open_device,
    parse_device_config,
)
from devices.errors import DeviceConfigError
from floorledger import keyfile
from kiosk import texts
from kiosk.clock import KioskClock
from kiosk.config import KioskConfig
from kiosk.errors import ConfigError, StoreError
from kiosk.session import Limits
from kiosk.store import KioskStore
from kiosk.ui import Enrollment, KioskController, kiosk_page
from kiosk.uplink import Uplink, UplinkState
from protocol.topics import Topics

log = logging.getLogger(__name__)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def resume_total(store: KioskStore, device: DeviceConfig, counter_steps: Mapping[str, str]) -> int | None:
    """Where a credited counter resumes: the reading its stored units reach, so units made while the
    kiosk was off are counted when it is back, and none twice. Other devices, and a counter never
    counted here: None (its first reading is the baseline)."""
    if not isinstance(device, SerialCounterConfig | ModbusCounterConfig) or device.name not in counter_steps:
        return None
    total = store.counter_total(device.name)
    return None if total is None else total % device.modulus


class KioskApp:
    def __init__(self, config: KioskConfig, *, simulated_devices: bool = False) -> None:
        self.config = config
        self.simulated_devices = simulated_devices
        self.clock: KioskClock | None = None
        self.store: KioskStore | None = None
        self.controller: KioskController | None = None
        self.devices: list[Any] = []
        self.uplink: Uplink | None = None

    # -- start -----------------------------------------------------------------------------------

    def open(self) -> KioskController:
        """Key, store and screen model (no threads yet); raises KioskError/CliError with one line."""
        cfg = self.config
        signer, created = keyfile.load_or_create(cfg.key_file)
        self.clock = KioskClock(cfg.timezone)
        self.store = KioskStore(cfg.database, cfg.kiosk_id, signer, self.clock)
        problems = self.store.check_integrity()
        if problems:
            self.store.close()
            raise StoreError(f"the record store {cfg.database} fails its integrity check: {problems[0]}")
        pruned = self.store.prune(self.clock.wall_ms(), cfg.retention_days)
        if pruned:
            log.info("pruned %d acknowledged records older than %d days", pruned, cfg.retention_days)
        enrollment = None
        if created or self.store.acked_seq() == 0:
            enrollment = Enrollment(
                kiosk=cfg.kiosk_id, fingerprint=signer.fingerprint, public_key_b64=signer.public_key_b64
            )
        self.controller = KioskController(
            kiosk_id=cfg.kiosk_id,
            line=cfg.line,
            store=self.store,
            clock=self.clock,
            limits=Limits(max_units_per_entry=cfg.max_units_per_entry, idle_seconds=cfg.idle_seconds),
            language=cfg.language,
            enrollment=enrollment,
            counter_steps=cfg.counter_steps,
        )
        device_configs = []
        for i, raw in enumerate(cfg.devices):
            try:
                device_configs.append(parse_device_config(raw))
            except DeviceConfigError as err:
                raise ConfigError(f"devices[{i}]", str(err)) from err
        self.devices = [
            open_device(
                dc,
                simulated=self.simulated_devices,
                on_event=self.controller.post_device_event,
                resume_total=resume_total(self.store, dc, cfg.counter_steps),
            )
            for dc in device_configs
        ]
        self.uplink = Uplink(
            self.store,
            cfg.broker(),
            Topics.for_site(cfg.site),
            cfg.kiosk_id,
            cfg.hub_public_key,
            on_plan=self.controller.post_plan,
            on_state=self._on_link,
            line=cfg.line,
            clock=self.clock,
            batch_size=cfg.batch_size,
            witness_interval_s=cfg.witness_minutes * 60.0 if cfg.witness_minutes else None,
        )
        self.controller.on_appended = self.uplink.wake
        return self.controller

    def _on_link(self, state: UplinkState) -> None:
        controller = self.controller
        if controller is None:
            return
        controller.post_link(state.connected, state.pending, state.clock_offset_ms, state.acked_seq)
        if state.acked_seq > 0 and controller.enrollment is not None:
            controller.post_enrolled()  # the hub acknowledges only the records of enrolled kiosks

    def start_background(self) -> None:
        """Devices, then the uplink; called on the UI's event loop (NiceGUI startup)."""
        assert self.controller is not None
        assert self.uplink is not None
        self.controller.attach_loop(asyncio.get_running_loop())
        for device in self.devices:
            device.start()
        self.uplink.start()

    def stop(self) -> None:
        """Reverse order: uplink, devices, store. Unacknowledged records stay in the store."""
        if self.uplink is not None:
            self.uplink.stop()
            self.uplink = None
        for device in reversed(self.devices):
            device.stop()
        self.devices = []
        if self.store is not None:
            self.store.close()
            self.store = None

    # -- run -------------------------------------------------------------------------------------

    def run(self) -> None:
        """Open everything, serve the page and block until the server stops."""
        controller = self.open()
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it to the handler it found:
        # make that an ordinary exit (status 0, as systemd expects from `systemctl stop`).
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        app.on_startup(self.start_background)
        app.on_shutdown(self.stop)
        width, height = self.config.screen
        ui.run(
            root=lambda: kiosk_page(controller),
            host=self.config.ui_host,
            port=self.config.ui_port,
            title=texts.text("kiosk.title", self.config.language),
            language="zh-CN" if self.config.language == "zh" else "en-US",
            reload=False,
            show=False,
            dark=False,
            window_size=None,
            favicon="🏭",
            show_welcome_message=False,
            uvicorn_logging_level="warning",
            reconnect_timeout=10.0,
        )
        log.info("kiosk %s (%dx%d) stopped", self.config.kiosk_id, width, height)
