"""The target board, declared once: the page table (with its progress bars), the Excel export."""

from __future__ import annotations

from peiyu.core.tables import Column, TableSpec

BOARD = TableSpec(
    Column("name", "指标", value=lambda r: r.target.name, template="targets/cells/name.html"),
    Column("kind_label", "类型", value=lambda r: r.target.get_kind_display(), screen=False),
    Column("department", "责任部门", value=lambda r: r.target.department_names()),
    Column("target_fen", "年度目标（万元）", "money", template="targets/cells/target.html"),
    Column("actual_fen", "累计完成（万元）", "money", template="targets/cells/actual.html"),
    Column("target_value", "目标值", "decimal", template="targets/cells/target_value.html"),
    Column("actual_value", "完成值", "decimal", template="targets/cells/actual_value.html"),
    Column("unit", "单位", value=lambda r: r.target.unit, screen=False),
    Column("completion_pct", "完成率（%）", "percent", template="targets/cells/completion.html"),
    Column("time_progress_pct", "时间进度（%）", "percent", screen=False),
    Column("seasonal_progress_pct", "季节性时间进度（%）", "percent"),
    Column("gap_pp", "差距（百分点）", "points", signed=True, template="targets/cells/gap.html"),
    Column("status_label", "状态", template="targets/cells/status.html"),
    Column("projection_fen", "年末预计（万元）", "money", template="targets/cells/projection.html"),
    Column("projection_low_fen", "预计区间下限（万元）", "money", screen=False),
    Column("projection_high_fen", "预计区间上限（万元）", "money", screen=False),
    Column("sentence", "进度表述", screen=False),
    empty="该年度没有您可以查看的目标。",
)
