"""Benchmarks and scale generators: outside the layers (they may import any app; no app
imports them)."""
