"""Every command module, imported in this one place so the command table is complete."""

from commands import help
from commands.actions import follow_up, record
from commands.escalation import disagreements
from commands.governance import commands as governance
from commands.governance import holds
from commands.meetings import attendance, diary, handover, running, venue
from commands.people import away, iam
from commands.record import decisions, lifecycle, recording
from commands.reviews import review

__all__ = [
    "attendance",
    "away",
    "decisions",
    "diary",
    "disagreements",
    "follow_up",
    "governance",
    "handover",
    "help",
    "holds",
    "iam",
    "lifecycle",
    "record",
    "recording",
    "review",
    "running",
    "venue",
]
