"""The outbox: messages written with the change that caused them, and their JSON form."""
