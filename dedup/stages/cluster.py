"""Cluster stage: verified edges to clusters, guarded against chaining.

Connected components alone chain: A shares a paragraph with B, B another with
C, and A and C -- two unrelated stories -- end up together.  So a component is
cut into *stars*: its best-connected member (the one whose aligned sentences
cover most of its neighbours' content) becomes a centre, the members with a
verified edge to that centre join it, and whatever is left is clustered again
the same way.  Every member of a cluster is thus a verified copy of one
document, and the reason it joined names that edge.

Ties are broken by document id, never by input order, so the clusters do not
depend on the order the documents came in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import xxhash

from dedup.types import Edge


@dataclass(frozen=True, slots=True)
class Group:
    """A cluster before its canonical is chosen."""

    centre: str
    members: tuple[str, ...]  # sorted ids, centre included
    joined: dict[str, str]  # member id -> why it joined (the edge to the centre)
    centre_score: dict[str, float]  # member id -> how much of its neighbours it covers
    name: str = ""  # the cluster's id when it is given one (an index keeps ids); else made from the members
    reasons: dict[str, str] = field(default_factory=dict)  # member id -> why it is in the cluster, when
    # that is not an edge to the centre (groups kept together by an index: ``dedup.index.ids``)
    links: dict[str, dict[str, float]] = field(default_factory=dict)  # member id -> {member it shares a
    # verified edge with: share of the first member's content that edge's alignment covers}


def cluster_id(members: Iterable[str]) -> str:
    """A stable id from the sorted member ids (not from run order)."""
    return "c" + xxhash.xxh3_64_hexdigest("\n".join(sorted(members)).encode())[:12]


def _covers(edge: Edge, node: str) -> float:
    """How much of the *other* endpoint's content ``node``'s alignment covers."""
    return edge.evidence.coverage_b if edge.a == node else edge.evidence.coverage_a


def connected(nodes: Iterable[str], pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components of id pairs (union-find; sorted lists), sorted by their first id."""
    parent: dict[str, str] = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for n in parent:
        groups[find(n)].append(n)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def components(nodes: Iterable[str], edges: Iterable[Edge]) -> list[list[str]]:
    """Connected components of the edges' endpoints (see :func:`connected`)."""
    return connected(nodes, ((e.a, e.b) for e in edges))


def stars(nodes: Sequence[str], edges: Sequence[Edge]) -> list[Group]:
    """Cut one component into star clusters around centres (see module doc)."""
    adj: dict[str, dict[str, Edge]] = defaultdict(dict)
    for e in edges:
        adj[e.a][e.b] = e
        adj[e.b][e.a] = e
    pending = set(nodes)
    out: list[Group] = []
    while pending:
        scores = {n: sum(_covers(e, n) for m, e in adj[n].items() if m in pending) for n in pending}
        centre = min(pending, key=lambda n: (-round(scores[n], 9), -len(adj[n].keys() & pending), n))
        members = {centre} | (adj[centre].keys() & pending)
        joined = {m: adj[centre][m].reason for m in members if m != centre}
        links = {m: {n: _covers(e, n) for n, e in sorted(adj[m].items()) if n in members} for m in sorted(members)}
        out.append(Group(centre, tuple(sorted(members)), joined, {m: scores[m] for m in members}, links=links))
        pending -= members  # members cut off from this centre may still form stars among themselves
    return out


def cluster(ids: Sequence[str], edges: Sequence[Edge]) -> list[Group]:
    """All groups of two or more documents, sorted by their first member id."""
    accepted = [e for e in edges if e.accepted]
    by_node: dict[str, list[Edge]] = defaultdict(list)
    for e in accepted:
        by_node[e.a].append(e)
    out: list[Group] = []
    for comp in components(ids, accepted):
        if len(comp) < 2:
            continue
        inside = set(comp)
        comp_edges = [e for n in comp for e in by_node[n] if e.b in inside]
        out.extend(g for g in stars(comp, comp_edges) if len(g.members) > 1)
    return sorted(out, key=lambda g: g.members[0])
