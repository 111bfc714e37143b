"""What a meeting records: decisions and notes."""
