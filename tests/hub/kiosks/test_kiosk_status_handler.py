"""The hub's kiosk status handler on a real SQLite file: good statuses are stored, garbage never raises."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from hub.kiosks import status as kiosk_status
from hub.store import db as hubdb
from hub.store.kiosks import KioskStatus
from hub.store.schema import prepare
from protocol.topics import Topics

TOPICS = Topics.for_site("status-test")
HUB_NOW = 1_764_400_000_000


@pytest.fixture
def database(tmp_path: Path) -> Iterator[pw.Database]:
    database = hubdb.connect(f"sqlite:///{tmp_path / 'hub.db'}")
    prepare(database)
    try:
        yield database
    finally:
        database.close()


def _say(kiosk: str, payload: bytes, now: int = HUB_NOW) -> None:
    kiosk_status.on_status(TOPICS.status(kiosk), payload, lambda: now)


def _row(kiosk: str) -> KioskStatus | None:
    return KioskStatus.get_or_none(KioskStatus.kiosk == kiosk)


def _json(**fields: object) -> bytes:
    return json.dumps(fields).encode()


def test_a_json_status_stores_the_backlog_and_the_clock_offset(database: pw.Database) -> None:
    """A kiosk 75 s ahead with 7 records waiting is stored as online, pending 7, offset +75 000 ms,
    seen at the hub's receive time; a later status replaces it."""
    _say("K1", _json(state="online", pending=7, acked_seq=3, wall_ms=HUB_NOW + 75_000, boot="b1"))
    row = _row("K1")
    assert row is not None
    assert (row.state, row.pending, row.acked_seq, row.clock_offset_ms, row.seen_ms) == (
        "online", 7, 3, 75_000, HUB_NOW
    )  # fmt: skip
    _say(
        "K1",
        _json(state="online", pending=0, acked_seq=10, wall_ms=HUB_NOW + 1_000, boot="b1"),
        HUB_NOW + 30_000,
    )
    row = _row("K1")
    assert row is not None
    assert (row.pending, row.acked_seq, row.clock_offset_ms, row.seen_ms) == (
        0,
        10,
        -29_000,
        HUB_NOW + 30_000,
    )


def test_the_plain_offline_will_sets_the_state_and_keeps_the_last_backlog(database: pw.Database) -> None:
    """The kiosk's last will `offline` marks it offline and keeps the backlog it last reported (the
    records are still in its outbox); a plain `online` is accepted as state only."""
    _say("K1", _json(state="online", pending=4, acked_seq=1, wall_ms=HUB_NOW, boot="b1"))
    _say("K1", b"offline")
    row = _row("K1")
    assert row is not None
    assert (row.state, row.pending, row.acked_seq) == ("offline", 4, 1)
    _say("K2", b"online")
    row = _row("K2")
    assert row is not None
    assert (row.state, row.pending, row.clock_offset_ms) == ("online", None, None)


@pytest.mark.parametrize(
    "payload",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b"[1, 2, 3]",
        b'"online"',
        json.dumps({"pending": 3}).encode(),
        json.dumps({"state": "x" * 100}).encode(),
        b"",
    ],
    ids=["bad-json", "not-utf8", "json-list", "json-string", "no-state", "long-state", "empty"],
)
def test_garbage_is_ignored_without_raising(
    database: pw.Database, payload: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Payloads that are not a status leave the kiosk's row as it was and never raise."""
    _say("K1", _json(state="online", pending=2, acked_seq=1, wall_ms=HUB_NOW, boot="b1"))
    with caplog.at_level(logging.WARNING, logger="hub.kiosks.status"):
        _say("K1", payload)
    row = _row("K1")
    assert row is not None
    assert (row.state, row.pending) == ("online", 2)


def test_a_status_with_unreadable_numbers_is_accepted_as_state_only(database: pw.Database) -> None:
    """Strings, booleans or negative numbers in place of counts are not shown: state only."""
    _say("K1", _json(state="online", pending="lots", acked_seq=True, wall_ms=-5, boot=3))
    row = _row("K1")
    assert row is not None
    assert (row.state, row.pending, row.acked_seq, row.clock_offset_ms) == ("online", None, None, None)


def test_an_oversize_payload_is_ignored(database: pw.Database) -> None:
    """A status bigger than MAX_STATUS_BYTES (e.g. a flood) stores nothing."""
    big = _json(state="online", pending=1, acked_seq=0, wall_ms=HUB_NOW, boot="b" * 2000)
    assert len(big) > kiosk_status.MAX_STATUS_BYTES
    _say("K1", big)
    assert _row("K1") is None


def test_a_database_failure_does_not_escape_the_handler(tmp_path: Path) -> None:
    """With the status table dropped under it, the handler logs the failure and returns."""
    database = hubdb.connect(f"sqlite:///{tmp_path / 'other.db'}")
    prepare(database)
    database.execute_sql("DROP TABLE kiosk_status")  # type: ignore[no-untyped-call]
    try:
        _say("K1", _json(state="online", pending=1, acked_seq=0, wall_ms=HUB_NOW, boot="b1"))
    finally:
        database.close()


def test_topics_outside_the_kiosk_status_pattern_are_ignored(database: pw.Database) -> None:
    """Only `<prefix>/kiosk/<id>/status` names a kiosk; anything else stores nothing."""
    kiosk_status.on_status("status-test/hub/status", b"online")
    kiosk_status.on_status(f"{TOPICS.prefix}/kiosk//status", b"online")
    assert KioskStatus.select().count() == 0
