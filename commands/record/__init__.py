"""What a meeting records: decisions (`record_decision`), notes, captured lines, their history."""
