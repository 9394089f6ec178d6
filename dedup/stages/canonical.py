"""Canonical stage: pick each cluster's representative, and say why.

Policies (``--canonical``):

- ``coverage`` (default): the member whose sentences cover most of the other
  members' content -- the fullest version of the shared story; ties go to the
  earliest date, then the longest text, then the smallest id.
- ``earliest``: the member with the earliest date (undated members last);
  ties by coverage, then length, then id.
- ``longest``: the member with the most words of article body; ties by
  coverage, then date, then id.
"""

from __future__ import annotations

from collections.abc import Mapping

from dedup.stages.cluster import Group
from dedup.types import DocInfo

_NO_DATE = "9999-99-99"


def choose(group: Group, docs: Mapping[str, DocInfo], policy: str) -> tuple[str, str]:
    """(canonical id, reason) for one group under ``policy``; ``docs`` give each member's date and word count."""

    def facts(m: str) -> tuple[float, str, int, str]:
        return (round(group.centre_score.get(m, 0.0), 9), docs[m].date or _NO_DATE, docs[m].words, m)

    keys = {
        "coverage": lambda m: (-facts(m)[0], facts(m)[1], -facts(m)[2], m),
        "earliest": lambda m: (facts(m)[1], -facts(m)[0], -facts(m)[2], m),
        "longest": lambda m: (-facts(m)[2], -facts(m)[0], facts(m)[1], m),
    }
    ranked = sorted(group.members, key=keys[policy])
    best, runner = ranked[0], ranked[1]
    return best, _reason(policy, facts(best), facts(runner), len(group.members))


def _reason(policy: str, best: tuple, runner: tuple, size: int) -> str:
    cov, date, words, _ = best
    r_cov, r_date, r_words, _ = runner
    shown_date = "undated" if date == _NO_DATE else date
    if policy == "coverage":
        why = f"covers the most of the other {size - 1} member(s)' content (coverage sum {cov:.2f})"
        if cov == r_cov:
            then = "earliest" if date != r_date else "longest" if words != r_words else "first by id"
            why += f"; tied on coverage, then {then}"
    elif policy == "earliest":
        why = f"earliest date ({shown_date})"
        if date == r_date:
            then = "best coverage" if cov != r_cov else "longest" if words != r_words else "first by id"
            why += f"; tied on date, then {then}"
    else:
        why = f"longest article body ({words} words)"
        if words == r_words:
            why += "; tied on length, then best coverage, earliest, id"
    return f"policy '{policy}': {why}"
