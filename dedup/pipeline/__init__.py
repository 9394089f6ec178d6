"""The only place that wires the stages: ``runner.run`` and ``run_to_dir``, the first pass over the input
(``firstpass``) into documents as arrays, the corpus they make with its statistics (``corpus``), and the
store that reads a document's text again when a later stage needs it (``docstore``)."""
