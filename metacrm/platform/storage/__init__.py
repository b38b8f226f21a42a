"""Tables and runtime migrations: metadata becomes real tables and columns.

SQLAlchemy Core for data access, alembic's ``Operations`` for runtime DDL.
Every metadata change runs as one transaction on both SQLite and PostgreSQL,
so a failed apply leaves schema and stored metadata exactly as they were.
"""
