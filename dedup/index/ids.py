"""Stable cluster ids: the clusters cut from the accepted pairs, kept together with the index's earlier ones.

Each addition cuts clusters from its accepted pairs as a batch run cuts them
(``stages.cluster``; where the addition reaches: ``edges.scope``).  The index
then joins them with the clusters it already had: two found clusters that hold
members of one earlier cluster stay one cluster, and an earlier member the
clusters found no longer link stays where it was.  So adding never splits a
cluster, and the clusters are exactly those cut from the pairs unless such a
join happened -- each one is reported as ``kept_together``, naming what a
batch run would have kept apart.

Ids: a cluster keeps the id it had; when one bridges several earlier clusters
it keeps the oldest one's (by the addition that made it, then by id) and the
others become aliases; a new cluster's id is made from its members
(``stages.cluster.cluster_id``) when it is first made, and kept from then on.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field, replace

from dedup.stages.cluster import Group, cluster_id


@dataclass
class Known:
    """The index's clusters before this change."""

    members: dict[str, str]  # document id -> cluster id
    born: dict[str, int]  # cluster id -> the addition that made it

    def by_cluster(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for doc, c in sorted(self.members.items()):
            out.setdefault(c, []).append(doc)
        return out


@dataclass
class Outcome:
    """One cluster as written, and how it came from the earlier ones."""

    name: str
    members: tuple[str, ...]
    earlier: list[str]  # the earlier clusters it continues (the first is the one whose id it keeps)
    joined: list[str] = field(default_factory=list)  # members not in the cluster before
    groups: int = 1  # found clusters it holds
    loose: list[str] = field(default_factory=list)  # earlier members no found cluster holds


@dataclass
class Plan:
    """The clusters to write, with their story; and the earlier clusters that no longer have two members."""

    groups: list[Group]
    outcomes: list[Outcome]
    dissolved: list[str]

    @property
    def aliases(self) -> dict[str, str]:
        """Merged id -> the id it resolves to now."""
        return {old: o.name for o in self.outcomes for old in o.earlier[1:]}


def regroup(found: list[Group], known: Known, present: Container[str]) -> Plan:
    """The found clusters joined with the known ones (see the module doc); ``present``: ids now in the corpus."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    old_members = known.by_cluster()
    for c in old_members:
        find(("c", c))
    for i, g in enumerate(found):
        key = ("g", f"{i:012d}")
        find(key)
        for m in g.members:
            c = known.members.get(m)
            if c is not None:
                a, b = find(key), find(("c", c))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    parts: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for node in list(parent):
        parts.setdefault(find(node), []).append(node)

    groups: list[Group] = []
    outcomes: list[Outcome] = []
    dissolved: list[str] = []
    for nodes in parts.values():
        mine = [found[int(i)] for kind, i in sorted(nodes) if kind == "g"]
        olds = sorted((i for kind, i in nodes if kind == "c"), key=lambda c: (known.born[c], c))
        in_groups = {m for g in mine for m in g.members}
        loose = sorted({m for c in olds for m in old_members[c] if m in present} - in_groups)
        members = tuple(sorted(in_groups | set(loose)))
        if len(members) < 2:
            dissolved += olds
            continue
        name = olds[0] if olds else cluster_id(members)
        before = {m for c in olds for m in old_members[c]}
        outcomes.append(Outcome(name, members, olds, sorted(set(members) - before), len(mine), loose))
        groups.append(_joined(name, mine, loose, members))
    order = sorted(range(len(groups)), key=lambda k: groups[k].members[0])
    return Plan([groups[k] for k in order], [outcomes[k] for k in order], sorted(dissolved))


def _joined(name: str, mine: list[Group], loose: list[str], members: tuple[str, ...]) -> Group:
    """One group from found ones and loose earlier members: the largest found one's centre leads it."""
    if len(mine) == 1 and not loose:
        return replace(mine[0], name=name)
    if not mine:  # no found cluster holds these earlier members any more: kept as they were
        centre = members[0]
        reasons = dict.fromkeys(members, f"kept in cluster {name} from an earlier addition; no cluster found now links it")
        return Group(centre, members, {}, {}, name, reasons)
    main = min(mine, key=lambda g: (-len(g.members), g.members[0]))
    reasons: dict[str, str] = {}
    scores: dict[str, float] = {}
    links: dict[str, dict[str, float]] = {}
    for g in mine:
        scores |= g.centre_score
        links |= g.links
        if g is main:
            continue
        for m in g.members:
            reasons[m] = (f"verified copy of {g.centre}: {g.joined[m]}" if m in g.joined else
                          f"centre of {len(g.members) - 1} verified copies") + \
                f"; kept in cluster {name} because members of it were already there"
    for m in loose:
        reasons[m] = f"kept in cluster {name} from an earlier addition; no cluster found now links it"
    return Group(main.centre, members, main.joined, scores, name, reasons, links)
