"""Cluster and canonical stages on hand-built edges and groups."""

from __future__ import annotations

import random
from dataclasses import replace
from itertools import combinations

import pytest
from conftest import make_doc

from dedup.stages.canonical import choose, derivation
from dedup.stages.cluster import Group, cluster, cluster_id, components, stars
from dedup.stages.normalize import normalize
from dedup.types import DocInfo, Document, Edge, Evidence


def edge(a: str, b: str, cov_a: float = 0.8, cov_b: float = 0.8, accepted: bool = True) -> Edge:
    """An edge with hand-set coverage (a < b by id, as the verify stage makes them)."""
    if a > b:
        a, b, cov_a, cov_b = b, a, cov_b, cov_a
    ev = Evidence(minhash_jaccard=0.5, jaccard=0.5, containment_ab=0.6, containment_ba=0.6, aligned_sentences=5,
                  coverage_a=cov_a, coverage_b=cov_b, order=1.0, score=max(cov_a, cov_b), relation="partial")
    return Edge(a, b, ev, accepted, f"edge {a}-{b}" if accepted else "rejected")


def check_groups(ids: list[str], edges: list[Edge], groups: list[Group]) -> None:
    """The guarantees of the cluster stage."""
    linked = {frozenset((e.a, e.b)) for e in edges if e.accepted}
    seen: set[str] = set()
    for g in groups:
        assert len(g.members) >= 2
        assert list(g.members) == sorted(g.members)
        assert g.centre in g.members
        assert not seen & set(g.members), "a document is in two clusters"
        seen |= set(g.members)
        assert set(g.joined) == set(g.members) - {g.centre}
        for m in g.members:
            if m != g.centre:
                # anti-chaining: every member is a verified copy of the centre itself
                assert frozenset((m, g.centre)) in linked, f"{m} has no accepted edge to centre {g.centre}"
                assert g.joined[m] == f"edge {min(m, g.centre)}-{max(m, g.centre)}"
    # nothing is left unclustered that still has an accepted edge to another unclustered document
    loose = set(ids) - seen
    assert not any(frozenset(p) in linked for p in combinations(sorted(loose), 2))
    assert [g.members[0] for g in groups] == sorted(g.members[0] for g in groups)


def as_sets(groups: list[Group]) -> set[tuple[str, frozenset[str]]]:
    return {(g.centre, frozenset(g.members)) for g in groups}


# ---------------------------------------------------------------- components

def test_components() -> None:
    ids = ["a", "b", "c", "d", "e", "f", "g"]
    edges = [edge("a", "b"), edge("b", "c"), edge("e", "f"), edge("f", "e")]
    assert components(ids, edges) == [["a", "b", "c"], ["d"], ["e", "f"], ["g"]]
    assert components(reversed(ids), list(reversed(edges))) == [["a", "b", "c"], ["d"], ["e", "f"], ["g"]]
    assert components([], []) == []
    assert components(["z", "y"], [edge("y", "z")]) == [["y", "z"]]


# ---------------------------------------------------------------- anti-chaining

def test_path_of_four_is_cut_at_the_weak_link() -> None:
    """A-B weak, B-C and C-D strong: C is the best centre, A (no edge to C) stays out."""
    ids = ["A", "B", "C", "D"]
    edges = [edge("A", "B", 0.3, 0.3), edge("B", "C", 0.9, 0.9), edge("C", "D", 0.9, 0.9)]
    groups = cluster(ids, edges)
    check_groups(ids, edges, groups)
    assert as_sets(groups) == {("C", frozenset("BCD"))}
    assert groups[0].centre_score["C"] == pytest.approx(1.8)


def test_path_of_five_never_chains_ends_together() -> None:
    """A-B-C-D-E with B not the best centre: no cluster holds two documents without an edge to its centre."""
    ids = list("ABCDE")
    edges = [edge("A", "B", 0.4, 0.4), edge("B", "C", 0.5, 0.5), edge("C", "D", 0.95, 0.95), edge("D", "E", 0.9, 0.9)]
    groups = cluster(ids, edges)
    check_groups(ids, edges, groups)
    # D covers most (0.95 + 0.9) and takes C and E; A and B, tied at 0.4, pair up around A (smaller id)
    assert as_sets(groups) == {("D", frozenset("CDE")), ("A", frozenset("AB"))}
    assert not any({"A", "C"} <= set(g.members) or {"B", "E"} <= set(g.members) for g in groups)


def test_equal_path_of_five() -> None:
    ids = list("ABCDE")
    edges = [edge(x, y) for x, y in ["AB", "BC", "CD", "DE"]]
    groups = cluster(ids, edges)
    check_groups(ids, edges, groups)
    # B, C, D tie on score and degree: the smallest id, B, is the first centre; then D takes E
    assert as_sets(groups) == {("B", frozenset("ABC")), ("D", frozenset("DE"))}


def test_chain_through_a_middle_document_is_not_followed() -> None:
    """A shares a paragraph with B, B another with C: A and C are unrelated and must not share a cluster."""
    ids = ["A", "B", "C"]
    edges = [edge("A", "B", 0.9, 0.35), edge("B", "C", 0.35, 0.9), edge("A", "C", 0.0, 0.0, accepted=False)]
    groups = cluster(ids, edges)
    check_groups(ids, edges, groups)
    # B covers 0.9 of both A and C, so it is the centre: A and C both join B, each through its own edge
    assert as_sets(groups) == {("B", frozenset("ABC"))}
    # when A covers more than B does (A: 0.95 of B; B: 0.2 of A + 0.3 of C), A is the centre and takes B;
    # C, linked only through B, must then stay out
    edges2 = [edge("A", "B", 0.2, 0.95), edge("B", "C", 0.3, 0.3)]
    groups2 = cluster(ids, edges2)
    check_groups(ids, edges2, groups2)
    assert as_sets(groups2) == {("A", frozenset("AB"))}


def test_rejected_edges_are_ignored() -> None:
    ids = ["a", "b", "c"]
    edges = [edge("a", "b", accepted=False), edge("b", "c")]
    groups = cluster(ids, edges)
    assert as_sets(groups) == {("b", frozenset("bc"))}  # tied: the smaller id is the centre
    assert cluster(ids, [edge("a", "b", accepted=False)]) == []


def test_star_around_the_best_covering_hub() -> None:
    ids = ["hub", "x1", "x2", "x3", "x4", "lone"]
    edges = [edge("hub", x, 0.5, 0.95) for x in ["x1", "x2", "x3", "x4"]] + [edge("x1", "x2", 0.6, 0.6)]
    groups = stars(ids[:-1], edges)
    assert [(g.centre, g.members) for g in groups] == [("hub", ("hub", "x1", "x2", "x3", "x4"))]
    assert cluster(ids, edges)[0].members == ("hub", "x1", "x2", "x3", "x4")


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_keep_the_guarantees(seed: int) -> None:
    r = random.Random(seed)
    n = r.randint(2, 18)
    ids = [f"d{k:02d}" for k in range(n)]
    p = r.uniform(0.1, 0.6)
    edges = [edge(a, b, round(r.uniform(0.3, 1.0), 2), round(r.uniform(0.3, 1.0), 2), accepted=r.random() < 0.8)
             for a, b in combinations(ids, 2) if r.random() < p]
    groups = cluster(ids, edges)
    check_groups(ids, edges, groups)
    # the input order of ids and edges does not matter
    ids2, edges2 = ids[:], edges[:]
    r.shuffle(ids2)
    r.shuffle(edges2)
    assert [(g.centre, g.members, g.joined) for g in cluster(ids2, edges2)] == \
        [(g.centre, g.members, g.joined) for g in groups]


# ---------------------------------------------------------------- cluster ids

def test_cluster_id_is_stable_and_order_free() -> None:
    cid = cluster_id(["b.txt", "a.txt", "c.txt"])
    assert cid == cluster_id(["c.txt", "b.txt", "a.txt"]) == cluster_id(("a.txt", "b.txt", "c.txt"))
    assert cid.startswith("c") and len(cid) == 13
    int(cid[1:], 16)
    assert cid != cluster_id(["a.txt", "b.txt"])
    assert cluster_id(["ab", "c"]) != cluster_id(["a", "bc"])  # members are separated, not concatenated
    assert cluster_id(["a.txt", "b.txt"]) == cluster_id(["b.txt", "a.txt"])


def test_groups_have_the_same_id_whatever_the_order() -> None:
    ids = ["x", "y", "z", "w"]
    edges = [edge("x", "y"), edge("y", "z"), edge("x", "z"), edge("w", "z", 0.3, 0.3)]
    a = [cluster_id(g.members) for g in cluster(ids, edges)]
    b = [cluster_id(g.members) for g in cluster(ids[::-1], edges[::-1])]
    assert a == b and len(a) >= 1


# ---------------------------------------------------------------- canonical policies

BODY = ("Israeli Prime Minister Benjamin Netanyahu rejected the latest ceasefire offer from Hamas on Wednesday. "
        "He said total victory in Gaza was within reach. ")
EXTRA = "Mediators from Qatar and Egypt will meet in Cairo on Thursday to continue the talks. "


@pytest.fixture
def hand_group():
    """Three members: 'a' covers most, 'b' is earliest, 'c' is longest (and undated)."""
    docs = {
        "a": make_doc(BODY, "a", "2024-03-01"),
        "b": make_doc(BODY + EXTRA, "b", "2024-01-15"),
        "c": make_doc(BODY + EXTRA * 3, "c", None),
    }
    norms = {k: normalize(d) for k, d in docs.items()}
    assert norms["a"].word_count < norms["b"].word_count < norms["c"].word_count
    group = Group("a", ("a", "b", "c"), {"b": "edge a-b", "c": "edge a-c"}, {"a": 1.7, "b": 1.2, "c": 0.9})
    return group, infos_of(docs), norms


def infos_of(docs: dict[str, Document]) -> dict[str, DocInfo]:
    """What a run keeps of each document: metadata and the word count of its normalized body."""
    return {k: DocInfo(d.id, d.path, d.encoding, d.format, len(d.text), normalize(d).word_count, d.title, d.date)
            for k, d in docs.items()}


def test_canonical_coverage_policy(hand_group) -> None:
    best, why = choose(*hand_group[:2], "coverage")
    assert best == "a"
    assert why.startswith("policy 'coverage'") and "coverage sum 1.70" in why and "2 member(s)" in why


def test_canonical_earliest_policy(hand_group) -> None:
    best, why = choose(*hand_group[:2], "earliest")
    assert best == "b"
    assert why.startswith("policy 'earliest'") and "2024-01-15" in why


def test_canonical_longest_policy(hand_group) -> None:
    group, docs, norms = hand_group
    best, why = choose(group, docs, "longest")
    assert best == "c"
    assert why.startswith("policy 'longest'") and f"({norms['c'].word_count} words)" in why


def test_canonical_ties(hand_group) -> None:
    group, docs, _norms = hand_group
    tied = Group("a", group.members, group.joined, {"a": 1.0, "b": 1.0, "c": 1.0})
    best, why = choose(tied, docs, "coverage")
    assert best == "b"  # tied on coverage: earliest date wins
    assert "tied on coverage, then earliest" in why
    undated = {k: replace(d, date=None) for k, d in docs.items()}
    best, why = choose(tied, undated, "earliest")
    assert best == "c"  # all undated and tied on coverage: the longest
    assert "undated" in why and "tied on date, then longest" in why
    same = infos_of({k: make_doc(BODY, k, "2024-01-01") for k in "abc"})
    for policy in ("coverage", "earliest", "longest"):
        best, why = choose(tied, same, policy)
        assert best == "a" and why.startswith(f"policy '{policy}'")  # all tied: the smallest id


def test_canonical_choice_does_not_depend_on_member_order(hand_group) -> None:
    group, docs, _norms = hand_group
    for policy in ("coverage", "earliest", "longest"):
        flipped = Group(group.centre, tuple(reversed(group.members)), group.joined, group.centre_score)
        assert choose(flipped, docs, policy) == choose(group, docs, policy)


# ---------------------------------------------------------------- the source policy and who copied whom


def infos(spec: dict[str, tuple[str | None, int]]) -> dict[str, DocInfo]:
    """DocInfos from {id: (date, words)}."""
    return {k: DocInfo(k, k, "utf-8", "txt", 10 * w, w, None, d) for k, (d, w) in spec.items()}


def test_stars_record_which_members_share_an_edge() -> None:
    """links[m][n]: how much of m's content the m-n alignment covers, for members linked to m."""
    edges = [edge("a", "b", 0.9, 0.4), edge("a", "c", 0.7, 0.2), edge("b", "c", 0.3, 0.6)]
    (g,) = stars(["a", "b", "c"], edges)
    assert g.links == {"a": {"b": 0.9, "c": 0.7}, "b": {"a": 0.4, "c": 0.3}, "c": {"a": 0.2, "b": 0.6}}


def test_source_policy_puts_the_earliest_dated_first_and_undated_after() -> None:
    docs = infos({"wire": ("2000-01-27", 300), "paper1": (None, 500), "paper2": ("2000-01-28", 200)})
    group = Group("paper1", ("paper1", "paper2", "wire"), {}, {"paper1": 2.5, "paper2": 0.4, "wire": 1.1})
    best, why = choose(group, docs, "source")
    assert best == "wire"  # the member covering most (paper1) is undated: it cannot be placed first
    assert why == "policy 'source': earliest date (2000-01-27); 1 member(s) undated"
    assert choose(group, docs, "coverage")[0] == "paper1"
    # a record's date field that is no date counts as no date (not as a string that sorts early)
    docs["paper1"] = replace(docs["paper1"], date="1 week ago")
    assert choose(group, docs, "source")[0] == "wire"


def test_source_policy_without_dates_takes_the_most_shared_content() -> None:
    docs = infos({"a": (None, 100), "b": (None, 900), "c": (None, 300)})
    group = Group("a", ("a", "b", "c"), {}, {"a": 1.5, "b": 0.5, "c": 1.5})
    best, why = choose(group, docs, "source")
    assert best == "c"  # tied with a on content share: the longer one
    assert why.startswith("policy 'source': no member is dated; its content is the most shared by the other 2")
    assert why.endswith("; tied on that, then longest")
    same_day = {k: replace(d, date="2024-02-07") for k, d in docs.items()}
    best, why = choose(Group("a", ("a", "b", "c"), {}, {"a": 1.5, "b": 0.5, "c": 0.2}), same_day, "source")
    assert best == "a" and "earliest date (2024-02-07), shared with other member(s)" in why


def test_derivation_prefers_a_dated_source_then_the_best_alignment() -> None:
    """Two wire takes (dated) and three newspaper copies (undated): papers are copied from the wire when
    they share an edge with it, even when another paper's alignment covers more of them."""
    docs = infos({"take1": ("2000-01-27", 300), "take2": ("2000-01-28", 320), "p1": (None, 400),
                  "p2": (None, 380), "p3": (None, 200)})
    links = {"take1": {"take2": 0.5, "p1": 0.6}, "take2": {"take1": 0.5, "p1": 0.5},
             "p1": {"take1": 0.4, "take2": 0.5, "p2": 0.9, "p3": 0.3},
             "p2": {"p1": 0.8, "take1": 0.3}, "p3": {"p1": 0.7}}
    group = Group("p1", tuple(sorted(docs)), {}, {"p1": 3.0, "p2": 1.0, "p3": 0.5, "take1": 1.2, "take2": 0.9},
                  links=links)
    got = derivation(group, docs)
    assert got["take1"] == (None, "the first in the source order: nothing in the cluster is known to precede it")
    assert got["take2"][0] == "take1" and "dated 2000-01-27, before 2000-01-28" in got["take2"][1]
    assert got["p1"][0] == "take2"  # both takes are dated before it; take2's alignment covers more of it
    assert got["p1"][1] == ("copied from take2: dated 2000-01-28, and this is undated; its alignment covers "
                            "50% of this text")
    assert got["p2"][0] == "take1"  # dated beats the paper that covers it better (p1: 0.8)
    assert got["p3"][0] == "p1"  # linked to no take: the paper before it by content share
    assert "both undated, its content is more shared in the cluster (coverage sum 3.00 against 0.50)" in got["p3"][1]
    assert choose(group, docs, "source")[0] == "take1"


def test_derivation_says_when_it_cannot_be_told() -> None:
    docs = infos({"a": ("2024-01-01", 100), "b": ("2024-01-01", 100), "c": ("2024-01-02", 100)})
    links = {"a": {"b": 1.0}, "b": {"a": 1.0}, "c": {}}
    group = Group("a", ("a", "b", "c"), {}, {"a": 1.0, "b": 1.0, "c": 0.0}, links=links)
    got = derivation(group, docs)
    assert got["a"][0] is None and got["b"][0] is None  # identical twins: a is first by id alone
    assert got["b"][1].startswith("which copied which cannot be told")
    assert got["c"] == (None, "no member before it in the source order shares a verified edge with it")


def test_derivation_does_not_depend_on_member_order() -> None:
    docs = infos({"a": (None, 100), "b": ("2024-01-01", 120), "c": (None, 90)})
    links = {"a": {"b": 0.5, "c": 0.6}, "b": {"a": 0.7}, "c": {"a": 0.9}}
    group = Group("a", ("a", "b", "c"), {}, {"a": 1.2, "b": 0.5, "c": 0.9}, links=links)
    flipped = Group("a", ("c", "b", "a"), {}, dict(reversed(group.centre_score.items())),
                    links={k: dict(reversed(v.items())) for k, v in reversed(links.items())})
    assert derivation(group, docs) == derivation(flipped, docs)
    assert derivation(group, docs)["c"][0] == "a" and derivation(group, docs)["a"][0] == "b"
