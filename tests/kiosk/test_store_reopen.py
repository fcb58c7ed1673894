"""A hub restored from an older backup acknowledges less than it did: the outbox reopens what the hub
lost (when the hub names our own record there) so the uplink sends it again, and only then."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.clock import KioskClock
from kiosk.store import DAY_MS, KioskStore
from protocol.messages import Ack
from protocol.records import GENESIS_HASH
from protocol.signing import Signer
from tests.system.delivery_support import body


def _store(path: Path) -> tuple[KioskStore, list[str]]:
    store = KioskStore(path, "K1", Signer.generate(), KioskClock())
    hashes = [store.append(body(i)).hash for i in range(10)]
    assert store.apply_ack(Ack(hub="HUB", kiosk="K1", seq=10, hash=hashes[-1], hub_ms=1))
    return store, hashes


def test_an_ack_below_the_delivered_point_naming_our_record_reopens_what_follows(tmp_path: Path) -> None:
    store, hashes = _store(tmp_path / "k.db")
    assert store.reopen_after(Ack(hub="HUB", kiosk="K1", seq=4, hash=hashes[3], hub_ms=2))
    assert store.acked_seq() == 4
    assert store.pending_count() == 6
    assert [f.seq for f in store.unacked(100)] == [5, 6, 7, 8, 9, 10]
    store.close()
    again = KioskStore(tmp_path / "k.db", "K1", store.signer, KioskClock())
    assert again.acked_seq() == 4  # durable: a restart still resends them
    again.close()


def test_a_hub_that_lost_everything_gets_the_whole_chain_again(tmp_path: Path) -> None:
    store, _ = _store(tmp_path / "k.db")
    assert store.reopen_after(Ack(hub="HUB", kiosk="K1", seq=0, hash=GENESIS_HASH, hub_ms=2))
    assert store.pending_count() == 10
    store.close()


@pytest.mark.parametrize("case", ["other hash", "other kiosk", "not lower"])
def test_an_ack_that_does_not_name_our_chain_reopens_nothing(tmp_path: Path, case: str) -> None:
    store, hashes = _store(tmp_path / "k.db")
    ack = {
        "other hash": Ack(hub="HUB", kiosk="K1", seq=4, hash="ab" * 32, hub_ms=2),
        "other kiosk": Ack(hub="HUB", kiosk="K2", seq=4, hash=hashes[3], hub_ms=2),
        "not lower": Ack(hub="HUB", kiosk="K1", seq=10, hash=hashes[9], hub_ms=2),
    }[case]
    assert not store.reopen_after(ack)
    assert store.acked_seq() == 10
    assert store.pending_count() == 0
    store.close()


def test_records_already_pruned_cannot_be_resent_and_that_is_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The hub lost records the kiosk no longer keeps: nothing is reopened (resending the rest could
    never close the gap) and the kiosk logs an error naming where the hub's backups must help."""
    store, hashes = _store(tmp_path / "k.db")
    assert store.prune(now_ms=store.clock.wall_ms() + 40 * DAY_MS, retention_days=30) == 9
    with caplog.at_level(logging.ERROR, logger="kiosk.store"):
        assert not store.reopen_after(Ack(hub="HUB", kiosk="K1", seq=4, hash=hashes[3], hub_ms=2))
    assert "exist only in the hub's backups" in caplog.text
    assert store.acked_seq() == 10
    store.close()
