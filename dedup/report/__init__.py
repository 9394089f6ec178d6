"""Writing a run's output: the ``clusters.json`` and ``documents.jsonl`` payloads and their JSON Schemas,
the per-cluster Markdown pages, the self-contained ``report.html``, and SVG plots."""
