"""Actions: recording a SMART action, then accept, done, progress, extend and reassign."""
