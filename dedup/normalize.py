"""Normalize stage: strip non-article lines, split the body into sentences.

Nothing is rewritten in place: the stage returns sentences as spans of the
original ``Document.text`` (so diffs quote the original), each with its
normalized words (for shingles) and content-word stems (for alignment).
Every line it drops is recorded with the rule that fired, like ftfy's
explanations.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import Stemmer

from dedup.stopwords import STOPWORDS
from dedup.types import Document, Dropped, NormalizedDoc, Sentence

# ---------------------------------------------------------------- line rules
# Each rule sees one stripped line; the first that matches drops the line.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rule_line", re.compile(r"^[\s\-=_*~#.+|<>]{3,}$")),
    ("wire_header", re.compile(r"^\d{1,2}:\d{2}\s+\d{1,2}/\d{1,2}/\d{2,4}:?\s+Page\b", re.I)),
    ("comment_prompt", re.compile(
        r"^\+?\s*(there are no comments|add yours|leave a (comment|reply)|\d+\s+comments?|comments?\s*\(\d+\)"
        r"|be the first to comment|show comments|post a comment)\b.*$", re.I)),
    ("read_more", re.compile(r"^(read more|also read|(see also|related( articles?| stories)?|more on this)\b)", re.I)),
    ("photo_credit", re.compile(
        r"^(\(?\s*(photo|image|picture|credit|file photo)\s*[:/(].{0,200}|.{0,160}\((reuters|ap|afp|getty images?|epa|pa|"
        r"photo[^)]{0,80})\)\s*\.?)$", re.I)),
    ("byline", re.compile(r"^[Bb]y\s+[A-Z][\w.'\-]*(\s+[A-Z][\w.'\-]*){0,3}\s*(,\s*[\w .'\-]{1,40})?$")),
    ("dateline", re.compile(
        r"^(?i:published|updated|posted)?\s*:?\s*(\d{1,2}:\d{2},?\s*)?([A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]+\s+\d{4}"
        r"|\d{4}-\d{2}-\d{2})(\s*\|.*)?$")),
    ("share_prompt", re.compile(r"^(share|tweet|email|print)(\s*(this|on \w+|article))?\s*$", re.I)),
)

# Characters that mark paragraph starts or line ends in wire copy.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE = re.compile(r"[^\n]*\n?")

# ------------------------------------------------------------ sentence split
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "rev",
    "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "approx", "dept", "est",
}
_LEADING = re.compile(r"^[\W_\x00-\x1f]+")  # quotes, brackets, control characters before a word
_SENT_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_WORD = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"'s$")
_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
                       "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "\u00a0": " "})

_stemmer = Stemmer.Stemmer("english", 100_000)  # PyStemmer keeps its own cache of recent words
_JUNK = frozenset(" \t\n\r<" + "".join(chr(c) for c in range(32)))


def fold(text: str) -> str:
    """Unicode NFKC, quote and dash folding, lower case."""
    return unicodedata.normalize("NFKC", text.translate(_FOLD)).casefold()


def _fix_word(w: str) -> str:
    if w[0].isdigit():
        return w.replace(",", "")
    return _POSSESSIVE.sub("", w).replace("'", "")


def words_of(text: str) -> list[str]:
    """Normalized words: folded, numbers without thousands separators, apostrophes and a final 's dropped."""
    folded = fold(text)
    words = _WORD.findall(folded)
    if "'" in folded or "," in folded:  # only then can a word need fixing (most sentences skip the loop)
        words = [_fix_word(w) if ("'" in w or "," in w) else w for w in words]
    return words


def content_stems(words: Iterable[str]) -> tuple[str, ...]:
    """Stems of the words that carry content (stopwords removed)."""
    return tuple(_stemmer.stemWords([w for w in words if w not in STOPWORDS]))


# All rules in one alternation, tried in order at the line start: one match call per line.
_ANY_RULE = re.compile("|".join(f"(?P<{name}>{'(?i:' + p.pattern + ')' if p.flags & re.I else p.pattern})"
                                for name, p in _RULES))


def classify_line(line: str) -> str | None:
    """The rule that drops this line, or None to keep it."""
    s = _CONTROL.sub("", line).strip().rstrip("<").strip()
    if not s:
        return None
    m = _ANY_RULE.match(s)
    return m.lastgroup if m else None


def _paragraphs(text: str) -> tuple[list[tuple[int, int]], list[Dropped]]:
    """Kept paragraphs as (start, end) spans, and the dropped lines."""
    paras: list[tuple[int, int]] = []
    dropped: list[Dropped] = []
    cur: tuple[int, int] | None = None
    pos = 0
    for m in _LINE.finditer(text):
        line = m.group()
        if not line:
            break
        start, end = pos, pos + len(line.rstrip("\n"))
        pos += len(line)
        rule = classify_line(line)
        body = _CONTROL.sub("", line).strip()
        if rule is not None:
            dropped.append(Dropped(start, end, rule))
            cur = _flush(paras, cur)
            continue
        if not body or body == "<":
            cur = _flush(paras, cur)
            continue
        # a control character or a bullet at the line start opens a paragraph (wire copy)
        opens = bool(_CONTROL.match(line)) or line.lstrip()[:1] in "•*+-"
        if cur is not None and (opens or _closes(text[cur[0]:cur[1]])):
            cur = _flush(paras, cur)
        cur = (cur[0], end) if cur else (start, end)
    _flush(paras, cur)
    return paras, dropped


def _closes(paragraph: str) -> bool:
    """A line ending like this ends its paragraph even without a blank line."""
    tail = paragraph.rstrip()
    return tail.endswith(("<", ".", "!", "?", ":", '"', "”", "'")) or len(tail.splitlines()[-1]) < 40


def _flush(paras: list[tuple[int, int]], cur: tuple[int, int] | None) -> None:
    if cur is not None:
        paras.append(cur)
    return None


def _split_sentences(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """Sentence spans inside one paragraph."""
    s = start
    for m in _SENT_END.finditer(text, start, end):
        cut = m.end()
        before = _LEADING.sub("", text[s:m.start() + 1].rsplit(None, 1)[-1]).rstrip(".").lower() \
            if m.group()[0] == "." else ""
        if before in _ABBREV or (len(before) == 1 and before.isalpha()):
            continue
        nxt = text[cut:end].lstrip()[:1]
        if nxt and (nxt.islower() or nxt in ",;"):
            continue
        yield s, cut
        s = cut
    if s < end:
        yield s, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past white space, control characters and wire '<' line ends."""
    while start < end and text[start] in _JUNK:
        start += 1
    while end > start and text[end - 1] in _JUNK:
        end -= 1
    return start, end


def normalize(doc: Document) -> NormalizedDoc:
    """Split a document into sentences of its article body."""
    paras, dropped = _paragraphs(doc.text)
    sentences: list[Sentence] = []
    for p_start, p_end in paras:
        for s, e in _split_sentences(doc.text, p_start, p_end):
            s, e = _trim(doc.text, s, e)
            if s >= e:
                continue
            raw = doc.text[s:e]
            words = tuple(words_of(_CONTROL.sub(" ", raw).replace("<\n", "\n")))
            if not words:
                continue
            sentences.append(Sentence(s, e, raw, content_stems(words), words))
    return NormalizedDoc(doc.id, tuple(sentences), tuple(dropped))
