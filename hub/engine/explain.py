"""How a daily record or a monthly score was computed, in Chinese and English.

An officer answering an inmate's dispute, or a court checking a parole file, must be able to
re-derive every number from the floor records. An `Explanation` lists the inputs used (shift,
attendance, every group member's presence or count, the warehoused units), the mode, the version of
the standard time and of the rule set, and each intermediate value with its formula. Numbers are
written exactly: a decimal when short, else the rounded value with its exact fraction
("184.84 (= 3512/19)").

Version 2 adds the explanation of a rated day (`explain_rated`: quota, grade, the grade's
percentage, earned), of an exempt day (no record, nothing owed, and which period), of a training
day (the ramp step and the share of the quota), of rejects (the credit before and after), and in the
month of each deduction, the additions cap and a month that is not assessed.

The intermediate values are recomputed here with the rule book's formulas written out plainly in
`Fraction`s, independent of the integer fast path in `compute`; `explain_daily` refuses to explain a
record whose numbers it cannot reproduce (`EngineError`), and the tests hold both to the same digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from math import floor
from typing import Literal

from hub.engine.compute import DayRecord, MonthIndex, compute_line_day, monthly_score
from hub.engine.errors import EngineError
from hub.engine.exact import exact_text, round_fraction, shown
from hub.engine.model import EARLIEST_MONTH, HUNDRED, ZERO, Assignment, DailyRecord, MonthlyScore, RatedRecord
from hub.engine.rules import param_text, params_items

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# One translation table for every sentence an explanation can contain; `{name}` are its values.
TEXT: dict[str, dict[Lang, str]] = {
    "daily.title": {
        "zh": "罪犯 {inmate}{name} {day} 日记载的计算过程",
        "en": "How the daily record of inmate {inmate}{name} on {day} was computed",
    },
    "monthly.title": {
        "zh": "罪犯 {inmate}{name} {month} 月度劳动改造考核分的计算过程",
        "en": "How the monthly labor score of inmate {inmate}{name} for {month} was computed",
    },
    "rule_set": {
        "zh": "考核规则：版本 {version}（自 {valid_from} 起适用，参数摘要 {digest}）",
        "en": "Rule set: version {version} (applies from {valid_from}, parameter digest {digest})",
    },
    "rule_set_always": {
        "zh": "考核规则：版本 {version}（不限起始月份，参数摘要 {digest}）",
        "en": "Rule set: version {version} (in force from the first month on, parameter digest {digest})",
    },
    "params": {"zh": "规则参数：{params}", "en": "Rule parameters: {params}"},
    "assignment": {
        "zh": "岗位：生产线 {line}，产品 {product}，工序 {step}（岗位分配序号 {n}，{valid_from} 至 {valid_to}；重叠时以后列者为准）",  # noqa: E501
        "en": "Assignment: line {line}, product {product}, step {step} (assignments[{n}], {valid_from} to {valid_to}; where assignments overlap the later listed wins)",  # noqa: E501
    },
    "open_end": {"zh": "长期", "en": "open end"},
    "standard": {
        "zh": "标准工时：{product}/{step} 在 {day} 适用自 {valid_from} 起的版本，每件 {seconds} 标准秒",
        "en": "Standard time: {product}/{step} on {day} uses the version from {valid_from}: {seconds} standard seconds per unit",  # noqa: E501
    },
    "attendance": {
        "zh": "出勤：在岗 {present} 分钟，准假（请假、就医、会见、学习）{excused} 分钟",
        "en": "Attendance: present {present} min, excused (leave, medical, visit, education) {excused} min",
    },
    "attendance.none": {
        "zh": "出勤：当日无出勤记录，按在岗 0 分钟、准假 0 分钟计",
        "en": "Attendance: no entry for the day, so present 0 min and excused 0 min",
    },
    "quota": {
        "zh": "1. 定额 = max(0, 班次 {shift} − 准假 {excused}) 分钟 × 60 × 目标效率 {efficiency}% × 个人定额 {quota_pct}% = {quota} 标准秒",  # noqa: E501
        "en": "1. Quota = max(0, shift {shift} − excused {excused}) min × 60 × target efficiency {efficiency}% × personal quota {quota_pct}% = {quota} standard seconds",  # noqa: E501
    },
    "group": {
        "zh": "2. 计酬：当日 {line}/{product}/{step} 共 {n} 人，分享 {line}/{product} 当日入库数 W = {warehoused} 件：",  # noqa: E501
        "en": "2. Credit: {n} inmate(s) on {line}/{product}/{step} that day share the warehoused units of {line}/{product}, W = {warehoused}:",  # noqa: E501
    },
    "member": {
        "zh": "   - {inmate}：在岗 {present} 分钟，个人计件 {count}{me}",
        "en": "   - {inmate}: present {present} min, individual count {count}{me}",
    },
    "member.me": {"zh": "  ← 本人", "en": "  <- this inmate"},
    "member.no_count": {"zh": "无", "en": "none"},
    "counted": {
        "zh": "   计件模式（组内有人报了计件）：计件合计 Σ = {total}；计酬 = 计件 × min(1, W / Σ) = {count} × min(1, {warehoused} / {total}) = {credit} 件（计件只按入库数向下折算，不向上）",  # noqa: E501
        "en": "   Counted mode (someone in the group has an individual count): Σcounts = {total}; credited = count × min(1, W / Σcounts) = {count} × min(1, {warehoused} / {total}) = {credit} units (counts are scaled down to the warehouse, never up)",  # noqa: E501
    },
    "counted.no_count": {
        "zh": "   计件模式（组内有人报了计件）：本人无计件，计酬 0 件",
        "en": "   Counted mode (someone in the group has an individual count): this inmate has no count, so 0 units are credited",  # noqa: E501
    },
    "discrepancy.yes": {
        "zh": "   差异标记：|Σ − W| = {gap} > 容差 {tolerance}% × W = {limit}，待干警核对",
        "en": "   Discrepancy flagged: |Σcounts − W| = {gap} > tolerance {tolerance}% × W = {limit}, for an officer to resolve",  # noqa: E501
    },
    "discrepancy.no": {
        "zh": "   无差异标记：|Σ − W| = {gap} ≤ 容差 {tolerance}% × W = {limit}",
        "en": "   No discrepancy: |Σcounts − W| = {gap} ≤ tolerance {tolerance}% × W = {limit}",
    },
    "time": {
        "zh": "   计时模式（组内无人计件）：计酬 = W × 在岗 / 在岗合计 = {warehoused} × {present} / {total} = {credit} 件",  # noqa: E501
        "en": "   Time mode (nobody in the group has a count): credited = W × present / Σpresent = {warehoused} × {present} / {total} = {credit} units",  # noqa: E501
    },
    "time.nobody": {
        "zh": "   计时模式（组内无人计件）：当日组内无人在岗（在岗合计 0），所有人计酬 0 件",
        "en": "   Time mode (nobody in the group has a count): nobody was present (Σpresent = 0), so everyone is credited 0 units",  # noqa: E501
    },
    "earned": {
        "zh": "3. 完成标准秒 = 计酬 {credit} 件 × 标准工时 {seconds} = {earned}",
        "en": "3. Earned = credited {credit} units × standard time {seconds} = {earned} standard seconds",
    },
    "board": {
        "zh": "4. 看板：定额件数 = {quota} / {seconds} = {quota_units}；完成件数 = {done}；差额 = {diff}（{sense}）；完成率 = {completion}",  # noqa: E501
        "en": "4. Board: quota_units = {quota} / {seconds} = {quota_units}; done_units = {done}; diff_units = {diff} ({sense}); completion = {completion}",  # noqa: E501
    },
    "sense.over": {"zh": "超额", "en": "exceeded"},
    "sense.under": {"zh": "欠额", "en": "still owed"},
    "sense.even": {"zh": "恰好完成", "en": "exactly met"},
    "completion.none": {"zh": "无（定额为 0）", "en": "none (the quota is 0)"},
    "mode.time": {"zh": "计时", "en": "time"},
    "mode.counted": {"zh": "计件", "en": "counted"},
    "monthly.day": {
        "zh": "   {day} {line}/{product}/{step} {mode}：定额 {quota}，完成 {earned}{met}",
        "en": "   {day} {line}/{product}/{step} {mode}: quota {quota}, earned {earned}{met}",
    },
    "monthly.met": {"zh": "（完成定额）", "en": "  (met)"},
    "monthly.days": {
        "zh": "本月有岗位的工作日（共 {n} 天）：",
        "en": "Workdays of the month with an assignment ({n}):",
    },
    "monthly.no_days": {
        "zh": "本月没有有岗位的工作日，只有考核调整",
        "en": "No workday of the month with an assignment; only adjustments",
    },
    "monthly.sums": {
        "zh": "定额合计 Σquota = {quota} 标准秒；完成合计 Σearned = {earned} 标准秒",
        "en": "Σquota = {quota} standard seconds; Σearned = {earned} standard seconds",
    },
    "monthly.completion": {
        "zh": "完成率 = Σearned / Σquota = {pct}",
        "en": "completion = Σearned / Σquota = {pct}",
    },
    "monthly.completion.none": {
        "zh": "完成率：无（全月定额为 0）",
        "en": "completion: none (no quota at all in the month)",
    },
    "monthly.counts": {
        "zh": "有定额天数 = {workdays}（定额 > 0 的天数）；完成天数 = {days_met}（其中完成 ≥ 定额的天数）",  # noqa: E501
        "en": "workdays = {workdays} (days with quota > 0); days_met = {days_met} (of them, days with earned ≥ quota)",  # noqa: E501
    },
    "base.none": {
        "zh": "基础分 = 0（全月无定额）",
        "en": "Base points = 0 (no quota at all)",
    },
    "base.full": {
        "zh": "基础分 = {base}（完成率 ≥ 100%，得满分（劳动基础分））",
        "en": "Base points = {base} (completion ≥ 100 %, so the full labor_base_points)",
    },
    "base.partial": {
        "zh": "基础分 = 劳动基础分 {points} × 完成率 {pct} = {raw}，按比例扣分，四舍五入到 0.1 = {base}",  # noqa: E501
        "en": "Base points = labor_base_points {points} × completion {pct} = {raw}, deducted in proportion, rounded half up to 0.1 = {base}",  # noqa: E501
    },
    "bonus.not_over": {
        "zh": "超额加分 = 0（完成率未超过 100%）",
        "en": "Bonus points = 0 (completion is not above 100 %)",
    },
    "bonus.not_sustained": {
        "zh": "超额加分 = 0（完成天数 {days_met} < {min_pct}% × 有定额天数 {workdays} = {needed}，超额不持续）",  # noqa: E501
        "en": "Bonus points = 0 (days_met {days_met} < {min_pct}% × workdays {workdays} = {needed}: over-fulfilment not sustained)",  # noqa: E501
    },
    "bonus": {
        "zh": "超额加分 = min(上限 {cap}, floor((完成率 {pct} − 100%) / {step}%) × {per_step}) = min({cap}, {steps} × {per_step}) = {bonus}（完成天数 {days_met} ≥ {min_pct}% × {workdays} = {needed}）",  # noqa: E501
        "en": "Bonus points = min(cap {cap}, floor((completion {pct} − 100%) / {step}%) × {per_step}) = min({cap}, {steps} × {per_step}) = {bonus} (days_met {days_met} ≥ {min_pct}% × {workdays} = {needed})",  # noqa: E501
    },
    "adjustment": {
        "zh": "   考核调整 {points} 分：{reason}{day}",
        "en": "   Adjustment {points} points: {reason}{day}",
    },
    "adjustments": {
        "zh": "考核调整合计 = {total}",
        "en": "Adjustments in total = {total}",
    },
    "adjustments.none": {"zh": "考核调整：无", "en": "Adjustments: none"},
    "labor": {
        "zh": "劳动改造得分 = max(0, 基础分 {base} + 超额加分 {bonus} + 调整 {adjust}) = {labor}",
        "en": "Labor points = max(0, base {base} + bonus {bonus} + adjustments {adjust}) = {labor}",
    },
    "shown": {
        "zh": "显示值（四舍五入）：{shown}",
        "en": "Shown (rounded half up): {shown}",
    },
    # --- version 2 -----------------------------------------------------------------------------
    "exempt.title": {
        "zh": "罪犯 {inmate}{name} {day}：丧失劳动能力（医院鉴定）期间，不考核劳动改造",
        "en": "Inmate {inmate}{name} on {day}: labor-exempt (assessed by the prison hospital), labor is not assessed",  # noqa: E501
    },
    "exempt.period": {
        "zh": "免考核期间：{valid_from} 至 {valid_to}",
        "en": "Exemption period: {valid_from} to {valid_to} (inmates[].labor_exempt)",
    },
    "exempt.day": {
        "zh": "当日没有日记载：无定额、无欠额，不计入有定额天数；其岗位和计件当日不参与分配",
        "en": "No daily record that day: no quota, nothing owed, not a workday for them; their assignment and counts take no part in sharing that day",  # noqa: E501
    },
    "training": {
        "zh": "   培训期：自岗位开始 {valid_from} 起 d = {d} 天（首日为 0），培训递进表中第一个天数 > {d} 的档位是 {days} 天，定额比例 {pct}%；定额 = {before} × {pct}% = {quota} 标准秒",  # noqa: E501
        "en": "   Training: d = {d} whole days since the assignment's start {valid_from} (0 on the first day); the first training_ramp step with days > {d} is days {days}, so {pct}% of the quota; quota = {before} × {pct}% = {quota} standard seconds",  # noqa: E501
    },
    "training.done": {
        "zh": "   培训期：自岗位开始 {valid_from} 起 d = {d} 天，培训递进表中没有天数 > {d} 的档位，定额比例 100%，定额 = {quota} 标准秒",  # noqa: E501
        "en": "   Training: d = {d} whole days since the assignment's start {valid_from}; no training_ramp step has days > {d}, so 100% of the quota = {quota} standard seconds",  # noqa: E501
    },
    "rejects": {
        "zh": "   次品：当日追溯到本人 {product}/{step} 的次品 {rejects} 件，从分配的计酬中扣除（不低于 0）：max(0, {credit} − {rejects}) = {after} 件；差异核对用扣次品前的计件",  # noqa: E501
        "en": "   Rejects: {rejects} units of this inmate's {product}/{step} work that day were found faulty and come off the shared credit (never below 0): max(0, {credit} − {rejects}) = {after} units; the discrepancy check uses the counts before rejects",  # noqa: E501
    },
    "rejects.none": {"zh": "   次品：当日无", "en": "   Rejects: none that day"},
    "rated.title": {
        "zh": "罪犯 {inmate}{name} {day} 无定额岗位日记载的计算过程",
        "en": "How the rated-post day of inmate {inmate}{name} on {day} was computed",
    },
    "rated.assignment": {
        "zh": "岗位：无定额岗位「{post}」，生产线 {line}（岗位分配序号 {n}，{valid_from} 至 {valid_to}；按评定等级计完成）",  # noqa: E501
        "en": 'Assignment: rated post "{post}" on line {line} (assignments[{n}], {valid_from} to {valid_to}; completion by the officer\'s grade)',  # noqa: E501
    },
    "rated.grade": {
        "zh": "2. 评定等级：{grade}（{word}），评定折算比例 = {pct}%",
        "en": "2. Grade: {grade} ({word}), rating_pct = {pct}%",
    },
    "rated.no_grade": {
        "zh": "2. 评定等级：当日尚未评定，完成按 0 计{missing}",
        "en": "2. Grade: none given for the day yet, so it earns 0{missing}",
    },
    "rated.replaced": {
        "zh": "   当日先前的评定 {earlier} 已被后一次评定 {grade} 取代",
        "en": "   The day's earlier grade(s) {earlier} were replaced by the later grade {grade}",
    },
    "rated.missing": {"zh": "，列入待评定", "en": "; listed in missing_ratings"},
    "rated.earned": {
        "zh": "3. 完成标准秒 = 定额 {quota} × {pct}% = {earned}；完成率 = {completion}（无定额岗位没有件数）",
        "en": "3. Earned = quota {quota} × {pct}% = {earned} standard seconds; completion = {completion} (a post has no units)",  # noqa: E501
    },
    "grade.A": {"zh": "好", "en": "good"},
    "grade.B": {"zh": "较好", "en": "fairly good"},
    "grade.C": {"zh": "一般", "en": "fair"},
    "grade.D": {"zh": "差", "en": "poor"},
    "monthly.rated_day": {
        "zh": "   {day} {line} 无定额岗位「{post}」等级 {grade}：定额 {quota}，完成 {earned}{met}",
        "en": '   {day} {line} rated post "{post}" grade {grade}: quota {quota}, earned {earned}{met}',
    },
    "monthly.exempt_days": {
        "zh": "丧失劳动能力免考核的工作日（{n} 天，无日记载）：{days}",
        "en": "Labor-exempt workdays ({n}, no daily record): {days}",
    },
    "monthly.not_assessed": {
        "zh": "本月每个工作日均在丧失劳动能力免考核期内：不计劳动改造分（基础分、加分、扣分、得分均为空），计分考核数据库按免考核比例（监管改造 50、教育和文化改造 50）计算其他部分",  # noqa: E501
        "en": "Labor-exempt on every workday of the month: labor_assessed = false, no labor points (base, bonus, deductions and labor points are null); the scoring database applies the exempt split of the other parts (监管改造 50, 教育和文化改造 50)",  # noqa: E501
    },
    "deduction": {
        "zh": "   扣分 {points} 分（{category}，范围 {low}..{high}）{day}：{reason}",
        "en": "   Deduction {points} points ({category}, range {low}..{high}) on {day}: {reason}",
    },
    "deductions": {
        "zh": "扣分合计 = {total}",
        "en": "Deductions in total: deduct_points = {total}",
    },
    "deductions.none": {"zh": "扣分：无", "en": "Deductions: none"},
    "additions": {
        "zh": "加分 = min(上限 {cap_pct}% × 劳动基础分 {points} = {cap}, 超额加分 {bonus} + 正向调整 {positive} = {sum}) = {additions}",  # noqa: E501
        "en": "Additions = min(cap additions_cap_pct {cap_pct}% × labor_base_points {points} = {cap}, bonus {bonus} + positive adjustments {positive} = {sum}) = {additions}",  # noqa: E501
    },
    "labor.v2": {
        "zh": "劳动改造得分 = max(0, 基础分 {base} + 加分 {additions} + 负向调整 {negative} − 扣分 {deduct}) = {labor}",  # noqa: E501
        "en": "Labor points = max(0, base {base} + additions {additions} + negative adjustments {negative} − deductions {deduct}) = {labor}",  # noqa: E501
    },
}


# The rule set's parameters as an officer reads them; English keeps the rule book's own names, which
# the spec (labor-assessment.md) uses.
PARAM_WORDS: dict[str, str] = {
    "labor_base_points": "劳动基础分",
    "target_efficiency_pct": "目标效率(%)",
    "bonus_step_pct": "超额每档(%)",
    "bonus_points_per_step": "每档加分",
    "bonus_cap_points": "超额加分上限",
    "bonus_min_days_met_pct": "超额需完成天数(%)",
    "discrepancy_tolerance_pct": "计数入库差异容差(%)",
    "rule_book": "规则版本",
    "rating_pct": "评定等级折算(%)",
    "training_ramp": "培训递进表",
    "additions_cap_pct": "加分上限(基础分的%)",
    "deduction_categories": "扣分类别与分值范围",
}


# The record's and the score's fields as the shown-values line names them in Chinese (English keeps
# the export's field names, which the expected files of the samples use).
FIELD_WORDS: dict[str, str] = {
    "quota_std_seconds": "定额标准秒",
    "earned_std_seconds": "完成标准秒",
    "quota_units": "定额件数",
    "done_units": "完成件数",
    "diff_units": "差额件数",
    "completion_pct": "完成率(%)",
    "grade": "评定等级",
    "workdays": "有定额天数",
    "days_met": "完成天数",
    "labor_assessed": "考核劳动",
    "base_points": "基础分",
    "bonus_points": "超额加分",
    "additions_points": "加分",
    "adjust_points": "调整分",
    "deduct_points": "扣分",
    "labor_points": "劳动改造得分",
}
_VALUE_WORDS = {"null": "—", "true": "是", "false": "否"}


def _shown_zh(part: str) -> str:
    name, _, value = part.partition(" ")
    return f"{FIELD_WORDS.get(name, name)} {_VALUE_WORDS.get(value, value)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sentence:
    """One line of an explanation: a key of `TEXT` and its already formatted values; `listed` are
    (parameter, value) pairs joined into the value `params`, each name in the reader's language."""

    key: str
    values: tuple[tuple[str, str], ...] = ()
    listed: tuple[tuple[str, str], ...] = ()

    def render(self, lang: Lang) -> str:
        values = {
            name: (TEXT[value[1:]][lang] if value.startswith("@") else value) for name, value in self.values
        }
        if self.key == "shown" and lang == "zh":  # "name value, ..." with the record's field names
            values["shown"] = "，".join(_shown_zh(part) for part in values["shown"].split(", "))
        if self.listed:
            words = PARAM_WORDS if lang == "zh" else {}
            values["params"] = ("，" if lang == "zh" else ", ").join(
                f"{words.get(name, name)} {value}" for name, value in self.listed
            )
        return TEXT[self.key][lang].format(**values)


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """The sentences that explain one number, renderable in each language."""

    sentences: tuple[Sentence, ...]

    def render(self, lang: Lang = "zh") -> str:
        return "\n".join(s.render(lang) for s in self.sentences)


def _s(key: str, **values: object) -> Sentence:
    """A sentence; a value `"@key"` is itself translated, numbers are written with `exact_text`."""
    return Sentence(key=key, values=tuple((k, _fmt(v)) for k, v in values.items()))


@dataclass(frozen=True, slots=True)
class Percent:
    """A percentage for an explanation: `119.76% (= 25230085/210672%)`."""

    value: Fraction


def _fmt(value: object) -> str:
    if isinstance(value, Percent):
        head, exact, tail = exact_text(value.value).partition(" (= ")
        return f"{head}% (= {tail[:-1]}%)" if exact else f"{head}%"
    if isinstance(value, Fraction):
        return exact_text(value)
    if isinstance(value, int):
        return exact_text(Fraction(value))
    return str(value)


def _name(index: MonthIndex, inmate: str) -> str:
    found = index.inmates.get(inmate)
    return f" {found.name}" if found is not None and found.name else ""


def _rule_sentences(index: MonthIndex) -> list[Sentence]:
    rs = index.rule_set
    listed = tuple(
        (name, _fmt(value) if isinstance(value, Fraction) else param_text(value))
        for name, value in params_items(rs.params)
    )
    if rs.valid_from == EARLIEST_MONTH:  # no start month: not "from 0001-01"
        head = _s("rule_set_always", version=rs.version, digest=rs.digest)
    else:
        head = _s("rule_set", version=rs.version, valid_from=rs.valid_from, digest=rs.digest)
    return [head, Sentence(key="params", listed=listed)]


def find_daily(index: MonthIndex, inmate: str, day: date) -> DailyRecord:
    """The daily record of an inmate on a day; EngineError saying why when there is none."""
    if not index.inputs.month.contains(day):
        raise EngineError(f"{day} is not in the month {index.inputs.month}")
    if day not in index.day_set:
        raise EngineError(f"{day} is not a workday of the month, so nobody has a daily record on it")
    if index.exempt_on(inmate, day):
        raise EngineError(f"inmate {inmate} is labor-exempt on {day}, so no daily record")
    n = index.assignment_index(inmate, day)
    if n is not None and index.inputs.assignments[n].mode == "rated":
        raise EngineError(f"inmate {inmate} is on a rated post on {day}: see explain_rated")
    if n is None:
        raise EngineError(
            f"inmate {inmate} has no assignment on {day}, so no daily record (counts are ignored)"
        )
    line = index.inputs.assignments[n].line
    for record in compute_line_day(index, line, day).records:
        if record.inmate == inmate:
            return record
    raise EngineError(f"no daily record of inmate {inmate} on {day}")  # pragma: no cover - unreachable


def _quota_sentences(
    index: MonthIndex, a: Assignment, inmate: str, day: date, out: list[Sentence]
) -> tuple[Fraction, Fraction | None]:
    """Step 1, the quota, written out (with the training ramp on a training day); (quota, training)."""
    params = index.rule_set.params
    excused = index.excused_minutes(inmate, day)
    shift = index.lines[a.line].shift_minutes
    quota_pct = index.inmates[inmate].quota_pct
    quota = max(ZERO, shift - excused) * 60 * params.target_efficiency_pct / 100 * quota_pct / 100
    out.append(
        _s(
            "quota",
            shift=shift,
            excused=excused,
            efficiency=params.target_efficiency_pct,
            quota_pct=quota_pct,
            quota=quota,
        )
    )
    if not (params.v2 and a.training):
        return quota, None
    d = (day - a.valid_from).days
    ramp = [step for step in params.training_ramp if step.days > d]
    pct = ramp[0].pct if ramp else HUNDRED
    trained = quota * pct / 100
    if ramp:
        out.append(
            _s(
                "training",
                valid_from=a.valid_from,
                d=d,
                days=ramp[0].days,
                before=quota,
                pct=pct,
                quota=trained,
            )
        )
    else:
        out.append(_s("training.done", valid_from=a.valid_from, d=d, quota=quota))
    return trained, pct


def explain_exempt(index: MonthIndex, inmate: str, day: date) -> Explanation:
    """Version 2: why an inmate has no daily record on a labor-exempt day."""
    found = index.inmates[inmate]
    out = [_s("exempt.title", inmate=inmate, name=_name(index, inmate), day=day), *_rule_sentences(index)]
    for p in found.labor_exempt:
        if p.covers(day):
            out.append(_s("exempt.period", valid_from=p.valid_from, valid_to=p.valid_to or "@open_end"))
    out.append(_s("exempt.day"))
    return Explanation(sentences=tuple(out))


def explain_day(index: MonthIndex, inmate: str, day: date) -> Explanation:
    """The explanation of an inmate's day, whatever it is: counted, rated, or labor-exempt."""
    if index.exempt_on(inmate, day) and index.inputs.month.contains(day):
        return explain_exempt(index, inmate, day)
    n = index.assignment_index(inmate, day)
    if n is not None and index.inputs.assignments[n].mode == "rated":
        return explain_rated(index, inmate, day)
    return explain_daily(index, inmate, day)


def find_rated(index: MonthIndex, inmate: str, day: date) -> RatedRecord:
    """Version 2: the rated-post record of an inmate on a day; EngineError saying why when none."""
    if not index.inputs.month.contains(day) or day not in index.day_set:
        raise EngineError(f"{day} is not a workday of the month {index.inputs.month}")
    if index.exempt_on(inmate, day):
        raise EngineError(f"inmate {inmate} is labor-exempt on {day}, so no daily record")
    n = index.assignment_index(inmate, day)
    if n is None or index.inputs.assignments[n].mode != "rated":
        raise EngineError(f"inmate {inmate} has no rated post on {day}")
    for record in compute_line_day(index, index.inputs.assignments[n].line, day).rated:
        if record.inmate == inmate:
            return record
    raise EngineError(f"no rated record of inmate {inmate} on {day}")  # pragma: no cover - unreachable


def explain_rated(index: MonthIndex, inmate: str, day: date) -> Explanation:
    """Version 2: every input and value behind a rated-post day (rule book, "Rated days")."""
    record = find_rated(index, inmate, day)
    n = index.assignment_index(inmate, day)
    assert n is not None
    a = index.inputs.assignments[n]
    params = index.rule_set.params
    out = [_s("rated.title", inmate=inmate, name=_name(index, inmate), day=day), *_rule_sentences(index)]
    out.append(
        _s(
            "rated.assignment",
            post=a.post,
            line=a.line,
            n=str(n),
            valid_from=a.valid_from,
            valid_to=a.valid_to or "@open_end",
        )
    )
    if index.has_attendance(inmate, day):
        out.append(
            _s(
                "attendance",
                present=index.present_minutes(inmate, day),
                excused=index.excused_minutes(inmate, day),
            )
        )
    else:
        out.append(_s("attendance.none"))
    quota, _ = _quota_sentences(index, a, inmate, day, out)
    grades = [r.grade for r in index.inputs.ratings if r.inmate == inmate and r.day == day]
    grade = grades[-1] if grades else None  # a later rating of the same day replaces the earlier
    pct = dict(params.rating_pct)[grade] if grade is not None else ZERO
    if grade is None:
        out.append(_s("rated.no_grade", missing="@rated.missing" if quota > 0 else ""))
    else:
        out.append(_s("rated.grade", grade=grade, word=f"@grade.{grade}", pct=pct))
        if len(grades) > 1:
            out.append(_s("rated.replaced", earlier=", ".join(grades[:-1]), grade=grade))
    earned = quota * pct / 100
    completion = Percent(HUNDRED * earned / quota) if quota else "@completion.none"
    out.append(_s("rated.earned", quota=quota, pct=pct, earned=earned, completion=completion))
    if (quota, earned, grade) != (record.quota_std_seconds, record.earned_std_seconds, record.grade):
        raise EngineError(
            f"explanation of inmate {inmate} on {day} does not reproduce the record"
        )  # pragma: no cover
    pct_shown = record.completion_pct
    out.append(
        _s(
            "shown",
            shown=f"quota_std_seconds {shown(record.quota_std_seconds)}, "
            f"earned_std_seconds {shown(record.earned_std_seconds)}, grade {record.grade or 'null'}, "
            f"completion_pct {'null' if pct_shown is None else shown(pct_shown)}",
        )
    )
    return Explanation(sentences=tuple(out))


def explain_daily(index: MonthIndex, inmate: str, day: date) -> Explanation:
    """Every input and intermediate value behind one daily record (rule book, "Daily computation")."""
    record = find_daily(index, inmate, day)
    n = index.assignment_index(inmate, day)
    assert n is not None
    a = index.inputs.assignments[n]
    line, product, step = a.line, a.product, a.step
    params = index.rule_set.params
    std = index.standard_time(product, step, day)
    assert std is not None
    seconds = std.seconds
    members = index.members(line, product, step, day)
    present = {m: index.present_minutes(m, day) for m in members}
    counts = {m: index.count(m, day) for m in members}
    w = index.warehoused_units(line, product, day)

    out = [_s("daily.title", inmate=inmate, name=_name(index, inmate), day=day), *_rule_sentences(index)]
    out.append(
        _s(
            "assignment",
            line=line,
            product=product,
            step=step,
            n=str(n),
            valid_from=a.valid_from,
            valid_to=a.valid_to or "@open_end",
        )
    )
    out.append(
        _s("standard", product=product, step=step, day=day, valid_from=std.valid_from, seconds=seconds)
    )
    has_entry = index.has_attendance(inmate, day)
    excused = index.excused_minutes(inmate, day)
    out.append(
        _s("attendance", present=present[inmate], excused=excused) if has_entry else _s("attendance.none")
    )

    # 1. Quota.
    quota, _ = _quota_sentences(index, a, inmate, day, out)

    # 2. Credit.
    out.append(_s("group", line=line, product=product, step=step, n=len(members), warehoused=w))
    for m in members:
        count = counts[m]
        out.append(
            _s(
                "member",
                inmate=m,
                present=present[m],
                count="@member.no_count" if count is None else count,
                me="@member.me" if m == inmate else "",
            )
        )
    credit: Fraction
    if any(c is not None for c in counts.values()):
        total = sum((c for c in counts.values() if c is not None), ZERO)
        own = counts[inmate]
        if own is None:
            credit = ZERO
            out.append(_s("counted.no_count"))
        else:
            credit = own * min(Fraction(1), w / total) if total else own
            out.append(_s("counted", total=total, count=own, warehoused=w, credit=credit))
        gap = abs(total - w)
        limit = params.discrepancy_tolerance_pct / 100 * w
        key = "discrepancy.yes" if gap > limit else "discrepancy.no"
        out.append(_s(key, gap=gap, tolerance=params.discrepancy_tolerance_pct, limit=limit))
    else:
        total = sum(present.values(), ZERO)
        if total:
            credit = w * present[inmate] / total
            out.append(_s("time", warehoused=w, present=present[inmate], total=total, credit=credit))
        else:
            credit = ZERO
            out.append(_s("time.nobody"))
    if params.v2:  # rejects come off the shared credit, never below 0
        rejects = sum(
            (
                r.units
                for r in index.inputs.rejects
                if (r.inmate, r.day, r.product, r.step) == (inmate, day, product, step)
            ),
            ZERO,
        )
        if rejects:
            after = max(ZERO, credit - rejects)
            out.append(_s("rejects", product=product, step=step, rejects=rejects, credit=credit, after=after))
            credit = after
        else:
            out.append(_s("rejects.none"))

    # 3. Earned, 4. the board.
    earned = credit * seconds
    out.append(_s("earned", credit=credit, seconds=seconds, earned=earned))
    quota_units = quota / seconds
    diff = credit - quota_units
    sense = "@sense.over" if diff > 0 else "@sense.under" if diff < 0 else "@sense.even"
    completion = (
        f"100 × {_fmt(earned)} / {_fmt(quota)} = {_fmt(Percent(HUNDRED * earned / quota))}"
        if quota
        else "@completion.none"
    )
    out.append(
        _s(
            "board",
            quota=quota,
            seconds=seconds,
            quota_units=quota_units,
            done=credit,
            diff=diff,
            sense=sense,
            completion=completion,
        )
    )
    if (quota, earned, credit) != (record.quota_std_seconds, record.earned_std_seconds, record.done_units):
        raise EngineError(
            f"explanation of inmate {inmate} on {day} does not reproduce the record"
        )  # pragma: no cover
    out.append(_s("shown", shown=_shown_daily(record)))
    return Explanation(sentences=tuple(out))


def _shown_daily(r: DailyRecord) -> str:
    pct = r.completion_pct
    return (
        f"quota_std_seconds {shown(r.quota_std_seconds)}, earned_std_seconds {shown(r.earned_std_seconds)}, "
        f"quota_units {shown(r.quota_units)}, done_units {shown(r.done_units)}, "
        f"diff_units {shown(r.diff_units)}, "
        f"completion_pct {'null' if pct is None else shown(pct)}"
    )


def month_records(index: MonthIndex, inmate: str) -> list[DayRecord]:
    """An inmate's daily (counted and rated) records of the month, computing only the line-days
    they worked."""
    records: list[DayRecord] = []
    for day in index.days:
        n = index.assignment_index(inmate, day)
        if n is not None:
            line_day = compute_line_day(index, index.inputs.assignments[n].line, day)
            records.extend(r for r in line_day.records if r.inmate == inmate)
            records.extend(r for r in line_day.rated if r.inmate == inmate)
    return records


def explain_monthly(index: MonthIndex, inmate: str) -> Explanation:
    """Every daily value, sum and rule behind one monthly labor score (rule book, "Monthly")."""
    records = month_records(index, inmate)
    adjustments = index.adjustments.get(inmate, [])
    params = index.rule_set.params
    month = index.inputs.month
    deductions = [d for d in index.inputs.deductions if d.inmate == inmate and month.contains(d.day)]
    exempt_days = [d for d in index.days if index.exempt_on(inmate, d)]
    assessed = not (index.days and len(exempt_days) == len(index.days))
    if not records and not adjustments and not deductions and assessed:
        raise EngineError(
            f"inmate {inmate} has no monthly line for {month}: "
            "no assignment on a workday and no adjustment" + (" or deduction" if params.v2 else "")
        )
    score = monthly_score(inmate, records, adjustments, params, deductions, assessed=assessed)
    out = [_s("monthly.title", inmate=inmate, name=_name(index, inmate), month=month)]
    out.extend(_rule_sentences(index))
    if exempt_days:
        out.append(_s("monthly.exempt_days", n=len(exempt_days), days=", ".join(map(str, exempt_days))))
    if not assessed:
        out.append(_s("monthly.not_assessed"))
        out.append(_s("shown", shown=_shown_monthly(score, params.v2)))
        return Explanation(sentences=tuple(out))
    out.append(_s("monthly.days", n=len(records)) if records else _s("monthly.no_days"))
    for r in sorted(records, key=lambda r: r.day):
        if isinstance(r, RatedRecord):
            out.append(
                _s(
                    "monthly.rated_day",
                    day=r.day,
                    line=r.line,
                    post=r.post,
                    grade=r.grade or "-",
                    quota=r.quota_std_seconds,
                    earned=r.earned_std_seconds,
                    met="@monthly.met" if r.met else "",
                )
            )
            continue
        out.append(
            _s(
                "monthly.day",
                day=r.day,
                line=r.line,
                product=r.product,
                step=r.step,
                mode=f"@mode.{r.mode}",
                quota=r.quota_std_seconds,
                earned=r.earned_std_seconds,
                met="@monthly.met" if r.met else "",
            )
        )
    quota = sum((r.quota_std_seconds for r in records), ZERO)
    earned = sum((r.earned_std_seconds for r in records), ZERO)
    workdays = sum(1 for r in records if r.quota_std_seconds > 0)
    days_met = sum(
        1 for r in records if r.quota_std_seconds > 0 and r.earned_std_seconds >= r.quota_std_seconds
    )
    out.append(_s("monthly.sums", quota=quota, earned=earned))
    base = bonus = ZERO
    if quota:
        completion = earned / quota
        out.append(_s("monthly.completion", pct=Percent(HUNDRED * completion)))
    else:
        out.append(_s("monthly.completion.none"))
    out.append(_s("monthly.counts", workdays=workdays, days_met=days_met))
    if not quota:
        out.append(_s("base.none"))
    elif completion >= 1:
        base = round_fraction(params.labor_base_points, 1)
        out.append(_s("base.full", base=base))
    else:
        raw = params.labor_base_points * completion
        base = round_fraction(raw, 1)
        out.append(
            _s(
                "base.partial",
                points=params.labor_base_points,
                pct=Percent(HUNDRED * completion),
                raw=raw,
                base=base,
            )
        )
    needed = params.bonus_min_days_met_pct / 100 * workdays
    if not quota or completion <= 1:
        out.append(_s("bonus.not_over"))
    elif days_met < needed:
        out.append(
            _s(
                "bonus.not_sustained",
                days_met=days_met,
                min_pct=params.bonus_min_days_met_pct,
                workdays=workdays,
                needed=needed,
            )
        )
    else:
        steps = floor((HUNDRED * completion - HUNDRED) / params.bonus_step_pct)
        bonus = min(params.bonus_cap_points, steps * params.bonus_points_per_step)
        out.append(
            _s(
                "bonus",
                cap=params.bonus_cap_points,
                pct=Percent(HUNDRED * completion),
                step=params.bonus_step_pct,
                per_step=params.bonus_points_per_step,
                steps=steps,
                bonus=bonus,
                days_met=days_met,
                min_pct=params.bonus_min_days_met_pct,
                workdays=workdays,
                needed=needed,
            )
        )
    for adj in adjustments:
        out.append(
            _s("adjustment", points=adj.points, reason=adj.reason, day=f" ({adj.day})" if adj.day else "")
        )
    adjust = sum((adj.points for adj in adjustments), ZERO)
    out.append(_s("adjustments", total=adjust) if adjustments else _s("adjustments.none"))
    additions = deduct = ZERO
    if params.v2:
        for d in deductions:
            found = params.deduction_range(d.category)
            assert found is not None  # MonthIndex refused any other
            out.append(
                _s(
                    "deduction",
                    points=d.points,
                    category=d.category,
                    low=found.min_points,
                    high=found.max_points,
                    day=d.day,
                    reason=d.reason,
                )
            )
        deduct = sum((d.points for d in deductions), ZERO)
        out.append(_s("deductions", total=deduct) if deductions else _s("deductions.none"))
        positive = sum((adj.points for adj in adjustments if adj.points > 0), ZERO)
        negative = sum((adj.points for adj in adjustments if adj.points < 0), ZERO)
        cap = params.additions_cap_pct / 100 * params.labor_base_points
        additions = min(cap, bonus + positive)
        out.append(
            _s(
                "additions",
                cap_pct=params.additions_cap_pct,
                points=params.labor_base_points,
                cap=cap,
                bonus=bonus,
                positive=positive,
                sum=bonus + positive,
                additions=additions,
            )
        )
        labor = max(ZERO, base + additions + negative - deduct)
        out.append(
            _s("labor.v2", base=base, additions=additions, negative=negative, deduct=deduct, labor=labor)
        )
    else:
        labor = max(ZERO, base + bonus + adjust)
        out.append(_s("labor", base=base, bonus=bonus, adjust=adjust, labor=labor))
    if (quota, earned, workdays, days_met, base, bonus, adjust, labor, additions, deduct) != (
        score.quota_std_seconds,
        score.earned_std_seconds,
        score.workdays,
        score.days_met,
        score.base_points,
        score.bonus_points,
        score.adjust_points,
        score.labor_points,
        score.additions_points,
        score.deduct_points,
    ):
        raise EngineError(
            f"explanation of inmate {inmate}'s month does not reproduce the score"
        )  # pragma: no cover
    out.append(_s("shown", shown=_shown_monthly(score, params.v2)))
    return Explanation(sentences=tuple(out))


def _shown_monthly(m: MonthlyScore, v2: bool) -> str:
    pct = m.completion_pct
    head = (
        f"quota_std_seconds {shown(m.quota_std_seconds)}, earned_std_seconds {shown(m.earned_std_seconds)}, "
        f"completion_pct {'null' if pct is None else shown(pct)}, "
        f"workdays {m.workdays}, days_met {m.days_met}, "
    )
    if not v2:
        return head + (
            f"base_points {shown(m.base_points, 1)}, bonus_points {shown(m.bonus_points, 1)}, "
            f"adjust_points {shown(m.adjust_points, 1)}, labor_points {shown(m.labor_points, 1)}"
        )
    if not m.labor_assessed:
        return head + (
            "labor_assessed false, base_points null, bonus_points null, additions_points null, "
            "adjust_points null, deduct_points null, labor_points null"
        )
    return head + (
        f"labor_assessed true, base_points {shown(m.base_points, 1)}, "
        f"bonus_points {shown(m.bonus_points, 1)}, "
        f"additions_points {shown(m.additions_points, 1)}, adjust_points {shown(m.adjust_points, 1)}, "
        f"deduct_points {shown(m.deduct_points, 1)}, labor_points {shown(m.labor_points, 1)}"
    )
