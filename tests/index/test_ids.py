"""dedup.index.ids: clusters found now, joined with the index's earlier ones under stable ids."""

from __future__ import annotations

from dedup.index.ids import Known, regroup
from dedup.stages.cluster import Group, cluster_id


def group(*members: str) -> Group:
    centre = members[0]
    return Group(centre, tuple(sorted(members)), {m: f"edge {centre}-{m}" for m in members if m != centre},
                 dict.fromkeys(members, 1.0))


def test_a_new_cluster_takes_an_id_from_its_members() -> None:
    plan = regroup([group("a", "b")], Known({}, {}), {"a", "b"})
    assert [g.name for g in plan.groups] == [cluster_id(["a", "b"])]
    assert plan.outcomes[0].earlier == [] and plan.aliases == {}


def test_a_cluster_keeps_its_id_when_a_member_joins() -> None:
    plan = regroup([group("a", "b", "c")], Known({"a": "c1", "b": "c1"}, {"c1": 1}), {"a", "b", "c"})
    assert [g.name for g in plan.groups] == ["c1"]
    assert plan.outcomes[0].joined == ["c"]
    assert plan.groups[0].reasons == {}  # exactly the cluster found: members joined by their edges


def test_a_bridge_keeps_the_oldest_id_and_the_other_becomes_an_alias() -> None:
    known = Known({"a": "young", "b": "young", "x": "old", "y": "old"}, {"young": 3, "old": 2})
    plan = regroup([group("a", "b", "n", "x", "y")], known, {"a", "b", "n", "x", "y"})
    assert [g.name for g in plan.groups] == ["old"]
    assert plan.aliases == {"young": "old"}
    assert plan.outcomes[0].earlier == ["old", "young"]


def test_an_earlier_member_no_cluster_links_now_stays() -> None:
    known = Known({"a": "c1", "b": "c1", "c": "c1"}, {"c1": 1})
    plan = regroup([group("a", "b")], known, {"a", "b", "c"})
    (g,) = plan.groups
    assert g.name == "c1" and g.members == ("a", "b", "c")
    assert "earlier addition" in g.reasons["c"] and "a" not in g.reasons
    assert plan.outcomes[0].loose == ["c"]


def test_two_found_clusters_with_members_of_one_earlier_cluster_stay_one() -> None:
    known = Known({"a": "c1", "x": "c1"}, {"c1": 1})
    plan = regroup([group("a", "b", "c"), group("x", "y")], known, set("abcxy"))
    (g,) = plan.groups
    assert g.members == ("a", "b", "c", "x", "y") and g.centre == "a"  # the larger found cluster leads
    assert "kept in cluster c1" in g.reasons["y"]
    assert plan.outcomes[0].groups == 2


def test_a_cluster_left_with_one_member_is_dissolved() -> None:
    known = Known({"a": "c1", "b": "c1"}, {"c1": 1})
    plan = regroup([], known, {"a"})  # b expired
    assert plan.groups == [] and plan.dissolved == ["c1"]


def test_groups_come_out_by_first_member() -> None:
    plan = regroup([group("x", "y"), group("a", "b")], Known({}, {}), set("abxy"))
    assert [g.members[0] for g in plan.groups] == ["a", "x"]
