"""Information governance: the personal-data guard, the audit chain, retention, exports."""
