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
    "zh": "终端记录 id={id}（终端 {kiosk}，序号 {seq}）",
    "en": "kiosk_record id={id} (kiosk {kiosk} seq {seq})",
}
_LINK = {"zh": "终端记录 id={id}（终端 {kiosk}）", "en": "kiosk_record id={id} (kiosk {kiosk})"}
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
        "zh": "最新签名检查点：{size} 个叶，根 {root}（id={id}，枢纽时间 {hub_ms}）",
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
        "zh": "密钥历史 id={id}：终端 {kiosk} 的该密钥从未经台账准入",
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
        "字段 {name} 为 {stored}，但签名记录为 {says}",
        "column {name} is {stored} but the signed record says {says}",
    ),
    "verify.f.record.body": _at(
        _RECORD,
        "字段 body.{field} 为 {stored}，但签名记录为 {says}",
        "column body.{field} is {stored} but the signed record says {says}",
    ),
    "verify.f.record.body_not_json": _at(
        _RECORD, "字段 body 为 {stored}，不是签名的内容", "column body is {stored}, not the signed body"
    ),
    "verify.f.record.body_not_canonical": _at(
        _RECORD,
        "字段 body 不是签名内容的规范 JSON",
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
        "zh": "检查点 id={id}：签名的 {size} 个叶子的根为 {signed}…，保存的日志得出 {root}…",
        "en": "checkpoint id={id}: signed root over {size} leaves is {signed}..., "
        "the stored log gives {root}...",
    },
    "verify.f.log.gap": {
        "zh": "日志叶子 {index}：日志缺少叶子 {first}..{last}",
        "en": "log leaf {index}: leaves {first}..{last} are missing from the log",
    },
    "verify.f.log.orphan": {
        "zh": "日志叶子 {index}：其来源 {table} id={ref} 已不存在",
        "en": "log leaf {index}: {table} id={ref} it was made from no longer exists",
    },
    "verify.f.log.leaf": {
        "zh": "日志叶子 {index}：{source} id={ref} 不是日志记录的那一行",
        "en": "log leaf {index}: {source} id={ref} is not the row the log recorded",
    },
    "verify.f.log.short": {
        "zh": "检查点 id={id}：签了 {size} 个叶子，但日志只有 {held} 个",
        "en": "checkpoint id={id}: signs {size} leaves but the log holds only {held}",
    },
    "verify.f.checkpoint.unsigned": {
        "zh": "检查点 id={id}：不是枢纽签名的检查点（{error}）",
        "en": "checkpoint id={id}: not a checkpoint signed by the hub ({error})",
    },
    "verify.f.checkpoint.column": {
        "zh": "检查点 id={id}：字段 {name} 为 {stored}，但签名检查点为 {says}",
        "en": "checkpoint id={id}: column {name} is {stored} but the signed checkpoint says {says}",
    },
    "verify.f.result.cannot": {
        "zh": "生产线 {line} 在 {day}：无法重新计算（{error}）",
        "en": "line {line} on {day}: cannot be recomputed ({error})",
    },
    "verify.f.result.missing": _at(
        _RESULT, "缺失；签名记录得出一条日结果", "missing; the records give a daily record"
    ),
    "verify.f.result.extra": {
        "zh": _RESULT["zh"] + "（id={id}）：签名记录在此得不出日结果",
        "en": _RESULT["en"] + " (id={id}): the records give no daily record here",
    },
    "verify.f.result.column": {
        "zh": _RESULT["zh"] + "（id={id}）：{name} 为 {stored}，但签名记录得出 {says}",
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
    "verify.f.note.override": {
        "zh": "{month} 月 {area} 监区的「{stage}」审批（台账第 {index} 条，{actor}）为越级审批，"
        "理由：{reason}（{detail}）",
        "en": "month {month} area {area}: the {stage} approval (ledger entry {index}, by {actor}) was given "
        "with an override, reason: {reason} ({detail})",
    },
}


def register_report() -> None:
    i18n.register(REPORT_TEXTS)
