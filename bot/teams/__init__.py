"""Microsoft Teams: the Bot Connector REST API over httpx, tokens from msal, Adaptive Cards."""
