"""Texts of the suggestions and actions (`hub.review.suggestions`, `hub.review.actions`): their
refusals (`suggest.err.*`). Registered by the modules that raise them."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "suggest.err.param": {
        "zh": "阈值 {name} 不正确：天数为 1 到 366 的整数，百分比为 0 到 1000 的数",
        "en": "Threshold {name} is not valid: days are whole numbers 1-366, percentages 0-1000",
    },
    "suggest.err.no_params": {"zh": "请至少修改一个阈值", "en": "Change at least one threshold"},
    "suggest.err.version": {
        "zh": "版本号 {version} 不可用（字母、数字、. _ -，且不能重复）",
        "en": "Version {version} cannot be used (letters, digits, . _ -, and not taken)",
    },
    "suggest.err.day": {"zh": "日期 {day} 不正确（应为 YYYY-MM-DD）", "en": "Day {day} is not YYYY-MM-DD"},
    "suggest.err.scope": {"zh": "无权执行此操作", "en": "Not allowed"},
    "suggest.err.reason": {
        "zh": "请填写理由（最多 {limit} 字）",
        "en": "A reason is required ({limit} at most)",
    },
    "suggest.err.officer": {"zh": "请填写执行民警", "en": "Name the officer who acts"},
    "suggest.err.what": {"zh": "请填写培训内容", "en": "Say what the training is"},
    "suggest.err.kind": {"zh": "未知的措施类型 {kind}", "en": "Unknown kind of action {kind}"},
    "suggest.err.inmate": {"zh": "没有罪犯 {inmate}", "en": "No inmate {inmate}"},
    "suggest.err.step": {"zh": "生产线 {line} 没有工序 {step}", "en": "Line {line} has no step {step}"},
    "suggest.err.no_masterdata": {
        "zh": "调岗需要主数据服务，当前不可用",
        "en": "A post change needs the master-data service, which is not available",
    },
}


def register() -> None:
    i18n.register(TEXTS)
