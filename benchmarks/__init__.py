"""Benchmarks for uspk: synthetic histories and the harness (``python -m benchmarks.run``)."""
