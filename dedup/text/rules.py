"""The text rules as data: what a line, a sentence end and a folded character are.

Both implementations of the first pass read these: ``stages.normalize`` (the
Python reference, regular expressions over ``str``) and the compiled path
(``stages.sketch`` with ``kernels.textscan`` and ``kernels.linescan``, through
the character tables of ``text.tables``).  A rule changed here changes both,
and the tests check that the two still agree.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- line rules
# Each rule sees one stripped line; the first that matches drops the line.
LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
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
# What a line that starts with an ASCII letter must start with (in any case) for a rule to match it,
# unless it ends like a photo credit ("... (Reuters)."), ends with a digit (a dateline "May 3, 2024")
# or holds a "|" (a dateline's tail).  The compiled pass runs the rules only on such lines
# (``kernels.linescan._may_rule``); a new rule that can start with a letter adds its first word here.
RULE_PREFIXES = ("there", "add", "leave", "comment", "be", "show", "post", "read", "also", "see", "related",
                 "more", "photo", "image", "picture", "credit", "file", "by", "published", "updated", "posted",
                 "share", "tweet", "email", "print")

# ---------------------------------------------------------------- sentence rules
# Marks that end a sentence when white space follows: Latin . ! ?, the Arabic and Urdu full stop and
# question mark, the Devanagari danda and double danda, the Armenian full stop, the Ethiopic full stop
# and the Greek question mark.
SENTENCE_ENDS = ".!?\u06d4\u061f\u0964\u0965\u0589\u1362\u037e"
# Marks that end a sentence with or without white space after them (Chinese and Japanese write none):
# the ideographic full stop, the full-width exclamation and question marks, the half-width full stop.
SENTENCE_ENDS_CLOSED = "\u3002\uff01\uff1f\uff61"
# Quotes and brackets that may close a sentence after its end mark, and still belong to it.
SENTENCE_CLOSERS = "\"'\u201d\u2019)]\u300d\u300f\uff09\u3011\u300b\u3009"

# Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar.  A run
# of them is read as its overlapping character pairs (a run of one character as itself), so that a copy
# and its source share words without a segmenter.
UNSPACED = ("\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
            "\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f")

# Characters that mark paragraph starts or line ends in wire copy.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Words before a full stop that does not end a sentence (lower case, without the last full stop).
ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "col", "lt", "sgt", "capt", "gov", "sen", "rep", "rev",
    "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "approx", "dept", "est",
}

# Quotes, dashes and the no-break space, folded one character for one before anything else.
FOLD_CHARS = (("‘", "'"), ("’", "'"), ("‚", "'"), ("‛", "'"), ("“", '"'), ("”", '"'), ("„", '"'), ("‟", '"'),
              ("–", "-"), ("—", "-"), ("‐", "-"), ("‑", "-"), ("−", "-"), ("\u00a0", " "))
