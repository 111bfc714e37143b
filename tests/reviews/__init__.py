"""KEEP/STOP/START reviews of a meeting, a series and a period, and their pages."""
