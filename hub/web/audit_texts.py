"""Texts of the audit page (keys `audit.`), Simplified Chinese first."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "audit.nav": {"zh": "审计", "en": "Audit"},
    "audit.title": {"zh": "审计", "en": "Audit"},
    "audit.key": {"zh": "枢纽公钥", "en": "Hub public key"},
    "audit.fingerprint": {"zh": "指纹：{fp}", "en": "Fingerprint: {fp}"},
    "audit.key.missing": {"zh": "未配置枢纽密钥，无法显示公钥", "en": "No hub key configured: key not shown"},
    "audit.key.hint": {
        "zh": "核验证据包时请单独提供此公钥，不要使用证据包内的任何密钥。",
        "en": "Give this key to the verifier separately; never trust a key from inside a bundle.",
    },
    "audit.ledger": {"zh": "台账（最新在前）", "en": "Ledger (newest first)"},
    "audit.col.index": {"zh": "序号", "en": "No."},
    "audit.col.time": {"zh": "时间", "en": "Time"},
    "audit.col.actor": {"zh": "操作人", "en": "Actor"},
    "audit.col.action": {"zh": "操作", "en": "Action"},
    "audit.col.subject": {"zh": "对象", "en": "Subject"},
    "audit.col.signature": {"zh": "签名", "en": "Signature"},
    "audit.sig.ok": {"zh": "有效", "en": "valid"},
    "audit.sig.bad": {"zh": "无效", "en": "INVALID"},
    "audit.sig.unknown": {"zh": "未核验", "en": "not checked"},
    "audit.page": {"zh": "第 {page} / {pages} 页", "en": "Page {page} of {pages}"},
    "audit.prev": {"zh": "上一页", "en": "Previous"},
    "audit.next": {"zh": "下一页", "en": "Next"},
    "audit.checkpoints": {"zh": "检查点", "en": "Checkpoints"},
    "audit.col.size": {"zh": "叶子数", "en": "Size"},
    "audit.col.root": {"zh": "根哈希", "en": "Root"},
    "audit.none": {"zh": "暂无", "en": "None yet"},
    "audit.verify": {"zh": "立即核验", "en": "Verify now"},
    "audit.verifying": {"zh": "正在核验全部签名和链……", "en": "Checking every signature and chain..."},
    "audit.verified": {"zh": "核验通过", "en": "Verified"},
    "audit.not_verified": {"zh": "核验未通过", "en": "NOT verified"},
    "audit.pending": {
        "zh": "另有 {count} 项日结果正在计算（核验时最新的记录尚未算入），不算问题；稍后再核验即可确认",
        "en": "{count} daily result(s) were still being computed (the newest records were not yet in "
        "them); not problems: verify again in a moment to confirm",
    },
    "audit.bundle": {"zh": "证据包（减刑、假释案卷）", "en": "Evidence bundle (commutation or parole file)"},
    "audit.inmate": {"zh": "罪犯编号", "en": "Inmate id"},
    "audit.bundle_full": {
        "zh": "完整版（含同线罪犯的记录，仅供内部审计）",
        "en": "Full (line-mates' records included, for internal audit only)",
    },
    "audit.err.no_key_private": {
        "zh": "本系统没有签名密钥，不能生成隐私版证据包",
        "en": "This hub has no signing key: it cannot make a private bundle",
    },
    "audit.month": {"zh": "月份（如 2026-10）", "en": "Month (e.g. 2026-10)"},
    "audit.download": {"zh": "下载证据包", "en": "Download the bundle"},
    "audit.err.inmate": {
        "zh": "请输入罪犯编号（不超过 64 个字符）",
        "en": "Enter an inmate id (at most 64 characters)",
    },
    "audit.err.month": {
        "zh": "月份格式应为 YYYY-MM，例如 2026-10",
        "en": "The month must be YYYY-MM, e.g. 2026-10",
    },
    "audit.err.bundle": {"zh": "无法生成证据包：{why}", "en": "No bundle made: {why}"},
    "audit.err.busy": {
        "zh": "数据库正忙，证据包未生成，请稍后重试",
        "en": "The database is busy; no bundle was made. Try again in a moment.",
    },
}

i18n.register(TEXTS)


def tr(key: str, lang: str = "zh", /, **values: object) -> str:
    return i18n.t(key, lang, **values)
