"""Dates, working days, SMART letters and the grammar: the pure language of commands."""
