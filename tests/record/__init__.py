"""The record: decisions, dissent and ratification, the minutes lifecycle and history, captures."""
