"""Relations registered by an app and scoped by the runner: a new relation over its own Parquet
file is cut to each persona's scope, a rollup without an enterprise column falls back to its fine
template for liaison scopes, and a query cannot name anything that is not registered."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from peiyu.accounts.scope import EVERYTHING, NOTHING, Scope
from peiyu.analytics import Runner, registry, relation, relations

pytestmark = pytest.mark.django_db


@pytest.fixture
def carriers(world, tmp_path):
    """A tiny 'carriers' app's relations: ``{t_space}`` (one row per enterprise and carrier, with all
    three scope columns) and ``{t_space_by_area}`` (per industry × area only, with a fine template)."""
    e = world["enterprises"]
    rows = [
        (e[k].id, e[k].key_industry_id, e[k].area_id, fen)
        for k, fen in (
            ("soft_a1", 1),
            ("soft_a2", 10),
            ("health_a1", 100),
            ("health_a2", 1000),
            ("other_a2", 10000),
        )
    ]
    path = tmp_path / "space.parquet"
    pq.write_table(
        pa.table(
            {
                "enterprise_id": pa.array([r[0] for r in rows], pa.int64()),
                "key_industry_id": pa.array([r[1] for r in rows], pa.int64()),
                "area_id": pa.array([r[2] for r in rows], pa.int64()),
                "fen": pa.array([r[3] for r in rows], pa.int64()),
            }
        ),
        path,
    )
    names = ("t_space", "t_space_by_area", "t_no_fine")

    @relation("t_space")
    def space(ctx):
        """Floor space per enterprise."""
        return f"SELECT * FROM {ctx.engine.parquet([str(path)])}"

    @relation(
        "t_space_by_area",
        enterprise=None,
        fine="SELECT key_industry_id, area_id, sum(fen)::BIGINT AS fen FROM {t_space} GROUP BY ALL",
    )
    def by_area(ctx):
        return (
            f"SELECT key_industry_id, area_id, sum(fen)::BIGINT AS fen FROM {ctx.engine.parquet([str(path)])} "
            "GROUP BY ALL"
        )

    @relation("t_no_fine", enterprise=None)
    def no_fine(ctx):
        return by_area(ctx)

    yield world
    for name in names:
        registry._relations.pop(name, None)


def total(who, rel="t_space"):
    return Runner(who).rows(f"SELECT coalesce(sum(fen), 0)::BIGINT FROM {{{rel}}}")[0][0]


def test_a_registered_relation_is_cut_to_each_scope(carriers):
    w = carriers
    assert "t_space" in relations()
    assert total(w["admin"]) == total(EVERYTHING) == 11111
    assert total(w["industry_officer"]) == 11  # 智能软件: soft_a1 + soft_a2
    assert total(w["area_officer"]) == 11010  # 桃浦镇: soft_a2, health_a2, other_a2
    assert total(w["outsider"]) == total(NOTHING) == 0


def test_a_rollup_without_enterprises_uses_its_fine_template_for_liaison_scopes(carriers):
    w = carriers
    e = w["enterprises"]
    assert total(w["area_officer"], "t_space_by_area") == 11010
    liaison = Scope(enterprise_ids=frozenset({e["health_a1"].id, e["other_a2"].id}))
    assert total(liaison, "t_space_by_area") == 10100
    sql, params = Runner(liaison).sql("SELECT * FROM {t_space_by_area}")
    assert "space.parquet" in sql and sorted(params.values()) == sorted(liaison.enterprise_ids)
    assert total(w["area_officer"], "t_no_fine") == 11010
    with pytest.raises(ValueError, match="cannot be restricted"):
        total(liaison, "t_no_fine")


def test_the_scope_is_applied_outside_what_the_query_writes(carriers):
    w = carriers
    # an OR in the query's own WHERE cannot widen the scope: the predicate wraps the relation
    rows = Runner(w["industry_officer"]).rows("SELECT count(*) FROM {t_space} WHERE TRUE OR fen > 0")
    assert rows == [(2,)]
    sql, _ = Runner(w["outsider"]).sql("SELECT * FROM {t_space}")
    assert "WHERE FALSE" in sql


def test_queries_cannot_name_unregistered_relations_and_names_are_unique(carriers):
    with pytest.raises(registry.RegistryError, match="unknown relation"):
        Runner(EVERYTHING).sql("SELECT * FROM {t_nowhere}")

    with pytest.raises(registry.RegistryError, match="registered twice"):

        @relation("t_space")
        def another(ctx):
            return "SELECT 1"


def test_every_app_relation_is_discovered():
    assert {"em", "ey", "r1", "r2", "facts"} <= set(relations())
    r2 = relations()["r2"]
    assert r2.enterprise is None and "{em}" in (r2.fine or "") and r2.module == "peiyu.taxes.analytics"
