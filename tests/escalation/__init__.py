"""Professional disagreements taken through the escalation protocol's stages."""
