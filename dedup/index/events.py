"""What one change to the index did, as the JSON lines ``dedup index add`` writes.

Documents first, by id: ``added``, ``updated`` (same id, another text),
``unchanged`` (same id and text: nothing is done), ``expired`` and
``skipped`` (with its reason).  Then clusters, by id: ``created``, ``grew``
(who joined), ``merged`` (the ids it absorbed, which now resolve to it),
``left`` (a member replaced by a text that is no longer a copy),
``canonical_changed`` (from, to, and the policy's reason), ``kept_together``
(where the index holds together what a batch run over the same documents
would have kept apart: see ``ids``) and ``dissolved`` (fewer than two members left).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dedup.index.ids import Plan
from dedup.types import ClusterHead, Skipped

KINDS = ("added", "updated", "unchanged", "expired", "skipped", "created", "grew", "merged", "left",
         "canonical_changed", "kept_together", "dissolved")


def changes(fresh: list[str], updated: set[str], unchanged: list[str], expired: list[str], skipped: list[Skipped],
            was: dict[str, str], canonicals: dict[str, str], plan: Plan | None,
            tops: Sequence[tuple[ClusterHead, str]], now: Mapping[str, str]) -> tuple[list[dict[str, Any]],
                                                                                 dict[str, int]]:
    """(events, counts by kind); ``was``: the cluster of each updated document before the change,
    ``canonicals``: each cluster's canonical before it; ``tops``: the clusters the change wrote, with
    their canonical's reason; ``now``: the cluster of each document after it (at least of those the
    change names)."""
    docs: list[dict[str, Any]] = []
    for d in fresh:
        docs.append({"event": "updated" if d in updated else "added", "id": d, "cluster": now.get(d)})
    docs += [{"event": "unchanged", "id": d, "cluster": now.get(d)} for d in unchanged]
    docs += [{"event": "expired", "id": d} for d in expired]
    docs += [{"event": "skipped", "id": s.id, "reason": s.reason, "detail": s.detail} for s in skipped]
    docs.sort(key=lambda e: (e["id"], KINDS.index(e["event"])))

    groups: list[dict[str, Any]] = []
    for o in plan.outcomes if plan is not None else []:
        if not o.earlier:
            groups.append({"event": "created", "cluster": o.name, "members": list(o.members)})
            continue
        if o.joined:
            groups.append({"event": "grew", "cluster": o.name, "joined": o.joined, "size": len(o.members)})
        if len(o.earlier) > 1:
            groups.append({"event": "merged", "cluster": o.name, "merged": o.earlier[1:]})
        if o.groups > 1 or o.loose:
            groups.append({"event": "kept_together", "cluster": o.name, "found_clusters": o.groups,
                           "loose": o.loose})
    for d in sorted(updated):
        c = was.get(d)
        if c is not None and now.get(d) != (plan.aliases.get(c, c) if plan else c):
            groups.append({"event": "left", "cluster": c, "id": d, "reason": "updated: its new text is not "
                           "a copy of the cluster's"})
    for h, reason in tops:
        old = canonicals.get(h.id)
        if old is not None and old != h.canonical:
            groups.append({"event": "canonical_changed", "cluster": h.id, "from": old, "to": h.canonical,
                           "reason": reason})
    for c in plan.dissolved if plan is not None else sorted(canonicals):
        groups.append({"event": "dissolved", "cluster": c})
    groups.sort(key=lambda e: (e["cluster"], KINDS.index(e["event"]), e.get("id", "")))
    events = docs + groups
    counts = dict.fromkeys(KINDS, 0)
    for e in events:
        counts[e["event"]] += 1
    counts["skipped"] = len(skipped)
    return events, counts
