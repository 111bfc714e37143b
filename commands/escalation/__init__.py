"""Professional disagreements (CONTRACT section 12): protocols, `E<n>` commands, stage notices.

- `protocols`: escalation and resolution protocols read from meeting_templates/protocols/*.toml.
- `deadlines`: when a stage's time runs out, in working days (pure).
- `disagreements`: `/mdt escalate`, `/mdt resolve`, `/mdt escalations`; opening one from a dissent.
- `sweep`: the worker's step telling those involved when a stage's time has run out.
"""
