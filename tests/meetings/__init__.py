"""Meetings: booking, invites and calendars, quorum, series, venues, carried-forward business."""
