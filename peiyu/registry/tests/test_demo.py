import pytest

from peiyu.demo import DemoContext
from peiyu.registry import uscc
from peiyu.registry.models import Area, Enterprise, EnterpriseEvent, IndustryCode, IndustryOverride


@pytest.fixture
def demo(db):
    import peiyu.accounts.demo as accounts
    import peiyu.registry.demo as registry

    ctx = DemoContext(enterprises=2000, seed=7)
    accounts.generate(ctx)
    registry.generate(ctx)
    return ctx


def test_demo_registry_is_realistic(demo):
    ents = list(
        Enterprise.objects.values(
            "credit_code", "name", "industry_code", "area_id", "status", "key_industry_id"
        )
    )
    assert len(ents) == 2000 == demo.summary["enterprises"]
    assert all(uscc.is_valid(e["credit_code"]) for e in ents)
    assert sum(e["credit_code"][2:8] == "310107" for e in ents) / len(ents) > 0.75
    assert len({e["name"] for e in ents}) == len(ents)
    small = set(IndustryCode.objects.filter(level=4).values_list("code", flat=True))
    assert all(e["industry_code"] in small for e in ents)
    assert Area.objects.count() == 10 and len({e["area_id"] for e in ents}) == 10
    share = demo.summary["enterprises_by_key_industry"]
    for name in ("智能软件", "研发服务", "科技金融", "生命健康"):
        assert 0.03 < share[name] / len(ents) < 0.13, (name, share[name])
    statuses = demo.summary["enterprises_by_status"]
    assert (statuses["存续"] + statuses["在业"]) / len(ents) > 0.75 and statuses["迁出"] > 0
    gone = sum(statuses[s] for s in ("迁出", "注销", "吊销"))
    assert EnterpriseEvent.objects.filter(kind="status").count() == gone
    assert IndustryOverride.objects.exists()
    assert Enterprise.objects.filter(liaison=demo.data["user_service"]).count() == 30
    assert {
        "id",
        "credit_code",
        "name",
        "industry_code",
        "area_id",
        "key_industry_id",
        "status",
        "established",
    } <= set(demo.data["enterprises"][0])
    assert Enterprise.objects.exclude(name_initials="").count() == 2000


def test_demo_generators_are_deterministic(db):
    import random

    from peiyu.registry.demo import RegistryGenerator, small_classes

    classes = small_classes()

    def sample(seed):
        gen = RegistryGenerator(random.Random(seed), classes)
        out = []
        for _ in range(50):
            key, code = gen.industry()
            est = gen.established()
            out.append((gen.credit_code(est), gen.name(key), code, est))
        return out

    assert sample(3) == sample(3) and sample(3) != sample(4)
