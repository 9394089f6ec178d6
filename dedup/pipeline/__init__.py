"""The only place that wires the stages: ``runner.run`` and ``run_to_dir``, the first pass over the input
(``firstpass``), and the store that reads a document's text again when a later stage needs it (``docstore``)."""
