"""Web pages on the same Starlette app: the one-action link pages sent by email."""
