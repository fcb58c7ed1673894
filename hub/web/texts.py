"""Every dashboard and wall-board text, registered once in the shared translation table.

Keys start with `web.` (dashboard) or `board.` (wall board) so they never collide with the kiosk's.
Simplified Chinese is the default; English is there for visitors and for tests.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    # --- wall board
    "board.title_line": {"zh": "{area} · {line}", "en": "{area} · {line}"},
    "board.daily": {"zh": "日记载", "en": "Daily record"},
    "board.day": {"zh": "{day} 记录", "en": "Records of {day}"},
    "board.updated": {"zh": "更新于 {time}", "en": "Updated {time}"},
    "board.live": {"zh": "● 实时", "en": "● Live"},
    "board.stale": {"zh": "数据未更新", "en": "Data not updated"},
    "board.page": {"zh": "第 {page}/{pages} 页", "en": "Page {page}/{pages}"},
    "board.fingerprint": {"zh": "今日数据指纹 {fp}", "en": "Data fingerprint {fp}"},
    "board.today": {"zh": "今日进度", "en": "Today"},
    "board.today_line": {"zh": "{line} {done}/{quota}", "en": "{line} {done}/{quota}"},
    "board.col.number": {"zh": "编号", "en": "No."},
    "board.col.name": {"zh": "姓名", "en": "Name"},
    "board.col.step": {"zh": "工序", "en": "Step"},
    "board.col.quota": {"zh": "定额", "en": "Quota"},
    "board.col.done": {"zh": "完成", "en": "Done"},
    "board.col.diff": {"zh": "超/欠", "en": "+/-"},
    "board.col.pct": {"zh": "完成率", "en": "Done %"},
    "board.col.month": {"zh": "本月", "en": "Month"},
    "board.col.status": {"zh": "状态", "en": "Status"},
    "board.status.met": {"zh": "✓ 完成", "en": "✓ Met"},
    "board.status.near": {"zh": "≈ 接近", "en": "≈ Near"},
    "board.status.behind": {"zh": "✗ 欠额", "en": "✗ Owed"},
    "board.status.unknown": {"zh": "—", "en": "—"},
    "board.empty": {"zh": "暂无记录", "en": "No records"},
    "board.published": {
        "zh": "周评议公示 · {week} · 公示至 {until}",
        "en": "Weekly review {week} · until {until}",
    },
    "board.col.days": {"zh": "天数", "en": "Days"},
    "board.col.quota_hours": {"zh": "定额工时", "en": "Quota h"},
    "board.col.earned_hours": {"zh": "完成工时", "en": "Earned h"},
    "board.refused.title": {
        "zh": "此看板链接无效或已撤销",
        "en": "This board link is not valid or was revoked",
    },
    "board.refused.text": {
        "zh": "请管理员在仪表板「终端与屏幕」页的「看板令牌」中为这块屏幕生成新的看板地址,"
        "再在这块屏幕的浏览器中打开。",
        "en": "Ask an administrator to create a new board address for this screen under Board tokens "
        "on the dashboard's Kiosks & screens page, then open it in this screen's browser.",
    },
    # --- login and frame
    "web.site": {"zh": "劳动改造记录系统", "en": "FloorLedger"},
    "web.login.title": {"zh": "登录", "en": "Sign in"},
    "web.login.username": {"zh": "用户名", "en": "Username"},
    "web.login.password": {"zh": "密码", "en": "Password"},
    "web.login.submit": {"zh": "登录", "en": "Sign in"},
    "web.login.wrong": {"zh": "用户名或密码错误", "en": "Wrong username or password"},
    "web.login.locked": {
        "zh": "账户已锁定,请稍后再试或联系管理员",
        "en": "Account locked; try later or ask an administrator",
    },
    "web.login.expired": {"zh": "长时间未操作,已退出登录", "en": "Signed out after inactivity"},
    "web.logout": {"zh": "退出", "en": "Sign out"},
    "web.refused": {"zh": "无权访问", "en": "Not permitted"},
    "web.refused.detail": {
        "zh": "您的账户无权查看此页面或执行此操作。",
        "en": "Your account may not open this page or do this.",
    },
    "web.role.line_officer": {"zh": "分监区民警", "en": "Line officer"},
    "web.role.area_head": {"zh": "监区长", "en": "Area head"},
    "web.role.labor_section": {"zh": "劳动改造科", "en": "Labor section"},
    "web.role.admin": {"zh": "系统管理员", "en": "Administrator"},
    "web.nav.floor": {"zh": "现场", "en": "Live floor"},
    "web.nav.kiosks": {"zh": "终端与屏幕", "en": "Kiosks & screens"},
    "web.nav.users": {"zh": "用户", "en": "Users"},
    "web.lang": {"zh": "English", "en": "中文"},
    "web.not_found": {"zh": "未找到", "en": "Not found"},
    # --- live floor
    "web.floor.title": {"zh": "现场", "en": "Live floor"},
    "web.floor.all_areas": {"zh": "全部监区", "en": "All areas"},
    "web.floor.kiosks": {"zh": "终端", "en": "Kiosks"},
    "web.floor.kiosk": {"zh": "终端", "en": "Kiosk"},
    "web.floor.line": {"zh": "生产线", "en": "Line"},
    "web.floor.online": {"zh": "在线", "en": "Online"},
    "web.floor.offline": {"zh": "离线", "en": "Offline"},
    "web.floor.last_seen": {"zh": "最后联系", "en": "Last seen"},
    "web.floor.waiting": {"zh": "待上传", "en": "Waiting"},
    "web.floor.offset": {"zh": "时钟偏差", "en": "Clock offset"},
    "web.floor.today": {"zh": "今日", "en": "Today"},
    "web.floor.checkins": {"zh": "签到人数", "en": "Checked in"},
    "web.floor.counts": {"zh": "报数合计", "en": "Units counted"},
    "web.floor.quarantine": {"zh": "被拒消息", "en": "Quarantined messages"},
    "web.floor.reason": {"zh": "原因", "en": "Reason"},
    "web.floor.detail": {"zh": "说明", "en": "Detail"},
    "web.floor.time": {"zh": "时间", "en": "Time"},
    "web.floor.none": {"zh": "无", "en": "None"},
    # --- kiosks & screens
    "web.kiosks.title": {"zh": "终端与屏幕", "en": "Kiosks & screens"},
    "web.kiosks.enroll": {"zh": "登记终端", "en": "Enroll a kiosk"},
    "web.kiosks.code": {
        "zh": "终端编号与指纹,或粘贴二维码内容",
        "en": "Kiosk id and fingerprint, or paste the QR text",
    },
    "web.kiosks.kiosk_id": {"zh": "终端编号", "en": "Kiosk id"},
    "web.kiosks.fingerprint": {"zh": "公钥指纹", "en": "Key fingerprint"},
    "web.kiosks.enroll_button": {"zh": "登记", "en": "Enroll"},
    "web.kiosks.enrolled": {"zh": "已登记终端 {kiosk}", "en": "Kiosk {kiosk} enrolled"},
    "web.kiosks.revoke": {"zh": "吊销", "en": "Revoke"},
    "web.kiosks.bind": {"zh": "绑定生产线", "en": "Bind to line"},
    # --- users
    "web.users.title": {"zh": "用户", "en": "Users"},
    "web.users.username": {"zh": "用户名", "en": "Username"},
    "web.users.name": {"zh": "姓名", "en": "Name"},
    "web.users.role": {"zh": "角色", "en": "Role"},
    "web.users.scope": {"zh": "范围", "en": "Scope"},
    "web.users.state": {"zh": "状态", "en": "State"},
    "web.users.locked": {"zh": "已锁定", "en": "Locked"},
    "web.users.ok": {"zh": "正常", "en": "OK"},
    "web.users.all": {"zh": "全部", "en": "All"},
    "web.users.unlock": {"zh": "解锁", "en": "Unlock"},
    "web.users.unlocked": {"zh": "已解锁 {user}", "en": "{user} unlocked"},
    "web.users.hint": {
        "zh": "新建用户:floorledger users add --role ...",
        "en": "New accounts: floorledger users add --role ...",
    },
    "web.kiosks.revoked": {"zh": "已吊销", "en": "Revoked"},
    "web.kiosks.status": {"zh": "状态", "en": "Status"},
    "web.kiosks.pending": {"zh": "待登记终端", "en": "Kiosks waiting to be enrolled"},
    "web.kiosks.unavailable": {"zh": "终端登记功能未启用", "en": "Kiosk enrollment is not available"},
    "web.boards.title": {"zh": "看板令牌", "en": "Board tokens"},
    "web.boards.target": {"zh": "生产线或监区", "en": "Line or area"},
    "web.boards.label": {"zh": "屏幕名称", "en": "Screen name"},
    "web.boards.create": {"zh": "生成令牌", "en": "Create token"},
    "web.boards.created": {
        "zh": "看板地址(只显示一次):{url}",
        "en": "Board address (shown once): {url}",
    },
    "web.boards.revoke": {"zh": "吊销", "en": "Revoke"},
    "web.boards.active": {"zh": "有效", "en": "Active"},
    "web.error.required": {"zh": "请填写{field}", "en": "{field} is required"},
    "web.error.too_long": {"zh": "{field}过长", "en": "{field} is too long"},
    "web.error.unknown_target": {"zh": "没有这个生产线或监区", "en": "No such line or area"},
    "web.done": {"zh": "已完成", "en": "Done"},
}

i18n.register(TEXTS)


def t(key: str, lang: str = i18n.DEFAULT_LANGUAGE, /, **values: object) -> str:
    return i18n.t(key, lang, **values)
