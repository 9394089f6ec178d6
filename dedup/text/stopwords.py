"""English function words, left out of content-word stems.

A closed list (the usual articles, pronouns, auxiliaries, prepositions,
conjunctions and reporting verbs): content words, names and numbers are what
two copies of an article keep when they are reworded.
"""

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "s", "t", "don", "didn", "doesn", "isn", "wasn", "weren", "won", "wouldn", "couldn", "shouldn", "hasn", "haven", "hadn", "said", "says", "say", "saying", "told", "tells", "tell", "according", "also", "would", "may", "might", "must", "shall", "us", "one", "mr", "mrs", "ms", "dr"]  # noqa: E501 - a word list
)
