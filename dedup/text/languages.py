"""Languages as data: which languages have a Snowball stemmer.

The codes a run accepts are ``config.LANGUAGES``: every label of the language
detector's model, and these.  ``SNOWBALL`` names the PyStemmer algorithm of each language that has one
(``Stemmer.algorithms()``, less ``porter`` and ``dutch_porter``, older variants
of English and Dutch).  Those languages are stemmed, and have their function
words left out (``stages.language.treatment``); every other language gets
the neutral treatment.
"""

from __future__ import annotations

SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "eo": "esperanto", "es": "spanish", "et": "estonian", "eu": "basque", "fa": "persian",
    "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "st": "sesotho",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}

BY_NAME = {name: code for code, name in SNOWBALL.items()}  # "german" -> "de", for values given as names
