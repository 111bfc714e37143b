"""Chasing: reminder policy, the worker's sweeps and delivery, notices to chairs."""
