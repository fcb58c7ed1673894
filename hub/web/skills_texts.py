"""Words of the skill matrix page (`skills.`), Simplified Chinese first; registered at import."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "skills.nav": {"zh": "技能矩阵", "en": "Skills"},
    "skills.title": {"zh": "技能矩阵", "en": "Skill matrix"},
    "skills.area": {"zh": "监区", "en": "Area"},
    "skills.hint": {
        "zh": "每格:该罪犯在该工序上的效率(完成工时/定额工时,近期权重更高)· 所依据的天数;"
        "↑↓ 为近 10 天与此前相比的走势;? 表示天数太少(少于 5 天),仅供参考。近 {days} 天。",
        "en": "Each cell: the inmate's efficiency on the step (earned over quota standard time, recent "
        "days weighted more) · the days it rests on; ↑↓ the last 10 days against the ones before; ? "
        "fewer than 5 days, a hint only. Last {days} days.",
    },
    "skills.days": {"zh": "{n}天", "en": "{n} d"},
    "skills.number": {"zh": "罪犯编号", "en": "Number"},
    "skills.name": {"zh": "姓名", "en": "Name"},
    "skills.export": {"zh": "导出 CSV", "en": "Export CSV"},
    "bottleneck.nav": {"zh": "瓶颈工序", "en": "Bottleneck"},
    "bottleneck.title": {"zh": "产线瓶颈工序", "en": "The line's bottleneck"},
    "bottleneck.line": {"zh": "生产线", "en": "Line"},
    "bottleneck.month": {"zh": "月份", "en": "Month"},
    "bottleneck.show": {"zh": "查看", "en": "Show"},
    "bottleneck.count": {"zh": "{step} 为瓶颈 {n} 天", "en": "{step}: the bottleneck on {n} days"},
    "bottleneck.none": {"zh": "本月没有生产日", "en": "No working day this month"},
    "bottleneck.day": {"zh": "日期", "en": "Day"},
    "bottleneck.warehoused": {"zh": "入库数", "en": "Warehoused"},
    "bottleneck.neck": {"zh": "瓶颈工序", "en": "Bottleneck"},
}

i18n.register(TEXTS)


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)
