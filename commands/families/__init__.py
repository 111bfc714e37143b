"""The command families; importing this package registers every /mdt command."""

from commands.families import (
    actions,
    attendance,
    help,
    meetings,
    people,
    record,
    reviews,
    running,
)

__all__ = ["actions", "attendance", "help", "meetings", "people", "record", "reviews", "running"]
