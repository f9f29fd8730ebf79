"""Audited actions of the meetings core (会议与纪要)."""

from peiyu.accounts.audit import Action

MEETING_SCHEDULE = Action("meetings.meeting.schedule", "安排会议")
MEETING_UPDATE = Action("meetings.meeting.update", "修改会议安排")
MEETING_CANCEL = Action("meetings.meeting.cancel", "取消会议")
PACK_PREPARE = Action("meetings.pack.prepare", "生成会议材料")
MINUTES_RECORD = Action("meetings.minutes.record", "记录会议纪要")
DECISION_ADD = Action("meetings.decision.add", "形成会议议定事项")
PACK_EXPORT = Action("meetings.pack.export", "导出会议材料")

DETAIL_LABELS = {
    "kind": "会议类型",
    "date": "日期",
    "sections": "材料章节",
    "item": "督办事项",
    "format": "格式",
}
