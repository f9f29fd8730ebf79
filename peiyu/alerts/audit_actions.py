"""Audited actions of alerts (重点企业预警): constant ``app.object.verb`` names with Chinese labels.

Discovered by :mod:`peiyu.accounts.audit`; record with ``audit.record(acting_user, ACTION, obj, …)``.
"""

from peiyu.accounts.audit import Action

WARNINGS_LIST_CLI = Action("alerts.warnings.list_cli", "命令行列出预警", legacy=("warnings_list_cli",))
RULES_EVALUATE = Action("alerts.rules.evaluate", "评估预警规则", legacy=("warnings_evaluate",))
WARNING_ACKNOWLEDGE = Action("alerts.warning.acknowledge", "确认预警", legacy=("warning_acknowledge",))
WARNING_FOLLOWUP = Action("alerts.warning.follow_up", "记录预警跟进", legacy=("warning_followup",))
WARNING_RESOLVE = Action("alerts.warning.resolve", "预警办结", legacy=("warning_resolve",))
WARNING_DISMISS = Action("alerts.warning.dismiss", "排除预警", legacy=("warning_dismiss",))
WARNING_REASSIGN = Action("alerts.warning.reassign", "转交预警", legacy=("warning_reassign",))
SETTINGS_UPDATE = Action("alerts.settings.update", "修改预警规则设置", legacy=("alert_settings_update",))
KEY_ADD = Action("alerts.key_enterprise.add", "手工纳入重点企业", legacy=("key_enterprise_add",))
KEY_REMOVE = Action("alerts.key_enterprise.remove", "手工移出重点企业", legacy=("key_enterprise_remove",))
KEY_REVOKE = Action("alerts.key_enterprise.revoke", "撤销重点企业调整", legacy=("key_enterprise_revoke",))
WARNINGS_COMPUTE = Action("alerts.warnings.compute", "计算预警", legacy=("warnings_compute",))
WARNINGS_API = Action("alerts.warnings.api", "接口读取预警列表", legacy=("api_warnings",))
WARNING_API = Action("alerts.warning.api", "接口读取单条预警", legacy=("api_warning",))
KEY_ENTERPRISES_API = Action(
    "alerts.key_enterprises.api", "接口读取重点企业", legacy=("api_key_enterprises",)
)
PROFILE_VIEW = Action("alerts.warnings.profile", "一企一档中查看预警", legacy=("warnings_profile",))
WARNINGS_EXPORT = Action("alerts.warnings.export", "导出预警", legacy=("warnings_export",))
INBOX_VIEW = Action("alerts.inbox.view", "查看我的预警待办", legacy=("warnings_inbox",))
WARNINGS_VIEW = Action("alerts.warnings.view", "查看预警列表", legacy=("warnings_list",))
WARNING_VIEW = Action("alerts.warning.view", "查看预警详情", legacy=("warning_view",))
KEY_ENTERPRISES_VIEW = Action(
    "alerts.key_enterprises.view", "查看重点企业名单", legacy=("key_enterprises_view",)
)
KEY_ENTERPRISES_EXPORT = Action(
    "alerts.key_enterprises.export", "导出重点企业名单", legacy=("key_enterprises_export",)
)

KEY_OVERRIDE = {"add": KEY_ADD, "remove": KEY_REMOVE}
