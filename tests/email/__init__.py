"""Agencies outside the workspace: email, calendar invites by email, and the link pages."""
