"""`floorledger verify`: the pushes to the scoring database (`export_delivery`) against the hub's own
signed acts (`export.push`), reported in the ledger section.

A delivery row is a work item, but what it says is shown to officers (推送至计分考核数据库: delivered,
failing) and decides whether the month is pushed again. Every attempt's answer is ledgered in the
same transaction as the row's update (`hub.review.push`), so the row must say what its acts say: a
row marked delivered with no delivered act behind it (edited in SQL to stop a push, or to hide a
failing one), a different attempt count, a file whose bytes no longer match its SHA-256 or whose
hub signature fails, are findings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from floorledger.base import i18n
from hub.ledger.entries import EntryRow, LedgerError, parse_entry
from hub.review import export_signature
from hub.store.delivery import CANCELLED, DELIVERED, FAILING, PENDING, ExportDelivery
from protocol.errors import ProtocolError
from protocol.signing import Verifier

ACTION = "export.push"
_STATE_OF = {"delivered": DELIVERED, "failed": FAILING, "cancelled": CANCELLED}

i18n.register(
    {
        "verify.f.delivery.state": {
            "zh": "推送记录（行号 {id}，{file}）：状态为 {stored}，但枢纽签名的推送记录为 {says}",
            "en": "delivery id={id} ({file}): state is {stored} but the hub's signed push acts say {says}",
        },
        "verify.f.delivery.attempts": {
            "zh": "推送记录（行号 {id}，{file}）：尝试 {stored} 次，但签名的推送记录为 {says} 次",
            "en": "delivery id={id} ({file}): {stored} attempt(s) but the signed push acts record {says}",
        },
        "verify.push_state.pending": {"zh": "待推送", "en": "pending"},
        "verify.push_state.delivered": {"zh": "已送达", "en": "delivered"},
        "verify.push_state.failing": {"zh": "推送失败", "en": "failing"},
        "verify.push_state.cancelled": {"zh": "已取消", "en": "cancelled"},
        "verify.f.delivery.bytes": {
            "zh": "推送记录（行号 {id}，{file}）：文件内容与其 SHA-256 不符，或枢纽签名无效",
            "en": "delivery id={id} ({file}): the file does not match its SHA-256 or its hub signature fails",
        },
    }
)


def _signed_pushes(rows: Iterable[EntryRow], hub_key: Verifier | None) -> dict[str, list[dict[str, object]]]:
    """The payloads of the hub-signed `export.push` acts, by idempotency key, in ledger order."""
    out: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        try:
            content, data, signature = parse_entry(row.frame)
            if content.action != ACTION:
                continue
            if hub_key is not None:
                hub_key.verify(data, signature)
        except (LedgerError, ProtocolError):
            continue
        out.setdefault(str(content.payload.get("idempotency_key", "")), []).append(content.payload)
    return out


def check_deliveries(rows: Iterable[EntryRow], hub_key: Verifier | None) -> tuple[int, list[i18n.Text]]:
    """(rows checked, findings) of the `export_delivery` table; nothing to check without the table."""
    if not ExportDelivery.table_exists():  # type: ignore[no-untyped-call]
        return 0, []
    pushes = _signed_pushes(rows, hub_key)
    findings: list[i18n.Text] = []
    checked = 0
    for d in ExportDelivery.select().order_by(ExportDelivery.id):
        checked += 1
        where = {"id": d.id, "file": d.file_name}
        acts = [a for a in pushes.get(str(d.idempotency_key), []) if a.get("target") == d.target]
        says = _STATE_OF.get(str(acts[-1].get("outcome")), PENDING) if acts else PENDING
        if d.state != says:
            shown = {
                "stored": i18n.Label("verify.push_state", d.state),
                "says": i18n.Label("verify.push_state", says),
            }
            findings.append(i18n.Text("verify.f.delivery.state", **where, **shown))
        attempts = sum(1 for a in acts if a.get("outcome") != "cancelled")
        if int(d.attempts) != attempts:
            findings.append(
                i18n.Text("verify.f.delivery.attempts", **where, stored=d.attempts, says=attempts)
            )
        data, signature = bytes(d.data), bytes(d.signature)
        sound = hashlib.sha256(data).hexdigest() == d.sha256
        if sound and hub_key is not None:
            facts, problems = export_signature.check(data, signature, hub_key.public_key)
            sound = facts is not None and not problems
        if not sound:
            findings.append(i18n.Text("verify.f.delivery.bytes", **where))
    return checked, findings
