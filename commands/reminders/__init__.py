"""Chasing: the reminder policy as pure functions, the reminder rows, and the sweep."""
