"""A floor for the first pass: the least a compiled pass over a JSON lines shard can do per article.

Usage:  python bench/floor.py SHARD.jsonl [--perm 128] [--batch 1000] [--repeat 3]

Reads every record (``orjson``, as ``stages.records`` does), then per batch of
texts one numba call over their code points (one UTF-32 buffer, as the first
pass makes): lowercase ASCII, split into words at anything that is not
an ASCII letter or digit, hash each word (FNV-1a 64, folded to 32 bits), and make a
MinHash signature of ``--perm`` permutations (``a * h + b`` modulo 2**32 with odd
``a``: one vectorized 32-bit multiply-add per word and permutation).  No sentences, no stems, no line rules, no Unicode: what any
first pass must at least do.  Prints articles/s on one core (CPU seconds of this
process, and wall), for reading alone and for the whole pass, best of
``--repeat``.
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np
import orjson


@numba.njit(cache=True, nogil=True)
def _signatures(buf: np.ndarray, starts: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    docs, perm = len(starts) - 1, len(a)
    out = np.empty((docs, perm), dtype=np.uint32)
    mins = np.empty(perm, dtype=np.uint32)
    for d in range(docs):
        mins[:] = np.uint32(0xFFFFFFFF)
        x, end = starts[d], starts[d + 1]
        while x < end:
            c = buf[x]
            if not ((97 <= c <= 122) or (65 <= c <= 90) or (48 <= c <= 57)):
                x += 1
                continue
            h = np.uint64(0xCBF29CE484222325)
            while x < end:
                c = buf[x]
                if 65 <= c <= 90:
                    c += 32
                elif not ((97 <= c <= 122) or (48 <= c <= 57)):
                    break
                h = (h ^ np.uint64(c)) * np.uint64(0x100000001B3)
                x += 1
            h32 = np.uint32((h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF))
            for p in range(perm):  # vectorized: one 32-bit multiply-add per permutation
                mins[p] = min(mins[p], a[p] * h32 + b[p])
        out[d] = mins
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shard")
    ap.add_argument("--perm", type=int, default=128)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**31, size=args.perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = rng.integers(0, 2**32, size=args.perm, dtype=np.uint32)
    _signatures(np.frombuffer("warm up".encode("utf-32-le"), dtype=np.uint32), np.array([0, 7], dtype=np.int64), a, b)

    def read() -> list[str]:
        with open(args.shard, "rb") as f:
            return [orjson.loads(line)["text"] for line in f]

    def whole() -> int:
        n = 0
        with open(args.shard, "rb") as f:
            texts: list[str] = []
            for line in f:
                texts.append(orjson.loads(line)["text"])
                if len(texts) == args.batch:
                    n += len(sign(texts))
                    texts = []
            if texts:
                n += len(sign(texts))
        return n

    def sign(texts: list[str]) -> np.ndarray:
        starts = np.zeros(len(texts) + 1, dtype=np.int64)  # code points, as the first pass reads them
        np.cumsum([len(t) for t in texts], out=starts[1:])
        return _signatures(np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32),
                           starts, a, b)

    n = len(read())
    for name, fn in (("read records only", read), ("read + tokenize + hash + MinHash", whole)):
        best_cpu = best_wall = float("inf")
        for _ in range(args.repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            fn()
            best_cpu, best_wall = min(best_cpu, time.process_time() - c0), min(best_wall, time.perf_counter() - w0)
        print(f"{name:34s} {n / best_cpu:9,.0f} articles/s per CPU second ({best_cpu / n * 1e6:6.1f} us/article), "
              f"{n / best_wall:9,.0f} articles/s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
