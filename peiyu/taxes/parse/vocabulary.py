"""The words of real tax-bureau exports: column headings and their synonyms, tax types and fees,
total / subtotal / note markers, units. Data, not logic: extend a set here to read a new heading."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

ID_SYNONYMS = {
    "纳税人识别号", "统一社会信用代码", "社会信用代码", "信用代码", "税号", "纳税识别号", "识别号",
    "纳税人识别号或统一社会信用代码", "纳税人识别号统一社会信用代码", "统一社会信用代码纳税人识别号",
    "社会统一信用代码", "纳税人代码", "企业税号", "纳税人识别码", "税务登记号", "税务登记证号", "纳税人编码",
    "登记号", "税务登记代码",
    # pinyin initials of tax-coordination tables (纳税人识别号, 社会信用代码)
    "NSRSBH", "SHXYDM", "TYSHXYDM", "NSRDM",
}  # fmt: skip
NAME_SYNONYMS = {
    "纳税人名称",
    "企业名称",
    "单位名称",
    "纳税人",
    "名称",
    "企业",
    "纳税户名称",
    "户名",
    "纳税人中文名称",
    "缴费人名称",
    "NSRMC",
    "QYMC",
    "DWMC",
}
LEVEL_COLUMN_SYNONYMS = {
    "预算级次",
    "级次",
    "预算级别",
    "收入级次",
    "分成级次",
    "级次名称",
    "预算级次名称",
    "收入归属级次",
    "YSJC",
}
TAX_TYPE_SYNONYMS = {
    "征收项目",
    "税种",
    "税种名称",
    "征收项目名称",
    "项目名称",
    "税费种",
    "ZSXM",
    "ZSXMMC",
    "SZ",
}
DATE_SYNONYMS = {
    "入库日期", "入库时间", "入库期", "入库年月", "入库月份", "缴款日期", "缴款时间", "实缴日期", "缴税日期",
    "入库日", "上解日期", "开票日期", "退库日期", "统计月份", "年月", "入库年度月份", "RKRQ", "RKSJ", "JKRQ",
}  # fmt: skip
TOTAL_SYNONYMS = {
    "实缴金额", "实缴税额", "实缴税款", "入库金额", "入库税额", "入库税款", "税额", "金额", "实缴退金额",
    "实缴退税额", "实缴金额含退税", "实征金额", "实征税额", "税款", "税收合计", "合计", "税收收入", "税收总计",
    "全口径税收", "税收总额", "税收合计金额", "总计", "税款合计", "税费合计", "全口径税收收入", "税收收入合计",
    "实缴合计", "入库合计", "全口径", "本月", "本期", "本月数", "本期数", "本月入库", "当月", "实缴", "小计",
    "本月实缴", "本期实缴", "当月实缴", "本期入库", "实缴税费", "实缴税费额", "实缴金额合计", "入库税收", "税收金额",
    "合计税额", "税费金额", "实缴税额合计", "SJJE", "RKJE", "SJSE", "实缴(退)金额", "实缴退税金额",
}  # fmt: skip
# A total used only when the file has no other: 金三 payment history's 应补(退)税额 (brackets dropped).
FALLBACK_TOTAL_SYNONYMS = {"应补退税额", "应补税额", "本期应补退税额", "本期应补税额", "YBTSE"}
LEVEL_SYNONYMS = {
    "district": {"区级", "区级收入", "区级税收", "区级合计", "区级收入合计", "区县级合计", "区级入库", "区级实缴", "区县级", "区县级收入", "区级留成",
                 "区库", "区级金额", "区级部分", "归属区级", "区级税收收入", "区级财力", "区县级税收",
                 "区级分成", "区县级分成", "区级分成收入", "区县级收入合计", "区级分成金额", "QXJ", "QJ", "QJSR"},
    "city": {"市级", "市级收入", "市级税收", "市级部分", "市级金额", "市级分成", "SJ"},
    "central": {"中央级", "中央", "中央级收入", "中央税收", "中央部分", "中央级金额", "中央收入"},
    "local": {"地方级", "地方", "地方级收入", "地方合计", "地方税收", "地方级税收"},
}  # fmt: skip
# Columns never used, named so the report can say they were recognised and left alone.
IGNORED_WORDS = ("累计", "上年", "去年", "同期", "同比", "环比", "增减", "增长", "增幅", "比重", "占比", "户数", "排名",
                 "比例", "税率", "%", "％", "所属期", "所属时期", "所属日期", "品目", "税目", "子目", "计税依据", "应纳税额",
                 "减免税额", "已缴税额", "申报日期", "电子税票号", "国库", "预算科目", "JDXZ", "街道", "乡镇")  # fmt: skip

# Tax types and fees as column labels (wide layout) and as 征收项目 values (long layout).
TAX_ALIASES = {
    "增值税": "增值税", "国内增值税": "增值税", "改征增值税": "增值税", "消费税": "消费税", "国内消费税": "消费税",
    "企业所得税": "企业所得税", "内资企业所得税": "企业所得税", "外资企业所得税": "企业所得税", "所得税": "企业所得税",
    "个人所得税": "个人所得税", "个税": "个人所得税", "资源税": "资源税", "城市维护建设税": "城市维护建设税",
    "城建税": "城市维护建设税", "城市建设维护税": "城市维护建设税", "房产税": "房产税", "城镇土地使用税": "城镇土地使用税",
    "土地使用税": "城镇土地使用税", "土地增值税": "土地增值税", "车船税": "车船税", "车船使用税": "车船税",
    "印花税": "印花税", "契税": "契税", "耕地占用税": "耕地占用税", "车辆购置税": "车辆购置税", "烟叶税": "烟叶税",
    "关税": "关税", "船舶吨税": "船舶吨税", "环境保护税": "环境保护税", "环保税": "环境保护税", "营业税": "营业税",
    "教育费附加": "教育费附加", "地方教育附加": "地方教育附加", "地方教育费附加": "地方教育附加",
    "文化事业建设费": "文化事业建设费", "残疾人就业保障金": "残疾人就业保障金", "水利建设专项收入": "水利建设专项收入",
    "水利建设基金": "水利建设专项收入", "其他税收": "其他税收", "其他税种": "其他税收", "其他": "其他税收",
    "其他收入": "其他税收", "其它": "其他税收", "其他各税": "其他税收",
}  # fmt: skip

TOTAL_PREFIX = re.compile(r"^(合计|总计|全部合计|全区合计)[(（]")
TOTAL_ROW_WORDS = {
    "合计",
    "总计",
    "全部合计",
    "合计数",
    "总合计",
    "全区合计",
    "本月合计",
    "税收合计",
    "总计数",
    "合计金额",
}
SUBTOTAL_WORDS = ("小计", "本页合计", "本页小计", "分项合计", "其中")
NOTE_PREFIXES = (
    "制表",
    "填表",
    "审核",
    "注",
    "说明",
    "备注",
    "数据来源",
    "打印",
    "导出",
    "负责人",
    "单位负责人",
    "联系",
)

UNITS = {"元": 100, "千元": 100_000, "万元": 1_000_000, "亿元": 10_000_000_000}
DISTRICT_ONLY_TAX_TYPE = "区级收入（未分税种）"
UNLISTED_TAX_TYPE = "其他税收（未列明）"
TOTAL_ONLY_TAX_TYPE = "合计"

BRACKET = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]")
UNIT_IN_TEXT = re.compile(r"单位\s*(?:[:：(（]|为|是)?\s*(?:人民币)?\s*(亿元|万元|千元|元)")
CJK = re.compile(r"[\u3400-\u9fff]")


def norm(value: Any) -> str:
    """A header or marker cell reduced for matching: NFKC, no whitespace, no * or colons."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s*:：、_\-]+", "", text)


# ---------------------------------------------------------------------------------------------
# The vocabulary an administrator extends (peiyu tax-headings; the taxes HeadingWord table): words
# added for one import via :func:`using`, consulted by the header and the 征收项目 checks.

ROLES = {
    "id": "纳税人识别号",
    "name": "纳税人名称",
    "tax_type": "征收项目（长表的税种列）",
    "date": "入库日期",
    "level_column": "预算级次",
    "total": "实缴金额 / 税收合计",
    "district": "区级收入",
    "city": "市级收入",
    "central": "中央级收入",
    "local": "地方级收入",
    "ignored": "不使用的列",
    "tax": "税种（宽表的一列或长表征收项目的一个值，需指定对应税种）",
}


@dataclass(frozen=True)
class Extra:
    """Words added by an administrator: role → normalised words; tax word → tax type."""

    words: Mapping[str, frozenset[str]] = field(default_factory=dict)
    taxes: Mapping[str, str] = field(default_factory=dict)


_NO_EXTRA = Extra()
_EXTRA: ContextVar[Extra | None] = ContextVar("tax_vocabulary_extra", default=None)


def heading_key(word: str) -> str:
    """How a heading word is compared: NFKC, no spaces/marks, brackets dropped, upper-case ASCII."""
    return BRACKET.sub("", norm(word)).upper()


@contextmanager
def using(extra: Extra) -> Iterator[None]:
    token = _EXTRA.set(extra)
    try:
        yield
    finally:
        _EXTRA.reset(token)


def extra() -> Extra:
    return _EXTRA.get() or _NO_EXTRA


def words(role: str, base: set[str] | frozenset[str]) -> set[str] | frozenset[str]:
    added = extra().words.get(role)
    return base | added if added else base


def tax_alias(word: str) -> str:
    """The tax type a 征收项目 value or column label names (itself when unknown)."""
    return TAX_ALIASES.get(word) or extra().taxes.get(heading_key(word)) or word


def is_tax_word(word: str) -> bool:
    return word in TAX_ALIASES or heading_key(word) in extra().taxes


def known_tax_types() -> set[str]:
    """Every tax type a file may name: the built-in table, words an administrator added, and the
    special types of the library."""
    return (
        set(TAX_ALIASES.values())
        | set(extra().taxes.values())
        | {DISTRICT_ONLY_TAX_TYPE, UNLISTED_TAX_TYPE, TOTAL_ONLY_TAX_TYPE}
    )
