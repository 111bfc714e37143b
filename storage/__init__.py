"""The records: typed models, the unit of work and the schema migrations."""
