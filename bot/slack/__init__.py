"""Slack: the /mdt experience as a Bolt app, over HTTP or Socket Mode."""
