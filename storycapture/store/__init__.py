"""The vault on disk: SQLAlchemy models, engine setup, migrations, sealed fields, the op log."""
