"""Email to people outside the workspace: which messages go by email, with which links."""
