"""Answering one article at a time: is it a copy of something in the index, and of what?

A ``Searcher`` holds the index's corpus in memory (``pipeline.corpus.Corpus``:
the documents' arrays and the corpus statistics) with every document's MinHash
signature and each signature column's sort order, built once per state of the
index.  A query is then read and hashed as the first pass reads any article,
signed, and looked up value by value (``kernels.lookup``): the values a
document shares with it are their LSH meetings under the default banding of one
value per band.  The documents it meets whose estimated containment passes the
LSH screen are verified as a run verifies a candidate pair, against the index's
statistics.  The answer names the best verified match's cluster, and figures
and diffs the query against that cluster's canonical.

A query is not added: its own words do not count in the statistics, and an
article that is added can later land elsewhere when the whole corpus is
compared again (``dedup.index.ids``).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np

from dedup.config import Config
from dedup.index import segments, statistics, verdicts
from dedup.kernels.lookup import column_order, shared
from dedup.pipeline.corpus import Corpus, corpus_of
from dedup.pipeline.docstore import DocStore
from dedup.pipeline.firstpass import first_pass
from dedup.pipeline.runner import figure_variant
from dedup.pipeline.sources import materialize
from dedup.report.payload import cluster_json
from dedup.stages.signatures import sign_csr
from dedup.stages.verify import verify_pair
from dedup.types import Cluster, Member

QUERY_ID = "<query>"  # the id a queried article is compared under ('<' sorts before any path or record id)
MAX_VERIFIED = 200  # candidates verified per query, those sharing the most signature values first


class _Held:
    """The query's text, as the comparing stages read texts (``pipeline.corpus.TextStore``)."""

    def __init__(self, text: str) -> None:
        self.ids, self._text = [QUERY_ID], text

    def text(self, k: int) -> str:
        return self._text


class Searcher:
    """The index's documents in memory, ready for queries (see the module doc)."""

    def __init__(self, con: Any, path: Any, config: Config) -> None:
        t0 = time.perf_counter()
        con.execute("BEGIN")  # one snapshot of documents, clusters and their canonicals
        try:
            self.state = state(con)
            whole = segments.load(con)
            memo = verdicts.known(con, whole.ids)[0] if whole is not None else None
            freq = statistics.load(con, whole.digests) if whole is not None else None
            self.members = dict(con.execute("SELECT doc, cluster FROM members").fetchall())
            self.canonicals = dict(con.execute("SELECT id, canonical FROM clusters").fetchall())
        finally:
            con.execute("COMMIT")
        self.config = config
        self.corpus: Corpus | None = None
        if whole is not None:
            self.corpus = corpus_of(whole, config, segments.IndexStore(path, whole.infos, config), verdicts=memo,
                                    freq=freq)
            flat, offsets, distinct = self.corpus.signed()
            self.values, self.sizes = sign_csr(flat, offsets, config.num_perm, config.seed, self.corpus.common,
                                               threads=config.workers, distinct=distinct)
            self.order = column_order(self.values)  # each value's documents, by binary search
        self.seconds = time.perf_counter() - t0

    def close(self) -> None:
        """Close the connection the texts were read through."""
        if self.corpus is not None:
            self.corpus.store.close()  # type: ignore[attr-defined]

    def query(self, text: str, title: str | None = None) -> dict[str, Any]:
        config, corpus = self.config, self.corpus
        src = materialize([{"id": QUERY_ID, "text": text, "title": title}])
        try:
            p = first_pass(src.root, replace(config, jobs=1))  # one article: no worker processes
            if not p.docs.infos:
                return {"copy": False, "cluster": None, "matches": [], "skipped": [s.detail for s in p.skipped]}
            q = p.docs
            text = DocStore(q.ids, q.locators, q.digests, config).text(0)  # as the first pass read it
        finally:
            if src.folder is not None:
                src.folder.cleanup()
        if corpus is None:
            return {"copy": False, "cluster": None, "matches": []}
        one = Corpus(q.infos, [], q.shingles, corpus.common, corpus.weights, _Held(text),
                     {"ingest": 0.0, "normalize": 0.0, "shingle": 0.0}, 0, 0, q.sentences)
        flat, offsets, distinct = one.signed()
        qv, qs = sign_csr(flat, offsets, config.num_perm, config.seed, corpus.common, distinct=distinct)
        # documents sharing values, how many, kept when the LSH screen passes their estimated containment
        met, counts = shared(self.values, self.order, qv[0], self.sizes, float(qs[0]),
                             config.lsh_screen * config.min_containment)
        met = met[np.lexsort((met, -counts))][:MAX_VERIFIED]
        edges = [verify_pair(one.deferred(0), corpus.deferred(k), one.hashes(0), corpus.hashes(k), qv[0],
                             self.values[k], config, corpus.weights) for k in met.tolist()]
        accepted = sorted((e for e in edges if e.accepted), key=lambda e: (-e.evidence.score, e.b))
        matches = [{"id": e.b, "score": round(e.evidence.score, 4), "relation": e.evidence.relation,
                    "reason": e.reason} for e in accepted]
        if not accepted:
            return {"copy": False, "cluster": None, "matches": [], "verified": len(edges)}
        best = accepted[0].b
        cluster = self.members.get(best)
        canon = self.canonicals[cluster] if cluster is not None else best
        c = corpus.index[canon]
        ev, diff = figure_variant(one.profile(0), corpus.profile(c), one.hashes(0), corpus.hashes(c), qv[0],
                                  self.values[c], one.sentence_refs(0), corpus.sentence_refs(c), config,
                                  corpus.weights)
        why = f"verified copy of {best}: {accepted[0].reason}"
        pair = Cluster(cluster or "", canon, "", (Member(canon, True), Member(QUERY_ID, False, ev, diff, why)))
        body = cluster_json(pair, {QUERY_ID: q.infos[0], canon: corpus.infos[c]})
        member = next(m for m in body["members"] if m["id"] == QUERY_ID)
        return {"copy": True, "cluster": cluster, "new_cluster": cluster is None, "canonical": canon,
                "diffed_against": canon, "matches": matches, "member": member, "verified": len(edges)}


def state(con: Any) -> tuple[int, int]:
    """What a searcher was built from: the last addition, and the documents then."""
    return con.execute("SELECT (SELECT coalesce(max(batch), 0) FROM batches), (SELECT count(*) FROM docs)").fetchone()
