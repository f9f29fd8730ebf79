from peiyu.core.sections import Section


def monthly_section(who, month):
    return Section(
        key="tinyapp.section", title="小应用工作情况", order=150, paragraphs=[f"小应用报告：{month}"]
    )
