"""The stages, in the order a run calls them: ingest (with htmltext), normalize (the Python reference of the
first pass) and sketch (its compiled path), shingle, weights, boilerplate, signatures, candidates (LSH),
verify, cluster, canonical, diff.  Each is a small module of typed functions over the core types and flat
arrays; none holds state between calls, so the same functions run in-process or in worker processes."""
