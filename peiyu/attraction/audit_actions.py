"""Audited actions of the attraction app (招商引资)."""

from peiyu.accounts.audit import Action

PROJECT_CREATE = Action("attraction.project.create", "新建招商项目")
PROJECT_UPDATE = Action("attraction.project.update", "修改招商项目")
PROJECT_STAGE = Action("attraction.project.stage", "变更招商项目阶段")
PROJECT_STATUS = Action("attraction.project.status", "变更招商项目状态")
PROJECT_LAND = Action("attraction.project.land", "投促办确认注册落地")
PROJECT_TAX = Action("attraction.project.tax", "税收库确认纳税（自动）")
PROJECT_FOLLOWUP = Action("attraction.project.follow_up", "记录项目跟进")
DUPLICATE_SETTLE = Action("attraction.duplicate.settle", "认定重复申报项目的计入小组")
TEAM_SAVE = Action("attraction.team.save", "保存招商小组")
FUND_SAVE = Action("attraction.fund.save", "保存基金")
ANCHOR_SAVE = Action("attraction.anchor.save", "保存链主企业")
EVENT_SAVE = Action("attraction.event.save", "保存区域合作活动")
PROJECTS_IMPORT = Action("attraction.projects.import", "导入招商项目台账")
PROJECTS_EXPORT = Action("attraction.projects.export", "导出招商项目")
PROJECTS_CLI = Action("attraction.projects.cli", "命令行读取招商项目")
TAX_VIEW = Action("attraction.tax.view", "查看落地项目税收")
WARNINGS_CHECK = Action("attraction.warnings.check", "检查签约未落地、落地未纳税项目")
DISPATCH_PACK = Action("attraction.dispatch.pack", "生成招商引资调度会材料")
