"""The command families; importing this package registers every /mdt command."""

from commands.families import actions, help, meetings, people, record, reviews

__all__ = ["actions", "help", "meetings", "people", "record", "reviews"]
