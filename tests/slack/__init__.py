"""Tests of the Slack app against real HTTP: a fake Slack Web API and signed payloads."""
