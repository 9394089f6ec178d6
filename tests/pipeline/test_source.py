"""The source policy on a folder: wire takes with a time-stamped header and the paper that merged them.

The paper combines both takes, so it covers most of the cluster's content and
the ``coverage`` policy makes it the canonical; ``source`` names the first take,
read as dated from its wire header, and says the paper was copied from it.
"""

from __future__ import annotations

from pathlib import Path

from dedup import Config, run

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _folder(tmp_path: Path) -> Path:
    paras = [p for p in (SEEDS / "002_6617be1ae8672c32.txt").read_text("utf-8").split("\n") if p.strip()]
    paras[0] = paras[0].split(": ", 1)[1]  # its own date line goes; the wire headers give the dates
    header = "  {stamp}: Page 1 (HHH) WORLD Gaza\n  " + "-" * 60 + "\nNETANYAHU REJECTS CEASEFIRE OFFER<\n"
    files = {
        "wire/take1.txt": header.format(stamp="16:53 07/02/24") + "\n".join(paras[:6]),
        "wire/take2.txt": header.format(stamp="09:10 08/02/24") + "\n".join(paras[:2] + paras[6:]),
        "papers/daily.txt": "\n\n".join(paras),  # both takes in one article, no date
        "papers/other.txt": (SEEDS / "003_9bf1a751ecd25daf.txt").read_text("utf-8"),  # an independent report
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    return tmp_path


def test_source_names_the_first_take_where_coverage_names_the_merged_paper(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    by_policy = {}
    for policy in ("source", "coverage"):
        result = run(folder, Config(canonical=policy, jobs=1))
        (cluster,) = result.clusters
        by_policy[policy] = cluster
        assert {m.id for m in cluster.members} == {"wire/take1.txt", "wire/take2.txt", "papers/daily.txt"}
    assert {d.id: d.date for d in result.documents} == {
        "wire/take1.txt": "2024-02-07", "wire/take2.txt": "2024-02-08", "papers/daily.txt": None,
        "papers/other.txt": "2024-02-08"}
    assert by_policy["coverage"].canonical == "papers/daily.txt"
    source = by_policy["source"]
    assert source.canonical == "wire/take1.txt"
    assert source.canonical_reason == ("policy 'source': earliest date (2024-02-07); 1 member(s) undated; "
                                       "members joined through papers/daily.txt")
    derived = {m.id: m.derived_from for m in source.members}
    assert derived == {"wire/take1.txt": None, "wire/take2.txt": "wire/take1.txt",
                       "papers/daily.txt": "wire/take1.txt"}
    assert derived == {m.id: m.derived_from for m in by_policy["coverage"].members}


def test_month_first_dates_change_the_order(tmp_path: Path) -> None:
    """Read month first, 07/02/24 is 2 July and 08/02/24 2 August: still take1 first, with other dates."""
    result = run(_folder(tmp_path), Config(date_order="mdy", jobs=1))
    assert {d.id: d.date for d in result.documents}["wire/take1.txt"] == "2024-07-02"
    assert result.clusters[0].canonical == "wire/take1.txt"
