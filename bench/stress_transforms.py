"""The stress set's labelled transforms of a base's paragraphs: trims, extend, reorder, rewording, OCR noise."""

from __future__ import annotations

import re
from random import Random

from stress_words import (
    ADJECTIVES,
    DAYS,
    LOCAL_NAMES,
    LOCAL_SENTENCES,
    ORGS,
    STOP,
    STREETS,
    SYNONYMS,
    TOWNS,
)

TRANSFORMS = ("exact", "trim_end", "trim_middle", "extend", "reorder",
              "reword_light", "reword_heavy", "ocr_1", "ocr_3", "ocr_5")

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


