"""Actions after the meeting: accept, progress, more time, done, and buttons that do them."""
