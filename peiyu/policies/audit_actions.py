"""Audited actions of the policy system (产业政策): constant ``app.object.verb`` names with Chinese labels."""

from peiyu.accounts.audit import Action

POLICY_SAVE = Action("policies.policy.save", "保存产业政策")
CLAUSE_SAVE = Action("policies.clause.save", "保存政策条款")
AWARD_APPLY = Action("policies.award.apply", "登记政策兑现申请")
AWARD_LIST = Action("policies.award.list_eligible", "生成免申即享名单")
AWARD_CONFIRM = Action("policies.award.confirm", "企业确认免申即享")
AWARD_PUBLICITY = Action("policies.award.publicity", "政策兑现公示")
AWARD_APPROVE = Action("policies.award.approve", "公示无异议、批准兑现")
AWARD_PAY = Action("policies.award.pay", "政策资金拨付")
AWARD_REJECT = Action("policies.award.reject", "政策兑现不予支持")
AWARD_DECLINE = Action("policies.award.decline", "企业放弃兑现")
LEDGER_IMPORT = Action("policies.ledger.import", "导入政策兑现台账")
CONDITIONS_CHECK = Action("policies.conditions.check", "检查兑现承诺条件")
BREACH_RECOVER = Action("policies.breach.recover", "启动违约资金追回")
BREACH_RECOVERED = Action("policies.breach.recovered", "违约资金已追回")
BREACH_WAIVE = Action("policies.breach.waive", "违约免于追回")
EVALUATION_VIEW = Action("policies.evaluation.view", "查看政策绩效评估")
EVALUATION_EXPORT = Action("policies.evaluation.export", "导出政策绩效评估")
EVALUATION_CLI = Action("policies.evaluation.cli", "命令行政策绩效评估")
ELIGIBLE_VIEW = Action("policies.eligible.view", "查看符合条件企业名单")
GAP_VIEW = Action("policies.gap.view", "查看政策未覆盖企业")
AWARDS_EXPORT = Action("policies.awards.export", "导出政策兑现台账")
PROFILE_VIEW = Action("policies.awards.profile", "一企一档中查看政策兑现")
AWARDS_API = Action("policies.awards.api", "接口读取政策兑现")

DETAIL_LABELS = {
    "year": "年度",
    "listed": "列入名单",
    "breaches": "新发现违约",
    "month": "月份",
    "amount_fen": "金额（分）",
    "recover_fen": "应追回（分）",
}
