"""Meetings: types and quorum, scheduling and series, invitations, attendance, running one."""
