"""Properties of whole runs and of the MinHash estimate, checked with hypothesis on real files."""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.config import Config
from dedup.pipeline.runner import run
from dedup.stages.signatures import estimate_jaccard, sign

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_FILES = sorted(SEEDS_DIR.iterdir())
SEED_BYTES = {p.name[:3]: p.read_bytes() for p in SEED_FILES}
CONFIG = Config(jobs=1)
SETTINGS = settings(deadline=None, max_examples=20, suppress_health_check=[HealthCheck.too_slow])


def _paras(key: str) -> list[str]:
    return [p for p in SEED_BYTES[key].decode("utf-8").split("\n\n") if p.strip()]


# The seeds plus a few variants, all with distinct contents.
CORPUS: list[bytes] = list(SEED_BYTES.values()) + [
    ("\n\n".join(_paras("000")[:8]) + "\n").encode(),  # trimmed copy of 000
    ("\n\n".join(_paras("001")[:-2]) + "\n\nBlinken is due in Cairo on Thursday for further talks with "
     "Egyptian officials about the hostages.\n").encode(),  # 001 trimmed, with a sentence of its own
    ("\n\n".join(_paras("003") + _paras("003")[:2]) + "\n").encode(),  # 003 with its start repeated
    ("\n\n".join(_paras("004")[::-1]) + "\n").encode(),  # 004 with its paragraphs reversed
]
assert len(set(CORPUS)) == len(CORPUS)

NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=10)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_clusters(root: Path) -> set[frozenset[str]]:
    """The run's clusters as sets of member content hashes (names do not matter)."""
    result = run(root, CONFIG)
    by_id = {d.id: digest((root / d.path).read_bytes()) for d in result.documents}
    return {frozenset(by_id[m.id] for m in c.members) for c in result.clusters}


def id_clusters(root: Path) -> set[frozenset[str]]:
    return {frozenset(m.id for m in c.members) for c in run(root, CONFIG).clusters}


def _write_corpus(root: Path, order: list[int], prefixes: list[str]) -> None:
    for k in order:
        (root / f"{prefixes[k]}_{k}.txt").write_bytes(CORPUS[k])


BASELINE: dict[str, set[frozenset[str]]] = {}


def baseline() -> set[frozenset[str]]:
    if "corpus" not in BASELINE:
        with tempfile.TemporaryDirectory() as tmp:
            _write_corpus(Path(tmp), list(range(len(CORPUS))), [f"{k:02d}" for k in range(len(CORPUS))])
            BASELINE["corpus"] = content_clusters(Path(tmp))
    return BASELINE["corpus"]


def test_baseline_clusters_are_the_expected_ones() -> None:
    """Sanity check of the corpus the order property runs on."""
    clusters = baseline()
    h = [digest(b) for b in CORPUS]
    # the wire story with its two variants; each independent report with its own variant
    assert clusters == {frozenset(h[k] for k in (0, 1, 2, 5, 6)), frozenset((h[3], h[7])), frozenset((h[4], h[8]))}


@SETTINGS
@given(order=st.permutations(range(len(CORPUS))),
       prefixes=st.lists(NAME, min_size=len(CORPUS), max_size=len(CORPUS)))
def test_input_order_and_names_do_not_change_clusters(order: list[int], prefixes: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _write_corpus(Path(tmp), order, prefixes)
        assert content_clusters(Path(tmp)) == baseline()


SEED_BASE: dict[str, set[frozenset[str]]] = {}


def seed_clusters() -> set[frozenset[str]]:
    if "seeds" not in SEED_BASE:
        SEED_BASE["seeds"] = id_clusters(SEEDS_DIR)
    return SEED_BASE["seeds"]


@SETTINGS
@given(key=st.sampled_from(sorted(SEED_BYTES)), name=NAME, sub=st.booleans())
def test_exact_copy_joins_its_original(key: str, name: str, sub: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for p in SEED_FILES:
            (root / p.name).write_bytes(p.read_bytes())
        copy_id = f"copy/{name}.txt" if sub else f"{name}.txt"
        (root / copy_id).parent.mkdir(exist_ok=True)
        (root / copy_id).write_bytes(SEED_BYTES[key])
        original = next(p.name for p in SEED_FILES if p.name.startswith(key))
        before = seed_clusters()
        home = next((c for c in before if original in c), frozenset({original}))
        after = id_clusters(root)
        assert home | {copy_id} in after
        # the other clusters are untouched
        assert after - {home | {copy_id}} == before - {home}


# MinHash estimate bound.  Under min-wise independence each of the num_perm signature positions
# agrees with probability J, independently, so the estimate is Binomial(num_perm, J) / num_perm with
# standard deviation sqrt(J(1-J)/num_perm).  Four standard deviations leave a two-sided normal tail of
# about 6e-5 per example; the extra 0.02 covers the affine mod 2**32 family being only approximately
# min-wise independent and the normal approximation being poor when J is near 0 or 1 (where the
# sd term vanishes but a single chance agreement moves the estimate by 1/num_perm).
@settings(deadline=None, max_examples=25)
@given(num_perm=st.sampled_from([64, 128, 256]), seed=st.integers(0, 2**32 - 1),
       inter=st.integers(0, 400), only_a=st.integers(0, 400), only_b=st.integers(0, 400),
       data_seed=st.integers(0, 2**63 - 1))
def test_minhash_estimate_within_error_bound(num_perm: int, seed: int, inter: int, only_a: int, only_b: int,
                                             data_seed: int) -> None:
    total = inter + only_a + only_b
    if total == 0 or inter + only_a == 0 or inter + only_b == 0:
        return  # an empty set has no Jaccard to estimate
    values = np.random.default_rng(data_seed).choice(2**32, size=total, replace=False).astype(np.uint32)
    a = np.sort(values[:inter + only_a])
    b = np.sort(np.concatenate([values[:inter], values[inter + only_a:]]))
    j = inter / total
    sig = sign([a, b], num_perm, seed)
    est = estimate_jaccard(sig[0], sig[1])
    assert abs(est - j) <= 4 * math.sqrt(j * (1 - j) / num_perm) + 0.02, (est, j)


# ---------------------------------------------------------------- every input accounted for

_BODY = ("The council voted on Tuesday to close the old library on Main Street. Residents said they "
         "were disappointed by the decision and would appeal it at the next public meeting.\n")


def _file(kind: str) -> tuple[str, bytes, int]:
    """(extension, bytes, number of documents the file holds)."""
    if kind.startswith("seed"):
        return ".txt", SEED_BYTES[kind[4:]], 1
    return {
        "empty": (".txt", b"", 1),
        "blank": (".txt", b"   \n\n  \n", 1),
        "short": (".txt", b"Too short.\n", 1),
        "boilerplate": (".txt", b"-----\n+ There are no comments\nAdd yours\nREAD MORE: elsewhere\n"
                        b"By Emma Hibbs, PA News\nShare this article\n", 1),
        "binary": (".txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), 1),
        "png": (".png", b"\x89PNG\r\n\x1a\n\x00\x00", 1),
        "cp1252": (".txt", _BODY.replace("said", "\u201csaid\u201d").encode("cp1252"), 1),
        "md": (".md", b"# Library closes\n\n" + _BODY.encode(), 1),
        "html": (".html", b"<html><head><title>T</title></head><body><p>" + _BODY.encode()
                 + b"</p><script>var x = 1;</script></body></html>", 1),
        "json": (".json", orjson.dumps([{"text": _BODY}, {"title": "no text"}, {"text": SEED_BYTES["003"].decode()}]),
                 3),
        "json_ids": (".json", orjson.dumps([{"id": "r1", "text": _BODY}, {"id": "r1", "text": _BODY},
                                            {"id": 7, "text": "short"}]), 3),
        "bad_json": (".json", b"{not json", 1),
        "jsonl": (".jsonl", b'{"text": "' + _BODY.strip().encode() + b'"}\n\n{broken\n{"id": "r1", "text": "x"}\n'
                  b'[1, 2]\n', 4),
    }[kind]


KINDS = ["seed000", "seed001", "seed002", "seed003", "seed004", "empty", "blank", "short", "boilerplate",
         "binary", "png", "cp1252", "md", "html", "json", "json_ids", "bad_json", "jsonl"]


@SETTINGS
@given(files=st.lists(st.tuples(st.sampled_from(KINDS), NAME, st.sampled_from(["", "sub/", "sub/deeper/"])),
                      min_size=1, max_size=12, unique_by=lambda f: f[1]),
       anchor=st.sampled_from(["seed000", "seed001", "seed002", "seed003", "seed004"]),
       hidden=st.booleans())
def test_every_input_is_accounted_for_once(files, anchor: str, hidden: bool) -> None:
    files = [(anchor, "anchor", "")] + [f for f in files if f[1] != "anchor"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        expected: Counter[str] = Counter()
        for kind, name, folder in files:
            ext, data, n_docs = _file(kind)
            rel = f"{folder}{name}{ext}"
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
            expected[rel] += n_docs
        if hidden:  # hidden files and folders are not inputs
            (root / ".hidden.txt").write_bytes(SEED_BYTES["000"])
            (root / ".git").mkdir()
            (root / ".git" / "HEAD.txt").write_bytes(SEED_BYTES["001"])
        result = run(root, CONFIG)
        entries = [(d.id, d.path) for d in result.documents] + [(s.id, s.path) for s in result.skipped]
        ids = [i for i, _ in entries]
        assert len(ids) == len(set(ids)), "an id appears twice"
        assert Counter(p for _, p in entries) == expected
        for i, p in entries:
            if not p.endswith((".json", ".jsonl")):
                assert i == p
        assert {d.id for d in result.documents}.isdisjoint({s.id for s in result.skipped})
        clustered = [m.id for c in result.clusters for m in c.members]
        assert len(clustered) == len(set(clustered))
        assert set(clustered) <= {d.id for d in result.documents}
