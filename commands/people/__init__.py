"""People: who they are (`/mdt iam`), when they are away and who covers (`/mdt away`), their
agencies, and how a command names them."""
