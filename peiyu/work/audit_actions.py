"""Audited actions of the work app (督办与待办): constant ``app.object.verb`` names with Chinese labels.

Discovered by :mod:`peiyu.accounts.audit`; record with ``audit.record(acting_user, ACTION, obj, …)``.
"""

from peiyu.accounts.audit import Action

ITEM_OPEN = Action("work.item.open", "督办事项立项")
ITEM_TRANSITION = Action("work.item.transition", "督办事项状态变更")
ITEM_NOTE = Action("work.item.note", "督办事项跟进记录")
ITEM_REASSIGN = Action("work.item.reassign", "督办事项转派")
ITEM_DUE = Action("work.item.due", "督办事项期限调整")
ITEMS_REMIND = Action("work.items.remind", "到期提醒与超期督办")
ITEMS_DEMO = Action("work.items.demo", "生成演示督办事项")
ATTACHMENT_VIEW = Action("work.attachment.view", "下载督办附件")
CALENDAR_DAY = Action("work.calendar.day", "修改工作日历")
CALENDAR_IMPORT = Action("work.calendar.import", "导入工作日历")
CALENDAR_SEED = Action("work.calendar.seed", "按程序包载入工作日历")
UNIT_LEADER = Action("work.unit.leader", "设置单位负责人")
SCHEDULE_UPDATE = Action("work.schedule.update", "修改定时任务")
JOB_START = Action("work.job.start", "启动后台任务")
INBOX_EXPORT = Action("work.inbox.export", "导出我的待办")
BULLETIN_VIEW = Action("work.bulletin.view", "查看督办通报")
