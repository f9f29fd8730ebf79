import datetime as dt

import pytest
from django.utils import timezone

from peiyu.accounts.models import AuditLog
from peiyu.core.signals import dimension_changed
from peiyu.registry import actions, classify
from peiyu.registry.models import Enterprise, EnterpriseEvent, IndustryDefinition, IndustryOverride
from peiyu.testing.factories import EnterpriseFactory, KeyIndustryFactory, UserFactory


@pytest.fixture
def admin(db):
    return UserFactory(username="cls_admin", role="admin", is_superuser=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6511", "6511"),
        ("I6511", "6511"),
        ("I 6511", "6511"),
        ("i6511", "6511"),
        ("Ｉ６５１１", "6511"),
        ("651", "651"),
        ("65", "65"),
        (6511, "6511"),
        (6511.0, "6511"),
        ("6511 软件开发", "6511"),
        ("I6511-软件开发", "6511"),
        ("软件开发（6511）", "6511"),
        ("基础软件开发", "6511"),
        ("软件开发", "651"),
        (113.0, "0113"),  # Excel dropped the leading zero of 0113 玉米种植
        (111.0, "111"),  # but 111 is a real 中类 of its own
        ("A0111", "0111"),
    ],
)
def test_code_forms_are_normalised(gbt, raw, expected):
    assert classify.normalize_industry_code(raw, classify.taxonomy()) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("J6511", "门类字母“J”与大类“65”不符（应为 I）"),
        ("6597", "没有小类“6597”"),
        ("9999", "没有大类“99”"),
        ("6", "过短"),
        ("软件什么的", "无法识别"),
        ("", "为空"),
    ],
)
def test_bad_codes_are_explained(gbt, raw, fragment):
    with pytest.raises(classify.CodeError) as exc:
        classify.normalize_industry_code(raw, classify.taxonomy())
    assert fragment in str(exc.value)


def test_taxonomy_falls_back_to_packaged_table(db):
    # no IndustryCode rows loaded: still checks against GB/T 4754
    assert classify.normalize_industry_code("I6511", classify.taxonomy()) == "6511"


def test_longest_prefix_wins_and_ties_go_to_industry_order(db):
    soft = KeyIndustryFactory(name="软件A", slug="a", order=1, prefixes=["65"])
    health = KeyIndustryFactory(name="健康B", slug="b", order=2, prefixes=["651", "84"])
    tie = KeyIndustryFactory(name="并列C", slug="c", order=3, prefixes=["84"])
    e1 = EnterpriseFactory(industry_code="6511")
    e2 = EnterpriseFactory(industry_code="6520")
    e3 = EnterpriseFactory(industry_code="8411")
    e4 = EnterpriseFactory(industry_code="5137")
    classify.reclassify()
    for e in (e1, e2, e3, e4):
        e.refresh_from_db()
    assert e1.key_industry == health and e1.classification_basis == "行业代码前缀 651"
    assert e2.key_industry == soft
    assert e3.key_industry == health  # both 健康B and 并列C have 84: the earlier industry wins
    assert e4.key_industry is None
    tie.order = 0
    tie.save()
    classify.reclassify()
    e3.refresh_from_db()
    assert e3.key_industry == tie


def test_section_letter_prefix_is_shortest(gbt):
    whole_i = KeyIndustryFactory(name="信息门类", slug="i", order=1, prefixes=["I"])
    soft = KeyIndustryFactory(name="软件", slug="s", order=2, prefixes=["65"])
    a = EnterpriseFactory(industry_code="6311")
    b = EnterpriseFactory(industry_code="6511")
    classify.reclassify()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.key_industry == whole_i and b.key_industry == soft


def test_manual_include_beats_rules_and_exclude_removes_candidate(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", order=1, prefixes=["65"])
    rnd = KeyIndustryFactory(name="研发", slug="r", order=2, prefixes=["I"])
    e = EnterpriseFactory(industry_code="6511")
    classify.reclassify()
    e.refresh_from_db()
    assert e.key_industry == soft
    actions.do_override(admin, e, soft, "exclude", reason="主营硬件销售")
    e.refresh_from_db()
    assert e.key_industry == rnd and e.classification_basis == "行业代码前缀 I"  # next candidate
    actions.do_override(admin, e, rnd, "exclude", reason="也不属于研发")
    e.refresh_from_db()
    assert e.key_industry is None and e.classification_basis == "手工剔除"
    other = KeyIndustryFactory(name="金融", slug="f", order=3, prefixes=["66"])
    actions.do_override(admin, e, other, "include", reason="专班认定")
    e.refresh_from_db()
    assert e.key_industry == other and e.classification_basis == "手工纳入"
    # at most one industry: a second inclusion replaces the first
    actions.do_override(admin, e, soft, "include", reason="改为软件")
    e.refresh_from_db()
    assert e.key_industry == soft
    assert IndustryOverride.objects.filter(enterprise=e, kind="include", revoked_at__isnull=True).count() == 1
    ov = IndustryOverride.objects.get(enterprise=e, kind="include", revoked_at__isnull=True)
    actions.do_revoke_override(admin, ov, reason="核实有误")
    e.refresh_from_db()
    # the inclusion had replaced the earlier exclusion from 软件; 研发 stays excluded → back to the rule
    assert e.key_industry == soft and e.classification_basis == "行业代码前缀 65"
    events = EnterpriseEvent.objects.filter(enterprise=e, kind="key_industry")
    assert events.count() >= 4
    logs = AuditLog.objects.filter(object_id=e.credit_code).values_list("action", flat=True)
    assert {"registry.override.exclude", "registry.override.include", "registry.override.revoke"} <= set(logs)
    log = AuditLog.objects.filter(action="registry.override.revoke").first()
    assert (
        log.reason == "核实有误"
        and log.before["basis"] == "手工纳入"
        and log.after["basis"] == "行业代码前缀 65"
    )


def test_override_requires_reason_and_admin(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", prefixes=["65"])
    e = EnterpriseFactory(industry_code="6511")
    with pytest.raises(actions.ActionError, match="理由"):
        actions.do_override(admin, e, soft, "exclude", reason="  ")
    officer = UserFactory(username="cls_officer", role="taskforce")
    with pytest.raises(actions.ActionError, match="管理员"):
        actions.do_override(officer, e, soft, "exclude", reason="x")
    assert not IndustryOverride.objects.exists()


def test_definition_versions_make_as_of_reproducible(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", prefixes=["65"])  # valid from 2020-01-01
    a = EnterpriseFactory(industry_code="6511")
    b = EnterpriseFactory(industry_code="6420")
    classify.reclassify()
    today = timezone.localdate()
    definition, result = actions.do_save_definition(
        admin, soft, "I64, 65", valid_from=today, reason="纳入互联网信息服务"
    )
    assert definition.prefixes == ["64", "65"] and result.changed == 1
    b.refresh_from_db()
    assert b.key_industry == soft
    past = classify.classify_all_as_of(dt.date(2021, 6, 30))
    assert past[a.pk] == soft.pk and past[b.pk] is None  # the 2020 definition, reproduced
    assert classify.classify(b, dt.date(2021, 6, 30)).industry_id is None
    assert classify.classify(b).industry == "软件"
    assert IndustryDefinition.objects.filter(industry=soft).count() == 2
    log = AuditLog.objects.get(action="registry.definition.save")
    assert (
        log.before == {"prefixes": ["65"]}
        and log.after["prefixes"] == ["64", "65"]
        and log.reason == "纳入互联网信息服务"
    )
    ev = EnterpriseEvent.objects.get(enterprise=b, kind="key_industry")
    assert ev.after.startswith("软件") and "口径调整" in ev.source


def test_definition_cannot_be_backdated_and_rejects_unknown_codes(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", prefixes=["65"])
    with pytest.raises(actions.ActionError, match="生效日期不能早于"):
        actions.do_save_definition(admin, soft, ["64"], valid_from=dt.date(2019, 1, 1), reason="x")
    with pytest.raises(actions.ActionError, match="没有小类“6597”"):
        actions.do_save_definition(admin, soft, ["6597"], reason="x")
    with pytest.raises(actions.ActionError, match="理由"):
        actions.do_save_definition(admin, soft, ["64"], reason="")
    assert IndustryDefinition.objects.filter(industry=soft).count() == 1


def test_as_of_uses_industry_code_then(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", prefixes=["65"])
    e = EnterpriseFactory(industry_code="5137")
    actions.do_update_enterprise(
        admin, e, industry_code="I6511", event_date=dt.date(2024, 1, 1), reason="经营范围变更"
    )
    e.refresh_from_db()
    assert e.industry_code == "6511" and e.key_industry == soft
    assert classify.classify_all_as_of(dt.date(2023, 12, 31))[e.pk] is None
    assert classify.classify_all_as_of(dt.date(2024, 1, 2))[e.pk] == soft.pk


def test_override_valid_from_and_revocation_respected_as_of(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", prefixes=["65"])
    e = EnterpriseFactory(industry_code="7211")
    actions.do_override(admin, e, soft, "include", reason="SaaS", valid_from=dt.date(2023, 1, 1))
    assert classify.classify_all_as_of(dt.date(2022, 12, 31))[e.pk] is None
    assert classify.classify_all_as_of(dt.date(2023, 1, 1))[e.pk] == soft.pk


def test_preview_counts_movements_and_saves_nothing(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", order=1, prefixes=["65"])
    KeyIndustryFactory(name="研发", slug="r", order=2, prefixes=["73", "6513"])
    ents = [EnterpriseFactory(industry_code=c) for c in ("6511", "6513", "6420", "6420", "7310", "5137")]
    classify.reclassify()
    before = list(Enterprise.objects.order_by("id").values_list("key_industry_id", flat=True))
    n_defs = IndustryDefinition.objects.count()
    n_logs = AuditLog.objects.count()
    p = classify.preview({soft.pk: ["64", "65", "6513"]})
    rows = {r.name: r for r in p.rows}
    # 6420 ×2 enter 软件; 6513 moves from 研发 (4-digit beat 2-digit) to 软件? no: 研发 6513 still ties on length,
    # 软件 comes first in order → 6513 enters 软件 and leaves 研发
    assert rows["软件"].entering == 3 and rows["软件"].leaving == 0
    assert rows["研发"].leaving == 1 and rows["研发"].entering == 0
    assert rows["软件"].before == 1 and rows["软件"].after == 4
    assert p.changed == 3
    assert {s["industry_code"] for s in rows["软件"].entering_sample} == {"6420", "6513"}
    assert IndustryDefinition.objects.count() == n_defs
    assert AuditLog.objects.count() == n_logs
    assert list(Enterprise.objects.order_by("id").values_list("key_industry_id", flat=True)) == before
    assert ents


def test_dimension_changed_sent_on_commit(admin, django_capture_on_commit_callbacks):
    soft = KeyIndustryFactory(name="软件", slug="s", prefixes=["65"])
    e = EnterpriseFactory(industry_code="6420")
    got = []

    def listener(sender, **kwargs):
        got.append(kwargs)

    dimension_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            actions.do_save_definition(admin, soft, ["64", "65"], reason="扩围")
        assert callbacks and got and e.pk in got[-1]["enterprise_ids"]
        got.clear()
        with django_capture_on_commit_callbacks(execute=True):
            classify.reclassify()  # nothing changes: no signal
        assert got == []
    finally:
        dimension_changed.disconnect(listener)


def test_reclassify_many_is_bulk(db, django_assert_max_num_queries):
    KeyIndustryFactory(name="软件", slug="s", prefixes=["65"])
    Enterprise.objects.bulk_create(
        [
            Enterprise(credit_code=f"X{i:017d}", name=f"企业{i}", industry_code="6511" if i % 2 else "5137")
            for i in range(3000)
        ]
    )
    with django_assert_max_num_queries(40):
        result = classify.reclassify(record_events=False)
    assert result.changed == 1500
    assert Enterprise.objects.filter(key_industry__name="软件").count() == 1500


def test_create_and_deactivate_industry(admin):
    soft = KeyIndustryFactory(name="软件", slug="s", order=1, prefixes=["65"])
    e = EnterpriseFactory(industry_code="8411")
    s = EnterpriseFactory(industry_code="6511")
    classify.reclassify()
    ind, result = actions.do_create_industry(admin, "数智健康", "84, 358", reason="2025 年产业重构")
    e.refresh_from_db()
    assert e.key_industry == ind and result.entered == {"数智健康": 1} and ind.slug == "shuzhijiankang"
    with pytest.raises(actions.ActionError, match="已存在"):
        actions.do_create_industry(admin, "数智健康", "84", reason="重复")
    actions.do_set_industry_active(admin, soft, False, reason="并入数智产业")
    s.refresh_from_db()
    assert s.key_industry is None
    assert (
        AuditLog.objects.filter(
            action__in=["registry.industry.create", "registry.industry.set_active"]
        ).count()
        == 2
    )
