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


# `floorledger verify`'s report (keys `verify.`): section titles, verdict and every finding kind of the
# record, key, log and daily-result checks. The English texts are the command line's, word for word
# (`hub.audit.report.finding` renders them); the dashboard shows the officer's language.
_RECORD = {
    "zh": "终端记录（行号 {id}，终端 {kiosk}，序号 {seq}）",
    "en": "kiosk_record id={id} (kiosk {kiosk} seq {seq})",
}
_LINK = {"zh": "终端记录（行号 {id}，终端 {kiosk}）", "en": "kiosk_record id={id} (kiosk {kiosk})"}
_RESULT = {"zh": "日结果 罪犯 {inmate} 日期 {day}", "en": "daily_result inmate {inmate} day {day}"}


def _at(where: dict[str, str], zh: str, en: str) -> dict[str, str]:
    return {"zh": where["zh"] + "：" + zh, "en": where["en"] + ": " + en}


REPORT_TEXTS: dict[str, dict[str, str]] = {
    "verify.s.ledger": {
        "zh": "台账（民警操作，枢纽签名链）",
        "en": "ledger (officers' acts, hub-signed chain)",
    },
    "verify.s.kiosks": {
        "zh": "终端与密钥（对照台账中的注册）",
        "en": "kiosks and keys (against the ledger's enrollments)",
    },
    "verify.s.records": {
        "zh": "终端记录（签名、字段、链）",
        "en": "kiosk records (signatures, columns, chains)",
    },
    "verify.s.log": {"zh": "默克尔日志与检查点", "en": "Merkle log and checkpoints"},
    "verify.s.held": {
        "zh": "枢纽之外保存的检查点（终端见证、--expect）",
        "en": "checkpoints held outside the hub (kiosk witnesses, --expect)",
    },
    "verify.s.masterdata": {
        "zh": "基础数据（由签名台账行为重新推导）",
        "en": "master data (re-derived from the signed acts)",
    },
    # `verify --expect` values it cannot use (hub.audit.witness.ExpectError)
    "verify.expect.not_root": {
        "zh": "--expect {value!r}：既不是文件，也不是十六进制根（ROOT 或 ROOT@SIZE）",
        "en": "--expect {value!r}: neither a file nor a hex root (ROOT or ROOT@SIZE)",
    },
    "verify.expect.short_root": {
        "zh": "--expect {value!r}：根为 64 位十六进制数，或至少如看板所示的前 {digits} 位",
        "en": "--expect {value!r}: a root is 64 hex digits, or at least the first {digits} as the "
        "wall board shows them",
    },
    "verify.expect.unreadable": {
        "zh": "--expect {path}：无法读取（{why}）",
        "en": "--expect {path}: cannot read it ({why})",
    },
    "verify.expect.no_root": {
        "zh": "{name}：既无检查点，也无 64 位的 checkpoint_root",
        "en": "{name}: holds no checkpoint and no 64-digit checkpoint root",
    },
    "verify.expect.not_base64": {
        "zh": "{name}：其中的检查点不是 base64url（{why}）",
        "en": "{name}: its checkpoint is not base64url ({why})",
    },
    "verify.expect.no_checkpoint": {
        "zh": "{name}：JSON 文档中没有 `checkpoint` 或 `checkpoint_root`",
        "en": "{name}: a JSON document without `checkpoint` or `checkpoint_root`",
    },
    "verify.expect.not_signed": {
        "zh": "{name}：不是枢纽签名的检查点（{why}）",
        "en": "{name}: not a checkpoint signed by the hub ({why})",
    },
    "verify.expect.bad_xlsx": {
        "zh": "--expect：不是可读的 XLSX/zip 文件（{why}）",
        "en": "--expect: not a readable XLSX/zip file ({why})",
    },
    # the lines the report ends with (hub.audit.witness.summarize)
    "verify.f.summary.log": {"zh": "日志：{size} 个叶，根 {root}", "en": "log: {size} leaves, root {root}"},
    "verify.f.summary.no_checkpoint": {"zh": "最新签名检查点：无", "en": "latest signed checkpoint: none"},
    "verify.f.summary.checkpoint": {
        "zh": "最新签名检查点：{size} 个叶，根 {root}（行号 {id}，枢纽时间 {hub_ms}）",
        "en": "latest signed checkpoint: {size} leaves, root {root} (id={id}, hub_ms {hub_ms})",
    },
    # a kiosk record's key problems without the record's place (verify-bundle names its own place)
    "verify.k.bad_signature": {
        "zh": "签名与终端 {signer} 的任何密钥都不符",
        "en": "signature does not verify against kiosk {signer}'s keys",
    },
    "verify.k.key_period": {
        "zh": "签名所用的终端 {signer} 密钥，台账只准其签记录 {spans}",
        "en": "signed by a key of kiosk {signer} that the ledger admits only for records {spans}",
    },
    "verify.k.after_revoke": {
        "zh": "签于终端 {signer} 被吊销之后（台账第 {entry} 条，其记录 {after} 之后）",
        "en": "signed after kiosk {signer} was revoked (ledger entry {entry}, after its record {after})",
    },
    "verify.s.scores": {
        "zh": "月度考核分（由签名记录重新推导）",
        "en": "monthly scores (re-derived from the signed records)",
    },
    "verify.s.weeks": {
        "zh": "周评议（签认与公示，重新推导）",
        "en": "weekly reviews (sign-offs and publications, re-derived)",
    },
    "verify.s.results": {
        "zh": "日结果（由签名记录重新推导）",
        "en": "daily results (re-derived from the signed records)",
    },
    "verify.line": {
        "zh": "{title}：已核对 {checked} 项，{status}{pending}",
        "en": "{title}: {checked} checked, {status}{pending}",
    },
    "verify.ok_status": {"zh": "无问题", "en": "ok"},
    "verify.problems": {"zh": "{count} 个问题", "en": "{count} problem(s)"},
    "verify.pending": {"zh": "，{count} 项仍在计算中", "en": ", {count} pending (still being computed)"},
    "verify.more": {"zh": "  …… 另有 {count} 项", "en": "  ... and {count} more"},
    "verify.pending_item": {"zh": "  ~ 计算中：{item}", "en": "  ~ pending: {item}"},
    "verify.more_pending": {"zh": "  ~ …… 另有 {count} 项计算中", "en": "  ~ ... and {count} more pending"},
    "verify.note": {"zh": "说明：{note}", "en": "note: {note}"},
    "verify.verdict.ok": {
        "zh": "核验通过：每一行都与签名记录一致",
        "en": "VERIFIED: every row matches the signed records",
    },
    "verify.verdict.bad": {"zh": "核验未通过", "en": "NOT VERIFIED"},
    # `floorledger verify --proof FILE`
    "verify.proof.ok": {
        "zh": "核验通过：叶 {leaf} 在枢纽的 {size} 条日志中，根 {root}，由枢纽 {hub} 于 {hub_ms} 签名",
        "en": "VERIFIED: leaf {leaf} is in the hub's log of {size} entries, root {root}, signed by hub "
        "{hub} at {hub_ms}",
    },
    "verify.proof.bad": {"zh": "核验未通过：{why}", "en": "NOT VERIFIED: {why}"},
    # findings
    "verify.f.kiosk.no_enroll": {
        "zh": "终端 {kiosk}：台账中没有枢纽签名的注册",
        "en": "kiosk {kiosk}: no hub-signed enrollment in the ledger",
    },
    "verify.f.kiosk.key": {
        "zh": "终端 {kiosk}：公钥不是台账最后准入的密钥",
        "en": "kiosk {kiosk}: public_key is not the key the ledger last admitted",
    },
    "verify.f.kiosk.status": {
        "zh": "终端 {kiosk}：状态 {status} 与台账不符",
        "en": "kiosk {kiosk}: status {status} disagrees with the ledger",
    },
    "verify.f.kiosk.history": {
        "zh": "密钥历史（行号 {id}）：终端 {kiosk} 的该密钥从未经台账准入",
        "en": "kiosk_key_history id={id}: key of kiosk {kiosk} was never admitted in the ledger",
    },
    "verify.f.record.not_record": _at(
        _RECORD, "保存的帧不是一条记录（{error}）", "stored frame is not a record ({error})"
    ),
    "verify.f.record.not_canonical": _at(
        _RECORD, "保存的帧不是规范记录（{error}）", "stored frame is not a canonical record ({error})"
    ),
    "verify.f.record.no_key": _at(
        _RECORD, "终端 {signer} 在台账中没有准入的密钥", "kiosk {signer} has no key admitted in the ledger"
    ),
    "verify.f.record.bad_signature": _at(
        _RECORD,
        "签名与终端 {signer} 的任何密钥都不符",
        "signature does not verify against kiosk {signer}'s keys",
    ),
    "verify.f.record.key_period": _at(
        _RECORD,
        "签名所用的终端 {signer} 密钥，台账只准其签记录 {spans}",
        "signed by a key of kiosk {signer} that the ledger admits only for records {spans}",
    ),
    "verify.f.record.after_revoke": _at(
        _RECORD,
        "签于终端 {signer} 被吊销之后（台账第 {entry} 条，其记录 {after} 之后）",
        "signed after kiosk {signer} was revoked (ledger entry {entry}, after its record {after})",
    ),
    "verify.f.record.column": _at(
        _RECORD,
        "字段“{name}”为 {stored}，但签名记录为 {says}",
        "column {name} is {stored} but the signed record says {says}",
    ),
    "verify.f.record.body": _at(
        _RECORD,
        "字段“内容.{field}”为 {stored}，但签名记录为 {says}",
        "column body.{field} is {stored} but the signed record says {says}",
    ),
    "verify.f.record.body_not_json": _at(
        _RECORD, "字段“内容”为 {stored}，不是签名的内容", "column body is {stored}, not the signed body"
    ),
    "verify.f.record.body_not_canonical": _at(
        _RECORD,
        "字段“内容”不是签名内容的规范编码",
        "column body is not the canonical JSON of the signed body",
    ),
    "verify.f.chain.break": _at(
        _LINK, "签名记录 {seq} 未接续记录 {last}", "signed record {seq} does not follow record {last}"
    ),
    "verify.f.chain.missing": _at(
        _LINK,
        "签名记录 {seq} 之前缺少记录 {missing}",
        "record(s) {missing} missing before signed record {seq}",
    ),
    "verify.f.chain.order": _at(
        _LINK,
        "签名记录 {seq} 排在记录 {last} 之后，顺序错误",
        "signed record {seq} is out of order after record {last}",
    ),
    "verify.f.chain.head": {
        "zh": "终端 {kiosk}：保存的链头是记录 {stored}，签名记录止于 {signed}",
        "en": "kiosk {kiosk}: stored head is record {stored}, the signed records end at {signed}",
    },
    "verify.f.log.root": {
        "zh": "检查点（行号 {id}）：签名的 {size} 个叶子的根为 {signed}…，保存的日志得出 {root}…",
        "en": "checkpoint id={id}: signed root over {size} leaves is {signed}..., "
        "the stored log gives {root}...",
    },
    "verify.f.log.gap": {
        "zh": "日志叶子 {index}：日志缺少叶子 {first}..{last}",
        "en": "log leaf {index}: leaves {first}..{last} are missing from the log",
    },
    "verify.f.log.orphan": {
        "zh": "日志叶子 {index}：其来源{table}（行号 {ref}）已不存在",
        "en": "log leaf {index}: {table} id={ref} it was made from no longer exists",
    },
    "verify.f.log.leaf": {
        "zh": "日志叶子 {index}：{source}（行号 {ref}）不是日志记录的那一行",
        "en": "log leaf {index}: {source} id={ref} is not the row the log recorded",
    },
    "verify.f.log.short": {
        "zh": "检查点（行号 {id}）：签了 {size} 个叶子，但日志只有 {held} 个",
        "en": "checkpoint id={id}: signs {size} leaves but the log holds only {held}",
    },
    "verify.f.checkpoint.unsigned": {
        "zh": "检查点（行号 {id}）：不是枢纽签名的检查点（{error}）",
        "en": "checkpoint id={id}: not a checkpoint signed by the hub ({error})",
    },
    "verify.f.checkpoint.column": {
        "zh": "检查点（行号 {id}）：字段“{name}”为 {stored}，但签名检查点为 {says}",
        "en": "checkpoint id={id}: column {name} is {stored} but the signed checkpoint says {says}",
    },
    "verify.f.result.cannot": {
        "zh": "生产线 {line} 在 {day}：无法重新计算（{error}）",
        "en": "line {line} on {day}: cannot be recomputed ({error})",
    },
    "verify.f.result.month_v2_in_v1": {
        "zh": "{month} 月：{what} 是第二版规则的数据，但本月按第一版规则计算，整月无法重新计算",
        "en": "month {month}: {what} is a rule book v2 input, but the month is computed under rule book v1; "
        "the month cannot be recomputed",
    },
    "verify.f.result.month_cannot": {
        "zh": "{month} 月：{what} 使整月无法重新计算（{error}）",
        "en": "month {month}: {what} makes the month impossible to recompute ({error})",
    },
    "verify.w.assignment": {
        "zh": "{person} 的岗位分配（生产线 {line}）的“{field}”",
        "en": "{person}'s assignment (line {line}), {field}",
    },
    "verify.w.inmate": {"zh": "罪犯 {person} 的“{field}”", "en": "inmate {person}, {field}"},
    "verify.wf.training": {"zh": "培训标记", "en": "training"},
    "verify.wf.mode": {"zh": "岗位方式", "en": "mode"},
    "verify.wf.labor_exempt": {"zh": "免考核期", "en": "labor_exempt"},
    "verify.w.list.ratings": {"zh": "岗位评定", "en": "ratings"},
    "verify.w.list.rejects": {"zh": "退件", "en": "rejects"},
    "verify.w.list.deductions": {"zh": "扣分", "en": "deductions"},
    "verify.f.result.missing": _at(
        _RESULT, "缺失；签名记录得出一条日结果", "missing; the records give a daily record"
    ),
    "verify.f.result.extra": {
        "zh": _RESULT["zh"] + "（行号 {id}）：签名记录在此得不出日结果",
        "en": _RESULT["en"] + " (id={id}): the records give no daily record here",
    },
    "verify.f.result.column": {
        "zh": _RESULT["zh"] + "（行号 {id}）：字段“{name}”为 {stored}，但签名记录得出 {says}",
        "en": _RESULT["en"] + " (id={id}): {name} is {stored} but the records give {says}",
    },
    "verify.f.result.pending": _at(
        _RESULT, "该生产线日的记录仍在计算中", "records of this line-day are still being computed"
    ),
    "verify.f.note.no_hub_key": {
        "zh": "未提供枢纽公钥：枢纽签名（台账、检查点）未核验",
        "en": "no hub public key given: hub signatures (ledger, checkpoints) were NOT checked",
    },
    "verify.f.note.results_stuck": {
        "zh": "结果计算进程尚未计算 {count} 条比最新记录早 {seconds} 秒以上收到的记录；"
        "其日结果按现状核对（枢纽的结果计算进程在运行吗？）",
        "en": "the results worker has not computed {count} record(s) received more than {seconds} s "
        "before the newest one; their daily results were compared as they are (is the hub's results "
        "worker running?)",
    },
    "verify.f.override.running": {"zh": "审批时本月尚未结束", "en": "month running"},
    "verify.f.override.open": {"zh": "{kind} {n} 项", "en": "{kind} {n}"},
    "verify.f.note.override": {
        "zh": "{month} 月 {area} 监区的「{stage}」审批（台账第 {index} 条，{actor}）是在条件未满足时"
        "说明理由后通过的，理由：{reason}（{detail}）",
        "en": "month {month} area {area}: the {stage} approval (ledger entry {index}, by {actor}) was given "
        "with an override, reason: {reason} ({detail})",
    },
}


# the monthly-scores section (hub.audit.months, hub.audit.derived)
_APPROVAL = {"zh": "月考核审批（行号 {id}）", "en": "assess_month_approval id={id}"}
_ADJUSTMENT = {"zh": "加减分（行号 {id}）", "en": "assess_adjustment id={id}"}
MONTH_TEXTS: dict[str, dict[str, str]] = {
    "verify.f.month.void_none": {
        "zh": "{act}：撤销 {month} 监区 {area} 的“{stage}”审批，但该审批并未生效",
        "en": "{act}: voids the {stage} approval of month {month} area {area}, but none is in force",
    },
    "verify.f.month.again": {
        "zh": "{act}：再次审批 {month} 监区 {area} 的“{stage}”阶段，而台账第 {other} 条的审批仍然有效",
        "en": "{act}: approves stage {stage} of month {month} area {area} again while ledger entry "
        "{other}'s approval is in force",
    },
    "verify.f.month.bad_adjust": {
        "zh": "{act}：不是枢纽会写入的加减分",
        "en": "{act}: not an adjustment the hub writes",
    },
    "verify.f.month.adjust_again": {
        "zh": "{act}：再次创建加减分（编号 {id}）（台账第 {other} 条已创建）",
        "en": "{act}: creates adjustment id={id} again (ledger entry {other} created it)",
    },
    "verify.f.month.void_adjust_none": {
        "zh": "{act}：撤销加减分（编号 {id}），但它并未生效",
        "en": "{act}: voids adjustment id={id}, which is not in force",
    },
    "verify.f.month.approval_missing": {
        "zh": "{month} 监区 {area}：{actor} 的“{stage}”审批（台账第 {index} 条）在月考核审批表中缺失",
        "en": "month {month} area {area}: the {stage} approval by {actor} (ledger entry {index}) is "
        "missing from assess_month_approval",
    },
    "verify.f.month.approval_extra": {
        "zh": "月考核审批（行号 {id}；{month} 监区 {area}，{approver} 的“{stage}”审批）"
        "：台账中没有记录这次审批",
        "en": "assess_month_approval id={id} (month {month} area {area}, {stage} by {approver}): no "
        "ledger entry records this approval",
    },
    "verify.f.month.approval_column": _at(
        _APPROVAL,
        "字段“{name}”为 {stored}，但台账第 {index} 条为 {signed}",
        "column {name} is {stored} but ledger entry {index} says {signed}",
    ),
    "verify.f.month.approval_in_force": _at(
        _APPROVAL, "表中仍然有效，但{act}已将其撤销", "in force in the table, but {act} voided it"
    ),
    "verify.f.month.approval_voided": _at(
        _APPROVAL,
        "表中已撤销（{reason}），但台账中没有撤销它的行为",
        "voided in the table ({reason}), but no ledger act voided it",
    ),
    "verify.f.month.approval_void_reason": _at(
        _APPROVAL,
        "字段“撤销原因”为 {stored}，但{act}为 {signed}",
        "column void_reason is {stored} but {act} says {signed}",
    ),
    "verify.f.month.adjust_extra": {
        "zh": "加减分（行号 {id}；{month} 监区 {area}，罪犯 {inmate}，{points} 分）"
        "：台账中没有记录这次加减分",
        "en": "assess_adjustment id={id} (month {month} area {area}, inmate {inmate}, {points} points): "
        "no ledger entry records this adjustment",
    },
    "verify.f.month.adjust_missing": {
        "zh": "加减分（编号 {id}；{month} 监区 {area}，罪犯 {inmate}，{points} 分，台账第 {index} 条）"
        "在加减分表中缺失",
        "en": "adjustment id={id} (month {month} area {area}, inmate {inmate}, {points} points, ledger "
        "entry {index}) is missing from assess_adjustment",
    },
    "verify.f.month.adjust_in_force": _at(
        _ADJUSTMENT, "表中仍然有效，但{act}已将其撤销", "in force in the table, but {act} voided it"
    ),
    "verify.f.month.adjust_voided": _at(
        _ADJUSTMENT,
        "表中已撤销，但台账中没有撤销它的行为",
        "voided in the table, but no ledger act voided it",
    ),
    "verify.f.month.adjust_column": _at(
        _ADJUSTMENT,
        "字段“{name}”为 {stored}，但{told}为 {signed}",
        "column {name} is {stored} but {told} says {signed}",
    ),
    "verify.f.month.inputs": {
        "zh": "其签名的输入不是枢纽会写入的输入",
        "en": "its signed inputs are not inputs the hub writes",
    },
    "verify.f.month.unknown_adjust": {
        "zh": "它列出的加减分 {ids} 没有更早的行为创建过",
        "en": "it names adjustment(s) {ids} no earlier act created",
    },
    "verify.f.month.cannot": {
        "zh": "该月无法重新计算（{error}）",
        "en": "the month cannot be recomputed ({error})",
    },
    "verify.f.month.not_derived": {
        "zh": "{month} 监区 {area}：{actor} 在“{stage}”阶段审批（台账第 {index} 条），摘要 {digest}…"
        "，但{error}",
        "en": "month {month} area {area}: approved by {actor} at stage {stage} (ledger entry {index}) with "
        "digest {digest}..., but {error}",
    },
    "verify.f.month.digest": {
        "zh": "{month} 监区 {area}：{actor} 在“{stage}”阶段审批（台账第 {index} 条），摘要 {digest}…，"
        "但签名记录得出 {derived}…{note}",
        "en": "month {month} area {area}: approved by {actor} at stage {stage} (ledger entry {index}) with "
        "digest {digest}..., but the signed records give {derived}...{note}",
    },
    "verify.f.month.rule_set": {
        "zh": "（审批时规则版本为 {signed}，现为 {now}）",
        "en": " (approved under rule set {signed}, now {now})",
    },
    "verify.f.month.explained": {
        "zh": "{month} 监区 {area}，“{stage}”（台账第 {index} 条）",
        "en": "month {month} area {area}, {stage} (ledger entry {index})",
    },
    "verify.f.month.no_tables": {
        "zh": "台账记录了 {count} 个月考核行为，但数据库中没有考核表",
        "en": "the ledger records {count} monthly assessment act(s), but this database has no assessment "
        "tables",
    },
    "verify.f.note.explained_months": {
        "zh": "{count} 个锁定前的审批与重新推导的分数不同，但之后基础数据有变更（只有劳动改造科的锁定"
        "禁止变更），因此不算问题：{shown}",
        "en": "{count} approval(s) before the lock differ from the re-derived scores, but master data "
        "changed after them (only the labor section's lock refuses that), so they are not findings: "
        "{shown}",
    },
    "verify.f.note.no_result_tables": {
        "zh": "未重新推导日结果：数据库中没有结果表或基础数据表",
        "en": "daily results were not re-derived: this database has no results or master data tables",
    },
    "verify.f.note.no_master_scores": {
        "zh": "未重新推导月度考核分：数据库中没有基础数据表",
        "en": "monthly scores were not re-derived: this database has no master data tables",
    },
    "verify.f.note.no_master_weeks": {
        "zh": "未重新推导周评议：数据库中没有基础数据表",
        "en": "weekly reviews were not re-derived: this database has no master data tables",
    },
    "verify.f.note.unbounded_one": {
        "zh": "台账第 {entries} 条终端行为未记录链头（旧版枢纽）：其前后的记录按该终端持有过的每把密钥核验，"
        "不受吊销界限约束",
        "en": "kiosk act(s) at ledger entry {entries} record no chain head (older hub): records around "
        "them are checked against every key the kiosk held, without the revocation bound",
    },
    "verify.f.note.unbounded": {
        "zh": "台账第 {entries} 条终端行为未记录链头（旧版枢纽）：其前后的记录按该终端持有过的每把密钥核验，"
        "不受吊销界限约束",
        "en": "kiosk act(s) at ledger entries {entries} record no chain head (older hub): records around "
        "them are checked against every key the kiosk held, without the revocation bound",
    },
}

# the weekly-reviews section (hub.audit.weeks, hub.audit.derived)
WEEK_TEXTS: dict[str, dict[str, str]] = {
    "verify.f.week.pub_not_text": {
        "zh": "不是枢纽会写入的公示（起止日期和分数摘要应为文本）",
        "en": "not a publication the hub writes (from, until and rows_digest are text)",
    },
    "verify.f.week.pub_dates": {
        "zh": "不是枢纽会写入的公示（起 {start}，止 {until}）",
        "en": "not a publication the hub writes (from {start}, until {until})",
    },
    "verify.f.week.pub_span": {
        "zh": "公示期为 {start} 至 {until}，不在 1 至 {days} 天之内",
        "en": "publishes from {start} until {until}, not 1 to {days} days",
    },
    "verify.f.week.signoff_no_digest": {
        "zh": "{act}：{week} 周 监区 {area}：不是枢纽会写入的签认（没有分数摘要）",
        "en": "{act}: week {week} area {area}: not a sign-off the hub writes (no rows_digest)",
    },
    "verify.f.week.signoff_again": {
        "zh": "{act}：{week} 周 监区 {area}：重复签认（台账第 {other} 条已签认）",
        "en": "{act}: week {week} area {area}: signed off again (ledger entry {other} signed it off already)",
    },
    "verify.f.week.act_problem": {
        "zh": "{act}：{week} 周 监区 {area}：{problem}",
        "en": "{act}: week {week} area {area}: {problem}",
    },
    "verify.f.week.unsigned_publish": {
        "zh": "{act}：{week} 周 监区 {area}：已公示，但台账中此前没有签认",
        "en": "{act}: week {week} area {area}: published, but no earlier ledger entry signed it off",
    },
    "verify.f.week.time": {
        "zh": "{where}：字段“{name}”为 {stored}，与台账第 {index} 条的时间（{hub_ms}）相差 {seconds} 秒",
        "en": "{where}: column {name} is {stored}, {seconds} s from the time of ledger entry {index} "
        "({hub_ms})",
    },
    "verify.f.pub.month_row": {"zh": "月度公示（行号 {id}）", "en": "assess_published_month id={id}"},
    "verify.f.pub.answer_row": {"zh": "复核答复（行号 {id}）", "en": "review_month_answer id={id}"},
    "verify.f.pub.month_extra": {
        "zh": "月度公示（行号 {id}；{month} 月 监区 {area}）：台账中没有记录这次公示",
        "en": "assess_published_month id={id} (month {month} area {area}): no ledger entry records this "
        "publication",
    },
    "verify.f.pub.month_missing": {
        "zh": "台账第 {index} 条记录的月度公示（{subject}）在月度公示表中缺失",
        "en": "the publication of ledger entry {index} ({subject}) is missing from assess_published_month",
    },
    "verify.f.pub.answer_extra": {
        "zh": "复核答复（行号 {id}；复核申请 {ref}）：台账中没有记录这次答复",
        "en": "review_month_answer id={id} (request {ref}): no ledger entry records this answer",
    },
    "verify.f.pub.answer_missing": {
        "zh": "台账第 {index} 条记录的复核答复（{subject}）在复核答复表中缺失",
        "en": "the answer of ledger entry {index} ({subject}) is missing from review_month_answer",
    },
    "verify.f.pub.answer_no_request": {
        "zh": "{where}：答复的复核申请 {ref} 不是已存储的复核申请记录",
        "en": "{where}: the request {ref} it answers is no stored month_review record",
    },
    "verify.f.pub.column": {
        "zh": "{where}：字段“{name}”为 {stored}，但台账第 {index} 条为 {signed}",
        "en": "{where}: column {name} is {stored} but ledger entry {index} says {signed}",
    },
    "verify.f.pub.rows_digest": {
        "zh": "{where}：公示数字的摘要为 {digest}…，但台账第 {index} 条签名的是 {signed}…",
        "en": "{where}: column rows (the published numbers) digests to {digest}... but ledger entry "
        "{index} signed {signed}...",
    },
    "verify.f.pub.no_tables": {
        "zh": "台账有 {count} 条月度公示或复核答复，但数据库中没有相应的表",
        "en": "the ledger holds {count} month publication or review answer acts but the tables are missing",
    },
    "verify.f.week.signoff_row": {"zh": "周签认（行号 {id}）", "en": "assess_week_signoff id={id}"},
    "verify.f.week.pub_row": {"zh": "周公示（行号 {id}）", "en": "assess_published_week id={id}"},
    "verify.f.week.signoff_missing": {
        "zh": "{week} 周 监区 {area}：{actor} 的签认（{act}）在周签认表中缺失",
        "en": "week {week} area {area}: the sign-off by {actor} ({act}) is missing from assess_week_signoff",
    },
    "verify.f.week.signoff_extra": {
        "zh": "周签认（行号 {id}；{week} 周 监区 {area}，签认人 {actor}）：台账中没有记录这次签认",
        "en": "assess_week_signoff id={id} (week {week} area {area}, signed off by {actor}): no ledger "
        "entry records this sign-off",
    },
    "verify.f.week.column": {
        "zh": "{where}：字段“{name}”为 {stored}，但台账第 {index} 条为 {signed}",
        "en": "{where}: column {name} is {stored} but ledger entry {index} says {signed}",
    },
    "verify.f.week.role": {
        "zh": "{where}：字段“角色”为 {role}，该角色不签认周评议",
        "en": "{where}: column role is {role}, a role that signs off no week",
    },
    "verify.f.week.pub_missing": {
        "zh": "{week} 周 监区 {area}：{actor} 自 {start} 至 {until} 的公示（{act}）在周公示表中缺失",
        "en": "week {week} area {area}: the publication by {actor} from {start} until {until} ({act}) is "
        "missing from assess_published_week",
    },
    "verify.f.week.pub_extra": {
        "zh": "周公示（行号 {id}；{week} 周 监区 {area}，公示人 {actor}，看板公示期 {start} 至 {until}）："
        "台账中没有记录这次公示",
        "en": "assess_published_week id={id} (week {week} area {area}, by {actor}, on the boards from "
        "{start} until {until}): no ledger entry records this publication",
    },
    "verify.f.week.rows_not_json": {
        "zh": "{where}：字段“公示数字”不是公示行的列表",
        "en": "{where}: column rows is not a JSON list of published rows",
    },
    "verify.f.week.rows_digest": {
        "zh": "{where}：公示数字的摘要为 {digest}…，但台账第 {index} 条签名的是 {signed}…",
        "en": "{where}: column rows (the published numbers) digests to {digest}... but ledger entry "
        "{index} signed {signed}...",
    },
    "verify.f.week.month_unread": {"zh": "未读取 {month} 月的数据", "en": "month {month} was not read"},
    "verify.f.week.cannot": {
        "zh": "该周无法重新计算（{error}）",
        "en": "the week cannot be recomputed ({error})",
    },
    "verify.f.week.signed_off": {"zh": "签认", "en": "signed off"},
    "verify.f.week.published": {"zh": "公示", "en": "published"},
    "verify.f.week.explained": {
        "zh": "{week} 周 监区 {area}，{actor} {what}（台账第 {index} 条）",
        "en": "week {week} area {area}, {what} by {actor} (ledger entry {index})",
    },
    "verify.f.week.not_derived": {
        "zh": "{week} 周 监区 {area}：{actor} {what}（台账第 {index} 条），摘要 {digest}…，但{error}",
        "en": "week {week} area {area}: {what} by {actor} (ledger entry {index}) with digest {digest}..., "
        "but {error}",
    },
    "verify.f.week.digest": {
        "zh": "{week} 周 监区 {area}：{actor} {what}（台账第 {index} 条），摘要 {digest}…，"
        "但签名记录得出 {derived}…",
        "en": "week {week} area {area}: {what} by {actor} (ledger entry {index}) with digest {digest}..., "
        "but the signed records give {derived}...",
    },
    "verify.f.week.no_tables": {
        "zh": "台账记录了 {count} 个周评议行为，但数据库中没有考核表",
        "en": "the ledger records {count} weekly review act(s), but this database has no assessment tables",
    },
    "verify.f.note.explained_weeks": {
        "zh": "{count} 个周签认或公示与重新推导的周数据不同，但之后基础数据有变更（周评议不因此锁定），"
        "因此不算问题：{shown}",
        "en": "{count} weekly sign-off(s) or publication(s) differ from the re-derived week, but master "
        "data changed after them (nothing locks a week against that), so they are not findings: {shown}",
    },
}

# checkpoints held outside the hub (hub.audit.witness)
HELD_TEXTS: dict[str, dict[str, str]] = {
    "verify.f.held.kiosk": {"zh": "终端 {kiosk}（记录序号 {seq}）", "en": "kiosk {kiosk} (record seq {seq})"},
    "verify.f.held.witnessed": {"zh": "由{where}见证", "en": "witnessed by {where}"},
    "verify.f.held.witness_unsigned": {
        "zh": "终端记录（行号 {id}）：{where}见证的检查点不是枢纽签名的（{why}）",
        "en": "kiosk_record id={id}: the checkpoint witnessed by {where} is not signed by the hub ({why})",
    },
    "verify.f.held.given": {"zh": "以 --expect {value} 给出", "en": "given with --expect {value}"},
    "verify.f.held.file_root": {
        "zh": "{name}（数据指纹 {root}…）",
        "en": "{name} (checkpoint_root {root}…)",
    },
    "verify.f.held.json_root": {"zh": "{name}（根 {root}…）", "en": "{name} (root {root}…)"},
    "verify.f.held.signed_file": {
        "zh": "{name}（已签名，{size} 个叶）",
        "en": "{name} (signed, {size} leaves)",
    },
    "verify.f.held.others": {
        "zh": "及另外 {count} 条见证记录",
        "en": " and {count} more witness record(s)",
    },
    "verify.f.held.rewind": {
        "zh": "日志被回退到{source}{others}的检查点之前：{problem}",
        "en": "rewind behind a checkpoint {source}{others}: {problem}",
    },
    "verify.f.held.signature_ok": {"zh": "，其枢纽签名已核验", "en": ", its hub signature verified"},
    "verify.f.held.holds": {
        "zh": "检查点（{source}）：{holds}{signed}",
        "en": "checkpoint {source}: {holds}{signed}",
    },
    "verify.f.held.no_prefix": {
        "zh": "今日日志（{total} 个叶）没有任何前缀的根为 {root}",
        "en": "no prefix of today's log ({total} leaves) has root {root}",
    },
    "verify.f.held.prefix_at": {
        "zh": "今日日志前 {size} 个叶（共 {total} 个）的根",
        "en": "the root of today's log over its first {size} of {total} leaves",
    },
    "verify.f.held.empty": {"zh": "空日志的根", "en": "the empty log's root"},
    "verify.f.held.shorter": {
        "zh": "它签署的是 {size} 个叶的根 {root}，今日日志只有 {total} 个叶",
        "en": "it signs root {root} over {size} leaves, today's log holds only {total}",
    },
    "verify.f.held.consistent": {
        "zh": "今日日志的前缀：从 {size} 到 {total} 个叶的一致性证明（{count} 个哈希）已核验",
        "en": "a prefix of today's log: consistency proof of {count} hash(es) from {size} to {total} "
        "leaves verified",
    },
    "verify.f.held.gives": {"zh": "，今日日志得出 {root}…", "en": ", today's log gives {root}…"},
    "verify.f.held.mismatch": {
        "zh": "它签署的是 {size} 个叶的根 {root}{says}",
        "en": "it signs root {root} over {size} leaves{says}",
    },
}

# Codes a report shows inside a sentence, by kind; the English is the code itself (`i18n.Label`).
LABELS: dict[str, dict[str, str]] = {
    # approval stages and the roles that sign off a week
    "verify.stage": {"line_officer": "分监区民警", "area_head": "监区长", "labor_section": "劳动改造科"},
    # kiosk record types (docs/protocol.md)
    "verify.type": {
        "check_in": "签到",
        "check_out": "签退",
        "unit_count": "报数",
        "warehoused_count": "入库数",
        "confirm": "确认",
        "dispute": "申辩",
        "countersign": "会签",
        "excused_absence": "准假",
        "correction": "更正",
        "device_fault": "设备故障",
        "checkpoint_witness": "检查点见证",
        "grade": "岗位评级",
        "reject": "次品",
        "month_confirm": "月度确认",
        "month_review": "申请复核",
    },
    # the parts of a bundle's scenario
    "bundle.section": {
        "attendance": "出勤",
        "counts": "计件",
        "warehoused": "入库",
        "workdays": "工作日",
        "lines": "生产线",
        "products": "产品",
        "standard_times": "标准工时",
        "assignments": "岗位",
        "inmates": "罪犯",
        "ratings": "岗位评级",
        "rejects": "次品",
        "deductions": "扣分",
    },
    # the tables a log leaf comes from, and its source kinds
    "verify.table": {
        "kiosk_record": "终端记录",
        "ledger_entry": "台账条目",
        "record": "终端记录",
        "ledger": "台账条目",
    },
    # columns of the record, checkpoint, result and assessment tables, and the fields of a record's body
    "verify.col": {
        "kiosk": "终端",
        "seq": "序号",
        "hash": "哈希",
        "prev": "前一条哈希",
        "type": "类型",
        "day": "日期",
        "line": "生产线",
        "person": "人员",
        "wall_ms": "墙钟时间",
        "mono_ms": "单调时钟",
        "boot": "启动标识",
        "body": "内容",
        "method": "方式",
        "witness": "见证人",
        "product": "产品",
        "step": "工序",
        "units": "件数",
        "source": "来源",
        "ref": "引用",
        "officer": "民警",
        "reason": "原因",
        "text": "说明",
        "minutes": "分钟数",
        "ref_kiosk": "原终端",
        "ref_seq": "原序号",
        "ref_hash": "原哈希",
        "values": "更正值",
        "device": "设备",
        "fault": "故障",
        "detail": "详情",
        "hub": "枢纽",
        "tree_size": "叶数",
        "root": "根",
        "hub_ms": "枢纽时间",
        "signature": "签名",
        "inmate": "罪犯",
        "mode": "计件方式",
        "standard_seconds": "标准工时(秒)",
        "standard_from": "标准工时生效日",
        "quota_std_seconds": "定额标准秒数",
        "earned_std_seconds": "完成标准秒数",
        "done_units_exact": "完成件数(精确)",
        "quota_units": "定额件数",
        "done_units": "完成件数",
        "diff_units": "差额件数",
        "completion_pct": "完成率(%)",
        "rule_set_version": "规则版本",
        "rule_set_digest": "规则摘要",
        "stage": "阶段",
        "approver": "审批人",
        "rows_digest": "分数摘要",
        "void_reason": "撤销原因",
        "month": "月份",
        "area": "监区",
        "points": "分值",
        "created_by": "创建人",
        "voided_by": "撤销人",
        "signed_by": "签认人",
        "signed_ms": "签认时间",
        "published_by": "公示人",
        "valid_from": "起始日期",
        "until": "截止日期",
        "created_ms": "创建时间",
        "role": "角色",
        "rows": "公示数字",
    },
}


# `floorledger verify-bundle`'s report (hub.audit.bundle): parts, findings and summary lines; the English
# is what the command has always printed (`--lang zh` for Chinese).
BUNDLE_TEXTS: dict[str, dict[str, str]] = {
    "bundle.v.head": {
        "zh": "证据包：罪犯 {inmate}，月份 {month}",
        "en": "evidence bundle: inmate {inmate}, month {month}",
    },
    "bundle.v.ok": {"zh": "核验通过", "en": "VERIFIED"},
    "bundle.v.p.form": {
        "zh": "文件（证据包唯一写法的 UTF-8 编码）",
        "en": "file (UTF-8 JSON in the bundle's one written form)",
    },
    "bundle.v.p.sig": {"zh": "检查点（枢纽签名）", "en": "checkpoint (hub signature)"},
    "bundle.v.p.ledger": {
        "zh": "台账条目（枢纽签名、包含于检查点）",
        "en": "ledger entries (hub signatures, inclusion in the checkpoint)",
    },
    "bundle.v.p.records": {
        "zh": "终端记录（终端签名、密钥期限、包含于检查点）",
        "en": "kiosk records (kiosk signatures, key periods, inclusion in the checkpoint)",
    },
    "bundle.v.p.inputs": {
        "zh": "计算输入（由签名记录重新推导）",
        "en": "scenario inputs (re-derived from the signed records)",
    },
    "bundle.v.p.master": {
        "zh": "基础数据（由枢纽签名的基础数据行为重新推导）",
        "en": "master data (re-derived from the hub-signed master-data acts)",
    },
    "bundle.v.p.result": {
        "zh": "结果与说明（按计算输入重新运行计算引擎）",
        "en": "result and explanation (engine re-run on the scenario)",
    },
    "bundle.v.p.assessment": {
        "zh": "月考核（签名的加减分与审批）",
        "en": "monthly assessment (signed adjustments and approval)",
    },
    "bundle.v.not_json": {"zh": "不是有效的文档（{error}）", "en": "not a JSON document: {error}"},
    "bundle.v.not_written_form": {
        "zh": "文件不是枢纽写出的样子（有字节被修改或添加）",
        "en": "the file is not in the form the hub writes (bytes were changed or added)",
    },
    "bundle.v.sections": {"zh": "多出或缺少的部分：{names}", "en": "unexpected or missing sections: {names}"},
    "bundle.v.bad_proof": {
        "zh": "{where}：不是有效的证明（{error}）",
        "en": "{where}: not a valid proof ({error})",
    },
    "bundle.v.damaged": {"zh": "证据包已损坏（{error}）", "en": "damaged bundle: {error}"},
    "bundle.v.old_format": {
        "zh": "格式 {format}：旧版证据包，不含签名的基础数据和审批；请重新生成证据包",
        "en": "format {format}: an older bundle, which does not carry the signed master data and approval; "
        "make the bundle again",
    },
    "bundle.v.not_bundle": {"zh": "不是证据包", "en": "not a FloorLedger evidence bundle"},
    "bundle.v.checkpoint": {
        "zh": "检查点：用所给的枢纽公钥核验失败（{error}）",
        "en": "checkpoint: does not verify with the hub key given ({error})",
    },
    "bundle.v.s.checkpoint": {
        "zh": "检查点：枢纽 {hub}，{size} 个叶，根 {root}…",
        "en": "checkpoint: hub {hub}, {size} leaves, root {root}...",
    },
    "bundle.v.ledger_entries": {"zh": "台账条目", "en": "ledger entries"},
    "bundle.v.records": {"zh": "终端记录", "en": "records"},
    "bundle.v.proof_root": {
        "zh": "{where}：其包含证明不能导出检查点的根",
        "en": "{where}: its inclusion proof does not lead to the checkpoint's root",
    },
    "bundle.v.not_entry": {
        "zh": "{where}：不是枢纽签名的台账条目（{error}）",
        "en": "{where}: not a hub-signed ledger entry ({error})",
    },
    "bundle.v.no_key": {
        "zh": "{where}：注册中没有可用的密钥",
        "en": "{where}: enrollment names no usable key",
    },
    "bundle.v.other_month": {
        "zh": "{where}：{action}不是本证据包月份的行为",
        "en": "{where}: {action} is not an act on this bundle's month",
    },
    "bundle.v.correction": {
        "zh": "{where}：无法读懂的更正（{error}）",
        "en": "{where}: correction not understood ({error})",
    },
    "bundle.v.not_record": {
        "zh": "{where}：不是终端记录（{error}）",
        "en": "{where}: not a kiosk record ({error})",
    },
    "bundle.v.twice": {
        "zh": "{where}：同一条终端记录列出了两次",
        "en": "{where}: the same kiosk record is listed twice",
    },
    "bundle.v.no_enrollment": {
        "zh": "{where}：证据包中没有终端 {kiosk} 的注册",
        "en": "{where}: no enrollment of kiosk {kiosk} in the bundle",
    },
    "bundle.v.key": {"zh": "{where}：{problem}", "en": "{where}: {problem}"},
    "bundle.v.record_at": {
        "zh": "{where}（{kiosk} 第 {seq} 条{type}）",
        "en": "{where} ({kiosk}#{seq} {type})",
    },
    "bundle.v.scenario": {"zh": "计算输入：{error}", "en": "scenario: {error}"},
    "bundle.v.scenario_month": {
        "zh": "计算输入属于 {given}，证据包属于 {month}",
        "en": "scenario is for {given}, the bundle for {month}",
    },
    "bundle.v.order": {
        "zh": "计算输入：{name} 未按枢纽写出的唯一顺序（排序）排列",
        "en": "scenario: {name} are not in the one order the hub writes (sorted)",
    },
    "bundle.v.late_workday": {
        "zh": "工作日：{day} 晚于计算的最后一天 {through}",
        "en": "workdays: {day} is after the last day computed, {through}",
    },
    "bundle.v.rule_set": {
        "zh": "规则：与计算输入生效的规则不同",
        "en": "rule_set: differs from the rules the scenario puts in force",
    },
    "bundle.v.description": {
        "zh": "计算输入：其描述不是本证据包的",
        "en": "scenario: its description is not the bundle's",
    },
    "bundle.v.kiosks": {
        "zh": "终端：列表与注册条目给出的密钥不同",
        "en": "kiosks: the list differs from the keys the enrollment entries give",
    },
    "bundle.v.kiosks_broken": {
        "zh": "终端：无法由台账条目重新推导",
        "en": "kiosks: cannot be re-derived from the ledger entries",
    },
    "bundle.v.s.inputs": {
        "zh": "输入：{inmate} 的 {days} 个生产线日，其中 {people} 人，{records} 条签名记录，"
        "{corrections} 条枢纽更正",
        "en": "inputs: {days} line-day(s) of {inmate}, {people} people on them, {records} signed record(s), "
        "{corrections} hub correction(s)",
    },
    "bundle.v.result": {"zh": "结果：{diff}", "en": "result: {diff}"},
    "bundle.v.result_differs": {"zh": "结果：与计算引擎的不同", "en": "result: differs from the engine's"},
    "bundle.v.explanation_broken": {
        "zh": "说明：无法重新生成（{error}）",
        "en": "explanation: cannot be re-made ({error})",
    },
    "bundle.v.explanation": {
        "zh": "说明：与计算引擎对结果的说明不同",
        "en": "explanation: differs from the engine's explanation of the result",
    },
    "bundle.v.s.monthly": {"zh": "{inmate} 的月度结果：{values}", "en": "monthly line of {inmate}: {values}"},
    "bundle.v.s.approved": {
        "zh": "月考核：监区 {area}，已审批（{stages}）；生效的加减分 {count} 条",
        "en": "monthly assessment: area {area}, approved ({stages}); {count} adjustment(s) in force",
    },
    "bundle.v.s.not_approved": {
        "zh": "月考核：监区 {area}，未审批：没有审批签署这些数字；生效的加减分 {count} 条",
        "en": "monthly assessment: area {area}, NOT approved: no approval signs these numbers; {count} "
        "adjustment(s) in force",
    },
    "bundle.v.leaf_twice": {
        "zh": "{where}：叶 {index} 列出了两次（每个叶只能一次）",
        "en": "{where}: leaf {index} is listed twice (each leaf once)",
    },
    "bundle.v.leaf_order": {
        "zh": "{where}：叶 {index} 排在叶 {last} 之后：{what}未按叶序号排列",
        "en": "{where}: leaf {index} after leaf {last}: the {what} are not in leaf-index order",
    },
    "bundle.v.not_list": {"zh": "{name}：缺失或不是列表", "en": "{name}: missing or not a list"},
    "bundle.v.outside": {
        "zh": "{name}：{entry} 不在该罪犯的生产线日内",
        "en": "{name}: {entry} is outside the inmate's line-days",
    },
    "bundle.v.not_signed": {
        "zh": "{name}：{entry} 与签名记录不符",
        "en": "{name}: {entry} is not what the signed records say",
    },
    # the monthly assessment of a bundle (hub.audit.bundle_months)
    "bundle.v.m.missing": {  # no values: shown as written
        "zh": "月考核：缺失，或不是 {area, rows}",
        "en": "assessment: missing, or not {area, rows}",
    },
    "bundle.v.m.dated": {
        "zh": "加减分：带日期的加减分，枢纽从不录入",
        "en": "adjustments: a dated adjustment, which the hub never enters",
    },
    "bundle.v.m.unsigned_adjust": {
        "zh": "加减分：计算输入中有 {inmate} {points}（{reason}），但证据包中没有签名行为录入它（或已撤销）",
        "en": "adjustments: {inmate} {points} ({reason}) is in the scenario, but no signed act in the bundle "
        "enters it (or it was voided)",
    },
    "bundle.v.m.lacks_adjust": {
        "zh": "加减分：签名行为给出 {inmate} {points}（{reason}），计算输入中缺少",
        "en": "adjustments: the signed acts give {inmate} {points} ({reason}), the scenario lacks it",
    },
    "bundle.v.m.rows_unapproved": {
        "zh": "月考核：有监区 {area} 的分数行，但该月没有生效的审批",
        "en": "assessment: rows of area {area} but no approval of its month in force",
    },
    "bundle.v.m.no_rows": {
        "zh": "月考核：监区 {area} 的该月已审批，但证据包没有分数行",
        "en": "assessment: area {area}'s month is approved but the bundle carries no rows",
    },
    "bundle.v.m.digest": {
        "zh": "月考核：监区 {area} 的分数行得不出“{stage}”审批（{act}）签署的摘要：{digest}… 对 {signed}…",
        "en": "assessment: the rows of area {area} do not give the digest the {stage} approval signed "
        "({act}): {digest}... against {signed}...",
    },
    "bundle.v.m.inputs": {
        "zh": "月考核：{act}签署的输入不是枢纽会写入的",
        "en": "assessment: {act} signs inputs the hub does not write",
    },
    "bundle.v.m.rule_set": {
        "zh": "月考核：计算输入生效的规则版本为 {rules}，“{stage}”审批签署的是 {signed}",
        "en": "assessment: the scenario puts rule set {rules} in force, the {stage} approval signed rule set "
        "{signed}",
    },
    "bundle.v.m.through": {
        "zh": "月考核：证据包计算至 {through}，“{stage}”审批计算至 {day}",
        "en": "assessment: the bundle is computed through {through}, the {stage} approval through {day}",
    },
    "bundle.v.m.no_row": {"zh": "无此行", "en": "no row"},
    "bundle.v.m.no_score": {"zh": "无分数", "en": "no score"},
    "bundle.v.m.row": {
        "zh": "月考核：由本证据包重算的 {inmate} 月度结果（{got}）"
        "不是监区 {area} 已审批分数中他的那一行（{shown}）",
        "en": "assessment: {inmate}'s monthly line recomputed from this bundle ({got}) is not his row in the "
        "approved rows of area {area} ({shown})",
    },
    # the master data of a bundle (hub.audit.bundle_master)
    "bundle.v.md.act": {"zh": "基础数据行为：{problem}", "en": "master-data acts: {problem}"},
    "bundle.v.md.no_inmate": {
        "zh": "罪犯：证据包中没有签名行为新增罪犯 {inmate}",
        "en": "inmates: no signed act in the bundle adds inmate {inmate}",
    },
    "bundle.v.md.rules": {
        "zh": "规则：计算输入的规则版本 {given} 不是签名行为的 {signed}",
        "en": "rules: the scenario's rule versions {given} are not the signed acts' {signed}",
    },
    "bundle.v.md.rule_set": {
        "zh": "规则：计算输入生效的是 {given}（{given_params}），签名行为的是 {signed}（{signed_params}）",
        "en": "rule_set: the scenario puts {given} ({given_params}) in force, the signed acts {signed} "
        "({signed_params})",
    },
    "bundle.v.md.changed": {
        "zh": "{name}：{key}：计算输入为 {given}，签名行为为 {signed}",
        "en": "{name}: {key}: {given} in the scenario, the signed acts say {signed}",
    },
    "bundle.v.md.extra": {
        "zh": "{name}：计算输入中有 {key}（{given}），但证据包中没有签名行为给出它",
        "en": "{name}: {key} ({given}) is in the scenario, no signed act in the bundle gives it",
    },
    "bundle.v.md.lacks": {
        "zh": "{name}：签名行为给出 {key}（{signed}），计算输入中缺少",
        "en": "{name}: the signed acts give {key} ({signed}), the scenario lacks it",
    },
    "bundle.v.lacks": {
        "zh": "{name}：签名记录给出 {entry}，计算输入中缺少",
        "en": "{name}: the signed records give {entry}, the scenario lacks it",
    },
}


def register_report() -> None:
    i18n.register(REPORT_TEXTS)
    i18n.register(MONTH_TEXTS)
    i18n.register(WEEK_TEXTS)
    i18n.register(HELD_TEXTS)
    i18n.register(BUNDLE_TEXTS)
    for kind, labels in LABELS.items():
        i18n.register({f"{kind}.{code}": {"zh": zh, "en": code} for code, zh in labels.items()})
