"""KEEP / STOP / START reviews of one meeting, and data-informed reviews of a series or period."""
