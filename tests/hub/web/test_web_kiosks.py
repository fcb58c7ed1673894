"""Kiosks & screens page: enrolling by typed fingerprint or pasted QR text, revoking, all ledgered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui

from hub.kiosks import enrollment
from hub.ledger import entries as ledger
from hub.store import kiosks as models
from hub.store.schema import prepare
from hub.web import WebContext
from protocol.signing import Signer, b64encode
from tests.hub.conftest_web import StepClock, add_officers, hub_db, login, make_context, seed_site, web_user


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[WebContext]:
    database = hub_db(tmp_path / "hub.db")
    prepare(database)
    seed_site(1)
    clock = StepClock()
    book = ledger.Ledger(database, Signer.generate(), clock)
    context = make_context(
        database, clock, ledger=book, enrollment=enrollment.Enrollment(database, book, clock)
    )

    prepare(database)
    add_officers(context)
    yield context
    database.close()


def hello(kiosk: str) -> Signer:
    """A kiosk's hello as ingest records it: pending, with the key it announced."""
    key = Signer.generate()
    models.PendingKiosk.create(
        kiosk=kiosk, public_key=key.public_key, boot="b1", first_seen_ms=1, last_seen_ms=1
    )
    return key


def select(user: object, marker: str, value: str) -> None:
    user.find(kind=ui.select, marker=marker).elements.pop().set_value(value)  # type: ignore[attr-defined]


async def test_enroll_by_typed_fingerprint_binds_the_line_and_records_the_act(ctx: WebContext) -> None:
    """Kiosk id + fingerprint as shown on its screen: enrolled on line A1, listed, and in the ledger."""
    key = hello("K-A1-1")
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/kiosks")
        await user.should_see("待登记终端: K-A1-1")
        user.find(marker="kiosk-id").type("K-A1-1")
        user.find(marker="kiosk-code").type(key.fingerprint.upper().replace("-", " "))
        select(user, "kiosk-line", "A1")
        user.find(marker="enroll").click()
        await user.should_see("已登记终端 K-A1-1", retries=20)
        table = user.find(marker="enrolled-table").elements.pop()
        assert table.rows == [{"kiosk": "K-A1-1", "line": "A1", "status": "已登记"}]  # type: ignore[attr-defined]
    assert models.Kiosk.get_by_id("K-A1-1").line == "A1"
    assert [e.action for e in ctx.ledger.entries()] == [ledger.KIOSK_ENROLL]  # type: ignore[union-attr]
    assert ctx.ledger.entries()[0].actor == "admin"  # type: ignore[union-attr]


async def test_a_wrong_fingerprint_enrolls_nothing(ctx: WebContext) -> None:
    """A fingerprint that is not the announced key's: the reason is shown (in the officer's language)
    and no kiosk is enrolled."""
    hello("K-A1-1")
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/kiosks")
        user.find(marker="kiosk-id").type("K-A1-1")
        user.find(marker="kiosk-code").type("0000-0000-0000-0000-0000")
        user.find(marker="enroll").click()
        await user.should_see("指纹与终端 K-A1-1 报告的密钥不符", retries=20)
    assert models.Kiosk.select().count() == 0


async def test_enroll_by_pasted_qr_text_then_revoke_with_a_reason(ctx: WebContext) -> None:
    """The QR text from the kiosk's screen enrolls it; 吊销 with a reason revokes it (both ledgered)."""
    key = hello("K-B1-1")
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/kiosks")
        user.find(marker="kiosk-code").type(f"{enrollment.QR_PREFIX}K-B1-1:{b64encode(key.public_key)}")
        select(user, "kiosk-line", "B1")
        user.find(marker="enroll").click()
        await user.should_see("已登记终端 K-B1-1", retries=20)
        user.find(marker="revoke-kiosk-id").type("K-B1-1")
        user.find(marker="revoke-reason").type("设备丢失")
        user.find(marker="revoke-kiosk").click()
        await user.should_see("已完成", retries=20)
    assert models.Kiosk.get_by_id("K-B1-1").status == models.REVOKED
    actions = [e.action for e in ctx.ledger.entries()]  # type: ignore[union-attr]
    assert actions == [ledger.KIOSK_ENROLL, ledger.KIOSK_REVOKE]


async def test_an_enrolled_kiosk_is_bound_to_another_line(ctx: WebContext) -> None:
    """绑定生产线 moves an enrolled kiosk to another line; the act is in the ledger."""
    key = hello("K-1")
    ctx.enrollment.enroll_qr("admin", f"{enrollment.QR_PREFIX}K-1:{b64encode(key.public_key)}", "A1")  # type: ignore[union-attr]
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/kiosks")
        user.find(marker="bind-kiosk-id").type("K-1")
        select(user, "bind-line", "A2")
        user.find(marker="bind-kiosk").click()
        await user.should_see("已完成", retries=20)
        table = user.find(marker="enrolled-table").elements.pop()
        assert table.rows == [{"kiosk": "K-1", "line": "A2", "status": "已登记"}]  # type: ignore[attr-defined]
    assert models.Kiosk.get_by_id("K-1").line == "A2"
    assert [e.action for e in ctx.ledger.entries()][-1] == ledger.KIOSK_BIND  # type: ignore[union-attr]
