"""People: agencies and roles, help, and saying you are away."""
