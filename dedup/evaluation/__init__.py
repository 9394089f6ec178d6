"""Scoring a run against gold labels: pair and cluster metrics, threshold sweeps."""
