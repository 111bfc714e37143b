"""Actions: recording a SMART action (`record_action`), how one stands, and its follow-ups."""
