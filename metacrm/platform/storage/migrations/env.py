"""Alembic environment for MetaCRM's own tables; always run on a given connection."""

from alembic import context

from metacrm.platform.storage.platform_tables import platform_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=platform_metadata,
    version_table="metacrm_alembic_version",
    include_name=lambda name, type_, parent: type_ != "table" or name.startswith("metacrm_"),
)
with context.begin_transaction():
    context.run_migrations()
