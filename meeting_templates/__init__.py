"""Jinja2 templates for every user-facing text, and the meeting types (TOML)."""
