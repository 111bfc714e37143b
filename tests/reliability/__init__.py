"""Nothing lost, nothing doubled: concurrency, the database down, hostile requests and text."""
