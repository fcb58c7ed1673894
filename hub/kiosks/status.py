"""What each kiosk last said on its status topic: online or not, its backlog and its clock offset.

A kiosk publishes a retained JSON status (`state`, `pending`, `acked_seq`, `wall_ms`, `boot`) on
`<prefix>/kiosk/<kiosk>/status` when it connects and every 30 s; its last will is the plain text
`offline`. The hub subscribes `on_status` to `Topics.all_statuses()`. This is display information
for the live floor page, never evidence: it is unsigned, so it is kept as the latest word per kiosk
and nothing else reads it. `on_status` runs on the MQTT network thread and never raises: plain
`online`/`offline`, or a JSON status with unreadable numbers, set the state only; oversize or
unparseable payloads are ignored (logged).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import peewee as pw

from hub.store.kiosks import MAX_STATE_CHARS, KioskStatus

log = logging.getLogger(__name__)

MAX_STATUS_BYTES = 1024  # a status is a few dozen bytes; anything bigger is not one

ONLINE = "online"
OFFLINE = "offline"


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusReport:
    """A status payload as understood: the state always, the numbers only from a JSON status."""

    state: str
    pending: int | None = None
    acked_seq: int | None = None
    wall_ms: int | None = None


def _count(value: object) -> int | None:
    # bool is an int in Python; a status saying `"pending": true` is not a number
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62:
        return value
    return None


def parse_status(payload: bytes) -> StatusReport | None:
    """What a status payload says, or None when it is not a status at all (too big, not text)."""
    if len(payload) > MAX_STATUS_BYTES:
        return None
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    if text in (ONLINE, OFFLINE):
        return StatusReport(state=text)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None
    state = data.get("state")
    if not isinstance(state, str) or not state or len(state) > MAX_STATE_CHARS:
        return None
    return StatusReport(
        state=state,
        pending=_count(data.get("pending")),
        acked_seq=_count(data.get("acked_seq")),
        wall_ms=_count(data.get("wall_ms")),
    )


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def kiosk_of(topic: str) -> str | None:
    """The kiosk a `<prefix>/kiosk/<kiosk>/status` topic names (the subscription fixes the prefix)."""
    parts = topic.split("/")
    if len(parts) < 3 or parts[-1] != "status" or parts[-3] != "kiosk":
        return None
    kiosk = parts[-2]
    return kiosk if 0 < len(kiosk) <= 64 else None


def on_status(topic: str, payload: bytes, now_ms: Callable[[], int] = wall_ms) -> None:
    """HubMqtt handler for `Topics.all_statuses()`: store what the kiosk said; never raises."""
    try:
        _store(topic, payload, now_ms())
    except Exception:  # display only: a bad moment of the database must not disturb the MQTT loop
        log.exception("could not store the status on %s", topic)


def _store(topic: str, payload: bytes, now: int) -> None:
    kiosk = kiosk_of(topic)
    if kiosk is None:
        return
    report = parse_status(payload)
    if report is None:
        if payload:  # an empty payload clears a retained message: nothing to say
            log.warning("ignored a status from kiosk %s that is not one (%d bytes)", kiosk, len(payload))
        return
    row: dict[pw.Field, object] = {KioskStatus.state: report.state, KioskStatus.seen_ms: now}
    if report.state != OFFLINE:
        # an online status replaces the numbers (a bare `online` clears stale ones); `offline`
        # keeps the last backlog heard, which is what the kiosk still holds
        row[KioskStatus.pending] = report.pending
        row[KioskStatus.acked_seq] = report.acked_seq
        row[KioskStatus.clock_offset_ms] = None if report.wall_ms is None else report.wall_ms - now
    database = KioskStatus._meta.database
    with database.connection_context():
        (
            KioskStatus.insert({KioskStatus.kiosk: kiosk, **row})
            .on_conflict(conflict_target=[KioskStatus.kiosk], update=row)
            .execute()
        )


def latest(db: pw.Database) -> dict[str, KioskStatus]:
    """Every kiosk's latest status, read from `db` (the page's database, whatever the model was bound
    to); empty when that database has no status table yet (a hub created before this table)."""
    try:
        return {row.kiosk: row for row in KioskStatus.select().bind(db)}
    except pw.DatabaseError as err:  # display only: the floor page still shows everything else
        log.debug("no kiosk statuses: %s", err)
        return {}
