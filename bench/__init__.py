"""Benchmarks (`make bench`) and the scoring evaluation (`make eval`)."""
