"""The corpus generator's text model: an order-2 word Markov chain trained on real news.

The training text is read with ``textsource`` (wire markup stripped) and split
into sentences.  Proper nouns and numbers become placeholders (ENT, LOC, NUM),
filled per article by ``gen_article.Cast``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from textsource import is_byline, read_text, text_files, wire_paragraphs

ENT = "\x01"  # placeholder for a run of proper nouns
NUM = "\x02"  # placeholder for a number
EOS = "\x03"  # end of sentence (a vocabulary entry)
BOS = "\x04"  # start-of-sentence padding
ROWSEP = "\x06"  # ends one article's row of tokens in a block's joined text
LOC = "\x05"  # placeholder for a proper noun after 'in', 'at', 'from', ...: a place
_LOC_BEFORE = {"in", "at", "from", "near", "outside", "across", "around", "towards"}

MONTHS_DAYS = set("""January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter British English Scottish Welsh
Irish American French German European Britain England Scotland Wales Ireland London OK TV I""".split())  # noqa: SIM905

# --------------------------------------------------------------------------- reading the source text

_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"'\u2019\u201d)]*\s+(?=[\"'\u2018\u201c(]?[A-Z0-9])")
_DIGITS = re.compile(r"\d(?:[\d,.:/]*\d)?")
_CORE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.DOTALL)


def clean_paragraphs(text: str) -> list[str]:
    """Wire or plain text -> prose paragraphs: drops rule lines, PA page headers
    ("16:54 01/03/00: Page 1 (ZSM) COURTS X"), `<` line ends, control characters,
    all-capitals headlines, bylines and date/metadata lines."""
    out = []
    for par in wire_paragraphs(text):
        words = par.split()
        if len(words) < 6 or not any(c.islower() for c in par):
            continue
        if is_byline(par) or par.lower().startswith(("date ", "date:")):
            continue
        out.append(par)
    return out


def read_sentences(source: Path) -> list[str]:
    """Every distinct sentence of the source folder's articles, in path order."""
    files = [p for p in text_files(source) if p.name.lower() != "readme.txt"]
    seen: set[str] = set()
    out = []
    for p in files:
        for par in clean_paragraphs(read_text(p)):
            for s in _SENT_SPLIT.split(par):
                s = s.strip()
                if len(s.split()) >= 4 and s not in seen:
                    seen.add(s)
                    out.append(s)
    return out


# --------------------------------------------------------------------------- the Markov chain


@dataclass
class Chain:
    """Order-2 word chain in CSR form: state s's successors are entries off[s] .. off[s]+cnt[s]-1
    (repeated as often as seen); entry e emits word ``succ_word[e]`` and moves to ``succ_state[e]``."""

    vocab: list[str]
    off: np.ndarray
    cnt: np.ndarray
    succ_word: np.ndarray
    succ_state: np.ndarray
    start: int
    eos: int
    rowsep: int
    sentences: int
    tokens: int
    source: str


def _mark(tokens: list[str], lower_seen: set[str]) -> list[str]:
    """Numbers -> NUM, runs of proper nouns -> one ENT, or LOC after 'in', 'at', ... (punctuation kept)."""
    out: list[str] = []
    prev_ent = False
    for tok in tokens:
        lead, core, trail = _CORE.match(tok).groups()
        if core and core[0].isupper() and any(c.isalpha() for c in core) and core not in MONTHS_DAYS \
                and not core.startswith("I'") and (core.lower() not in lower_seen or (core.isupper() and len(core) > 1)):
            if prev_ent and not lead:  # "Victoria Beckham" -> one entity
                out[-1] += trail
                prev_ent = not trail
                continue
            loc = bool(out) and out[-1].lower() in _LOC_BEFORE
            out.append(lead + (LOC if loc else ENT) + trail)
            prev_ent = not trail
            continue
        prev_ent = False
        out.append(_DIGITS.sub(NUM, tok) if any(c.isdigit() for c in tok) else tok)
    return out


def build_chain(source: Path) -> Chain:
    sentences = read_sentences(source)
    if not sentences:
        raise SystemExit(f"Error: {source}: no usable text to train the Markov chain")
    split = [s.split() for s in sentences]
    lower_seen = {w.lower() for ws in split for w in ws if w[:1].islower()}
    lower_seen = {_CORE.match(w).group(2) for w in lower_seen}
    vocab: dict[str, int] = {BOS: 0, EOS: 1}
    states: dict[tuple[int, int], int] = {}
    trans: list[tuple[int, int, int]] = []  # (state, word, next_state)

    def sid(a: int, b: int) -> int:
        s = states.get((a, b))
        if s is None:
            s = states[(a, b)] = len(states)
        return s

    start = sid(0, 0)
    n_tok = 0
    for ws in split:
        ids = [vocab.setdefault(w, len(vocab)) for w in _mark(ws, lower_seen)]
        n_tok += len(ids)
        a, b = 0, 0
        for w in ids:
            s = sid(a, b)
            a, b = b, w
            trans.append((s, w, sid(a, b)))
        trans.append((sid(a, b), 1, start))
    arr = np.array(trans, dtype=np.int64)
    order = np.argsort(arr[:, 0], kind="stable")
    arr = arr[order]
    cnt = np.bincount(arr[:, 0], minlength=len(states)).astype(np.int64)
    off = np.concatenate([[0], np.cumsum(cnt)[:-1]]).astype(np.int64)
    words = [""] * len(vocab)
    for w, i in vocab.items():
        words[i] = w
    words.append(ROWSEP)  # emitted by no transition
    return Chain(words, off, cnt, arr[:, 1].astype(np.int32), arr[:, 2].astype(np.int64), start, 1,
                 len(words) - 1, len(sentences), n_tok, str(source))


def walk(chain: Chain, rng: np.random.Generator, k: int, steps: int, state: np.ndarray | None = None):
    """Run ``k`` chains for ``steps`` steps at once; (words k x steps, final states)."""
    state = np.full(k, chain.start, dtype=np.int64) if state is None else state
    out = np.empty((k, steps), dtype=np.int32)
    for t in range(steps):
        e = chain.off[state] + (rng.random(k) * chain.cnt[state]).astype(np.int64)
        out[:, t] = chain.succ_word[e]
        state = chain.succ_state[e]
    return out, state
