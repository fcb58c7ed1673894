"""Texts of the kiosk subsystem's refusals (keys `kiosks.`), Simplified Chinese first.

Registered by the modules that raise them (`register()` at their import). Enrollment refusals are
shown on the Kiosks page in the officer's language and printed in English by `floorledger kiosks`.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    # hub.kiosks.enrollment
    "kiosks.enroll.not_a_code": {"zh": "不是 FloorLedger 注册码", "en": "not a FloorLedger enrollment code"},
    "kiosks.enroll.code_without_key": {"zh": "注册码中没有密钥", "en": "enrollment code names no key"},
    "kiosks.enroll.damaged_code": {"zh": "注册码已损坏：{detail}", "en": "damaged enrollment code: {detail}"},
    "kiosks.enroll.no_hello": {
        "zh": "终端 {kiosk} 尚未报到；请启动终端并检查网络",
        "en": "kiosk {kiosk} has not said hello; start it and check the network",
    },
    "kiosks.enroll.fingerprint_mismatch": {
        "zh": "指纹与终端 {kiosk} 报告的密钥不符；未注册任何终端",
        "en": "fingerprint does not match the key kiosk {kiosk} announced; nothing was enrolled",
    },
    "kiosks.enroll.code_key_differs": {
        "zh": "注册码中的密钥与终端 {kiosk} 报告的密钥不同；未注册任何终端",
        "en": "the code's key differs from the key kiosk {kiosk} announced; nothing was enrolled",
    },
    "kiosks.revoke.no_reason": {"zh": "请填写注销原因", "en": "give a reason for the revocation"},
    "kiosks.rotate.no_new_key": {
        "zh": "终端 {kiosk} 尚未报告新密钥",
        "en": "kiosk {kiosk} has not announced a new key",
    },
    "kiosks.rotate.fingerprint_mismatch": {
        "zh": "指纹与终端 {kiosk} 报告的新密钥不符；旧密钥继续有效",
        "en": "fingerprint does not match the new key kiosk {kiosk} announced; the old key stays",
    },
    "kiosks.enroll.already_revoked": {
        "zh": "终端 {kiosk} 已被注销；请用新的编号注册替换终端",
        "en": "kiosk {kiosk} is already revoked; enroll the replacement under a new id",
    },
    "kiosks.enroll.already_enrolled": {
        "zh": "终端 {kiosk} 已注册",
        "en": "kiosk {kiosk} is already enrolled",
    },
    "kiosks.enroll.unusable_key": {
        "zh": "终端 {kiosk} 的密钥不可用：{detail}",
        "en": "kiosk {kiosk}'s key is unusable: {detail}",
    },
    "kiosks.not_enrolled": {"zh": "终端 {kiosk} 未注册", "en": "kiosk {kiosk} is not enrolled"},
    "kiosks.revoked": {"zh": "终端 {kiosk} 已被注销", "en": "kiosk {kiosk} is revoked"},
    "kiosks.bad_line": {"zh": "不是有效的产线编号：{line!r}", "en": "not a line id: {line!r}"},
    # hub.kiosks.ingest and hub.kiosks.worker
    "kiosks.ingest.unbound": {
        "zh": "启动接收前请先把 hub.store.kiosks 绑定到此数据库（hub.store.db.bind）",
        "en": "bind hub.store.kiosks to this database (hub.store.db.bind) before starting ingest",
    },
    "kiosks.ingest.head_moved": {
        "zh": "终端 {kiosk}：链头已不是 {seq}",
        "en": "kiosk {kiosk}: head is no longer {seq}",
    },
    "kiosks.worker.needs_mqtt5": {
        "zh": "额外的接收进程通过 MQTT 5 共享订阅分担记录：请使用 MQTT 5 代理（不要用 ?mqtt=3.1.1）",
        "en": (
            "extra ingest workers share the records through MQTT 5 shared subscriptions: "
            "use an MQTT 5 broker (not ?mqtt=3.1.1)"
        ),
    },
}


def register() -> None:
    i18n.register(TEXTS)
