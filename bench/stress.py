"""Synthetic stress set with exact ground truth, and a scorer for dedup.

Usage::

    python bench/stress.py generate SOURCE_DIR OUT_DIR [--seed 7] [--n-stories 150]
    python bench/stress.py score OUT_DIR [--json FILE] [dedup options, e.g. --min-coverage 0.3]
    python bench/stress.py run SOURCE_DIR [--seed 7] [--n-stories 150] [--keep DIR] [--json FILE] [dedup options]

``generate`` reads a folder of real articles (made for the METER corpus,
``../shared/data/meter/corpus``; any folder of plain-text articles works, one
story per file), cleans them into prose paragraphs and writes::

    OUT_DIR/articles/<16 hex digits>.txt   the stress set (names are random: they reveal nothing)
    OUT_DIR/labels.jsonl                   {"id", "group", "transform", "base", "source", ...} per file
    OUT_DIR/manifest.json                  generator settings and counts

Ground truth is exact by construction.  Each *base* is one real story (at most
one text per METER thread, i.e. domain/catchline, and no two chosen texts share
more than a trace of wording (see ``select``), so two bases are never copies of each other); its variants are
made from it by one labelled transform each and share its group.  Independent
texts of the same domains (METER courts/showbiz texts of threads not used as
bases) are singletons, each its own group.  Shared boilerplate blocks are put
on many unrelated files; they must not cause merges.

``score`` runs ``dedup.pipeline.run`` on ``OUT_DIR/articles`` and prints the
Adjusted Rand Index, pairwise precision/recall, a per-transform table and the
worst failures (missed variant->base pairs with the verify reason of their
edge, and false merges).  ``run`` does both, into a temporary folder.

Everything is drawn from ``random.Random(seed)``: the same source folder and
seed give byte-identical files.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

# --------------------------------------------------------------------------- reading and cleaning

_METER = re.compile(r"(?:^|/)(PA|newspapers)/rawtexts/([^/]+)/([^/]+)/([^/]+)/[^/]+$")
_RULE_LINE = re.compile(r"^\s*[-=_*~]{5,}\s*$")
_WIRE_HEADER = re.compile(r"^\s*\d{1,2}:\d{2}\s+\d{1,2}/\d{1,2}/\d{2,4}:?\s+Page\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
_SIGN_OFF = re.compile(r"^(?:ends?|mfl?|more|ap|pa|nnnn|\d{1,4})\W*$", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'\-]*(?:\s+(?:and\s+)?[A-Z][\w.'\-]*){0,6}\s*(?:,.*)?$")
_WEB_JUNK = re.compile(r"^(?:read more|also read|published:|updated:|date:?\s+[\d/.-]+$|\(photo|photo:|share\b)",
                       re.IGNORECASE)
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[A-Za-z/!][^<>\n]*>")  # one METER PA file is wrapped in HTML


@dataclass(frozen=True)
class Source:
    """One real article, cleaned into paragraphs."""

    path: str  # relative to the source folder, '/' separators
    side: str  # 'PA', 'newspapers' or 'other'
    domain: str
    thread: str  # METER domain/catchline; the path itself for other folders
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(_WORD.findall(p)) for p in self.paragraphs)


def decode(data: bytes) -> str:
    """UTF-8 when the bytes are valid UTF-8, else cp1252 with replacement characters."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _tidy(par: str) -> str:
    par = par.replace("``", '"').replace("''", '"').replace("`", "'")
    par = re.sub(r"\s_\s", " - ", par)
    par = re.sub(r"#(?=\d)", "\u00a3", par)  # PA writes the pound sign as '#'
    par = _CONTROL.sub(" ", par)
    return re.sub(r"\s+", " ", par).strip()


def _keep(par: str) -> bool:
    if len(_WORD.findall(par)) < 3 or _SIGN_OFF.match(par) or _WEB_JUNK.match(par):
        return False
    if par.startswith("(") and par.endswith(")"):  # (reopens), (Pic later), (corrects ...)
        return False
    if _BYLINE.match(par) and len(par) < 90:
        return False
    letters = [c for c in par if c.isalpha()]
    return any(c.islower() for c in letters)  # an all-capitals line is a headline


def clean_paragraphs(text: str) -> list[str]:
    """Wire text (or plain text) -> clean prose paragraphs.

    Drops rule lines, PA page headers, `<` line ends, control characters,
    headlines, bylines and sign-offs; a paragraph ends at a blank line, a `<`
    line end or a line that starts with a control character (PA's paragraph mark).
    """
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
        if raw[:1] and _CONTROL.match(raw[:1]):
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
    out: list[str] = []
    seen: set[str] = set()
    for par in paras:
        par = _tidy(par)
        if _keep(par) and par.lower() not in seen:
            seen.add(par.lower())
            out.append(par)
    return out


def read_sources(root: Path) -> list[Source]:
    """Every readable text under ``root``, cleaned, sorted by path.

    In a METER-shaped folder only files under ``(PA|newspapers)/rawtexts/<domain>/<date>/<catchline>/``
    are taken (the stray readme notes are not articles).
    """
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    rels = [p.relative_to(root).as_posix() for p in files]
    meter = any(_METER.search(r) for r in rels)
    out = []
    for path, rel in zip(files, rels):
        m = _METER.search(rel)
        if meter and not m:
            continue
        paras = clean_paragraphs(decode(path.read_bytes()))
        if not paras:
            continue
        if m:
            side, domain, _date, catch = m.groups()
            out.append(Source(rel, side, domain, f"{domain}/{catch}", tuple(paras)))
        else:
            out.append(Source(rel, "other", "other", rel, tuple(paras)))
    return out


def _grams(src: Source, n: int = 5) -> set[str]:
    words = [w.lower() for p in src.paragraphs for w in _WORD.findall(p)]
    return {" ".join(words[i:i + n]) for i in range(max(0, len(words) - n + 1))}


_NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")


def _names(src: Source) -> set[str]:
    return set(_NAME.findall(" ".join(src.paragraphs)))


def select(sources: list[Source], rng: Random, n_stories: int, min_words: int,
           min_single_words: int) -> tuple[list[Source], list[Source], int]:
    """Bases (one PA text per thread) and independent singletons (one text per other thread).

    No two chosen texts may be copies, even in part.  METER files the same
    copy under two catchlines now and then (beckett/chief, bbc/bbcstreet), and
    PA reuses background paragraphs across a person's stories, so a text is
    refused when, against a text already chosen, it shares 4 or more word
    5-grams, or 2 or more and a rare name (a capitalised word pair found in at
    most 2 threads).  Returns (bases, singletons, refused).
    """
    by_thread: dict[str, list[Source]] = defaultdict(list)
    for s in sources:
        by_thread[s.thread].append(s)
    name_df: Counter[str] = Counter()
    for srcs in by_thread.values():
        name_df.update(set().union(*(_names(s) for s in srcs)))
    threads = sorted(by_thread)
    rng.shuffle(threads)
    gram_owner: dict[str, list[int]] = defaultdict(list)
    name_owner: dict[str, list[int]] = defaultdict(list)
    refused = 0

    def take(src: Source, idx: int) -> bool:
        nonlocal refused
        grams, names = _grams(src), {n for n in _names(src) if name_df[n] <= 2}
        shared = Counter(i for g in grams for i in gram_owner.get(g, ()))
        named = {i for n in names for i in name_owner.get(n, ())}
        if any(k >= 4 or (k >= 2 and i in named) for i, k in shared.items()):
            refused += 1
            return False
        for g in grams:
            gram_owner[g].append(idx)
        for n in names:
            name_owner[n].append(idx)
        return True

    bases: list[Source] = []
    rest: list[str] = []
    for t in threads:
        cands = [s for s in by_thread[t] if s.side in ("PA", "other") and s.words >= min_words
                 and len(s.paragraphs) >= 4]
        if len(bases) < n_stories and cands:
            best = max(cands, key=lambda s: (s.words, s.path))  # the fullest take of the story
            if take(best, len(bases)):
                bases.append(best)
                continue
        rest.append(t)
    singles: list[Source] = []
    for t in rest:
        cands = sorted((s for s in by_thread[t] if s.words >= min_single_words), key=lambda s: s.path)
        rng.shuffle(cands)
        for cand in cands[:3]:
            if take(cand, 100000 + len(singles)):
                singles.append(cand)
                break
    return bases, singles, refused


# --------------------------------------------------------------------------- transformations

TRANSFORMS = ("exact", "trim_end", "trim_middle", "extend", "reorder",
              "reword_light", "reword_heavy", "ocr_1", "ocr_3", "ocr_5")

STOP = frozenset("""a an the and or but if then than that this these those there their they them he she him her his
hers it its we us our you your i me my is are was were be been being have has had do does did not no of in on at to
for from by with as into onto over under about after before up down out off so such very can could would should will
shall may might must also just only own same too both each few more most other some any all who whom whose which what
when where why how again further once here while during until against between through above below""".split())

# word -> alternatives, lowercase occurrences only (proper nouns such as 'High Court' are left alone)
SYNONYMS: dict[str, tuple[str, ...]] = {k: tuple(v.split("|")) for k, v in {
    "said": "stated|declared|remarked", "says": "states|declares", "told": "informed", "asked": "questioned",
    "added": "continued", "explained": "clarified", "claimed": "alleged", "alleged": "claimed",
    "replied": "responded", "responded": "replied", "announced": "revealed", "revealed": "disclosed",
    "disclosed": "revealed", "confirmed": "verified", "refused": "declined", "described": "characterised",
    "heard": "was told", "police": "officers", "officers": "policemen", "officer": "constable",
    "judge": "justice", "jury": "jurors", "trial": "hearing", "hearing": "proceedings", "case": "matter",
    "charged": "indicted", "accused": "charged", "guilty": "culpable", "denies": "rejects", "denied": "rejected",
    "admitted": "confessed", "sentenced": "jailed", "jailed": "imprisoned", "prison": "jail",
    "arrested": "detained", "released": "freed", "freed": "released", "investigation": "inquiry",
    "inquiry": "investigation", "evidence": "testimony", "statement": "declaration", "lawyer": "solicitor",
    "lawyers": "solicitors", "barrister": "advocate", "damages": "compensation", "libel": "defamation",
    "claims": "allegations", "allegations": "claims", "offence": "crime", "crime": "offence",
    "incident": "episode", "theft": "stealing", "stolen": "taken", "robbery": "hold-up", "drugs": "narcotics",
    "gun": "firearm", "knife": "blade", "attack": "assault", "attacked": "assaulted", "killed": "slain",
    "died": "passed away", "murder": "killing", "victim": "casualty", "victims": "casualties",
    "injuries": "wounds", "injured": "hurt", "hospital": "infirmary", "doctor": "physician",
    "doctors": "physicians", "abuse": "mistreatment", "man": "male", "woman": "female", "men": "males",
    "women": "females", "wife": "spouse", "husband": "spouse", "children": "youngsters|kids",
    "child": "youngster", "son": "boy", "daughter": "girl", "family": "relatives", "friends": "pals",
    "friend": "pal", "mother": "mum", "father": "dad", "parents": "mother and father", "brother": "sibling",
    "sister": "sibling", "girl": "lass", "boy": "lad", "partner": "companion", "couple": "pair",
    "wedding": "marriage", "baby": "infant", "home": "house", "house": "property", "car": "vehicle",
    "money": "cash", "building": "premises", "street": "road", "town": "borough", "city": "metropolis",
    "country": "nation", "government": "administration", "company": "firm", "business": "firm",
    "job": "post", "working": "employed", "boss": "chief", "staff": "employees", "newspaper": "paper",
    "newspapers": "papers", "article": "report", "story": "report", "report": "account",
    "reporters": "journalists", "journalist": "reporter", "photographers": "cameramen",
    "interview": "conversation", "star": "celebrity", "stars": "celebrities", "singer": "vocalist",
    "band": "group", "film": "movie", "films": "movies", "show": "programme", "television": "TV",
    "music": "tunes", "fans": "admirers", "album": "record", "concert": "gig", "performance": "show",
    "award": "prize", "awards": "prizes", "actor": "performer", "actress": "performer",
    "director": "filmmaker", "audience": "crowd", "people": "individuals", "began": "started",
    "started": "began", "begin": "start", "decided": "chose", "decision": "ruling", "believed": "thought",
    "believe": "think", "wanted": "wished", "want": "wish", "received": "got", "found": "discovered",
    "went": "headed", "came": "arrived", "help": "assist", "helped": "assisted", "big": "large",
    "large": "big", "small": "little", "important": "significant", "serious": "grave",
    "difficult": "hard", "happy": "pleased", "pleased": "delighted", "delighted": "thrilled",
    "angry": "furious", "upset": "distressed", "shocked": "stunned", "worried": "concerned",
    "afraid": "frightened", "quickly": "rapidly", "later": "subsequently", "also": "additionally",
    "however": "though", "because": "as", "ago": "earlier", "night": "evening", "week": "seven days",
    "many": "numerous", "several": "a number of", "kept": "retained", "keep": "retain", "won": "clinched",
    "win": "clinch", "fight": "battle", "battle": "fight", "row": "dispute", "dispute": "row",
    "problem": "difficulty", "problems": "difficulties", "questions": "queries", "answer": "reply",
    "campaign": "crusade", "support": "backing", "supporters": "backers", "critics": "detractors",
    "clear": "evident", "certain": "sure", "possible": "feasible", "likely": "probable",
    "recently": "lately", "finally": "eventually", "immediately": "at once", "suddenly": "abruptly",
    "young": "youthful", "bought": "purchased", "buy": "purchase", "paid": "handed", "letter": "note",
    "phone": "telephone", "meeting": "gathering", "inside": "within", "wrote": "penned",
    "written": "composed", "cost": "price", "month": "four weeks", "months": "several weeks",
    "death": "demise", "life": "existence", "attempt": "bid", "tried": "attempted", "try": "attempt",
    "wrong": "mistaken", "true": "accurate", "false": "untrue", "need": "require", "needed": "required",
    "enough": "sufficient", "group": "gang", "members": "associates",
    "school": "college", "world": "globe", "nearly": "almost", "almost": "nearly", "around": "roughly",
    "today": "yesterday", "court": "courtroom", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "time": "moment", "new": "fresh", "year": "twelve months", "made": "created",
    "first": "initial", "last": "previous", "now": "currently", "never": "at no time", "every": "each",
    "way": "manner", "sentence": "term", "former": "one-time", "going": "heading", "get": "obtain",
    "charges": "counts", "put": "placed", "make": "create", "part": "portion", "thought": "believed",
    "still": "even now", "give": "provide", "say": "state", "inquest": "coroner's hearing",
    "without": "lacking", "got": "received", "long": "lengthy", "number": "quantity", "see": "witness",
    "think": "believe", "body": "remains", "including": "among them", "given": "handed", "legal": "judicial",
    "felt": "sensed", "end": "close", "find": "discover", "happened": "occurred", "series": "sequence",
    "verdict": "finding", "road": "street", "knew": "realised", "area": "district", "next": "following",
    "near": "close to", "feel": "sense", "operation": "procedure", "main": "principal", "assault": "attack",
    "trying": "attempting", "convicted": "found guilty", "gave": "handed", "plans": "proposals",
    "following": "after", "full": "complete", "treatment": "therapy", "programme": "series", "good": "fine",
    "ordered": "directed", "judgment": "ruling", "boys": "lads", "charge": "count", "defendant": "accused",
    "saw": "witnessed", "involved": "implicated", "showed": "revealed", "committed": "carried out",
    "earlier": "previously", "really": "truly", "dead": "deceased", "suffered": "endured", "pub": "bar",
    "quite": "fairly", "local": "area", "failed": "neglected", "whether": "if", "adjourned": "postponed",
    "spokeswoman": "representative", "spokesman": "representative", "flat": "apartment", "moved": "relocated",
    "lived": "resided", "kill": "slay", "caused": "led to", "making": "creating", "hit": "struck",
    "video": "tape", "arrest": "detention", "cannot": "can't", "costs": "expenses", "manager": "supervisor",
    "seen": "spotted", "forced": "compelled", "walked": "strolled", "discovered": "found",
    "drunk": "intoxicated", "result": "outcome", "assaults": "attacks", "broadcast": "aired",
    "wearing": "dressed in", "married": "wed", "assaulting": "attacking", "counts": "charges",
    "looked": "appeared", "accident": "mishap", "surgery": "operation", "probably": "most likely",
    "eventually": "finally", "comment": "remark", "previous": "earlier", "ruled": "decided",
    "arrived": "turned up", "homes": "houses", "sent": "dispatched", "tell": "inform", "person": "individual",
    "although": "though", "returned": "went back", "solicitor": "lawyer", "killing": "murder",
    "ruling": "decision", "despite": "in spite of", "concerned": "worried", "families": "households",
    "remember": "recall", "spoke": "talked", "firm": "company", "latest": "most recent", "evening": "night",
    "teenager": "youth", "boyfriend": "partner", "situation": "circumstances", "another": "a further",
    "driving": "motoring", "indecent": "lewd", "indecently": "lewdly", "someone": "somebody",
    "assaulted": "attacked", "saying": "stating", "pleaded": "entered a plea of", "didn't": "did not",
    "it's": "it is", "don't": "do not", "suffering": "enduring", "always": "constantly", "already": "previously",
    "team": "squad", "offences": "crimes", "history": "past", "violence": "brutality",
    "detectives": "investigators", "claiming": "alleging", "agreed": "consented", "alcohol": "drink",
    "continue": "carry on", "expected": "anticipated", "attempting": "trying", "defendants": "accused",
    "viewers": "audiences", "guests": "visitors", "leave": "depart", "leaving": "departing", "huge": "enormous",
    "towards": "toward", "pictures": "photographs", "proceedings": "hearing", "chance": "opportunity",
    "sad": "unhappy", "stopped": "halted", "stop": "halt", "dangerous": "hazardous", "risk": "danger",
    "colleagues": "co-workers", "claim": "allegation", "similar": "comparable", "real": "genuine",
    "incidents": "episodes", "different": "distinct", "little": "small", "hard": "tough", "attempted": "tried",
    "ran": "dashed", "start": "begin", "launched": "opened", "prevent": "stop", "soon": "shortly",
    "regularly": "often", "know": "realise", "taken": "removed",
}.items()}

ADJECTIVES = frozenset("""former young senior local famous top leading popular successful wealthy elderly serious
major huge tiny well-known alleged brutal violent vicious terrible horrific shocking bitter lengthy new veteran
controversial notorious respected prominent disgraced multi-millionaire millionaire private special dramatic""".split())

LOCAL_NAMES = ("Margaret Holt", "David Pryce", "Susan Fielding", "Kevin O'Rourke", "Janet Mills", "Gareth Lloyd",
               "Pauline Ashworth", "Tony Beckwith", "Helen Marsh", "Derek Quinn", "Sandra Whitley", "Colin Tanner",
               "Brenda Oakes", "Raj Chauhan", "Eileen Doyle", "Martin Greaves", "Fiona Strachan", "Neil Parkes")
TOWNS = ("Kettering", "Barnsley", "Stroud", "Wrexham", "Grantham", "Hexham", "Bideford", "Ormskirk", "Kendal",
         "Louth", "Tiverton", "Morpeth", "Selby", "Newbury", "Ludlow", "Falkirk", "Skipton", "Whitby")
STREETS = ("Mill Lane", "Station Road", "Church Street", "Victoria Avenue", "Park Crescent", "Bridge Street",
           "Elm Grove", "Market Place", "Castle Hill", "Queens Road")
ORGS = ("the parish council", "the residents' association", "the Rotary Club", "the chamber of trade",
        "the neighbourhood watch group", "the local primary school", "the town's civic society",
        "the district council", "the community centre committee", "the historical society")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# 48 local-news sentences: an 'extended' copy gets 1-3 of them as a paragraph of its own.
LOCAL_SENTENCES = (
    "{name}, who has lived in {town} for {n} years, said the news had come as a surprise to many residents.",
    "A spokesman for {org} said members would discuss the matter at their meeting on {day}.",
    "Residents of {street} in {town} have been invited to a public meeting at the library next {day}.",
    "{name}, {age}, who runs a newsagent's on {street}, said customers had talked of little else all week.",
    "The story has been followed closely in {town}, where {org} has asked for a statement.",
    "Councillor {name} said she would raise the issue with the county's MP at the next surgery.",
    "Pupils at the local primary school in {town} are to hold a fundraising day on {day}.",
    "{org} said it had received {n} letters from readers on the subject since the weekend.",
    "A collection in {town} market has so far raised \u00a3{amount} for the appeal.",
    "Traffic on {street} was held up for about {n} minutes on {day} while a crowd gathered.",
    "{name}, chairman of {org}, said: \"People here want to know what happens next.\"",
    "Shops in the centre of {town} reported a busy {day} as visitors arrived from across the county.",
    "The town's mayor, {name}, is expected to make a statement at the council chamber on {day}.",
    "Staff at the {town} branch of the building society put up a notice for customers on {day}.",
    "Local historian {name} said the last comparable event in {town} was more than {n} years ago.",
    "Bus services through {town} are running to a Sunday timetable while the works on {street} continue.",
    "{name}, {age}, a retired postman from {town}, said he had followed every development on the radio.",
    "A vigil is planned outside the parish church on {street} at 7pm on {day}.",
    "The county library in {town} has set aside a display of newspaper cuttings for visitors.",
    "{org} has opened a book of messages at its office on {street}.",
    "A minute's silence will be held before {day}'s home match at the {town} ground.",
    "Volunteers from {org} handed out leaflets to shoppers on {street} on {day} morning.",
    "The local radio station in {town} said its phone-in had taken {n} calls in an hour.",
    "Landlord {name} of the Red Lion on {street} said regulars had discussed nothing else.",
    "The head teacher of {town} High School, {name}, said assembly on {day} would mark the occasion.",
    "A petition with {amount} signatures is to be handed in at the district council offices on {day}.",
    "{name} said the {town} branch of {org} would write to the Home Secretary.",
    "Parking restrictions on {street} will be relaxed for {n} days, the highways department said.",
    "About {n} people attended a meeting in the {town} community centre on {day} evening.",
    "The {town} Advertiser said readers had sent in {n} photographs over the weekend.",
    "{name}, {age}, from {town}, said: \"We never thought we would see something like this here.\"",
    "A charity fun run from {street} to the town park has been brought forward to {day}.",
    "The town council in {town} agreed to fly its flag at half mast on {day}.",
    "Church bells in {town} will ring at noon on {day}, the vicar, the Rev {name}, said.",
    "{org} estimated that {n} coaches would bring visitors to {town} over the coming week.",
    "A fund set up by {name} in {town} has passed \u00a3{amount}, its organisers said.",
    "Officers from the {town} neighbourhood team will hold a drop-in session at the library on {day}.",
    "The {town} Chamber of Trade said hotel bookings in the area had risen by {pct} per cent.",
    "{name}, who chairs {org}, said a decision on the summer carnival would be taken on {day}.",
    "Children from the {town} youth club have painted a banner for the front of the village hall.",
    "A former resident of {street}, {name}, {age}, travelled back to {town} to attend on {day}.",
    "Flowers have been left at the war memorial in {town} market square.",
    "{org} said its helpline would stay open until {n}pm for the rest of the week.",
    "The {town} branch of the British Legion will hold a coffee morning on {day} to raise funds.",
    "{name}, a {age}-year-old taxi driver from {town}, said fares to the court had doubled.",
    "Planning officers in {town} said the application for the site on {street} would be heard on {day}.",
    "The editor of the {town} Gazette, {name}, said the paper would print a souvenir edition.",
    "Members of {org} in {town} planted {n} trees on {street} in memory of the occasion.",
)

# Shared boilerplate, put on many unrelated files (header or footer): it must not make them copies.
BOILERPLATE: dict[str, tuple[str, str]] = {
    "copyright": ("footer", ("Copyright 2000 Press Association. All rights reserved. This material may not be "
                            "published, broadcast, rewritten or redistributed without the written permission of "
                            "the copyright holder.")),
    "subscribe": ("header", ("Subscribe today for unlimited access to our award-winning journalism. Existing "
                            "subscribers can sign in to read every story on any device. You can cancel your "
                            "subscription at any time.")),
    "related": ("footer", ("Related stories: Council unveils plans for a new ring road around the town centre. "
                          "Hospital trust names its new chief executive after a long search. Rail passengers "
                          "face a weekend of engineering works on the main line.")),
    "newsletter": ("footer", ("Get the day's top stories delivered to your inbox every morning. Sign up for our "
                             "free newsletter and never miss a headline again. We will never share your email "
                             "address with third parties.")),
    "coverage": ("header", ("This report is part of our continuing coverage of the courts and the entertainment "
                           "industry. Our correspondents follow every hearing, premiere and verdict as it happens, "
                           "and you can find all of their reports on our website.")),
    "cookies": ("footer", ("We use cookies to give you the best possible experience on our website. By continuing "
                          "to browse the site you are agreeing to our use of cookies. Find out more in our privacy "
                          "and cookie policy.")),
}

_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'A-Z0-9\u00a3])")
_TOKEN = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")


def _sentences(par: str) -> list[str]:
    out, start = [], 0
    for m in _SENT_SPLIT.finditer(par):
        out.append(par[start:m.end()].strip())
        start = m.end()
    out.append(par[start:].strip())
    return [s for s in out if s]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


_LOWERABLE = {"He", "She", "They", "It", "The", "A", "An", "His", "Her", "Their", "We", "I"}


def _unsentence_start(s: str) -> str:
    first = s.split(" ", 1)[0]
    return s[:1].lower() + s[1:] if first in _LOWERABLE and first != "I" else s


def local_paragraph(rng: Random) -> str:
    picks = rng.sample(LOCAL_SENTENCES, rng.randint(1, 3))
    fill = {"town": rng.choice(TOWNS), "org": rng.choice(ORGS), "street": rng.choice(STREETS),
            "day": rng.choice(DAYS), "n": rng.randint(3, 60), "age": rng.randint(24, 88),
            "amount": f"{rng.randint(2, 95) * 100:,}", "pct": rng.randint(5, 40)}
    out = []
    for s in picks:
        out.append(_cap(s.format(name=rng.choice(LOCAL_NAMES), **fill)))
    return " ".join(out)


def swap_synonyms(text: str, rate: float, rng: Random) -> tuple[str, float]:
    """Swap about ``rate`` of the lowercase content words for synonyms; returns (text, share swapped)."""
    # Names and sentence-initial words are left alone, so the rate counts lowercase content words only.
    content = [m for m in _TOKEN.finditer(text) if m.group().islower() and m.group() not in STOP
               and len(m.group()) > 2]
    cands = [m for m in content if m.group() in SYNONYMS]
    want = min(len(cands), round(rate * len(content)))
    chosen = sorted(rng.sample(range(len(cands)), want))
    out, pos = [], 0
    for k in chosen:
        m = cands[k]
        out.append(text[pos:m.start()])
        out.append(rng.choice(SYNONYMS[m.group()]))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), (want / len(content) if content else 0.0)


_SAID_THAT = re.compile(r"^(?P<x>[A-Za-z][^,;:\"]{1,60}?) (?P<v>said|added|claimed|told the court|told the jury|"
                        r"told the hearing|told reporters) (?:that )?(?P<y>[^\"]{20,})\.$")
_SAID_QUOTE = re.compile(r"^(?P<x>[A-Z][^\":]{1,60}?) (?P<v>said|added|told [^\":]{1,40}?): \"(?P<q>[^\"]{10,})"
                         r"(?P<p>[.!?])\"$")


_INTRO = re.compile(r"^(?P<sub>When|While|After|Before|Although|Though|Because|As|If|Since|Despite|Following|"
                    r"During|Once|Until) (?P<a>[^,]{8,}), (?P<b>[A-Za-z][^,]*)$")
_JOINED = re.compile(r"^(?P<a>[A-Z][^,]{15,}), (?P<sub>while|although|because|and|but|after|before|as) "
                     r"(?P<b>[^,]{15,})$")


def restructure(sentence: str, rng: Random) -> str:
    """Heavy rewording of one sentence: 'X said Y.' -> 'Y, X said.'; clauses swapped at ', ' or ' and '."""
    m = _SAID_QUOTE.match(sentence)
    if m:
        p = "," if m["p"] == "." else m["p"]
        return f"\"{m['q']}{p}\" {_unsentence_start(m['x'])} {m['v']}."
    lead, rest = "", sentence
    for conj in ("But ", "And ", "However, ", "So "):
        if sentence.startswith(conj):
            lead, rest = conj, sentence[len(conj):]
    m = _SAID_THAT.match(rest)
    if m:
        y = m["y"] if lead else _cap(m["y"])
        return f"{lead}{y}, {_unsentence_start(m['x'])} {m['v']}."
    if '"' in sentence or not sentence.endswith("."):
        return sentence
    body = sentence[:-1]
    m = _INTRO.match(body)  # "When A, B." -> "B when A."
    if m and len(m["b"].split()) >= 4 and "," not in m["a"]:
        return f"{_cap(m['b'])} {m['sub'].lower()} {m['a']}."
    m = _JOINED.match(body)  # "A, while B." -> "While B, a."; "A, and B." -> "B, and a."
    if m and len(m["a"].split()) >= 4 and len(m["b"].split()) >= 4:
        if m["sub"] in ("and", "but"):
            return f"{_cap(m['b'])}, {m['sub']} {_unsentence_start(m['a'])}."
        return f"{_cap(m['sub'])} {m['b']}, {_unsentence_start(m['a'])}."
    return sentence


def reword(paragraphs: list[str], rate: float, heavy: bool, rng: Random) -> tuple[list[str], dict]:
    out = []
    restructured = dropped = 0
    for par in paragraphs:
        if heavy:
            sents = []
            for s in _sentences(par):
                if rng.random() < 0.6:
                    new = restructure(s, rng)
                    restructured += new != s
                    s = new
                sents.append(s)
            par = " ".join(sents)

            def drop(m: re.Match) -> str:
                nonlocal dropped
                if m.group(1) in ADJECTIVES and rng.random() < 0.6:
                    dropped += 1
                    return ""
                return m.group(0)

            par = re.sub(r"\b([a-z][a-z-]+) (?=[a-z])", drop, par)
        out.append(par)
    text, achieved = swap_synonyms("\n\n".join(out), rate, rng)
    info = {"rate": round(achieved, 3)}
    if heavy:
        info.update(restructured=restructured, adjectives_dropped=dropped)
    return text.split("\n\n"), info


_CONFUSE = {"rn": "m", "cl": "d", "m": "rn", "d": "cl", "l": "1", "1": "l", "I": "l", "O": "0", "0": "O",
            "o": "0", "e": "c", "c": "e", "S": "5", "5": "S", "h": "b", "b": "h", "u": "v", "w": "vv", "i": "l"}


def ocr_noise(text: str, rate: float, rng: Random) -> tuple[str, int]:
    """OCR-like character noise: each non-space character is hit with probability ``rate``."""
    out: list[str] = []
    i, hits = 0, 0
    while i < len(text):
        c = text[i]
        if c.isspace() or rng.random() >= rate:
            out.append(c)
            i += 1
            continue
        hits += 1
        two = text[i:i + 2]
        op = rng.choice(("confuse", "confuse", "drop", "double", "case"))
        if op == "confuse" and two in _CONFUSE:
            out.append(_CONFUSE[two])
            i += 2
            continue
        if op == "confuse" and c in _CONFUSE:
            out.append(_CONFUSE[c])
        elif op == "drop" or (op == "confuse" and not c.isalpha()):
            pass
        elif op == "double":
            out.append(c + c)
        else:
            out.append(c.swapcase() if c.isalpha() else c)
        i += 1
    return "".join(out), hits


def transform(kind: str, paragraphs: list[str], rng: Random) -> tuple[list[str], dict]:
    """One labelled variant of a base's body paragraphs (exact copies are handled by the caller)."""
    n = len(paragraphs)
    if kind in ("trim_end", "trim_middle"):
        frac = rng.uniform(0.3, 0.9)
        k = min(n - 1, max(2, round(frac * n)))
        if kind == "trim_end":
            return paragraphs[:k], {"kept_paragraphs": f"{k}/{n}"}
        start = rng.randint(1, k - 1)  # keep paragraphs[:start] and the last k - start
        return paragraphs[:start] + paragraphs[start + n - k:], {"kept_paragraphs": f"{k}/{n}",
                                                                 "dropped": f"{start}..{start + n - k - 1}"}
    if kind == "extend":
        at = rng.randint(1, n)
        return paragraphs[:at] + [local_paragraph(rng)] + paragraphs[at:], {"inserted_at": at}
    if kind == "reorder":
        order = list(range(n))
        while order == sorted(order):
            rng.shuffle(order)
        return [paragraphs[i] for i in order], {}
    if kind == "reword_light":
        return reword(paragraphs, rng.uniform(0.10, 0.15), False, rng)
    if kind == "reword_heavy":
        return reword(paragraphs, rng.uniform(0.30, 0.40), True, rng)
    if kind.startswith("ocr_"):
        rate = int(kind[4:]) / 100
        text, hits = ocr_noise("\n\n".join(paragraphs), rate, rng)
        return text.split("\n\n"), {"chars_hit": hits}
    raise ValueError(kind)


# --------------------------------------------------------------------------- generation

@dataclass
class Item:
    id: str
    group: str
    transform: str
    text: str
    source: str
    domain: str
    base: str | None = None
    boilerplate: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def _dress(paragraphs: list[str], rng: Random, rate: float) -> tuple[str, list[str]]:
    """Add shared boilerplate to some files; returns (file text, block names)."""
    blocks: list[str] = []
    if rng.random() < rate:
        blocks = sorted(rng.sample(sorted(BOILERPLATE), rng.randint(1, 2)))
    head = [BOILERPLATE[b][1] for b in blocks if BOILERPLATE[b][0] == "header"]
    foot = [BOILERPLATE[b][1] for b in blocks if BOILERPLATE[b][0] == "footer"]
    return "\n\n".join(head + list(paragraphs) + foot) + "\n", blocks


def generate(source_dir: Path, out_dir: Path, seed: int = 7, n_stories: int = 150, min_words: int = 150,
             min_single_words: int = 80, variant_rate: float = 0.35, boilerplate_rate: float = 0.35) -> dict:
    """Write the stress set; returns the manifest."""
    t0 = time.perf_counter()
    rng = Random(seed)
    sources = read_sources(source_dir)
    bases, singles, refused = select(sources, rng, n_stories, min_words, min_single_words)
    if not bases:
        raise SystemExit(f"{source_dir}: no text with at least {min_words} words and 4 paragraphs to use as a base")
    used_names: set[str] = set()

    def name() -> str:
        while True:
            n = f"{rng.getrandbits(64):016x}.txt"
            if n not in used_names:
                used_names.add(n)
                return n

    items: list[Item] = []
    for g, src in enumerate(bases):
        group = f"g{g:03d}"
        paras = list(src.paragraphs)
        text, blocks = _dress(paras, rng, boilerplate_rate)
        base = Item(name(), group, "base", text, src.path, src.domain, None, blocks,
                    {"words": src.words, "paragraphs": len(paras)})
        items.append(base)
        for kind in TRANSFORMS:
            if rng.random() >= variant_rate:
                continue
            if kind == "exact":
                items.append(Item(name(), group, kind, base.text, src.path, src.domain, base.id, list(blocks)))
                continue
            body, params = transform(kind, paras, rng)
            text, vblocks = _dress(body, rng, boilerplate_rate)
            items.append(Item(name(), group, kind, text, src.path, src.domain, base.id, vblocks, params))
    for s, src in enumerate(singles):
        text, blocks = _dress(list(src.paragraphs), rng, boilerplate_rate)
        items.append(Item(name(), f"s{s:03d}", "independent", text, src.path, src.domain, None, blocks,
                          {"words": src.words, "side": src.side}))

    articles = out_dir / "articles"
    if articles.exists():
        shutil.rmtree(articles)
    articles.mkdir(parents=True)
    for it in items:
        (articles / it.id).write_bytes(it.text.encode("utf-8"))
    with open(out_dir / "labels.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for it in sorted(items, key=lambda it: it.id):
            row = {k: v for k, v in dataclasses.asdict(it).items() if k != "text"}
            fh.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
    manifest = {
        "seed": seed, "source": str(source_dir), "n_stories": n_stories, "min_words": min_words,
        "min_single_words": min_single_words, "variant_rate": variant_rate, "boilerplate_rate": boilerplate_rate,
        "source_texts": len(sources), "refused_for_overlap": refused,
        "files": len(items), "bases": len(bases), "independent": len(singles),
        "by_transform": dict(sorted(Counter(it.transform for it in items).items())),
        "with_boilerplate": sum(1 for it in items if it.boilerplate),
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    manifest["seconds"] = round(time.perf_counter() - t0, 2)
    return manifest


# --------------------------------------------------------------------------- scoring

def adjusted_rand_index(truth: list[str], pred: list[str]) -> float:
    """ARI from the contingency table (Hubert & Arabie), as sklearn computes it."""
    n = len(truth)
    if n < 2:
        return 1.0
    cont = Counter(zip(truth, pred))
    sum_ij = sum(math.comb(v, 2) for v in cont.values())
    sum_a = sum(math.comb(v, 2) for v in Counter(truth).values())
    sum_b = sum(math.comb(v, 2) for v in Counter(pred).values())
    expected = sum_a * sum_b / math.comb(n, 2)
    max_index = (sum_a + sum_b) / 2
    if max_index == expected:  # both partitions all singletons, or both one cluster
        return 1.0
    return (sum_ij - expected) / (max_index - expected)


def pair_scores(truth: list[str], pred: list[str]) -> dict[str, float]:
    """Pairwise precision / recall / F1 over all pairs of documents."""
    tp = sum(math.comb(v, 2) for v in Counter(zip(truth, pred)).values())
    true_pairs = sum(math.comb(v, 2) for v in Counter(truth).values())
    pred_pairs = sum(math.comb(v, 2) for v in Counter(pred).values())
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "true_pairs": true_pairs, "predicted_pairs": pred_pairs, "correct_pairs": tp}


def read_labels(out_dir: Path) -> list[dict]:
    with open(out_dir / "labels.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(out_dir: Path, config: Any = None, n_failures: int = 10) -> dict:
    """Run dedup on ``out_dir/articles`` and score it against ``out_dir/labels.jsonl``."""
    from dedup.config import Config
    from dedup.pipeline import run

    config = config or Config()
    labels = read_labels(out_dir)
    lab = {row["id"]: row for row in labels}
    t0 = time.perf_counter()
    result = run(out_dir / "articles", config)
    seconds = time.perf_counter() - t0

    pred: dict[str, str] = {}
    for c in result.clusters:
        for m in c.members:
            pred[m.id] = c.id
    seen = {d.id for d in result.documents} | {s.id for s in result.skipped}
    unknown = sorted(seen - set(lab))
    if unknown:
        raise SystemExit(f"{out_dir}: {len(unknown)} document(s) without a label, e.g. {unknown[0]}")
    missing = sorted(set(lab) - seen)
    if missing:
        raise SystemExit(f"{out_dir}: {len(missing)} labelled file(s) not seen by dedup, e.g. {missing[0]}")
    ids = sorted(lab)
    cluster_of = {i: pred.get(i, "single:" + i) for i in ids}
    truth = [lab[i]["group"] for i in ids]
    predicted = [cluster_of[i] for i in ids]

    members: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        members[cluster_of[i]].append(i)
    edges = {(e.a, e.b): e for e in result.edges}

    def edge(a: str, b: str):
        return edges.get((min(a, b), max(a, b)))

    def merged_elsewhere(i: str) -> bool:
        return any(lab[j]["group"] != lab[i]["group"] for j in members[cluster_of[i]])

    # closest calls: the best score / shingle containment of any candidate pair joining a file to another group
    cross: dict[str, float] = defaultdict(float)
    cross_c: dict[str, float] = defaultdict(float)
    for e in result.edges:
        if lab[e.a]["group"] != lab[e.b]["group"]:
            for x in (e.a, e.b):
                cross[x] = max(cross[x], e.evidence.score)
                cross_c[x] = max(cross_c[x], e.evidence.containment_ab, e.evidence.containment_ba)

    rows = []
    missed = []
    for kind in ("base",) + TRANSFORMS + ("independent",):
        its = [i for i in ids if lab[i]["transform"] == kind]
        if not its:
            continue
        row: dict[str, Any] = {"transform": kind, "n": len(its)}
        if kind not in ("base", "independent"):
            hit = [i for i in its if cluster_of[i] == cluster_of[lab[i]["base"]]]
            row["with_base"] = len(hit) / len(its)
            missed += [i for i in its if cluster_of[i] != cluster_of[lab[i]["base"]]]
            scores = [e.evidence.score if e is not None else 0.0 for e in (edge(i, lab[i]["base"]) for i in its)]
            row["min_base_score"] = min(scores)
        row["merged_elsewhere"] = sum(map(merged_elsewhere, its)) / len(its)
        row["max_cross_score"] = max(cross[i] for i in its)
        row["max_cross_containment"] = max(cross_c[i] for i in its)
        rows.append(row)
    bp = [i for i in ids if lab[i]["boilerplate"]]
    rows.append({"transform": "with boilerplate", "n": len(bp),
                 "merged_elsewhere": sum(map(merged_elsewhere, bp)) / len(bp) if bp else 0.0,
                 "max_cross_score": max((cross[i] for i in bp), default=0.0),
                 "max_cross_containment": max((cross_c[i] for i in bp), default=0.0)})

    def describe_edge(a: str, b: str) -> dict:
        e = edge(a, b)
        if e is None:
            return {"edge": None, "reason": "not a candidate"}
        reason = e.reason
        if e.accepted and cluster_of[a] != cluster_of[b]:
            reason += " (accepted, but the two ended in different clusters)"
        return {"edge": "accepted" if e.accepted else "rejected", "reason": reason,
                "score": round(e.evidence.score, 3), "aligned": e.evidence.aligned_sentences}

    # missed variant->base pairs: easiest transforms first, round-robin so each transform shows up
    by_kind: dict[str, list[str]] = defaultdict(list)
    for i in missed:
        by_kind[lab[i]["transform"]].append(i)
    order: list[str] = []
    while any(by_kind.values()):
        for kind in TRANSFORMS:
            if by_kind[kind]:
                order.append(by_kind[kind].pop(0))
    missed_out = [{"variant": i, "base": lab[i]["base"], "transform": lab[i]["transform"],
                   "group": lab[i]["group"], "source": lab[i]["source"], "params": lab[i]["params"],
                   **describe_edge(i, lab[i]["base"])} for i in order]

    false_pairs = []
    for ms in members.values():
        for x in range(len(ms)):
            for y in range(x + 1, len(ms)):
                a, b = ms[x], ms[y]
                if lab[a]["group"] != lab[b]["group"]:
                    d = describe_edge(a, b)
                    false_pairs.append({
                        "a": a, "b": b, "groups": [lab[a]["group"], lab[b]["group"]],
                        "transforms": [lab[a]["transform"], lab[b]["transform"]],
                        "sources": [lab[a]["source"], lab[b]["source"]],
                        "boilerplate": [lab[a]["boilerplate"], lab[b]["boilerplate"]], **d})
    false_pairs.sort(key=lambda f: (-(f.get("score") or 0.0), f["a"], f["b"]))

    groups = defaultdict(set)
    for i in ids:
        groups[lab[i]["group"]].add(i)
    exact_groups = sum(1 for g, m in groups.items() if set(members[cluster_of[next(iter(m))]]) == m)
    return {
        "files": len(ids), "groups": len(groups), "skipped": {s.id: s.reason for s in result.skipped},
        "clusters": len(result.clusters), "candidate_pairs": result.candidate_pairs,
        "verified_pairs": sum(1 for e in result.edges if e.accepted),
        "ari": adjusted_rand_index(truth, predicted), "pairwise": pair_scores(truth, predicted),
        "groups_exact": exact_groups / len(groups),
        "by_transform": rows, "missed": missed_out[:max(0, n_failures)], "missed_total": len(missed_out),
        "false_merges": false_pairs[:max(0, n_failures)], "false_merges_total": len(false_pairs),
        "config": config.to_dict(), "dedup_seconds": round(seconds, 2),
    }


def print_report(s: dict, out=sys.stdout) -> None:
    w = out.write
    pw = s["pairwise"]
    w(f"stress set: {s['files']} files, {s['groups']} groups; dedup: {s['clusters']} clusters, "
      f"{s['candidate_pairs']} candidate pairs, {s['verified_pairs']} verified, {len(s['skipped'])} skipped, "
      f"{s['dedup_seconds']:.1f} s\n")
    w(f"ARI {s['ari']:.4f}   pairwise precision {pw['precision']:.4f}  recall {pw['recall']:.4f}  "
      f"F1 {pw['f1']:.4f}   groups recovered exactly {s['groups_exact']:.3f}\n\n")
    w(f"{'transform':<18}{'n':>5}  {'with base':>9}  {'merged elsewhere':>16}  {'min base score':>14}  "
      f"{'max cross score':>15}  {'max cross contain':>17}\n")
    for r in s["by_transform"]:
        wb = f"{r['with_base']:.3f}" if "with_base" in r else "-"
        mb = f"{r['min_base_score']:.2f}" if "min_base_score" in r else "-"
        w(f"{r['transform']:<18}{r['n']:>5}  {wb:>9}  {r['merged_elsewhere']:>16.3f}  {mb:>14}  "
          f"{r['max_cross_score']:>15.2f}  {r['max_cross_containment']:>17.2f}\n")
    w("\n'with base': share of the variants in the same cluster as their base (recall by transform);\n"
      "'merged elsewhere': share of the files that share a cluster with a file of another group;\n"
      f"'min base score': lowest verify score (coverage) of a variant->base pair (0: not a candidate), "
      f"threshold {s['config']['min_coverage']};\n"
      "'max cross score' / 'max cross contain': highest verify score / shingle containment of any candidate\n"
      f"pair joining the file to another group (containment is checked first, at {s['config'].get('min_containment')}; "
      "below it the score stays 0).\n")
    if s["skipped"]:
        w(f"skipped: {dict(Counter(s['skipped'].values()))}\n")
    w(f"\nmissed variant->base pairs: {s['missed_total']}; first {len(s['missed'])}:\n")
    for f in s["missed"]:
        w(f"  {f['transform']:<13} {f['variant']} -> {f['base']}  [{f['source']}]  {f['params']}\n"
          f"      {f['reason']}\n")
    w(f"\nfalse merges (pairs across groups in one cluster): {s['false_merges_total']}; "
      f"first {len(s['false_merges'])}:\n")
    for f in s["false_merges"]:
        w(f"  {f['a']} ({f['transforms'][0]}, {f['sources'][0]}) ~ {f['b']} ({f['transforms'][1]}, "
          f"{f['sources'][1]})  boilerplate {f['boilerplate']}\n      {f['reason']}\n")


# --------------------------------------------------------------------------- CLI

_CLASHES = {"seed", "min_words"}  # Config fields whose names the generator's options use


def _add_dedup_options(p: argparse.ArgumentParser) -> None:
    from dedup.config import Config

    g = p.add_argument_group("dedup options (Config fields; defaults are dedup's; "
                             "seed and min-words are --dedup-seed, --dedup-min-words)")
    for f in dataclasses.fields(Config):
        typ = type(f.default)
        flag = f.name.replace("_", "-")
        if f.name in _CLASHES:
            flag = "dedup-" + flag
        g.add_argument("--" + flag, dest="cfg_" + f.name, type=typ, default=None, metavar=typ.__name__.upper())
    p.add_argument("--json", type=Path, help="write the figures to this JSON file")
    p.add_argument("--failures", type=int, default=10, help="how many missed pairs and false merges to list")


def _config(args: argparse.Namespace):
    from dedup.config import Config

    values = {k[4:]: v for k, v in vars(args).items() if k.startswith("cfg_") and v is not None}
    return Config(**values)


def _add_generate_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--n-stories", type=int, default=150, help="number of base stories")
    p.add_argument("--min-words", type=int, default=150, help="words a base needs after cleaning")
    p.add_argument("--min-single-words", type=int, default=80, help="words an independent singleton needs")
    p.add_argument("--variant-rate", type=float, default=0.35, help="chance of each transform per base")
    p.add_argument("--boilerplate-rate", type=float, default=0.35, help="chance a file gets boilerplate")


def _gen_kwargs(args: argparse.Namespace) -> dict:
    return {"seed": args.seed, "n_stories": args.n_stories, "min_words": args.min_words,
            "min_single_words": args.min_single_words, "variant_rate": args.variant_rate,
            "boilerplate_rate": args.boilerplate_rate}


def _print_manifest(m: dict) -> None:
    print(f"generated {m['files']} files: {m['bases']} bases, {m['independent']} independent singletons, "
          f"{m['files'] - m['bases'] - m['independent']} variants, {m['with_boilerplate']} with boilerplate "
          f"(seed {m['seed']}, {m['source_texts']} source texts, {m['refused_for_overlap']} refused for overlap, "
          f"{m['seconds']:.1f} s)")
    print("  " + ", ".join(f"{k} {v}" for k, v in m["by_transform"].items()))


def _finish(s: dict, args: argparse.Namespace, extra: dict | None = None) -> None:
    print_report(s)
    if args.json:
        payload = dict(s, **(extra or {}))
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write OUT_DIR/articles, OUT_DIR/labels.jsonl")
    g.add_argument("source", type=Path)
    g.add_argument("out", type=Path)
    _add_generate_options(g)
    s = sub.add_parser("score", help="run dedup on OUT_DIR/articles and score it")
    s.add_argument("out", type=Path)
    _add_dedup_options(s)
    r = sub.add_parser("run", help="generate into a temporary folder, then score")
    r.add_argument("source", type=Path)
    r.add_argument("--keep", type=Path, help="generate here instead of a temporary folder, and keep it")
    _add_generate_options(r)
    _add_dedup_options(r)
    args = ap.parse_args(argv)

    if args.cmd == "generate":
        _print_manifest(generate(args.source, args.out, **_gen_kwargs(args)))
        return 0
    if args.cmd == "score":
        manifest_path = args.out / "manifest.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        _finish(score(args.out, _config(args), args.failures), args, {"manifest": manifest})
        return 0
    config = _config(args)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dedup-stress-") as tmp:
        out = args.keep or Path(tmp)
        manifest = generate(args.source, out, **_gen_kwargs(args))
        _print_manifest(manifest)
        print()
        result = score(out, config, args.failures)
    _finish(result, args, {"manifest": manifest, "total_seconds": round(time.perf_counter() - t0, 2)})
    print(f"\ntotal {time.perf_counter() - t0:.1f} s (generate {manifest['seconds']:.1f} s, "
          f"dedup {result['dedup_seconds']:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
