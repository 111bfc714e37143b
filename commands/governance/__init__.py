"""Information governance: the personal-data guard, the audit trail, retention and exports."""
