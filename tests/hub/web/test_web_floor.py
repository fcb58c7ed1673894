"""Live floor (现场) fed by the real ingest: signed records committed, a forged one quarantined.

The records go through `hub.kiosks.ingest.Ingest.handle_records` (verify, store, acknowledge through a real
Mosquitto), exactly what the hub does with a kiosk's message; the page shows what was stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing.user import User

from floorledger.base.mqtt_url import BrokerConfig
from hub.kiosks import enrollment, ingest
from hub.kiosks.mqtt import HubMqtt
from hub.ledger import entries as ledger
from hub.store.schema import prepare
from hub.web import WebContext
from protocol import batch
from protocol.records import GENESIS_HASH, CheckIn, Record, UnitCount, sign_record
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.hub.conftest_web import (
    START_MS,
    StepClock,
    add_officers,
    hub_db,
    login,
    make_context,
    seed_site,
    web_user,
)

DAY = "2025-11-29"  # the StepClock's day in Shanghai
TOPICS = Topics.for_site("web-test")


@pytest.fixture
def ctx(tmp_path: Path, machine_broker: BrokerAddress) -> Iterator[WebContext]:
    database = hub_db(tmp_path / "hub.db")
    prepare(database)
    seed_site(3)
    clock = StepClock()
    hub_key = Signer.generate()
    book = ledger.Ledger(database, hub_key, clock)
    enroll = enrollment.Enrollment(database, book, clock)
    context = make_context(database, clock, ledger=book, enrollment=enroll)

    prepare(database)
    add_officers(context)
    mqtt = HubMqtt(BrokerConfig.from_url(machine_broker.url))
    mqtt.start()
    try:
        assert mqtt.wait_ready(10)
        hub_ingest = ingest.Ingest(database, mqtt, TOPICS, "hub", hub_key, shared=False, clock_ms=clock)
        kiosks = {"K-A1": Signer.generate(), "K-B1": Signer.generate()}
        for kiosk, key in kiosks.items():
            enroll.enroll_qr("admin", f"{enrollment.QR_PREFIX}{kiosk}:{_b64(key.public_key)}", kiosk[2:])
        hub_ingest.reload_keys()
        _send(hub_ingest, "K-A1", kiosks["K-A1"], "A1")
        _send(hub_ingest, "K-B1", kiosks["K-B1"], "B1")
        forged = sign_record(_record("K-A1", 99, UnitCount(**_count("A1001", "A1", 5))), Signer.generate())
        hub_ingest.handle_records(TOPICS.records("K-A1"), batch.pack([forged.frame]))
        yield context
    finally:
        mqtt.stop()
        database.close()


def _b64(key: bytes) -> str:
    from protocol.signing import b64encode

    return b64encode(key)


def _record(kiosk: str, seq: int, body: object, prev: str = GENESIS_HASH) -> Record:
    return Record(kiosk=kiosk, seq=seq, prev=prev, boot="boot-1", wall_ms=START_MS, mono_ms=seq, body=body)  # type: ignore[arg-type]


def _count(person: str, line: str, units: int) -> dict[str, object]:
    return {"person": person, "line": line, "day": DAY, "product": "P1", "step": "S1", "units": units,
            "source": "manual"}  # fmt: skip


def _send(hub_ingest: ingest.Ingest, kiosk: str, key: Signer, line: str) -> None:
    """Two check-ins and three counts (12 units) on `line`, signed and chained, in one batch."""
    bodies = [
        CheckIn(person=f"{line}001", line=line, day=DAY, method="badge"),
        CheckIn(person=f"{line}002", line=line, day=DAY, method="badge"),
        UnitCount(**_count(f"{line}001", line, 5)),
        UnitCount(**_count(f"{line}002", line, 4)),
        UnitCount(**_count(f"{line}001", line, 3)),
    ]
    frames, prev = [], GENESIS_HASH
    for seq, body in enumerate(bodies, start=1):
        signed = sign_record(_record(kiosk, seq, body, prev), key)
        frames.append(signed.frame)
        prev = signed.hash
    result = hub_ingest.handle_records(TOPICS.records(kiosk), batch.pack(frames))
    assert result is not None
    assert result.stored == 5


def _table(user: User, marker: str) -> list[dict[str, object]]:
    return list(user.find(marker=marker).elements.pop().rows)  # type: ignore[attr-defined]


async def test_the_live_floor_shows_todays_checkins_counts_kiosks_and_quarantine(ctx: WebContext) -> None:
    """The labor section sees each line's people and units today, both kiosks, and the forged record's
    rejection with its reason."""
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/floor")
        await user.should_see(marker="line-A1")
        await user.should_see("签到人数: 2")
        await user.should_see("报数合计: 12")
        kiosks = _table(user, "kiosk-table")
        assert [(k["kiosk"], k["line"]) for k in kiosks] == [("K-A1", "A1"), ("K-B1", "B1")]
        quarantined = _table(user, "quarantine-table")
        assert len(quarantined) == 1
        assert quarantined[0]["kiosk"] == "K-A1"
        assert quarantined[0]["reason"] == "bad_signature"


async def test_a_line_officer_sees_only_their_lines_kiosks_and_rejections(ctx: WebContext) -> None:
    """The officer of B1 sees B1's kiosk and none of A1's kiosk or its quarantined message."""
    async with web_user(ctx) as user:
        await login(user, "off_b1")
        await user.open("/floor")
        await user.should_see(marker="line-B1")
        await user.should_not_see(marker="line-A1")
        assert [k["kiosk"] for k in _table(user, "kiosk-table")] == ["K-B1"]
        assert _table(user, "quarantine-table") == []


async def test_the_live_floor_shows_each_kiosks_backlog_and_clock_offset(ctx: WebContext) -> None:
    """What the kiosks last said on their status topics reaches the page: K-A1 online with 7 records
    waiting and its clock 75 s ahead (flagged, past a minute); K-B1's last will says offline, with the
    backlog it reported before and a small offset that is not flagged."""
    from hub.kiosks import status as kiosk_status

    prepare(ctx.db)
    now = 1_764_400_000_000

    def say(kiosk: str, payload: bytes) -> None:
        kiosk_status.on_status(TOPICS.status(kiosk), payload, lambda: now)

    say("K-A1", b'{"state":"online","pending":7,"acked_seq":5,"wall_ms":%d,"boot":"b1"}' % (now + 75_000))
    say("K-B1", b'{"state":"online","pending":2,"acked_seq":5,"wall_ms":%d,"boot":"b2"}' % (now - 3_000))
    say("K-B1", b"offline")
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/floor")
        await user.should_see(marker="kiosk-table")
        rows = {k["kiosk"]: k for k in _table(user, "kiosk-table")}
        assert (rows["K-A1"]["state"], rows["K-A1"]["waiting"], rows["K-A1"]["offset"]) == (
            "在线",
            "7",
            "+75 s",
        )
        assert rows["K-A1"]["offset_warn"] is True
        assert (rows["K-B1"]["state"], rows["K-B1"]["waiting"], rows["K-B1"]["offset"]) == (
            "离线",
            "2",
            "-3 s",
        )
        assert rows["K-B1"]["offset_warn"] is False


def test_a_kiosk_never_heard_from_reads_never_connected_not_offline() -> None:
    """Enrolled but never heard from (the demo's history kiosks): 从未连接; heard from once, now quiet:
    离线; revoked: 已吊销, whatever it last said."""
    from hub.store import kiosks as models
    from hub.web.floor import KioskRow, kiosk_state

    never = KioskRow(kiosk="H-L1", line="L1", online=False, last_seen_ms=None, status=models.ENROLLED)
    quiet = KioskRow(kiosk="K-A1", line="A1", online=False, last_seen_ms=1, status=models.ENROLLED)
    gone = KioskRow(kiosk="K-B1", line="B1", online=True, last_seen_ms=1, status=models.REVOKED)
    assert kiosk_state(never) == "web.floor.never"
    assert kiosk_state(quiet) == "web.floor.offline"
    assert kiosk_state(gone) == "web.kiosks.revoked"
