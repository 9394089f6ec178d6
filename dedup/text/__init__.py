"""The text rules as data, shared by the Python reference (``stages.normalize``) and the kernels: fold
characters, abbreviations, line-rule words, stopwords, and the character tables the kernels read."""
