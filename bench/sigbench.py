"""Benchmark of the signatures stage: the numba kernel against the old bulk-numpy code and datasketch.

Usage::

    .venv/bin/python bench/sigbench.py [--docs 50000] [--hashes 180] [--num-perm 128] [--seed 1]
                                       [--sample 200] [--repeat 3] [--no-compile-times]

Synthetic documents, made by a seeded numpy RNG: each is ``--hashes`` distinct
uint32 word hashes on average (sorted, as ``shingle.shingle_hashes`` gives
them), drawn from a 100,000-word vocabulary with Zipf-like frequencies, so that
a corpus-common set exists for the exclusion figures.  Prints, for each way of
signing, articles/s and MB/s of input hashes (best of ``--repeat`` runs,
compile time excluded), and whether the outputs are identical.  It asserts
nothing about time.

Compile times are measured in fresh child processes with a fresh
``NUMBA_CACHE_DIR``: once cold (numba compiles and writes its cache), once warm
(the same directory: numba loads the cache).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dedup.stages.shingle import drop_common
from dedup.stages.signatures import csr, fmix32, permutations, sign, sign_csr

# --- the old bulk-numpy implementation (dedup/signatures.py before the kernel), for comparison ---

_CHUNK = 1 << 18  # shingles per block: bounds the temporary (chunk x num_perm) matrix


def old_numpy_sign(hash_sets, num_perm: int, seed: int) -> np.ndarray:
    a, b = permutations(num_perm, seed)
    out = np.full((len(hash_sets), num_perm), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    lengths = np.fromiter((len(h) for h in hash_sets), dtype=np.int64, count=len(hash_sets))
    nonempty = np.flatnonzero(lengths)
    if len(nonempty) == 0:
        return out
    block: list[int] = []
    size = 0
    for i in nonempty:
        block.append(int(i))
        size += int(lengths[i])
        if size >= _CHUNK:
            _old_sign_block(hash_sets, block, lengths, a, b, out)
            block, size = [], 0
    if block:
        _old_sign_block(hash_sets, block, lengths, a, b, out)
    return out


def _old_sign_block(hash_sets, block, lengths, a, b, out) -> None:
    hv = fmix32(np.concatenate([hash_sets[i] for i in block]))
    phv = hv[:, None] * a[None, :]
    phv += b[None, :]
    starts = np.concatenate(([0], np.cumsum(lengths[block])[:-1]))
    out[block] = np.minimum.reduceat(phv, starts, axis=0)


# --- synthetic corpus ---------------------------------------------------------------------------

def make_corpus(n_docs: int, mean_hashes: int, rng_seed: int = 12345) -> list[np.ndarray]:
    """``n_docs`` sorted arrays of distinct uint32 hashes, about ``mean_hashes`` each."""
    rng = np.random.default_rng(rng_seed)
    vocab = np.unique(rng.integers(0, 2**32, size=110_000, dtype=np.uint64).astype(np.uint32))[:100_000]
    vocab = rng.permutation(vocab)  # rank -> hash, in no order
    cdf = np.cumsum(1.0 / (np.arange(len(vocab)) + 10.0))
    cdf /= cdf[-1]

    def draw(sizes: np.ndarray) -> list[np.ndarray]:
        """Per document, the distinct words of ``size`` Zipf-like draws, as sorted hashes."""
        width = int(sizes.max())
        h = vocab[np.searchsorted(cdf, rng.random((len(sizes), width)))]
        past = np.arange(width)[None, :] >= sizes[:, None]
        h = np.where(past, h[:, :1], h)  # draws past a document's size repeat its first: they dedupe away
        h.sort(axis=1)
        first = np.ones_like(h, dtype=bool)
        first[:, 1:] = h[:, 1:] != h[:, :-1]
        return np.split(h[first], np.cumsum(first.sum(axis=1))[:-1])

    ratio = 1.0  # distinct words per draw, near the size of a document: found by two pilot rounds
    for _ in range(2):
        pilot = np.full(2000, round(mean_hashes / ratio))
        ratio = np.mean([len(d) for d in draw(pilot)]) / pilot[0]
    sizes = rng.normal(mean_hashes / ratio, mean_hashes / ratio / 4, size=n_docs).round().astype(np.int64)
    sizes = np.clip(sizes, 1, None)
    out: list[np.ndarray] = []
    for start in range(0, n_docs, 4096):
        out.extend(draw(sizes[start:start + 4096]))
    return out


def common_of(hash_sets: list[np.ndarray], max_share: float = 0.05, min_docs: int = 50) -> np.ndarray:
    """The hashes ``drop_common`` would leave out (in more than max(min_docs, share * N) documents)."""
    limit = max(min_docs, int(max_share * len(hash_sets)))
    values, counts = np.unique(np.concatenate(hash_sets), return_counts=True)
    return values[counts > limit]


def best_of(repeat: int, fn):
    """(best seconds, last result) of ``repeat`` calls of ``fn``."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def line(label: str, n_docs: int, n_bytes: int, seconds: float) -> None:
    print(f"  {label:<44} {n_docs / seconds:>12,.0f} articles/s {n_bytes / seconds / 1e6:>9,.1f} MB/s"
          f"   ({seconds:.3f} s for {n_docs:,})")


# --- compile times, in child processes -----------------------------------------------------------

_CHILD = r"""
import time, numpy as np
t0 = time.perf_counter()
from dedup.stages.signatures import sign_csr
t1 = time.perf_counter()
flat = np.arange(1, 60, dtype=np.uint32); offsets = np.array([0, 20, 40, 59], dtype=np.int64)
common = np.array([3, 4], dtype=np.uint32)
t2 = time.perf_counter(); sign_csr(flat, offsets, 128, 1, common=common, threads=1)
t3 = time.perf_counter(); sign_csr(flat, offsets, 128, 1, common=common, threads=2)
t4 = time.perf_counter()
print(f"{t1 - t0:.3f} {t3 - t2:.3f} {t4 - t3:.3f}")
"""


def compile_times() -> None:
    root = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory(prefix="sigbench-numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=root)
        for label in ("cold cache (compile + write cache)", "warm cache (load from cache)    "):
            out = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True,
                                 check=True, cwd=root).stdout.split()
            imp, serial, parallel = (float(x) for x in out)
            print(f"  {label}: import {imp:.2f} s, first call 1 thread {serial:.2f} s, "
                  f"first call 2 threads {parallel:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--hashes", type=int, default=180, help="mean distinct hashes per document")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sample", type=int, default=200, help="documents signed by datasketch per update()")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-compile-times", action="store_true")
    args = ap.parse_args()
    import numba
    from datasketch import MinHash

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, numba {numba.__version__}, "
          f"{os.cpu_count()} CPUs, NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}, "
          f"load average {os.getloadavg()[0]:.2f} (other processes share these CPUs)")
    t0 = time.perf_counter()
    sets = make_corpus(args.docs, args.hashes)
    flat, offsets = csr(sets)
    sizes = np.diff(offsets)
    print(f"corpus: {len(sets):,} documents, {len(flat):,} hashes ({flat.nbytes / 1e6:.1f} MB), "
          f"{sizes.mean():.1f} per document (min {sizes.min()}, max {sizes.max()}); "
          f"num_perm {args.num_perm}, seed {args.seed}; made in {time.perf_counter() - t0:.1f} s")

    if not args.no_compile_times:
        print("compile time (fresh processes, a fresh NUMBA_CACHE_DIR):")
        compile_times()

    np_, seed = args.num_perm, args.seed
    t0 = time.perf_counter()
    tiny = np.array([0, 5, 10])
    for common in (None, np.sort(flat[:3])):
        for threads in (1, 2):
            sign_csr(flat[:10], tiny, np_, seed, common=common, threads=threads)
    print(f"this process: first calls (compile or cache load) {time.perf_counter() - t0:.2f} s, not counted below")

    n, nbytes = len(sets), flat.nbytes
    print("signing, no common-hash exclusion:")
    t1, (k1, c1) = best_of(args.repeat, lambda: sign_csr(flat, offsets, np_, seed, threads=1))
    line("(a) kernel, 1 thread", n, nbytes, t1)
    t2, (k2, c2) = best_of(args.repeat, lambda: sign_csr(flat, offsets, np_, seed, threads=2))
    line("(b) kernel, 2 threads", n, nbytes, t2)
    tl, kl = best_of(args.repeat, lambda: sign(sets, np_, seed))
    line("    sign(list of arrays): csr() + kernel, 1 thread", n, nbytes, tl)
    t3, old = best_of(1, lambda: old_numpy_sign(sets, np_, seed))
    line("(c) old bulk-numpy path", n, nbytes, t3)
    sample = list(range(0, n, max(1, n // args.sample)))[: args.sample]

    def by_datasketch():
        rows = []
        for i in sample:
            m = MinHash(num_perm=np_, seed=seed, hashfunc=lambda x: x)
            for h in sets[i]:
                m.update(int(h))
            rows.append(m.hashvalues)
        return np.array(rows, dtype=np.uint32)

    t4, ds = best_of(1, by_datasketch)
    line(f"(d) datasketch, update() per hash ({len(sample)} docs)", len(sample),
         int(sizes[sample].sum()) * 4, t4)
    print("  identical: kernel 1 thread == 2 threads:", np.array_equal(k1, k2) and np.array_equal(c1, c2),
          "| == sign(list):", np.array_equal(k1, kl),
          "| == old numpy:", np.array_equal(k1, old),
          f"| == datasketch on the {len(sample)} sampled docs:", np.array_equal(k1[sample], ds),
          "| counts == sizes:", np.array_equal(c1, sizes))

    print("signing, common hashes left out inside the kernel (drop_common's rule, keep_at_least=5):")
    tu, common = best_of(1, lambda: common_of(sets))
    print(f"  {len(common):,} common hashes (in > max(50, 5% of N) documents); "
          f"finding them with np.unique(return_counts) took {tu:.3f} s")
    t5, (e1, d1) = best_of(args.repeat, lambda: sign_csr(flat, offsets, np_, seed, common=common, threads=1))
    line("(e) kernel + exclusion, 1 thread", n, nbytes, t5)
    t6, (e2, d2) = best_of(args.repeat, lambda: sign_csr(flat, offsets, np_, seed, common=common, threads=2))
    line("(f) kernel + exclusion, 2 threads", n, nbytes, t6)
    t7, dropped = best_of(1, lambda: drop_common(sets, 0.05, 50))
    ref = sign(dropped, np_, seed)
    ref_counts = np.array([len(h) for h in dropped])
    line("    drop_common() alone (before this change)", n, nbytes, t7)
    print(f"  hashes used per document: mean {d1.mean():.1f} of {sizes.mean():.1f}; "
          f"{int((d1 == sizes).sum()):,} documents kept all of their own")
    print("  identical: 1 thread == 2 threads:", np.array_equal(e1, e2) and np.array_equal(d1, d2),
          "| == drop_common + sign:", np.array_equal(e1, ref),
          "| counts == drop_common sizes:", np.array_equal(d1, ref_counts))
    print(f"speed-up of the 1-thread kernel over the old numpy path: {t3 / t1:.1f}x; "
          f"over datasketch: {(t4 / len(sample)) / (t1 / n):.0f}x")


if __name__ == "__main__":
    main()
