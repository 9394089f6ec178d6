"""dedup.evaluation.metrics, dedup.evaluation.evaluate and dedup.report.plot.

Hand-computed metrics, a brute-force ARI cross-check, label files, the error listings and the min-coverage sweep."""

from __future__ import annotations

import itertools
import random
import xml.etree.ElementTree as ET
from fractions import Fraction
from math import comb
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.evaluation.evaluate import (
    DEFAULT_THRESHOLDS,
    LabelError,
    Labels,
    dumps,
    evaluate,
    labels_from_records,
    load_labels,
    predicted,
    redecide,
    sweep,
)
from dedup.evaluation.metrics import (
    PRF,
    adjusted_rand,
    bcubed,
    pair_counts,
    pairwise,
    scores,
)
from dedup.pipeline.runner import run
from dedup.report.plot import pr_curve_svg
from dedup.stages.cluster import cluster
from dedup.stages.verify import decide
from dedup.types import Document, Edge, Evidence, RunResult, Skipped

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def approx_prf(p: PRF, precision: float, recall: float, f1: float) -> None:
    assert (p.precision, p.recall, p.f1) == pytest.approx((precision, recall, f1))


# ---------------------------------------------------------------- metrics, by hand

# gold: {a b c} {d e} {f};  pred: {a b} {c d e} {f}
GOLD = {"a": "G1", "b": "G1", "c": "G1", "d": "G2", "e": "G2", "f": "G3"}
PRED = {"a": "P1", "b": "P1", "c": "P2", "d": "P2", "e": "P2", "f": "P3"}


def test_pairwise_by_hand() -> None:
    # pred pairs ab cd ce de (4); gold pairs ab ac bc de (4); shared ab de (2)
    c = pair_counts(PRED, GOLD)
    assert (c.together_both, c.together_pred, c.together_gold, c.total) == (2, 4, 4, 15)
    assert (c.false_merges, c.misses) == (2, 2)
    approx_prf(pairwise(PRED, GOLD), 0.5, 0.5, 0.5)


def test_bcubed_by_hand() -> None:
    # precision per item: a,b 2/2; c 1/3; d,e 2/3; f 1 -> (2 + 1/3 + 4/3 + 1) / 6 = 7/9; recall likewise 7/9
    approx_prf(bcubed(PRED, GOLD), 7 / 9, 7 / 9, 7 / 9)


def test_ari_by_hand() -> None:
    # index 2, expected 4*4/15, max (4+4)/2 -> (2 - 16/15) / (4 - 16/15) = 7/22
    assert adjusted_rand(PRED, GOLD) == pytest.approx(7 / 22)


def test_identical_clusterings_score_one() -> None:
    relabelled = {k: "x" + v for k, v in GOLD.items()}  # cluster keys need not equal group keys
    assert adjusted_rand(relabelled, GOLD) == 1.0
    approx_prf(pairwise(relabelled, GOLD), 1, 1, 1)
    approx_prf(bcubed(relabelled, GOLD), 1, 1, 1)


def test_all_singletons_predicted() -> None:
    pred = {k: k for k in GOLD}
    approx_prf(pairwise(pred, GOLD), 1.0, 0.0, 0.0)  # nothing claimed, nothing found
    approx_prf(bcubed(pred, GOLD), 1.0, (3 * (1 / 3) + 2 * (1 / 2) + 1) / 6, 2 * (1 / 2) / (1 + 1 / 2))
    assert adjusted_rand(pred, GOLD) == pytest.approx(0.0)


def test_one_big_cluster_predicted() -> None:
    pred = dict.fromkeys(GOLD, "all")
    approx_prf(pairwise(pred, GOLD), 4 / 15, 1.0, 2 * (4 / 15) / (1 + 4 / 15))
    approx_prf(bcubed(pred, GOLD), (9 + 4 + 1) / 36, 1.0, 2 * (14 / 36) / (1 + 14 / 36))
    assert adjusted_rand(pred, GOLD) == pytest.approx(0.0)


def test_degenerate_cases() -> None:
    singles = {k: k for k in "abc"}
    assert adjusted_rand(singles, singles) == 1.0  # both all singletons: identical
    one = dict.fromkeys("abc", "x")
    assert adjusted_rand(one, one) == 1.0  # both one cluster: identical
    assert adjusted_rand({}, {}) == 1.0
    assert adjusted_rand({"a": "x"}, {"a": "y"}) == 1.0
    approx_prf(pairwise({}, {}), 1, 1, 1)
    approx_prf(bcubed({}, {}), 1, 1, 1)


def test_ari_is_symmetric_and_label_invariant() -> None:
    assert adjusted_rand(PRED, GOLD) == adjusted_rand(GOLD, PRED)
    renamed = {k: {"P1": "z", "P2": "y", "P3": "x"}[v] for k, v in PRED.items()}
    assert adjusted_rand(renamed, GOLD) == adjusted_rand(PRED, GOLD)


def test_mismatched_items_are_an_error() -> None:
    with pytest.raises(ValueError, match="same items"):
        pairwise({"a": "x"}, {"b": "x"})


def test_scores_agree_with_the_single_functions() -> None:
    s = scores(PRED, GOLD)
    assert s.pairwise == pairwise(PRED, GOLD)
    assert s.bcubed == bcubed(PRED, GOLD)
    assert s.ari == adjusted_rand(PRED, GOLD)


# ---------------------------------------------------------------- brute force cross-checks


def brute_ari(pred: dict[str, int], gold: dict[str, int]) -> float:
    """ARI from an O(n^2) walk over every pair (Hubert & Arabie), in exact fractions."""
    items = sorted(pred)
    n = len(items)
    both = same_p = same_g = 0
    for x, y in itertools.combinations(items, 2):
        sp, sg = pred[x] == pred[y], gold[x] == gold[y]
        both += sp and sg
        same_p += sp
        same_g += sg
    total = comb(n, 2)
    if total == 0:
        return 1.0
    expected = Fraction(same_p * same_g, total)
    maximum = Fraction(same_p + same_g, 2)
    if maximum == expected:
        return 1.0
    return float((both - expected) / (maximum - expected))


def brute_pairwise(pred: dict[str, int], gold: dict[str, int]) -> tuple[float, float]:
    pairs = list(itertools.combinations(sorted(pred), 2))
    p_pairs = {(x, y) for x, y in pairs if pred[x] == pred[y]}
    g_pairs = {(x, y) for x, y in pairs if gold[x] == gold[y]}
    return (len(p_pairs & g_pairs) / len(p_pairs) if p_pairs else 1.0,
            len(p_pairs & g_pairs) / len(g_pairs) if g_pairs else 1.0)


def brute_bcubed(pred: dict[str, int], gold: dict[str, int]) -> tuple[float, float]:
    items = sorted(pred)
    if not items:
        return 1.0, 1.0
    p = sum(sum(1 for y in items if pred[y] == pred[x] and gold[y] == gold[x]) /
            sum(1 for y in items if pred[y] == pred[x]) for x in items) / len(items)
    r = sum(sum(1 for y in items if pred[y] == pred[x] and gold[y] == gold[x]) /
            sum(1 for y in items if gold[y] == gold[x]) for x in items) / len(items)
    return p, r


labelings = st.integers(min_value=0, max_value=30).flatmap(
    lambda n: st.tuples(st.lists(st.integers(0, 5), min_size=n, max_size=n),
                        st.lists(st.integers(0, 5), min_size=n, max_size=n)))


@settings(max_examples=300, deadline=None)
@given(labelings)
def test_metrics_match_brute_force(pair: tuple[list[int], list[int]]) -> None:
    pred = {f"d{i}": v for i, v in enumerate(pair[0])}
    gold = {f"d{i}": v for i, v in enumerate(pair[1])}
    assert adjusted_rand(pred, gold) == pytest.approx(brute_ari(pred, gold), abs=1e-12)
    assert adjusted_rand(pred, gold) == pytest.approx(adjusted_rand(gold, pred), abs=1e-12)
    p = pairwise(pred, gold)
    assert (p.precision, p.recall) == pytest.approx(brute_pairwise(pred, gold))
    b = bcubed(pred, gold)
    assert (b.precision, b.recall) == pytest.approx(brute_bcubed(pred, gold))
    assert -1.0 <= adjusted_rand(pred, gold) <= 1.0 + 1e-12


def test_metrics_scale_linearly() -> None:
    """100,000 items: counted from the contingency table, never pair by pair."""
    rnd = random.Random(7)
    n = 100_000
    gold = {f"d{i}": f"g{i // 4}" for i in range(n)}
    pred = {k: (v if rnd.random() < 0.9 else f"s{k}") for k, v in gold.items()}
    s = scores(pred, gold)
    assert s.pairwise.precision == 1.0
    assert 0.5 < s.pairwise.recall < 1.0
    assert 0.5 < s.ari < 1.0


# ---------------------------------------------------------------- labels files


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_jsonl_keeps_extra_fields(tmp_path: Path) -> None:
    f = write(tmp_path / "l.jsonl", '{"id": "a", "group": "g", "note": 1}\n\n{"id": 2, "group": 7}\n')
    labels = load_labels(f)
    assert labels.groups == {"a": "g", "2": "7"}
    assert labels.extra["a"] == {"note": 1}


def test_load_csv_and_custom_fields(tmp_path: Path) -> None:
    f = write(tmp_path / "l.csv", "path,thread,side\na.txt,t1,PA\nb.txt,t1,news\n")
    labels = load_labels(f, id_field="path", group_field="thread")
    assert labels.groups == {"a.txt": "t1", "b.txt": "t1"}
    assert labels.extra["b.txt"] == {"side": "news"}


@pytest.mark.parametrize(("name", "text", "message"), [
    ("l.jsonl", '{"id": "a", "group": "g"}\n{"id": "b", "group": \n', "l.jsonl line 2: not valid JSON"),
    ("l.jsonl", '{"id": "a", "group": "g"}\n[1, 2]\n', "l.jsonl line 2: expected a JSON object"),
    ("l.jsonl", '{"id": "a", "grp": "g"}\n', "l.jsonl line 1: no 'group' field"),
    ("l.jsonl", '{"id": "a", "group": null}\n', "l.jsonl line 1: 'group' missing"),
    ("l.jsonl", '{"id": "a", "group": "g"}\n{"id": "a", "group": "h"}\n', "l.jsonl line 2: id 'a' has group"),
    ("l.jsonl", "\n\n", "l.jsonl: no labels in the file"),
    ("l.csv", "doc,group\na,g\n", "l.csv line 1: no 'id' column"),
    ("l.csv", "id,group\na,g\nb,\n", "l.csv line 3: 'group' missing"),
])
def test_bad_labels_name_file_and_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    f = write(tmp_path / name, text)
    with pytest.raises(LabelError, match=message.replace("[", r"\[")) as err:
        load_labels(f)
    assert "\n" not in str(err.value)


def test_missing_and_undecodable_labels(tmp_path: Path) -> None:
    with pytest.raises(LabelError, match=r"nope\.jsonl: labels file not found"):
        load_labels(tmp_path / "nope.jsonl")
    (tmp_path / "bin.jsonl").write_bytes(b'{"id": "a", "group": "g"}\n\xff\xfe\x00\n')
    with pytest.raises(LabelError, match=r"bin\.jsonl line 2: not UTF-8"):
        load_labels(tmp_path / "bin.jsonl")


def test_labels_from_records_form_ids_as_ingest_does(tmp_path: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    lines = [
        {"id": "one", "text": texts[0], "story": "s1"},
        {"text": texts[1], "story": "s1"},  # no id: 'in/a.jsonl#2'
        {"id": "one", "text": texts[2], "story": "s1"},  # duplicate id: skipped as 'in/a.jsonl#3'
        {"id": 7, "text": texts[3], "story": "s2"},
        {"id": "x", "text": texts[4]},  # no label
    ]
    (tmp_path / "in").mkdir()
    write(tmp_path / "in" / "a.jsonl", "\n".join(orjson.dumps(r).decode() for r in lines) + "\n")
    write(tmp_path / "in" / "b.json", orjson.dumps([{"text": texts[4] + " extra words here", "story": "s3"}]).decode())
    labels = labels_from_records(tmp_path, "story")
    result = run(tmp_path, Config(jobs=1))
    ids = {d.id for d in result.documents} | {s.id for s in result.skipped}
    assert set(labels.groups) <= ids
    assert labels.groups == {"one": "s1", "in/a.jsonl#2": "s1", "in/a.jsonl#3": "s1", "7": "s2",
                             "in/b.json#1": "s3"}
    assert any(s.id == "in/a.jsonl#3" and s.reason == "duplicate_id" for s in result.skipped)
    with pytest.raises(LabelError, match="no JSON/JSONL input record has a 'nope' field"):
        labels_from_records(tmp_path, "nope")


# ---------------------------------------------------------------- evaluate on the seeds


def seed_labels(groups: dict[str, str]) -> Labels:
    ids = {p.name[:3]: p.name for p in SEEDS.glob("*.txt")}
    return Labels({ids[k]: g for k, g in groups.items()}, "test")


PERFECT = {"000": "wire", "001": "wire", "002": "wire", "003": "x3", "004": "x4"}


def test_seeds_score_perfectly(seed_run: RunResult) -> None:
    payload = evaluate(seed_run, seed_labels(PERFECT), Config(jobs=1), "seeds")
    assert payload["pairwise"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert payload["bcubed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert payload["adjusted_rand"] == 1.0
    assert payload["false_merges"] == payload["misses"] == payload["impure_clusters"] == []
    assert payload["counts"]["labelled"] == 5
    assert dumps(payload) == dumps(evaluate(seed_run, seed_labels(PERFECT), Config(jobs=1), "seeds"))


def test_clusters_from_edges_match_the_run(seed_run: RunResult) -> None:
    groups = cluster([d.id for d in seed_run.documents], [e for e in seed_run.edges if e.accepted])
    assert sorted(g.members for g in groups) == sorted(tuple(sorted(m.id for m in c.members))
                                                        for c in seed_run.clusters)


def test_false_merges_show_evidence(seed_run: RunResult) -> None:
    labels = seed_labels({**PERFECT, "002": "other"})
    payload = evaluate(seed_run, labels, Config(jobs=1), "seeds")
    assert payload["counts"]["impure_clusters"] == 1
    assert payload["counts"]["false_merge_pairs"] == 2
    merges = payload["false_merges"]
    assert {m["b"][:3] for m in merges} == {"002"}
    assert all(m["evidence"] is not None for m in merges)
    scores_ = [m["evidence"]["score"] for m in merges]
    assert scores_ == sorted(scores_)  # lowest score first
    assert payload["pairwise"]["precision"] == pytest.approx(1 / 3)


def test_misses_and_unlabelled(seed_run: RunResult) -> None:
    labels = seed_labels({"000": "wire", "001": "wire", "003": "wire"})  # 002, 004 unlabelled
    labels.groups["not-a-document.txt"] = "wire"
    payload = evaluate(seed_run, labels, Config(jobs=1), "seeds", show=5)
    c = payload["counts"]
    assert (c["labelled"], c["unlabelled"], c["labels_without_document"]) == (3, 2, 1)
    assert c["missed_pairs"] == 2
    assert len(payload["misses"]) == 2
    first = payload["misses"][0]
    assert first["evidence"] is None or first["edge_reason"]
    assert all("003" in (m["a"][:3], m["b"][:3]) for m in payload["misses"])


def test_no_matching_labels_is_an_error(seed_run: RunResult) -> None:
    with pytest.raises(LabelError, match="none of its 1 label id"):
        evaluate(seed_run, Labels({"zzz": "g"}, "labels.jsonl"), Config(), "seeds")


# ---------------------------------------------------------------- evaluate on a made-up run


def ev(score: float, cov_a: float | None = None, cov_b: float | None = None, aligned: int = 5) -> Evidence:
    return Evidence(0.5, 0.5, 0.6, 0.6, aligned, cov_a if cov_a is not None else score,
                    cov_b if cov_b is not None else score, 1.0, score, "partial")


CFG = Config(min_coverage=0.2, min_aligned=2, min_containment=0.3)  # fixed, whatever the defaults become


def edge(a: str, b: str, evidence: Evidence) -> Edge:
    """An edge decided as the verify stage decides it at CFG."""
    ok, why = decide(evidence, CFG)
    return Edge(a, b, evidence, ok, why)


def doc(i: str) -> Document:
    return Document(i, "text " * 20, i, "utf-8", "txt")


def made_up() -> RunResult:
    # a-b strong, a-c weak: one star around a; b-c were never candidates.  d, e never candidates.
    # g-h a candidate rejected for coverage.  f skipped.
    edges = (edge("a", "b", ev(0.9)), edge("a", "c", ev(0.5)), edge("g", "h", ev(0.15)))
    docs = tuple(doc(i) for i in "abcdegh")
    return RunResult(docs, (Skipped("f", "f", "too_short", "f: 3 words"),), (), edges, (), 3, 0.0)


def test_made_up_run_explains_its_errors() -> None:
    result = made_up()
    gold = {"a": "G1", "b": "G1", "c": "G2", "d": "G3", "e": "G3", "f": "G3", "g": "G4", "h": "G4"}
    payload = evaluate(result, Labels(gold, "t"), CFG, "made-up", show=10)
    merges = payload["false_merges"]
    assert [(m["a"], m["b"]) for m in merges] == [("a", "c"), ("b", "c")]
    assert merges[0]["why"].startswith("verified copy")
    assert merges[1]["evidence"] is None and merges[1]["why"].startswith("joined through a")
    misses = {(m["a"], m["b"]): m for m in payload["misses"]}
    assert misses[("g", "h")]["why"] == "candidate rejected: coverage 0.15 below 0.20"
    assert misses[("d", "e")]["why"] == "not an LSH candidate"
    assert misses[("d", "f")]["why"] == "f skipped by the pipeline (too_short)"
    assert next(iter(misses)) == ("g", "h")  # misses with a candidate edge first
    c = payload["counts"]
    assert (c["skipped_scored_as_singletons"], c["missed_pairs"], c["missed_pairs_with_candidate_edge"]) == (1, 4, 1)
    assert any("scored as singletons" in n for n in payload["notes"])
    assert any("never LSH candidates" in n for n in payload["notes"])
    # the sweep recovers g-h below 0.15 and loses a-c above 0.5
    points = {p["min_coverage"]: p for p in payload["sweep"]["points"]}
    assert points[0.15]["recall"] > points[0.2]["recall"]
    assert points[0.55]["precision"] == 1.0


# ---------------------------------------------------------------- sweep


def test_sweep_recall_never_rises_with_min_coverage(seed_run: RunResult) -> None:
    gold = seed_labels(PERFECT).groups
    points = sweep(seed_run, gold, Config(jobs=1))
    recalls = [p["recall"] for p in points]
    assert recalls == sorted(recalls, reverse=True)
    assert recalls[0] == 1.0 and recalls[-1] < 1.0
    assert all(p["precision"] == 1.0 for p in points)
    assert [p["min_coverage"] for p in points] == sorted(set(DEFAULT_THRESHOLDS) | {Config().min_coverage})
    assert sum(p["current"] for p in points) == 1


def test_sweep_on_a_random_made_up_run_is_sane() -> None:
    rnd = random.Random(3)
    ids = [f"d{i:02d}" for i in range(40)]
    gold = {i: f"g{k // 5}" for k, i in enumerate(ids)}
    edges = []
    for a, b in itertools.combinations(ids, 2):
        if gold[a] == gold[b] and rnd.random() < 0.8:
            edges.append(edge(a, b, ev(rnd.uniform(0.3, 1.0))))
        elif rnd.random() < 0.05:
            edges.append(edge(a, b, ev(rnd.uniform(0.0, 0.4))))
    result = RunResult(tuple(doc(i) for i in ids), (), (), tuple(edges), (), len(edges), 0.0)
    points = sweep(result, gold, CFG)
    assert points[0]["recall"] >= points[-1]["recall"]
    assert points[-1]["precision"] >= points[0]["precision"]
    assert all(0.0 <= p["recall"] <= 1.0 and -1.0 <= p["ari"] <= 1.0 for p in points)


def test_sweep_at_the_current_setting_reproduces_the_run(seed_run: RunResult) -> None:
    config = Config(jobs=1)
    accepted = redecide(seed_run.edges, config, config.min_coverage)
    assert accepted == [e for e in seed_run.edges if e.accepted]
    off_grid = Config(jobs=1, min_coverage=0.22)
    points = sweep(seed_run, seed_labels(PERFECT).groups, off_grid)
    assert [p["min_coverage"] for p in points if p["current"]] == [0.22]


def test_predicted_gives_singletons_their_own_key() -> None:
    pred = predicted(["a", "b"], [])
    assert pred["a"] != pred["b"]


# ---------------------------------------------------------------- plot


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("points", [
    [],
    [{"min_coverage": 0.2, "precision": 0.5, "recall": 0.5, "current": True}],
    [{"min_coverage": t, "precision": 1.0, "recall": 1.0, "current": t == 0.2} for t in DEFAULT_THRESHOLDS],
])
def test_plot_degenerate_inputs_are_well_formed(points: list[dict]) -> None:
    svg = pr_curve_svg(points, "T & <title>")
    root = ET.fromstring(svg)
    assert root.get("width") == "640" and root.get("height") == "480"
    assert "T & <title>" in texts(svg)


def test_plot_labels_every_point_and_marks_the_current_one() -> None:
    rnd = random.Random(1)
    points = [{"min_coverage": t, "precision": 0.97 + rnd.random() * 0.03, "recall": 0.4 * (1 - t),
               "current": t == 0.2} for t in DEFAULT_THRESHOLDS]  # crowded: forces the zoomed inset
    svg = pr_curve_svg(points, "title", "sub", "foot")
    shown = texts(svg)
    for t in DEFAULT_THRESHOLDS:
        assert f"{t:.2f}" in shown
    assert "zoom on the dashed region" in shown
    assert all(str(k / 10) in shown for k in range(11))  # axis ticks 0.0 .. 1.0
    assert "#d62728" in svg  # the current setting is ringed in red
