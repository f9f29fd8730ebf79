"""Audited actions of the reports app (分析报告与驾驶舱)."""

from peiyu.accounts.audit import Action

REPORT_GENERATE = Action("reports.report.generate", "生成月度分析报告")
REPORT_EDIT = Action("reports.report.edit", "修改报告问题与建议")
REPORT_DOWNLOAD = Action("reports.report.download", "下载分析报告")
REPORT_VIEW = Action("reports.report.view", "查看分析报告")
COCKPIT_VIEW = Action("reports.cockpit.view", "查看领导驾驶舱")
