"""Benchmarks: each prints its figures and the ratios against their targets."""
