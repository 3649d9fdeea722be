"""Benchmarks and the synthetic-corpus generator (see bench/README.md)."""
