"""Data at rest: compact arrays per document (CSR rows, row subsets, a sorted id index), packed clusters
and edge tables, and atomic file writes.  Knows no stage."""
