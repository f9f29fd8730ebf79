"""Audited actions of registry (企业名录): constant ``app.object.verb`` names with Chinese labels.

Discovered by :mod:`peiyu.accounts.audit`; record with ``audit.record(acting_user, ACTION, obj, …)``.
"""

from peiyu.accounts.audit import Action

DEFINITION_SAVE = Action("registry.definition.save", "保存重点产业口径")
OVERRIDE_INCLUDE = Action("registry.override.include", "手工纳入重点产业")
OVERRIDE_EXCLUDE = Action("registry.override.exclude", "手工剔除出重点产业")
OVERRIDE_REVOKE = Action("registry.override.revoke", "撤销手工认定")
KEY_FLAG = Action("registry.enterprise.key_flag", "设置重点企业标记", legacy=("registry.key_flag",))
ENTERPRISE_UPDATE = Action("registry.enterprise.update", "修改企业信息")
INDUSTRY_CREATE = Action("registry.industry.create", "新建重点产业")
INDUSTRY_ACTIVE = Action(
    "registry.industry.set_active", "启用或停用重点产业", legacy=("registry.industry.active",)
)
ENTERPRISES_IMPORT = Action("registry.enterprises.import", "导入企业名录", legacy=("registry.import",))
IMPORT_ERRORS_VIEW = Action(
    "registry.import_errors.view", "查看名录导入错误表", legacy=("registry.import.errors",)
)
ENTERPRISES_EXPORT = Action("registry.enterprises.export", "导出企业名录", legacy=("registry.export",))
PROFILE_VIEW = Action("registry.profile.view", "查看一企一档", legacy=("registry.profile",))
RECLASSIFY = Action("registry.enterprises.reclassify", "重新认定重点产业", legacy=("registry.reclassify",))

OVERRIDE = {"include": OVERRIDE_INCLUDE, "exclude": OVERRIDE_EXCLUDE}
