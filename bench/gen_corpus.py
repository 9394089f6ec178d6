"""Seeded generator of realistic article corpora with planted near-duplicates.

Usage::

    python bench/gen_corpus.py N OUT_DIR [--seed 1] [--dup-share 0.2] [--format txt|jsonl]
                               [--source DIR] [--jobs J] [--force]

Text comes from a word-level Markov chain of order 2, trained on real news:
the METER corpus (``../shared/data/meter/corpus`` beside the repository, PA wire
copy and UK newspapers; wire markup stripped) when present, else the
repository's ``seeds/``, or any folder given with ``--source``.  Proper nouns
and numbers in the training text become placeholders, filled per article from
its own cast (people from a built-in list of first names and surnames, places,
organisations) and its own numbers, so two unrelated articles share topic
words but not their names and figures, and are not near-duplicates.

Articles are about 3,000 characters: paragraphs of one to three sentences.
``--dup-share`` of the articles (exactly ``round(N * share)``) are *variants*
of another generated article, each made by one labelled transform:

=========== ===============================================================
exact       a verbatim copy
trimmed     the first 30-90% of the text (whole sentences; wire copy cut from the bottom)
extended    an extra paragraph (2-3 more sentences of the same story) inserted
reordered   the paragraphs in another order
reworded    about 10% of the words swapped for synonyms from a built-in table
ocr         1-3% of the characters edited (look-alike swaps, substitutions, drops, doublings)
=========== ===============================================================

Output::

    OUT_DIR/articles/NNNN/NNNNNNNN.txt   (--format txt; at most 1000 files per folder)
    OUT_DIR/articles.jsonl               (--format jsonl; {"id", "text"} per line)
    OUT_DIR/labels.jsonl                 {"id", "group", "transform", "base", "chars", ...} per article
    OUT_DIR/manifest.json                settings, counts, timing

A label's ``id`` is the document id ``dedup run`` gives the article when run on
``OUT_DIR/articles`` (its path below that folder) or on ``OUT_DIR/articles.jsonl``
(the record id).  ``group`` is the id of the original article of the group (an
original without variants is its own group); ``base`` is that original for a
variant and null for an original.

Determinism: work is cut into blocks of 1000 articles (one folder each); each
block draws from generators seeded with (seed, block number), and a variant's
original is always in its own block.  The same source, N, seed and options give
byte-identical output for any ``--jobs``.  Blocks run in forked worker
processes and are written as they finish (streaming: memory does not grow with N).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import multiprocessing as mp
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

try:
    import orjson

    def _dumps(obj) -> str:
        return orjson.dumps(obj).decode("utf-8")
except ImportError:  # the same bytes, only slower
    def _dumps(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

REPO = Path(__file__).resolve().parents[1]
DEFAULT_METER = REPO.parent / "shared" / "data" / "meter" / "corpus"
SEEDS = REPO / "seeds"
BLOCK = 1000  # articles per block and per folder
TRANSFORMS = ("exact", "trimmed", "extended", "reordered", "reworded", "ocr")

ENT = "\x01"  # placeholder for a run of proper nouns
NUM = "\x02"  # placeholder for a number
EOS = "\x03"  # end of sentence (a vocabulary entry)
BOS = "\x04"  # start-of-sentence padding
ROWSEP = "\x06"  # ends one article's row of tokens in a block's joined text
LOC = "\x05"  # placeholder for a proper noun after 'in', 'at', 'from', ...: a place
_LOC_BEFORE = {"in", "at", "from", "near", "outside", "across", "around", "towards"}

# --------------------------------------------------------------------------- built-in lists

FIRST_NAMES = """
Aaron Abigail Adam Adrian Aisha Alan Albert Alex Alice Alison Amanda Amir Amy Andrew Angela Anita Ann
Anthony Arthur Barbara Barry Ben Bernard Beth Bill Brenda Brian Bridget Carl Carol Caroline Catherine
Charles Charlotte Chloe Chris Christine Clare Colin Craig Daniel Darren David Dean Deborah Denise Derek
Diane Dominic Donna Douglas Edward Eileen Elaine Eleanor Elizabeth Emily Emma Eric Fatima Fiona Frank
Gary Gavin Geoffrey George Gerald Gillian Gordon Graham Hannah Harold Harry Hazel Heather Helen Henry
Hugh Ian Imran Irene Isaac Jack Jacqueline James Jane Janet Jason Jean Jennifer Jeremy Jessica Joan John
Jonathan Joseph Joyce Judith Julia Julian Karen Kate Keith Kelly Kenneth Kevin Kim Laura Lauren Lee
Leonard Lesley Lewis Linda Lisa Louise Lucy Lynn Malcolm Marcus Margaret Maria Mark Martin Mary Matthew
Maureen Michael Michelle Mohammed Natalie Neil Nicholas Nicola Nigel Norman Oliver Owen Pamela Patricia
Patrick Paul Pauline Peter Philip Priya Rachel Raj Raymond Rebecca Richard Rita Robert Roger Ronald Rose
Ruth Ryan Sally Samuel Sandra Sarah Scott Sean Sharon Shirley Simon Sophie Stephen Steven Stuart Susan
Teresa Thomas Timothy Tony Tracy Trevor Valerie Victoria Vincent Wayne Wendy William Yasmin Zoe
""".split()  # noqa: SIM905

SURNAMES = """
Abbott Adams Ahmed Akhtar Allen Anderson Armstrong Atkinson Bailey Baker Ball Banks Barker Barnes Barrett
Bates Bell Bennett Berry Bird Bishop Black Booth Bradley Brooks Brown Burke Burns Butler Campbell Carr
Carter Chambers Chapman Clarke Cole Coleman Collins Cook Cooper Cox Crawford Cunningham Davidson Davies
Dawson Dixon Doherty Douglas Doyle Duncan Dunn Edwards Elliott Ellis Evans Farrell Ferguson Fisher Fleming
Fletcher Ford Foster Fox Francis Fraser Gardner Gibson Gill Gordon Graham Grant Gray Green Griffiths Hall
Hamilton Harper Harris Harrison Hart Harvey Hawkins Hayes Henderson Hill Holmes Hopkins Howard Hudson Hughes
Hunt Hunter Hussain Jackson James Jenkins Johnson Johnston Jones Kaur Kelly Kennedy Khan King Knight Lambert
Lawrence Lawson Lee Lewis Lloyd Lowe Lynch Macdonald Marshall Martin Mason Matthews McCarthy McDonald
Miller Mills Mitchell Moore Morgan Morris Murphy Murray Newman Nicholson Noble Norris O'Brien O'Connor
Owen Palmer Parker Patel Payne Pearce Pearson Perry Phillips Porter Powell Price Quinn Reid Reynolds
Richards Richardson Riley Roberts Robertson Robinson Rogers Rose Ross Russell Ryan Saunders Scott Shah
Sharp Shaw Simpson Singh Slater Smith Spencer Stevens Stewart Stone Sullivan Taylor Thomas Thompson
Thomson Turner Walker Wallace Walsh Ward Watson Watts Webb Wells West White Whitehead Wilkinson Williams
Wilson Wood Woods Wright Young
""".split()  # noqa: SIM905

PLACES = """
Aberdeen Bath Belfast Birmingham Blackpool Bolton Bournemouth Bradford Brighton Bristol Cambridge
Canterbury Cardiff Carlisle Chelmsford Chester Colchester Coventry Derby Doncaster Dover Dundee Durham
Edinburgh Exeter Glasgow Gloucester Guildford Harrogate Hull Inverness Ipswich Kendal Lancaster Leeds
Leicester Lincoln Liverpool Luton Maidstone Manchester Middlesbrough Newcastle Newport Northampton
Norwich Nottingham Oxford Perth Peterborough Plymouth Portsmouth Preston Reading Salford Salisbury
Sheffield Shrewsbury Southampton Stockport Sunderland Swansea Swindon Taunton Truro Wakefield Warrington
Watford Winchester Wolverhampton Worcester York Dublin Paris Madrid Rome Berlin Lisbon Amsterdam Brussels
Vienna Prague Warsaw Athens Oslo Stockholm Boston Chicago Toronto Sydney Auckland Mumbai
""".split()  # noqa: SIM905

ORG_KINDS = ["Crown Court", "Magistrates' Court", "City Council", "County Council", "General Hospital",
             "Police", "University", "Football Club", "Building Society", "Chamber of Commerce",
             "Housing Association", "Primary School", "Fire and Rescue Service", "Theatre", "Rovers"]
ORG_FIRMS = ["Holdings", "Group", "Associates", "and Partners", "Media", "Records", "Engineering",
             "Foods", "Logistics", "Productions"]

MONTHS_DAYS = set("""January February March April May June July August September October November December
Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter British English Scottish Welsh
Irish American French German European Britain England Scotland Wales Ireland London OK TV I""".split())  # noqa: SIM905

SYNONYMS: dict[str, list[str]] = {
    "said": ["stated", "remarked"], "says": ["states"], "told": ["informed"], "asked": ["questioned"],
    "began": ["started"], "started": ["began"], "begin": ["start"], "start": ["begin"],
    "ended": ["finished"], "help": ["assist"], "helped": ["assisted"], "showed": ["revealed"],
    "revealed": ["disclosed"], "disclosed": ["revealed"], "claimed": ["alleged"], "alleged": ["claimed"],
    "believed": ["thought"], "thought": ["believed"], "think": ["believe"], "believe": ["think"],
    "know": ["understand"], "knew": ["realised"], "want": ["wish"], "wanted": ["wished"],
    "need": ["require"], "needed": ["required"], "got": ["received"], "gave": ["handed"],
    "made": ["created"], "took": ["seized"], "bought": ["purchased"], "tried": ["attempted"],
    "big": ["large"], "large": ["big"], "huge": ["enormous"], "small": ["little"], "little": ["small"],
    "very": ["extremely"], "really": ["truly"], "about": ["around"], "around": ["about"],
    "nearly": ["almost"], "almost": ["nearly"], "also": ["additionally"], "often": ["frequently"],
    "later": ["subsequently"], "now": ["currently"], "after": ["following"], "during": ["throughout"],
    "quickly": ["rapidly"], "happy": ["pleased"], "pleased": ["delighted"], "angry": ["furious"],
    "upset": ["distressed"], "important": ["significant"], "difficult": ["hard"], "wrong": ["incorrect"],
    "home": ["house"], "house": ["home"], "children": ["kids"], "kids": ["children"], "woman": ["lady"],
    "people": ["individuals"], "person": ["individual"], "friend": ["pal"], "friends": ["pals"],
    "job": ["post"], "money": ["cash"], "cash": ["money"], "car": ["vehicle"], "doctor": ["physician"],
    "doctors": ["physicians"], "film": ["movie"], "movie": ["film"], "singer": ["vocalist"],
    "star": ["celebrity"], "trial": ["hearing"], "case": ["matter"], "evidence": ["testimony"],
    "prison": ["jail"], "jail": ["prison"], "killed": ["slain"], "died": ["passed away"],
    "attack": ["assault"], "attacked": ["assaulted"], "injured": ["hurt"], "hurt": ["injured"],
    "shocked": ["stunned"], "found": ["discovered"], "saw": ["spotted"], "came": ["arrived"],
    "daughter": ["girl"], "son": ["boy"], "mother": ["mum"], "father": ["dad"], "mum": ["mother"],
    "dad": ["father"], "old": ["elderly"], "night": ["evening"], "evening": ["night"],
    "statement": ["announcement"], "decision": ["ruling"], "added": ["continued"],
    "spokesman": ["representative"], "spokeswoman": ["representative"], "because": ["since"],
    "but": ["yet"], "however": ["nevertheless"], "while": ["whilst"], "until": ["till"],
    "many": ["numerous"], "every": ["each"], "each": ["every"], "just": ["only"], "only": ["just"],
    "again": ["once more"], "last": ["previous"], "next": ["following"], "before": ["prior to"],
    "went": ["headed"], "wife": ["spouse"], "husband": ["partner"], "court": ["courtroom"],
    "jury": ["jurors"], "police": ["officers"], "officers": ["police"], "man": ["male"],
    "year": ["twelve months"], "week": ["seven days"],
    "should": ["ought to"], "could": ["might"], "might": ["could"], "will": ["shall"], "get": ["obtain"],
    "give": ["hand"], "make": ["create"], "take": ["seize"], "buy": ["purchase"], "try": ["attempt"],
}

OCR_LOOKALIKE = {"e": "c", "c": "e", "l": "1", "1": "l", "i": "l", "O": "0", "0": "O", "o": "0", "S": "5",
                 "5": "S", "B": "8", "m": "rn", "rn": "m", "h": "b", "n": "h", "u": "v", "a": "o", "t": "f"}

# --------------------------------------------------------------------------- reading the source text

_RULE_LINE = re.compile(r"^\s*[-=_*~]{5,}\s*$")
_WIRE_HEADER = re.compile(r"^\s*\d{1,2}:\d{2}\s+\d{1,2}/\d{1,2}/\d{2,4}:?\s+Page\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
_TAG = re.compile(r"<[A-Za-z/!][^<>\n]*>")
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'\-]*(?:\s+(?:and\s+)?[A-Z][\w.'\-]*){0,6}\s*(?:,.*)?$")
_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"'\u2019\u201d)]*\s+(?=[\"'\u2018\u201c(]?[A-Z0-9])")
_DIGITS = re.compile(r"\d(?:[\d,.:/]*\d)?")
_CORE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.DOTALL)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def clean_paragraphs(text: str) -> list[str]:
    """Wire or plain text -> prose paragraphs: drops rule lines, PA page headers
    ("16:54 01/03/00: Page 1 (ZSM) COURTS X"), `<` line ends, control characters,
    all-capitals headlines, bylines and date/metadata lines."""
    text = _TAG.sub("\n", text)
    paras: list[str] = []
    cur: list[str] = []

    def flush() -> None:
        if cur:
            paras.append(" ".join(cur))
            cur.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _RULE_LINE.match(raw) or _WIRE_HEADER.match(_CONTROL.sub("", raw)):
            flush()
            continue
        if raw[:1] and _CONTROL.match(raw[:1]):  # PA's paragraph mark (^Y) starts a paragraph
            flush()
        line = _CONTROL.sub(" ", raw).strip()
        ends = line.endswith("<")
        line = line.rstrip("<").strip()
        if not line:
            flush()
            continue
        cur.append(line)
        if ends:
            flush()
    flush()
    out = []
    for par in paras:
        par = par.replace("``", '"').replace("''", '"').replace("`", "'")
        par = re.sub(r"\s_\s", " - ", par)
        par = re.sub(r"#(?=\d)", "\u00a3", par)  # PA writes the pound sign as '#'
        par = re.sub(r"\s+", " ", par).strip()
        words = par.split()
        if len(words) < 6 or not any(c.islower() for c in par):
            continue
        if (_BYLINE.match(par) and len(par) < 90) or par.lower().startswith(("date ", "date:")):
            continue
        out.append(par)
    return out


def read_sentences(source: Path) -> list[str]:
    """Every distinct sentence of the source folder's articles, in path order."""
    files = sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith(".")
                   and p.name.lower() != "readme.txt")
    seen: set[str] = set()
    out = []
    for p in files:
        for par in clean_paragraphs(_decode(p.read_bytes())):
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
                and not core.startswith("I'") and (core.lower() not in lower_seen or core.isupper() and len(core) > 1):
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


# --------------------------------------------------------------------------- one article


class Cast:
    """An article's own people, places, organisations and numbers, and how often each is named."""

    def __init__(self, r: random.Random) -> None:
        self.r = r
        people = [(r.choice(FIRST_NAMES), r.choice(SURNAMES)) for _ in range(3)]
        self.lead = f"{people[0][0]} {people[0][1]}"  # the first name in the article: the main person in full
        places = r.sample(PLACES, 2)
        orgs = [f"{r.choice(places + PLACES)} {r.choice(ORG_KINDS)}", f"{r.choice(SURNAMES)} {r.choice(ORG_FIRMS)}"]
        titled = [f"{r.choice(('Mr', 'Ms', 'Mrs', 'Dr'))} {last}" for _, last in people]
        pool = [f"{a} {b}" for a, b in people] + [b for _, b in people] + titled + places + orgs
        weights = [8, 4, 2] + [14, 6, 3] + [5, 2, 1] + [6, 3] + [5, 3]
        self.ents = pool
        self.ent_cw = list(_cumsum(weights))
        self.locs = places + orgs[:1]
        self.loc_cw = [6, 9, 10]
        self.numbers = [self._number() for _ in range(8)]

    def _number(self) -> str:
        x = self.r.random()
        y = self.r.random()
        if x < 0.55:
            return str(2 + int(y * 98))
        if x < 0.75:
            return str(100 + int(y * 900))
        if x < 0.85:
            return f"{1 + int(y * 99)},{int(x * 1e6) % 1000:03d}"
        return str(1965 + int(y * 60))

    def fill(self, text: str, first: bool = True) -> str:
        """Every placeholder of ``text`` replaced: entities, places and numbers of this cast."""
        r = self.r
        for ph, pool, cw in ((ENT, self.ents, self.ent_cw), (LOC, self.locs, self.loc_cw), (NUM, self.numbers, None)):
            if ph not in text:
                continue
            parts = text.split(ph)
            picks = r.choices(pool, cum_weights=cw, k=len(parts) - 1)
            if ph == ENT and first:
                picks[0] = self.lead
            out = [""] * (2 * len(parts) - 1)
            out[0::2] = parts
            out[1::2] = picks
            text = "".join(out)
        return text


def _cumsum(xs: list[int]):
    t = 0
    for x in xs:
        t += x
        yield t


_FILL = re.compile(f"([{ENT}{NUM}{LOC}])")


def paragraphs_of(r: random.Random, sentences: list[str]) -> list[list[str]]:
    """News style: a one-sentence lede, then paragraphs of one to three sentences."""
    paras = [sentences[:1]]
    k = 1
    while k < len(sentences):
        n = 1 if r.random() < 0.35 else 2 if r.random() < 0.75 else 3
        paras.append(sentences[k:k + n])
        k += n
    return paras


def text_of(paras: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paras if p) + "\n"


# --------------------------------------------------------------------------- transforms


def trimmed(r: random.Random, paras: list[list[str]]) -> tuple[list[list[str]], dict]:
    """The first whole sentences holding about ``keep`` of the characters; at least 2, never all."""
    keep = r.uniform(0.3, 0.9)
    lens = [len(s) + 1 for p in paras for s in p]
    total = sum(lens)
    k, have = 0, 0
    while k < len(lens) - 1 and (have < keep * total or k < 2):
        have += lens[k]
        k += 1
    out: list[list[str]] = []
    left = k
    for p in paras:
        if left <= 0:
            break
        out.append(p[:left])
        left -= len(p)
    return out, {"keep": round(have / total, 3)}


def extended(r: random.Random, paras: list[list[str]], extra: list[str]) -> tuple[list[list[str]], dict]:
    at = len(paras) if r.random() < 0.5 else r.randint(1, len(paras))
    return paras[:at] + [extra] + paras[at:], {"inserted_at": at, "added_chars": sum(len(s) + 1 for s in extra)}


def reordered(r: random.Random, paras: list[list[str]]) -> tuple[list[list[str]], dict]:
    order = list(range(len(paras)))
    if len(order) > 1:
        while order == sorted(order):
            r.shuffle(order)
    return [paras[k] for k in order], {"order": order}


_WORDS = re.compile(r"[A-Za-z]+")


def reworded(r: random.Random, text: str, share: float = 0.10) -> tuple[str, dict]:
    words = list(_WORDS.finditer(text))
    cands = [m for m in words if m.group() in SYNONYMS]
    k = min(len(cands), round(share * len(words)))
    chosen = sorted(r.sample(range(len(cands)), k))
    parts = []
    last = 0
    for c in chosen:
        m = cands[c]
        w = m.group()
        new = r.choice(SYNONYMS[w])
        parts.append(text[last:m.start()])
        parts.append(new)
        last = m.end()
    parts.append(text[last:])
    return "".join(parts), {"swapped_share": round(k / max(1, len(words)), 3)}


def ocr(r: random.Random, text: str) -> tuple[str, dict]:
    rate = r.uniform(0.01, 0.03)
    n = len(text)
    pos = sorted(r.sample(range(n), max(1, round(rate * n))), reverse=True)
    chars = list(text)
    letters = "abcdefghijklmnopqrstuvwxyz"
    for p in pos:
        c = chars[p]
        if c == "\n":
            continue
        x = r.random()
        if x < 0.4 and c in OCR_LOOKALIKE:
            chars[p] = OCR_LOOKALIKE[c]
        elif x < 0.7:
            chars[p] = r.choice(letters)
        elif x < 0.85:
            chars[p] = ""
        else:
            chars[p] = c + c
    return "".join(chars), {"edit_rate": round(len(pos) / n, 4)}


# --------------------------------------------------------------------------- blocks

_CHAIN: Chain | None = None  # set in the parent before forking workers
_OPTS: dict = {}


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def dup_count(start: int, end: int, share: float) -> int:
    """Variants among articles [start, end): the totals add up to round(N * share) exactly."""
    return _round(end * share) - _round(start * share)


def doc_id(k: int, fmt: str) -> str:
    return f"{k // BLOCK:04d}/{k:08d}.txt" if fmt == "txt" else f"{k:08d}"


def make_block(b: int) -> tuple[bytes, bytes, dict]:
    """Articles [b*BLOCK, min(N, (b+1)*BLOCK)): (article bytes for jsonl or b'', label bytes, counts)."""
    chain = _CHAIN
    assert chain is not None
    n_total, seed, share, fmt, out_dir = (_OPTS[k] for k in ("n", "seed", "share", "format", "out"))
    start, end = b * BLOCK, min(n_total, (b + 1) * BLOCK)
    size = end - start
    d = dup_count(start, end, share)
    n_orig = size - d
    rng = np.random.default_rng([seed, b])
    r = random.Random(f"gen_corpus:{seed}:{b}")

    # sentence streams for the originals: ~3,000 characters each plus a spare paragraph for 'extended'
    targets = [r.randint(2500, 3500) for _ in range(n_orig)]
    casts = [Cast(r) for _ in range(n_orig)]
    streams: list[list[str]] = [[] for _ in range(n_orig)]
    lengths = [0] * n_orig
    carry = [""] * n_orig  # an unfinished sentence (text with placeholders), continued by the next walk
    vocab = chain.vocab
    need = list(range(n_orig))
    state = None
    steps = 700
    while need:
        words, st = walk(chain, rng, len(need), steps, None if state is None else state[need])
        if state is None:
            state = st
        else:
            state[need] = st
        # one join for the whole block: a row separator token ends every article's row
        words = np.concatenate([words, np.full((len(need), 1), chain.rowsep, dtype=words.dtype)], axis=1)
        rows = " ".join(map(vocab.__getitem__, words.ravel().tolist())).split(ROWSEP)
        for row_k, i in enumerate(need):
            text = carry[i] + rows[row_k]
            last = text.rfind(EOS)
            if last < 0:
                carry[i] = text
                continue
            carry[i] = text[last + 1:]
            text = casts[i].fill(text[:last], first=not streams[i])
            sents = [x.strip() for x in text.split(EOS)]
            streams[i].extend(x for x in sents if x)
            lengths[i] += len(text)
        # an article needs its target length and three spare sentences
        need = [i for i in need if lengths[i] < targets[i] + 600 or len(streams[i]) < 6]
        steps = 200

    originals = []
    for i in range(n_orig):
        sents = streams[i]
        have = 0
        k = 0
        while k < len(sents) - 3 and (have < targets[i] or k < 3):
            have += len(sents[k]) + 1
            k += 1
        body, spare = sents[:k], []
        while k < len(sents) and (len(spare) < 2 or sum(map(len, spare)) < 250) and len(spare) < 4:
            spare.append(sents[k])  # the paragraph an 'extended' variant adds: 2-4 sentences, 250+ characters
            k += 1
        originals.append((paragraphs_of(r, body), spare))

    # roles: positions shuffled so that a variant does not sit next to its original
    pos = list(range(size))
    r.shuffle(pos)
    orig_pos, var_pos = pos[:n_orig], pos[n_orig:]
    ids = [doc_id(start + p, fmt) for p in range(size)]
    texts: list[str] = [""] * size
    labels: list[dict] = [{}] * size
    for i, p in enumerate(orig_pos):
        t = text_of(originals[i][0])
        texts[p] = t
        labels[p] = {"id": ids[p], "group": ids[p], "transform": "original", "base": None, "chars": len(t)}
    has_variants: list[int] = []
    fresh = list(range(n_orig))
    r.shuffle(fresh)
    counts = {t: 0 for t in ("original",) + TRANSFORMS}
    counts["original"] = n_orig
    for p in var_pos:
        if has_variants and (r.random() < 0.3 or not fresh):
            i = r.choice(has_variants)  # a third original of the same story, a fourth, ...
        elif fresh:
            i = fresh.pop()
            has_variants.append(i)
        else:
            i = r.randrange(n_orig)  # only when share > 0.5 leaves no originals to spare
        paras, spare = originals[i]
        t = TRANSFORMS[r.randrange(len(TRANSFORMS))]
        extra: dict = {}
        if t == "exact":
            text = text_of(paras)
        elif t == "trimmed":
            q, extra = trimmed(r, paras)
            text = text_of(q)
        elif t == "extended":
            q, extra = extended(r, paras, spare)
            text = text_of(q)
        elif t == "reordered":
            q, extra = reordered(r, paras)
            text = text_of(q)
        elif t == "reworded":
            text, extra = reworded(r, text_of(paras))
        else:
            text, extra = ocr(r, text_of(paras))
        base = ids[orig_pos[i]]
        texts[p] = text
        labels[p] = {"id": ids[p], "group": base, "transform": t, "base": base, "chars": len(text), **extra}
        counts[t] += 1

    if fmt == "txt":
        folder = out_dir / "articles" / f"{b:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for p in range(size):
            (out_dir / "articles" / ids[p]).write_text(texts[p], encoding="utf-8")
        art = b""
    else:
        art = "".join(_dumps({"id": ids[p], "text": texts[p]}) + "\n" for p in range(size)).encode("utf-8")
    lab = "".join(_dumps(lab) + "\n" for lab in labels).encode("utf-8")
    counts["bytes"] = sum(len(t.encode("utf-8")) for t in texts)
    return art, lab, counts


def generate(n: int, out_dir: Path, seed: int = 1, dup_share: float = 0.2, fmt: str = "txt",
             source: Path | None = None, jobs: int = 0, force: bool = False, quiet: bool = False) -> dict:
    """Write the corpus; returns the manifest."""
    global _CHAIN, _OPTS
    if n < 1:
        raise SystemExit("Error: N must be 1 or more")
    if not 0 <= dup_share <= 0.9:
        raise SystemExit("Error: --dup-share must be from 0 to 0.9")
    if source is None:
        source = DEFAULT_METER if DEFAULT_METER.is_dir() else SEEDS
    out_dir = Path(out_dir)
    targets = [out_dir / "articles", out_dir / "articles.jsonl", out_dir / "labels.jsonl", out_dir / "manifest.json"]
    if any(t.exists() for t in targets):
        if not force:
            raise SystemExit(f"Error: {out_dir} already holds a corpus; use --force to replace it")
        for t in targets:
            if t.is_dir():
                shutil.rmtree(t)
            elif t.exists():
                t.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    _CHAIN = build_chain(Path(source))
    t_chain = time.perf_counter() - t0
    _OPTS = {"n": n, "seed": seed, "share": dup_share, "format": fmt, "out": out_dir}
    blocks = range((n + BLOCK - 1) // BLOCK)
    jobs = jobs or os.cpu_count() or 1
    totals: dict[str, int] = {}
    t1 = time.perf_counter()
    with contextlib.ExitStack() as stack:
        art_f = stack.enter_context(open(out_dir / "articles.jsonl", "wb")) if fmt == "jsonl" else None
        lab_f = stack.enter_context(open(out_dir / "labels.jsonl", "wb"))
        if jobs > 1 and len(blocks) > 1:
            pool = stack.enter_context(mp.get_context("fork").Pool(min(jobs, len(blocks))))
            _drain(pool.imap(make_block, blocks), art_f, lab_f, totals, n, t1, quiet)
        else:
            _drain(map(make_block, blocks), art_f, lab_f, totals, n, t1, quiet)
    secs = time.perf_counter() - t1
    manifest = {
        "n": n, "seed": seed, "dup_share": dup_share, "format": fmt, "source": str(source),
        "chain": {"sentences": _CHAIN.sentences, "tokens": _CHAIN.tokens, "vocab": len(_CHAIN.vocab),
                  "states": len(_CHAIN.cnt), "seconds": round(t_chain, 2)},
        "counts": {k: v for k, v in totals.items() if k != "bytes"},
        "variants": n - totals.get("original", 0), "bytes": totals.get("bytes", 0),
        "seconds": round(secs, 2), "articles_per_second": round(n / secs, 1) if secs else None,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    _CHAIN = None
    return manifest


def _drain(results, art_f, lab_f, totals, n, t1, quiet) -> None:
    done = 0
    for art, lab, counts in results:
        if art_f:
            art_f.write(art)
        lab_f.write(lab)
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
        done += counts["original"] + sum(counts[t] for t in TRANSFORMS)
        if not quiet and (done % 50000 < BLOCK or done == n):
            el = time.perf_counter() - t1
            print(f"  {done:,}/{n:,} articles, {el:.1f} s, {done / el:,.0f}/s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dup-share", type=float, default=0.2, help="share of articles that are planted variants")
    ap.add_argument("--format", choices=("txt", "jsonl"), default="txt")
    ap.add_argument("--source", type=Path, help="folder of real articles for the chain "
                    "(default: ../shared/data/meter/corpus if present, else seeds/)")
    ap.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0: all cores)")
    ap.add_argument("--force", action="store_true", help="replace a corpus already in OUT_DIR")
    ap.add_argument("--quiet", "-q", action="store_true")
    a = ap.parse_args(argv)
    m = generate(a.n, a.out, a.seed, a.dup_share, a.format, a.source, a.jobs, a.force, a.quiet)
    if not a.quiet:
        print(f"{m['n']:,} articles ({m['variants']:,} planted variants: "
              + ", ".join(f"{k} {v}" for k, v in m["counts"].items() if k != "original")
              + f"), {m['bytes'] / 1e6:,.1f} MB, in {m['seconds']} s ({m['articles_per_second']:,}/s) "
              f"+ {m['chain']['seconds']} s building the chain -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
