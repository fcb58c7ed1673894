"""Words of the suggestions and actions pages (`suggest.`, `actions.`), Simplified Chinese first;
registered at import. A suggestion's sentence is built here from its figures (`sentence`)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from floorledger.base import i18n
from hub.engine.exact import shown
from hub.review import suggestions as sg

TEXTS: dict[str, dict[str, str]] = {
    "suggest.nav": {"zh": "调岗与培训建议", "en": "Suggestions"},
    "suggest.title": {"zh": "调岗与培训建议", "en": "Suggestions for posts and training"},
    "suggest.area": {"zh": "监区", "en": "Area"},
    "suggest.hint": {
        "zh": "系统只提出建议并说明理由，不会自动调岗。依据近 {window} 天的日结果；"
        "少于 {min_days} 天的罪犯不提建议。",
        "en": "Suggestions with their reasons only; nothing moves by itself. From the last {window} days' "
        "results; no suggestion for an inmate with fewer than {min_days} days.",
    },
    "suggest.none": {"zh": "目前没有建议", "en": "No suggestion at present"},
    "suggest.move": {
        "zh": "在{to}上 {pct}%（{days}天），在{here}上仅 {here_pct}%（{here_days}天）：建议调至{to}",
        "en": "{pct} % on {to} ({days} days) but {here_pct} % on {here} ({here_days} days): consider {to}",
    },
    "suggest.move_short": {
        "zh": "，{to}本周缺 {n} 人",
        "en": ", where {to} is short of {n} this week",
    },
    "suggest.train": {
        "zh": "在{step}上已 {days} 天，近 {recent} 天中有 {low} 天低于 {low_pct}%：建议培训",
        "en": "below {low_pct} % on {low} of {recent} days on {step} after {days} days on the step: "
        "consider training",
    },
    "suggest.short": {
        "zh": "{line}：{step}本周缺 {n} 人（按定额产能，为本线瓶颈）",
        "en": "{line}: {step} is short of {n} this week (by its holders' quotas, the line's bottleneck)",
    },
    "suggest.act_post": {"zh": "登记调岗", "en": "Record post change"},
    "suggest.act_training": {"zh": "登记培训", "en": "Record training"},
    "suggest.dialog.post": {"zh": "登记调岗：{who}", "en": "Post change: {who}"},
    "suggest.dialog.training": {"zh": "登记培训：{who}", "en": "Training: {who}"},
    "suggest.f.step": {"zh": "工序", "en": "Step"},
    "suggest.f.day": {"zh": "生效日期", "en": "From"},
    "suggest.f.officer": {"zh": "执行民警", "en": "Officer"},
    "suggest.f.what": {"zh": "培训内容", "en": "Training"},
    "suggest.f.reason": {"zh": "理由", "en": "Reason"},
    "suggest.save": {"zh": "保存", "en": "Save"},
    "suggest.cancel": {"zh": "取消", "en": "Cancel"},
    "suggest.saved": {"zh": "已登记并签名入账", "en": "Recorded and signed"},
    "suggest.settings": {"zh": "建议阈值（按生效日期分版本）", "en": "Thresholds (versions by date)"},
    "suggest.settings.version": {"zh": "版本号", "en": "Version"},
    "suggest.settings.from": {"zh": "生效日期", "en": "From"},
    "suggest.settings.params": {"zh": "修改的阈值", "en": "Changed thresholds"},
    "suggest.settings.reason": {"zh": "原因", "en": "Reason"},
    "suggest.settings.by": {"zh": "登记人", "en": "By"},
    "suggest.settings.add": {"zh": "新增阈值版本", "en": "Add a version"},
    "suggest.settings.in_force": {"zh": "今日生效：{values}", "en": "In force today: {values}"},
    "suggest.p.window_days": {"zh": "统计天数", "en": "window_days"},
    "suggest.p.min_days": {"zh": "最少天数", "en": "min_days"},
    "suggest.p.good_pct": {"zh": "目标工序至少(%)", "en": "good_pct"},
    "suggest.p.better_margin_pct": {"zh": "高出至少(百分点)", "en": "better_margin_pct"},
    "suggest.p.low_pct": {"zh": "偏低线(%)", "en": "low_pct"},
    "suggest.p.recent_days": {"zh": "近期天数", "en": "recent_days"},
    "suggest.p.low_days": {"zh": "偏低天数", "en": "low_days"},
    "suggest.p.train_after_days": {"zh": "在岗满(天)后建议培训", "en": "train_after_days"},
    "suggest.p.week_days": {"zh": "缺人统计天数", "en": "week_days"},
    "suggest.p.effect_workdays": {"zh": "效果比较工作日", "en": "effect_workdays"},
    "actions.nav": {"zh": "措施与效果", "en": "Actions"},
    "actions.title": {"zh": "调岗与培训措施及效果", "en": "Actions and their effect"},
    "actions.hint": {
        "zh": "每项措施前后各 {n} 个工作日的完成率（本人与所在生产线）；不足 {n} 个工作日时显示进度。",
        "en": "Completion over {n} workdays before and after each action (the inmate and his line); "
        "until then, how far it is.",
    },
    "actions.col.day": {"zh": "日期", "en": "Day"},
    "actions.col.number": {"zh": "罪犯编号", "en": "Number"},
    "actions.col.name": {"zh": "姓名", "en": "Name"},
    "actions.col.kind": {"zh": "类型", "en": "Kind"},
    "actions.col.what": {"zh": "内容", "en": "What"},
    "actions.col.officer": {"zh": "执行民警", "en": "Officer"},
    "actions.col.reason": {"zh": "理由", "en": "Why"},
    "actions.col.suggested": {"zh": "来自建议", "en": "Suggested"},
    "actions.col.before": {"zh": "之前", "en": "Before"},
    "actions.col.after": {"zh": "之后", "en": "After"},
    "actions.col.change": {"zh": "变化", "en": "Change"},
    "actions.col.line_before": {"zh": "产线之前", "en": "Line before"},
    "actions.col.line_after": {"zh": "产线之后", "en": "Line after"},
    "actions.col.status": {"zh": "状态", "en": "Status"},
    "actions.kind.post": {"zh": "调岗", "en": "Post change"},
    "actions.kind.training": {"zh": "培训", "en": "Training"},
    "actions.yes": {"zh": "是", "en": "yes"},
    "actions.ready": {"zh": "已可比较", "en": "Measured"},
    "actions.waiting": {"zh": "已 {done}/{n} 个工作日", "en": "{done} of {n} workdays"},
    "inmate.suggestions": {"zh": "建议", "en": "Suggestions"},
    "inmate.actions": {"zh": "措施与效果", "en": "Actions and their effect"},
}

i18n.register(TEXTS)


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)


def pct(value: object) -> str:
    return "—" if value is None else f"{shown(value, 0)}%"  # type: ignore[arg-type]


def sentence(
    s: sg.Suggestion, steps: Mapping[tuple[str, str], str], lines: Mapping[str, str], lang: str
) -> str:
    """The suggestion's reason in words (the inmate's number and name are shown beside it)."""
    step = steps.get(s.step, s.step[1])
    if s.kind == sg.SHORT:
        return t("suggest.short", lang, line=lines.get(s.line, s.line), step=step, n=s.short_by)
    if s.kind == sg.TRAIN:
        return t("suggest.train", lang, step=step, days=s.days, recent=s.recent, low=s.low,
                 low_pct=shown(s.low_pct or Fraction(0), 0))  # fmt: skip
    here = steps.get(s.from_step, "") if s.from_step else ""
    text = t("suggest.move", lang, to=step, pct=shown(s.pct or Fraction(0), 0), days=s.days, here=here,
             here_pct=shown(s.from_pct or Fraction(0), 0), here_days=s.from_days)  # fmt: skip
    if s.short_by:
        text += t("suggest.move_short", lang, to=step, n=s.short_by)
    return text
