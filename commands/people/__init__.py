"""People: who they are (`/mdt iam`), their agencies, and how a command names them."""
