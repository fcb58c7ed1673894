"""Words of the private evidence bundle's check (`pbundle.`), Simplified Chinese first; registered at
import by `hub.audit.bundle_private`."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "pbundle.head": {
        "zh": "证据包（隐私版）：罪犯 {inmate}，{month}",
        "en": "Private evidence bundle of {inmate}, {month}",
    },
    "pbundle.ok": {"zh": "核验通过", "en": "VERIFIED"},
    "pbundle.bad": {"zh": "核验未通过", "en": "NOT VERIFIED"},
    "pbundle.not_json": {"zh": "文件不是 JSON：{error}", "en": "not JSON: {error}"},
    "pbundle.not_written_form": {
        "zh": "文件不是其唯一的书写形式（有字节被改动）",
        "en": "the file is not in its one written form (a byte was changed)",
    },
    "pbundle.sections": {"zh": "段落不符：{names}", "en": "sections differ: {names}"},
    "pbundle.checkpoint": {"zh": "检查点签名无效：{error}", "en": "checkpoint does not verify: {error}"},
    "pbundle.attestation": {
        "zh": "中心对本证据包的签名无效",
        "en": "the hub's attestation of the bundle does not verify",
    },
    "pbundle.proof": {"zh": "{where}：包含证明不成立", "en": "{where}: its proof does not lead to the root"},
    "pbundle.order": {
        "zh": "{where}：叶序号重复或未递增",
        "en": "{where}: leaf index repeated or not increasing",
    },
    "pbundle.entry": {
        "zh": "{where}：不是中心签名的台账条目",
        "en": "{where}: not a hub-signed ledger entry",
    },
    "pbundle.record": {"zh": "{where}：不是终端签名的记录", "en": "{where}: not a kiosk-signed record"},
    "pbundle.key": {
        "zh": "{where}：终端密钥不符（{problem}）",
        "en": "{where}: kiosk key problem ({problem})",
    },
    "pbundle.stranger": {
        "zh": "{where}：明文记录涉及他人",
        "en": "{where}: a record in clear names another person",
    },
    "pbundle.inputs": {
        "zh": "本人的{what}与签名记录不符",
        "en": "the inmate's {what} differ from what the signed records give",
    },
    "pbundle.sources": {
        "zh": "合并人员 {member} {day} 的来源不是本包中的哈希记录",
        "en": "merged member {member} on {day}: its sources are not hashed records of the bundle",
    },
    "pbundle.others": {
        "zh": "情景中的合并人员数据与 others 段不符",
        "en": "the scenario's merged members differ from the others section",
    },
    "pbundle.result": {
        "zh": "按情景重新计算的结果与包中结果不符",
        "en": "the result recomputed from the scenario differs from the bundle's",
    },
    "pbundle.explanation": {
        "zh": "重新生成的计算说明与包中不符",
        "en": "the explanation generated again differs from the bundle's",
    },
    "pbundle.own_row": {
        "zh": "审批中的本人行与重新计算的月度结果不符",
        "en": "the inmate's row under the approval differs from the recomputed month",
    },
    "pbundle.approval": {
        "zh": "所列审批不是本包中中心签名的审批记录",
        "en": "an approval listed is not a hub-signed approval act of the bundle",
    },
    "pbundle.damaged": {"zh": "证据包已损坏：{error}", "en": "damaged bundle: {error}"},
    "pbundle.s.checkpoint": {
        "zh": "检查点：{hub}，记录数 {size}，根 {root}",
        "en": "checkpoint: {hub}, {size} leaves, root {root}",
    },
    "pbundle.s.records": {
        "zh": "本人签名记录 {own} 条（明文，已核验签名与包含证明）；"
        "他人记录 {hidden} 条仅以哈希出现（已核验包含证明）",
        "en": "{own} signed records of the inmate in clear (signatures and proofs checked); {hidden} other "
        "records as hashes only (proofs checked)",
    },
    "pbundle.s.ledger": {
        "zh": "中心台账条目 {clear} 条明文，{hidden} 条仅以哈希出现",
        "en": "{clear} hub ledger entries in clear, {hidden} as hashes only",
    },
    "pbundle.s.monthly": {
        "zh": "月度结果：考核日 {workdays}，完成定额日 {days_met}，完成率 {pct}%，"
        "基础分 {base}，劳动改造分 {labor}",
        "en": "month: workdays {workdays}, days met {days_met}, completion {pct}%, base {base}, "
        "labor {labor}",
    },
    "pbundle.s.approved": {
        "zh": "审批：{area} 已有 {count} 级审批（其签名行摘要不能在隐私版中对照全监区核验）",
        "en": "approvals: {area} has {count} approval(s) in force (their rows digest cannot be checked "
        "against the area's rows in a private bundle)",
    },
    "pbundle.s.not_approved": {"zh": "审批：{area} 本月尚未审批", "en": "approvals: {area} not approved"},
    "pbundle.s.limits": {
        "zh": "说明：同线人员的计件与出勤以合并数出现，由中心签名担保，本包无法逐条核对其来源记录的内容。",
        "en": "note: line-mates' counts and minutes appear as merged sums, vouched for by the hub's "
        "signature; this bundle cannot check them against their records' contents.",
    },
}

i18n.register(TEXTS)
