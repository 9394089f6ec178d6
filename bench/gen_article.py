"""One generated article and its variants: the built-in cast lists, filling placeholders, the transforms."""

from __future__ import annotations

import random
import re

from markov import ENT, LOC, NUM

TRANSFORMS = ("exact", "trimmed", "extended", "reordered", "reworded", "ocr")

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

