"""Texts of the ledger's and the Merkle log's refusals (keys `ledger.`, `proof.`, `checkpoint.`).

Registered by the modules that raise them (`register()` at their import); the English texts are the
messages the command line and `verify` have always printed.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    # hub.ledger.entries
    "ledger.not_v1": {"zh": "不是第 1 版台账条目", "en": "not a version 1 ledger entry"},
    "ledger.payload_not_object": {"zh": "payload：应为对象", "en": "payload: expected an object"},
    "ledger.unsignable": {"zh": "内容无法签名：{detail}", "en": "payload cannot be signed: {detail}"},
    "ledger.too_large": {
        "zh": "条目有 {size} 字节，上限为 {limit} 字节",
        "en": "entry is {size} bytes, the limit is {limit}",
    },
    "ledger.short_frame": {"zh": "数据帧比签名还短", "en": "frame is shorter than a signature"},
    "ledger.bad_entry": {"zh": "台账条目无效：{detail}", "en": "{detail}"},
    "ledger.bad_field": {"zh": "台账条目字段无效：{detail}", "en": "{detail}"},
    "ledger.append_race": {
        "zh": "无法写入台账：其他写入者一直抢先占用下一个序号",
        "en": "could not append to the ledger: other writers kept taking the next index",
    },
    # hub.ledger.merkle
    "proof.bad_hash": {
        "zh": "哈希值应为 64 位小写十六进制数字，收到 {got!r}",
        "en": "expected a hash as 64 lowercase hex digits, got {got!r}",
    },
    "proof.leaf_outside": {
        "zh": "叶 {index} 不在大小为 {size} 的树内",
        "en": "leaf {index} is outside a tree of {size}",
    },
    "proof.leaf_size": {"zh": "叶哈希必须为 32 字节", "en": "leaf hash must be 32 bytes"},
    "proof.path_element_size": {
        "zh": "路径中每个元素必须为 32 字节",
        "en": "every path element must be 32 bytes",
    },
    "proof.path_too_long": {"zh": "路径比树的高度还长", "en": "path is longer than the tree is high"},
    "proof.path_too_short": {"zh": "路径比树的高度短", "en": "path is shorter than the tree is high"},
    "proof.other_root": {"zh": "证明指向另一个根", "en": "the proof leads to a different root"},
    "proof.old_size_outside": {
        "zh": "旧大小 {old_size} 不在 0..{size} 之内",
        "en": "old size {old_size} is outside 0..{size}",
    },
    "proof.shrinks": {"zh": "日志从不缩小", "en": "a log never shrinks"},
    "proof.element_size": {
        "zh": "证明中每个元素必须为 32 字节",
        "en": "every proof element must be 32 bytes",
    },
    "proof.equal_sizes": {
        "zh": "大小相同时根必须相同且证明为空",
        "en": "equal sizes need equal roots and an empty proof",
    },
    "proof.empty_old_tree": {"zh": "旧树为空时证明必须为空", "en": "an empty old tree needs an empty proof"},
    "proof.empty": {"zh": "证明为空", "en": "empty proof"},
    "proof.too_long": {"zh": "证明比树的高度还长", "en": "proof is longer than the tree is high"},
    "proof.roots_not_joined": {"zh": "证明无法连接两个根", "en": "the proof does not join the two roots"},
    "proof.size_mismatch": {
        "zh": "证明针对大小为 {proof_size} 的树，检查点签署的是 {signed_size}",
        "en": "proof is for a tree of {proof_size}, the checkpoint signs {signed_size}",
    },
    # hub.ledger.checkpoints
    "checkpoint.not_a_proof": {"zh": "不是 FloorLedger 包含证明", "en": "not a FloorLedger inclusion proof"},
    "checkpoint.damaged_proof": {"zh": "包含证明已损坏：{detail}", "en": "damaged inclusion proof: {detail}"},
    "checkpoint.extend_race": {
        "zh": "无法扩展日志：其他写入者一直抢先占用后续的叶",
        "en": "could not extend the log: other writers kept taking the next leaves",
    },
    "checkpoint.not_yet": {
        "zh": "尚未包含在检查点中；请先生成检查点",
        "en": "not in a checkpoint yet; make a checkpoint first",
    },
}


# `floorledger verify`, the ledger section (`verify_entries`): each problem of a stored entry, with the
# entry's place; the English is what the command line has always printed.
_WHERE = {"zh": "台账条目（行号 {id}，第 {index} 条）：", "en": "ledger_entry id={id} index={index}: "}


def _at(zh: str, en: str) -> dict[str, str]:
    return {"zh": _WHERE["zh"] + zh, "en": _WHERE["en"] + en}


VERIFY_TEXTS: dict[str, dict[str, str]] = {
    "ledger.v.not_entry": _at(
        "保存的帧不是台账条目（{error}）", "stored frame is not a ledger entry ({error})"
    ),
    "ledger.v.signature": _at("枢纽签名核验失败", "hub signature does not verify"),
    "ledger.v.column": _at(
        "字段“{name}”为 {stored}，但签名条目为 {signed}",
        "column {name} is {stored} but the signed entry says {signed}",
    ),
    "ledger.v.index": _at(
        "此处应为第 {expected} 条，签名条目却是第 {signed} 条",
        "expected entry {expected} here, the signed entry is {signed}",
    ),
    "ledger.v.prev": _at(
        "没有以第 {previous} 条的哈希作为前一条",
        "does not name the hash of entry {previous} as its predecessor",
    ),
    # a ledger entry as other reports name it
    "ledger.v.entry": {"zh": "台账第 {index} 条", "en": "ledger entry {index}"},
    "ledger.v.act": {
        "zh": "台账第 {index} 条（{action}，操作人 {actor}）",
        "en": "ledger entry {index} ({action} by {actor})",
    },
}

# The columns of `ledger_entry` as reports name them (the English is the column's own name).
COLUMNS: dict[str, dict[str, str]] = {
    "ledger.col.index": {"zh": "序号", "en": "index"},
    "ledger.col.prev": {"zh": "前一条哈希", "en": "prev"},
    "ledger.col.hash": {"zh": "哈希", "en": "hash"},
    "ledger.col.actor": {"zh": "操作人", "en": "actor"},
    "ledger.col.action": {"zh": "操作", "en": "action"},
    "ledger.col.subject": {"zh": "对象", "en": "subject"},
    "ledger.col.payload": {"zh": "内容", "en": "payload"},
    "ledger.col.hub_ms": {"zh": "枢纽时间", "en": "hub_ms"},
}

# Every act the ledger records, as an officer reads it; the English is the action's code, which is what
# the command line and the ledger itself show.
ACTIONS: dict[str, str] = {
    "kiosk.enroll": "注册终端",
    "kiosk.bind": "终端绑定生产线",
    "kiosk.revoke": "吊销终端",
    "kiosk.rotate": "更换终端密钥",
    "record.correct": "更正记录",
    "day.approve": "审核日结果",
    "ruleset.change": "修改规则",
    "masterdata.change": "修改基础数据",
    "month.approve": "审批月考核",
    "month.reopen": "退回月考核",
    "month.adjust": "月考核加减分",
    "month.adjust_void": "撤销加减分",
    "month.publish": "月度考核公示",
    "month.review_answer": "答复复核申请",
    "week.signoff": "周评议签认",
    "week.publish": "周评议公示",
    "board.token_create": "创建看板令牌",
    "board.token_revoke": "吊销看板令牌",
    "audit.bundle": "生成证据包",
    "discrepancy.resolve": "处理差异",
    "dispute.answer": "答复申辩",
    "correction.propose": "提出更正",
    "user.unlock": "解锁账户",
    "area.add": "新增监区",
    "line.add": "新增生产线",
    "line.update": "修改生产线",
    "product.add": "新增产品",
    "standard_time.set": "设定标准工时",
    "step.add": "新增工序",
    "step.rename": "工序改名",
    "inmate.add": "新增罪犯",
    "inmate.quota_pct": "修改个人定额",
    "inmate.update": "修改罪犯信息",
    "officer.add": "新增民警",
    "officer.update": "修改民警信息",
    "badge.issue": "发放工牌",
    "badge.revoke": "吊销工牌",
    "assignment.add": "安排岗位",
    "assignment.end": "结束岗位",
    "workday.add": "增加工作日",
    "workday.remove": "取消工作日",
    "rule_set.add": "新增规则版本",
    "assignment.training": "设定培训期",
    "post.add": "新增无定额岗位",
    "post.update": "修改无定额岗位",
    "exemption.add": "登记免于考核",
    "exemption.end": "结束免于考核",
    "export.file": "导出考核文件",
    "export.push": "推送考核文件",
    "export.token_create": "生成接口令牌",
    "export.token_revoke": "吊销接口令牌",
    "user.add": "新建用户",
    "user.update": "修改用户",
    "user.password": "重设密码",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "grade.set": "评定岗位等级",
    "reject.add": "登记次品",
    "deduction.propose": "提出扣分",
    "deduction.confirm": "确认扣分",
    "reject.withdraw": "撤回次品登记",
    "deduction.withdraw": "撤回扣分",
    "report.issue": "出具劳动改造考核报告",
    "capture.refused": "未采用终端评级或次品",
    "suggest_settings.add": "新增建议阈值版本",
    "action.record": "登记调岗或培训措施",
}


def action_label(action: str) -> i18n.Label:
    """An act's name in the reader's language (its code in English)."""
    return i18n.Label("act", action)


def register() -> None:
    i18n.register(TEXTS)
    i18n.register(VERIFY_TEXTS)
    i18n.register(COLUMNS)
    i18n.register({f"act.{code}": {"zh": zh, "en": code} for code, zh in ACTIONS.items()})
