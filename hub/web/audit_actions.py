"""The ledger's action codes as officers read them (`kiosk.enroll` is 登记终端), Simplified Chinese
first. The code stays in the ledger and in exports; pages show the label, and an action without a
label (a newer hub's) is shown as its code rather than hidden."""

from __future__ import annotations

from floorledger.base import i18n

ACTIONS: dict[str, tuple[str, str]] = {
    # kiosks and screens
    "kiosk.enroll": ("登记终端", "Kiosk enrolled"),
    "kiosk.bind": ("终端绑定产线", "Kiosk bound to a line"),
    "kiosk.revoke": ("吊销终端", "Kiosk revoked"),
    "kiosk.rotate": ("更换终端密钥", "Kiosk key rotated"),
    "board.token_create": ("生成看板令牌", "Board token created"),
    "board.token_revoke": ("吊销看板令牌", "Board token revoked"),
    # master data
    "area.add": ("新增监区", "Area added"),
    "line.add": ("新增产线", "Line added"),
    "line.update": ("修改产线", "Line changed"),
    "product.add": ("新增产品", "Product added"),
    "step.add": ("新增工序", "Step added"),
    "step.rename": ("工序改名", "Step renamed"),
    "standard_time.set": ("设定标准工时", "Standard time set"),
    "inmate.add": ("新增罪犯", "Inmate added"),
    "inmate.update": ("修改罪犯信息", "Inmate changed"),
    "inmate.quota_pct": ("调整定额比例", "Quota share changed"),
    "officer.add": ("新增民警", "Officer added"),
    "officer.update": ("修改民警信息", "Officer changed"),
    "badge.issue": ("发放胸卡", "Badge issued"),
    "badge.revoke": ("收回胸卡", "Badge revoked"),
    "assignment.add": ("安排岗位", "Posted to a step"),
    "assignment.end": ("结束岗位", "Posting ended"),
    "assignment.training": ("设定培训期", "Training flag set"),
    "post.add": ("新增无定额岗位", "Post added"),
    "post.update": ("修改无定额岗位", "Post changed"),
    "exemption.add": ("登记免于考核", "Labor exemption entered"),
    "exemption.end": ("结束免于考核", "Labor exemption ended"),
    "workday.add": ("设为工作日", "Workday added"),
    "workday.remove": ("取消工作日", "Workday removed"),
    "rule_set.add": ("新增规则版本", "Rule set version added"),
    # the day's review
    "record.correct": ("更正记录", "Record corrected"),
    "correction.propose": ("提出更正", "Correction proposed"),
    "dispute.answer": ("答复申辩", "Dispute answered"),
    "discrepancy.resolve": ("处理差异", "Discrepancy resolved"),
    # weeks, months, exports
    "week.signoff": ("周评议签认", "Week signed off"),
    "week.publish": ("周评议公示", "Week published"),
    "month.adjust": ("加扣分", "Points adjusted"),
    "month.adjust_void": ("撤销加扣分", "Adjustment voided"),
    "month.approve": ("月考核审批", "Month approved"),
    "month.reopen": ("重新开放月份", "Month reopened"),
    "export.file": ("导出考核文件", "Export file written"),
    "export.token_create": ("生成接口令牌", "Export token created"),
    "export.token_revoke": ("吊销接口令牌", "Export token revoked"),
    # accounts
    "user.add": ("新建用户", "User added"),
    "user.update": ("修改用户", "User changed"),
    "user.password": ("重设密码", "Password set"),
    "user.unlock": ("解锁用户", "User unlocked"),
    "user.disable": ("停用用户", "User disabled"),
    "user.enable": ("启用用户", "User enabled"),
}


def register() -> None:
    i18n.register({f"audit.action.{code}": {"zh": zh, "en": en} for code, (zh, en) in ACTIONS.items()})


def action_label(code: str, lang: str) -> str:
    """The action's label in `lang`; the code itself when it has no label."""
    key = f"audit.action.{code}"
    known = i18n.keys()
    return i18n.t(key, lang) if key in known else code
