"""End to end on the hub: a count a kiosk signs goes through the real ingest and the real results
worker, and the open wall board shows it without a reload.

The site is `hub.seed`'s realistic one (60 inmates, a week of signed history, daily results, a
checkpoint); the new records continue the seeded kiosk's chain, signed with its key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from nicegui.testing.user import User

from floorledger.base.mqtt_url import BrokerConfig
from hub.kiosks.ingest import Ingest
from hub.kiosks.mqtt import HubMqtt
from hub.masterdata.queries import assignment_on
from hub.results import worker as results
from hub.seed import demo_kiosk_signer, history_kiosk, seed_site
from hub.store import db as hub_db
from hub.store import kiosks as models
from hub.web import WebContext
from hub.web.board.model import BoardSettings, Privacy
from protocol import batch
from protocol.records import CheckIn, Record, UnitCount, WarehousedCount, sign_record
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.hub.conftest_web import StepClock, make_context, web_user

TODAY = date(2025, 11, 27)  # a Thursday: a workday with quotas
NOW_MS = int(datetime(2025, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)
SITE = "demo"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[WebContext, results.Results]]:
    database = hub_db.connect(f"sqlite:///{tmp_path / 'hub.db'}")
    seed_site(
        database,
        hub_signer=Signer.generate(),
        site=SITE,
        today=TODAY,
        history_days=7,
        clock_ms=lambda: NOW_MS,
    )
    clock = StepClock(NOW_MS)
    worker = results.Results(database, today=lambda: TODAY, clock_ms=clock)
    worker.start()
    board = BoardSettings(privacy=Privacy.MASKED, poll_seconds=60.0)  # only the change notice refreshes
    ctx = make_context(database, clock, results=worker, board_settings=board)
    try:
        yield ctx, worker
    finally:
        worker.stop()
        database.close()


def _strip(user: User) -> str:
    strip = user.find(marker="board-today").elements.pop()
    return " ".join(child.text for child in strip.default_slot.children)  # type: ignore[attr-defined]


async def test_a_count_signed_at_the_kiosk_reaches_the_open_board(
    hub: tuple[WebContext, results.Results], machine_broker: BrokerAddress
) -> None:
    """Check-in and 7 units for one inmate (and the day's warehoused units), ingested and recomputed:
    today's strip on the open board goes from 0 to 7 units without the page being reloaded."""
    ctx, worker = hub
    kiosk = history_kiosk("L1")
    key = demo_kiosk_signer(1, kiosk)
    mqtt = HubMqtt(BrokerConfig.from_url(machine_broker.url))
    mqtt.start()
    try:
        assert mqtt.wait_ready(10)
        ingest = Ingest(
            ctx.db, mqtt, Topics.for_site(SITE), SITE, Signer.generate(), shared=False,
            on_committed=worker.on_committed, clock_ms=ctx.clock,
        )  # fmt: skip
        ingest.reload_keys()
        async with web_user(ctx) as user:
            worker.request_day(TODAY)  # today's quotas exist before any record, as at the start of a shift
            assert await asyncio.to_thread(worker.flush, 30)
            _, token = ctx.boards.create("L1", by="admin")
            await user.open(f"/board/L1?token={token}")
            await user.should_see(marker="board-row")
            assert "服装一线 0/" in _strip(user)
            client = user.client

            head = models.Kiosk.get_by_id(kiosk)
            post = assignment_on("P1001", TODAY)
            assert post is not None
            day = TODAY.isoformat()
            bodies = [
                CheckIn(person="P1001", line="L1", day=day, method="badge"),
                UnitCount(
                    person="P1001",
                    line="L1",
                    day=day,
                    product=post.product,
                    step=post.step,
                    units=7,
                    source="manual",
                ),
                # Counts are credited up to what reached the warehouse (入库数), entered by the officer.
                WarehousedCount(line="L1", product=post.product, day=day, units=500, officer="O-L1"),
            ]
            frames, prev, seq = [], head.head_hash, head.head_seq
            for body in bodies:
                seq += 1
                record = Record(
                    kiosk=kiosk, seq=seq, prev=prev, boot="live", wall_ms=NOW_MS, mono_ms=seq, body=body
                )
                signed = sign_record(record, key)
                frames.append(signed.frame)
                prev = signed.hash
            result = await asyncio.to_thread(
                ingest.handle_records, Topics.for_site(SITE).records(kiosk), batch.pack(frames)
            )
            assert result is not None
            assert result.stored == 3
            loop = asyncio.get_running_loop()
            started = loop.time()
            while "服装一线 7/" not in _strip(user):
                assert loop.time() - started < 10, f"the count never reached the board: {_strip(user)}"
                await asyncio.sleep(0.05)
            assert user.client is client
    finally:
        mqtt.stop()
