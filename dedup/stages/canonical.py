"""Canonical stage: pick each cluster's representative, say why, and tell who copied whom.

Policies (``--canonical``):

- ``source`` (default): the original the others derive from.  A copy cannot be
  older than its source, so the member with the earliest known date comes
  first; a member whose date is unknown cannot be placed before one whose date
  is known, so it comes after them.  Among members of the same date (or none
  dated), the one whose content the others share: the member whose sentences
  cover most of the other members' content (a source holds what its copies
  took from it; a copy holds only what it kept).  Then the longest, then the
  smallest id.
- ``coverage``: the member whose sentences cover most of the other members'
  content -- the fullest version of the shared story; ties go to the earliest
  date, then the longest text, then the smallest id.
- ``earliest``: the member with the earliest date (undated members last);
  ties by length, then id: dates alone, where ``source`` weighs content.
- ``longest``: the member with the most words of article body; ties by
  coverage, then date, then id.

Whatever the policy, each member is given the member it was copied from
(:func:`derivation`): of the members the source order puts before it and that
share a verified edge with it, one dated before it if any, and of those the one
whose alignment covers most of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dedup.stages.cluster import Group
from dedup.types import DocInfo

_NO_DATE = "9999-99-99"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")


def _date(doc: DocInfo) -> str:
    """The member's date when it is a date (YYYY-MM-DD); a record's unreadable date field is no date."""
    return doc.date if doc.date and _ISO_DATE.match(doc.date) else _NO_DATE


def _facts(group: Group, docs: Mapping[str, DocInfo], m: str) -> tuple[float, str, int, str]:
    return round(group.centre_score.get(m, 0.0), 9), _date(docs[m]), docs[m].words, m


_KEYS = {
    "source": lambda f: (f[1], -f[0], -f[2], f[3]),
    "coverage": lambda f: (-f[0], f[1], -f[2], f[3]),
    "earliest": lambda f: (f[1], -f[2], f[3]),
    "longest": lambda f: (-f[2], -f[0], f[1], f[3]),
}


def ranked(group: Group, docs: Mapping[str, DocInfo], policy: str) -> list[str]:
    """The group's members, best first under ``policy``."""
    return sorted(group.members, key=lambda m: _KEYS[policy](_facts(group, docs, m)))


def choose(group: Group, docs: Mapping[str, DocInfo], policy: str) -> tuple[str, str]:
    """(canonical id, reason) for one group under ``policy``; ``docs`` give each member's date and word count."""
    order = ranked(group, docs, policy)
    facts = [_facts(group, docs, m) for m in order]
    return order[0], f"policy '{policy}': " + _REASONS[policy](facts, len(order))


def _source_reason(facts: list[tuple[float, str, int, str]], size: int) -> str:
    (cov, date, words, _), (r_cov, r_date, r_words, _) = facts[:2]
    if date == _NO_DATE:
        why = f"no member is dated; its content is the most shared by the other {size - 1} member(s) (coverage sum {cov:.2f})"
    elif date != r_date:
        undated = sum(1 for f in facts if f[1] == _NO_DATE)
        why = f"earliest date ({date})" + (f"; {undated} member(s) undated" if undated else "")
    else:
        why = (f"earliest date ({date}), shared with other member(s); of those its content is the most shared "
               f"by the others (coverage sum {cov:.2f})")
    if date == r_date and cov == r_cov:
        why += "; tied on that, then " + ("longest" if words != r_words else "first by id")
    return why


def _coverage_reason(facts: list[tuple[float, str, int, str]], size: int) -> str:
    (cov, date, words, _), (r_cov, r_date, r_words, _) = facts[:2]
    why = f"covers the most of the other {size - 1} member(s)' content (coverage sum {cov:.2f})"
    if cov == r_cov:
        then = "earliest" if date != r_date else "longest" if words != r_words else "first by id"
        why += f"; tied on coverage, then {then}"
    return why


def _earliest_reason(facts: list[tuple[float, str, int, str]], size: int) -> str:
    (_, date, words, _), (_, r_date, r_words, _) = facts[:2]
    why = f"earliest date ({'undated' if date == _NO_DATE else date})"
    if date == r_date:
        why += "; tied on date, then " + ("longest" if words != r_words else "first by id")
    return why


def _longest_reason(facts: list[tuple[float, str, int, str]], size: int) -> str:
    words, r_words = facts[0][2], facts[1][2]
    why = f"longest article body ({words} words)"
    if words == r_words:
        why += "; tied on length, then best coverage, earliest, id"
    return why


_REASONS = {"source": _source_reason, "coverage": _coverage_reason, "earliest": _earliest_reason,
            "longest": _longest_reason}


def head(group: Group, docs: Mapping[str, DocInfo], policy: str) -> tuple[str, str]:
    """(canonical id, reason) as a cluster states them: ``choose``'s, and the centre the members joined
    through when that is another member."""
    canon, reason = choose(group, docs, policy)
    if canon != group.centre:
        reason += f"; members joined through {group.centre}"
    return canon, reason


def derivation(group: Group, docs: Mapping[str, DocInfo]) -> dict[str, tuple[str | None, str]]:
    """Each member's (the member it was copied from, or None; why).

    The source order (policy ``source``) says which of two members can have been copied from the other.
    A member was copied from a member before it in that order by date or content share and joined to it
    by a verified edge: one dated before it if any (a date is firmer evidence of direction than the
    content order), and of those the one whose alignment covers most of it.  None when no such member
    exists: the first member, or one whose linked members before it are so only by length or id (which
    copied which cannot be told then), or one linked only to members after it."""
    order = ranked(group, docs, "source")
    place = {m: i for i, m in enumerate(order)}
    facts = {m: _facts(group, docs, m) for m in order}
    out: dict[str, tuple[str | None, str]] = {}
    for m in order:
        links = group.links.get(m, {})
        before = [x for x in links if place[x] < place[m] and facts[x][:2] != facts[m][:2]]
        if before:
            src = max(before, key=lambda x: (facts[x][1] != facts[m][1], round(links[x], 9), -place[x]))
            out[m] = (src, f"copied from {src}: {_basis(facts[src], facts[m])}; its alignment covers "
                      f"{links[src]:.0%} of this text")
        elif place[m] == 0:
            out[m] = (None, "the first in the source order: nothing in the cluster is known to precede it")
        elif any(place[x] < place[m] for x in links):
            out[m] = (None, "which copied which cannot be told: the members before it that share a verified edge "
                      "with it have the same date and content share")
        else:
            out[m] = (None, "no member before it in the source order shares a verified edge with it")
    return out


def _basis(src: tuple[float, str, int, str], m: tuple[float, str, int, str]) -> str:
    """Why ``src`` comes before ``m`` in the source order (their dates or their content shares differ)."""
    if src[1] != m[1]:
        return f"dated {src[1]}, and this is undated" if m[1] == _NO_DATE else f"dated {src[1]}, before {m[1]}"
    same = "both undated" if m[1] == _NO_DATE else f"both dated {m[1]}"
    return f"{same}, its content is more shared in the cluster (coverage sum {src[0]:.2f} against {m[0]:.2f})"
