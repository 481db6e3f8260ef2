"""Alembic environment of the registry store: runs on the store's own connection.

The store calls Alembic programmatically (``analytics.store``) inside its write
transaction, passing the connection in ``config.attributes["connection"]``;
there is no ``alembic.ini`` and no URL here.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
