"""Audited actions of targets (目标考核): constant ``app.object.verb`` names with Chinese labels.

Discovered by :mod:`peiyu.accounts.audit`; record with ``audit.record(acting_user, ACTION, obj, …)``.
"""

from peiyu.accounts.audit import Action

TARGET_CREATE = Action("targets.target.create", "新建目标", legacy=("target_create",))
TARGET_UPDATE = Action("targets.target.update", "修改目标", legacy=("target_update",))
TARGET_DELETE = Action("targets.target.delete", "删除目标", legacy=("target_delete",))
TARGET_REPORT = Action("targets.target.report", "报送目标完成值", legacy=("target_report",))
SETTINGS_UPDATE = Action("targets.settings.update", "修改目标进度阈值", legacy=("target_settings",))
ATTACHMENT_VIEW = Action("targets.attachment.view", "下载目标报送附件", legacy=("target_attachment_view",))
TARGETS_IMPORT = Action("targets.targets.import", "导入目标责任表", legacy=("targets_import",))
BOARD_EXPORT = Action("targets.board.export", "导出目标看板", legacy=("targets_export",))
PLAN_CREATE = Action("targets.plan.create", "新建五年规划", legacy=("plan_create",))
PLAN_LINE_CREATE = Action("targets.plan_line.create", "设置规划产业目标", legacy=("plan_line_create",))
PLAN_LINE_UPDATE = Action("targets.plan_line.update", "修改规划产业目标", legacy=("plan_line_update",))
