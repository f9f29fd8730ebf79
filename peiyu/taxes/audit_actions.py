"""Audited actions of taxes (产业税收): constant ``app.object.verb`` names with Chinese labels.

Discovered by :mod:`peiyu.accounts.audit`; record with ``audit.record(acting_user, ACTION, obj, …)``.
"""

from peiyu.accounts.audit import Action

IMPORT_ACCEPT = Action("taxes.import.accept", "导入税收文件（入库）", legacy=("tax.import",))
IMPORT_REJECT = Action("taxes.import.reject", "税收文件被拒绝", legacy=("tax.import.rejected",))
IMPORT_DUPLICATE = Action("taxes.import.duplicate", "重复上传税收文件", legacy=("tax.import.duplicate",))
VERSION_ROLLBACK = Action("taxes.version.rollback", "回滚税收库版本", legacy=("tax.version.rollback",))
TAXPAYER_LINK = Action("taxes.taxpayer.link", "匹配纳税人到企业", legacy=("tax.taxpayer.link",))
TAXPAYER_OUTSIDE = Action("taxes.taxpayer.mark_outside", "标记为区外纳税人", legacy=("tax.taxpayer.outside",))
TAXPAYER_RESET = Action("taxes.taxpayer.reset", "纳税人退回待匹配", legacy=("tax.taxpayer.reset",))
RATIO_SAVE = Action("taxes.ratio.save", "保存分成比例", legacy=("tax.ratio.save",))
RATIO_DELETE = Action("taxes.ratio.delete", "删除分成比例", legacy=("tax.ratio.delete",))
IMPORT_REPORT_VIEW = Action(
    "taxes.import_report.view", "查看税收导入报告", legacy=("tax.view.import_report",)
)
UNMATCHED_VIEW = Action("taxes.unmatched.view", "查看待匹配纳税人", legacy=("tax.view.unmatched",))
VERSIONS_COMPARE = Action("taxes.versions.compare", "比较税收库版本", legacy=("tax.view.version_compare",))
INDUSTRY_VIEW = Action("taxes.industry.view", "查看产业税收", legacy=("view_tax_industry",))
AREA_VIEW = Action("taxes.area.view", "查看街道镇税收", legacy=("view_tax_area",))
ENTERPRISES_VIEW = Action("taxes.enterprises.view", "查看企业税收明细", legacy=("view_tax_enterprises",))
ENTERPRISES_EXPORT = Action(
    "taxes.enterprises.export", "导出企业税收明细", legacy=("export_tax_enterprises",)
)
DECOMPOSITION_VIEW = Action("taxes.decomposition.view", "查看增长分解", legacy=("view_tax_decomposition",))
TOP_VIEW = Action("taxes.top.view", "查看重点税源排名", legacy=("view_tax_top",))
ENTERPRISE_EXPORT = Action("taxes.enterprise.export", "导出单户企业税收", legacy=("export_enterprise_tax",))
ENTERPRISE_VIEW = Action("taxes.enterprise.view", "查看单户企业税收", legacy=("view_enterprise_tax",))
ENTERPRISES_API = Action("taxes.enterprises.api", "接口读取企业税收", legacy=("api_tax_enterprises",))
IMPORT_HOLD = Action("taxes.import.hold", "税收文件待确认")
IMPORT_CONFIRM = Action("taxes.import.confirm", "确认待确认的税收文件")
VERSION_WITHDRAW = Action("taxes.version.withdraw", "撤回税收库版本")
HEADING_ADD = Action("taxes.heading.add", "增加税收表头用语")
HEADING_REMOVE = Action("taxes.heading.remove", "删除税收表头用语")
