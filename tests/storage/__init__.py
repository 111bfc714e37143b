"""Storage: models, named queries and their statement counts, SQLite's mode, migrations."""
