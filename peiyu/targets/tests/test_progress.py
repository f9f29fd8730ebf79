"""Progress math on library data with hand-computed expectations (see helpers.py for the figures)."""

from decimal import Decimal

import pytest

from peiyu.accounts.models import AuditLog, Department
from peiyu.targets import progress
from peiyu.targets.actions import ActionError, do_report_value, do_save_target, do_update_settings
from peiyu.targets.models import Target, TargetKind, TargetReport
from peiyu.targets.tests.helpers import WAN, fill

pytestmark = pytest.mark.django_db(transaction=True)


def make(
    world,
    name,
    kind,
    *,
    industry=None,
    area=None,
    fen=None,
    growth=None,
    value=None,
    unit="",
    year=2025,
    depts=(),
):
    t = Target(
        year=year,
        name=name,
        kind=kind,
        key_industry=world["industries"][industry] if industry else None,
        area=world["areas"][area] if area else None,
        target_fen=fen,
        growth_pct=growth,
        target_value=value,
        unit=unit,
    )
    return do_save_target(world["admin"], t, list(depts))


def test_amount_target_completion_time_seasonal_gap_status_projection(world):
    fill(world)
    t = make(world, "智能软件", TargetKind.AMOUNT, industry="soft", fen=200 * WAN)
    p = progress.compute(t, "2025-03")
    assert p.actual_fen == 36 * WAN
    assert p.completion_pct == Decimal("18.0")
    assert p.time_progress_pct == Decimal("25.0")
    assert p.gap_pp == Decimal("-7.0")
    assert p.status == "red"  # below -5
    # last year: 30 of 160 by March = 18.75% -> 18.8 (half-up)
    assert p.seasonal_progress_pct == Decimal("18.8")
    assert p.seasonal_gap_pp == Decimal("-0.8")
    assert p.projection_fen == 192 * WAN  # 36 × 160 / 30
    assert p.projection_low_fen == p.projection_high_fen == 192 * WAN  # only one complete year before
    assert p.ytd_growth_pct == Decimal("20.0")
    assert p.sentence == "完成 18.0%，慢于时间进度 7.0 个百分点"


def test_projection_range_from_three_years_profiles(world):
    fill(world, years=(2022, 2023, 2024))
    t = make(world, "智能软件", TargetKind.AMOUNT, industry="soft", fen=200 * WAN)
    p = progress.compute(t, "2025-03")
    # profiles by March: 2024 30/160 -> 192; 2023 30/180 -> 216; 2022 30/200 -> 240
    assert p.projection_fen == 192 * WAN  # last year's profile
    assert (p.projection_low_fen, p.projection_high_fen) == (192 * WAN, 240 * WAN)


def test_growth_target_converted_to_amount(world):
    fill(world)
    t = make(world, "生命健康", TargetKind.GROWTH, industry="health", growth=Decimal("10"))
    p = progress.compute(t, "2025-03")
    assert p.base_fen == 60 * WAN
    assert p.target_fen == 66 * WAN
    assert p.actual_fen == 18 * WAN
    assert p.completion_pct == Decimal("27.3")  # 18 / 66 = 27.27
    assert p.gap_pp == Decimal("2.3")
    assert p.status == "green"
    assert p.seasonal_progress_pct == Decimal("25.0")
    assert p.projection_fen == 72 * WAN
    assert p.sentence == "完成 27.3%，快于时间进度 2.3 个百分点"


def test_area_and_district_series(world):
    fill(world)
    area = make(world, "桃浦镇", TargetKind.AMOUNT, area="a2", fen=13 * WAN)
    district = make(world, "全区", TargetKind.AMOUNT, fen=250 * WAN)
    pa = progress.compute(area, "2025-03")
    assert pa.actual_fen == 3 * WAN
    assert pa.completion_pct == Decimal("23.1")
    assert pa.gap_pp == Decimal("-1.9")
    assert pa.status == "yellow"
    pd = progress.compute(district, "2025-03")
    assert pd.actual_fen == 57 * WAN
    assert pd.completion_pct == Decimal("22.8")
    assert pd.seasonal_progress_pct == Decimal("20.7")  # 48 / 232
    assert pd.projection_fen == 275_500_000  # 57 × 232 / 48 = 275.5 万元, exact


def test_share_target_in_percentage_points(world):
    fill(world)
    t = make(world, "四大重点产业占区级税收比重", TargetKind.SHARE, value=Decimal("4"), unit="个百分点")
    p = progress.compute(t, "2025-03")
    # 2025 Q1: (36+18)/57 = 94.74%; 2024 Q1: (30+15)/48 = 93.75%; +0.99 pp of 4 = 24.75% -> 24.8
    assert p.share_pct == Decimal("94.7")
    assert p.last_share_pct == Decimal("93.8")
    assert p.actual_value == Decimal("0.99")
    assert p.completion_pct == Decimal("24.8")
    assert p.projection_fen is None


def test_thresholds_and_basis_are_configurable(world):
    fill(world)
    soft = make(world, "智能软件", TargetKind.AMOUNT, industry="soft", fen=200 * WAN)
    area = make(world, "桃浦镇", TargetKind.AMOUNT, area="a2", fen=13 * WAN)
    do_update_settings(world["admin"], green_gap="-2", yellow_gap="-10", basis="time")
    assert progress.compute(area, "2025-03").status == "green"  # -1.9 >= -2
    assert progress.compute(soft, "2025-03").status == "yellow"  # -7 >= -10
    do_update_settings(world["admin"], green_gap="0", yellow_gap="-5", basis="seasonal")
    assert progress.compute(soft, "2025-03").status == "yellow"  # seasonal gap -0.8
    with pytest.raises(ActionError):
        do_update_settings(world["admin"], green_gap="-5", yellow_gap="0", basis="time")
    assert AuditLog.objects.filter(action="targets.settings.update").count() == 2


def test_time_progress_rounding_and_year_end():
    assert progress.time_progress("2025-01") == Decimal("8.3")
    assert progress.time_progress("2025-02") == Decimal("16.7")
    assert progress.time_progress("2025-12") == Decimal("100.0")
    assert progress.pct(1, 16) == Decimal("6.3")  # half-up, not banker's 6.2
    assert progress.div_round(5, 2) == 3 and progress.div_round(-5, 2) == -3
    assert progress.sentence(Decimal("50.0"), Decimal("0.0")) == "完成 50.0%，与时间进度持平"


def test_department_reported_values_keep_history(world, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dept = Department.objects.get_or_create(name="区投促办", defaults={"short_name": "投促办"})[0]
    member = world["outsider"]
    member.departments.set([dept])
    t = make(world, "新增税收亿元楼", TargetKind.REPORTED, value=Decimal("3"), unit="幢", depts=[dept])
    hi = make(world, "新认定市级高新技术企业", TargetKind.REPORTED, value=Decimal("16"), unit="家")
    with pytest.raises(ActionError):
        do_report_value(world["industry_officer"], t, month="2025-02", value="1")  # not responsible
    do_report_value(member, t, month="2025-02", value="1", note="长风大厦")
    attachment = SimpleUploadedFile("证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r2 = do_report_value(member, t, month="2025-03", value="2", note="新增中环大厦", attachment=attachment)
    assert r2.attachment.path.startswith(settings.MEDIA_ROOT)
    assert r2.attachment_name == "证明.pdf" and r2.department == dept
    assert TargetReport.objects.filter(target=t).count() == 2
    p3 = progress.compute(t, "2025-03")
    assert p3.actual_value == Decimal("2") and p3.completion_pct == Decimal("66.7")
    p2 = progress.compute(t, "2025-02")
    assert (
        p2.actual_value == Decimal("1")
        and p2.completion_pct == Decimal("33.3")
        and p2.gap_pp == Decimal("16.6")
    )
    do_report_value(world["admin"], hi, month="2025-03", value="1")
    assert progress.compute(hi, "2025-03").completion_pct == Decimal("6.3")
    with pytest.raises(ActionError):
        do_report_value(member, t, month="2024-12", value="1")  # outside the target year
    with pytest.raises(ActionError):
        do_report_value(member, t, month="2025-04", value="abc")
    assert AuditLog.objects.filter(action="targets.target.report", object_id=str(t.pk)).count() == 2


def test_changes_are_audited_with_before_and_after(world):
    t = make(world, "智能软件", TargetKind.AMOUNT, industry="soft", fen=200 * WAN)
    created = AuditLog.objects.get(action="targets.target.create", object_id=str(t.pk))
    assert created.after["target_fen"] == 200 * WAN
    t.target_fen = 210 * WAN
    do_save_target(world["admin"], t)
    row = AuditLog.objects.get(action="targets.target.update", object_id=str(t.pk))
    assert row.before["target_fen"] == 200 * WAN and row.after["target_fen"] == 210 * WAN
    with pytest.raises(ActionError):
        do_save_target(
            world["admin"], Target(year=2025, name="智能软件", kind=TargetKind.AMOUNT, target_fen=1)
        )


def test_missing_library_months_give_no_status(world):
    fill(world)  # library through 2025-03
    t = make(world, "智能软件", TargetKind.AMOUNT, industry="soft", fen=200 * WAN)
    p = progress.compute(t, "2025-05")
    assert p.actual_fen == 36 * WAN and p.completion_pct == Decimal("18.0")
    assert p.status == "none" and "缺少 2 个月" in p.notes[0]
    # a later board month reports the target year's December; an earlier one, a year not started
    assert progress.compute(t, "2026-02").time_progress_pct == Decimal("100.0")
    assert progress.compute(t, "2024-12").completion_pct is None
