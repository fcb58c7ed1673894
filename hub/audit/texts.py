"""Texts of the audit's refusals (keys `bundle.err.`): what `BundleError` carries.

Registered by `hub.audit.bundle` at import; the command line prints the English text, the audit
page the officer's language.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "bundle.err.no_inmate": {"zh": "没有罪犯 {inmate}", "en": "no inmate {inmate}"},
    "bundle.err.no_checkpoint": {
        "zh": "中心尚未生成检查点，请先生成一个",
        "en": "the hub has made no checkpoint yet; make one first",
    },
    "bundle.err.no_post": {
        "zh": "罪犯 {inmate} 在 {month} 的工作日没有岗位",
        "en": "inmate {inmate} has no post on a workday of {month}",
    },
    "bundle.err.outside": {
        "zh": "该罪犯的结果依赖其生产线日以外的输入，未生成证据包",
        "en": "the inmate's result depends on inputs outside their line-days; no bundle made",
    },
    "bundle.err.approval_changed": {
        "zh": "{area} 监区 {month} 的月考核已审批，但现在重算的分数与审批签名的不一致，"
        "未生成证据包（请先退回重审）",
        "en": "area {area}'s month {month} is approved, but its scores recomputed now differ from the "
        "signed approval; no bundle made (reopen and approve it again first)",
    },
    "bundle.err.not_covered": {
        "zh": "{count} 行尚未纳入最新检查点，请先生成检查点",
        "en": "{count} row(s) are not in the latest checkpoint yet; make a checkpoint first",
    },
}


def register() -> None:
    i18n.register(TEXTS)
