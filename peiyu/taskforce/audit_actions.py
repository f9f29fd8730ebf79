"""Audited actions of the task-force app (产业专班)."""

from peiyu.accounts.audit import Action

TASKFORCE_SAVE = Action("taskforce.taskforce.save", "保存产业专班")
REPORTS_ISSUE = Action("taskforce.reports.issue", "下发信息报送")
REPORT_SUBMIT = Action("taskforce.report.submit", "报送专班信息")
TEMPLATE_SAVE = Action("taskforce.template.save", "保存信息报送模板")
LIAISON_ASSIGN = Action("taskforce.liaison.assign", "指定企业联络员")
LIAISON_BULK = Action("taskforce.liaison.bulk_assign", "按规则批量指定联络员")
LIAISON_IMPORT = Action("taskforce.liaison.import", "导入企业联络员")
CONTACT_LOG = Action("taskforce.contact.log", "记录企业联络")
MEASURES_IMPORT = Action("taskforce.measures.import", "导入营商环境措施")
MEASURE_PROGRESS = Action("taskforce.measure.progress", "报告措施进展")
PUBLICITY_SAVE = Action("taskforce.publicity.save", "登记宣传推介活动")
HOME_VIEW = Action("taskforce.home.view", "查看专班首页（企业税收）")
BULLETIN_EXPORT = Action("taskforce.bulletin.export", "导出督办通报")

DETAIL_LABELS = {
    "period": "期次",
    "assigned": "已指定",
    "skipped": "跳过",
    "rule": "规则",
    "measure": "措施",
    "taskforce": "专班",
}
