"""Alembic migrations of the registry store (``versions/``, newest last)."""
